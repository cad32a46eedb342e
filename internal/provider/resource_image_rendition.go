package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/akool-community/terraform-provider-akool/internal/localcopy"
	"github.com/akool-community/terraform-provider-akool/internal/rendition"
)

var (
	_ resource.Resource                   = (*imageRenditionResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*imageRenditionResource)(nil)
	_ resource.ResourceWithValidateConfig = (*imageRenditionResource)(nil)
	_ resource.ResourceWithImportState    = (*imageRenditionResource)(nil)
	_ resource.ResourceWithConfigure      = (*imageRenditionResource)(nil)
)

// imageRenditionRestoreKey is the private-state key Read sets when the
// output is missing or changed; ModifyPlan turns it into an in-place
// update that renders the output again.
const imageRenditionRestoreKey = "restore"

// The provider process decodes each source once for all its renditions
// (rendition.DefaultCacheBytes of decoded and resampled pixels at most),
// and renders at most one rendition per CPU at a time, so that a for_each
// over many sizes stays within the cache's bound plus one render's
// buffers per CPU; the costliest waiting rendition goes first, so that
// the CPUs end together.
var (
	renditionCache = rendition.NewCache(rendition.DefaultCacheBytes)
	renditionSlots = rendition.NewSlots(runtime.GOMAXPROCS(0))
)

// imageRenditionResource renders a local image into a web-ready file.
type imageRenditionResource struct {
	configuredResource // for the walk's written paths
}

// NewImageRenditionResource returns the akool_image_rendition resource.
func NewImageRenditionResource() resource.Resource {
	return &imageRenditionResource{}
}

func (r *imageRenditionResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_image_rendition"
}

func (r *imageRenditionResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: imageRenditionMarkdownDescription,
		Attributes: map[string]schema.Attribute{
			"id": computedString(descPathID),
			"source": schema.StringAttribute{
				MarkdownDescription: "The local image to render: a PNG, JPEG or WebP file, typically the `path` of an " +
					"`akool_image_file`. It is read, never changed. A file that is not one of those images fails the plan. " +
					"Changing this renders the output again in place.",
				Required:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"source_sha256": schema.StringAttribute{
				MarkdownDescription: "The SHA-256 the source must have, typically the `sha256` of the `akool_image_file` " +
					"that writes it: a reference orders the rendition after that file, and a change (a regenerated image) " +
					"renders the output again in place, in the same apply. When the source does not have it at apply " +
					"time (it could not be restored), the output and state are kept and a warning says so. " +
					"Without it, the provider still hashes the source at plan time and renders again when it changed; " +
					"but a missing output whose source is missing at plan time is then kept as recorded, with a " +
					"warning, even when another resource writes the source in the same apply: it is rendered on the " +
					"next apply.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.RegexMatches(renditionSHA256Pattern, "must be a lowercase hex SHA-256 (64 characters)")},
			},
			"path": schema.StringAttribute{
				MarkdownDescription: "Where to write the rendition. A relative path is relative to the directory Terraform " +
					"runs in. Missing parent directories are created (mode `0755`); the file gets mode `0644`. The file is " +
					"replaced only by a complete, verified new one. Its extension names the format unless `format` is set: " +
					"`.jpg` or `.jpeg`, `.png`, `.webp`. A path that cannot be written fails the plan. Changing this " +
					"replaces the resource: the old file is deleted and the new one rendered.",
				Required:      true,
				Validators:    []validator.String{stringvalidator.LengthAtLeast(1)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"width": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("Width of the box, in pixels, from 1 to %d. With `fit = \"cover\"` the "+
					"output has exactly this width. Changing this renders again in place.", rendition.MaxSide),
				Required:   true,
				Validators: []validator.Int64{int64validator.Between(1, rendition.MaxSide)},
			},
			"height": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("Height of the box, in pixels, from 1 to %d. With `fit = \"cover\"` the "+
					"output has exactly this height. Changing this renders again in place.", rendition.MaxSide),
				Required:   true,
				Validators: []validator.Int64{int64validator.Between(1, rendition.MaxSide)},
			},
			"fit": optionalChoice("How the source goes into the box: `cover` (default) scales it to fill the box and "+
				"crops what overflows; `contain` scales it to fit inside the box, keeping all of it, so the output is "+
				"smaller than the box along one side (see `rendered_width` and `rendered_height`).",
				string(rendition.Cover), string(rendition.Contain)),
			"focus": optionalChoice("Where `cover` crops: `center` (default) keeps the middle; `detail` keeps the window "+
				"with the most detail (edges), such as the part of a photograph in focus rather than a blurred background.",
				string(rendition.Centre), string(rendition.Detail)),
			"format": schema.StringAttribute{
				MarkdownDescription: "Output format: `jpeg`, `png` or `webp`. Defaults to the one the extension of `path` " +
					"names; set it for a path without such an extension. A format that contradicts the extension fails the plan.",
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{stringvalidator.OneOf(string(rendition.JPEG), string(rendition.PNG), string(rendition.WebP))},
			},
			"quality": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("Quality of JPEG and lossy WebP, from %d to %d (default %d); PNG and "+
					"lossless WebP ignore it. The same setting as libvips's and cwebp's `Q`; lossy WebP encodes with libwebp's "+
					"method 2 (cwebp's `-m 2`) rather than its default 4, about three times faster for files a few per cent larger.",
					rendition.MinQuality, rendition.MaxQuality, rendition.DefaultQuality),
				Optional:   true,
				Computed:   true,
				Default:    int64default.StaticInt64(rendition.DefaultQuality),
				Validators: []validator.Int64{int64validator.Between(rendition.MinQuality, rendition.MaxQuality)},
			},
			"lossless": schema.BoolAttribute{
				MarkdownDescription: "Encode WebP losslessly (default `false`). Only for the `webp` format.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(false),
			},
			"allow_upscale": schema.BoolAttribute{
				MarkdownDescription: "Allow a box larger than the source along the side that sets the scale, which " +
					"enlarges it (default `false`: such a box fails the plan, as an enlarged picture is blurred).",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
			},
			"sha256": computedString("Lowercase hex SHA-256 of the rendition as written, for publishing (for example " +
				"`source_hash` of an object-storage resource)."),
			"size":                 computedInt64("Size of the rendition, in bytes."),
			"rendered_width":       computedInt64("Width of the rendition in pixels: `width` for `cover`, at most `width` for `contain`."),
			"rendered_height":      computedInt64("Height of the rendition in pixels: `height` for `cover`, at most `height` for `contain`."),
			"rendered_from_sha256": computedString("SHA-256 of the source the rendition was rendered from."),
			"marked": computedBool("Whether the rendition carries the source's XMP packet (the AI-generated marking " +
				"`akool_image_file` writes: Digital Source Type, job, alt text, credit). `false` when the source has none, " +
				"or its XMP packet declares no Digital Source Type (that packet is still copied)."),
		},
	}
}

const imageRenditionMarkdownDescription = "Renders a local image (PNG, JPEG or WebP, typically an `akool_image_file`) " +
	"into a web-ready JPEG, PNG or WebP file, cropped to fill a box or fitted inside it. The rendition carries the " +
	"source's XMP packet, so the AI-generated marking survives.\n\n" +
	"The source is cropped to fill the box (`cover`) or fitted inside it (`contain`) and resampled with a Lanczos-3 " +
	"filter. Rendering happens in the provider, in pure Go: nothing is sent anywhere and no credits are spent.\n\n" +
	"State keeps the rendition's checksum, size and dimensions, never its bytes. A rendition that is missing or was " +
	"changed is rendered again on the next apply; a changed source (`source_sha256`) renders again in place. On a " +
	"fresh runner, a rendition whose source is missing and not restored in the same apply (Akool no longer serves " +
	"the image, and no copy exists) is kept as recorded, with a warning, and the plan converges; it is rendered " +
	"again once the source is back. Many renditions of one source in one apply decode it once, and renditions of " +
	"one box in two formats resample it once: the provider keeps up to 256 MiB of decoded sources and their " +
	"resampled pixels, and renders one rendition per CPU at a time, the largest first.\n\n" +
	"## Import\n\n" +
	"Import adopts a rendition already on disk by its `path`. The settings it was rendered with are not in the file, " +
	"so the next apply renders it again from the configuration."

func (r *imageRenditionResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan imageRenditionModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if problem := renderRendition(&plan, r.written()); problem != nil {
		resp.Diagnostics.AddAttributeError(problem.attr, "Unable to Render Image", problem.detail+
			" Nothing was written. Fix the source or the settings and apply again.")
		return
	}
	warnUnmarked(plan, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *imageRenditionResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state imageRenditionModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if state.SHA256.IsNull() {
		r.readImported(ctx, state, resp)
		return
	}
	marker := []byte(nil)
	switch found, err := localcopy.Check(state.Path.ValueString(), state.SHA256.ValueString(), state.Size.ValueInt64()); {
	case err != nil:
		resp.Diagnostics.AddAttributeWarning(path.Root("path"), "Unable to Check Image Rendition",
			fmt.Sprintf("The rendition at %q could not be read (%v), so whether it is still the one rendered is unknown. "+
				"The state is kept; fix the file's permissions to let the next plan check it.", state.Path.ValueString(), err))
	case found != localcopy.Matches:
		marker = []byte(fmt.Sprintf(`{"found":%q}`, found.String()))
	}
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, imageRenditionRestoreKey, marker)...)
}

func (r *imageRenditionResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state imageRenditionModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if problem := renderRendition(&plan, r.written()); problem != nil {
		// Keep what was rendered last: the settings change in state, the
		// rendition's own figures do not, so the next plan tries again.
		plan.ID, plan.SHA256, plan.Size = state.ID, state.SHA256, state.Size
		plan.RenderedWidth, plan.RenderedHeight = state.RenderedWidth, state.RenderedHeight
		plan.RenderedFromSHA256, plan.Marked = state.RenderedFromSHA256, state.Marked
		resp.Diagnostics.AddAttributeWarning(problem.attr, "Image Rendition Not Updated", problem.detail+
			fmt.Sprintf(" The file at %q and this resource's state are kept as they were; the next plan renders it "+
				"again once the source is there.", plan.Path.ValueString()))
		resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, imageRenditionRestoreKey, []byte(`{"found":"not rendered"}`))...)
		return
	}
	warnUnmarked(plan, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, imageRenditionRestoreKey, nil)...)
}

// Delete removes the rendition, unless it was changed outside Terraform:
// then it is someone else's file now, and a warning says it was left.
func (r *imageRenditionResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state imageRenditionModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	p := state.Path.ValueString()
	if r.written().Has(p) {
		// Written again in this apply (a replacement created before this
		// object is destroyed): it belongs to the object that wrote it.
		return
	}
	found, err := localcopy.Check(p, state.SHA256.ValueString(), state.Size.ValueInt64())
	switch {
	case err == nil && found == localcopy.Missing:
	case err == nil && found == localcopy.Matches:
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			resp.Diagnostics.AddError("Unable to Delete Image Rendition",
				fmt.Sprintf("The rendition at %q could not be deleted: %v. Delete it by hand if it should go.", p, err))
		}
	default:
		resp.Diagnostics.AddWarning("Image Rendition Left in Place",
			fmt.Sprintf("The file at %q is no longer the rendition this resource wrote (it was changed outside Terraform, "+
				"or could not be read), so it was not deleted. Delete it by hand if it should go.", p))
	}
}

// ImportState adopts a rendition on disk by its path.
func (r *imageRenditionResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importByPath(ctx, "akool_image_rendition", "akool_image_rendition.og ./public/hero-og.jpg", req, resp)
}

// readImported describes the file an import names: what it is, not what
// it was rendered from, which the next apply renders again.
func (r *imageRenditionResource) readImported(ctx context.Context, state imageRenditionModel, resp *resource.ReadResponse) {
	p := state.Path.ValueString()
	info, err := localcopy.Inspect(p)
	if err != nil {
		resp.Diagnostics.AddError("Unable to Import Image Rendition",
			fmt.Sprintf("The file at %q cannot be adopted as a rendition: %v. Import the path of an existing JPEG, PNG "+
				"or WebP file, or let the configuration render it.", p, err))
		return
	}
	state.SHA256, state.Size = types.StringValue(info.SHA256), types.Int64Value(info.Size)
	state.RenderedWidth, state.RenderedHeight = types.Int64Value(info.Width), types.Int64Value(info.Height)
	state.Marked = types.BoolValue(localcopy.FileMarked(p))
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

// renditionProblem is why a render did not happen, and the attribute
// that names what to fix.
type renditionProblem struct {
	attr   path.Path
	detail string
}

// renderRendition renders the plan's source into its path and fills the
// computed attributes. It is the one place a rendition is written;
// written holds the paths other resources wrote in this apply, which it
// does not replace.
func renderRendition(m *imageRenditionModel, written *localcopy.Written) *renditionProblem {
	spec := m.spec()
	sourcePath := m.Source.ValueString()
	if localcopy.SamePath(sourcePath, m.Path.ValueString()) {
		// The plan could not tell when the source was not known yet.
		return &renditionProblem{path.Root("path"), renditionOverwritesSourceDetail(m.Path.ValueString(), sourcePath)}
	}
	rendition.Prepare(spec.Format)
	defer renditionSlots.Acquire(spec.Cost())()
	src, err := renditionCache.Load(sourcePath)
	var notImage *rendition.NotImageError
	switch {
	case errors.Is(err, os.ErrNotExist):
		return &renditionProblem{path.Root("source"), fmt.Sprintf("The source %q does not exist: the image it "+
			"copies may not have been restored (an Akool result is served for 7 days only).", sourcePath)}
	case errors.As(err, &notImage):
		return &renditionProblem{path.Root("source"), fmt.Sprintf("The source %q is not an image this provider "+
			"renders: %v.", sourcePath, err)}
	case err != nil:
		return &renditionProblem{path.Root("source"), fmt.Sprintf("The source %q could not be read: %v.", sourcePath, err)}
	}
	if want := m.SourceSHA256.ValueString(); want != "" && want != src.SHA256 {
		return &renditionProblem{path.Root("source_sha256"), fmt.Sprintf("The source %q has SHA-256 %s, not the "+
			"%s configured in source_sha256: it is not the image this rendition is of (it may not have been restored, "+
			"or was changed outside Terraform).", sourcePath, src.SHA256, want)}
	}
	result, err := rendition.Render(src, spec)
	if err != nil {
		return &renditionProblem{path.Root("width"), fmt.Sprintf("Rendering %q failed: %v.", sourcePath, err)}
	}
	if !written.Claim(m.Path.ValueString()) {
		return &renditionProblem{path.Root("path"), fmt.Sprintf("The path %q was already written by another "+
			"resource in this apply (another rendition or image file naming the same file, perhaps in another "+
			"spelling): rendering over it would replace that file, and each apply would write both again. Give each "+
			"resource its own path.", m.Path.ValueString())}
	}
	info, err := writeRendition(m.Path.ValueString(), result.Data)
	if err != nil {
		return &renditionProblem{path.Root("path"), fmt.Sprintf("Writing the rendition to %q failed: %v.", m.Path.ValueString(), err)}
	}
	m.ID = m.Path
	m.SHA256, m.Size = types.StringValue(info.SHA256), types.Int64Value(info.Size)
	m.RenderedWidth, m.RenderedHeight = types.Int64Value(int64(result.Width)), types.Int64Value(int64(result.Height))
	m.RenderedFromSHA256, m.Marked = types.StringValue(src.SHA256), types.BoolValue(result.Marked)
	return nil
}

// writeRendition is the verified atomic write akool_image_file uses.
func writeRendition(dest string, data []byte) (*localcopy.Info, error) {
	return localcopy.Write(dest, data)
}

func warnUnmarked(m imageRenditionModel, diags *diag.Diagnostics) {
	if m.Marked.ValueBool() {
		return
	}
	diags.AddAttributeWarning(path.Root("source"), "Image Rendition Without Marking",
		fmt.Sprintf("The rendition at %q does not carry an AI-generated marking: the source %q carries none (no "+
			"XMP packet, or one without a Digital Source Type). Render from the file an akool_image_file writes "+
			"(marking on) to keep the marking.",
			m.Path.ValueString(), m.Source.ValueString()))
}

// spec is the rendition the model asks for.
func (m imageRenditionModel) spec() rendition.Spec {
	return rendition.Spec{
		Width: int(m.Width.ValueInt64()), Height: int(m.Height.ValueInt64()),
		Fit: rendition.Fit(m.Fit.ValueString()), Focus: rendition.Focus(m.Focus.ValueString()),
		Format: rendition.Format(m.Format.ValueString()), Quality: int(m.Quality.ValueInt64()),
		Lossless: m.Lossless.ValueBool(), AllowUpscale: m.AllowUpscale.ValueBool(),
	}
}

// imageRenditionModel is the resource's state.
type imageRenditionModel struct {
	ID                 types.String `tfsdk:"id"`
	Source             types.String `tfsdk:"source"`
	SourceSHA256       types.String `tfsdk:"source_sha256"`
	Path               types.String `tfsdk:"path"`
	Width              types.Int64  `tfsdk:"width"`
	Height             types.Int64  `tfsdk:"height"`
	Fit                types.String `tfsdk:"fit"`
	Focus              types.String `tfsdk:"focus"`
	Format             types.String `tfsdk:"format"`
	Quality            types.Int64  `tfsdk:"quality"`
	Lossless           types.Bool   `tfsdk:"lossless"`
	AllowUpscale       types.Bool   `tfsdk:"allow_upscale"`
	SHA256             types.String `tfsdk:"sha256"`
	Size               types.Int64  `tfsdk:"size"`
	RenderedWidth      types.Int64  `tfsdk:"rendered_width"`
	RenderedHeight     types.Int64  `tfsdk:"rendered_height"`
	RenderedFromSHA256 types.String `tfsdk:"rendered_from_sha256"`
	Marked             types.Bool   `tfsdk:"marked"`
}
