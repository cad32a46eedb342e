package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/akool-community/terraform-provider-akool/internal/akool"
)

var (
	_ resource.ResourceWithConfigure   = (*imageButtonResource)(nil)
	_ resource.ResourceWithImportState = (*imageButtonResource)(nil)
	_ resource.ResourceWithIdentity    = (*imageButtonResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*imageButtonResource)(nil)
)

// imageButtonResource presses one button of a finished Akool grid and follows
// the job it starts: akool_image_upscale (U1-U4) and akool_image_variation
// (V1-V4) are this one implementation with a different kind.
type imageButtonResource struct {
	configuredResource
	kind *buttonKind
}

// buttonKind is what differs between the resources that press a button.
type buttonKind struct {
	letter        string // the buttons' letter: "U" or "V"
	typeSuffix    string // the type name after the provider's: "_image_upscale"
	noun          string // a job of this kind in sentences: "upscale"
	article       string // the noun's indefinite article: "an"
	operation     string // the job in summaries: "Upscale" makes "Upscale Failed"
	unableSummary string // the summary when Akool refuses the press

	introduction string            // the resource's first paragraphs; the shared sections follow
	imageURLDesc string            // image_url's description
	indexDesc    string            // index's description, before the shared sentence on changes
	grid         *gridDescriptions // the grid attributes' descriptions; nil for a single picture
	newModel     func() buttonModel
}

// buttonKindFor returns the kind whose buttons start with letter, or nil.
func buttonKindFor(letter string) *buttonKind {
	switch letter {
	case upscaleKind.letter:
		return upscaleKind
	case variationKind.letter:
		return variationKind
	default:
		return nil
	}
}

func (k *buttonKind) typeName() string { return "akool" + k.typeSuffix }

// aNoun is the noun with its article: "an upscale".
func (k *buttonKind) aNoun() string { return k.article + " " + k.noun }

// button is the name of the button for a sub-image index, such as "U2".
func (k *buttonKind) button(index int64) string { return fmt.Sprintf("%s%d", k.letter, index) }

// buttonUnread are the inputs of a button resource that an import cannot
// read back from Akool; the first apply after an import takes them from the
// configuration in place.
var buttonUnread = []string{"triggers", "webhook_url"}

// buttonPattern matches the buttons Akool offers on a grid.
var buttonPattern = regexp.MustCompile(`^[UV][1-4]$`)

func (r *imageButtonResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + r.kind.typeSuffix
}

func (r *imageButtonResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	k := r.kind
	attributes := map[string]schema.Attribute{
		"image_id": schema.StringAttribute{
			MarkdownDescription: "Id of the parent image whose button is pressed, 24 hexadecimal digits: a finished " +
				"grid, that is an `akool_generated_image` with `api_version = \"v3\"` or an `akool_image_variation`. " +
				"Usually a reference such as `akool_generated_image.poster.id`. Changing this presses a button of " +
				"another image and spends credits; this is also how replacing the parent replaces this resource.",
			Required:      true,
			Validators:    []validator.String{stringvalidator.RegexMatches(imageIDPattern, imageIDMessage)},
			PlanModifiers: []planmodifier.String{adoptParent(k).stringModifier()},
		},
		"index": schema.Int64Attribute{
			MarkdownDescription: k.indexDesc + " Changing this presses another button and spends credits.",
			Required:            true,
			Validators:          []validator.Int64{int64validator.Between(1, 4)},
			PlanModifiers:       []planmodifier.Int64{adoptParent(k).int64Modifier()},
		},
		"webhook_url": schema.StringAttribute{
			MarkdownDescription: "URL (`http` or `https`) that Akool notifies when the job ends. Akool only uses " +
				"the value sent with the press, so changing it later only updates the state: it presses nothing. " +
				webhookSecretNote,
			Optional:   true,
			Sensitive:  true,
			Validators: []validator.String{httpURLValidator{}},
		},
		"triggers": triggersAttribute(fmt.Sprintf("this presses the button again and spends credits. Akool "+
			"presses each button of an image once, so a new %s also needs a new parent image: change the same "+
			"trigger on the parent, whose new id replaces this resource too. A change of triggers that keeps "+
			"`image_id` and `index` is refused at plan time, before anything is replaced (see \"Regenerating "+
			"deliberately\").", k.noun)),

		"button": computedString(fmt.Sprintf("The button pressed on the parent image: `%s` followed by `index`, "+
			"such as `%s2`.", k.letter, k.letter)),
	}
	attributes = withAttributes(attributes, jobResultAttributes(k.imageURLDesc))
	if k.grid != nil {
		attributes = withAttributes(attributes, gridResultAttributes(*k.grid))
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: k.description(),
		Attributes:          attributes,
		Blocks:              jobBlocks(ctx),
	}
}

// IdentitySchema is the id of the job the press started (see jobIdentitySchema).
func (r *imageButtonResource) IdentitySchema(ctx context.Context, req resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	jobIdentitySchema(ctx, req, resp)
}

func (r *imageButtonResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	k := r.kind
	m := k.newModel()
	resp.Diagnostics.Append(req.Plan.Get(ctx, m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	client := r.data.requireClient(&resp.Diagnostics, "press the button for "+k.aNoun())
	if client == nil {
		return
	}
	b := m.base()
	timeout, diags := b.Timeouts.Create(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	parentID := b.ImageID.ValueString()
	button := k.button(b.Index.ValueInt64())
	b.Button = types.StringValue(button)

	// Reading the parent costs nothing; a press that Akool would refuse, or
	// that would press a used button, is never sent.
	if !checkParent(ctx, r.data, parentID, button, false, &resp.Diagnostics) {
		return
	}

	// The create timeout bounds the wait only: cutting the press short could
	// lose a job Akool accepted and charged for. The client's per-request
	// timeout bounds the request; the timeout ends retries of a press Akool
	// refuses as too frequent.
	if !r.data.spending().startJob(&resp.Diagnostics) {
		return
	}
	img, err := client.PressButton(akool.RetryRefusalsFor(ctx, timeout), akool.ButtonRequest{
		ParentID:   parentID,
		Button:     button,
		WebhookURL: b.WebhookURL.ValueString(),
	})
	if err != nil {
		k.addPressError(ctx, &resp.Diagnostics, client, parentID, button, r.data.credentialsNote(err))
		return
	}

	tflog.Info(ctx, "Akool accepted the button press", map[string]any{"id": img.ID, "parent": parentID, "button": button})
	saveAndWait(ctx, r.data, client, m, img, timeout, &resp.State, &resp.Diagnostics)
	resp.Diagnostics.Append(setJobIdentity(ctx, resp.State, nil, resp.Identity)...)
}

func (r *imageButtonResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	k := r.kind
	m := k.newModel()
	resp.Diagnostics.Append(req.State.Get(ctx, m)...)
	// The id never changes: state written before identities existed gets
	// one here, on the refresh it has anyway.
	resp.Diagnostics.Append(setJobIdentity(ctx, req.State, req.Identity, resp.Identity)...)
	if resp.Diagnostics.HasError() {
		return
	}
	b := m.base()
	importing := b.Status.IsNull() // only an import leaves the status unset
	img := refreshJob(ctx, r.data, m, k.expiryWords(), importing, &resp.State, &resp.Diagnostics)
	if img == nil {
		return
	}
	if importing && !k.adoptImported(b, img, &resp.Diagnostics) {
		return
	}
	// The import marker set by ImportState stays until an Update.
	m.applyImage(img, r.data.now())
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
	resp.Diagnostics.Append(expiredWarning(k.expiryWords(), m.job())...)
}

func (r *imageButtonResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	plan, state := r.kind.newModel(), r.kind.newModel()
	resp.Diagnostics.Append(req.Plan.Get(ctx, plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	// A plan without refresh carries no identity for state written before
	// identities existed.
	resp.Diagnostics.Append(setJobIdentity(ctx, req.State, req.Identity, resp.Identity)...)
	if resp.Diagnostics.HasError() {
		return
	}

	// image_id and index force a new resource, so only the inputs that change
	// in place come from the plan; everything Akool knows stays as it is.
	s := state.base()
	s.WebhookURL = plan.base().WebhookURL
	s.Triggers = plan.base().Triggers
	s.Timeouts = plan.base().Timeouts
	// An import whose parent and button Akool did not report takes them
	// from the configuration (see adoptParent).
	if s.ImageID.IsNull() {
		s.ImageID = plan.base().ImageID
	}
	if s.Index.IsNull() {
		s.Index, s.Button = plan.base().Index, plan.base().Button
	}
	if isImported(ctx, req.Private) {
		resp.Diagnostics.Append(setImportMarker(ctx, resp.Private, nil)...)
	}

	if !s.pending() {
		resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
		return
	}
	resumeWait(ctx, r.data, state, s.Timeouts, &resp.State, &resp.Diagnostics)
}

// Delete leaves the button used on the parent too.
func (r *imageButtonResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	deleteJob(ctx, req, resp)
}

func (r *imageButtonResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	// Read fills image_id and index from what Akool reports about the job;
	// triggers cannot be read back: the first apply adopts the configuration's.
	importJobByIdentity(ctx, req, resp, buttonUnread)
}

// ModifyPlan shows the button that will be pressed, plans the recovery of a
// job that did not finish during create, and checks a planned press against
// its parent, so that a press Akool would refuse fails the plan before
// Terraform destroys anything.
func (r *imageButtonResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	r.data.planCredentials(ctx, req, r.kind.typeName(), &resp.Diagnostics)
	if req.Plan.Raw.IsNull() {
		return
	}
	var index types.Int64
	resp.Diagnostics.Append(resp.Plan.GetAttribute(ctx, path.Root("index"), &index)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !index.IsNull() && !index.IsUnknown() && index.ValueInt64() >= 1 && index.ValueInt64() <= 4 {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("button"), r.kind.button(index.ValueInt64()))...)
	}
	press := readPressPlan(ctx, req, &resp.Diagnostics)
	r.kind.refuseRepress(press, &resp.Diagnostics)
	if r.keepDeadPress(ctx, press, &resp.Diagnostics) {
		return
	}
	planJobRecovery(ctx, req, resp, r.kind.plannedWords(ctx, req))
	r.data.notePlannedWait(ctx, req)
	r.data.spending().planJob(ctx, req, &resp.Diagnostics)
	if !resp.Diagnostics.HasError() {
		r.checkPlannedPress(ctx, req, press, resp)
	}
}

// privateKeyPlannedPress holds, in the private state of a planned
// replacement, the id of the object it replaces: Terraform plans a
// replacement a second time as a create (without prior state, with this
// private state), and that plan is the same press, not a second one.
const privateKeyPlannedPress = "planned_press"

// checkPlannedPress refuses, at plan time, a create or replacement whose
// press Akool would refuse: it reads the parent when image_id and index are
// known (a read costs nothing), and claims the button in the run's press
// registry so that two resources cannot plan the same press.
func (r *imageButtonResource) checkPlannedPress(ctx context.Context, req resource.ModifyPlanRequest, p *pressPlan, resp *resource.ModifyPlanResponse) {
	diags := &resp.Diagnostics
	parent, index, owner := p.planParent, p.planIndex, p.job.ID
	if diags.HasError() || !isSet(parent) || index.IsNull() || index.IsUnknown() {
		return
	}
	// A null image_id or index in state is an import that adopts them in
	// place (see adoptParent): the job exists, nothing is pressed.
	adopting := p.hasState && (p.stateParent.IsNull() || p.stateIndex.IsNull())
	pressing := !p.hasState || (!adopting && (!parent.Equal(p.stateParent) || !index.Equal(p.stateIndex))) || p.job.dead()
	if !pressing {
		return
	}
	if !p.hasState {
		var replaced string
		if raw, _ := req.Private.GetKey(ctx, privateKeyPlannedPress); json.Unmarshal(raw, &replaced) == nil && replaced != "" {
			owner = types.StringValue(replaced)
		}
	} else if isSet(owner) {
		raw, _ := json.Marshal(owner.ValueString())
		diags.Append(resp.Private.SetKey(ctx, privateKeyPlannedPress, raw)...)
	}
	parentID, button := parent.ValueString(), r.kind.button(index.ValueInt64())
	if r.data == nil || r.data.client == nil {
		// No credentials (planCredentials refuses the press), or not known
		// yet (Create checks the parent).
		return
	}
	other, clash, again := r.data.presses.claim(parentID, button, owner.ValueString())
	if again {
		return // the same press, planned again: its parent was read the first time
	}
	if clash {
		diags.AddAttributeError(path.Root("index"), "Button Pressed Twice in One Plan",
			fmt.Sprintf("This plan presses button %s of image %s twice: here and in %s. Akool presses each "+
				"button of an image once and refuses the second press. Nothing was sent to Akool and no credits "+
				"were spent. Give each resource that presses a button of image %s its own index.",
				button, parentID, other, parentID))
		return
	}
	checkParent(ctx, r.data, parentID, button, r.data.presses.waited(parentID), diags)
}

// addPressError reports a failed press; client reads the parent when the
// press got no usable answer.
func (k *buttonKind) addPressError(ctx context.Context, diags *diag.Diagnostics, client *akool.Client, parentID, button string, err error) {
	var uncertain *akool.UncertainError
	var apiErr *akool.APIError
	switch {
	case errors.As(err, &uncertain):
		diags.Append(k.unansweredPress(ctx, client, parentID, button, uncertain))
	case errors.As(err, &apiErr):
		detail := fmt.Sprintf("Akool did not accept the press of button %s of image %s. %s", button, parentID, apiErrorText(err, apiErr))
		switch apiErr.Code {
		case akool.CodeAlreadyOperated:
			detail += " The button was pressed after this apply read the image, for example by another " +
				"configuration, or by another resource with the same image_id and index. Adopt that result with " +
				"terraform import <address> <id of that job>, or choose another index."
		case akool.CodeCannotOperate:
			detail += " Check that image_id names a finished grid (a v3 generated image or a variation) that " +
				"Akool still keeps, and that it offers this button."
		}
		diags.AddError(k.unableSummary, detail)
	default:
		diags.AddError(k.unableSummary,
			fmt.Sprintf("The request to press button %s of image %s failed before Akool accepted it: %v. Nothing "+
				"was pressed; check the network and the provider's endpoint, then apply again.", button, parentID, err))
	}
}

// adoptImported fills image_id, index and button of an imported job from
// what Akool reports (image_content_model_id and op_button), after checking
// that the job was made by a button of this kind. What Akool does not report
// stays null: the first plan takes it from the configuration in place (see
// adoptParent). It returns false after adding an error.
func (k *buttonKind) adoptImported(m *imageButtonModel, img *akool.Image, diags *diag.Diagnostics) bool {
	id := m.ID.ValueString()
	button := strings.ToUpper(strings.TrimSpace(img.Button))
	switch {
	case button == "" && k == upscaleKind && len(img.Buttons) > 0:
		// Upscales offer no buttons: this is a grid.
		diags.AddError("Cannot Import Image",
			fmt.Sprintf("Akool reports no parent image and button for job %s (image_content_model_id and op_button "+
				"are empty), and the job offers buttons of its own (%s), so it is a grid: an image generated from a "+
				"prompt, or a variation, not an upscale. Import an image generated from a prompt as "+
				"akool_generated_image, and a variation as akool_image_variation.", id, strings.Join(img.Buttons, ", ")))
		return false
	case button == "":
	case !buttonPattern.MatchString(button):
		diags.AddError("Cannot Import Image",
			fmt.Sprintf("Akool reports button %q for job %s, which is none of U1-U4 or V1-V4, so the provider "+
				"cannot tell what the job is.", img.Button, id))
		return false
	case button[:1] != k.letter:
		other := buttonKindFor(button[:1])
		diags.AddError("Cannot Import Image",
			fmt.Sprintf("Job %s is %s (button %s of image %s), not %s, so it cannot be imported as %s. Import it "+
				"as %s instead: terraform import %s.<name> %s.",
				id, other.aNoun(), button, img.ParentID, k.aNoun(), k.typeName(), other.typeName(), other.typeName(), id))
		return false
	default:
		m.Index = types.Int64Value(int64(button[1] - '0'))
		m.Button = types.StringValue(button)
	}
	if img.ParentID != "" {
		m.ImageID = types.StringValue(img.ParentID)
	}
	return true
}

// waitWords are the parts of the wait's diagnostics for a press of button on
// the model's parent.
func (k *buttonKind) waitWords(m *imageButtonModel) jobWords {
	button, parent := m.Button.ValueString(), m.ImageID.ValueString()
	users := "an akool_image_file that downloads it stops with an error of its own, downloading nothing, and is " +
		"created by the apply that sees the " + k.noun + " finished."
	if k.grid != nil {
		users = "an akool_image_file that downloads it, and an akool_image_upscale or akool_image_variation that " +
			"presses its buttons, stop with an error of their own, sending nothing and spending nothing, and are " +
			"created by the apply that sees the " + k.noun + " finished."
	}
	next := fmt.Sprintf("The next plan reads image %s: when it lists %s in used_buttons, or Akool no longer knows "+
		"it (past its 7 days), nothing is planned for this resource and a warning says how to get a new result "+
		"(another index, or a new parent image); otherwise the plan presses %s again, which spends credits.",
		parent, button, button)
	return jobWords{
		operation: k.operation,
		failedAdvice: fmt.Sprintf("Akool gives no reason for this press of button %s of image %s. The job stays in "+
			"state with status = \"failed\", not tainted: Akool lists a pressed button as used on the parent even "+
			"when its job fails, and refuses to press it again. ", button, parent) + next,
		lostAdvice: "The job stays in state, not tainted: Akool lists a pressed button as used on the parent even " +
			"when its job is lost, and refuses to press it again. " + next,
		failedKept:       true,
		unfinishedEffect: "Until it has finished, image_url is not set: " + users,
		redo: fmt.Sprintf("presses button %s of image %s again, which spends credits and counts against "+
			"max_new_images", button, parent),
	}
}

// description is the resource's documentation: its own introduction, then
// what both button resources share.
func (k *buttonKind) description() string {
	other := upscaleKind
	if k == upscaleKind {
		other = variationKind
	}
	return k.introduction + "\n\n" +
		"When `image_id` and `index` are known at plan time and the resource will be created or replaced, " +
		"`terraform plan` reads the parent image (`image_id`, a read spends nothing) and fails, before anything " +
		"is destroyed or sent, when Akool no longer knows the parent (code 1008: it expired after 7 days, or never " +
		"existed), when it has not finished (unless the same apply waits for its unfinished job first), failed, " +
		"does not offer the button (v4 images and upscales have no buttons), or already lists it in " +
		"`used_buttons`: Akool refuses to press the same button twice. Two resources that would press the same " +
		"button of the same parent fail the plan too. `terraform apply` checks the parent again right before " +
		"the press (the parent may only become known during the apply). Otherwise it " +
		"presses the button once with Akool's `createbybutton`, which **spends credits**, and waits until the " +
		"new job has finished (`status = \"completed\"`), reading Akool's `infobymodelid`; later plans show no " +
		"changes while the configuration stays the same. Changing `image_id` or `index` presses a new button. " +
		"When the parent image is replaced, this resource is replaced too, because the parent's new id changes " +
		"`image_id`.\n\n" +
		"## If an apply ends before the job finishes\n\n" +
		"Akool accepts (and charges for) the job before the wait starts, and lists the button as used on the " +
		"parent; the provider saves the job's id in state first. When the wait ends before the job has finished " +
		"(the create timeout passes, the apply is interrupted, or Akool cannot be read), the resource stays in " +
		"state with its unfinished `status`, **not tainted**, and a warning names the job. The next plain " +
		"`terraform apply` continues waiting for the same job in place and presses nothing. Until the job has " +
		"finished, `image_url` is not set, and an `akool_image_file` that downloads it stops with an error of its " +
		"own. A `postcondition` on `status`, or `terraform plan -detailed-exitcode` (exit code `2` while a job is " +
		"unfinished), lets a pipeline notice it; see `akool_generated_image` for an example. When the parent " +
		"image itself has not finished, the press is refused before anything is sent, and the apply that sees " +
		"the parent finished presses the button.\n\n" +
		"Akool's reads lag behind its writes: a new job that Akool does not show yet (code 1008) is waited for as " +
		"`akool_generated_image` describes.\n\n" +
		inFlightSection("the press", k.operation+" Outcome Unknown", "The provider then reads the parent "+
			"image, and the error says what Akool shows: when it lists the button in `used_buttons`, it "+
			"registered the press and charged for it, and refuses a second press; adopt the job with "+
			"`terraform import` if the Akool dashboard or your webhook shows it, or choose another `index`. "+
			"Otherwise Akool did not register the press, and the next apply presses the button.") +
		"## Failed and lost jobs\n\n" +
		"A press whose job Akool reports as failed ends the apply with a warning, not an error: its id and " +
		"`status = \"failed\"` stay in state, not tainted, because Akool lists the button as used on the parent " +
		"even so and refuses to press it again. The same holds for a lost job (a job that never delivered a " +
		"picture, unfinished or completed without a URL, that Akool still answers code 1008 for " + inWords(akool.JobLostAfter) + " after its creation, or past its " +
		"7 days). Each later plan reads " +
		"the parent: when it lists the button in `used_buttons`, or Akool no longer knows the parent (it expired " +
		"after 7 days, and its buttons cannot be pressed any more), nothing is planned for this resource, and a " +
		"warning names the job and says what to do (set `index` to a button the parent has not used, or " +
		"regenerate the parent, which replaces this resource too); the rest of the configuration plans and " +
		"applies as usual. What refers to its `image_url` (such as the `url` of an `akool_image_file`) has no URL " +
		"to use: the file warns, keeps any copy it has, and a new file's create fails at apply. A change of `triggers` " +
		"on such a press fails the plan with an error, as its replacement would press the used button again. When the parent does not list the button, the plan warns and replaces the resource, " +
		"which presses the button again and counts against `max_new_images`. A `postcondition` on `status` makes " +
		"an apply fail while the press has not delivered a picture.\n\n" +
		"## Expiry and deletion\n\n" +
		"Akool keeps images for 7 days after generation; `expires_at` says until when. Once Akool answers that it " +
		"no longer knows a finished job (code 1008; for a job that never finished, see above), or once `expires_at` has passed, refresh keeps the resource and its " +
		"last known values, sets `expired = true`, and warns that it has expired and its URLs no longer serve; " +
		"nothing is planned for it, and no button is pressed again. " + youngNotFoundDoc +
		"Akool has no delete call: destroying the " +
		"resource only removes it from Terraform state; the image stays in the Akool account until it expires, " +
		"and the button stays used on the parent.\n\n" +
		"## Regenerating deliberately\n\n" +
		"Bump a trigger to regenerate, on the parent: Akool presses each button of an image once, so a new " +
		k.noun + " needs a new parent image. Changing a value in the parent's `triggers` replaces the parent " +
		"(a new, paid generation), and this resource is replaced with it, because its `image_id` changes. This " +
		"resource's own `triggers` only take effect together with a new parent: a change of them that keeps " +
		"`image_id` and `index` would press a used button, so the plan stops with an error before anything is " +
		"replaced.\n\n" +
		"## Import\n\n" +
		"Import a job by the id Akool returned for the press (also sent to the webhook). `image_id` and `index` " +
		"are read back from Akool (`image_content_model_id` and `op_button`); importing " + other.aNoun() +
		" as `" + k.typeName() + "` is an error. Akool's documented `infobymodelid` answer does not list those " +
		"two fields: when Akool leaves them out, the first apply after the import takes `image_id` and `index` " +
		"from the configuration, in place, without pressing anything (they must be known at plan time, and " +
		"must name the image and button that made the job: Akool cannot confirm them). Akool does not report " +
		"`webhook_url`: a value in the configuration is taken by the first apply after import, in place, " +
		"without pressing anything."
}

// buttonModel is the state of a button resource: the shared part, plus what
// its kind adds.
type buttonModel interface {
	jobModel
	base() *imageButtonModel
}

// imageButtonModel is the state both button resources share.
type imageButtonModel struct {
	jobResultModel

	ImageID    types.String   `tfsdk:"image_id"`
	Index      types.Int64    `tfsdk:"index"`
	Button     types.String   `tfsdk:"button"`
	WebhookURL types.String   `tfsdk:"webhook_url"`
	Triggers   types.Map      `tfsdk:"triggers"`
	Timeouts   timeouts.Value `tfsdk:"timeouts"`
}

func (m *imageButtonModel) base() *imageButtonModel { return m }

// applyImage records what Akool reports about the job.
func (m *imageButtonModel) applyImage(img *akool.Image, now time.Time) { m.fromJob(img, now) }

// addParentUnknown says that an imported job cannot take image_id or index
// (at p) from the configuration while its value is unknown.
func (k *buttonKind) addParentUnknown(ctx context.Context, state tfsdk.State, p path.Path, diags *diag.Diagnostics) {
	var id string
	state.GetAttribute(ctx, path.Root("id"), &id)
	diags.AddAttributeError(p, "Imported Job Needs Known image_id and index",
		fmt.Sprintf("Akool does not report which image and button made the imported %s %s (its infobymodelid "+
			"answer has no image_content_model_id and op_button), so this plan takes image_id and index from the "+
			"configuration, but %s is not known until apply. Set image_id to the id of the grid whose button "+
			"made the job and index to the button's number (%s2 is index = 2), as values known at plan time, such "+
			"as the id of an image already in state, then plan again. Nothing was pressed and no credits were spent.",
			k.noun, id, p, k.letter))
}
