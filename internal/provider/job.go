package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/akool-community/terraform-provider-akool/internal/akool"
)

// jobWait is one wait for the job of m, within timeout; resumed says
// whether it is an update resuming an earlier job. Its outcome goes to
// state and diags.
type jobWait struct {
	m       jobModel
	timeout time.Duration
	resumed bool
	state   *tfsdk.State
	diags   *diag.Diagnostics
}

// waitEnd is how a wait ended: the last answer Akool gave, the wait's
// error, the error of the operation's own context (set when Terraform
// cancels it), and the time, which expiry is computed from.
type waitEnd struct {
	final     *akool.Image
	err       error
	parentErr error
	now       time.Time
}

// run waits until the job has finished, and records how the wait ended
// (finish). A grid (a v3 generated image or a variation) is finished once
// Akool lists its four single images too, so that upscaled_urls can be used
// in the same apply.
func (w jobWait) run(ctx context.Context, data *providerData, client *akool.Client) {
	waitCtx, cancel := context.WithTimeout(ctx, w.timeout)
	defer cancel()
	created, _ := time.Parse(time.RFC3339, w.m.job().CreatedAt.ValueString())
	final, err := client.WaitFor(waitCtx, w.m.job().ID.ValueString(),
		akool.WaitOptions{Grid: resultIsGrid(w.m), Progress: logProgress(ctx), Created: created})
	w.finish(ctx, waitEnd{final: final, err: data.credentialsNote(err), parentErr: ctx.Err(), now: data.now()})
}

// resultIsGrid reports whether the job of m makes a 2x2 grid.
func resultIsGrid(m jobModel) bool {
	switch m := m.(type) {
	case *generatedImageModel:
		return m.APIVersion.ValueString() == apiV3
	case *imageVariationModel:
		return true
	}
	return false
}

// singlesMissingWarning is the end of a wait for a grid that Akool finished
// without listing its single images in time: the grid exists and was paid
// for, so it is kept, and a later refresh fills upscaled_urls in.
func singlesMissingWarning(id string, missing *akool.SinglesMissingError) diag.Diagnostic {
	listed := "is empty"
	if n := len(missing.Image.UpscaledURLs); n > 0 {
		listed = fmt.Sprintf("holds only %d of the four", n)
	}
	return diag.NewWarningDiagnostic("Single Images Not Listed Yet",
		fmt.Sprintf("Akool finished image %s and its grid is saved in image_url, but upscaled_urls %s because Akool "+
			"has not listed the grid's single images yet (the provider read the image again for %s after it "+
			"completed). Nothing else is wrong: the image is kept, is not regenerated, and no credits are spent "+
			"again. A later refresh (the next terraform plan or terraform apply) fills upscaled_urls in without "+
			"planning any change; references to upscaled_urls in this apply saw what Akool had listed.",
			id, listed, missing.Waited.Round(time.Second)))
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
	tflog.Info(ctx, "Resuming the wait for an unfinished Akool job", map[string]any{"id": m.job().ID.ValueString()})
	jobWait{m: m, timeout: timeout, resumed: true, state: state, diags: diags}.run(ctx, data, client)
}

// jobModel is the state of a resource that follows one Akool job.
type jobModel interface {
	// applyImage records what Akool reports about the job, expired as of now.
	applyImage(img *akool.Image, now time.Time)
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
	failedKept       bool   // a failed job ends the wait with a warning, untainted: replacing it would not work
	unfinishedEffect string // full sentences: what is missing until the job has finished
	redo             string // what applying a replacement of a failed or lost job does, after "applying"
	lostAdvice       string // full sentences after a wait found the job lost; "" means the next plan replaces it
}

// saveAndWait is the end of every Create: it saves the job Akool has just
// accepted in state before anything else can fail, so that the id of a paid
// job is never lost, then waits for it within the create timeout and records
// the outcome. A wait that ends before the job does is a warning, so that
// the resource is kept untainted and the next apply resumes the wait.
func saveAndWait(ctx context.Context, data *providerData, client *akool.Client, m jobModel, img *akool.Image,
	timeout time.Duration, state *tfsdk.State, diags *diag.Diagnostics) {
	m.applyImage(img, data.now())
	diags.Append(state.Set(ctx, m)...)
	if diags.HasError() {
		return
	}
	jobWait{m: m, timeout: timeout, state: state, diags: diags}.run(ctx, data, client)
}

// finish saves what the wait learnt, expired as of the end's time, and
// reports how it ended.
func (w jobWait) finish(ctx context.Context, end waitEnd) {
	job, words := w.m.job(), w.m.waitWords()
	if end.final != nil && end.final.Status.Known() {
		w.m.applyImage(end.final, end.now)
	}
	// Only a final 1008 loses the job (past akool.JobLostAfter): it never
	// delivered a picture, and the next plan replaces it. A 1008 read as the
	// wait's context ended is that end, not a loss.
	var lostErr *akool.LostError
	lost := errors.As(end.err, &lostErr)
	if lost {
		job.markExpired()
	}
	w.diags.Append(w.state.Set(ctx, w.m)...)
	id := job.ID.ValueString()
	var missing *akool.SinglesMissingError
	var noURL *akool.URLMissingError
	var failed *akool.JobFailedError
	switch {
	case end.err == nil:
		tflog.Info(ctx, "Akool finished the job", map[string]any{"id": id})
	case errors.As(end.err, &missing):
		w.diags.Append(singlesMissingWarning(id, missing))
	case errors.As(end.err, &noURL):
		w.diags.Append(urlMissingWarning(id, noURL.Waited))
	case errors.As(end.err, &failed):
		detail := fmt.Sprintf("Akool reported job %s as failed (image_status 4): it did not produce a picture. %s", id, words.failedAdvice)
		if words.failedKept {
			w.diags.AddWarning(words.operation+" Failed", detail)
		} else {
			w.diags.AddError(words.operation+" Failed", detail)
		}
	case lost:
		advice := words.lostAdvice
		if advice == "" {
			advice = "The next plan replaces this resource: applying " + words.redo + "."
		}
		w.diags.Append(deadJobWarning(job, words.operation, advice))
	default:
		// A warning, not an error: an error from Create taints the resource,
		// and the next apply would replace it, paying for a new job (or, for
		// a button, pressing a used one) instead of waiting for the one
		// already paid for.
		w.diags.AddWarning(words.operation+" Not Finished", w.notFinished(end))
	}
}

// notFinished says why a wait ended before its job did, and what the next
// apply does about it.
func (w jobWait) notFinished(end waitEnd) string {
	job, words := w.m.job(), w.m.waitWords()
	var what string
	switch {
	case end.parentErr != nil:
		what = "Terraform interrupted the wait"
	case errors.Is(end.err, context.DeadlineExceeded):
		what = fmt.Sprintf("the job did not finish within the create timeout (%s)", w.timeout)
	default:
		what = "reading the job's status failed: " + readErrorText(end.err)
	}
	what = strings.TrimSuffix(what, ".")
	var notShown *akool.NotShownError
	if errors.As(end.err, &notShown) {
		what += fmt.Sprintf(". Akool does not show the job yet: it answered code 1008 (not found) to the last %d "+
			"reads, the last one %s after it accepted the job. Akool's reads lag behind its writes, so a new job "+
			"can be missing from them for a while; the provider counts it as lost only if Akool still does not "+
			"show it %s after its creation", notShown.Reads, notShown.Since.Round(time.Second), inWords(akool.JobLostAfter))
	}
	accepted := "Akool job " + job.ID.ValueString()
	if !w.resumed {
		accepted = fmt.Sprintf("Akool accepted job %s (credits spent), and it", job.ID.ValueString())
	}
	return fmt.Sprintf("%s is still running (last status: %s), but %s. Its id stays in state and the resource is "+
		"not tainted: the next terraform apply continues waiting for the same job for free, without "+
		"generating a new image or spending credits. %s To wait longer in one apply, raise timeouts.create; "+
		"to make an apply fail while the job is unfinished, add a postcondition on status.",
		accepted, job.Status.ValueString(), what, words.unfinishedEffect)
}

// refreshJob is the part of Read that every image resource shares: it asks
// Akool for the job in m and returns the answer to record, or nil when Read
// has nothing more to do. An image already known to be expired (in state, or
// by the date) is not read again: nothing Akool could answer changes it.
// When Akool no longer knows the job (1008), the resource stays in state with
// its last known values, marked expired: removing it would plan a new
// generation or press, which costs credits and gives a different picture, or
// is refused for a used button.
func refreshJob(ctx context.Context, data *providerData, m jobModel, words expiryWords, importing bool,
	state *tfsdk.State, diags *diag.Diagnostics) *akool.Image {
	job := m.job()
	id := job.ID.ValueString()
	datesChanged := !importing && job.refreshExpiryByDate(data.now())
	if !importing && job.Expired.ValueBool() {
		// Nothing Akool could answer changes an expired image's state, so a
		// plan over many old images spends no read on them. A job that never
		// delivered a picture is the plan's to warn about (planJobRecovery).
		diags.Append(state.Set(ctx, m)...)
		if job.delivered() {
			diags.Append(expiredWarning(words, job)...)
		}
		return nil
	}
	client := refreshClient(data, id, importing, diags)
	if client == nil {
		if datesChanged {
			// Without a client the date is all there is.
			diags.Append(state.Set(ctx, m)...)
		}
		return nil
	}

	img, err := client.GetImage(ctx, id)
	if err == nil && img.Status == akool.StatusCompleted && img.ImageURL == "" && !importing {
		// As a wait does: the job has finished, its URL is not listed yet.
		// State keeps the URL it knows, if any; without one the plan waits.
		img.ImageURL = job.ImageURL.ValueString()
		if img.ImageURL == "" {
			diags.Append(urlMissingWarning(id, 0))
		}
	} else {
		err = checkReported(img, err)
	}
	if akool.IsNotFound(err) && !importing {
		if age, known := jobAge(job, data.now()); !job.delivered() && known && age < akool.JobLostAfter {
			// Replica lag: nothing is gone for good; the next refresh sees
			// the job as Akool shows it then.
			if datesChanged {
				diags.Append(state.Set(ctx, m)...)
			}
			diags.Append(notShownWarning(words, job, age))
			return nil
		}
		job.markExpired()
		if job.delivered() {
			diags.Append(goneWarning(words, job))
		}
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

// jobBlocks are the blocks of every job resource: timeouts, whose create
// bounds the wait for the job.
func jobBlocks(ctx context.Context) map[string]schema.Block {
	return map[string]schema.Block{
		"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, CreateDescription: createTimeoutDescription}),
	}
}

// deleteJob is the Delete of every job resource. Akool has no call to delete
// an image: it stays in the account until it expires. The framework removes
// the resource from state.
func deleteJob(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var id types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("id"), &id)...)
	if resp.Diagnostics.HasError() {
		return
	}
	tflog.Debug(ctx, "Removing the image from state; it stays in the Akool account until it expires", map[string]any{"id": id.ValueString()})
}

// importJob is the ImportState of every job resource: it takes the id and
// opens the adoption window (see importMarker), listing the inputs unread
// that an import of this type can never read back; Read fills the rest.
func importJob(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse, unread []string) {
	id := importID(req.ID, &resp.Diagnostics)
	if id == "" {
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	resp.Diagnostics.Append(setImportMarker(ctx, resp.Private, &importMarker{Unread: unread})...)
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
