package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/akool-community/terraform-provider-akool/internal/akool"
)

// Importing a job as the wrong kind of resource, or a job that no button
// made, is refused with the resource type to use instead.
func TestAccImageButton_importWrongKind(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	config := testAccGridUpscaleVariation(url, "a kite festival on the beach", 1, 1)
	withImported := config +
		testAccButtonBlock("akool_image_upscale", "imported", "akool_generated_image.grid.id", 1, "") +
		testAccButtonBlock("akool_image_variation", "imported", "akool_generated_image.grid.id", 1, "")
	accTest(t, []tfresource.TestStep{
		{Config: config, Check: expectPresses(e, 2)},
		importErrorStep(withImported, "akool_image_upscale.imported", testAccVariationAddress,
			"Cannot Import Image", "is a variation (button V1 of image", "not an upscale", "Import it as akool_image_variation instead"),
		importErrorStep(withImported, "akool_image_variation.imported", testAccUpscaleAddress,
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
	res.expectMentions(t, "apply", "Warning: Upscale Not Finished", "credits spent", "within the create timeout (1s)",
		"not tainted", "continues waiting for the same job for free")
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

// A press whose job fails is a warning naming the job; its id and status
// stay in state, untainted. Akool lists the button as used, so the next
// apply plans nothing for it and says why, instead of pressing it again.
func TestAccImageButton_failedPress(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	const address = "akool_image_variation.doomed"
	h := newHarness(t, testAccGridConfig(url, "a cathedral in the clouds [fail-presses]")+
		testAccButtonBlock("akool_image_variation", "doomed", "akool_generated_image.grid.id", 4, ""))

	res := h.apply()
	if res.exitCode != 0 {
		t.Fatalf("apply of a failing press: exit %d, want 0 (a warning: a tainted press could only be refused):\n%s", res.exitCode, res.output())
	}
	failed := h.resource(address)
	if failed == nil || failed.AttributeValues["status"] != "failed" || failed.Tainted {
		t.Fatalf("failed job in state: %+v; want its id with status failed, not tainted", failed)
	}
	id, _ := failed.AttributeValues["id"].(string)
	res.expectMentions(t, "apply", "Warning: Image Variation Failed", id, "image_status 4", "press of button V4 of image")

	res = h.apply()
	res.expectMentions(t, "second apply", "Warning: Image Variation Failed: Job "+id, "used_buttons", "nothing is planned for this resource")
	if res.exitCode != 0 || res.mentions("Button Already Pressed") {
		t.Errorf("second apply: exit %d, want nothing planned for the failed press, and no error:\n%s", res.exitCode, res.output())
	}
	expectEmulatorCalls(t, e, 1, 1, "the grid and one press")
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
		jobWait{m: m, timeout: time.Minute, state: &state, diags: &diags}.finish(ctx, waitEnd{final: &akool.Image{ID: id, Status: akool.StatusFailed},
			err: &akool.JobFailedError{Image: &akool.Image{ID: id}}, now: time.Now()})
		var status types.String
		state.GetAttribute(ctx, path.Root("status"), &status)
		// A warning: a tainted press would be replaced by a press of a used
		// button, refused at every plan.
		if status.ValueString() != "failed" || diags.HasError() || len(diags.Warnings()) != 1 || diags.Warnings()[0].Summary() != kind.operation+" Failed" {
			t.Fatalf("%s: failed job: status %s, diagnostics %v; want one warning and no error", kind.typeName(), status, diags)
		}
		if detail := diags.Warnings()[0].Detail(); !strings.Contains(detail, id) || !strings.Contains(detail, kind.button(2)+" of image "+parent) {
			t.Errorf("%s: failed detail does not name the job, button and parent: %s", kind.typeName(), detail)
		}

		state, m = newState()
		diags = nil
		jobWait{m: m, timeout: time.Minute, state: &state, diags: &diags}.finish(ctx, waitEnd{final: &akool.Image{ID: id, Status: akool.StatusProcessing},
			err: context.DeadlineExceeded, now: time.Now()})
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
