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
	replace := replaceUnlessImportedString{}
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
				PlanModifiers: []planmodifier.String{replaceUnlessImportedString{
					// "Original" cannot be told from the picture's size.
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
					"Changing this generates a new image and spends credits.",
				Optional:      true,
				Validators:    []validator.String{stringvalidator.OneOf("1080p", "4k")},
				PlanModifiers: []planmodifier.String{replace},
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
					"Changing this generates a new image and spends credits.",
				Optional:      true,
				Validators:    []validator.Float64{float64validator.Between(0, 1)},
				PlanModifiers: []planmodifier.Float64{replaceUnlessImportedFloat64{}},
			},

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
				MarkdownDescription: descUpscaledURLs,
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
	waitCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	img, err := submitGeneration(waitCtx, client, plan)
	if err != nil {
		addGenerateError(&resp.Diagnostics, err)
		return
	}

	// Save the job before waiting: if the wait is cut short, the id of the
	// generation that was paid for stays in state.
	plan.applyImage(img)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	tflog.Info(ctx, "Akool accepted the image job", map[string]any{"id": img.ID, "status": img.Status.String()})

	final, err := client.Wait(waitCtx, img.ID, logProgress(ctx))
	finishWait(ctx, ctx.Err(), &plan, final, err, timeout, false, &resp.State, &resp.Diagnostics)
}

func (r *generatedImageResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state generatedImageModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()
	importing := state.Status.IsNull() // only an import leaves the status unset
	client := refreshClient(r.data, id, importing, &resp.Diagnostics)
	if client == nil {
		return
	}

	img, err := client.GetImage(ctx, id)
	if err != nil {
		// On 1008 the resource stays in state: removing it would plan a new,
		// paid and different image.
		resp.Diagnostics.Append(readFailure(id, err, importing))
		return
	}

	state.fromImage(img)
	if isImported(ctx, req.Private) {
		r.fillFromImport(ctx, &state, img)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
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
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateKeyImported, nil)...)
	}

	if !jobUnfinished(state.Status) {
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		return
	}

	resumeWait(ctx, r.data, &plan, plan.Timeouts, &resp.State, &resp.Diagnostics)
}

func (r *generatedImageResource) Delete(ctx context.Context, req resource.DeleteRequest, _ *resource.DeleteResponse) {
	// Akool has no call to delete an image: it stays in the account until it
	// expires. The framework removes the resource from state.
	var id types.String
	req.State.GetAttribute(ctx, path.Root("id"), &id)
	tflog.Debug(ctx, "Removing the image from state; it stays in the Akool account until it expires", map[string]any{"id": id.ValueString()})
}

func (r *generatedImageResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := importID(req.ID, &resp.Diagnostics)
	if id == "" {
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateKeyImported, privateImportedValue)...)
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
}

// ModifyPlan plans the recovery of a job that did not finish during create:
// an in-place update that waits for the same job, or, for a failed job, a
// replacement (a failed job has no picture).
func (r *generatedImageResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	planJobRecovery(ctx, req, resp)
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

// resumeWait finishes waiting for a job that did not finish during create
// (timeout or interruption, then terraform untaint), paying nothing more.
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
	final, err := client.Wait(waitCtx, id, logProgress(ctx))
	finishWait(ctx, ctx.Err(), m, final, err, timeout, true, state, diags)
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
	operation      string // names the job in summaries: "<operation> Failed", "<operation> Not Finished"
	exampleAddress string // an address of the resource type, for the untaint advice
	failedAdvice   string // full sentences after "Akool reported job X as failed ..."
	replaceEffect  string // a sentence: what a plain apply without untaint does
	goneAdvice     string // full sentences: how to get a new result when Akool no longer knows the job
}

func (m *generatedImageModel) waitWords() jobWords {
	return jobWords{
		operation:      "Image Generation",
		exampleAddress: "akool_generated_image.example",
		failedAdvice: "Akool gives no reason; prompts its content rules refuse, or a source_image it cannot download, " +
			"are common causes. Change the prompt or source_image and apply again, or apply again as it is " +
			"to retry: the failed image is replaced by a new generation, which spends credits.",
		replaceEffect: "A plain terraform apply without untaint replaces it and generates, and pays for, a new image.",
		goneAdvice: "Run terraform apply -replace=<address> (the address Terraform shows with this error) to " +
			"generate a new image; that spends credits.",
	}
}

// finishWait saves what the wait learnt and reports how it ended. parentErr
// is the error of the operation's own context (set when Terraform cancels
// it); resumed says whether this wait is an update resuming an earlier job.
func finishWait(ctx context.Context, parentErr error, m jobModel, final *akool.Image, waitErr error,
	timeout time.Duration, resumed bool, state *tfsdk.State, diags *diag.Diagnostics) {
	if final != nil {
		m.applyImage(final)
	}
	diags.Append(state.Set(ctx, m)...)
	job, words := m.job(), m.waitWords()
	if waitErr == nil {
		tflog.Info(ctx, "Akool finished the job", map[string]any{"id": job.ID.ValueString()})
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
	summary := words.operation + " Not Finished"
	if resumed {
		diags.AddError(summary,
			fmt.Sprintf("Akool job %s is still %s: %s. Its id stays in state; run terraform apply again to keep "+
				"waiting for the same job (no new image is generated and no credits are spent). To wait longer "+
				"in one apply, raise timeouts.create.", id, job.Status.ValueString(), what))
		return
	}
	diags.AddError(summary,
		fmt.Sprintf("Akool accepted job %s (credits spent), but %s; its last status was %s. The id is saved in "+
			"state and Terraform will mark the resource tainted. To finish waiting for the SAME job without paying "+
			"again, run terraform untaint <address> and then terraform apply (the address is the one Terraform "+
			"shows with this error, such as %s). %s To wait longer in one apply, raise timeouts.create.",
			id, what, job.Status.ValueString(), words.exampleAddress, words.replaceEffect))
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
		diags.AddError("Unable to Generate Image", "Akool did not accept the request to generate the image. "+apiErrorText(apiErr))
	default:
		diags.AddError("Unable to Generate Image",
			fmt.Sprintf("The request to generate the image failed before Akool accepted it: %v. Nothing was "+
				"generated; check the network and the provider's endpoint, then apply again.", err))
	}
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

// readFailure is the diagnostic for a failed refresh or import read.
func readFailure(id string, err error, importing bool) diag.Diagnostic {
	switch {
	case akool.IsNotFound(err) && importing:
		return diag.NewErrorDiagnostic("Cannot Import Image",
			fmt.Sprintf("Akool answered code 1008 for id %s: it does not know this image. It never existed, "+
				"belongs to another Akool account, or expired (Akool keeps images for 7 days). Check the id.", id))
	case akool.IsNotFound(err):
		return diag.NewWarningDiagnostic("Image No Longer Known to Akool",
			fmt.Sprintf("Akool answered code 1008 for image %s: it no longer knows it (Akool keeps images for "+
				"7 days after generation, or the image was removed). The resource is kept in state with its last "+
				"known values, so that Terraform does not generate (and pay for) a different image on its own. "+
				"The image URL no longer serves. To generate a new image deliberately, run "+
				"terraform apply -replace=<address> (the address shown with this warning).", id))
	default:
		return diag.NewErrorDiagnostic("Unable to Read Image", readErrorDetail(id, err))
	}
}

// readErrorDetail says why reading an image failed and what to do.
func readErrorDetail(id string, err error) string {
	return fmt.Sprintf("Reading image %s from Akool failed: %s The state is unchanged; try again later.", id, readErrorText(err))
}

func readErrorText(err error) string {
	var apiErr *akool.APIError
	if errors.As(err, &apiErr) {
		return apiErrorText(apiErr)
	}
	return err.Error() + "."
}

// apiErrorText states Akool's answer and its meaning, in full sentences.
func apiErrorText(e *akool.APIError) string {
	if e.Code == 0 {
		return fmt.Sprintf("Akool's answer (%s, HTTP %d) could not be used: %s. %s", e.Endpoint, e.HTTPStatus, e.Message, e.Meaning())
	}
	return fmt.Sprintf("Akool answered code %d, %q (%s). %s", e.Code, e.Message, e.Endpoint, e.Meaning())
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

// fillFromImport completes an imported resource from what Akool echoes
// (prompt, source_image, model_name) and infers api_version and scale.
// Values already in state are never overwritten.
func (r *generatedImageResource) fillFromImport(ctx context.Context, m *generatedImageModel, img *akool.Image) {
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
		m.APIVersion = types.StringValue(inferAPIVersion(img))
	}
	if m.Scale.IsNull() {
		m.Scale = r.inferScale(ctx, img)
	}
}

// inferAPIVersion tells which create call made img: a model name, or a
// finished picture without grid buttons or single images, means v4.
func inferAPIVersion(img *akool.Image) string {
	if img.ModelName != "" {
		return apiV4
	}
	if img.Status == akool.StatusCompleted && len(img.Buttons) == 0 && len(img.UpscaledURLs) == 0 {
		return apiV4
	}
	return apiV3
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

const createTimeoutDescription = "How long to wait for Akool to finish the job, as a duration such as `30m` or `1h`. " +
	"Defaults to `20m`: Akool usually finishes a job in well under a minute, but under load a job can wait in " +
	"Akool's queue for many minutes; 20 minutes is long enough for a pipeline and short enough to surface a stuck " +
	"job. The same limit applies when an apply resumes waiting for an unfinished job. Changing it generates no new image."

const generatedImageDescription = "An image generated by Akool from a prompt, optionally starting from a source " +
	"picture (image-to-image).\n\n" +
	"`terraform apply` sends the prompt to Akool and waits until the job is finished (`status = \"completed\"`), " +
	"reading Akool's `infobymodelid`; later plans show no changes while the configuration stays the same. " +
	"**Every generation spends Akool credits**: every input that shapes the picture forces a new image when it " +
	"changes, while `webhook_url` and `timeouts` change in place.\n\n" +
	"`api_version = \"v3\"` (the default) makes a 2x2 grid whose single images are listed in `upscaled_urls` and " +
	"can be upscaled or varied with the `buttons`; `api_version = \"v4\"` makes one image and accepts " +
	"`model_name`, `resolution`, `negative_prompt` and `similarity`.\n\n" +
	"## If a create times out or is interrupted\n\n" +
	"Akool has already accepted (and charged for) the job. The provider saves its id in state before reporting " +
	"the error, and Terraform marks the resource tainted. To finish waiting for the same job without paying " +
	"again, run `terraform untaint <address>` and then `terraform apply`: the apply plans an in-place update " +
	"that waits for that job. A plain `terraform apply` without untaint replaces the resource and generates a new, " +
	"paid image.\n\n" +
	"## Failed jobs\n\n" +
	"A job that Akool reports as failed fails the apply; its id and `status = \"failed\"` stay in state, and " +
	"the next apply replaces it with a new generation.\n\n" +
	"## Expiry and deletion\n\n" +
	"Akool keeps images for 7 days. When Akool no longer knows an image, refresh keeps the resource and its last " +
	"known values with a warning, instead of planning a new (paid, and different) image; use " +
	"`terraform apply -replace=<address>` to generate a new one deliberately. Akool has no delete call: " +
	"destroying the resource only removes it from Terraform state, and the image stays in the Akool account " +
	"until it expires.\n\n" +
	"## Import\n\n" +
	"Import an existing job by its id. Akool echoes `prompt`, `source_image` and `model_name`; `api_version` " +
	"and `scale` are inferred from the result. Inputs Akool does not report (`resolution`, `negative_prompt`, " +
	"`similarity`, `webhook_url`, and `scale` when it cannot be inferred) are taken from the configuration by the " +
	"first apply after import, in place: an imported image is never regenerated because a value could not be " +
	"read back."
