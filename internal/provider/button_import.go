package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
)

// adoptParentString and adoptParentInt64 are RequiresReplace for image_id
// and index of a button resource, with one exception: a null value in state,
// which only an import of a job whose parent and button Akool did not report
// leaves, takes the configuration's value in place. Replacing would press the
// button again (refused by Akool, since it is used) instead of adopting the
// job that exists. The configuration's value must be known then.
type adoptParentString struct{ kind *buttonKind }

type adoptParentInt64 struct{ kind *buttonKind }

var (
	_ planmodifier.String = adoptParentString{}
	_ planmodifier.Int64  = adoptParentInt64{}
)

const adoptParentDescription = "Changing this value replaces the resource, except that an imported job whose " +
	"parent and button Akool did not report takes the configuration's value in place."

func (m adoptParentString) Description(context.Context) string { return adoptParentDescription }

func (m adoptParentString) MarkdownDescription(context.Context) string { return adoptParentDescription }

func (m adoptParentString) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() || req.PlanValue.Equal(req.StateValue) {
		return
	}
	if !req.StateValue.IsNull() {
		resp.RequiresReplace = true
		return
	}
	if req.PlanValue.IsUnknown() {
		m.kind.addParentUnknown(ctx, req.State, req.Path, &resp.Diagnostics)
	}
}

func (m adoptParentInt64) Description(context.Context) string { return adoptParentDescription }

func (m adoptParentInt64) MarkdownDescription(context.Context) string { return adoptParentDescription }

func (m adoptParentInt64) PlanModifyInt64(ctx context.Context, req planmodifier.Int64Request, resp *planmodifier.Int64Response) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() || req.PlanValue.Equal(req.StateValue) {
		return
	}
	if !req.StateValue.IsNull() {
		resp.RequiresReplace = true
		return
	}
	if req.PlanValue.IsUnknown() {
		m.kind.addParentUnknown(ctx, req.State, req.Path, &resp.Diagnostics)
	}
}

// addParentUnknown says that an imported job cannot take image_id or index
// (at p) from the configuration while its value is unknown.
func (k *buttonKind) addParentUnknown(ctx context.Context, state tfsdk.State, p path.Path, diags *diag.Diagnostics) {
	var id string
	state.GetAttribute(ctx, path.Root("id"), &id)
	diags.AddAttributeError(p, "Imported Job Needs Known image_id and index",
		fmt.Sprintf("Akool does not report which image and button made the imported %s %s (its infobymodelid "+
			"answer has no image_content_model_id and op_button), so this plan takes image_id and index from the "+
			"configuration, but %s is not known until apply. Set image_id to the id of the grid whose button "+
			"made the job and index to the button's number (%s2 is index = 2), as values known at plan time, such "+
			"as the id of an image already in state, then plan again. Nothing was pressed and no credits were spent.",
			k.noun, id, p, k.letter))
}
