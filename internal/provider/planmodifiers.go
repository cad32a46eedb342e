package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/float64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// replacePolicy says whether a planned change of one input of an existing
// resource replaces it. Every input whose change may or may not replace the
// resource builds its plan modifier on the framework's RequiresReplaceIf with
// a policy, so that the framework keeps creation, destruction and unchanged
// values out; each policy's decide holds its rule, and its constructor below
// says what the rule is.
type replacePolicy struct {
	decide func(inputChange) verdict
	// readsImport says that decide looks at the import marker: only then
	// is it read from the private state.
	readsImport bool
	// needsKnown reports a value that would be taken in place but is not
	// known yet.
	needsKnown  func(ctx context.Context, state tfsdk.State, at path.Path, diags *diag.Diagnostics)
	description string
}

// inputChange is a planned change of an input of an existing resource: state
// and plan differ.
type inputChange struct {
	state, plan attr.Value
	imported    bool // the resource is in the adoption window after an import
	unread      bool // the import could not read this input back
}

// verdict is what a planned change does to the resource.
type verdict int

const (
	verdictReplace    verdict = iota
	verdictInPlace            // the change is recorded in place
	verdictNeedsKnown         // it would be recorded in place, but the planned value is unknown
)

// effectiveValue is the value Akool uses for v: v, or the default when v is
// null.
func effectiveValue(v, akoolDefault attr.Value) attr.Value {
	if v.IsNull() {
		return akoolDefault
	}
	return v
}

// replaces applies the policy to a planned change of the input at at; it
// reports a needed known value in diags.
func (p replacePolicy) replaces(ctx context.Context, at path.Path, state tfsdk.State, private privateState,
	stateValue, planValue attr.Value, diags *diag.Diagnostics) bool {
	change := inputChange{state: stateValue, plan: planValue}
	if p.readsImport {
		marker, imported := importMarkerFrom(ctx, private)
		change.imported, change.unread = imported, imported && marker.unread(at)
	}
	switch p.decide(change) {
	case verdictReplace:
		return true
	case verdictNeedsKnown:
		if p.needsKnown != nil {
			p.needsKnown(ctx, state, at, diags)
		}
	}
	return false
}

// stringModifier, float64Modifier, int64Modifier and mapModifier are the
// policy as a plan modifier of each attribute type.
func (p replacePolicy) stringModifier() planmodifier.String {
	return stringplanmodifier.RequiresReplaceIf(func(ctx context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
		resp.RequiresReplace = p.replaces(ctx, req.Path, req.State, req.Private, req.StateValue, req.PlanValue, &resp.Diagnostics)
	}, p.description, p.description)
}

func (p replacePolicy) float64Modifier() planmodifier.Float64 {
	return float64planmodifier.RequiresReplaceIf(func(ctx context.Context, req planmodifier.Float64Request, resp *float64planmodifier.RequiresReplaceIfFuncResponse) {
		resp.RequiresReplace = p.replaces(ctx, req.Path, req.State, req.Private, req.StateValue, req.PlanValue, &resp.Diagnostics)
	}, p.description, p.description)
}

func (p replacePolicy) int64Modifier() planmodifier.Int64 {
	return int64planmodifier.RequiresReplaceIf(func(ctx context.Context, req planmodifier.Int64Request, resp *int64planmodifier.RequiresReplaceIfFuncResponse) {
		resp.RequiresReplace = p.replaces(ctx, req.Path, req.State, req.Private, req.StateValue, req.PlanValue, &resp.Diagnostics)
	}, p.description, p.description)
}

func (p replacePolicy) mapModifier() planmodifier.Map {
	return mapplanmodifier.RequiresReplaceIf(func(ctx context.Context, req planmodifier.MapRequest, resp *mapplanmodifier.RequiresReplaceIfFuncResponse) {
		resp.RequiresReplace = p.replaces(ctx, req.Path, req.State, req.Private, req.StateValue, req.PlanValue, &resp.Diagnostics)
	}, p.description, p.description)
}

// replaceIfNewPicture is the policy of an input that shapes the picture: a
// change replaces it, except where the change would regenerate, and pay
// again for, the picture that exists: Akool's default (akoolDefault, nil
// when it has none) written out or removed, since null in state means Akool
// used it; and, in the adoption window after an import (see importMarker),
// an input the import could not read back (null in state) or a pair
// adoptable accepts (values the import inferred but cannot tell apart;
// adoptable may be nil). An unknown planned value is never adopted: it
// cannot be compared, nor recorded truthfully.
func replaceIfNewPicture(akoolDefault attr.Value, adoptable func(state, plan attr.Value) bool) replacePolicy {
	return replacePolicy{
		decide: func(c inputChange) verdict {
			switch {
			case c.plan.IsUnknown():
				return verdictReplace
			case akoolDefault != nil && effectiveValue(c.state, akoolDefault).Equal(effectiveValue(c.plan, akoolDefault)):
				return verdictInPlace
			case c.imported && ((c.state.IsNull() && c.unread) || (adoptable != nil && adoptable(c.state, c.plan))):
				return verdictInPlace
			}
			return verdictReplace
		},
		readsImport: true,
		description: "Changing this value generates a new image, except where it keeps the same picture: Akool's " +
			"default written out, or a value an imported image could not report.",
	}
}

// adoptParent is the policy of image_id and index of a button resource: a
// change replaces, except that a null value in state, which only an import
// of a job whose parent and button Akool did not report leaves, takes the
// planned value in place: replacing would press the button again (refused
// by Akool, since it is used) instead of adopting the job that exists. The
// planned value must be known then.
func adoptParent(k *buttonKind) replacePolicy {
	return replacePolicy{
		decide: func(c inputChange) verdict {
			switch {
			case !c.state.IsNull():
				return verdictReplace
			case c.plan.IsUnknown():
				return verdictNeedsKnown
			}
			return verdictInPlace
		},
		needsKnown: k.addParentUnknown,
		description: "Changing this value replaces the resource, except that an imported job whose parent and " +
			"button Akool did not report takes the configuration's value in place.",
	}
}

// replaceIfTriggerChanged is the policy of triggers: a new image when a key
// that the state's triggers already have gets another value. Triggers added
// to an existing resource (to one made without them, or imported, which
// cannot read them back), a new key and a removed one change in place: none
// of them asks for a new picture, and a replacement would spend credits on
// one.
func replaceIfTriggerChanged() replacePolicy {
	return replacePolicy{
		decide: func(c inputChange) verdict {
			state, _ := c.state.(types.Map)
			plan, _ := c.plan.(types.Map)
			if triggersForceReplacement(state, plan) {
				return verdictReplace
			}
			return verdictInPlace
		},
		description: "Changing the value of a key that is already set replaces the resource; adding or removing " +
			"keys changes it in place.",
	}
}

// triggersForceReplacement reports whether planned triggers replace a
// resource whose state holds state: whether a key of state may have another
// value in plan. An unknown value may differ from anything.
func triggersForceReplacement(state, plan types.Map) bool {
	if len(state.Elements()) == 0 {
		return false
	}
	if plan.IsUnknown() {
		return true
	}
	planned := plan.Elements()
	for key, old := range state.Elements() {
		if value, ok := planned[key]; ok && !value.Equal(old) {
			return true
		}
	}
	return false
}
