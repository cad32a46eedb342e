package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/akool-community/terraform-provider-akool/internal/akool"
	"github.com/akool-community/terraform-provider-akool/internal/emulator"
)

// Importing a job as the wrong kind of resource, or a job that no button
// made, is refused with the resource type to use instead.
func TestAccImageButton_importWrongKind(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	config := testAccGridConfig(url, "a kite festival on the beach") +
		testAccButtonBlock("akool_image_upscale", "up", "akool_generated_image.grid.id", 1, "") +
		testAccButtonBlock("akool_image_variation", "var", "akool_generated_image.grid.id", 1, "")
	withImported := config +
		testAccButtonBlock("akool_image_upscale", "imported", "akool_generated_image.grid.id", 1, "") +
		testAccButtonBlock("akool_image_variation", "imported", "akool_generated_image.grid.id", 1, "")
	accTest(t, []tfresource.TestStep{
		{Config: config, Check: expectPresses(e, 2)},
		importErrorStep(withImported, "akool_image_upscale.imported", "akool_image_variation.var",
			"Cannot Import Image", "is a variation (button V1 of image", "not an upscale", "Import it as akool_image_variation instead"),
		importErrorStep(withImported, "akool_image_variation.imported", "akool_image_upscale.up",
			"Cannot Import Image", "is an upscale (button U1 of image", "not a variation", "Import it as akool_image_upscale instead"),
		importErrorStep(withImported, "akool_image_upscale.imported", testAccGridAddress,
			"Cannot Import Image", "offers buttons of its own", "so it is a grid", "not an upscale", "as akool_generated_image"),
		{
			Config:        withImported,
			ResourceName:  "akool_image_upscale.imported",
			ImportState:   true,
			ImportStateId: "not-an-id",
			ExpectError:   errorPattern("Invalid Import ID", "24 hexadecimal digits"),
		},
	})
	expectEmulatorCalls(t, e, 1, 2, "an import must never press a button")
}

// A press that outlives its create timeout keeps the paid job in state,
// untainted, with a warning; the next plain apply waits for the same job and
// presses nothing.
func TestAccImageButton_timeoutRecovery(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	h, grid := newGridHarness(t, url, "a slow upscale of a harbor")

	// From now on, jobs only finish when the test moves the emulator's clock.
	e.SetJobTime(0, time.Hour)
	const address = "akool_image_upscale.slow"
	config := func(timeout string) string {
		return grid + testAccButtonBlock("akool_image_upscale", "slow", "akool_generated_image.grid.id", 3,
			fmt.Sprintf("  timeouts {\n    create = %q\n  }\n", timeout))
	}
	h.writeConfig(config("1s"))
	res := h.apply()
	if res.exitCode != 0 {
		t.Errorf("apply exited %d; an apply whose only problem is an unfinished job warns and exits 0:\n%s", res.exitCode, res.output())
	}
	for _, want := range []string{"Warning: Upscale Not Finished", "credits spent", "within the create timeout (1s)",
		"not tainted", "continues waiting for the same job for free"} {
		if !res.mentions(want) {
			t.Errorf("apply output does not mention %q:\n%s", want, res.output())
		}
	}
	first, id := h.expectKeptJob(res, address)
	if status := first.AttributeValues["status"]; status != "processing" {
		t.Fatalf("after the timeout: status = %v; want processing", status)
	}

	// A plain apply (no untaint) with a longer wait. Once the apply has
	// refreshed and started waiting, the job finishes.
	h.writeConfig(config("2m"))
	res = applyFinishingJobsByClock(h, e, id)
	if res.exitCode != 0 {
		t.Fatalf("recovery apply failed:\n%s", res.output())
	}
	if !res.mentions("0 added, 1 changed, 0 destroyed") {
		t.Errorf("recovery apply was not one in-place update:\n%s", res.output())
	}
	if done := h.expectFinishedJob(address, id); done.AttributeValues["button"] != "U3" {
		t.Fatalf("after recovery: button %v; want U3", done.AttributeValues["button"])
	}
	expectEmulatorCalls(t, e, 1, 1, "the recovery must not press the button again")
	h.expectNoChanges("after recovery")
}

// newFailingPressServer serves an emulator whose button jobs end as failed:
// infobymodelid reports image_status 4 and no image for them once they would
// have completed. (The emulator only fails jobs whose prompt asks for it, and
// a press can only be made on a parent that did not fail.)
func newFailingPressServer(t *testing.T) (*emulator.Emulator, string) {
	t.Helper()
	return newEditingEmulator(t, "/infobymodelid", func(data map[string]any) {
		if data["op_button"] != nil && data["image_status"] == float64(3) {
			data["image_status"] = 4
			data["image"] = ""
		}
	})
}

// A press whose job fails is an error naming the job; its id and status stay
// in state. The next apply replaces it, and as Akool lists the button as
// used, the new press is refused before it is sent.
func TestAccImageButton_failedPress(t *testing.T) {
	t.Parallel()
	e, url := newFailingPressServer(t)
	h := newTFHarness(t)
	const address = "akool_image_variation.doomed"
	h.initWith(testAccGridConfig(url, "a cathedral in the clouds") +
		testAccButtonBlock("akool_image_variation", "doomed", "akool_generated_image.grid.id", 4, ""))

	res := h.apply()
	if res.exitCode == 0 {
		t.Fatalf("apply of a failing press succeeded:\n%s", res.output())
	}
	failed := h.resource(address)
	if failed == nil || failed.AttributeValues["status"] != "failed" || !failed.Tainted {
		t.Fatalf("failed job in state: %+v; want its id with status failed, tainted", failed)
	}
	id, _ := failed.AttributeValues["id"].(string)
	for _, want := range []string{"Image Variation Failed", id, "image_status 4", "presses button V4 of image"} {
		if !res.mentions(want) {
			t.Errorf("apply output does not mention %q:\n%s", want, res.output())
		}
	}

	res = h.apply()
	if res.exitCode == 0 || !res.mentions("Button Already Pressed") || !res.mentions("Button V4 of image") {
		t.Errorf("second apply: exit %d, want the replacement's press refused as already pressed:\n%s", res.exitCode, res.output())
	}
	expectEmulatorCalls(t, e, 1, 1, "the grid and one press")
}

func TestPressRefusal(t *testing.T) {
	const parent = "662a10df4197b3af58532e89"
	all := []string{"U1", "U2", "U3", "U4", "V1", "V2", "V3", "V4"}
	tests := []struct {
		name      string
		img       akool.Image
		button    string
		attribute string
		summary   string // "" means the press may go ahead
		mentions  []string
	}{
		{name: "grid", img: akool.Image{Status: akool.StatusCompleted, Buttons: all}, button: "U2"},
		{name: "other button used", img: akool.Image{Status: akool.StatusCompleted, Buttons: all, UsedButtons: []string{"U1"}}, button: "U2"},
		{name: "queueing", img: akool.Image{Status: akool.StatusQueueing}, button: "U2", attribute: "image_id",
			summary: "Parent Image Not Finished", mentions: []string{parent, "queueing", "U2", "until it has finished", "Nothing was sent"}},
		{name: "processing", img: akool.Image{Status: akool.StatusProcessing}, button: "V1", attribute: "image_id",
			summary: "Parent Image Not Finished", mentions: []string{"processing", "V1"}},
		{name: "failed", img: akool.Image{Status: akool.StatusFailed}, button: "V1", attribute: "image_id",
			summary: "Parent Image Failed", mentions: []string{parent, "no buttons"}},
		{name: "used", img: akool.Image{Status: akool.StatusCompleted, Buttons: all, UsedButtons: []string{"V2"}}, button: "V2",
			attribute: "index", summary: "Button Already Pressed",
			mentions: []string{"Button V2 of image " + parent, "this or another configuration", "refuses", "terraform import <address> <id of that job>", "Nothing was sent"}},
		{name: "used and no longer offered", img: akool.Image{Status: akool.StatusCompleted, Buttons: []string{"U1"}, UsedButtons: []string{"u2"}},
			button: "U2", attribute: "index", summary: "Button Already Pressed"},
		{name: "v4", img: akool.Image{Status: akool.StatusCompleted, ModelName: "m"}, button: "U1", attribute: "image_id",
			summary: "Button Not Offered", mentions: []string{parent, "it offers no buttons)", "v4 images"}},
		{name: "upscale", img: akool.Image{Status: akool.StatusCompleted, ParentID: "aaaaaaaaaaaaaaaaaaaaaaaa", Button: "U3"}, button: "U1",
			attribute: "image_id", summary: "Button Not Offered", mentions: []string{"result of button U3 of image aaaaaaaaaaaaaaaaaaaaaaaa"}},
		{name: "partial buttons", img: akool.Image{Status: akool.StatusCompleted, Buttons: []string{"U1", "U2"}}, button: "V1",
			attribute: "image_id", summary: "Button Not Offered", mentions: []string{"it offers U1, U2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			attribute, summary, detail := pressRefusal(&tt.img, parent, tt.button)
			if summary != tt.summary || attribute != tt.attribute {
				t.Fatalf("pressRefusal = (%q, %q), want (%q, %q); detail: %s", attribute, summary, tt.attribute, tt.summary, detail)
			}
			for _, want := range tt.mentions {
				if !strings.Contains(detail, want) {
					t.Errorf("detail does not mention %q: %s", want, detail)
				}
			}
		})
	}
}

func TestAddPressError(t *testing.T) {
	const parent = "662a10df4197b3af58532e89"
	tests := []struct {
		name     string
		kind     *buttonKind
		err      error
		summary  string
		mentions []string
	}{
		{name: "already operated", kind: upscaleKind,
			err:      &akool.APIError{Code: akool.CodeAlreadyOperated, Message: "already operated", Endpoint: "/createbybutton"},
			summary:  "Unable to Upscale Image",
			mentions: []string{"button U2 of image " + parent, "code 1011", `"already operated"`, "already done", "terraform import"}},
		{name: "cannot operate", kind: variationKind,
			err:      &akool.APIError{Code: akool.CodeCannotOperate, Message: "cannot operate", Endpoint: "/createbybutton"},
			summary:  "Unable to Create Image Variation",
			mentions: []string{"code 1010", "cannot be operated on", "finished grid"}},
		{name: "no credit", kind: variationKind,
			err:      &akool.APIError{Code: akool.CodeNoCredit, Message: "quota", Endpoint: "/createbybutton"},
			summary:  "Unable to Create Image Variation",
			mentions: []string{"code 1006", "top it up"}},
		{name: "uncertain", kind: upscaleKind,
			err:      &akool.UncertainError{Endpoint: "/createbybutton", Err: fmt.Errorf("connection reset")},
			summary:  "Upscale Outcome Unknown",
			mentions: []string{"connection reset", "may have started the upscale", "did not send the request again", "terraform import <address> <id>"}},
		{name: "network", kind: upscaleKind, err: fmt.Errorf("dial tcp: connection refused"),
			summary: "Unable to Upscale Image", mentions: []string{"before Akool accepted it", "connection refused", "Nothing was pressed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var diags diag.Diagnostics
			button := tt.kind.button(2)
			tt.kind.addPressError(&diags, parent, button, tt.err)
			if len(diags.Errors()) != 1 || diags.Errors()[0].Summary() != tt.summary {
				t.Fatalf("diagnostics = %v, want one error %q", diags, tt.summary)
			}
			for _, want := range tt.mentions {
				if !strings.Contains(diags.Errors()[0].Detail(), want) {
					t.Errorf("detail does not mention %q: %s", want, diags.Errors()[0].Detail())
				}
			}
		})
	}
}

func TestAdoptImported(t *testing.T) {
	const id, parent = "662a10df4197b3af58532e89", "aaaaaaaaaaaaaaaaaaaaaaaa"
	tests := []struct {
		name         string
		kind         *buttonKind
		img          akool.Image
		wantIndex    int64  // 0 means an error is expected, unless wantNull
		mentions     string // in the error
		wantNull     bool   // image_id, index and button stay null
		wantNoParent bool   // image_id stays null
	}{
		{name: "upscale", kind: upscaleKind, img: akool.Image{ParentID: parent, Button: "U3"}, wantIndex: 3},
		{name: "variation, lower case", kind: variationKind, img: akool.Image{ParentID: parent, Button: " v2"}, wantIndex: 2},
		{name: "wrong kind", kind: upscaleKind, img: akool.Image{ParentID: parent, Button: "V2"}, mentions: "Import it as akool_image_variation"},
		{name: "a grid as an upscale", kind: upscaleKind, img: akool.Image{Buttons: []string{"U1", "V1"}}, mentions: "so it is a grid"},
		// What Akool leaves out stays null, for the configuration to fill.
		{name: "no parent and button", kind: variationKind, img: akool.Image{Buttons: []string{"U1"}}, wantNull: true},
		{name: "no parent and button, upscale", kind: upscaleKind, img: akool.Image{}, wantNull: true},
		{name: "no parent", kind: variationKind, img: akool.Image{Button: "V1"}, wantIndex: 1, wantNoParent: true},
		{name: "unknown button", kind: upscaleKind, img: akool.Image{ParentID: parent, Button: "U9"}, mentions: `"U9"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := imageButtonModel{jobResultModel: jobResultModel{ID: types.StringValue(id)}}
			var diags diag.Diagnostics
			ok := tt.kind.adoptImported(&m, &tt.img, &diags)
			if tt.wantNull {
				if !ok || diags.HasError() || !m.ImageID.IsNull() || !m.Index.IsNull() || !m.Button.IsNull() {
					t.Fatalf("adoptImported = %v, %v, image_id %s, index %s, button %s; want success with all three null",
						ok, diags, m.ImageID, m.Index, m.Button)
				}
				return
			}
			if tt.wantIndex == 0 {
				if ok || !diags.HasError() || !strings.Contains(diags.Errors()[0].Detail(), tt.mentions) {
					t.Fatalf("adoptImported = %v, %v; want an error mentioning %q", ok, diags, tt.mentions)
				}
				return
			}
			if !ok || diags.HasError() {
				t.Fatalf("adoptImported = %v, %v", ok, diags)
			}
			wantButton := tt.kind.button(tt.wantIndex)
			if tt.wantNoParent {
				if !m.ImageID.IsNull() || m.Index.ValueInt64() != tt.wantIndex || m.Button.ValueString() != wantButton {
					t.Errorf("image_id, index, button = %s, %s, %s; want null, %d, %s", m.ImageID, m.Index, m.Button, tt.wantIndex, wantButton)
				}
				return
			}
			if m.ImageID.ValueString() != parent || m.Index.ValueInt64() != tt.wantIndex || m.Button.ValueString() != wantButton {
				t.Errorf("image_id, index, button = %s, %s, %s; want %s, %d, %s", m.ImageID, m.Index, m.Button, parent, tt.wantIndex, wantButton)
			}
		})
	}
}

// The wait's diagnostics speak of the press: its button, its parent, and
// why replacing it does not help.
func TestFinishWait_button(t *testing.T) {
	ctx := context.Background()
	const id, parent = "662a10df4197b3af58532e89", "aaaaaaaaaaaaaaaaaaaaaaaa"
	for _, kind := range []*buttonKind{upscaleKind, variationKind} {
		newState := func() (tfsdk.State, buttonModel) {
			state := testState(t, &imageButtonResource{kind: kind}, nil)
			m := kind.newModel()
			if diags := state.Get(ctx, m); diags.HasError() {
				t.Fatal(diags)
			}
			m.base().ImageID = types.StringValue(parent)
			m.base().Button = types.StringValue(kind.button(2))
			m.applyImage(&akool.Image{ID: id, Status: akool.StatusQueueing}, time.Now())
			return state, m
		}

		state, m := newState()
		var diags diag.Diagnostics
		finishWait(ctx, nil, m, &akool.Image{ID: id, Status: akool.StatusFailed}, &akool.JobFailedError{Image: &akool.Image{ID: id}},
			time.Now(), time.Minute, false, &state, &diags)
		var status types.String
		state.GetAttribute(ctx, path.Root("status"), &status)
		if status.ValueString() != "failed" || len(diags.Errors()) != 1 || diags.Errors()[0].Summary() != kind.operation+" Failed" {
			t.Fatalf("%s: failed job: status %s, diagnostics %v", kind.typeName(), status, diags)
		}
		if detail := diags.Errors()[0].Detail(); !strings.Contains(detail, id) || !strings.Contains(detail, kind.button(2)+" of image "+parent) {
			t.Errorf("%s: failed detail does not name the job, button and parent: %s", kind.typeName(), detail)
		}

		state, m = newState()
		diags = nil
		finishWait(ctx, nil, m, &akool.Image{ID: id, Status: akool.StatusProcessing}, context.DeadlineExceeded, time.Now(), time.Minute, false, &state, &diags)
		if diags.HasError() || len(diags.Warnings()) != 1 || diags.Warnings()[0].Summary() != kind.operation+" Not Finished" {
			t.Fatalf("%s: timeout: diagnostics %v; want one warning and no error (an error taints)", kind.typeName(), diags)
		}
		detail := diags.Warnings()[0].Detail()
		for _, want := range []string{id, "not tainted", "continues waiting for the same job for free", "image_url is not set"} {
			if !strings.Contains(detail, want) {
				t.Errorf("%s: timeout detail does not mention %q: %s", kind.typeName(), want, detail)
			}
		}
	}
}

// Only variations carry the grid attributes; both kinds share the rest.
func TestImageButtonSchema(t *testing.T) {
	ctx := context.Background()
	grid := []string{"upscaled_urls", "buttons", "used_buttons"}
	shared := []string{"id", "image_id", "index", "button", "webhook_url", "triggers", "status", "image_url", "deduction_credit",
		"created_at", "expires_at", "expired"}
	for _, tt := range []struct {
		kind     *buttonKind
		typeName string
		hasGrid  bool
	}{{upscaleKind, "akool_image_upscale", false}, {variationKind, "akool_image_variation", true}} {
		r := &imageButtonResource{kind: tt.kind}
		meta := &resource.MetadataResponse{}
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "akool"}, meta)
		if meta.TypeName != tt.typeName {
			t.Errorf("type name = %s, want %s", meta.TypeName, tt.typeName)
		}
		s := resourceSchema(t, r)
		if diags := s.ValidateImplementation(ctx); diags.HasError() {
			t.Errorf("%s: invalid schema: %v", tt.typeName, diags)
		}
		attributes := s.GetAttributes()
		for _, name := range shared {
			if _, ok := attributes[name]; !ok {
				t.Errorf("%s has no attribute %s", tt.typeName, name)
			}
		}
		for _, name := range grid {
			if _, ok := attributes[name]; ok != tt.hasGrid {
				t.Errorf("%s: attribute %s present = %v, want %v", tt.typeName, name, ok, tt.hasGrid)
			}
		}
		if len(attributes) != len(shared)+map[bool]int{true: len(grid)}[tt.hasGrid] {
			t.Errorf("%s has %d attributes, want only the listed ones", tt.typeName, len(attributes))
		}
		// The model matches the schema in both directions.
		state := testState(t, r, nil)
		m := tt.kind.newModel()
		if diags := state.Get(ctx, m); diags.HasError() {
			t.Errorf("%s: reading state into the model: %v", tt.typeName, diags)
		}
		m.applyImage(&akool.Image{ID: "662a10df4197b3af58532e89", Status: akool.StatusCompleted, Buttons: []string{"U1"}}, time.Now())
		if diags := state.Set(ctx, m); diags.HasError() {
			t.Errorf("%s: writing the model to state: %v", tt.typeName, diags)
		}
	}
}
