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
)

// triggersAttribute is the triggers argument of the image resources: values
// that Akool never sees, whose change makes a new image, like keepers in the
// random provider. effect completes the description with what replacing
// the resource does.
func triggersAttribute(effect string) schema.MapAttribute {
	return schema.MapAttribute{
		MarkdownDescription: "Arbitrary strings that Akool never sees; changing the value of a key that is already " +
			"set replaces this resource, like `keepers` in the `random` provider. Bump a trigger to regenerate: " +
			effect + " Adding triggers to an existing resource, adding a key, or removing one records the change in " +
			"place without a new image, since no value that was set has changed. Removing the argument and " +
			"setting it to an empty map count as the same value. Not read back by import: the first apply after " +
			"an import records the configuration's value in place.",
		ElementType:   types.StringType,
		Optional:      true,
		PlanModifiers: []planmodifier.Map{replaceIfTriggerChanged().mapModifier()},
	}
}

// refuseRepress stops a plan that would replace a button resource only
// because its triggers changed: the replacement would press the same button
// of the same parent again, which Akool refuses, and only after Terraform
// had removed the resource from state. A new result needs a new parent.
func (k *buttonKind) refuseRepress(ctx context.Context, req resource.ModifyPlanRequest, diags *diag.Diagnostics) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	var id, stateParent, planParent types.String
	var stateIndex, planIndex types.Int64
	var stateTriggers, planTriggers types.Map
	for _, get := range []diag.Diagnostics{
		req.State.GetAttribute(ctx, path.Root("id"), &id),
		req.State.GetAttribute(ctx, path.Root("image_id"), &stateParent),
		req.State.GetAttribute(ctx, path.Root("index"), &stateIndex),
		req.State.GetAttribute(ctx, path.Root("triggers"), &stateTriggers),
		req.Plan.GetAttribute(ctx, path.Root("image_id"), &planParent),
		req.Plan.GetAttribute(ctx, path.Root("index"), &planIndex),
		req.Plan.GetAttribute(ctx, path.Root("triggers"), &planTriggers),
	} {
		diags.Append(get...)
	}
	job := jobInState(ctx, req.State, diags)
	if diags.HasError() || planParent.IsUnknown() || planIndex.IsUnknown() ||
		!planParent.Equal(stateParent) || !planIndex.Equal(stateIndex) ||
		job.dead() ||
		!triggersForceReplacement(stateTriggers, planTriggers) {
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
