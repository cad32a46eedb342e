package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// The resources that follow one Akool job (akool_generated_image,
// akool_image_upscale, akool_image_variation) have a resource identity: the
// job's id, which Akool gave when it accepted the job and which never
// changes for the life of the resource, so the identity never changes under
// an update. Terraform 1.12 and OpenTofu 1.12 keep it in state and accept it
// in an import block (identity = { id = "..." }) as well as the id string.
//
// akool_image_file has none: it names a file on this machine, not something
// in Akool, and the only name it has, its path, moves in place when the
// configuration changes it. An identity must stay the same under an update,
// and a file named by anything else could not be imported by that name.

// jobIdentityModel is the identity of a resource that follows one Akool job.
type jobIdentityModel struct {
	ID types.String `tfsdk:"id"`
}

// jobIdentitySchema is the identity schema of the job resources: the job id,
// which is also what terraform import takes.
func jobIdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"id": identityschema.StringAttribute{
				Description: "The Akool job id, 24 hexadecimal digits: the `_id` Akool returned when it accepted " +
					"the job, also sent to the webhook. The same value as the resource's `id`.",
				RequiredForImport: true,
			},
		},
	}
}

// setJobIdentity records the identity of the job whose id is in state. It
// changes nothing when the CLI keeps no identity (identity is nil: Terraform
// before 1.12, OpenTofu before 1.12) or when state holds no id yet (a create
// that failed before Akool accepted the job). It reads nothing from Akool,
// so a refresh of state written before identities existed costs no request
// of its own. prior is the identity state already holds (nil, or null, when
// none): one that names another job is an error (see identityMismatch).
func setJobIdentity(ctx context.Context, state tfsdk.State, prior, identity *tfsdk.ResourceIdentity) diag.Diagnostics {
	if identity == nil || state.Raw.IsNull() {
		return nil
	}
	var id types.String
	diags := state.GetAttribute(ctx, path.Root("id"), &id)
	if diags.HasError() || id.IsNull() || id.IsUnknown() {
		return diags
	}
	if prior != nil && !prior.Raw.IsNull() {
		var held jobIdentityModel
		if diags.Append(prior.Get(ctx, &held)...); diags.HasError() {
			return diags
		}
		if !held.ID.IsNull() && !held.ID.IsUnknown() && held.ID.ValueString() != id.ValueString() {
			diags.Append(identityMismatch(id.ValueString(), held.ID.ValueString()))
			return diags
		}
	}
	return append(diags, identity.Set(ctx, jobIdentityModel{ID: id})...)
}

// identityMismatch is the error for state whose identity names job held
// while its id is id: neither changes for the life of the resource, so
// something outside Terraform edited the state.
func identityMismatch(id, held string) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Resource Identity Does Not Match Id",
		fmt.Sprintf("State holds job %s for this resource, but its resource identity names job %s. The identity of "+
			"an Akool job resource is its id, and neither changes for the life of the resource, so the state was "+
			"edited outside Terraform. Nothing was read from Akool and nothing was changed. Remove the resource "+
			"from state (terraform state rm <address>), then import the job it should follow: an import block "+
			"with identity = { id = \"%s\" }, or terraform import <address> %s.", id, held, id, id))
}

// importJobByIdentity is importJob for an import that names the job either
// way: by the id string (terraform import, or an import block's id) or by
// the identity (an import block's identity, Terraform and OpenTofu 1.12 and
// later). Either way the id is checked the same, and the identity is set.
func importJobByIdentity(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse, unread []string) {
	if req.ID == "" && req.Identity != nil {
		var identity jobIdentityModel
		resp.Diagnostics.Append(req.Identity.Get(ctx, &identity)...)
		if resp.Diagnostics.HasError() {
			return
		}
		req.ID = identity.ID.ValueString()
		if !imageIDPattern.MatchString(strings.TrimSpace(req.ID)) {
			resp.Diagnostics.AddError("Invalid Import Identity",
				fmt.Sprintf("The import block's identity names id %q, which is not an Akool image id: an id is 24 "+
					"hexadecimal digits, such as 662a10df4197b3af58532e89 (the _id Akool returns when it accepts a "+
					"job, also sent to the webhook). Nothing was imported; write identity = { id = \"<id>\" } "+
					"with the job's id.", req.ID))
			return
		}
	}
	importJob(ctx, req, resp, unread)
	if resp.Diagnostics.HasError() {
		return
	}
	// An import by the id string has no identity yet.
	resp.Diagnostics.Append(setJobIdentity(ctx, resp.State, nil, resp.Identity)...)
}
