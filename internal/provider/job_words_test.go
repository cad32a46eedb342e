package provider

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/akool-community/terraform-provider-akool/internal/akool"
)

// A press whose wait ends with its job lost does not promise a new press:
// Akool lists the button as used even so, and then the next plan presses
// nothing. The warning says what the next plan does in either case, as it
// does for a failed press.
func TestFinishWait_lostPress(t *testing.T) {
	ctx := context.Background()
	const id, parent = "662a10df4197b3af58532e89", "662a10df4197b3af58532e88"
	state := testState(t, NewImageUpscaleResource(), nil)
	m := upscaleKind.newModel()
	diags := state.Get(ctx, m)
	b := m.base()
	b.ImageID, b.Button = types.StringValue(parent), types.StringValue("U2")
	m.applyImage(&akool.Image{ID: id, Status: akool.StatusProcessing}, time.Now())
	lost := &akool.LostError{ID: id, Err: &akool.APIError{Code: akool.CodeNotFound, Message: "not exist", Endpoint: "/info"}}
	finishWait(ctx, nil, m, nil, lost, time.Now(), time.Minute, true, &state, &diags)

	if diags.HasError() || len(diags.Warnings()) != 1 {
		t.Fatalf("diagnostics = %v; want one warning", diags)
	}
	detail := diags.Warnings()[0].Detail()
	if summary := diags.Warnings()[0].Summary(); summary != "Upscale Lost: Job "+id {
		t.Errorf("summary = %q, want the lost job named", summary)
	}
	for _, want := range []string{"used_buttons", "nothing is planned for this resource", "another index",
		"otherwise the plan presses U2 again"} {
		if !strings.Contains(detail, want) {
			t.Errorf("detail does not mention %q: %s", want, detail)
		}
	}
	if strings.Contains(detail, "The next plan replaces this resource") {
		t.Errorf("detail promises a replacement that a used button never gets: %s", detail)
	}
}
