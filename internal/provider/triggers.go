package provider

import (
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
