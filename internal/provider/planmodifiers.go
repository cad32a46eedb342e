package provider

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// privateKeyImported marks, in a resource's private state, a resource in the
// adoption window after an import. Its value is an importMarker in JSON.
const privateKeyImported = "imported"

// importMarker is what the private state remembers of an import until an
// apply has adopted the configuration.
//
// The window: ImportState sets the marker and the import's own read lists
// what it could not read back from Akool. Refreshes keep it as it is, whether
// or not they are saved (terraform apply -refresh-only, terraform refresh, a
// failed apply): a refresh says nothing about the configuration. Only Update
// removes it: by then an apply has recorded the configuration's values in
// state, and a change of an input is a real change that generates a new image.
type importMarker struct {
	// Unread lists the inputs the import could not read back from Akool; in
	// the window, a plan takes them from the configuration in place.
	Unread []string `json:"unread"`
}

// privateState is the part of the framework's private state data that this
// package reads (the framework's type is internal to it).
type privateState interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

// privateStateWriter is the part of the framework's private state data that
// this package writes.
type privateStateWriter interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// importMarkerFrom returns the import marker of the private state, and
// whether there is one.
func importMarkerFrom(ctx context.Context, private privateState) (importMarker, bool) {
	var m importMarker
	if private == nil {
		return m, false
	}
	value, diags := private.GetKey(ctx, privateKeyImported)
	if diags.HasError() || len(value) == 0 || json.Unmarshal(value, &m) != nil {
		return importMarker{}, false
	}
	return m, true
}

// isImported reports whether the private state marks a resource in the
// adoption window after an import.
func isImported(ctx context.Context, private privateState) bool {
	_, ok := importMarkerFrom(ctx, private)
	return ok
}

// unread reports whether the import could not read the attribute at p back.
func (m importMarker) unread(p path.Path) bool {
	return slices.Contains(m.Unread, p.String())
}

// setImportMarker writes m to the private state, or removes the marker when
// m is nil.
func setImportMarker(ctx context.Context, private privateStateWriter, m *importMarker) diag.Diagnostics {
	if m == nil {
		return private.SetKey(ctx, privateKeyImported, nil)
	}
	value, err := json.Marshal(m)
	if err != nil {
		var diags diag.Diagnostics
		diags.AddError("Unable to Record Import", "Encoding the import marker failed: "+err.Error()+". This is a bug in the provider; please report it.")
		return diags
	}
	return private.SetKey(ctx, privateKeyImported, value)
}

// replaceIfNewPictureString forces a new image when an input that shapes the
// picture changes, except where the change would regenerate, and pay again
// for, the picture that exists:
//   - akoolDefault, when set, is Akool's documented default for the input:
//     null in state (the input was not sent, so Akool used its default) and
//     the default in the plan, or the reverse, make the same picture;
//   - in the adoption window after an import (see importMarker), an input
//     that the import could not read back, and that is null in state, takes
//     the configuration's value in place; adoptable names further
//     (state, plan) pairs adopted in the window, for values the import
//     inferred but cannot tell apart.
//
// An unknown planned value is never adopted: it cannot be compared, nor
// recorded truthfully.
type replaceIfNewPictureString struct {
	akoolDefault string
	adoptable    func(state, plan types.String) bool
}

var _ planmodifier.String = replaceIfNewPictureString{}

func (m replaceIfNewPictureString) Description(context.Context) string {
	return "Changing this value generates a new image, except where it keeps the same picture: Akool's default " +
		"written out, or a value an imported image could not report."
}

func (m replaceIfNewPictureString) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (m replaceIfNewPictureString) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	m.planModify(ctx, req, req.Private, resp)
}

// planModify is PlanModifyString reading the private state from private.
func (m replaceIfNewPictureString) planModify(ctx context.Context, req planmodifier.StringRequest, private privateState, resp *planmodifier.StringResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() || req.PlanValue.Equal(req.StateValue) {
		return
	}
	if req.PlanValue.IsUnknown() {
		resp.RequiresReplace = true
		return
	}
	if m.akoolDefault != "" && effectiveString(req.StateValue, m.akoolDefault) == effectiveString(req.PlanValue, m.akoolDefault) {
		return
	}
	if marker, ok := importMarkerFrom(ctx, private); ok &&
		((req.StateValue.IsNull() && marker.unread(req.Path)) || (m.adoptable != nil && m.adoptable(req.StateValue, req.PlanValue))) {
		return
	}
	resp.RequiresReplace = true
}

// effectiveString is the value Akool uses for v: v, or the default when v
// is null.
func effectiveString(v types.String, akoolDefault string) string {
	if v.IsNull() {
		return akoolDefault
	}
	return v.ValueString()
}

// replaceIfNewPictureFloat64 is replaceIfNewPictureString for numbers;
// akoolDefault is null when the input has no documented default.
type replaceIfNewPictureFloat64 struct {
	akoolDefault types.Float64
}

var _ planmodifier.Float64 = replaceIfNewPictureFloat64{}

func (m replaceIfNewPictureFloat64) Description(ctx context.Context) string {
	return replaceIfNewPictureString{}.Description(ctx)
}

func (m replaceIfNewPictureFloat64) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (m replaceIfNewPictureFloat64) PlanModifyFloat64(ctx context.Context, req planmodifier.Float64Request, resp *planmodifier.Float64Response) {
	m.planModify(ctx, req, req.Private, resp)
}

// planModify is PlanModifyFloat64 reading the private state from private.
func (m replaceIfNewPictureFloat64) planModify(ctx context.Context, req planmodifier.Float64Request, private privateState, resp *planmodifier.Float64Response) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() || req.PlanValue.Equal(req.StateValue) {
		return
	}
	if req.PlanValue.IsUnknown() {
		resp.RequiresReplace = true
		return
	}
	if !m.akoolDefault.IsNull() && effectiveFloat64(req.StateValue, m.akoolDefault).Equal(effectiveFloat64(req.PlanValue, m.akoolDefault)) {
		return
	}
	if marker, ok := importMarkerFrom(ctx, private); ok && req.StateValue.IsNull() && marker.unread(req.Path) {
		return
	}
	resp.RequiresReplace = true
}

// effectiveFloat64 is the value Akool uses for v: v, or the default when v
// is null.
func effectiveFloat64(v, akoolDefault types.Float64) types.Float64 {
	if v.IsNull() {
		return akoolDefault
	}
	return v
}

// replaceIfTriggerChanged forces a new image when a key that the state's
// triggers already have gets another value. Triggers added to an existing
// resource (to one made without them, or imported, which cannot read them
// back), a new key and a removed one change in place: none of them asks for
// a new picture, and a replacement would spend credits on one.
type replaceIfTriggerChanged struct{}

var _ planmodifier.Map = replaceIfTriggerChanged{}

func (m replaceIfTriggerChanged) Description(context.Context) string {
	return "Changing the value of a key that is already set replaces the resource; adding or removing keys " +
		"changes it in place."
}

func (m replaceIfTriggerChanged) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (m replaceIfTriggerChanged) PlanModifyMap(_ context.Context, req planmodifier.MapRequest, resp *planmodifier.MapResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	resp.RequiresReplace = triggersForceReplacement(req.StateValue, req.PlanValue)
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
