package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// importTestSchema is the resource's schema with an empty state and plan.
func importTestSchema(t *testing.T) (tfsdk.State, tfsdk.Plan) {
	t.Helper()
	schemaResp := &resource.SchemaResponse{}
	NewGeneratedImageResource().Schema(context.Background(), resource.SchemaRequest{}, schemaResp)
	objType := schemaResp.Schema.Type().TerraformType(context.Background())
	return tfsdk.State{Schema: schemaResp.Schema, Raw: nullObject(objType)},
		tfsdk.Plan{Schema: schemaResp.Schema, Raw: nullObject(objType)}
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
	state, plan := importTestSchema(t)
	marker := func(unread ...string) importTestPrivate {
		p := importTestPrivate{}
		setImportMarker(ctx, p, &importMarker{Unread: unread})
		return p
	}
	resolution := replaceIfNewPictureString{akoolDefault: resolutionDefault}
	scale := replaceIfNewPictureString{adoptable: func(_, plan types.String) bool { return plan.ValueString() == scaleOriginal }}
	null, unknown := types.StringNull(), types.StringUnknown()
	str := types.StringValue

	tests := []struct {
		name        string
		modifier    replaceIfNewPictureString
		attribute   string
		private     importTestPrivate
		state, plan types.String
		wantReplace bool
	}{
		{"default written out", resolution, "resolution", nil, null, str("4k"), false},
		{"default removed", resolution, "resolution", nil, str("4k"), null, false},
		{"other value where null", resolution, "resolution", nil, null, str("1080p"), true},
		{"other value", resolution, "resolution", nil, str("4k"), str("1080p"), true},
		{"no default: null to a value", replaceIfNewPictureString{}, "negative_prompt", nil, null, str("rain"), true},
		{"unread in the import window", replaceIfNewPictureString{}, "negative_prompt", marker("negative_prompt"), null, str("rain"), false},
		{"read in the import window", replaceIfNewPictureString{}, "source_image", marker("negative_prompt"), null, str("https://x.example/a.png"), true},
		{"unread but set in state", replaceIfNewPictureString{}, "prompt", marker("prompt"), str("a"), str("b"), true},
		{"unknown in the import window", replaceIfNewPictureString{}, "prompt", marker("prompt"), null, unknown, true},
		{"inferred scale, Original in the window", scale, "scale", marker(), str("1:1"), str(scaleOriginal), false},
		{"inferred scale, other ratio in the window", scale, "scale", marker(), str("1:1"), str("16:9"), true},
		{"Original outside the window", scale, "scale", nil, str("1:1"), str(scaleOriginal), true},
	}
	for _, tt := range tests {
		req := planmodifier.StringRequest{
			Path: path.Root(tt.attribute), State: state, Plan: plan,
			StateValue: tt.state, PlanValue: tt.plan, ConfigValue: tt.plan,
		}
		resp := &planmodifier.StringResponse{PlanValue: tt.plan}
		tt.modifier.planModify(ctx, req, privateOrNil(tt.private), resp)
		if resp.RequiresReplace != tt.wantReplace {
			t.Errorf("%s: RequiresReplace = %v, want %v", tt.name, resp.RequiresReplace, tt.wantReplace)
		}
	}

	similarity := replaceIfNewPictureFloat64{akoolDefault: types.Float64Value(similarityDefault)}
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
		req := planmodifier.Float64Request{
			Path: path.Root("similarity"), State: state, Plan: plan,
			StateValue: tt.state, PlanValue: tt.plan, ConfigValue: tt.plan,
		}
		resp := &planmodifier.Float64Response{PlanValue: tt.plan}
		similarity.planModify(ctx, req, privateOrNil(tt.private), resp)
		if resp.RequiresReplace != tt.wantReplace {
			t.Errorf("similarity %s: RequiresReplace = %v, want %v", tt.name, resp.RequiresReplace, tt.wantReplace)
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
	schemaResp := &resource.SchemaResponse{}
	NewGeneratedImageResource().Schema(context.Background(), resource.SchemaRequest{}, schemaResp)
	s := schemaResp.Schema
	objType := s.Type().TerraformType(context.Background())
	state := tfsdk.State{Schema: s, Raw: tftypes.NewValue(objType, nil)}
	stateWithPrompt := func() tfsdk.State {
		st := tfsdk.State{Schema: s, Raw: nullObject(objType)}
		if diags := st.SetAttribute(context.Background(), path.Root("prompt"), "old"); diags.HasError() {
			t.Fatal(diags)
		}
		return st
	}()
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
		replaceIfNewPictureString{}.PlanModifyString(context.Background(), req, resp)
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
		replaceIfTriggerChanged{}.PlanModifyMap(ctx, planmodifier.MapRequest{
			Path:  path.Root("triggers"),
			State: tfsdk.State{Raw: tt.state}, Plan: tfsdk.Plan{Raw: tt.plan},
			StateValue: triggers("revision", "1"), PlanValue: triggers("revision", "2"),
		}, resp)
		if resp.RequiresReplace != tt.want {
			t.Errorf("%s: requires replace = %t, want %t", tt.name, resp.RequiresReplace, tt.want)
		}
	}
}
