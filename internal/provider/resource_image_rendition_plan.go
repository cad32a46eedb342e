package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/akool-community/terraform-provider-akool/internal/localcopy"
	"github.com/akool-community/terraform-provider-akool/internal/rendition"
)

var renditionSHA256Pattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// ValidateConfig checks what the configuration alone tells: the format
// the path's extension names, and that it agrees with format and lossless.
func (r *imageRenditionResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m imageRenditionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || m.Path.IsUnknown() || m.Format.IsUnknown() {
		return
	}
	p := m.Path.ValueString()
	fromExt, known := rendition.FormatOf(p)
	format := rendition.Format(m.Format.ValueString())
	switch {
	case m.Format.IsNull() && !known:
		resp.Diagnostics.AddAttributeError(path.Root("path"), "Unknown Image Format",
			fmt.Sprintf("The extension of %q names no format this provider writes. Use .jpg, .jpeg, .png or .webp, "+
				"or set format to jpeg, png or webp.", p))
		return
	case m.Format.IsNull():
		format = fromExt
	case known && fromExt != format:
		resp.Diagnostics.AddAttributeError(path.Root("format"), "Format Contradicts Extension",
			fmt.Sprintf("format is %q but the path %q names %s by its extension: a file named so would mislead "+
				"whoever opens it. Make the two agree.", format, p, fromExt))
		return
	}
	if m.Lossless.ValueBool() && format != rendition.WebP {
		resp.Diagnostics.AddAttributeError(path.Root("lossless"), "Lossless Applies to WebP Only",
			fmt.Sprintf("lossless is true but the rendition is %s. Set lossless only for WebP: PNG is always "+
				"lossless, and JPEG cannot be.", format))
	}
}

// ModifyPlan fills in the format from the extension, checks at plan time
// what can be checked (a writable path, a source that is an image, no
// enlargement unless allowed), tells a cover rendition's size (the box) when the source is
// there, and plans a render in place when anything it depends on changed:
// the settings, the source's bytes, or the output itself (Read's restore
// marker).
func (r *imageRenditionResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	var plan imageRenditionModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !plan.Path.IsUnknown() {
		plan.ID = plan.Path
		if f, ok := rendition.FormatOf(plan.Path.ValueString()); ok && plan.Format.IsUnknown() {
			plan.Format = types.StringValue(string(f))
		}
		checkWritablePath(plan.Path.ValueString(), "Image Rendition", "The rendition",
			"Choose another path, or fix the folders and permissions, and plan again.", &resp.Diagnostics)
	}
	if !plan.Path.IsUnknown() && !plan.Source.IsUnknown() && localcopy.SamePath(plan.Source.ValueString(), plan.Path.ValueString()) {
		resp.Diagnostics.AddAttributeError(path.Root("path"), renditionOverwritesSourceSummary,
			renditionOverwritesSourceDetail(plan.Path.ValueString(), plan.Source.ValueString()))
		return
	}
	source := planSource(plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	render := req.State.Raw.IsNull()
	if !render {
		var state imageRenditionModel
		var restore struct{ Found string }
		found, diags := priorStateAndRestore(ctx, req, imageRenditionRestoreKey, &state, &restore)
		resp.Diagnostics.Append(diags...)
		if resp.Diagnostics.HasError() {
			return
		}
		want := source.sha256
		if !plan.SourceSHA256.IsNull() && !plan.SourceSHA256.IsUnknown() {
			want = plan.SourceSHA256.ValueString()
		}
		render = settingsChanged(state, plan) || plan.SourceSHA256.IsUnknown() ||
			want != "" && want != state.RenderedFromSHA256.ValueString()
		// A source that is missing now and whose checksum is known is not
		// written in this apply (a restoring akool_image_file plans its
		// sha256 unknown): rendering would fail, and planning it would plan
		// it again forever. Without source_sha256 the plan cannot tell, and
		// goes by the disk: a source another resource writes in this apply
		// is rendered from on the next one, rather than never converging.
		sourceGone := source.missing && !plan.SourceSHA256.IsUnknown()
		switch {
		case found && sourceGone && !render:
			warnRenditionSourceMissing(plan, restore.Found, &resp.Diagnostics)
		case found && !sourceGone:
			resp.Diagnostics.AddAttributeWarning(path.Root("path"), "Image Rendition Will Be Rendered Again",
				fmt.Sprintf("The rendition at %q is %s, so it will be rendered again from %q. Nothing is spent: it is "+
					"rendered locally.", plan.Path.ValueString(), restore.Found, plan.Source.ValueString()))
			render = true
		}
	}
	if render {
		plan.SHA256, plan.RenderedFromSHA256 = types.StringUnknown(), types.StringUnknown()
		plan.Size, plan.Marked = types.Int64Unknown(), types.BoolUnknown()
		plan.RenderedWidth, plan.RenderedHeight = types.Int64Unknown(), types.Int64Unknown()
		// Only cover's size is the box's whatever the source: contain's
		// follows the source's shape, which may change before the apply
		// (another resource rewriting it), and a size promised here must hold.
		if source.width > 0 && plan.Fit.ValueString() == string(rendition.Cover) {
			plan.RenderedWidth, plan.RenderedHeight = types.Int64Value(int64(source.width)), types.Int64Value(int64(source.height))
		}
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, plan)...)
}

const renditionOverwritesSourceSummary = "Image Rendition Would Overwrite Its Source"

func renditionOverwritesSourceDetail(dest, source string) string {
	return fmt.Sprintf("The path %q names the same file as the source %q: rendering would replace the source, "+
		"possibly its only copy, and destroying the rendition would delete it. Choose a path for the "+
		"rendition that is not its source.", dest, source)
}

// plannedSource is what the source file on disk tells at plan time: its
// SHA-256 and the output's size, or zero values when the file is not
// there yet (another resource may write it in this apply: missing) or is
// not the one source_sha256 names.
type plannedSource struct {
	sha256        string
	width, height int
	missing       bool
}

func planSource(plan imageRenditionModel, diags *diag.Diagnostics) plannedSource {
	if plan.Source.IsUnknown() {
		return plannedSource{}
	}
	p := plan.Source.ValueString()
	data, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return plannedSource{missing: true}
	}
	if err != nil {
		diags.AddAttributeError(path.Root("source"), "Unable to Read Image Rendition Source",
			fmt.Sprintf("The source %q cannot be read: %v. Fix its permissions, or name another file.", p, err))
		return plannedSource{}
	}
	sum := sha256.Sum256(data)
	got := plannedSource{sha256: hex.EncodeToString(sum[:])}
	if want := plan.SourceSHA256; !want.IsNull() && (want.IsUnknown() || want.ValueString() != got.sha256) {
		// Another image will be there by the time this renders: nothing
		// this file says applies to it.
		return plannedSource{}
	}
	info, err := rendition.Probe(data)
	if err != nil {
		diags.AddAttributeError(path.Root("source"), "Image Rendition Source Is Not an Image",
			fmt.Sprintf("The source %q cannot be rendered: %v. Name a PNG, JPEG or WebP file.", p, err))
		return got
	}
	if plan.Width.IsUnknown() || plan.Height.IsUnknown() || plan.Fit.IsUnknown() || plan.AllowUpscale.IsUnknown() {
		return got
	}
	spec := rendition.Spec{Width: int(plan.Width.ValueInt64()), Height: int(plan.Height.ValueInt64()),
		Fit: rendition.Fit(plan.Fit.ValueString()), AllowUpscale: plan.AllowUpscale.ValueBool()}
	w, h, err := spec.Size(info.Width, info.Height)
	var up *rendition.UpscaleError
	if errors.As(err, &up) {
		diags.AddAttributeError(path.Root("width"), "Image Rendition Would Enlarge Its Source",
			fmt.Sprintf("The source %q is %dx%d pixels: rendering it into %dx%d with fit %q would enlarge it %.2f times, "+
				"which blurs it. Choose a smaller box, or set allow_upscale = true to enlarge it anyway.",
				p, info.Width, info.Height, spec.Width, spec.Height, plan.Fit.ValueString(), up.Factor))
		return got
	}
	got.width, got.height = w, h
	return got
}

// settingsChanged reports whether a setting that shapes the output
// differs between state and plan.
func settingsChanged(state, plan imageRenditionModel) bool {
	pairs := [][2]attr.Value{
		{state.Source, plan.Source}, {state.SourceSHA256, plan.SourceSHA256},
		{state.Width, plan.Width}, {state.Height, plan.Height}, {state.Fit, plan.Fit}, {state.Focus, plan.Focus},
		{state.Format, plan.Format}, {state.Quality, plan.Quality}, {state.Lossless, plan.Lossless},
		{state.AllowUpscale, plan.AllowUpscale},
	}
	for _, p := range pairs {
		if !p[0].Equal(p[1]) {
			return true
		}
	}
	return false
}

const renditionSourceMissingSummary = "Image Rendition Kept Without Its Source"

// warnRenditionSourceMissing says that a rendition that is found (missing
// or changed) is kept as recorded, because its source is not there and
// this plan does not write it.
func warnRenditionSourceMissing(plan imageRenditionModel, found string, diags *diag.Diagnostics) {
	why := "nothing in this plan writes it (the image it copies may no longer be served by Akool, which serves a " +
		"result for 7 days only, and no copy is left)."
	if plan.SourceSHA256.IsNull() {
		why = "source_sha256 is not set, so this plan goes by the disk and cannot tell whether another resource " +
			"writes it in this apply. Set source_sha256 to the sha256 of the akool_image_file that writes it to " +
			"have the rendition rendered in the same apply as the source is restored."
	}
	diags.AddAttributeWarning(path.Root("source"), renditionSourceMissingSummary,
		fmt.Sprintf("The rendition at %q is %s and cannot be rendered again now: its source %q is not there, and "+
			"%s The rendition is kept as recorded in state and not rendered; the rest of the plan goes on. Restore "+
			"the source file (put a copy back at that path, or restore or regenerate the image that writes it), and "+
			"the next plan renders it again.",
			plan.Path.ValueString(), found, plan.Source.ValueString(), why))
}
