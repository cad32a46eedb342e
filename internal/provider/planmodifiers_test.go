package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// importTestState is an empty state of the generated image's schema.
func importTestState(t *testing.T) tfsdk.State {
	t.Helper()
	return testState(t, NewGeneratedImageResource(), nil)
}

// importTestPrivate is private state data in memory, for the import tests.
type importTestPrivate map[string][]byte

func (p importTestPrivate) GetKey(_ context.Context, key string) ([]byte, diag.Diagnostics) {
	return p[key], nil
}

func (p importTestPrivate) SetKey(_ context.Context, key string, value []byte) diag.Diagnostics {
	if len(value) == 0 {
		delete(p, key)
	} else {
		p[key] = value
	}
	return nil
}

// The import marker round-trips through private state, and anything else
// under its key is no marker.
func TestImportMarkerEncoding(t *testing.T) {
	ctx := context.Background()
	private := importTestPrivate{}
	if diags := setImportMarker(ctx, private, &importMarker{Unread: []string{"resolution"}}); diags.HasError() {
		t.Fatal(diags)
	}
	m, ok := importMarkerFrom(ctx, private)
	if !ok || !m.unread(path.Root("resolution")) || m.unread(path.Root("prompt")) {
		t.Fatalf("marker read back as %+v, %v; want resolution unread", m, ok)
	}
	if diags := setImportMarker(ctx, private, nil); diags.HasError() || isImported(ctx, private) {
		t.Fatalf("after removing the marker: imported = %v, %v", isImported(ctx, private), diags)
	}

	// A marker from an earlier format, or garbage, is no marker.
	private[privateKeyImported] = []byte("true")
	if isImported(ctx, private) {
		t.Error("a marker that is not an importMarker counts as one")
	}
}

// The replacement rules of an input that shapes the picture: Akool's
// default against null, adoption in the import window, unknown values.
func TestReplaceIfNewPicture(t *testing.T) {
	ctx := context.Background()
	state := importTestState(t)
	marker := func(unread ...string) importTestPrivate {
		p := importTestPrivate{}
		setImportMarker(ctx, p, &importMarker{Unread: unread})
		return p
	}
	resolution := replaceIfNewPicture(types.StringValue(resolutionDefault), nil)
	scale := replaceIfNewPicture(nil, func(_, plan attr.Value) bool { return plan.Equal(types.StringValue(scaleOriginal)) })
	none := replaceIfNewPicture(nil, nil)
	null, unknown := types.StringNull(), types.StringUnknown()
	str := types.StringValue

	tests := []struct {
		name        string
		policy      replacePolicy
		attribute   string
		private     importTestPrivate
		state, plan types.String
		wantReplace bool
	}{
		{"default written out", resolution, "resolution", nil, null, str("4k"), false},
		{"default removed", resolution, "resolution", nil, str("4k"), null, false},
		{"other value where null", resolution, "resolution", nil, null, str("1080p"), true},
		{"other value", resolution, "resolution", nil, str("4k"), str("1080p"), true},
		{"no default: null to a value", none, "negative_prompt", nil, null, str("rain"), true},
		{"unread in the import window", none, "negative_prompt", marker("negative_prompt"), null, str("rain"), false},
		{"read in the import window", none, "source_image", marker("negative_prompt"), null, str("https://x.example/a.png"), true},
		{"unread but set in state", none, "prompt", marker("prompt"), str("a"), str("b"), true},
		{"unknown in the import window", none, "prompt", marker("prompt"), null, unknown, true},
		{"inferred scale, Original in the window", scale, "scale", marker(), str("1:1"), str(scaleOriginal), false},
		{"inferred scale, other ratio in the window", scale, "scale", marker(), str("1:1"), str("16:9"), true},
		{"Original outside the window", scale, "scale", nil, str("1:1"), str(scaleOriginal), true},
	}
	for _, tt := range tests {
		var diags diag.Diagnostics
		if got := tt.policy.replaces(ctx, path.Root(tt.attribute), state, privateOrNil(tt.private), tt.state, tt.plan, &diags); got != tt.wantReplace || diags.HasError() {
			t.Errorf("%s: replaces = %v (%v), want %v", tt.name, got, diags, tt.wantReplace)
		}
	}

	similarity := replaceIfNewPicture(types.Float64Value(similarityDefault), nil)
	floatTests := []struct {
		name        string
		private     importTestPrivate
		state, plan types.Float64
		wantReplace bool
	}{
		{"default written out", nil, types.Float64Null(), types.Float64Value(0.5), false},
		{"default removed", nil, types.Float64Value(0.5), types.Float64Null(), false},
		{"other value", nil, types.Float64Null(), types.Float64Value(0.7), true},
		{"unread in the import window", marker("similarity"), types.Float64Null(), types.Float64Value(0.7), false},
		{"after the window", nil, types.Float64Value(0.7), types.Float64Value(0.2), true},
	}
	for _, tt := range floatTests {
		var diags diag.Diagnostics
		if got := similarity.replaces(ctx, path.Root("similarity"), state, privateOrNil(tt.private), tt.state, tt.plan, &diags); got != tt.wantReplace || diags.HasError() {
			t.Errorf("similarity %s: replaces = %v (%v), want %v", tt.name, got, diags, tt.wantReplace)
		}
	}
}

// privateOrNil keeps a nil map a nil interface.
func privateOrNil(p importTestPrivate) privateState {
	if p == nil {
		return nil
	}
	return p
}

// The replacement rule outside import: a change replaces, equal values and
// creation do not.
func TestReplaceIfNewPictureString(t *testing.T) {
	s := resourceSchema(t, NewGeneratedImageResource())
	objType := s.Type().TerraformType(context.Background())
	state := tfsdk.State{Schema: s, Raw: tftypes.NewValue(objType, nil)}
	stateWithPrompt := testState(t, NewGeneratedImageResource(), map[string]any{"prompt": "old"})
	plan := tfsdk.Plan{Schema: s, Raw: nullObject(objType)}

	tests := []struct {
		name        string
		state       tfsdk.State
		stateValue  types.String
		planValue   types.String
		wantReplace bool
	}{
		{"create", state, types.StringNull(), types.StringValue("new"), false},
		{"unchanged", stateWithPrompt, types.StringValue("old"), types.StringValue("old"), false},
		{"changed", stateWithPrompt, types.StringValue("old"), types.StringValue("new"), true},
		{"set where state is null, not imported", stateWithPrompt, types.StringNull(), types.StringValue("new"), true},
		{"unknown", stateWithPrompt, types.StringValue("old"), types.StringUnknown(), true},
	}
	for _, tt := range tests {
		req := planmodifier.StringRequest{State: tt.state, Plan: plan, StateValue: tt.stateValue, PlanValue: tt.planValue}
		resp := &planmodifier.StringResponse{PlanValue: tt.planValue}
		replaceIfNewPicture(nil, nil).stringModifier().PlanModifyString(context.Background(), req, resp)
		if resp.RequiresReplace != tt.wantReplace {
			t.Errorf("%s: RequiresReplace = %v, want %v", tt.name, resp.RequiresReplace, tt.wantReplace)
		}
	}
}

func TestReplaceIfTriggerChanged(t *testing.T) {
	ctx := context.Background()
	triggers := func(kv ...string) types.Map {
		elems := map[string]attr.Value{}
		for i := 0; i+1 < len(kv); i += 2 {
			elems[kv[i]] = types.StringValue(kv[i+1])
		}
		return types.MapValueMust(types.StringType, elems)
	}
	null := types.MapNull(types.StringType)
	unknown := types.MapUnknown(types.StringType)
	unknownElement := types.MapValueMust(types.StringType, map[string]attr.Value{"revision": types.StringUnknown()})

	tests := []struct {
		name        string
		state, plan types.Map
		want        bool
	}{
		{"unchanged", triggers("revision", "1"), triggers("revision", "1"), false},
		{"bumped", triggers("revision", "1"), triggers("revision", "2"), true},
		{"one of two bumped", triggers("revision", "1", "season", "winter"), triggers("revision", "1", "season", "spring"), true},
		{"added to an existing resource", null, triggers("revision", "1"), false},
		{"added where state is empty", triggers(), triggers("revision", "1"), false},
		{"another key added", triggers("revision", "1"), triggers("revision", "1", "season", "winter"), false},
		{"a key removed", triggers("revision", "1", "season", "winter"), triggers("revision", "1"), false},
		{"removed", triggers("revision", "1"), null, false},
		{"null and empty are the same", null, triggers(), false},
		{"empty and null are the same", triggers(), null, false},
		{"unknown", triggers("revision", "1"), unknown, true},
		{"unknown where state has none", null, unknown, false},
		{"unknown element", triggers("revision", "1"), unknownElement, true},
		{"unknown new key", triggers("revision", "1"), types.MapValueMust(types.StringType, map[string]attr.Value{
			"revision": types.StringValue("1"), "season": types.StringUnknown()}), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := triggersForceReplacement(tt.state, tt.plan); got != tt.want {
				t.Errorf("triggersForceReplacement = %t, want %t", got, tt.want)
			}
		})
	}

	// Through the plan modifier: a change of an existing resource replaces
	// it; a new resource, or one being destroyed, is never "replaced".
	objectType := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"triggers": tftypes.Map{ElementType: tftypes.String}}}
	present := tftypes.NewValue(objectType, map[string]tftypes.Value{"triggers": tftypes.NewValue(tftypes.Map{ElementType: tftypes.String}, nil)})
	absent := tftypes.NewValue(objectType, nil)
	for _, tt := range []struct {
		name        string
		state, plan tftypes.Value
		want        bool
	}{
		{"update", present, present, true},
		{"create", absent, present, false},
		{"destroy", present, absent, false},
	} {
		resp := &planmodifier.MapResponse{PlanValue: triggers("revision", "2")}
		replaceIfTriggerChanged().mapModifier().PlanModifyMap(ctx, planmodifier.MapRequest{
			Path:  path.Root("triggers"),
			State: tfsdk.State{Raw: tt.state}, Plan: tfsdk.Plan{Raw: tt.plan},
			StateValue: triggers("revision", "1"), PlanValue: triggers("revision", "2"),
		}, resp)
		if resp.RequiresReplace != tt.want {
			t.Errorf("%s: requires replace = %t, want %t", tt.name, resp.RequiresReplace, tt.want)
		}
	}
}

// The one decision behind every replace-unless-adoptable plan modifier, rule
// by rule.
func TestReplacePolicyDecide(t *testing.T) {
	str, null, unknown := types.StringValue, types.StringNull(), types.StringUnknown()
	triggers := func(value string) types.Map {
		return types.MapValueMust(types.StringType, map[string]attr.Value{"revision": types.StringValue(value)})
	}
	picture := replaceIfNewPicture(nil, nil)
	withDefault := replaceIfNewPicture(types.StringValue("4k"), nil)
	adoptable := replaceIfNewPicture(nil, func(_, plan attr.Value) bool { return plan.Equal(str(scaleOriginal)) })
	parent := adoptParent(upscaleKind)
	trigger := replaceIfTriggerChanged()

	for _, tt := range []struct {
		name   string
		policy replacePolicy
		change inputChange
		want   verdict
	}{
		{"picture: changed", picture, inputChange{state: str("a"), plan: str("b")}, verdictReplace},
		{"picture: set where null", picture, inputChange{state: null, plan: str("b")}, verdictReplace},
		{"picture: unknown", picture, inputChange{state: str("a"), plan: unknown}, verdictReplace},
		{"picture: unread in the import window", picture, inputChange{state: null, plan: str("b"), imported: true, unread: true}, verdictInPlace},
		{"picture: unread but set in state", picture, inputChange{state: str("a"), plan: str("b"), imported: true, unread: true}, verdictReplace},
		{"picture: read in the import window", picture, inputChange{state: null, plan: str("b"), imported: true}, verdictReplace},
		{"picture: unknown in the import window", picture, inputChange{state: null, plan: unknown, imported: true, unread: true}, verdictReplace},
		{"default written out", withDefault, inputChange{state: null, plan: str("4k")}, verdictInPlace},
		{"default removed", withDefault, inputChange{state: str("4k"), plan: null}, verdictInPlace},
		{"default to another value", withDefault, inputChange{state: null, plan: str("1080p")}, verdictReplace},
		{"number default written out", replaceIfNewPicture(types.Float64Value(0.5), nil),
			inputChange{state: types.Float64Null(), plan: types.Float64Value(0.5)}, verdictInPlace},
		{"adoptable pair in the window", adoptable, inputChange{state: str("1:1"), plan: str(scaleOriginal), imported: true}, verdictInPlace},
		{"adoptable pair outside the window", adoptable, inputChange{state: str("1:1"), plan: str(scaleOriginal)}, verdictReplace},
		{"other pair in the window", adoptable, inputChange{state: str("1:1"), plan: str("16:9"), imported: true}, verdictReplace},
		{"parent: changed", parent, inputChange{state: str("a"), plan: str("b")}, verdictReplace},
		{"parent: changed in the window", parent, inputChange{state: str("a"), plan: str("b"), imported: true, unread: true}, verdictReplace},
		{"parent: null in state", parent, inputChange{state: types.Int64Null(), plan: types.Int64Value(2)}, verdictInPlace},
		{"parent: null in state, unknown plan", parent, inputChange{state: null, plan: unknown}, verdictNeedsKnown},
		{"trigger: bumped", trigger, inputChange{state: triggers("1"), plan: triggers("2")}, verdictReplace},
		{"trigger: added", trigger, inputChange{state: types.MapNull(types.StringType), plan: triggers("1")}, verdictInPlace},
		{"trigger: unknown", trigger, inputChange{state: triggers("1"), plan: types.MapUnknown(types.StringType)}, verdictReplace},
	} {
		if got := tt.policy.decide(tt.change); got != tt.want {
			t.Errorf("%s: verdict %d, want %d", tt.name, got, tt.want)
		}
	}
}

// An imported button job whose image_id is unknown at plan time cannot take
// it in place: the plan fails, saying what to set, and replaces nothing.
func TestAdoptParentNeedsKnownValue(t *testing.T) {
	ctx := context.Background()
	state := testState(t, NewImageUpscaleResource(), map[string]any{"id": "662a10df4197b3af58532e89"})
	var diags diag.Diagnostics
	replace := adoptParent(upscaleKind).replaces(ctx, path.Root("image_id"), state, nil, types.StringNull(), types.StringUnknown(), &diags)
	if replace || len(diags.Errors()) != 1 {
		t.Fatalf("replaces = %v, diagnostics %v; want no replacement and one error", replace, diags)
	}
	if d := diags.Errors()[0]; d.Summary() != "Imported Job Needs Known image_id and index" ||
		!strings.Contains(d.Detail(), "upscale 662a10df4197b3af58532e89") {
		t.Errorf("error = %q: %q", d.Summary(), d.Detail())
	}
}
