package provider

import (
	"fmt"
	"regexp"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/float64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/akool-community/terraform-provider-akool/internal/akool"
)

// imageIDPattern matches Akool's ids: 24-hex-digit ObjectIds.
var imageIDPattern = regexp.MustCompile(`^[0-9a-fA-F]{24}$`)

const imageIDMessage = "must be an Akool image id: 24 hexadecimal digits, such as 662a10df4197b3af58532e89"

// Descriptions of the attributes that the resource and the data source share.
const (
	descID     = "Akool's id of the image job (`_id`), 24 hexadecimal digits."
	descStatus = "State of the job at Akool: `queueing`, `processing`, `completed` or `failed`. " +
		"A resource whose job did not finish (the create timed out or was interrupted) keeps `queueing` or " +
		"`processing` until the next apply finishes waiting for it. A `failed` job, or an unfinished job Akool " +
		"has lost (it is `expired` too), is replaced by the next plan, with a warning naming it; a failed button " +
		"press whose button Akool lists as used stays as it is."
	descImageURL = "URL of the generated picture, set once `status` is `completed`. For `api_version = \"v3\"` " +
		"this is the 2x2 grid. Akool serves it for 7 days after generation; download it if you need it longer."
	descUpscaledURLs = "URLs of the grid's four single images (`v3`), in the order of the `U1`-`U4` buttons. " +
		"Akool may list them a little after the grid is finished; until then this is empty. For `v4` images " +
		"Akool lists one URL, the picture itself, or none."
	descButtons = "Buttons Akool offers on the finished image: `U1`-`U4` (upscale sub-image N) and `V1`-`V4` " +
		"(a variation of sub-image N). Empty for `v4` images."
	descUsedButtons     = "Buttons already pressed on this image. Each button can be pressed once."
	descDeductionCredit = "Credits Akool deducted for this job."
	descCreatedAt       = "When Akool accepted the job, in RFC 3339 format (UTC)."
	descEchoedPrompt    = "The prompt as Akool echoes it back (the prompt as sent, when Akool returns it). Null when Akool does not return it."
	descEchoedSource    = "The source image URL of an image-to-image job, as Akool echoes it. Null for text-to-image jobs or when Akool does not return it."
	descEchoedModel     = "The model Akool used (`v4` jobs). Null when Akool does not report one."
	descExpiresAt       = "When Akool stops serving the image: `created_at` plus 7 days, in RFC 3339 format (UTC). " +
		"Akool keeps every result for 7 days after generation; download what you need before then (for example " +
		"with `akool_image_file`). Null when Akool reports no creation time."
	descExpiredDataSource = "Whether the image has expired: `true` once `expires_at` has passed, even while Akool " +
		"still reports the job, and for an id Akool no longer knows (code 1008) that was made more than 7 days " +
		"ago; its URLs no longer serve then."
)

var (
	// descSinglesWait completes the description of a resource's upscaled_urls.
	descSinglesWait = " `terraform apply` waits for the single images for up to " + inWords(akool.DefaultSinglesGrace) +
		" after the grid is finished (never past `timeouts.create`), so that they can be used in the same apply; " +
		"when they are still missing, the apply warns and keeps the image, and a later refresh fills them in " +
		"without planning a change."
	descExpired = "Whether the image has expired, as of the last refresh: `true` once `expires_at` has passed, " +
		"even if Akool still reports the job, or once Akool answers that it no longer knows the image (code 1008) " +
		"when it can have expired: a finished image only when its id says it was made 7 days ago or more (a " +
		"younger one is kept as it is, with a warning, and read again at the next refresh, since Akool's reads " +
		"lag behind its writes and other credentials get 1008 too), a job that has not delivered a picture only " +
		inWords(akool.JobLostAfter) + " or more after its creation, and a failed job never (it stays failed). An expired image keeps its last known " +
		"values in state, and its URLs no longer serve; nothing is planned for a finished one and no new image is " +
		"generated on its own (see `triggers` to regenerate deliberately). A job that expired before it delivered " +
		"a picture (unfinished, or completed without a URL) is lost, and the plan replaces it with a warning."
)

// inWords writes d as the docs and messages say it: "10 minutes".
func inWords(d time.Duration) string {
	n, unit := int64(d/time.Second), "second"
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		n, unit = int64(d/time.Hour), "hour"
	case d >= time.Minute && d%time.Minute == 0:
		n, unit = int64(d/time.Minute), "minute"
	}
	if n != 1 {
		unit += "s"
	}
	return fmt.Sprintf("%d %s", n, unit)
}

// jobResultAttributes are the attributes every job resource computes, as
// jobResultModel holds them; imageURL describes the resource's picture. They
// keep their state values in a plan: only a new job, or the recovery of an
// unfinished one (markResultsUnknown), plans them unknown. The expiry
// attributes change only during refresh, so an in-place update shows no
// "known after apply" for them.
func jobResultAttributes(imageURL string) map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"id":        computedString(descID),
		"status":    computedString(descStatus),
		"image_url": computedString(imageURL),
		"deduction_credit": schema.Float64Attribute{
			MarkdownDescription: descDeductionCredit,
			Computed:            true,
			PlanModifiers:       []planmodifier.Float64{float64planmodifier.UseStateForUnknown()},
		},
		"created_at": computedString(descCreatedAt),
		"expires_at": computedString(descExpiresAt),
		"expired":    computedBool(descExpired),
	}
}

// gridDescriptions describe the grid attributes of a resource whose job
// makes a 2x2 grid.
type gridDescriptions struct {
	upscaledURLs string
	buttons      string
}

// gridResultAttributes are the attributes of a resource whose job makes a
// grid, as gridResultModel holds them.
func gridResultAttributes(d gridDescriptions) map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"upscaled_urls": computedList(d.upscaledURLs),
		"buttons":       computedList(d.buttons),
		"used_buttons":  computedList(descUsedButtons),
	}
}

func computedString(description string) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: description,
		Computed:            true,
		PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
}

// computedInt64 and computedBool are computedString for a number and a
// flag: a value the provider sets, kept in plans that do not change it.
func computedInt64(description string) schema.Int64Attribute {
	return schema.Int64Attribute{
		MarkdownDescription: description,
		Computed:            true,
		PlanModifiers:       []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
	}
}

func computedBool(description string) schema.BoolAttribute {
	return schema.BoolAttribute{
		MarkdownDescription: description,
		Computed:            true,
		PlanModifiers:       []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
	}
}

// optionalChoice is an optional string that is one of its default, def,
// and others.
func optionalChoice(description, def string, others ...string) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: description,
		Optional:            true,
		Computed:            true,
		Default:             stringdefault.StaticString(def),
		Validators:          []validator.String{stringvalidator.OneOf(append([]string{def}, others...)...)},
	}
}

func computedList(description string) schema.ListAttribute {
	return schema.ListAttribute{
		MarkdownDescription: description,
		ElementType:         types.StringType,
		Computed:            true,
		PlanModifiers:       []planmodifier.List{listplanmodifier.UseStateForUnknown()},
	}
}

// withAttributes adds the attributes of more to attributes and returns it.
func withAttributes(attributes map[string]schema.Attribute, more ...map[string]schema.Attribute) map[string]schema.Attribute {
	for _, m := range more {
		for name, attribute := range m {
			attributes[name] = attribute
		}
	}
	return attributes
}

// jobResultModel holds what Akool reports about any job: a generated image,
// an upscale or a variation. fromJob is the one place where these values are
// mapped.
type jobResultModel struct {
	ID              types.String  `tfsdk:"id"`
	Status          types.String  `tfsdk:"status"`
	ImageURL        types.String  `tfsdk:"image_url"`
	DeductionCredit types.Float64 `tfsdk:"deduction_credit"`
	CreatedAt       types.String  `tfsdk:"created_at"`
	ExpiresAt       types.String  `tfsdk:"expires_at"`
	Expired         types.Bool    `tfsdk:"expired"`
}

// job gives the fields shared by every model that follows a job.
func (m *jobResultModel) job() *jobResultModel { return m }

// fromJob sets every field from img, expired as of now. All values are known
// afterwards, so the model can be saved to state at any point of a job. An id
// already known stays as it is: the client accepts an answer that spells it
// in another case, and the id is the resource's identity, which must not
// change (and the next request names the job as Akool first accepted it).
func (m *jobResultModel) fromJob(img *akool.Image, now time.Time) {
	if img.ID != "" && (m.ID.IsNull() || m.ID.IsUnknown() || m.ID.ValueString() == "") {
		m.ID = types.StringValue(img.ID)
	}
	m.Status = types.StringValue(img.Status.String())
	m.ImageURL = stringOrNull(img.ImageURL)
	m.DeductionCredit = types.Float64Value(img.DeductionCredit)
	m.CreatedAt = timeOrNull(img.CreatedAt)
	m.ExpiresAt, m.Expired = expiry(img.CreatedAt, now)
}

// gridResultModel holds what a finished grid offers: its single images and
// its buttons. fromGrid is the one place where these values are mapped.
type gridResultModel struct {
	UpscaledURLs types.List `tfsdk:"upscaled_urls"`
	Buttons      types.List `tfsdk:"buttons"`
	UsedButtons  types.List `tfsdk:"used_buttons"`
}

// fromGrid sets every field from img; the lists are always known.
func (m *gridResultModel) fromGrid(img *akool.Image) {
	m.UpscaledURLs = stringList(img.UpscaledURLs)
	m.Buttons = stringList(img.Buttons)
	m.UsedButtons = stringList(img.UsedButtons)
}

// imageResultModel holds what Akool reports about a generated image. The
// resource's and the data source's models embed it, and fromImage is the one
// place where an akool.Image becomes their Terraform values.
type imageResultModel struct {
	jobResultModel
	gridResultModel
}

// fromImage sets every field from img, expired as of now. All values are
// known afterwards, so the model can be saved to state at any point of a job.
func (m *imageResultModel) fromImage(img *akool.Image, now time.Time) {
	m.fromJob(img, now)
	m.fromGrid(img)
}

// echoedPrompt is the prompt as the user sent it when Akool returns it
// (origin_prompt), else Akool's processed prompt.
func echoedPrompt(img *akool.Image) string {
	if img.OriginPrompt != "" {
		return img.OriginPrompt
	}
	return img.Prompt
}

func stringOrNull(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// stringList is always a known list: empty when Akool sent nothing.
func stringList(values []string) types.List {
	elems := make([]attr.Value, 0, len(values))
	for _, v := range values {
		elems = append(elems, types.StringValue(v))
	}
	return types.ListValueMust(types.StringType, elems)
}

func timeOrNull(t time.Time) types.String {
	if t.IsZero() {
		return types.StringNull()
	}
	return types.StringValue(t.UTC().Format(time.RFC3339))
}
