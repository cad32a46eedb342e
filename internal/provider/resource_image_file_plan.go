package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/akool-community/terraform-provider-akool/internal/localcopy"
)

// imageFileLostKey is the private-state key that Read sets when the local
// copy is missing or changed and the URL does not serve, and Update when it
// recorded a change without writing: a decision that depends on whether
// the copy is there takes it from what refresh found, which a saved plan
// keeps, rather than from the disk, which may differ when it is applied.
const imageFileLostKey = "lost"

// ModifyPlan makes id known at plan time (it is the path) and plans whether
// an update writes the file (planWrite, planMarking). An update that writes
// it leaves every attribute that describes the file as written unknown,
// however it will be written: Terraform runs ModifyPlan again when it
// applies, on the disk of the runner that applies (a saved plan may be
// applied by another job, on a fresh runner), and a value known in the plan
// must stay what it was. Update decides from that disk how to write the
// file: from the verified local copy, by a download, or (the copy missing
// and its URL no longer serving) not at all.
func (r *imageFileResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		r.planDestroy(ctx, req, resp)
		return
	}
	var plan imageFileResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	filePath := plan.Path.ValueString()
	if !plan.Path.IsUnknown() {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("id"), plan.Path)...)
	}
	if r.claimPath(plan, &resp.Diagnostics) {
		return
	}
	if req.State.Raw.IsNull() {
		// A create, or a replacement, which Terraform plans a second time as
		// a create: the download will write the path.
		if plan.URL.IsNull() {
			resp.Diagnostics.AddAttributeWarning(path.Root("url"), "Image URL Not Set",
				imageFileURLNotSet("This file cannot be created until url is set: its create fails at apply, "+
					"writing nothing, and every other resource plans and applies as usual."))
		}
		if !plan.Path.IsUnknown() {
			addUnwritablePathError(filePath, &resp.Diagnostics)
			r.warnFileAtPath(ctx, plan, &resp.Diagnostics)
		}
		return
	}

	var state imageFileResourceModel
	restore := &imageFileRestore{}
	found, diags := priorStateAndRestore(ctx, req, imageFileRestoreKey, &state, restore)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !found {
		restore = nil
	}
	lost, diags := req.Private.GetKey(ctx, imageFileLostKey)
	resp.Diagnostics.Append(diags...)
	write, download := r.planWrite(ctx, state, plan, restore, imageFileFoundChanged(ctx, req.Private), &resp.Diagnostics)
	if r.planMarking(ctx, state, plan, download, len(lost) > 0, &resp.Diagnostics) {
		write = true
	}
	if !write || resp.Diagnostics.HasError() {
		return
	}
	if !plan.Path.IsUnknown() {
		addUnwritablePathError(filePath, &resp.Diagnostics)
	}
	unknown := map[string]attr.Value{
		"sha256": types.StringUnknown(), "content_type": types.StringUnknown(), "download_sha256": types.StringUnknown(),
		"size": types.Int64Unknown(), "width": types.Int64Unknown(), "height": types.Int64Unknown(),
		"marked": types.BoolUnknown(),
	}
	if !plan.ImageID.Equal(state.ImageID) || (!plan.ImageID.IsNull() && state.ImageCreatedAt.IsNull()) {
		// A job not read yet, or that failed to read: the marking reads it.
		unknown["digital_source_type"] = types.StringUnknown()
		unknown["image_created_at"] = types.StringUnknown()
	}
	for name, value := range unknown {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(name), value)...)
	}
}

// planWrite decides whether an update writes the file, and says in
// diagnostics what the disk and the URL allow now. A new url (a
// regeneration included) is downloaded and written over the file, which
// stays as it is until the new image is complete. A new path gets the local
// copy when it still matches the checksum, and otherwise a download when
// the URL serves; when the copy is missing and the URL does not serve, the
// new path is recorded without writing, and when the copy was changed and
// the URL does not serve, the plan fails before anything is touched. The
// restore marker that Read left (the copy is missing or changed and the URL
// serves) downloads again to the same path. Anything else, another spelling
// of the same path included, changes the state only. download says whether
// the write is expected to download, which only planMarking's diagnostics
// use: whether a write happens depends on the configuration, the state and
// what refresh found, never on the disk now, and Update decides again from
// the disk it finds how to write.
func (r *imageFileResource) planWrite(ctx context.Context, state, plan imageFileResourceModel, restore *imageFileRestore,
	foundChanged bool, diags *diag.Diagnostics) (write, download bool) {
	oldPath, newPath := state.Path.ValueString(), plan.Path.ValueString()
	moved := plan.Path.IsUnknown() || !localcopy.SamePath(oldPath, newPath)
	if moved && !plan.Path.IsUnknown() {
		warnPathTaken(state, newPath, diags)
	}
	switch {
	case plan.URL.IsNull():
		diags.AddAttributeWarning(path.Root("url"), "Image URL Not Set", imageFileURLNotSet(fmt.Sprintf(
			"The copy at %q is kept as it is, and url is recorded as null; once url names an image again, it is "+
				"downloaded and written over the file.", oldPath)))
		if !moved {
			return false, false
		}
	case imageFileURLChanged(state, plan):
		if !moved {
			warnOverwrite(state, foundChanged, diags)
		}
		return true, true
	case !moved && restore != nil:
		diags.AddAttributeWarning(path.Root("path"), "Local Image File Will Be Restored", restore.detail(newPath))
		return true, true
	case !moved:
		return false, false
	}

	local, err := localcopy.FindCopy(oldPath, state.SHA256.ValueString(), state.Size.ValueInt64())
	if err == nil && local == localcopy.Matches {
		return true, false
	}
	if restore != nil || plan.URL.IsUnknown() {
		return true, true // the URL served at refresh, or is the configuration's next one
	}
	probeErr := errors.New("url is null")
	if !plan.URL.IsNull() {
		probeErr = localcopy.Probe(ctx, r.imageClient(), plan.URL.ValueString())
	}
	if probeErr == nil {
		return true, true
	}
	if err == nil && local == localcopy.Missing {
		// Nothing on disk to protect (a fresh runner): the new path is
		// recorded, and the copy stays lost, as the plan says.
		addImageFileLost(diags, "path", state, probeErr, fmt.Sprintf("The new path %q is recorded without writing anything "+
			"there (should the copy be back when this plan is applied, it is moved there).", newPath))
		return true, false
	}
	what := "is missing"
	if err != nil {
		what = fmt.Sprintf("could not be read (%v)", err)
	} else if local == localcopy.Changed {
		what = "was changed outside Terraform"
	}
	diags.AddAttributeError(path.Root("path"), "Unable to Move Image File",
		fmt.Sprintf("The file at %q cannot be moved to %q: it %s, so it is not the image this resource wrote "+
			"(%d bytes with SHA-256 %s), and its URL cannot be downloaded (%v). Nothing was moved or deleted.\n\n"+
			"To move the image, put it back at %q from your own storage first. To leave it where it is, set path "+
			"back to %q. To make a new image instead, regenerate it deliberately with "+
			"`terraform apply -replace=<address of the image resource>`: this spends Akool credits and gives a "+
			"different picture, which is then downloaded to the new path.",
			oldPath, newPath, what, state.Size.ValueInt64(), state.SHA256.ValueString(), probeErr, oldPath, oldPath))
	return false, false
}

// imageFileURLChanged reports whether the plan gives the file a url other
// than the one it was downloaded from. A url recorded for the first time
// after an import (which leaves url and download_sha256 null) is no change:
// the file imported stays as it is. A url that was null because the image it
// referred to failed (download_sha256 set) is one.
func imageFileURLChanged(state, plan imageFileResourceModel) bool {
	if plan.URL.IsNull() || plan.URL.Equal(state.URL) {
		return false
	}
	return !state.URL.IsNull() || !state.DownloadSHA256.IsNull()
}

// warnOverwrite warns when the file that a new url will be written over is
// not the one this resource wrote: it may be the only copy of an edit. When
// the refresh did not find it changed (foundChanged false: it changed
// since, as when a saved plan is applied, or the plan skipped refresh), the
// apply sets it aside instead (see updateFile), and the warning says so.
func warnOverwrite(state imageFileResourceModel, foundChanged bool, diags *diag.Diagnostics) {
	filePath := state.Path.ValueString()
	local, err := localcopy.Check(filePath, state.SHA256.ValueString(), state.Size.ValueInt64())
	if err != nil || local != localcopy.Changed {
		return
	}
	if !foundChanged {
		diags.AddAttributeWarning(path.Root("path"), "Local Image File Will Be Set Aside",
			fmt.Sprintf("The file at %s changed after the refresh of this plan (it is not the image this resource "+
				"wrote, SHA-256 %s): it is not written over, but renamed to a hidden name beside it, which the apply "+
				"names, before the image at the new url is written there.", filePath, state.SHA256.ValueString()))
		return
	}
	diags.AddAttributeWarning(path.Root("path"), "Local Image File Will Be Overwritten",
		fmt.Sprintf("The file at %s changed since the last apply (it is not the image this resource wrote, SHA-256 %s); "+
			"the image at the new url will be written over it. To keep the file as it is now, copy it elsewhere "+
			"before applying.", filePath, state.SHA256.ValueString()))
}

// warnPathTaken warns when the new path of a move already holds a file that
// is not this resource's picture: it is replaced, and when it is another
// copy that moves in the same apply (two paths swapped), it may be
// overwritten before it has moved.
func warnPathTaken(state imageFileResourceModel, newPath string, diags *diag.Diagnostics) {
	local, err := localcopy.Check(newPath, state.SHA256.ValueString(), state.Size.ValueInt64())
	if err != nil || local != localcopy.Changed {
		return // free, unreadable (the write reports it), or already this picture
	}
	diags.AddAttributeWarning(path.Root("path"), "Image File At New Path Will Be Set Aside",
		fmt.Sprintf("The new path %s already holds a file that is not the image this resource keeps at %s; "+
			"it is not written over: the apply sets it aside under a hidden name beside it and says which. If it is "+
			"another akool_image_file's copy that moves away in the same apply (two paths swapped), that resource "+
			"takes it from there; otherwise it stays there for you to move back or delete.", newPath, state.Path.ValueString()))
}

// claimPath fails the plan when another akool_image_file of this
// configuration writes the same file under another spelling (or the same
// one): each apply would write it twice, and each copy would overwrite the
// other's. It reports whether it did.
func (r *imageFileResource) claimPath(plan imageFileResourceModel, diags *diag.Diagnostics) bool {
	if r.data == nil || r.data.paths == nil || plan.Path.IsUnknown() {
		return false
	}
	spelling := plan.Path.ValueString()
	// The url tells one resource from another; a replacement, which
	// Terraform plans twice, has the same.
	owner := spelling + "\x00" + plan.URL.String()
	other, clash := r.data.paths.Claim(spelling, owner)
	if !clash {
		return false
	}
	diags.AddAttributeError(path.Root("path"), "Image File Named Twice",
		fmt.Sprintf("path %q names the same file as %q, the path of another akool_image_file in this "+
			"configuration: both would write it on every apply, each over the other's copy. Nothing was "+
			"downloaded or written. Give each akool_image_file a file of its own, or remove one of them "+
			"(with a removed block, to keep the file).", spelling, other))
	return true
}

// planDestroy warns, in the plan of a destroy (the resource removed from the
// configuration, a renamed address without a moved block, terraform
// destroy), that a copy that cannot be downloaded again is kept on disk.
func (r *imageFileResource) planDestroy(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.State.Raw.IsNull() {
		return
	}
	var state imageFileResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if why := r.onlyCopy(ctx, state); why != nil {
		resp.Diagnostics.AddAttributeWarning(path.Root("path"), "Image File Will Be Kept",
			imageFileKeptDetail(imageFileCopyPath(state), why))
	}
}

// warnFileAtPath warns, in the plan of a create, that a file is already at
// its path: the apply sets it aside and writes the download there or, when
// the URL no longer serves, takes it over as this resource's copy. A copy that this
// provider marked is written over without a word while the URL serves: it
// is another object's copy of an Akool image, most often the one that this
// create replaces.
func (r *imageFileResource) warnFileAtPath(ctx context.Context, plan imageFileResourceModel, diags *diag.Diagnostics) {
	filePath := plan.Path.ValueString()
	if _, err := localcopy.Inspect(filePath); err != nil {
		return // nothing there (or not an image, which a write reports)
	}
	what := "the apply renames it to a hidden name beside it, which it names, and writes the image downloaded from url there"
	if !plan.URL.IsNull() && !plan.URL.IsUnknown() {
		if probeErr := localcopy.Probe(ctx, r.imageClient(), plan.URL.ValueString()); probeErr != nil {
			what = fmt.Sprintf("its url no longer serves (%v), so the apply takes this image over as this "+
				"resource's copy, downloading nothing", probeErr)
		} else if localcopy.FileMarked(filePath) {
			return // a copy this provider wrote, such as the one of the object this one replaces
		}
	}
	diags.AddAttributeWarning(path.Root("path"), "Image File Already At Path",
		fmt.Sprintf("%q already holds an image that this new akool_image_file did not write; %s. That is "+
			"expected when it is the copy of the object this one replaces (terraform apply -replace, or an address "+
			"renamed without a moved block). To keep the file exactly as it is and manage it instead, import it: "+
			"terraform import <address of this akool_image_file> %s (or an import block with that id).",
			filePath, what, filePath))
}

// addImageFileLost warns, on attr, about a change planned or applied while
// the copy in state is missing and its URL does not serve (a fresh runner
// after Akool's 7 days): the copy cannot be restored; what says what the
// apply does. When the URL could not be checked at all (the host
// unreachable, an error status), it says so instead: the apply checks
// again, and downloads the image if the URL serves by then.
func addImageFileLost(diags *diag.Diagnostics, attr string, state imageFileResourceModel, probeErr error, what string) {
	if !imageFileUnserved(probeErr) {
		diags.AddAttributeWarning(path.Root(attr), "Image URL Could Not Be Checked", fmt.Sprintf("There is no file at %q, and whether its URL still serves the image could not be checked "+
			"(%v). The apply checks again: if the URL serves by then, the image is downloaded again (no new "+
			"generation, no credits spent); if it still cannot be reached, the apply fails for this resource and "+
			"records nothing. Nothing else is touched.", state.Path.ValueString(), probeErr))
		return
	}
	diags.AddAttributeWarning(path.Root(attr), "Local Image File Cannot Be Restored", fmt.Sprintf("There is no file at %q, and its URL no longer serves the image (%v): the copy cannot be "+
		"restored from Akool, which keeps generated images for 7 days only. %s Nothing else is touched, and the "+
		"rest of the configuration plans and applies as usual.\n\nTo get the picture back, put the file from your "+
		"own storage at the configured path (%d bytes with SHA-256 %s); later plans accept it as intact. To make a "+
		"new image instead, regenerate it deliberately with `terraform apply -replace=<address of the image "+
		"resource>`, which spends Akool credits and gives a different picture.",
		state.Path.ValueString(), probeErr, what, state.Size.ValueInt64(), state.SHA256.ValueString()))
}

// detail says what the restore of the file at filePath does.
func (m imageFileRestore) detail(filePath string) string {
	if m.Local == localcopy.Missing.String() {
		return fmt.Sprintf("The file at %s is missing since the last apply; it will be downloaded again from the "+
			"image URL (no new generation, no credits spent).", filePath)
	}
	return fmt.Sprintf("The file at %s changed since the last apply; it will be overwritten from the image URL "+
		"(downloaded again, with no new generation and no credits spent). To keep the file as it is now, copy it "+
		"elsewhere before applying.", filePath)
}

// addUnwritablePathError fails the plan when the file at filePath cannot be
// written, so that nothing is generated (and paid for) only for the download
// to fail.
func addUnwritablePathError(filePath string, diags *diag.Diagnostics) {
	checkWritablePath(filePath, "Image File", "The image", "Nothing was downloaded, and nothing is generated "+
		"for a file that cannot be written; an image that is already generated is kept, and its URL still "+
		"serves it. Choose another path, or fix the folders and permissions, and apply again: downloading "+
		"the image spends no credits.", diags)
}

// priorStateAndRestore reads, for the ModifyPlan of a resource that keeps a
// local file, the prior state into state and the restore marker that Read
// left under key (the file is missing or changed) into restore. found says
// whether there is a marker.
func priorStateAndRestore(ctx context.Context, req resource.ModifyPlanRequest, key string, state, restore any) (found bool, diags diag.Diagnostics) {
	diags.Append(req.State.Get(ctx, state)...)
	marker, d := req.Private.GetKey(ctx, key)
	diags.Append(d...)
	if diags.HasError() || len(marker) == 0 {
		return false, diags
	}
	_ = json.Unmarshal(marker, restore)
	return true, diags
}
