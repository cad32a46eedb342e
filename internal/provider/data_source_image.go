package provider

import (
	"context"
	"fmt"

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
	data *providerData
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
			"with a warning, once that time has passed while Akool still reports the job. Looking up an id Akool " +
			"no longer knows (code 1008, as it answers for expired images) is an error, since there is no last " +
			"known value to keep; an `akool_generated_image` resource keeps its values after expiry instead.",
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

func (d *imageDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if data := providerDataFrom(req.ProviderData, &resp.Diagnostics); data != nil {
		d.data = data
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
		resp.Diagnostics.AddAttributeError(path.Root("id"), "Image Not Found",
			fmt.Sprintf("Akool answered code 1008 for id %s: it does not know this image. The id never existed, "+
				"belongs to another Akool account than the provider's credentials, or the image expired: Akool "+
				"keeps images for 7 days after generation, then answers 1008 for their id. Check the id and the "+
				"credentials; an expired image can only be replaced by a copy saved before it expired or by a new "+
				"image.", id))
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to Read Image", readErrorDetail(id, d.data.credentialsNote(err)))
		return
	}

	var state imageDataSourceModel
	state.fromImage(img)
	state.ID = config.ID // as configured, even if Akool spells it differently
	state.Prompt = stringOrNull(echoedPrompt(img))
	state.SourceImage = stringOrNull(img.SourceImage)
	state.ModelName = stringOrNull(img.ModelName)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(expiredWarning(imageDataSourceExpiry, &state.jobResultModel)...)
}

// imageDataSourceModel is the state of akool_image.
type imageDataSourceModel struct {
	imageResultModel

	Prompt      types.String `tfsdk:"prompt"`
	SourceImage types.String `tfsdk:"source_image"`
	ModelName   types.String `tfsdk:"model_name"`
}
