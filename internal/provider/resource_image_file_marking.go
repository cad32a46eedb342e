package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/akool-community/terraform-provider-akool/internal/akool"
	"github.com/akool-community/terraform-provider-akool/internal/imagemeta"
	"github.com/akool-community/terraform-provider-akool/internal/localcopy"
)

// imageFileMarking is the part of akool_image_file's state that is about
// the marking; imageFileResourceModel embeds it.
type imageFileMarking struct {
	ImageID types.String `tfsdk:"image_id"`
	Marking types.Object `tfsdk:"marking"`
	imageFileMarkingResult
}

// imageFileMarkingResult is what the provider computes about the marking.
type imageFileMarkingResult struct {
	DownloadSHA256    types.String `tfsdk:"download_sha256"`
	Marked            types.Bool   `tfsdk:"marked"`
	DigitalSourceType types.String `tfsdk:"digital_source_type"`
	ImageCreatedAt    types.String `tfsdk:"image_created_at"`
}

// imageFileMarkingSettings is the marking block of the configuration, by
// attribute name; nil for the default (no block): marking on, no fields.
type imageFileMarkingSettings map[string]attr.Value

// settings reads the marking block.
func (m imageFileMarking) settings() imageFileMarkingSettings {
	if m.Marking.IsNull() || m.Marking.IsUnknown() {
		return nil
	}
	return m.Marking.Attributes()
}

func (s imageFileMarkingSettings) enabled() bool {
	v, ok := s["enabled"].(types.Bool)
	return !ok || v.IsNull() || v.ValueBool()
}

// text is the value of one text field, "" when unset.
func (s imageFileMarkingSettings) text(name string) string {
	v, _ := s[name].(types.String)
	return v.ValueString()
}

// creatorTool names the software that made the picture, for xmp:CreatorTool.
func (r *imageFileResource) creatorTool() string {
	version := "dev"
	if r.data != nil && r.data.version != "" {
		version = r.data.version
	}
	return "Akool via terraform-provider-akool " + version
}

// marking is what the XMP packet for m says, from its state and settings
// alone, so that a rewrite gives the same bytes as the first write.
func (r *imageFileResource) marking(m imageFileMarking, s imageFileMarkingSettings) imagemeta.Marking {
	created, _ := time.Parse(time.RFC3339, m.ImageCreatedAt.ValueString())
	dst := m.DigitalSourceType.ValueString()
	if dst == "" {
		dst = imagemeta.TrainedAlgorithmicMedia
	}
	return imagemeta.Marking{
		DigitalSourceType: dst,
		CreatorTool:       r.creatorTool(),
		AISystem:          "Akool",
		CreateDate:        created,
		JobID:             m.ImageID.ValueString(),
		AltText:           s.text("alt_text"),
		Description:       s.text("description"),
		Headline:          s.text("headline"),
		Credit:            s.text("credit_line"),
		Copyright:         s.text("copyright_notice"),
		Prompt:            s.text("prompt"),
	}
}

// describeJob sets the Digital Source Type and creation time from the job
// of image_id. A job that cannot be read is not an error: the image is
// downloaded and paid for, so the file is still saved and marked as
// AI-generated, with a warning.
func (r *imageFileResource) describeJob(ctx context.Context, m *imageFileMarking) (diags diag.Diagnostics) {
	m.DigitalSourceType = types.StringValue(imagemeta.TrainedAlgorithmicMedia)
	m.ImageCreatedAt = types.StringNull()
	if m.ImageID.IsNull() || m.ImageID.IsUnknown() {
		return diags
	}
	id := m.ImageID.ValueString()
	var clientDiags diag.Diagnostics
	client := r.data.requireClient(&clientDiags, "read the image job to mark the file")
	if client == nil {
		diags.AddAttributeWarning(path.Root("image_id"), "Image File Marked Without Job Details",
			fmt.Sprintf("Akool image %s could not be read: %s The file is marked as AI-generated "+
				"(trainedAlgorithmicMedia) without the job's creation time.", id, clientDiags[0].Detail()))
		return diags
	}
	img, err := client.GetImage(ctx, id)
	if err != nil {
		diags.AddAttributeWarning(path.Root("image_id"), "Image File Marked Without Job Details",
			fmt.Sprintf("Reading Akool image %s failed: %v. The file is marked as AI-generated (trainedAlgorithmicMedia) "+
				"without the job's creation time. To write them once Akool answers again, change a field of the marking "+
				"block: the job is read again and the file rewritten in place, downloading and generating nothing. Do not "+
				"taint or replace this resource for it, which deletes the file before downloading it again.", id, err))
		return diags
	}
	source, parentDiags := chainSource(ctx, client, img)
	diags.Append(parentDiags...)
	if source != "" {
		m.DigitalSourceType = types.StringValue(imagemeta.CompositeWithTrainedAlgorithmicMedia)
	}
	if !img.CreatedAt.IsZero() {
		m.ImageCreatedAt = types.StringValue(img.CreatedAt.UTC().Format(time.RFC3339))
	}
	return diags
}

// imageFileChainMax bounds how many parents the marking reads to find out
// whether a button job comes from a source image: an upscale of a variation
// of a variation of a grid is three reads away.
const imageFileChainMax = 8

// chainSource is the source image that img was made from: its own or, for
// a button job (upscale, variation), the first one found up its chain of
// parents, read from Akool (free), at most imageFileChainMax of them. Akool
// need not echo a grid's source image on the jobs made from it. A parent
// that cannot be read ends the walk with a warning: the file is still
// marked as AI-generated, which is true.
func chainSource(ctx context.Context, client *akool.Client, img *akool.Image) (source string, diags diag.Diagnostics) {
	id := img.ID
	for depth := 0; img.SourceImage == "" && img.ParentID != ""; depth++ {
		if depth == imageFileChainMax {
			diags.AddAttributeWarning(path.Root("image_id"), "Image File Marked Without Parent Details",
				fmt.Sprintf("Image %s is more than %d button presses away from the grid it comes from; the marking "+
					"reads no further parents, and marks the file as trainedAlgorithmicMedia (AI-generated), which "+
					"is true but does not say whether that grid was made from a source image.", id, imageFileChainMax))
			return "", diags
		}
		parent, err := client.GetImage(ctx, img.ParentID)
		if err != nil {
			diags.AddAttributeWarning(path.Root("image_id"), "Image File Marked Without Parent Details",
				fmt.Sprintf("Reading Akool image %s, a parent of %s, failed: %v. The file is marked as "+
					"trainedAlgorithmicMedia (AI-generated), which is true but does not say whether the grid it "+
					"comes from was made from a source image. The image itself is saved as usual.", img.ParentID, id, err))
			return "", diags
		}
		img = parent
	}
	return img.SourceImage, diags
}

// mark is the marking step of a write: it gives the bytes to write to
// plan's path the marking plan asks for (the packet embedded, replacing any
// earlier one; or, when marking is off, the packet taken out of a marked
// copy), and records in plan whether the file is marked and the checksum of
// the download. src is the download, or the copy that from describes read
// back. A download that cannot carry the marking is written as it is, with
// the warning that says why.
func (r *imageFileResource) mark(plan, from *imageFileResourceModel, src *localcopy.Source) ([]byte, diag.Diagnostics, error) {
	plan.Marked = types.BoolValue(false)
	// The copy is the download (or, after an import or a take-over, the file
	// adopted, without any marking of this provider's that it carries).
	plan.DownloadSHA256 = types.StringValue(localcopy.OriginalSHA256(src.Data))
	copyMarked := from != nil && from.Marked.ValueBool()
	if copyMarked && !from.DownloadSHA256.IsNull() {
		// An imported copy that carries the marking has none recorded:
		// OriginalSHA256 above is the file without it.
		plan.DownloadSHA256 = from.DownloadSHA256
	}
	settings := plan.settings()
	if !settings.enabled() {
		if !copyMarked {
			return src.Data, nil, nil
		}
		data, err := localcopy.Unmark(src.Data, from.DownloadSHA256.ValueString())
		return data, nil, err
	}
	marked := localcopy.Mark(src.Data, r.marking(plan.imageFileMarking, settings))
	plan.Marked = types.BoolValue(marked.Marked)
	if marked.Marked && !copyMarked {
		// Taking this marking out gives back the file's own XMP (see
		// localcopy.Unmark), which is then what download_sha256 names.
		plan.DownloadSHA256 = types.StringValue(localcopy.OriginalSHA256(marked.Data))
	}
	var diags diag.Diagnostics
	if marked.Unmarked != nil {
		diags.AddAttributeWarning(path.Root("path"), "Image File Saved Without Marking",
			fmt.Sprintf("The file at %q was saved exactly as downloaded, without the AI-generated marking: %v. %s",
				plan.Path.ValueString(), marked.Unmarked, unmarkedAdvice(marked.Unmarked)))
	}
	return marked.Data, diags, nil
}

// unmarkedAdvice says what to do about an image saved without the marking
// for the reason err: a damaged picture is not called whole.
func unmarkedAdvice(err error) string {
	var malformed *imagemeta.MalformedError
	if errors.As(err, &malformed) {
		return "The picture itself may be damaged: check that it opens. If it does not and Akool still serves " +
			"the URL, move the file away and apply again: it is downloaded once more, generating nothing and " +
			"spending no credits."
	}
	return "Nothing is wrong with the image itself. Set marking = { enabled = false } to say that this is intended."
}

// rewritableCopy reports whether an update can write the file from the
// copy on disk: the URL is the same (or, after an import, recorded for the
// first time), the copy is the one recorded (for a move, at the old path or
// set aside beside it by a move onto that path), and, to turn the marking
// off, taking it out gives back the download's checksum. Otherwise the
// image is downloaded again.
func rewritableCopy(state, plan imageFileResourceModel) bool {
	if imageFileURLChanged(state, plan) {
		return false
	}
	filePath := state.Path.ValueString()
	local, err := localcopy.Check(filePath, state.SHA256.ValueString(), state.Size.ValueInt64())
	if !localcopy.SamePath(filePath, plan.Path.ValueString()) {
		local, err = localcopy.FindCopy(filePath, state.SHA256.ValueString(), state.Size.ValueInt64())
		filePath = imageFileCopyPath(state)
	}
	if err != nil || local != localcopy.Matches {
		return false
	}
	if plan.settings().enabled() || !state.Marked.ValueBool() {
		return true
	}
	return localcopy.UnmarksTo(filePath, state.DownloadSHA256.ValueString())
}

// planMarking reports whether the update writes the file again for its
// marking: the marking block or image_id changed, or the file was written by
// a version of the provider that did not mark (or was imported) and marking
// is on. download says whether planWrite expects a download, which marks
// too. A rewrite without a download needs the copy on disk
// (rewritableCopy): when refresh found it gone or changed and the URL not
// serving (lost), the file of an earlier version stays as it is, and a
// deliberate change fails the plan unless the URL still serves or, the copy
// being missing (a fresh runner), is recorded without writing.
func (r *imageFileResource) planMarking(ctx context.Context, state, plan imageFileResourceModel, download, lost bool, diags *diag.Diagnostics) bool {
	if state.SHA256.IsNull() || diags.HasError() {
		return false // an import not read yet: Read describes the file first
	}
	if !imageFileRemarks(state, plan) {
		return false
	}
	changed := imageFileMarkingChanged(state, plan)
	if download || plan.URL.IsUnknown() {
		return true
	}
	if !changed && lost {
		return false // nothing to mark until the file is back (Read warned)
	}
	if !rewritableCopy(state, plan) {
		if !changed {
			return true // refresh found the copy intact: Update finds out how to write it
		}
		probeErr := localcopy.Probe(ctx, r.imageClient(), plan.URL.ValueString())
		if probeErr != nil && imageFileCopyMissing(state) {
			// Nothing on disk to rewrite (a fresh runner): the marking is
			// recorded, and marked = null has it written into the file once
			// it is back.
			addImageFileLost(diags, "marking", state, probeErr, "The new marking is recorded; it is written into the file, in "+
				"place, by the first apply after the file is back (or by this one, should the file be back "+
				"when this plan is applied).")
			return true
		}
		if probeErr != nil {
			diags.AddAttributeError(path.Root("marking"), "Unable to Rewrite Image File Marking",
				fmt.Sprintf("The marking of %q cannot be written: the file is not the copy this resource wrote "+
					"(%d bytes with SHA-256 %s), and its URL cannot be downloaded (%v). Nothing was written or deleted.\n\n"+
					"Put the file back at %q from your own storage and plan again, or leave marking and image_id as "+
					"they were. To make a new image instead, regenerate it deliberately with "+
					"`terraform apply -replace=<address of the image resource>`: this spends Akool credits and gives a "+
					"different picture.", state.Path.ValueString(), state.Size.ValueInt64(), state.SHA256.ValueString(),
					probeErr, state.Path.ValueString()))
			return false
		}
		return true // apply downloads the image again, and marks it
	}
	if plan.settings().enabled() {
		copyPath := imageFileCopyPath(state) // for a move, the copy may be set aside
		warnConflicts(copyPath, localcopy.Conflicts(copyPath, r.marking(plan.imageFileMarking, plan.settings())), diags)
	}
	return true
}

// imageFileMarkingChanged reports whether the configuration changes what
// the marking says: its block, or the job it names.
func imageFileMarkingChanged(state, plan imageFileResourceModel) bool {
	return !plan.Marking.Equal(state.Marking) || !plan.ImageID.Equal(state.ImageID)
}

// imageFileRemarks reports whether an update writes the marking again: it
// changed, or the file of an earlier version (or an import) carries none
// and marking is on.
func imageFileRemarks(state, plan imageFileResourceModel) bool {
	return imageFileMarkingChanged(state, plan) || (plan.settings().enabled() && state.Marked.IsNull())
}

// warnConflicts names, in the plan, the properties that the XMP of the file
// at filePath holds already and that the marking will change; the file's
// other properties stay as they are.
func warnConflicts(filePath string, conflicts []imagemeta.Conflict, diags *diag.Diagnostics) {
	if len(conflicts) == 0 {
		return
	}
	var changes []string
	for _, c := range conflicts {
		changes = append(changes, fmt.Sprintf("%s from %q to %q", c.Property, c.Old, c.New))
	}
	diags.AddAttributeWarning(path.Root("marking"), "Image File Metadata Will Change",
		fmt.Sprintf("The file at %q carries XMP metadata of its own, which the marking keeps, except what it "+
			"sets itself: applying changes %s. Every other property of the file stays as it is, and turning the "+
			"marking off later takes out only what the marking added (a value changed here is not brought back). "+
			"To keep a value, set the matching field of the marking block to it, or set marking = { enabled = false }.",
			filePath, strings.Join(changes, "; ")))
}

// importedMarking says whether an imported file carries the marking. A
// file without it is left unknown (null), so that the first apply marks it
// when marking is on.
func importedMarking(filePath string) types.Bool {
	if localcopy.FileMarked(filePath) {
		return types.BoolValue(true)
	}
	return types.BoolNull()
}
