package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// privateKeyImported marks, in a resource's private state, a resource that was
// imported and has not been updated since. Its value is the JSON `true`.
const privateKeyImported = "imported"

var privateImportedValue = []byte("true")

// privateState is the part of the framework's private state data that this
// package reads (the framework's type is internal to it).
type privateState interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

// isImported reports whether the private state marks an imported resource.
func isImported(ctx context.Context, private privateState) bool {
	if private == nil {
		return false
	}
	value, diags := private.GetKey(ctx, privateKeyImported)
	return !diags.HasError() && string(value) == string(privateImportedValue)
}

// replaceUnlessImportedString forces a new image when the value changes,
// except on an imported resource whose state holds no value for the attribute
// (Akool does not echo it back): the configuration's value is then adopted in
// place, because regenerating a picture that exists, and paying for it again,
// just because a value could not be read back is never what the user wants.
//
// adoptable, when set, names further (state, plan) pairs that an imported
// resource adopts in place.
type replaceUnlessImportedString struct {
	adoptable func(state, plan types.String) bool
}

var _ planmodifier.String = replaceUnlessImportedString{}

func (m replaceUnlessImportedString) Description(context.Context) string {
	return "Changing this value generates a new image, except that an imported resource adopts a value Akool could not report."
}

func (m replaceUnlessImportedString) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (m replaceUnlessImportedString) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() || req.PlanValue.Equal(req.StateValue) {
		return
	}
	if isImported(ctx, req.Private) &&
		(req.StateValue.IsNull() || (m.adoptable != nil && m.adoptable(req.StateValue, req.PlanValue))) {
		return
	}
	resp.RequiresReplace = true
}

// replaceUnlessImportedFloat64 is replaceUnlessImportedString for numbers.
type replaceUnlessImportedFloat64 struct{}

var _ planmodifier.Float64 = replaceUnlessImportedFloat64{}

func (m replaceUnlessImportedFloat64) Description(context.Context) string {
	return replaceUnlessImportedString{}.Description(context.Background())
}

func (m replaceUnlessImportedFloat64) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (m replaceUnlessImportedFloat64) PlanModifyFloat64(ctx context.Context, req planmodifier.Float64Request, resp *planmodifier.Float64Response) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() || req.PlanValue.Equal(req.StateValue) {
		return
	}
	if isImported(ctx, req.Private) && req.StateValue.IsNull() {
		return
	}
	resp.RequiresReplace = true
}
