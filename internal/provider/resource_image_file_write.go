package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/akool-community/terraform-provider-akool/internal/localcopy"
)

// imageFileWrite says where write gets the image and what it may do with a
// file already at the path.
type imageFileWrite struct {
	// from describes the verified local copy to read back; nil to download.
	from *imageFileResourceModel
	// keepOther, for a move, is the SHA-256 of this resource's picture: a
	// file at the new path that is not it is set aside, not written over.
	// "" writes over the file at the path.
	keepOther string
	// keepAny, for a create, sets aside whatever file is at the path (see
	// imageFileKeepAtCreate), as keepOther does for a move.
	keepAny bool
	// remark writes the marking into a copy read back (a download is always
	// marked).
	remark bool
	// takeOver, for a create, adopts the image already at the path when the
	// URL no longer serves (Akool's 7 days are over): it may be the only
	// copy, left there by the object that this one replaces.
	takeOver bool
}

// write is the one way this resource writes its file. Within the timeout
// that limit reads from the timeouts block (its Create or Update), it walks
// the local copy's steps in one direction: get the image (a download of
// plan.URL or, when how.from describes the verified local copy, that copy
// read back), mark it when the marking is to be written (a download, or a
// copy whose checksum the plan leaves unknown), and write it to plan.Path in
// one verified atomic write (localcopy.Written.Place), so the file there is
// replaced once, and only by a complete image. It records the result in
// plan, and turns what the steps returned into diagnostics.
func (r *imageFileResource) write(ctx context.Context, limit func(context.Context, time.Duration) (time.Duration, diag.Diagnostics),
	plan *imageFileResourceModel, how imageFileWrite) diag.Diagnostics {
	from := how.from
	remark := from == nil || how.remark
	var notes diag.Diagnostics // the marking's warnings, for a write that succeeds
	if remark && plan.DigitalSourceType.IsUnknown() {
		// Before the timeout starts: reading the job is not the download.
		notes.Append(r.describeJob(ctx, &plan.imageFileMarking)...)
	}
	timeout, diags := limit(ctx, imageFileDefaultTimeout)
	if diags.HasError() {
		return diags
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	filePath := plan.Path.ValueString()
	if from != nil && remark && !plan.settings().enabled() && !from.Marked.ValueBool() &&
		localcopy.SamePath(from.Path.ValueString(), filePath) {
		// Marking off for a copy that carries none: nothing to write.
		plan.Marked, plan.DownloadSHA256 = types.BoolValue(false), from.SHA256
		plan.setFromInfo(filePath, from.info())
		r.written().Note(filePath)
		return append(diags, notes...)
	}
	var src *localcopy.Source
	var err error
	if from == nil {
		src, err = localcopy.Download(ctx, r.imageClient(), plan.URL.ValueString())
		if taken, ok := r.takeOver(ctx, plan, how, err); ok {
			src, err = taken, nil
			how.keepAny = false // the file at the path is the picture written back
			notes.AddAttributeWarning(path.Root("path"), "Image File Taken Over",
				fmt.Sprintf("The URL of this image no longer serves (%v), so the image already at %q was kept and "+
					"recorded as this resource's copy instead of being downloaded again: it is the copy that an "+
					"earlier object kept there (a renamed address, or terraform apply -replace), or a file put there "+
					"by hand. Akool keeps generated images for 7 days only; keep this file in storage of your own.",
					localcopy.DisplayURL(plan.URL.ValueString()), filePath))
		}
	} else {
		src, err = localcopy.ReadCopy(ctx, from.Path.ValueString(), from.SHA256.ValueString())
	}
	if err != nil {
		return imageFileWriteFailure(plan, from, timeout, err)
	}
	data := src.Data
	if remark {
		var warnings diag.Diagnostics
		if data, warnings, err = r.mark(plan, from, src); err != nil {
			return imageFileWriteFailure(plan, from, timeout, err)
		}
		notes.Append(warnings...)
	}
	own := how.keepOther
	if how.keepAny && own == "" {
		sum := sha256.Sum256(data)
		own = hex.EncodeToString(sum[:]) // the very file written is no other file
	}
	placed, err := r.written().Place(filePath, data, own != "", own)
	if err != nil {
		return imageFileWriteFailure(plan, from, timeout, err)
	}
	tflog.Debug(ctx, "wrote image file", map[string]any{"path": filePath, "size": placed.Size, "sha256": placed.SHA256})
	plan.setFromInfo(filePath, placed.Info)
	if placed.SetAside != "" {
		notes.AddAttributeWarning(path.Root("path"), "Image File Set Aside",
			fmt.Sprintf("%q already held another file, which was not written over: it was renamed to %q. When it is "+
				"the copy of another akool_image_file that moves away in this apply (two paths swapped), that "+
				"resource takes it from there and removes it. Otherwise it is kept there: move it back, or delete "+
				"it by hand if you no longer need it.", filePath, placed.SetAside))
	}
	return append(diags, notes...)
}

// updateFile writes the file of an update that ModifyPlan planned to write,
// getting the image from where the disk allows now, which may differ from
// what it was when the plan was made (a saved plan applied by another job,
// on a fresh runner): the verified local copy (moved, or rewritten with the
// new marking) or, when there is none, a download. When the copy is missing
// and the URL does not serve (a fresh runner after Akool's 7 days), nothing
// is written: the new path and marking are recorded (a restore has nothing
// to record), with a warning, and written reports false. A file at the path
// that is not the copy recorded, which the refresh of the plan did not find
// (foundChanged: it changed after the plan was made), is set aside beside
// it, never written over: the plan did not say that it would be. It fills
// in plan what the plan left unknown.
func (r *imageFileResource) updateFile(ctx context.Context, state imageFileResourceModel, plan *imageFileResourceModel,
	foundChanged bool) (written bool, diags diag.Diagnostics) {
	moved := !localcopy.SamePath(state.Path.ValueString(), plan.Path.ValueString())
	how := imageFileWrite{remark: imageFileRemarks(state, *plan)}
	if moved || !foundChanged {
		how.keepOther = state.SHA256.ValueString()
	}
	switch {
	case rewritableCopy(state, *plan):
		how.from = &state
	case !imageFileURLChanged(state, *plan) && imageFileCopyMissing(state):
		probeErr := errImageFileNoURL
		if !plan.URL.IsNull() {
			probeErr = localcopy.Probe(ctx, r.imageClient(), plan.URL.ValueString())
		}
		if probeErr == nil {
			break // download it
		}
		if !imageFileUnserved(probeErr) {
			diags.AddAttributeError(path.Root("url"), "Unable to Reach Image URL", fmt.Sprintf(
				"There is no file at %q, and whether its URL still serves the image could not be checked (%v), so "+
					"the copy was not restored and nothing was written or recorded. Apply again once the URL can be "+
					"reached: while Akool keeps the image (7 days), it is downloaded again without a new generation.",
				state.Path.ValueString(), probeErr))
			return false, diags
		}
		var what []string
		if moved {
			what = append(what, fmt.Sprintf("The new path %q was recorded without writing anything there.", plan.Path.ValueString()))
		}
		if how.remark {
			// marked = null has it written into the file once it is back.
			plan.Marked = types.BoolNull()
			what = append(what, "The new marking was recorded; it is written into the file, in place, by the "+
				"first apply after the file is back.")
		}
		if what == nil {
			what = append(what, "Nothing was written.") // a restore
		}
		addImageFileLost(&diags, "path", state, probeErr, strings.Join(what, " "))
		plan.keepUnknown(state)
		return false, diags
	case plan.URL.IsNull():
		diags.AddAttributeError(path.Root("url"), "Image URL Not Set", imageFileURLNotSet(fmt.Sprintf(
			"The file at %q is not the copy this resource wrote, so it cannot be moved or rewritten, and nothing "+
				"was written or deleted.", state.Path.ValueString())))
		return false, diags
	}
	diags.Append(r.write(ctx, plan.Timeouts.Update, plan, how)...)
	plan.keepUnknown(state) // a copy moved as it is: its marking and download are the recorded ones
	return true, diags
}

// imageFileKeepAtCreate reports whether a create sets aside the file
// already at filePath instead of writing over it: any file but a copy this
// provider marked (the copy of the object that this one replaces, written
// over without a word). Such a file may be the only copy of something, such
// as a picture edited by hand that the destroy of the object this one
// replaces kept ("Image File Kept").
func imageFileKeepAtCreate(filePath string) bool {
	if _, err := os.Lstat(filePath); err != nil {
		return false // nothing there (or nothing that can be read, which the write reports)
	}
	return !localcopy.FileMarked(filePath)
}

// imageFileFoundChanged reports whether the refresh before the plan found
// the file at the path changed (Read's restore or lost marker says so): the
// plan then said that the update writes over it.
func imageFileFoundChanged(ctx context.Context, private interface {
	GetKey(context.Context, string) ([]byte, diag.Diagnostics)
}) bool {
	for _, key := range []string{imageFileRestoreKey, imageFileLostKey} {
		marker, _ := private.GetKey(ctx, key)
		var found imageFileRestore
		if json.Unmarshal(marker, &found) == nil && found.Local == localcopy.Changed.String() {
			return true
		}
	}
	return false
}

// keepUnknown sets what the plan left unknown about the file, and an
// update neither wrote nor read, to what state recorded.
func (m *imageFileResourceModel) keepUnknown(state imageFileResourceModel) {
	for _, v := range []struct{ plan, state *types.String }{
		{&m.SHA256, &state.SHA256}, {&m.ContentType, &state.ContentType}, {&m.DownloadSHA256, &state.DownloadSHA256},
		{&m.DigitalSourceType, &state.DigitalSourceType},
	} {
		if v.plan.IsUnknown() {
			*v.plan = *v.state
		}
	}
	for _, v := range []struct{ plan, state *types.Int64 }{{&m.Size, &state.Size}, {&m.Width, &state.Width}, {&m.Height, &state.Height}} {
		if v.plan.IsUnknown() {
			*v.plan = *v.state
		}
	}
	if m.Marked.IsUnknown() {
		m.Marked = state.Marked
	}
	if m.ImageCreatedAt.IsUnknown() {
		// The job of a new image_id is read when the marking is written.
		m.ImageCreatedAt = types.StringNull()
	}
}

// takeOver reads back the image already at plan's path when a create's
// download failed because the URL no longer serves (how.takeOver); ok is
// false when there is nothing to take over.
func (r *imageFileResource) takeOver(ctx context.Context, plan *imageFileResourceModel, how imageFileWrite, downloadErr error) (*localcopy.Source, bool) {
	if !how.takeOver || !localcopy.NotServed(downloadErr) {
		return nil, false
	}
	src, err := localcopy.ReadFile(ctx, plan.Path.ValueString(), "")
	if err != nil {
		return nil, false
	}
	if _, err := localcopy.Verify(src.Data); err != nil {
		return nil, false
	}
	// A copy this provider marked was made from the download without it.
	src.SHA256 = localcopy.OriginalSHA256(src.Data)
	return src, true
}

// imageFileWriteFailure explains why write could not put the image at
// plan.Path; the file there, and the copy that from describes, are as they
// were.
func imageFileWriteFailure(plan, from *imageFileResourceModel, timeout time.Duration, err error) (diags diag.Diagnostics) {
	rawURL, filePath := plan.URL.ValueString(), plan.Path.ValueString()
	source := localcopy.DisplayURL(rawURL)
	if from != nil {
		source = fmt.Sprintf("the local copy at %q", from.Path.ValueString())
	}
	var writeErr *localcopy.WriteError
	if errors.As(err, &writeErr) {
		diags.AddAttributeError(path.Root("path"), "Unable to Write Image File",
			fmt.Sprintf("The image from %s could not be saved to %q: %v. The image itself is kept: nothing was "+
				"deleted, and nothing in Akool changed. Fix the path (or the permissions of its directory) and "+
				"apply again: writing the image again generates nothing and spends no credits.",
				source, filePath, writeErr.Err))
		return diags
	}
	if from != nil {
		diags.AddAttributeError(path.Root("path"), "Unable to Move Image File",
			fmt.Sprintf("Copying %s to %q failed: %v. Nothing was moved or deleted: the file at %q is as it was. "+
				"If it changed since the plan, run terraform plan again.", source, filePath, err, from.Path.ValueString()))
		return diags
	}
	detail := fmt.Sprintf("Downloading %s to %q failed: %v.", source, filePath, err)
	if localcopy.NotServed(err) {
		detail += " Akool keeps generated images for 7 days; once a URL has expired it cannot be downloaded again. " +
			"Generate a new image deliberately (for example `terraform apply -replace=<address of the image resource>`) or point `url` at a copy you kept."
	} else if errors.Is(err, context.DeadlineExceeded) {
		detail += fmt.Sprintf(" The download did not finish within %s; raise it with a `timeouts` block if the connection is slow.", timeout)
	}
	diags.AddAttributeError(path.Root("url"), "Unable to Download Image", detail+" Any file already at the path is as it was.")
	return diags
}

// release deletes the file at filePath, which the resource in state wrote,
// once the resource no longer keeps it there (destroy, or a move to another
// path). A file that another object wrote during this apply, such as the
// object that replaces this one with create_before_destroy, belongs to that
// object and stays without a word. Any other file whose content is not the
// one this resource wrote may be the only copy of something else (a file
// changed by hand), so it is kept, with a warning.
func (r *imageFileResource) release(ctx context.Context, filePath string, state imageFileResourceModel) (diags diag.Diagnostics) {
	if state.SHA256.IsNull() || state.SHA256.IsUnknown() {
		diags.AddAttributeWarning(path.Root("path"), "Image File Kept",
			fmt.Sprintf("The file at %q was not deleted: this resource has no checksum of the file it wrote to "+
				"compare it with. It may be the only copy of that content, so Terraform only stops managing it. "+
				"Remove it by hand if you no longer need it.", filePath))
		return diags
	}
	released, err := r.written().Release(filePath, state.SHA256.ValueString(), state.Size.ValueInt64())
	switch {
	case released == localcopy.WrittenAgain:
		tflog.Debug(ctx, "image file written again during this apply; it belongs to the object that wrote it", map[string]any{"path": filePath})
	case released == localcopy.NotOurs:
		why := fmt.Sprintf("its content is not the image this resource wrote (SHA-256 %s); it changed since "+
			"the last apply", state.SHA256.ValueString())
		if err != nil {
			why = fmt.Sprintf("it could not be compared with the file this resource wrote (%v)", err)
		}
		diags.AddAttributeWarning(path.Root("path"), "Image File Kept",
			fmt.Sprintf("The file at %q was not deleted: %s. It may be the only copy of that content, so "+
				"Terraform only stops managing it. Remove it by hand if you no longer need it.", filePath, why))
	case err != nil:
		diags.AddAttributeError(path.Root("path"), "Unable to Delete Image File",
			fmt.Sprintf("Removing %q failed: %v. Remove it by hand, or fix its permissions and apply again.", filePath, err))
	}
	return diags
}

// onlyCopy reports why the intact copy in state at its path cannot be
// downloaded again (its URL does not serve, or there is none), or nil when
// it can, or when there is no intact copy there to keep.
func (r *imageFileResource) onlyCopy(ctx context.Context, state imageFileResourceModel) error {
	if state.SHA256.IsNull() || state.SHA256.IsUnknown() {
		return nil
	}
	// A copy that is gone, changed or unreadable is release's to report.
	if !imageFileCopyIntact(state) {
		return nil
	}
	if state.URL.IsNull() {
		return errImageFileNoURL
	}
	return localcopy.Probe(ctx, r.imageClient(), state.URL.ValueString())
}

// errImageFileNoURL is why a copy whose url is null cannot be downloaded
// again.
var errImageFileNoURL = errors.New("this resource has no URL to download it from")

// imageFileCopyPath is where the copy in state is: at its path or, when a
// move wrote over that path and set the copy aside, at its SetAsidePath.
func imageFileCopyPath(state imageFileResourceModel) string {
	filePath, sum := state.Path.ValueString(), state.SHA256.ValueString()
	if local, err := localcopy.Check(filePath, sum, state.Size.ValueInt64()); err == nil && local == localcopy.Matches {
		return filePath
	}
	aside := localcopy.SetAsidePath(filePath, sum)
	if local, err := localcopy.Check(aside, sum, state.Size.ValueInt64()); err == nil && local == localcopy.Matches {
		return aside
	}
	return filePath
}

// imageFileCopyIntact reports whether the copy recorded is at the state's
// path, or set aside beside it by a move that wrote over that path.
func imageFileCopyIntact(state imageFileResourceModel) bool {
	local, err := localcopy.FindCopy(state.Path.ValueString(), state.SHA256.ValueString(), state.Size.ValueInt64())
	return err == nil && local == localcopy.Matches
}

// imageFileUnserved reports whether why, the reason a copy cannot be
// downloaded, says that its URL no longer serves it (there is none, or it
// answers 404 or 410), rather than that it could not be checked.
func imageFileUnserved(why error) bool {
	return errors.Is(why, errImageFileNoURL) || localcopy.NotServed(why)
}

// imageFileKeptDetail says what destroying a copy that cannot be downloaded
// again does: the file stays, and Terraform stops managing it. A URL that
// could not be checked (the host unreachable, an error status) may still
// serve: the copy is kept all the same, and not called the only one.
func imageFileKeptDetail(filePath string, why error) string {
	const keeps = "Destroying this resource, or replacing it, keeps the file on disk and only stops managing it, " +
		"so that a renamed address or a replacement (terraform apply -replace) takes it over and no picture is " +
		"lost. If you no longer need it, delete it by hand after the apply."
	if imageFileUnserved(why) {
		return fmt.Sprintf("The file at %q is the only copy of its picture: it cannot be downloaded again (%v; "+
			"Akool keeps generated images for 7 days only). %s", filePath, why, keeps)
	}
	return fmt.Sprintf("The file at %q may be the only copy of its picture: whether its URL still serves it "+
		"could not be checked (%v). %s", filePath, why, keeps)
}
