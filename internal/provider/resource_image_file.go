package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/akool-community/terraform-provider-akool/internal/localcopy"
)

var (
	_ resource.Resource                = (*imageFileResource)(nil)
	_ resource.ResourceWithConfigure   = (*imageFileResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*imageFileResource)(nil)
	_ resource.ResourceWithImportState = (*imageFileResource)(nil)
)

// imageFileDefaultTimeout bounds a download when no timeouts block says
// otherwise.
const imageFileDefaultTimeout = 5 * time.Minute

// imageFileRestoreKey is the private-state key that Read sets when the local
// copy is missing or changed and the URL still serves; ModifyPlan turns it
// into an in-place update that downloads the image again.
const imageFileRestoreKey = "restore"

// imageFileResource keeps a local copy of an image URL.
type imageFileResource struct {
	configuredResource // for the image client and the walk's written paths
}

// imageClient is the provider's client for image URLs: downloads
// deliberately do not use the Akool API client, so that its credentials can
// never reach the host of an image URL. Used before Configure, the resource
// gets a client of its own.
func (r *imageFileResource) imageClient() *http.Client {
	if r.data != nil && r.data.imageClient != nil {
		return r.data.imageClient
	}
	return localcopy.NewHTTPClient()
}

// NewImageFileResource returns the akool_image_file resource.
func NewImageFileResource() resource.Resource {
	return &imageFileResource{}
}

func (r *imageFileResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_image_file"
}

func (r *imageFileResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: imageFileMarkdownDescription,
		Attributes: withAttributes(map[string]schema.Attribute{
			"id": computedString(descPathID),
			"url": schema.StringAttribute{
				MarkdownDescription: "The `http` or `https` URL to download, typically `image_url` of an `akool_generated_image`. " +
					"Must be set; it is optional in the schema only so that a reference to an image that has not finished " +
					"yet, or whose job failed or was lost (its `image_url` is null), gets a message that says so. A null `url` " +
					"never fails the plan, so that the rest of the configuration still plans and applies: the plan warns " +
					"(\"Image URL Not Set\"); a new file's create then fails at apply, writing nothing, and an existing file " +
					"keeps its copy as it is (recording `url` as null) until `url` names an image again, which is then downloaded. " +
					"No credentials are sent with the request. Changing this (for example when the image is regenerated) updates " +
					"the resource in place: the new URL is downloaded and written over the file at `path` only once it is " +
					"complete and verified, so a regeneration that fails leaves the old file in place.",
				Optional: true,
				Validators: []validator.String{httpURLValidator{summary: "Invalid Image URL",
					advice: "Use the URL of the image to download, for example the `image_url` of an `akool_generated_image`."}},
			},
			"path": schema.StringAttribute{
				MarkdownDescription: "Where to write the file. A relative path is relative to the directory Terraform runs in; " +
					"`\"${path.module}/images/hero.png\"` keeps it beside the configuration. Missing parent directories are created " +
					"(mode `0755`); the file gets mode `0644` and replaces any file already there. " +
					"Changing this moves the file in place: the local copy, once verified against `sha256`, is copied to the " +
					"new path (or, when it is missing or changed, the image is downloaded there again), and the old file is " +
					"deleted only after the new one is written. When the copy is missing (a fresh runner) and the URL no longer " +
					"serves, there is nothing to protect: the new path is recorded, with a warning that the copy cannot be " +
					"restored. When the copy was changed by hand and the URL no longer serves, the plan fails and nothing is touched. " +
					"Other spellings of the same file (`out/a.png`, `./out/a.png`, its absolute path) are the same path: " +
					"the new spelling is recorded without touching the file. Two `akool_image_file` of one configuration " +
					"whose paths name the same file (`out/hero.png` and `./out/hero.png`) fail the plan (\"Image File Named " +
					"Twice\"), naming both spellings.",
				Required:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"sha256": computedString("Lowercase hex SHA-256 of the file as written: the download with its marking " +
				"(`download_sha256` is the download's own). Usable as the content hash of an upload " +
				"(for example `source_hash` of an object-storage resource); unlike `filemd5()`, it does not fail a plan " +
				"that runs before the first download."),
			"size": computedInt64("Size of the file as written, in bytes."),
			"content_type": computedString("MIME type of the image format found in the bytes (not the server's header): " +
				"`image/png`, `image/jpeg`, `image/gif` or `image/webp`."),
			"width":  computedInt64("Width of the image in pixels."),
			"height": computedInt64("Height of the image in pixels."),
		}, imageFileMarkingAttributes()),
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{
				Create:            true,
				CreateDescription: "How long the download may take when the resource is created, as a duration such as `10m`. Defaults to `5m`.",
				Update:            true,
				UpdateDescription: "How long the download or copy may take when the resource is updated (a new `url` or `path`, or a missing or changed file downloaded again), as a duration such as `10m`. Defaults to `5m`.",
			}),
		},
	}
}

func (r *imageFileResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan imageFileResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if plan.URL.IsNull() {
		resp.Diagnostics.AddAttributeError(path.Root("url"), "Image URL Not Set",
			imageFileURLNotSet("Nothing was downloaded and no file was written; the rest of the configuration applies as usual."))
		return
	}
	how := imageFileWrite{takeOver: true, keepAny: imageFileKeepAtCreate(plan.Path.ValueString())}
	resp.Diagnostics.Append(r.write(ctx, plan.Timeouts.Create, &plan, how)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *imageFileResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state imageFileResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}

	if state.SHA256.IsNull() {
		// Only an import leaves the checksum unset: describe the file found.
		resp.Diagnostics.Append(readImportedFile(&state)...)
		state.Marked = importedMarking(state.Path.ValueString())
		if !resp.Diagnostics.HasError() {
			resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
		}
		return
	}

	// The state itself never changes here: it keeps describing the image that
	// was downloaded. What refresh finds goes into private state for ModifyPlan.
	restore, lost, diags := r.checkLocalCopy(ctx, state)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, imageFileRestoreKey, restore)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, imageFileLostKey, lost)...)
}

func (r *imageFileResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state imageFileResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}

	// ModifyPlan leaves the checksum unknown for every update that writes the
	// file (a new url or path, a restore, a new marking); updateFile decides
	// here, from the disk as it is now, how. Anything else (timeouts, the url
	// recorded after an import, another spelling of the same path) changes
	// the state only.
	oldPath, newPath := state.Path.ValueString(), plan.Path.ValueString()
	moved := !localcopy.SamePath(oldPath, newPath)
	if plan.SHA256.IsUnknown() || moved {
		written, diags := r.updateFile(ctx, state, &plan, imageFileFoundChanged(ctx, req.Private))
		resp.Diagnostics.Append(diags...)
		if resp.Diagnostics.HasError() {
			return // the state, and every file, stay as they were
		}
		moved = moved && written
		var lost []byte // the change recorded without writing: the copy stays lost
		if !written {
			lost = imageFileMarker(localcopy.Missing)
		}
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, imageFileLostKey, lost)...)
	}
	plan.ID = plan.Path
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, imageFileRestoreKey, nil)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	// Only once the new file is in state; checked again now that both
	// exist, as a link can make them one file.
	if moved && !resp.Diagnostics.HasError() && !localcopy.SamePath(oldPath, newPath) {
		resp.Diagnostics.Append(r.release(ctx, oldPath, state)...)
	}
}

// Delete removes the file only when it is still the one this resource
// wrote (see release) and its URL still serves it: the only copy of a
// picture stays on disk, as the destroy plan said.
func (r *imageFileResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state imageFileResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	filePath := state.Path.ValueString()
	if r.written().Has(filePath) {
		// The object that replaced this one wrote it, or took it over; it may
		// have set this one's copy aside (marking off), which goes unless it
		// is the only copy of its picture.
		if r.onlyCopy(ctx, state) == nil {
			resp.Diagnostics.Append(r.release(ctx, filePath, state)...)
		}
		return
	}
	if why := r.onlyCopy(ctx, state); why != nil {
		resp.Diagnostics.AddAttributeWarning(path.Root("path"), "Image File Kept", imageFileKeptDetail(imageFileCopyPath(state), why))
		return
	}
	resp.Diagnostics.Append(r.release(ctx, state.Path.ValueString(), state)...)
}

// imageFileCopyMissing reports whether the copy in state is neither at its
// path nor set aside.
func imageFileCopyMissing(state imageFileResourceModel) bool {
	local, err := localcopy.FindCopy(state.Path.ValueString(), state.SHA256.ValueString(), state.Size.ValueInt64())
	return err == nil && local == localcopy.Missing
}

// imageFileURLNotSet explains a url that is null: there is nothing to
// download. what says what happens to this resource.
func imageFileURLNotSet(what string) string {
	return "url is null, so there is nothing to download. " + what + " When url refers to an image (such as " +
		"akool_generated_image.<name>.image_url), that image has not finished yet, or its job failed or was lost: " +
		"an image's image_url is set once its status is completed. When an apply ends before an image's job " +
		"finishes (a create timeout or an interrupt), the image stays in state with its unfinished status; run " +
		"terraform apply again, which continues waiting for the same job without paying again, and then downloads " +
		"it. When its job failed or was lost, see the warning naming the job: for a button press " +
		"(akool_image_upscale, akool_image_variation) whose button stays used, set index to another button, or " +
		"remove this file. Otherwise set url to the http or https URL of the image to download."
}

// ImportState adopts a file already on disk by its path; Read checks that it
// is an image and records its checksum.
func (r *imageFileResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importByPath(ctx, "akool_image_file", "akool_image_file.hero ./images/hero.png", req, resp)
}

// readImportedFile fills an imported resource from the file at its path.
func readImportedFile(state *imageFileResourceModel) (diags diag.Diagnostics) {
	filePath := state.Path.ValueString()
	info, err := localcopy.Inspect(filePath)
	if err != nil {
		diags.AddError("Cannot Import Image File",
			fmt.Sprintf("The file at %q cannot be imported: %v. Import an existing PNG, JPEG, GIF or WebP file by "+
				"its path as written in the configuration's path argument, or leave the resource out of the import "+
				"and let terraform apply download it.", filePath, err))
		return diags
	}
	state.setFromInfo(filePath, info)
	return diags
}

// checkLocalCopy compares the file at the state's path with the recorded
// checksum. An intact copy returns no marker and sends no request. A missing
// or changed copy whose URL still serves returns the restore marker for
// ModifyPlan; one whose URL does not serve returns the lost marker and a
// warning, never an error, so that plans keep working after the image
// expired.
func (r *imageFileResource) checkLocalCopy(ctx context.Context, state imageFileResourceModel) (restore, lost []byte, diags diag.Diagnostics) {
	filePath := state.Path.ValueString()
	local, err := localcopy.Check(filePath, state.SHA256.ValueString(), state.Size.ValueInt64())
	if err != nil {
		diags.AddAttributeError(path.Root("path"), "Unable to Read Local Image File",
			fmt.Sprintf("Checking the file at %q against the recorded checksum failed: %v. "+
				"Make sure the path is a regular file Terraform can read, or remove it so that it can be downloaded again.", filePath, err))
		return nil, nil, diags
	}
	if local == localcopy.Matches {
		return nil, nil, diags
	}

	probeErr := localcopy.Probe(ctx, r.imageClient(), state.URL.ValueString())
	if probeErr == nil {
		tflog.Debug(ctx, "local image file differs from state and the URL still serves; planning a download", map[string]any{
			"path": filePath, "local": local.String(),
		})
		return imageFileMarker(local), nil, diags
	}

	// The image cannot be downloaded again now: keep the resource and its
	// recorded checksum, plan nothing, and say what is left to do.
	summary, detail := imageFileUnrecoverableWarning(state, local, probeErr)
	diags.AddAttributeWarning(path.Root("path"), summary, detail)
	return nil, imageFileMarker(local), diags
}

// imageFileUnrecoverableWarning explains a local copy that is gone or changed
// while its URL does not serve.
func imageFileUnrecoverableWarning(state imageFileResourceModel, local localcopy.State, probeErr error) (summary, detail string) {
	filePath := state.Path.ValueString()
	what := "is missing"
	summary = "Local Image File Missing"
	if local == localcopy.Changed {
		what = "was changed outside Terraform"
		summary = "Local Image File Changed"
	}

	if localcopy.NotServed(probeErr) {
		summary += " and Image No Longer Served"
		detail = fmt.Sprintf("The file at %q %s, and its URL no longer serves the image (%v). "+
			"Akool keeps generated images for 7 days only, so the image cannot be downloaded again. ", filePath, what, probeErr)
	} else {
		summary += " and Image URL Unreachable"
		detail = fmt.Sprintf("The file at %q %s, and its URL could not be checked just now (%v). "+
			"If the image is still served, a later plan downloads it again; if it has expired (Akool keeps generated images for 7 days), it cannot. ",
			filePath, what, probeErr)
	}
	detail += fmt.Sprintf("Terraform keeps this resource with its recorded checksum and plans no change for it "+
		"(unless the configuration gives it a new url, such as a regenerated image's, which is then downloaded).\n\n"+
		"To get this image back, restore the file from your own storage (a backup, a bucket, version control); "+
		"it must be %d bytes with SHA-256 %s. "+
		"To make a new image instead, regenerate it deliberately with `terraform apply -replace=<address of the image resource>`; "+
		"this spends Akool credits and gives a different picture, and the new URL is then downloaded to this path.",
		state.Size.ValueInt64(), state.SHA256.ValueString())
	if state.Marked.IsNull() {
		detail += " Once the file is back, the next apply writes the AI-generated marking into it in place " +
			"(unless marking.enabled is false)."
	}
	return summary, detail
}

// imageFileRestore is a private-state marker Read leaves for ModifyPlan
// (under imageFileRestoreKey or imageFileLostKey).
type imageFileRestore struct {
	Local string `json:"local"` // "missing" or "changed"
}

// imageFileMarker is the private-state marker for a copy found local.
func imageFileMarker(local localcopy.State) []byte {
	marker, _ := json.Marshal(imageFileRestore{Local: local.String()})
	return marker
}

// imageFileResourceModel is the state of akool_image_file.
type imageFileResourceModel struct {
	ID          types.String   `tfsdk:"id"`
	URL         types.String   `tfsdk:"url"`
	Path        types.String   `tfsdk:"path"`
	SHA256      types.String   `tfsdk:"sha256"`
	Size        types.Int64    `tfsdk:"size"`
	ContentType types.String   `tfsdk:"content_type"`
	Width       types.Int64    `tfsdk:"width"`
	Height      types.Int64    `tfsdk:"height"`
	Timeouts    timeouts.Value `tfsdk:"timeouts"`
	imageFileMarking
}

// info is what the model records about its file.
func (m *imageFileResourceModel) info() *localcopy.Info {
	return &localcopy.Info{SHA256: m.SHA256.ValueString(), Size: m.Size.ValueInt64(), ContentType: m.ContentType.ValueString(),
		Width: m.Width.ValueInt64(), Height: m.Height.ValueInt64()}
}

// setFromInfo records a download in the model; it is the one place that maps
// a download to attributes.
func (m *imageFileResourceModel) setFromInfo(filePath string, info *localcopy.Info) {
	m.ID = types.StringValue(filePath)
	m.SHA256 = types.StringValue(info.SHA256)
	m.Size = types.Int64Value(info.Size)
	m.ContentType = types.StringValue(info.ContentType)
	m.Width = types.Int64Value(info.Width)
	m.Height = types.Int64Value(info.Height)
}

const imageFileMarkdownDescription = "Keeps a local copy of an image URL, verified and recorded by checksum. " +
	"Akool deletes every result 7 days after generation, so keep the images you care about with this resource " +
	"(and, from there, in storage of your own).\n\n" +
	"The download must answer HTTP 200, match its declared `Content-Length`, be at most 64 MiB and be a PNG, JPEG, GIF or WebP image. " +
	"It is written to a temporary file beside `path` and renamed into place, so `path` never holds a partial file. " +
	"Only the checksum and metadata go into the state, never the image.\n\n" +
	"**Refresh.** When the file at `path` is intact, refresh reads it and sends no request. " +
	"When it is missing or its checksum differs, refresh checks whether `url` still serves: if it does, the plan updates " +
	"this resource in place and apply downloads the image again (no new generation, no credits). " +
	"If the URL has expired, the plan does not fail and changes nothing: a warning says that the local copy is gone and " +
	"that Akool no longer has the image, and what to do about it (restore the file from your own storage, or regenerate " +
	"deliberately with `terraform apply -replace=<address of the image resource>`).\n\n" +
	"**Plan-time checks.** A `path` that cannot be written (it is a folder, a file stands where one of its folders must " +
	"be created, or the nearest existing folder is not writable) fails `terraform plan`, before any image is generated; " +
	"the check only looks and creates nothing. A plan that downloads a missing or changed file again says so in a " +
	"warning (\"the file at PATH changed since the last apply; it will be overwritten from the image URL\"), and so does a new " +
	"`url` that will be written over a file changed by hand (\"Local Image File Will Be Overwritten\"). A new " +
	"`path` whose old copy is neither intact nor downloadable fails the plan (see **Changes**); a new `path` that " +
	"already holds another file warns (\"Image File At New Path Will Be Set Aside\"): the move does not write over " +
	"it but renames it to a hidden name beside it (`.NAME.<checksum>.kept`), so swapping the paths of two copies in one " +
	"apply works at any parallelism, also after the URLs expired. A new resource whose `path` already holds an image " +
	"it did not write warns (\"Image File Already At Path\") and says how to import it instead; the apply does not write " +
	"over it but renames it to a hidden name beside it (\"Image File Set Aside\"), also when it changed after the plan. " +
	"While the URL serves, a copy this provider marked (the copy of the object being replaced) is written over " +
	"without a word.\n\n" +
	"**Changes.** Changing `url` or `path` updates this resource in place; it is never replaced for it, so its file is " +
	"never deleted before a new one is written. A new `url` (for example after the image is regenerated by a `triggers` " +
	"bump, `terraform apply -replace` or a new prompt) is downloaded and written over the file only once it is complete " +
	"and verified: when the new generation fails or does not finish, the old file stays on disk and in state, and the " +
	"next apply that gets the new picture writes it. A new `path` moves the file: the local copy, verified against " +
	"`sha256`, is copied to the new path without a download (so it works after the URL has expired), or, when that copy " +
	"is missing or changed, the URL is downloaded there instead. The old file is deleted only after the new one is " +
	"written, and only when it is still the file this resource wrote. When the copy is missing (a fresh runner) and " +
	"the URL no longer serves, a new `path` or a new `marking` is recorded without writing anything, with a warning " +
	"(\"Local Image File Cannot Be Restored\") that says so and how to put the file back; the rest of the configuration " +
	"applies as usual, and a file put back later gets the new marking at the next apply. When the copy was changed by " +
	"hand and the URL no longer serves, the plan fails with `Unable to Move Image File` (or `Unable to Rewrite Image " +
	"File Marking`) and nothing is touched. The plan of an update that writes the file (a new `url`, `path` or " +
	"`marking`) shows `sha256` and the other attributes that describe the file as `(known after apply)`, even " +
	"when the copy will simply be moved: the apply decides from the disk of the runner that applies whether to move " +
	"or rewrite the verified copy, download the image again, or (the copy missing and the URL no longer serving) " +
	"record the change without writing (a restore of a missing copy that the URL no longer serves writes nothing, " +
	"with the same warning, and the apply succeeds), so a saved plan (`terraform plan -out`) applied by another job, on " +
	"another runner, applies as planned. A file at `path` that is not the copy recorded and that the plan did not " +
	"find there (put there after the plan was made, or by a plan with `-refresh=false`) is never written over: the " +
	"apply renames it to a hidden name beside it (`.NAME.<checksum>.kept`) and says so (\"Image File Set Aside\"). " +
	"Paths that name the same file " +
	"(`out/a.png`, `./out/a.png`, `${path.module}/out/a.png` in the root module, or the absolute path) are the same " +
	"path: changing from one spelling to another records the new one and touches no file.\n\n" +
	"**The only copy.** Once Akool no longer serves `url` (7 days after generation), the file is the only copy of " +
	"its picture, and no change that is not meant as \"delete this picture\" deletes it: destroying or replacing " +
	"the resource (a renamed address without a `moved` block, `terraform apply -replace`, plain `terraform destroy`) " +
	"keeps the file on disk and only stops managing it. The plan of such a destroy warns (\"Image File Will Be Kept\"), " +
	"and so does the apply (\"Image File Kept\"); delete the file by hand if you no longer need it. A new resource " +
	"whose `url` no longer serves takes over the image already at its `path` instead of failing (\"Image File Taken " +
	"Over\"), so a rename or a replacement keeps the picture and the next plan is empty.\n\n" +
	"**Destroy.** Destroying this resource deletes the file at `path` only when it is still the file this resource " +
	"wrote: its SHA-256 must match `sha256`, and its `url` must still serve it (see **The only copy**); when that " +
	"cannot be checked (the host does not answer, or answers an error), the file is kept too, and the warning says " +
	"that the check failed. A file changed by hand is kept, and a warning says so: the only copy of a " +
	"picture is never deleted. The file that a replacing object wrote at the same path during the same apply (with " +
	"`create_before_destroy`, set on this resource or inherited from a resource that depends on it) is that object's " +
	"file: it is kept without a warning. A file that is already gone is not an error.\n\n" +
	"**Feeding other providers.** `path` can be the `source` of an upload in another provider, for example an object-storage " +
	"object; use `sha256` as its content hash (for example `source_hash`) so that a new image uploads again. " +
	"Referring to `path` also orders the upload after the download.\n\n" +
	"**Timeouts.** A download or copy may take `5m` by default, when the resource is created and when it is updated " +
	"(a new `url` or `path`, or a missing file downloaded again); a `timeouts` block with `create` and `update` changes that.\n\n" +
	"## Import\n\n" +
	"Import a file that is already on disk by its path, written as in the configuration's `path`. The import " +
	"reads the file and records its checksum and metadata; it downloads nothing. Akool's URL cannot be read back " +
	"from a file, so the first apply after the import records the configured `url` in place, without downloading: " +
	"the file stays as it is (a file without the AI-generated marking gets it then, in place, unless `marking.enabled` " +
	"is `false`), and later plans are empty while it is intact. The import id may be any spelling of the " +
	"configured path (relative, with or without `./`, or absolute): that first apply also records the configured " +
	"spelling, and never deletes or downloads the file for it."
