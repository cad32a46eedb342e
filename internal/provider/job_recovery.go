package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"

	"github.com/akool-community/terraform-provider-akool/internal/akool"
)

// What a plan does with a job in state that has not delivered its picture:
//
//   - pending: the job may still deliver it (unfinished, or completed
//     without a URL listed yet, and not expired): an in-place update
//     waits for it, for free.
//   - dead: it never will. Akool reported it failed, or it is lost: it had
//     not delivered a picture when Akool stopped knowing it (code 1008 once the job is
//     older than akool.JobLostAfter, or the 7 days Akool keeps images have
//     passed). The plan replaces it, a new paid job counted against
//     max_new_images, and a warning names the job and says so.

// jobInState reads from state what a plan needs to know of its job.
func jobInState(ctx context.Context, state tfsdk.State, diags *diag.Diagnostics) jobResultModel {
	var m jobResultModel
	for name, target := range map[string]any{"id": &m.ID, "status": &m.Status, "image_url": &m.ImageURL,
		"created_at": &m.CreatedAt, "expired": &m.Expired} {
		diags.Append(state.GetAttribute(ctx, path.Root(name), target)...)
	}
	return m
}

// pending reports whether the next apply waits for the job's picture.
func (m *jobResultModel) pending() bool {
	completedWithoutURL := m.Status.ValueString() == akool.StatusCompleted.String() && m.ImageURL.IsNull()
	return !m.Expired.ValueBool() && (jobUnfinished(m.Status) || completedWithoutURL)
}

// delivered reports whether the job delivered its picture: its URL is known.
func (m *jobResultModel) delivered() bool { return isSet(m.ImageURL) && m.ImageURL.ValueString() != "" }

// lost reports whether Akool stopped knowing the job before it delivered
// its picture (unfinished, or completed without a URL).
func (m *jobResultModel) lost() bool { return !m.delivered() && m.Expired.ValueBool() }

// dead reports whether the job will never deliver a picture.
func (m *jobResultModel) dead() bool {
	return m.lost() || m.Status.ValueString() == akool.StatusFailed.String()
}

// jobAge is how long ago the job was created, by created_at or else the
// time its ObjectId carries; known is false when neither tells.
func jobAge(m *jobResultModel, now time.Time) (age time.Duration, known bool) {
	created, err := time.Parse(time.RFC3339, m.CreatedAt.ValueString())
	if err != nil {
		if created, known = akool.IDTime(m.ID.ValueString()); !known {
			return 0, false
		}
	}
	return now.Sub(created), true
}

// planJobRecovery is the ModifyPlan of every resource that follows one Akool
// job: a pending job plans an in-place update that waits for it, a dead job
// plans a replacement, with a warning that words name.
func planJobRecovery(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse, words jobWords) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	job := jobInState(ctx, req.State, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	switch {
	case job.pending():
		resp.Diagnostics.Append(markResultsUnknown(ctx, &resp.Plan)...)
	case job.dead():
		resp.Diagnostics.Append(markResultsUnknown(ctx, &resp.Plan)...)
		resp.RequiresReplace = append(resp.RequiresReplace, path.Root("status"))
		resp.Diagnostics.Append(deadJobWarning(&job, words.operation,
			"This plan replaces the resource: applying "+words.redo+"."))
	}
}

// deadJobWarning says that the job in m failed or is lost, and then outcome:
// full sentences on what the plan does about it.
func deadJobWarning(m *jobResultModel, operation, outcome string) diag.Diagnostic {
	id := m.ID.ValueString()
	if m.Status.ValueString() == akool.StatusFailed.String() {
		return diag.NewWarningDiagnostic(fmt.Sprintf("%s Failed: Job %s", operation, id),
			fmt.Sprintf("Akool reports job %s as failed (image_status 4, status = \"failed\"), and its answer "+
				"gives no message saying why: the job produced no picture. %s", id, outcome))
	}
	created := ""
	if m.CreatedAt.ValueString() != "" {
		created = " (created at " + m.CreatedAt.ValueString() + ")"
	}
	return diag.NewWarningDiagnostic(fmt.Sprintf("%s Lost: Job %s", operation, id),
		fmt.Sprintf("Akool no longer knows job %s%s, which never delivered a picture (last status: %s): the "+
			"job is lost. Akool's reads lag behind its writes, so a new job may be "+
			"missing from them for a while; the provider counts a job as lost only when Akool still answers "+
			"code 1008 (not found) for it %s after its creation, or once the 7 days Akool keeps images have "+
			"passed. %s", id, created, m.Status.ValueString(), inWords(akool.JobLostAfter), outcome))
}

// notShownWarning is the refresh's warning for a job that Akool answered
// 1008 for, age after its creation, too early to count it as lost.
func notShownWarning(w expiryWords, m *jobResultModel, age time.Duration) diag.Diagnostic {
	return diag.NewWarningDiagnostic(w.summary("Job Not Shown by Akool Yet", m),
		fmt.Sprintf("%s, which it accepted %s ago and which has "+
			"not finished. Akool's reads lag behind its writes, so a new job can be missing from them for a "+
			"while: nothing is marked expired or lost, the job stays in state as it was, and the next terraform "+
			"apply continues waiting for it for free. Only if Akool still does not show it %s after its creation "+
			"does it count as lost; the plan then says so and generates a new one.",
			w.notFound(m), age.Round(time.Second), inWords(akool.JobLostAfter)))
}

// urlMissingWarning is the end of a wait, or a refresh, that found job id
// completed without a picture URL (image or external_img); waited is how
// long a wait read it again for it (0 for a refresh).
func urlMissingWarning(id string, waited time.Duration) diag.Diagnostic {
	after := "at this refresh"
	if waited > 0 {
		after = fmt.Sprintf("in any of the answers read for %s after it completed", waited.Round(time.Second))
	}
	return diag.NewWarningDiagnostic("Image URL Not Listed Yet: Job "+id,
		fmt.Sprintf("Akool reports job %s as completed (image_status 3), but named no picture URL (neither image "+
			"nor external_img) %s. The job is finished and paid for, so it is kept, not tainted, with status = "+
			"\"completed\" and image_url not set. The next terraform apply reads it again for free, in place, "+
			"without generating anything, and records the URL once Akool lists it.", id, after))
}
