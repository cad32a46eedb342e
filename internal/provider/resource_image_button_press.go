package provider

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/akool-community/terraform-provider-akool/internal/akool"
)

// notePlannedWait records in the run's registry that this plan resumes the
// wait for the resource's unfinished job, so that a press planned on it is
// not refused because the job has not finished yet: the press happens after
// the wait, and Create checks the parent again.
func (d *providerData) notePlannedWait(ctx context.Context, req resource.ModifyPlanRequest) {
	if d == nil || d.presses == nil || req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	var diags diag.Diagnostics
	if job := jobInState(ctx, req.State, &diags); job.pending() && isSet(job.ID) {
		d.presses.noteWait(job.ID.ValueString())
	}
}

// pressRegistry is what one walk of a Terraform run plans for buttons: the
// provider's data is shared by every resource of a walk, so two resources
// planning the same press can notice each other. Terraform plans a parent
// before the resources that refer to it.
type pressRegistry struct {
	mu      sync.Mutex
	presses map[string]string   // parent/button -> the planning resource (its id in state, "" for a new one)
	waits   map[string]struct{} // ids of unfinished jobs whose wait this run resumes
}

func newPressRegistry() *pressRegistry {
	return &pressRegistry{presses: map[string]string{}, waits: map[string]struct{}{}}
}

// claim records that owner plans to press button on parent. It reports a
// clash, and names the other resource, when another resource already did,
// and again when owner itself did (a replacement planned a second time).
func (r *pressRegistry) claim(parent, button, owner string) (other string, clash, again bool) {
	if r == nil {
		return "", false, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	key := strings.ToLower(parent) + "/" + button
	previous, found := r.presses[key]
	switch {
	case !found:
		r.presses[key] = owner
		return "", false, false
	case owner != "" && previous == owner:
		return "", false, true
	case previous == "":
		return "another new resource of this configuration", true, false
	default:
		return "the resource whose id is " + previous, true, false
	}
}

func (r *pressRegistry) noteWait(id string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.waits[strings.ToLower(id)] = struct{}{}
}

// waited reports whether this run resumes the wait for job id.
func (r *pressRegistry) waited(id string) bool {
	if r == nil {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.waits[strings.ToLower(id)]
	return ok
}

// checkParent reads the parent image with data's client and, when button
// cannot be pressed on it, adds an error and returns false. Nothing is sent
// to Akool but the read. unfinishedOK accepts a parent that has not finished
// yet, for a plan that resumes the wait for it before the press.
func checkParent(ctx context.Context, data *providerData, parentID, button string, unfinishedOK bool, diags *diag.Diagnostics) bool {
	parent, err := data.client.GetImage(ctx, parentID)
	err = data.credentialsNote(err)
	switch {
	case akool.IsNotFound(err):
		diags.AddAttributeError(path.Root("image_id"), "Parent Image Not Found",
			fmt.Sprintf("Akool answered code 1008 for image %s, whose button %s this resource presses: it does not "+
				"know this image. It never existed, belongs to another Akool account, or expired (Akool keeps images "+
				"for 7 days, and the buttons of an expired image can no longer be pressed). Nothing was pressed and "+
				"no credits were spent. Check image_id.", parentID, button))
		return false
	case err != nil:
		diags.AddError("Unable to Read Parent Image",
			fmt.Sprintf("Reading image %s, whose button %s this resource presses, failed: %s Nothing was pressed "+
				"and no credits were spent; %s.", parentID, button, readErrorText(err), readAdvice(err)))
		return false
	}
	if unfinishedOK && parent.Status != akool.StatusCompleted && parent.Status != akool.StatusFailed {
		return true
	}
	if attribute, summary, detail := pressRefusal(parent, parentID, button); summary != "" {
		diags.AddAttributeError(path.Root(attribute), summary, detail)
		return false
	}
	return true
}

// pressRefusal says why button cannot be pressed on parent, as the attribute
// to blame, a summary and a detail; the summary is empty when it can be.
func pressRefusal(parent *akool.Image, parentID, button string) (attribute, summary, detail string) {
	const nothingSent = "Nothing was sent to Akool and no credits were spent."
	switch {
	case parent.Status == akool.StatusFailed:
		return "image_id", "Parent Image Failed",
			fmt.Sprintf("Image %s failed at Akool (status failed): it has no picture and no buttons, so its button "+
				"%s cannot be pressed. %s Set image_id to a finished image.", parentID, button, nothingSent)
	case parent.Status != akool.StatusCompleted:
		return "image_id", "Parent Image Not Finished",
			fmt.Sprintf("Image %s is %s at Akool: its button %s cannot be pressed until it has finished (status "+
				"completed). %s Apply again once it has finished. When the image is managed by Terraform, refer "+
				"to it (image_id = akool_generated_image.<name>.id) so that its creation, which waits for it to "+
				"finish, comes first; if that wait ended before the image finished (a timeout or an interrupt), "+
				"the next terraform apply continues it for free and then presses the button.",
				parentID, parent.Status, button, nothingSent)
	case containsFold(parent.UsedButtons, button):
		// Checked before the offered buttons: Akool may also drop a used
		// button from buttons.
		return "index", "Button Already Pressed",
			fmt.Sprintf("Button %s of image %s has already been pressed: Akool lists it in the image's "+
				"used_buttons. It was pressed by this or another configuration, or outside Terraform. Akool refuses "+
				"to press the same button twice, so the provider did not try. %s To manage the existing result in "+
				"Terraform, adopt it with terraform import <address> <id of that job> (the id Akool returned for "+
				"that press, also sent to its webhook; Akool has no call that lists it). Otherwise choose another "+
				"index, or press the button on a new image.", button, parentID, nothingSent)
	case !containsFold(parent.Buttons, button):
		offered := "it offers no buttons"
		switch {
		case len(parent.Buttons) > 0:
			offered = "it offers " + strings.Join(parent.Buttons, ", ")
		case parent.Button != "":
			offered = fmt.Sprintf("it offers no buttons: it is itself the result of button %s of image %s",
				parent.Button, parent.ParentID)
		}
		return "image_id", "Button Not Offered",
			fmt.Sprintf("Image %s does not offer button %s (%s). Only finished grids have buttons: images of "+
				"akool_generated_image with api_version = \"v3\", and variations (akool_image_variation). v4 images "+
				"and upscales are single pictures without buttons. %s Set image_id to a grid image.",
				parentID, button, offered, nothingSent)
	}
	return "", "", ""
}

func containsFold(values []string, s string) bool {
	for _, v := range values {
		if strings.EqualFold(strings.TrimSpace(v), s) {
			return true
		}
	}
	return false
}

// plannedWords are the wait's words for the press that the plan of a button
// resource follows: its state's parent and button.
func (k *buttonKind) plannedWords(ctx context.Context, req resource.ModifyPlanRequest) jobWords {
	m := k.newModel()
	if !req.State.Raw.IsNull() {
		b := m.base()
		req.State.GetAttribute(ctx, path.Root("image_id"), &b.ImageID)
		req.State.GetAttribute(ctx, path.Root("button"), &b.Button)
	}
	return m.waitWords()
}

// pressPlan is what the plan of a button resource reads of its state and
// its plan to tell which press it makes, read once for all its checks.
type pressPlan struct {
	hasState                    bool           // the resource exists: not a create
	job                         jobResultModel // the job in state
	stateParent, planParent     types.String
	stateIndex, planIndex       types.Int64
	stateTriggers, planTriggers types.Map
}

func readPressPlan(ctx context.Context, req resource.ModifyPlanRequest, diags *diag.Diagnostics) *pressPlan {
	p := &pressPlan{hasState: !req.State.Raw.IsNull()}
	diags.Append(req.Plan.GetAttribute(ctx, path.Root("image_id"), &p.planParent)...)
	diags.Append(req.Plan.GetAttribute(ctx, path.Root("index"), &p.planIndex)...)
	diags.Append(req.Plan.GetAttribute(ctx, path.Root("triggers"), &p.planTriggers)...)
	if p.hasState {
		p.job = jobInState(ctx, req.State, diags)
		diags.Append(req.State.GetAttribute(ctx, path.Root("image_id"), &p.stateParent)...)
		diags.Append(req.State.GetAttribute(ctx, path.Root("index"), &p.stateIndex)...)
		diags.Append(req.State.GetAttribute(ctx, path.Root("triggers"), &p.stateTriggers)...)
	}
	return p
}

// samePress reports whether the plan keeps the button of the press in
// state: the same image_id and index, both known.
func (p *pressPlan) samePress() bool {
	return p.hasState && isSet(p.stateParent) && !p.stateIndex.IsNull() &&
		p.planParent.Equal(p.stateParent) && p.planIndex.Equal(p.stateIndex)
}

// retriggered reports whether a triggers change replaces the resource by a
// press of the same button.
func (p *pressPlan) retriggered() bool {
	return p.samePress() && triggersForceReplacement(p.stateTriggers, p.planTriggers)
}

// keepDeadPress plans nothing for a button resource whose job failed or is
// lost, when its parent lists the button as used: Akool would refuse to
// press it again, so a replacement could only fail, and would fail every
// plan of the configuration. It warns with what happened and what to do,
// and reports whether it did. A triggers change would replace it all the
// same (its plan modifier decides before this), so that plan fails here
// with what to do instead. A plan that changes image_id or index presses
// another button and is left to the usual checks.
func (r *imageButtonResource) keepDeadPress(ctx context.Context, p *pressPlan, diags *diag.Diagnostics) bool {
	if r.data == nil || r.data.client == nil || diags.HasError() || !p.job.dead() || !p.samePress() {
		return false
	}
	k, parentID := r.kind, p.stateParent.ValueString()
	button := k.button(p.stateIndex.ValueInt64())
	parent, err := r.data.client.GetImage(ctx, parentID)
	// A parent Akool no longer knows (it expired after 7 days) has no
	// button left to press: the dead press is kept all the same.
	parentGone := akool.IsNotFound(err)
	if !parentGone && (err != nil || !containsFold(parent.UsedButtons, button)) {
		return false // a failed read is the usual checks' to report
	}
	refusal := fmt.Sprintf("Akool lists %s in that image's used_buttons, so it refuses to press it again", button)
	var free []string
	if parentGone {
		refusal = fmt.Sprintf("Akool no longer knows image %s (code 1008: it keeps images for 7 days, or the image "+
			"was removed), and the buttons of an image it no longer knows cannot be pressed", parentID)
	} else {
		for i := int64(1); i <= 4; i++ {
			if b := k.button(i); containsFold(parent.Buttons, b) && !containsFold(parent.UsedButtons, b) {
				free = append(free, fmt.Sprintf("index = %d (%s)", i, b))
			}
		}
	}
	another := fmt.Sprintf("image %s has no unused %s button left", parentID, k.letter)
	if parentGone {
		another = fmt.Sprintf("image %s has no button left to press", parentID)
	} else if len(free) > 0 {
		another = fmt.Sprintf("set index to a button image %s has not used yet: %s; that replaces this resource "+
			"and spends credits", parentID, strings.Join(free, ", "))
	}
	regenerate := fmt.Sprintf("regenerate image %s (change a value in its triggers, or run terraform apply "+
		"-replace=<the parent's address>), which replaces this resource too and spends credits", parentID)
	id := p.job.ID.ValueString()
	if p.retriggered() {
		diags.AddAttributeError(path.Root("triggers"), "Cannot Press a Used Button Again",
			fmt.Sprintf("triggers changed, which replaces %s %s by a new press of button %s of image %s. The job "+
				"%s of this resource's press %s and never delivered a picture, but %s: the new press would be "+
				"refused, after Terraform had removed this resource from state. Nothing was changed. For a new %s, "+
				"%s; or %s; or set triggers back to the value in state.", k.typeName(), id, button, parentID, id,
				p.job.deathClause(), refusal, k.noun, another, regenerate))
		return true
	}
	diags.Append(deadJobWarning(&p.job, k.operation, fmt.Sprintf("The job was the press of button %s of image %s. "+
		"%s, and this plan does not try: nothing is planned for this resource, which keeps the job's id and "+
		"status, without image_url, and the rest of the configuration plans and applies as usual; what refers "+
		"to its image_url (such as an akool_image_file's url) has no URL to use and says so. For a new %s, %s; or %s.",
		button, parentID, refusal, k.noun, another, regenerate)))
	return true
}

// deathClause says how a dead job ended, after "the job".
func (m *jobResultModel) deathClause() string {
	if m.Status.ValueString() == akool.StatusFailed.String() {
		return "failed (Akool reports image_status 4)"
	}
	return "was lost (Akool no longer knows it)"
}

// refuseRepress stops a plan that would replace a button resource only
// because its triggers changed: the replacement would press the same button
// of the same parent again, which Akool refuses, and only after Terraform
// had removed the resource from state. A new result needs a new parent.
// A dead press is keepDeadPress's to check.
func (k *buttonKind) refuseRepress(p *pressPlan, diags *diag.Diagnostics) {
	if diags.HasError() || p.job.dead() || !p.retriggered() {
		return
	}
	button, parent := k.button(p.planIndex.ValueInt64()), p.planParent.ValueString()
	diags.AddAttributeError(path.Root("triggers"), "Cannot Press the Same Button Again",
		fmt.Sprintf("triggers changed, which replaces %s %s by a new press of button %s of image %s. This "+
			"resource already pressed that button, and Akool presses each button of an image only once, so the "+
			"new press would be refused, after Terraform had removed this resource from state. Nothing was "+
			"changed. A new %s needs a new parent image: change the same trigger on the parent (such as the "+
			"triggers of its akool_generated_image), whose new id replaces this resource too; or set triggers "+
			"back to the value in state.", k.typeName(), p.job.ID.ValueString(), button, parent, k.noun))
}

// unansweredPress is the error for a press that was sent and got no usable
// answer. It reads the parent, which costs nothing, because Akool shows one
// trace of a press: the button in the parent's used_buttons.
func (k *buttonKind) unansweredPress(ctx context.Context, client *akool.Client, parentID, button string,
	uncertain *akool.UncertainError) diag.Diagnostic {
	detail := noAnswerText(fmt.Sprintf("press button %s of image %s", button, parentID), uncertain, ctx.Err() != nil) + " "
	readCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), pressCheckTimeout)
	defer cancel()
	parent, err := client.GetImage(readCtx, parentID)
	switch {
	case err != nil:
		detail += fmt.Sprintf("Reading image %s afterwards, to see whether Akool registered the press, failed too: "+
			"%s Once Akool answers, run terraform plan: it reads the image. When Akool lists %s in its "+
			"used_buttons, the press was registered and charged, and the plan stops with \"Button Already "+
			"Pressed\": adopt the new job with terraform import <address> <id> if the Akool dashboard or your "+
			"webhook shows it. Otherwise apply again to press the button.", parentID, readErrorText(err), button)
	case containsFold(parent.UsedButtons, button):
		detail += fmt.Sprintf("Image %s, read just now, lists %s in used_buttons: Akool registered the press and "+
			"charged for the %s, but its answer, with the new job's id, was lost, and Akool has no call that "+
			"lists jobs. Akool refuses to press the same button twice, so applying again stops before sending "+
			"anything (\"Button Already Pressed\"). If the Akool dashboard or your webhook (webhook_url) shows "+
			"the new job, adopt it with terraform import <address> <id>; otherwise choose another index, or "+
			"press the button on a new parent image (terraform apply -replace=<the parent's address>, a new "+
			"paid generation).", parentID, button, k.noun)
	default:
		detail += fmt.Sprintf("Image %s, read just now, does not list %s in used_buttons: Akool has not "+
			"registered the press, so it started no %s and charged nothing. Apply again to press the button; "+
			"the plan reads the image first, and stops before sending anything if Akool lists the button as "+
			"used by then (its reads can lag a moment behind its writes).", parentID, button, k.noun)
	}
	return diag.NewErrorDiagnostic(k.operation+" Outcome Unknown", detail)
}
