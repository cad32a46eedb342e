package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/akool-community/terraform-provider-akool/internal/akool"
)

var _ datasource.DataSourceWithConfigure = (*imageDataSource)(nil)

// imageDataSource is akool_image: an existing Akool image, looked up by id.
type imageDataSource struct {
	configuredDataSource
}

// NewImageDataSource returns the akool_image data source.
func NewImageDataSource() datasource.DataSource {
	return &imageDataSource{}
}

func (d *imageDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_image"
}

func (d *imageDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "An existing Akool image, looked up by its id with Akool's `infobymodelid`: " +
			"for example one generated outside Terraform, an upscale or variation result, or an image another " +
			"configuration manages. Reading it spends no credits.\n\n" +
			"Akool keeps images for 7 days after generation: `expires_at` says until when, and `expired` is `true`, " +
			"with a warning, once that time has passed while Akool still reports the job. An id Akool no longer " +
			"knows (code 1008) whose own creation time (an Akool id is a MongoDB ObjectId, whose first 8 hex digits " +
			"are its creation time) is more than 7 days ago reads as expired too, with a warning naming the id: " +
			"`expired = true`, `created_at` and `expires_at` from the id, and the other attributes null, since Akool " +
			"reports nothing else. Plans and `terraform destroy` keep working after the image expired. An unknown " +
			"id that is younger than 7 days, or that Akool cannot have made, is an error saying that the image may " +
			"be expired or never existed.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "Akool's id of the image job (`_id`): 24 hexadecimal digits, such as " +
					"`662a10df4197b3af58532e89`.",
				Required:   true,
				Validators: []validator.String{stringvalidator.RegexMatches(imageIDPattern, imageIDMessage)},
			},
			"status":           schema.StringAttribute{MarkdownDescription: descStatus, Computed: true},
			"image_url":        schema.StringAttribute{MarkdownDescription: descImageURL, Computed: true},
			"upscaled_urls":    schema.ListAttribute{MarkdownDescription: descUpscaledURLs, ElementType: types.StringType, Computed: true},
			"buttons":          schema.ListAttribute{MarkdownDescription: descButtons, ElementType: types.StringType, Computed: true},
			"used_buttons":     schema.ListAttribute{MarkdownDescription: descUsedButtons, ElementType: types.StringType, Computed: true},
			"deduction_credit": schema.Float64Attribute{MarkdownDescription: descDeductionCredit, Computed: true},
			"created_at":       schema.StringAttribute{MarkdownDescription: descCreatedAt, Computed: true},
			"expires_at":       schema.StringAttribute{MarkdownDescription: descExpiresAt, Computed: true},
			"expired":          schema.BoolAttribute{MarkdownDescription: descExpiredDataSource, Computed: true},
			"prompt":           schema.StringAttribute{MarkdownDescription: descEchoedPrompt, Computed: true},
			"source_image":     schema.StringAttribute{MarkdownDescription: descEchoedSource, Computed: true},
			"model_name":       schema.StringAttribute{MarkdownDescription: descEchoedModel, Computed: true},
		},
	}
}

func (d *imageDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config imageDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	client := d.data.requireClient(&resp.Diagnostics, "read the image")
	if client == nil {
		return
	}

	id := config.ID.ValueString()
	img, err := client.GetImage(ctx, id)
	err = checkReported(img, err)
	if akool.IsNotFound(err) {
		d.readUnknownID(ctx, config, resp)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to Read Image", readErrorDetail(id, d.data.credentialsNote(err)))
		return
	}

	var state imageDataSourceModel
	state.fromImage(img, d.data.now())
	state.ID = config.ID // as configured, even if Akool spells it differently
	state.Prompt = stringOrNull(echoedPrompt(img))
	state.SourceImage = stringOrNull(img.SourceImage)
	state.ModelName = stringOrNull(img.ModelName)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(expiredWarning(imageDataSourceExpiry, &state.jobResultModel)...)
}

// readUnknownID answers an id Akool does not know (code 1008). An id older
// than Akool's 7 days, by the creation time in the id itself, is an expired
// image: the data source reads as expired, with a warning, so that plans and
// terraform destroy keep working. Any other id is an error.
func (d *imageDataSource) readUnknownID(ctx context.Context, config imageDataSourceModel, resp *datasource.ReadResponse) {
	id, now := config.ID.ValueString(), d.data.now()
	created, plausible := objectIDTime(id, now)
	if !expiredByID(created, plausible, now) {
		when := "Its id does not carry a creation time Akool could have given it"
		if plausible {
			when = fmt.Sprintf("Its id says it was made at %s, less than 7 days ago, so it cannot have expired yet",
				created.UTC().Format(time.RFC3339))
		}
		resp.Diagnostics.AddAttributeError(path.Root("id"), "Image Not Found",
			fmt.Sprintf("Akool answered code 1008 for id %s: it does not know this image. The image may be expired "+
				"or never existed, or it belongs to another Akool account than the provider's credentials: Akool "+
				"keeps images for 7 days after generation, then answers 1008 for their id. %s. Check the id and "+
				"the credentials.", id, when))
		return
	}

	state := imageDataSourceModel{}
	state.ID = config.ID
	state.CreatedAt = timeOrNull(created)
	state.ExpiresAt, state.Expired = expiry(created, now)
	state.Status, state.ImageURL, state.Prompt, state.SourceImage, state.ModelName =
		types.StringNull(), types.StringNull(), types.StringNull(), types.StringNull(), types.StringNull()
	state.DeductionCredit = types.Float64Null()
	state.UpscaledURLs, state.Buttons, state.UsedButtons =
		types.ListNull(types.StringType), types.ListNull(types.StringType), types.ListNull(types.StringType)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.AddAttributeWarning(path.Root("id"), imageDataSourceExpiry.summary("Image No Longer Known to Akool", &state.jobResultModel),
		fmt.Sprintf("Akool answered code 1008 for image %s: it no longer knows it. Its id says it was made at %s, "+
			"and Akool keeps images for 7 days after generation, so it has expired (or it belongs to another "+
			"Akool account). The data source reads as expired = true, with created_at and expires_at taken from "+
			"the id; Akool reports nothing else, so its other attributes are null. %s",
			id, state.CreatedAt.ValueString(), imageDataSourceExpiry.regenerate))
}

// expiredByID reports whether an id Akool no longer knows is an expired
// image: one Akool can have made, more than 7 days before now.
func expiredByID(created time.Time, plausible bool, now time.Time) bool {
	return plausible && !now.Before(created.Add(imageRetention))
}

// akoolEpoch is before any id Akool's API can have given: an id whose
// embedded time is earlier (or in the future) never came from Akool.
var akoolEpoch = time.Date(2020, time.January, 1, 0, 0, 0, 0, time.UTC)

// objectIDTime returns the creation time that an ObjectId carries
// (akool.IDTime), and whether it is a time Akool could have made it at, by
// now.
func objectIDTime(id string, now time.Time) (time.Time, bool) {
	created, ok := akool.IDTime(id)
	return created, ok && !created.Before(akoolEpoch) && !created.After(now.Add(time.Hour))
}

// imageDataSourceModel is the state of akool_image.
type imageDataSourceModel struct {
	imageResultModel

	Prompt      types.String `tfsdk:"prompt"`
	SourceImage types.String `tfsdk:"source_image"`
	ModelName   types.String `tfsdk:"model_name"`
}
