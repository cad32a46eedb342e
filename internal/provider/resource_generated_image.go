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
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/float64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/akool-community/terraform-provider-akool/internal/akool"
)

var (
	_ resource.ResourceWithConfigure      = (*generatedImageResource)(nil)
	_ resource.ResourceWithImportState    = (*generatedImageResource)(nil)
	_ resource.ResourceWithValidateConfig = (*generatedImageResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*generatedImageResource)(nil)
)

// generatedImageResource is akool_generated_image: one image generated from a
// prompt with Akool's v3 or v4 create call.
type generatedImageResource struct {
	data *providerData
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
	replace := replaceIfNewPictureString{}
	resp.Schema = schema.Schema{
		MarkdownDescription: generatedImageDescription,
		Attributes: map[string]schema.Attribute{
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
				PlanModifiers: []planmodifier.String{replaceIfNewPictureString{
					// An imported image's scale is inferred from the picture's
					// ratio, which cannot tell "Original" from a fixed ratio.
					adoptable: func(_, plan types.String) bool { return plan.ValueString() == scaleOriginal },
				}},
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
					"it generates no new image.",
				Optional:   true,
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
				PlanModifiers: []planmodifier.String{replaceIfNewPictureString{akoolDefault: resolutionDefault}},
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
				PlanModifiers: []planmodifier.Float64{replaceIfNewPictureFloat64{akoolDefault: types.Float64Value(similarityDefault)}},
			},
			"triggers": triggersAttribute("this generates a new image and spends credits. The new picture " +
				"differs from the old one even with the same prompt (see \"Regenerating deliberately\")."),

			"id": schema.StringAttribute{
				MarkdownDescription: descID,
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"status": schema.StringAttribute{
				MarkdownDescription: descStatus,
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"image_url": schema.StringAttribute{
				MarkdownDescription: descImageURL,
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"upscaled_urls": schema.ListAttribute{
				MarkdownDescription: descUpscaledURLs + descSinglesWait,
				ElementType:         types.StringType,
				Computed:            true,
				PlanModifiers:       []planmodifier.List{listplanmodifier.UseStateForUnknown()},
			},
			"buttons": schema.ListAttribute{
				MarkdownDescription: descButtons,
				ElementType:         types.StringType,
				Computed:            true,
				PlanModifiers:       []planmodifier.List{listplanmodifier.UseStateForUnknown()},
			},
			"used_buttons": schema.ListAttribute{
				MarkdownDescription: descUsedButtons,
				ElementType:         types.StringType,
				Computed:            true,
				PlanModifiers:       []planmodifier.List{listplanmodifier.UseStateForUnknown()},
			},
			"deduction_credit": schema.Float64Attribute{
				MarkdownDescription: descDeductionCredit,
				Computed:            true,
				PlanModifiers:       []planmodifier.Float64{float64planmodifier.UseStateForUnknown()},
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: descCreatedAt,
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"expires_at": expiresAtAttribute(),
			"expired":    expiredAttribute(),
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{
				Create:            true,
				CreateDescription: createTimeoutDescription,
			}),
		},
	}
}

func (r *generatedImageResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if data := providerDataFrom(req.ProviderData, &resp.Diagnostics); data != nil {
		r.data = data
	}
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
	img, err := submitGeneration(akool.RetryRefusalsUntil(ctx, time.Now().Add(timeout)), client, plan)
	if err != nil {
		addGenerateError(&resp.Diagnostics, r.data.credentialsNote(err))
		return
	}

	tflog.Info(ctx, "Akool accepted the image job", map[string]any{"id": img.ID, "status": img.Status.String()})
	saveAndWait(ctx, r.data, client, &plan, img, timeout, &resp.State, &resp.Diagnostics)
}

func (r *generatedImageResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state generatedImageModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
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
	state.fromImage(img)
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

	if !jobUnfinished(state.Status) {
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		return
	}

	resumeWait(ctx, r.data, &plan, plan.Timeouts, &resp.State, &resp.Diagnostics)
}

func (r *generatedImageResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	// Akool has no call to delete an image: it stays in the account until it
	// expires. The framework removes the resource from state.
	var id types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("id"), &id)...)
	if resp.Diagnostics.HasError() {
		return
	}
	tflog.Debug(ctx, "Removing the image from state; it stays in the Akool account until it expires", map[string]any{"id": id.ValueString()})
}

func (r *generatedImageResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := importID(req.ID, &resp.Diagnostics)
	if id == "" {
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	// Read fills what Akool reports and lists in the marker what it could not.
	resp.Diagnostics.Append(setImportMarker(ctx, resp.Private, &importMarker{})...)
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
	planJobRecovery(ctx, req, resp)
	r.data.planCredentials(ctx, req, "akool_generated_image", &resp.Diagnostics)
	r.data.notePlannedWait(ctx, req)
	r.data.spending().planJob(ctx, req, &resp.Diagnostics)
}

// planJobRecovery is the ModifyPlan of every resource that follows one Akool
// job: an unfinished job plans an in-place update that waits for it, a failed
// job plans a replacement.
func planJobRecovery(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	var status types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("status"), &status)...)
	if resp.Diagnostics.HasError() {
		return
	}
	switch {
	case jobUnfinished(status):
		resp.Diagnostics.Append(markResultsUnknown(ctx, &resp.Plan)...)
	case status.ValueString() == akool.StatusFailed.String():
		resp.Diagnostics.Append(markResultsUnknown(ctx, &resp.Plan)...)
		resp.RequiresReplace = append(resp.RequiresReplace, path.Root("status"))
	}
}

// resumeWait finishes waiting for a job that did not finish during an
// earlier apply (timeout, interruption), paying nothing more.
// createTimeouts is the resource's timeouts block.
func resumeWait(ctx context.Context, data *providerData, m jobModel, createTimeouts timeouts.Value, state *tfsdk.State, diags *diag.Diagnostics) {
	// Whatever happens next, state keeps the job's last known values.
	diags.Append(state.Set(ctx, m)...)
	client := data.requireClient(diags, "wait for the image")
	if diags.HasError() {
		return
	}
	timeout, timeoutDiags := createTimeouts.Create(ctx, defaultCreateTimeout)
	diags.Append(timeoutDiags...)
	if diags.HasError() {
		return
	}

	waitCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	id := m.job().ID.ValueString()
	tflog.Info(ctx, "Resuming the wait for an unfinished Akool job", map[string]any{"id": id})
	final, err := waitForJob(waitCtx, client, m, id)
	finishWait(ctx, ctx.Err(), m, final, data.credentialsNote(err), timeout, true, state, diags)
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

// jobModel is the state of a resource that follows one Akool job.
type jobModel interface {
	// applyImage records what Akool reports about the job.
	applyImage(img *akool.Image)
	// job gives the fields every job has (id, status, ...).
	job() *jobResultModel
	// waitWords gives the resource's own parts of the wait's diagnostics.
	waitWords() jobWords
}

// jobWords are the parts of the diagnostics of a wait that depend on the
// resource: what its job is called and how to get a new result.
type jobWords struct {
	operation        string // names the job in summaries: "<operation> Failed", "<operation> Not Finished"
	failedAdvice     string // full sentences after "Akool reported job X as failed ..."
	unfinishedEffect string // full sentences: what is missing until the job has finished
	goneAdvice       string // full sentences: how to get a new result when Akool no longer knows the job
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
		goneAdvice: "Run terraform apply -replace=<address> (the address Terraform shows with this error) to " +
			"generate a new image; that spends credits.",
	}
}

// saveAndWait is the end of every Create: it saves the job Akool has just
// accepted in state before anything else can fail, so that the id of a paid
// job is never lost, then waits for it within the create timeout and records
// the outcome. A wait that ends before the job does is a warning, so that
// the resource is kept untainted and the next apply resumes the wait.
func saveAndWait(ctx context.Context, data *providerData, client *akool.Client, m jobModel, img *akool.Image,
	timeout time.Duration, state *tfsdk.State, diags *diag.Diagnostics) {
	m.applyImage(img)
	diags.Append(state.Set(ctx, m)...)
	if diags.HasError() {
		return
	}
	waitCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	final, err := waitForJob(waitCtx, client, m, img.ID)
	finishWait(ctx, ctx.Err(), m, final, data.credentialsNote(err), timeout, false, state, diags)
}

// finishWait saves what the wait learnt and reports how it ended. parentErr
// is the error of the operation's own context (set when Terraform cancels
// it); resumed says whether this wait is an update resuming an earlier job.
func finishWait(ctx context.Context, parentErr error, m jobModel, final *akool.Image, waitErr error,
	timeout time.Duration, resumed bool, state *tfsdk.State, diags *diag.Diagnostics) {
	if final != nil && final.Status.Known() {
		m.applyImage(final)
	}
	diags.Append(state.Set(ctx, m)...)
	job, words := m.job(), m.waitWords()
	if waitErr == nil {
		tflog.Info(ctx, "Akool finished the job", map[string]any{"id": job.ID.ValueString()})
		return
	}
	var missing *akool.SinglesMissingError
	if errors.As(waitErr, &missing) {
		diags.Append(singlesMissingWarning(job.ID.ValueString(), missing))
		return
	}

	id := job.ID.ValueString()
	var failed *akool.JobFailedError
	if errors.As(waitErr, &failed) {
		diags.AddError(words.operation+" Failed",
			fmt.Sprintf("Akool reported job %s as failed (image_status 4): it did not produce a picture. %s", id, words.failedAdvice))
		return
	}

	if akool.IsNotFound(waitErr) {
		diags.AddError("Image No Longer Known to Akool",
			fmt.Sprintf("Akool answered code 1008 while waiting for job %s: it no longer knows the job (Akool keeps "+
				"images for 7 days, or it was removed), so waiting cannot finish. %s", id, words.goneAdvice))
		return
	}

	var what string
	switch {
	case parentErr != nil:
		what = "Terraform interrupted the wait"
	case errors.Is(waitErr, context.DeadlineExceeded):
		what = fmt.Sprintf("the job did not finish within the create timeout (%s)", timeout)
	default:
		what = "reading the job's status failed: " + readErrorText(waitErr)
	}
	// A warning, not an error: an error from Create taints the resource, and
	// the next apply would replace it, paying for a new job (or, for a button,
	// pressing a used one) instead of waiting for the one already paid for.
	accepted := "Akool job " + id
	if !resumed {
		accepted = fmt.Sprintf("Akool accepted job %s (credits spent), and it", id)
	}
	diags.AddWarning(words.operation+" Not Finished",
		fmt.Sprintf("%s is still running (last status: %s), but %s. Its id stays in state and the resource is "+
			"not tainted: the next terraform apply continues waiting for the same job for free, without "+
			"generating a new image or spending credits. %s To wait longer in one apply, raise timeouts.create; "+
			"to make an apply fail while the job is unfinished, add a postcondition on status.",
			accepted, job.Status.ValueString(), strings.TrimSuffix(what, "."), words.unfinishedEffect))
}

// addGenerateError reports a failed create call.
func addGenerateError(diags *diag.Diagnostics, err error) {
	var uncertain *akool.UncertainError
	var apiErr *akool.APIError
	switch {
	case errors.As(err, &uncertain):
		diags.AddError("Image Generation Outcome Unknown",
			fmt.Sprintf("The request to generate the image was sent, but no answer came back (%v). Akool may have "+
				"started the generation and charged for it. The provider did not send the request again, to avoid "+
				"paying twice, and has no id to follow. If the Akool dashboard or your webhook shows the new job, "+
				"adopt it with terraform import <address> <id>; otherwise apply again to generate a new image.",
				uncertain.Err))
	case errors.As(err, &apiErr):
		diags.AddError("Unable to Generate Image", "Akool did not accept the request to generate the image. "+apiErrorText(err, apiErr))
	default:
		diags.AddError("Unable to Generate Image",
			fmt.Sprintf("The request to generate the image failed before Akool accepted it: %v. Nothing was "+
				"generated; check the network and the provider's endpoint, then apply again.", err))
	}
}

// refreshJob is the part of Read that every image resource shares: it asks
// Akool for the job in m and returns the answer to record, or nil when Read
// has nothing more to do. An image already known to be expired (in state, or
// by its date) is not read again. Without a configured client, the date
// alone says whether the image expired. When Akool no longer knows the job (1008), the
// resource stays in state with its last known values, marked expired:
// removing it would plan a new generation or press, which costs credits and
// gives a different picture, or is refused for a used button.
func refreshJob(ctx context.Context, data *providerData, m jobModel, words expiryWords, importing bool,
	state *tfsdk.State, diags *diag.Diagnostics) *akool.Image {
	job := m.job()
	id := job.ID.ValueString()
	if !importing && (job.Expired.ValueBool() || job.refreshExpiryByDate(time.Now())) {
		// Nothing Akool could answer changes an expired image's state, so a
		// plan over many old images spends no read on them.
		diags.Append(state.Set(ctx, m)...)
		diags.Append(expiredWarning(words, job)...)
		return nil
	}
	client := refreshClient(data, id, importing, diags)
	if client == nil {
		if !importing && job.refreshExpiryByDate(time.Now()) {
			diags.Append(state.Set(ctx, m)...)
			diags.Append(expiredWarning(words, job)...)
		}
		return nil
	}

	img, err := client.GetImage(ctx, id)
	err = checkReported(img, err)
	if akool.IsNotFound(err) && !importing {
		job.markExpired()
		diags.Append(goneWarning(words, job))
		diags.Append(state.Set(ctx, m)...)
		return nil
	}
	if err != nil {
		diags.Append(readFailure(id, data.credentialsNote(err), importing))
		return nil
	}
	return img
}

// refreshClient returns the client for a Read, or nil when the provider is
// not configured: with an error when importing (there is nothing to keep),
// else with a warning, keeping what state knows rather than failing the plan
// (typical when credentials are not known yet while planning).
func refreshClient(data *providerData, id string, importing bool, diags *diag.Diagnostics) *akool.Client {
	if data != nil && data.client != nil {
		return data.client
	}
	if importing {
		data.requireClient(diags, "read the imported image")
		return nil
	}
	if data != nil && data.missingCredentials != nil {
		diags.AddWarning("Image Not Refreshed",
			fmt.Sprintf("The provider could not refresh image %s from Akool because it has no credentials, so "+
				"the plan uses the values in state. Destroying needs no credentials; anything else that needs "+
				"Akool fails until they are set. %s", id, authChoices))
		return nil
	}
	diags.AddWarning("Image Not Refreshed",
		fmt.Sprintf("The provider could not refresh image %s from Akool because it is not configured yet, "+
			"so the plan uses the values in state. Akool will be read again on the next plan or apply once "+
			"the provider's credentials are known.", id))
	return nil
}

// importID returns the Akool id given to terraform import, or "" after adding
// an error when it is not one.
func importID(raw string, diags *diag.Diagnostics) string {
	id := strings.TrimSpace(raw)
	if !imageIDPattern.MatchString(id) {
		diags.AddError("Invalid Import ID",
			fmt.Sprintf("%q is not an Akool image id: an id is 24 hexadecimal digits, such as "+
				"662a10df4197b3af58532e89 (the _id Akool returns when it accepts a job, also sent to the webhook). "+
				"Run: terraform import <address> <id>.", raw))
		return ""
	}
	return id
}

// readFailure is the error for a failed import read, or a failed refresh
// other than code 1008 (a refresh keeps an image Akool no longer knows, see
// markExpired).
func readFailure(id string, err error, importing bool) diag.Diagnostic {
	if akool.IsNotFound(err) && importing {
		return diag.NewErrorDiagnostic("Cannot Import Image",
			fmt.Sprintf("Akool answered code 1008 for id %s: it does not know this image. It never existed, "+
				"belongs to another Akool account, or expired (Akool keeps images for 7 days). Check the id.", id))
	}
	return diag.NewErrorDiagnostic("Unable to Read Image", readErrorDetail(id, err))
}

// readErrorDetail says why reading an image failed and what to do.
func readErrorDetail(id string, err error) string {
	return fmt.Sprintf("Reading image %s from Akool failed: %s The state is unchanged; %s.", id, readErrorText(err), readAdvice(err))
}

// readAdvice is what to do after a failed read: a refusal of the credentials
// does not go away by waiting.
func readAdvice(err error) string {
	for _, code := range []int{akool.CodeInvalidToken, akool.CodeNoAuth, akool.CodeBanned} {
		if akool.IsCode(err, code) {
			return "check the credentials named above, then run Terraform again"
		}
	}
	return "try again later"
}

func readErrorText(err error) string {
	var failed *akool.ReadsFailedError
	if errors.As(err, &failed) {
		return fmt.Sprintf("%d reads in a row failed over %s. %s.", len(failed.Errors), failed.Over.Round(time.Second), failed.Answers())
	}
	var apiErr *akool.APIError
	if errors.As(err, &apiErr) {
		return apiErrorText(err, apiErr)
	}
	return err.Error() + "."
}

// checkReported returns err, or, when err is nil, an error if Akool's answer
// img cannot be recorded: an image_status Akool does not document, or a
// completed job without a picture. State keeps its values then.
func checkReported(img *akool.Image, err error) error {
	switch {
	case err != nil:
		return err
	case !img.Status.Known():
		return fmt.Errorf("image %s has image_status %d in Akool's answer, which is none of the documented states "+
			"(1 queueing, 2 processing, 3 completed, 4 failed)", img.ID, int(img.Status))
	case img.Status == akool.StatusCompleted && img.ImageURL == "":
		return fmt.Errorf("image %s is completed in Akool's answer, but without a picture URL", img.ID)
	}
	return nil
}

// apiErrorText states Akool's answer e, found in err, and its meaning, in
// full sentences.
func apiErrorText(err error, e *akool.APIError) string {
	if e.WrongRoute() {
		return wrongRouteText(e)
	}
	if e.Code == 0 {
		return fmt.Sprintf("Akool's answer (%s, HTTP %d) could not be used: %s. %s", e.Endpoint, e.HTTPStatus, e.Message, e.Meaning())
	}
	return fmt.Sprintf("Akool answered code %d, %q (%s). %s", e.Code, e.Message, e.Endpoint, answerMeaning(err, e))
}

// wrongRouteText explains an HTTP 404: Akool answers unknown ids with code
// 1008 at HTTP 200, so a 404 means the URL has no such API route.
func wrongRouteText(e *akool.APIError) string {
	url := e.URL
	if url == "" {
		url = e.Endpoint
	}
	return fmt.Sprintf("%s answered HTTP 404 Not Found (%s): there is no such Akool API route there, so the "+
		"provider's endpoint looks wrong; no image id was looked up. Set endpoint (or the %s environment "+
		"variable) to the base URL of Akool's OpenAPI, %s, with no path after it.",
		url, e.Message, envEndpoint, akool.DefaultBaseURL)
}

// logProgress logs each change of a job's status while waiting.
func logProgress(ctx context.Context) func(*akool.Image) {
	var last akool.Status
	return func(img *akool.Image) {
		if img == nil || img.Status == last {
			return
		}
		last = img.Status
		tflog.Info(ctx, "Akool job status", map[string]any{"id": img.ID, "status": img.Status.String()})
	}
}

// fillFromImport completes an imported resource from what Akool reports:
// prompt, source_image and model_name as Akool echoes them, and api_version
// and scale inferred from a finished result. Values already in state are
// never overwritten, and nothing is guessed: what cannot be told stays null.
// It returns the inputs left unread, which the plans of the adoption window
// take from the configuration in place (see importMarker).
func (r *generatedImageResource) fillFromImport(ctx context.Context, m *generatedImageModel, img *akool.Image) []string {
	if m.Prompt.IsNull() {
		m.Prompt = stringOrNull(echoedPrompt(img))
	}
	if m.SourceImage.IsNull() {
		m.SourceImage = stringOrNull(img.SourceImage)
	}
	if m.ModelName.IsNull() {
		m.ModelName = stringOrNull(img.ModelName)
	}
	if m.APIVersion.IsNull() {
		m.APIVersion = inferAPIVersion(img)
	}
	if m.Scale.IsNull() {
		m.Scale = r.inferScale(ctx, img)
	}

	// Akool never reports these.
	unread := []string{"resolution", "negative_prompt", "similarity"}
	// Akool's demo reads prompt, origin_prompt and source_image together:
	// when the prompt comes back, an absent source_image means text-to-image;
	// when it does not, nothing is known of either.
	echoes := echoedPrompt(img) != ""
	for _, a := range []struct {
		name   string
		value  types.String
		absent bool // whether a null value still says nothing
	}{
		{"prompt", m.Prompt, true},
		{"source_image", m.SourceImage, !echoes},
		{"model_name", m.ModelName, true},
		{"api_version", m.APIVersion, true},
		{"scale", m.Scale, true},
	} {
		if a.value.IsNull() && a.absent {
			unread = append(unread, a.name)
		}
	}
	return unread
}

// inferAPIVersion tells which create call made img, or null when the result
// does not say: a model name (which only v4 jobs have) means v4; a finished
// grid (buttons, single images) means v3, and a finished single picture v4,
// even with one upscaled URL, which live v4 results carry.
// An unfinished or failed job has no result to tell by.
func inferAPIVersion(img *akool.Image) types.String {
	switch {
	case img.ModelName != "":
		return types.StringValue(apiV4)
	case img.Status != akool.StatusCompleted:
		return types.StringNull()
	case len(img.Buttons) > 0 || len(img.UpscaledURLs) > 1:
		// A v4 result may list itself as its one upscaled URL.
		return types.StringValue(apiV3)
	default:
		return types.StringValue(apiV4)
	}
}

// refuseButtonResult adds an error and returns false when the imported job
// is the result of a button: such a job is not a generation from a prompt,
// and has its own resource types.
func refuseButtonResult(id string, img *akool.Image, diags *diag.Diagnostics) bool {
	if img.ParentID == "" && img.Button == "" {
		return true
	}
	target := "akool_image_upscale (buttons U1-U4) or akool_image_variation (buttons V1-V4)"
	if button := strings.ToUpper(strings.TrimSpace(img.Button)); buttonPattern.MatchString(button) {
		target = buttonKindFor(button[:1]).typeName()
	}
	diags.AddError("Cannot Import Image",
		fmt.Sprintf("Job %s is the result of button %s of image %s, not an image generated from a prompt, so it "+
			"cannot be imported as akool_generated_image. Import it as %s instead: terraform import <address> %s.",
			id, img.Button, img.ParentID, target, id))
	return false
}

// inferScale reads the picture's size and returns the matching scale, or
// null when the picture cannot be read or matches no scale.
func (r *generatedImageResource) inferScale(ctx context.Context, img *akool.Image) types.String {
	url := img.ImageURL
	if url == "" && len(img.UpscaledURLs) > 0 {
		url = img.UpscaledURLs[0]
	}
	if url == "" || r.data == nil || r.data.httpClient == nil {
		return types.StringNull()
	}
	width, height, err := fetchImageSize(ctx, r.data.httpClient, url)
	if err != nil {
		tflog.Debug(ctx, "Could not read the image's size to infer its scale", map[string]any{"error": err.Error()})
		return types.StringNull()
	}
	scale, ok := nearestScale(width, height)
	if !ok {
		tflog.Debug(ctx, "The image's size matches no scale", map[string]any{"width": width, "height": height})
		return types.StringNull()
	}
	return types.StringValue(scale)
}

// jobUnfinished reports whether a status in state is one a job leaves.
func jobUnfinished(status types.String) bool {
	s := status.ValueString()
	return s == akool.StatusQueueing.String() || s == akool.StatusProcessing.String()
}

// markResultsUnknown plans new values for everything a finishing job sets.
// The grid attributes are only marked in a schema that has them.
func markResultsUnknown(ctx context.Context, plan *tfsdk.Plan) diag.Diagnostics {
	var diags diag.Diagnostics
	for _, name := range []string{"status", "image_url"} {
		diags.Append(plan.SetAttribute(ctx, path.Root(name), types.StringUnknown())...)
	}
	attributes := plan.Schema.GetAttributes()
	for _, name := range []string{"upscaled_urls", "buttons", "used_buttons"} {
		if _, ok := attributes[name]; ok {
			diags.Append(plan.SetAttribute(ctx, path.Root(name), types.ListUnknown(types.StringType))...)
		}
	}
	diags.Append(plan.SetAttribute(ctx, path.Root("deduction_credit"), types.Float64Unknown())...)
	return diags
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
func (m *generatedImageModel) applyImage(img *akool.Image) {
	m.fromImage(img)
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

const generatedImageDescription = "An image generated by Akool from a prompt, optionally starting from a source " +
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
	"## Failed jobs\n\n" +
	"A job that Akool reports as failed fails the apply; its id and `status = \"failed\"` stay in state, and " +
	"the next apply replaces it with a new generation.\n\n" +
	"## Expiry and deletion\n\n" +
	"Akool keeps images for 7 days after generation; `expires_at` says until when. Once Akool answers that it no " +
	"longer knows the image (code 1008), or once `expires_at` has passed, refresh keeps the resource and its last " +
	"known values, sets `expired = true`, and warns that the image has expired and its URLs no longer serve. " +
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
