package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/akool-community/terraform-provider-akool/internal/akool"
)

var (
	_ resource.ResourceWithConfigure      = (*generatedImageResource)(nil)
	_ resource.ResourceWithImportState    = (*generatedImageResource)(nil)
	_ resource.ResourceWithIdentity       = (*generatedImageResource)(nil)
	_ resource.ResourceWithValidateConfig = (*generatedImageResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*generatedImageResource)(nil)
)

// generatedImageResource is akool_generated_image: one image generated from a
// prompt with Akool's v3 or v4 create call.
type generatedImageResource struct {
	configuredResource
}

// NewGeneratedImageResource returns the akool_generated_image resource.
func NewGeneratedImageResource() resource.Resource {
	return &generatedImageResource{}
}

const (
	apiV3         = "v3"
	apiV4         = "v4"
	scaleDefault  = "1:1"
	scaleOriginal = "Original"

	// Akool's documented defaults for the v4 inputs it fills in itself.
	resolutionDefault = "4k"
	resolution1080p   = "1080p"
	similarityDefault = 0.5

	// The documented v4 model for image-to-image; Akool refuses it without
	// a source image.
	modelImageToImage = "wavespeed-ai/flux-kontext-dev"

	// defaultCreateTimeout bounds the wait for a job. Akool usually finishes
	// a job in well under a minute, but under load a job can sit in Akool's
	// queue for many minutes; 20 minutes is long enough for a pipeline and
	// short enough to surface a stuck job.
	defaultCreateTimeout = 20 * time.Minute
)

// v3Scales are the scales both API versions accept; v4 also accepts
// scaleOriginal for image-to-image.
var v3Scales = []string{"1:1", "4:3", "3:4", "16:9", "9:16", "3:2", "2:3"}

// v4OnlyAttributes are the inputs only the v4 create call takes.
var v4OnlyAttributes = []string{"model_name", "resolution", "negative_prompt", "similarity"}

func (r *generatedImageResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_generated_image"
}

func (r *generatedImageResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := replaceIfNewPicture(nil, nil).stringModifier()
	resp.Schema = schema.Schema{
		MarkdownDescription: generatedImageDescription,
		Attributes: withAttributes(map[string]schema.Attribute{
			"prompt": schema.StringAttribute{
				MarkdownDescription: "What to draw, in words. Must not be empty. " +
					"Changing this generates a new image and spends credits.",
				Required:      true,
				Validators:    []validator.String{notBlank()},
				PlanModifiers: []planmodifier.String{replace},
			},
			"api_version": schema.StringAttribute{
				MarkdownDescription: "Which Akool create call to use: `v3` (the grid flow: a 2x2 grid whose " +
					"single images can be upscaled and varied with `U1`-`U4`/`V1`-`V4`) or `v4` " +
					"(`createBySourcePrompt`: one image, with a choice of model and resolution). Defaults to `v3`. " +
					"Changing this generates a new image and spends credits.",
				Optional:      true,
				Computed:      true,
				Default:       stringdefault.StaticString(apiV3),
				Validators:    []validator.String{stringvalidator.OneOf(apiV3, apiV4)},
				PlanModifiers: []planmodifier.String{replace},
			},
			"scale": schema.StringAttribute{
				MarkdownDescription: "Aspect ratio of the picture: `1:1`, `4:3`, `3:4`, `16:9`, `9:16`, `3:2` or `2:3`; " +
					"with `api_version = \"v4\"` and a `source_image`, also `Original` (keep the source's ratio). " +
					"Defaults to `1:1`. Changing this generates a new image and spends credits.",
				Optional:   true,
				Computed:   true,
				Default:    stringdefault.StaticString(scaleDefault),
				Validators: []validator.String{stringvalidator.OneOf(append(append([]string{}, v3Scales...), scaleOriginal)...)},
				// An imported image's scale is inferred from the picture's
				// ratio, which cannot tell "Original" from a fixed ratio.
				PlanModifiers: []planmodifier.String{replaceIfNewPicture(nil, func(_, plan attr.Value) bool {
					return plan.Equal(types.StringValue(scaleOriginal))
				}).stringModifier()},
			},
			"source_image": schema.StringAttribute{
				MarkdownDescription: "URL (`http` or `https`) of a picture to start from: image-to-image. " +
					"Akool must be able to download it. Changing this generates a new image and spends credits.",
				Optional:      true,
				Validators:    []validator.String{httpURLValidator{}},
				PlanModifiers: []planmodifier.String{replace},
			},
			"webhook_url": schema.StringAttribute{
				MarkdownDescription: "URL (`http` or `https`) that Akool notifies when the job ends. Akool only " +
					"uses the value sent with the create call, so changing it later only updates the state: " +
					"it generates no new image. " + webhookSecretNote,
				Optional:   true,
				Sensitive:  true,
				Validators: []validator.String{httpURLValidator{}},
			},
			"model_name": schema.StringAttribute{
				MarkdownDescription: "`v4` only: the model to generate with, such as `wavespeed-ai/flux-krea-dev-lora` " +
					"(text-to-image) or `wavespeed-ai/flux-kontext-dev` (image-to-image). When not set, Akool " +
					"chooses one and its choice is recorded here. Changing this generates a new image and spends credits.",
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{notBlank()},
				PlanModifiers: []planmodifier.String{
					stringplanmodifier.UseStateForUnknown(),
					replace,
				},
			},
			"resolution": schema.StringAttribute{
				MarkdownDescription: "`v4` only: `1080p` or `4k`. When not set, Akool uses `4k`. " +
					"Changing this generates a new image and spends credits; writing out `4k` where it was not " +
					"set, or removing `4k`, keeps the image, since Akool made it at `4k`.",
				Optional:      true,
				Validators:    []validator.String{stringvalidator.OneOf(resolution1080p, resolutionDefault)},
				PlanModifiers: []planmodifier.String{replaceIfNewPicture(types.StringValue(resolutionDefault), nil).stringModifier()},
			},
			"negative_prompt": schema.StringAttribute{
				MarkdownDescription: "`v4` only: what the picture should not show. Must not be empty when set. " +
					"Changing this generates a new image and spends credits.",
				Optional:      true,
				Validators:    []validator.String{notBlank()},
				PlanModifiers: []planmodifier.String{replace},
			},
			"similarity": schema.Float64Attribute{
				MarkdownDescription: "`v4` image-to-image only (needs `source_image`): how close the result stays " +
					"to the source, from `0` to `1`. When not set, Akool uses `0.5`. " +
					"Changing this generates a new image and spends credits; writing out `0.5` where it was not " +
					"set, or removing `0.5`, keeps the image, since Akool made it with `0.5`.",
				Optional:      true,
				Validators:    []validator.Float64{float64validator.Between(0, 1)},
				PlanModifiers: []planmodifier.Float64{replaceIfNewPicture(types.Float64Value(similarityDefault), nil).float64Modifier()},
			},
			"triggers": triggersAttribute("this generates a new image and spends credits. The new picture " +
				"differs from the old one even with the same prompt (see \"Regenerating deliberately\")."),
		}, jobResultAttributes(descImageURL), gridResultAttributes(gridDescriptions{upscaledURLs: descUpscaledURLs + descSinglesWait, buttons: descButtons})),
		Blocks: jobBlocks(ctx),
	}
}

// IdentitySchema is the job id (see jobIdentitySchema).
func (r *generatedImageResource) IdentitySchema(ctx context.Context, req resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	jobIdentitySchema(ctx, req, resp)
}

func (r *generatedImageResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan generatedImageModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	client := r.data.requireClient(&resp.Diagnostics, "generate the image")
	if client == nil {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	// The create timeout bounds the wait only: cutting the create request
	// short could lose a job Akool accepted and charged for. The client's
	// per-request timeout bounds the request; the timeout ends retries of a
	// create Akool refuses as too frequent.
	if !r.data.spending().startJob(&resp.Diagnostics) {
		return
	}
	img, err := submitGeneration(akool.RetryRefusalsFor(ctx, timeout), client, plan)
	if err != nil {
		addGenerateError(&resp.Diagnostics, r.data.credentialsNote(err), ctx.Err() != nil)
		return
	}

	tflog.Info(ctx, "Akool accepted the image job", map[string]any{"id": img.ID, "status": img.Status.String()})
	saveAndWait(ctx, r.data, client, &plan, img, timeout, &resp.State, &resp.Diagnostics)
	resp.Diagnostics.Append(setJobIdentity(ctx, resp.State, nil, resp.Identity)...)
}

func (r *generatedImageResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state generatedImageModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	// The id never changes: state written before identities existed gets
	// one here, on the refresh it has anyway.
	resp.Diagnostics.Append(setJobIdentity(ctx, req.State, req.Identity, resp.Identity)...)
	if resp.Diagnostics.HasError() {
		return
	}
	importing := state.Status.IsNull() // only an import leaves the status unset
	img := refreshJob(ctx, r.data, &state, generatedImageExpiry, importing, &resp.State, &resp.Diagnostics)
	if img == nil {
		return
	}

	if importing && !refuseButtonResult(state.ID.ValueString(), img, &resp.Diagnostics) {
		return
	}
	state.fromImage(img, r.data.now())
	if isImported(ctx, req.Private) {
		// Until an apply adopts the configuration, every read completes what
		// Akool reports by now (an unfinished job's result tells more once
		// finished) and lists what is still unread.
		unread := r.fillFromImport(ctx, &state, img)
		resp.Diagnostics.Append(setImportMarker(ctx, resp.Private, &importMarker{Unread: unread})...)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(expiredWarning(generatedImageExpiry, &state.jobResultModel)...)
}

func (r *generatedImageResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state generatedImageModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	// A plan without refresh carries no identity for state written before
	// identities existed.
	resp.Diagnostics.Append(setJobIdentity(ctx, req.State, req.Identity, resp.Identity)...)
	if resp.Diagnostics.HasError() {
		return
	}

	// Nothing Akool knows changes in place: keep its values, take the inputs
	// from the plan (webhook_url, timeouts, and values adopted after import).
	plan.imageResultModel = state.imageResultModel
	if plan.ModelName.IsUnknown() {
		plan.ModelName = state.ModelName
	}
	if isImported(ctx, req.Private) {
		// The adoption window ends with the first apply that updates the
		// resource after the import: the configuration's values are now in
		// state.
		resp.Diagnostics.Append(setImportMarker(ctx, resp.Private, nil)...)
	}

	if !state.pending() {
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		return
	}

	resumeWait(ctx, r.data, &plan, plan.Timeouts, &resp.State, &resp.Diagnostics)
}

func (r *generatedImageResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	deleteJob(ctx, req, resp)
}

func (r *generatedImageResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	// Read fills what Akool reports and lists in the marker what it could not.
	importJobByIdentity(ctx, req, resp, nil)
}

// ValidateConfig checks the rules that involve several inputs, before
// anything is sent or paid for. Checks whose inputs are unknown are skipped.
func (r *generatedImageResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var config generatedImageModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() || config.APIVersion.IsUnknown() {
		return
	}
	version := config.APIVersion.ValueString()
	if config.APIVersion.IsNull() {
		version = apiV3
	}
	sourceKnownUnset := config.SourceImage.IsNull()

	if version == apiV3 {
		set := map[string]bool{
			"model_name":      isSet(config.ModelName),
			"resolution":      isSet(config.Resolution),
			"negative_prompt": isSet(config.NegativePrompt),
			"similarity":      !config.Similarity.IsNull() && !config.Similarity.IsUnknown(),
		}
		for _, name := range v4OnlyAttributes {
			if set[name] {
				resp.Diagnostics.AddAttributeError(path.Root(name), "Argument Requires api_version v4",
					fmt.Sprintf("%s is only taken by Akool's v4 create call (createBySourcePrompt), but api_version is %q. "+
						"Set api_version = %q, or remove %s.", name, apiV3, apiV4, name))
			}
		}
	}

	if config.Scale.ValueString() == scaleOriginal && !config.Scale.IsUnknown() {
		switch {
		case version != apiV4:
			resp.Diagnostics.AddAttributeError(path.Root("scale"), "Invalid Scale for api_version",
				fmt.Sprintf("scale = %q is only accepted by the v4 create call, for image-to-image. "+
					"Use one of %s, or set api_version = %q with a source_image.",
					scaleOriginal, strings.Join(v3Scales, ", "), apiV4))
		case sourceKnownUnset:
			resp.Diagnostics.AddAttributeError(path.Root("scale"), "Scale Original Needs a Source Image",
				fmt.Sprintf("scale = %q keeps the aspect ratio of the source picture, so it needs source_image. "+
					"Set source_image, or use one of %s.", scaleOriginal, strings.Join(v3Scales, ", ")))
		}
	}

	if version == apiV4 && sourceKnownUnset && !config.Similarity.IsNull() && !config.Similarity.IsUnknown() {
		resp.Diagnostics.AddAttributeError(path.Root("similarity"), "Similarity Needs a Source Image",
			"similarity says how close the result stays to the source picture, so it is only accepted for "+
				"image-to-image. Set source_image, or remove similarity.")
	}

	if version == apiV4 && sourceKnownUnset && config.ModelName.ValueString() == modelImageToImage && !config.ModelName.IsUnknown() {
		resp.Diagnostics.AddAttributeError(path.Root("model_name"), "Model Needs a Source Image",
			fmt.Sprintf("model_name = %q is Akool's image-to-image model: it changes a source picture, and Akool "+
				"refuses it without one (code 1003). Set source_image, or use a text-to-image model such as %q, "+
				"or remove model_name to let Akool choose.", modelImageToImage, "wavespeed-ai/flux-krea-dev-lora"))
	}
}

// ModifyPlan plans the recovery of a job that did not finish during create:
// an in-place update that waits for the same job, or, for a failed job, a
// replacement (a failed job has no picture).
func (r *generatedImageResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	planJobRecovery(ctx, req, resp, (&generatedImageModel{}).waitWords())
	r.data.planCredentials(ctx, req, "akool_generated_image", &resp.Diagnostics)
	r.data.notePlannedWait(ctx, req)
	r.data.spending().planJob(ctx, req, &resp.Diagnostics)
}

// submitGeneration sends the create call for the model's api_version.
func submitGeneration(ctx context.Context, client *akool.Client, m generatedImageModel) (*akool.Image, error) {
	if m.APIVersion.ValueString() != apiV4 {
		return client.CreateV3(ctx, akool.CreateV3Request{
			Prompt:      m.Prompt.ValueString(),
			Scale:       m.Scale.ValueString(),
			SourceImage: m.SourceImage.ValueString(),
			WebhookURL:  m.WebhookURL.ValueString(),
		})
	}
	req := akool.CreateV4Request{
		Prompt:         m.Prompt.ValueString(),
		ModelName:      m.ModelName.ValueString(), // "" (unknown: not configured) lets Akool choose
		Scale:          m.Scale.ValueString(),
		Resolution:     m.Resolution.ValueString(),
		NegativePrompt: m.NegativePrompt.ValueString(),
		WebhookURL:     m.WebhookURL.ValueString(),
	}
	if src := m.SourceImage.ValueString(); src != "" {
		req.SourceImages = []string{src}
	}
	if !m.Similarity.IsNull() && !m.Similarity.IsUnknown() {
		similar := m.Similarity.ValueFloat64()
		req.Similar = &similar
	}
	return client.CreateV4(ctx, req)
}

func (m *generatedImageModel) waitWords() jobWords {
	return jobWords{
		operation: "Image Generation",
		failedAdvice: "Akool gives no reason; prompts its content rules refuse, or a source_image it cannot download, " +
			"are common causes. Change the prompt or source_image and apply again, or apply again as it is " +
			"to retry: the failed image is replaced by a new generation, which spends credits.",
		unfinishedEffect: "Until it has finished, image_url is not set: an akool_image_file that downloads it, " +
			"and an akool_image_upscale or akool_image_variation that presses its buttons, stop with an error of " +
			"their own, sending nothing and spending nothing, and are created by the apply that sees the image finished.",
		redo: "generates a new image, which spends credits and counts against max_new_images",
	}
}

// addGenerateError reports a failed create call; interrupted says that
// Terraform interrupted the operation meanwhile.
func addGenerateError(diags *diag.Diagnostics, err error, interrupted bool) {
	var uncertain *akool.UncertainError
	var apiErr *akool.APIError
	switch {
	case errors.As(err, &uncertain):
		charged := " Akool may have started the generation and charged for it, and the provider"
		if uncertain.Accepted() {
			charged = " Akool started the generation and charged for it, but the provider"
		}
		diags.AddError("Image Generation Outcome Unknown", noAnswerText("generate the image", uncertain, interrupted)+
			charged+" has no id to follow: "+
			"Akool has no call that lists jobs. If the Akool dashboard or your webhook (webhook_url) shows the "+
			"new job, adopt it with terraform import <address> <id>; otherwise apply again to generate a new image.")
	case errors.As(err, &apiErr):
		diags.AddError("Unable to Generate Image", "Akool did not accept the request to generate the image. "+apiErrorText(err, apiErr))
	default:
		diags.AddError("Unable to Generate Image",
			fmt.Sprintf("The request to generate the image failed before Akool accepted it: %v. Nothing was "+
				"generated; check the network and the provider's endpoint, then apply again.", err))
	}
}

func isSet(v types.String) bool { return !v.IsNull() && !v.IsUnknown() }

// notBlank rejects an empty or whitespace-only string.
func notBlank() validator.String {
	return stringvalidator.RegexMatches(nonBlankPattern, "must not be empty or only whitespace")
}

// generatedImageModel is the state of akool_generated_image.
type generatedImageModel struct {
	imageResultModel

	Prompt         types.String   `tfsdk:"prompt"`
	APIVersion     types.String   `tfsdk:"api_version"`
	Scale          types.String   `tfsdk:"scale"`
	SourceImage    types.String   `tfsdk:"source_image"`
	WebhookURL     types.String   `tfsdk:"webhook_url"`
	ModelName      types.String   `tfsdk:"model_name"`
	Resolution     types.String   `tfsdk:"resolution"`
	NegativePrompt types.String   `tfsdk:"negative_prompt"`
	Similarity     types.Float64  `tfsdk:"similarity"`
	Triggers       types.Map      `tfsdk:"triggers"`
	Timeouts       timeouts.Value `tfsdk:"timeouts"`
}

// applyImage records what Akool reports about the job. The model chosen by
// Akool fills model_name when the configuration left it to Akool.
func (m *generatedImageModel) applyImage(img *akool.Image, now time.Time) {
	m.fromImage(img, now)
	if m.ModelName.IsUnknown() {
		m.ModelName = stringOrNull(img.ModelName)
	}
}

const createTimeoutDescription = "How long to wait for Akool to finish the job once Akool has accepted it, as a " +
	"duration such as `30m` or `1h`. Defaults to `20m`: Akool usually finishes a job in well under a minute, but " +
	"under load a job can wait in Akool's queue for many minutes; 20 minutes is long enough for a pipeline and " +
	"short enough to surface a stuck job. It bounds the wait only, not the request that starts the job: cutting " +
	"that request short could lose a job Akool accepted and charged for, so the provider's own per-request limit " +
	"bounds it instead. The job's id is saved in state before the wait starts. The same limit applies when an " +
	"apply resumes waiting for an unfinished job. Changing it generates no new image."

var generatedImageDescription = "An image generated by Akool from a prompt, optionally starting from a source " +
	"picture (image-to-image).\n\n" +
	"`terraform apply` sends the prompt to Akool and waits until the job is finished (`status = \"completed\"`), " +
	"reading Akool's `infobymodelid`; later plans show no changes while the configuration stays the same. " +
	"**Every generation spends Akool credits**: every input that shapes the picture forces a new image when it " +
	"changes, while `webhook_url` and `timeouts` change in place.\n\n" +
	"`api_version = \"v3\"` (the default) makes a 2x2 grid whose single images are listed in `upscaled_urls` and " +
	"can be upscaled or varied with the `buttons`; `api_version = \"v4\"` makes one image and accepts " +
	"`model_name`, `resolution`, `negative_prompt` and `similarity`.\n\n" +
	"## If an apply ends before the job finishes\n\n" +
	"Akool accepts (and charges for) the job before the wait starts, and the provider saves its id in state " +
	"first. When the wait ends before the job has finished (the create timeout passes, the apply is " +
	"interrupted, or Akool cannot be read), the resource stays in state with its unfinished `status` " +
	"(`queueing` or `processing`), **not tainted**, and a warning names the job. The next plain " +
	"`terraform apply` continues waiting for the same job in place: no new image, no credits. Until the job " +
	"has finished, `image_url` is not set: an `akool_image_file` that downloads it, or an " +
	"`akool_image_upscale`/`akool_image_variation` that presses its buttons, stops with an error of its own " +
	"(nothing is downloaded, pressed or paid for), and is created by the apply that sees the image finished.\n\n" +
	"An apply that only warns exits with `0`. A pipeline notices an unfinished image in either of two ways:\n\n" +
	"- A `postcondition` on `status` fails the apply at this resource, which stays in state untainted, and " +
	"stops what depends on it; the next apply continues the wait:\n\n" +
	"  ```terraform\n" +
	"  resource \"akool_generated_image\" \"hero\" {\n" +
	"    prompt = \"a lighthouse on a cliff at sunrise\"\n\n" +
	"    lifecycle {\n" +
	"      postcondition {\n" +
	"        condition     = self.status == \"completed\"\n" +
	"        error_message = \"Akool has not finished the image yet: run terraform apply again to keep waiting for the same job.\"\n" +
	"      }\n" +
	"    }\n" +
	"  }\n" +
	"  ```\n\n" +
	"- `terraform plan -detailed-exitcode` after the apply exits with `2` while a job is unfinished (the plan " +
	"shows the in-place update that waits for it) and with `0` once every image has finished and nothing else " +
	"changes.\n\n" +
	"To wait longer in one apply, raise `timeouts.create`.\n\n" +
	"Akool's reads lag behind its writes: right after it accepts a job, it may answer that the job does not " +
	"exist (code 1008). The provider keeps reading a job it has just created, with backoff, for as long as " +
	"`timeouts.create` runs; when the timeout passes first, the apply ends as above, and the warning says that " +
	"Akool does not show the job yet (never that it expired). A refresh that gets 1008 for a job that has " +
	"not delivered a picture less than " + inWords(akool.JobLostAfter) + " after its creation warns and changes nothing: the next apply keeps waiting.\n\n" +
	"Akool may also report a job as completed before it names the picture's URL (`image` or `external_img`): " +
	"the wait reads it again for up to " + inWords(akool.DefaultSinglesGrace) + "; if the URL has not come by then, or by the end of " +
	"`timeouts.create`, the apply warns and keeps the job with `status = \"completed\"` and `image_url` not set, " +
	"not tainted, and the next apply reads it again in place, for free.\n\n" +
	inFlightSection("the request to generate", "Image Generation Outcome Unknown", "Akool may then have "+
		"started and charged for the job, and it has no call that lists jobs: if the Akool dashboard or your "+
		"webhook shows the new job, adopt it with `terraform import`; otherwise apply again to generate a new image.") +
	"## Failed and lost jobs\n\n" +
	"A job that Akool reports as failed during the apply fails the apply; its id and `status = \"failed\"` stay " +
	"in state, and the next apply replaces it with a new generation. A job that fails between applies (an " +
	"unfinished job that a later refresh finds failed) is replaced the same way. A job that never delivered a " +
	"picture (unfinished, or completed without a URL) and that Akool no longer knows is lost: Akool still " +
	"answers code 1008 for it " + inWords(akool.JobLostAfter) + " after its creation, or its 7 days have passed. Either way the plan warns, naming the job (and for a failed one Akool's status), that applying " +
	"generates a new image: it spends credits and counts against `max_new_images`.\n\n" +
	"## Expiry and deletion\n\n" +
	"Akool keeps images for 7 days after generation; `expires_at` says until when. Once Akool answers that it no " +
	"longer knows a finished image (code 1008; for a job that never finished, see above), or once `expires_at` has passed, refresh keeps the resource and its last " +
	"known values, sets `expired = true`, and warns that the image has expired and its URLs no longer serve. " +
	youngNotFoundDoc +
	"Nothing is planned for an expired image: Terraform never generates a new (paid, and different) picture on " +
	"its own. Save the pictures you need before they expire, for example with `akool_image_file`. Akool has no " +
	"delete call: destroying the resource only removes it from Terraform state, and the image stays in the Akool " +
	"account until it expires.\n\n" +
	"## Regenerating deliberately\n\n" +
	"Bump a trigger to regenerate: changing any value in `triggers` replaces the resource with a new image, " +
	"which spends credits, like `keepers` in the `random` provider. Use it to refresh an expired image, or to " +
	"try the same prompt again. Only a value that is already set counts: adding `triggers` to an existing " +
	"image (or adding or removing a key) records the change in place and generates nothing, so start with " +
	"`revision = \"1\"` and bump it when you want a new picture:\n\n" +
	"```terraform\n" +
	"resource \"akool_generated_image\" \"poster\" {\n" +
	"  prompt = \"a lighthouse on a rocky coast at dusk, oil painting\"\n\n" +
	"  triggers = {\n" +
	"    revision = \"2\" # was \"1\": the next apply generates a new poster\n" +
	"  }\n" +
	"}\n" +
	"```\n\n" +
	"Resources that refer to the image (`akool_image_upscale`, `akool_image_variation`, `akool_image_file`) are " +
	"replaced with it, because its `id` and URLs change. `terraform apply -replace=<address>` does the same once, " +
	"without changing the configuration.\n\n" +
	"## Import\n\n" +
	"Import an existing job by its id. Akool echoes `prompt` and `source_image`; `api_version` and `scale` " +
	"are inferred from a finished result (a grid is `v3`, a single picture `v4`; the scale from the picture's " +
	"aspect ratio). Nothing is guessed: what Akool does not report, or what cannot be told yet (an unfinished " +
	"job), stays unset in state. The first plan after the import takes those inputs from the configuration in " +
	"place, without generating a new image: `resolution`, `negative_prompt`, `similarity` and `model_name`, " +
	"which Akool does not report, `api_version` and `scale` when they could not be inferred, and `scale = " +
	"\"Original\"`, which a picture's ratio cannot show. That adoption lasts until an apply has recorded " +
	"those values, that is until the first apply that updates the resource in place after the import; saved " +
	"refreshes (`terraform apply -refresh-only`, `terraform refresh`, or an apply that failed before reaching " +
	"this resource) do not end it. From then on, changing any of these generates a new image as usual. While " +
	"no apply has had anything to adopt, the adoption stays open: setting one of these inputs later is also " +
	"taken in place, without a new image; run `terraform apply -replace=<address>` for a new picture. A job " +
	"made by a button (an upscale or a variation) is imported as `akool_image_upscale` or " +
	"`akool_image_variation` instead."
