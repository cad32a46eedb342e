package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/akool-community/terraform-provider-akool/internal/akool"
)

// triggersAttribute is the triggers argument of the image resources: values
// that Akool never sees, whose change makes a new image, like keepers in the
// random provider. effect completes the description with what replacing
// the resource does.
func triggersAttribute(effect string) schema.MapAttribute {
	return schema.MapAttribute{
		MarkdownDescription: "Arbitrary strings that Akool never sees; changing any of them replaces this resource, " +
			"like `keepers` in the `random` provider. Bump a trigger to regenerate: " + effect + " Removing the " +
			"argument and setting it to an empty map count as the same value. Not read back by import: a value " +
			"in the configuration is taken by the first apply after import, in place.",
		ElementType:   types.StringType,
		Optional:      true,
		PlanModifiers: []planmodifier.Map{replaceUnlessImportedMap{}},
	}
}

// replaceUnlessImportedMap forces a new image when the map changes, except
// in the adoption window after an import (see importMarker), where a null
// value in state, which the import cannot read back, takes the
// configuration's value in place. A null map and an empty one are the same
// value.
type replaceUnlessImportedMap struct{}

var _ planmodifier.Map = replaceUnlessImportedMap{}

func (m replaceUnlessImportedMap) Description(context.Context) string {
	return "Changing this value replaces the resource, except that an imported resource adopts the configuration's " +
		"value in place, since it cannot be read back."
}

func (m replaceUnlessImportedMap) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (m replaceUnlessImportedMap) PlanModifyMap(ctx context.Context, req planmodifier.MapRequest, resp *planmodifier.MapResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	resp.RequiresReplace = triggersForceReplacement(ctx, req.Private, req.StateValue, req.PlanValue)
}

// triggersForceReplacement reports whether planned triggers replace a
// resource whose state holds state.
func triggersForceReplacement(ctx context.Context, private privateState, state, plan types.Map) bool {
	if sameTriggers(state, plan) {
		return false
	}
	return !state.IsNull() || !isImported(ctx, private)
}

// sameTriggers reports whether two triggers values are the same: equal, or
// both without any element (null or empty). An unknown value is never the
// same as anything: it may change.
func sameTriggers(a, b types.Map) bool {
	if a.IsUnknown() || b.IsUnknown() {
		return false
	}
	return a.Equal(b) || (len(a.Elements()) == 0 && len(b.Elements()) == 0)
}

// refuseRepress stops a plan that would replace a button resource only
// because its triggers changed: the replacement would press the same button
// of the same parent again, which Akool refuses, and only after Terraform
// had removed the resource from state. A new result needs a new parent.
func (k *buttonKind) refuseRepress(ctx context.Context, req resource.ModifyPlanRequest, diags *diag.Diagnostics) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	var id, stateParent, planParent, status types.String
	var stateIndex, planIndex types.Int64
	var stateTriggers, planTriggers types.Map
	for _, get := range []diag.Diagnostics{
		req.State.GetAttribute(ctx, path.Root("id"), &id),
		req.State.GetAttribute(ctx, path.Root("image_id"), &stateParent),
		req.State.GetAttribute(ctx, path.Root("index"), &stateIndex),
		req.State.GetAttribute(ctx, path.Root("status"), &status),
		req.State.GetAttribute(ctx, path.Root("triggers"), &stateTriggers),
		req.Plan.GetAttribute(ctx, path.Root("image_id"), &planParent),
		req.Plan.GetAttribute(ctx, path.Root("index"), &planIndex),
		req.Plan.GetAttribute(ctx, path.Root("triggers"), &planTriggers),
	} {
		diags.Append(get...)
	}
	if diags.HasError() || planParent.IsUnknown() || planIndex.IsUnknown() ||
		!planParent.Equal(stateParent) || !planIndex.Equal(stateIndex) ||
		status.ValueString() == akool.StatusFailed.String() ||
		!triggersForceReplacement(ctx, req.Private, stateTriggers, planTriggers) {
		return
	}
	button, parent := k.button(planIndex.ValueInt64()), planParent.ValueString()
	diags.AddAttributeError(path.Root("triggers"), "Cannot Press the Same Button Again",
		fmt.Sprintf("triggers changed, which replaces %s %s by a new press of button %s of image %s. This "+
			"resource already pressed that button, and Akool presses each button of an image only once, so the "+
			"new press would be refused, after Terraform had removed this resource from state. Nothing was "+
			"changed. A new %s needs a new parent image: change the same trigger on the parent (such as the "+
			"triggers of its akool_generated_image), whose new id replaces this resource too; or set triggers "+
			"back to the value in state.", k.typeName(), id.ValueString(), button, parent, k.noun))
}
