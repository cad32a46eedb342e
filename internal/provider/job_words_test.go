package provider

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
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
	jobWait{m: m, timeout: time.Minute, resumed: true, state: &state, diags: &diags}.finish(ctx, waitEnd{err: lost, now: time.Now()})

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

// A create that Akool answered with success but an unusable answer was
// accepted and charged: the error says so, also after an interrupt, instead
// of "may have" and "the answer did not come".
func TestAddGenerateError_acceptedUnusableAnswer(t *testing.T) {
	accepted := &akool.UncertainError{Endpoint: "/create", Reason: akool.ReasonAcceptedUnusable,
		Err: &akool.APIError{Message: "Akool reported success but the answer could not be used: no _id"}}
	dropped := &akool.UncertainError{Endpoint: "/create", Reason: "the connection closed before any answer arrived",
		Err: errors.New("EOF")}
	for _, tt := range []struct {
		name          string
		err           *akool.UncertainError
		want, wantNot []string
	}{
		{"accepted", accepted, []string{"Akool started the generation and charged for it", "came, but without a usable job id"},
			[]string{"may have", "did not come"}},
		{"dropped", dropped, []string{"Akool may have started the generation", "but it did not come"}, []string{"came, but"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var diags diag.Diagnostics
			addGenerateError(&diags, tt.err, true)
			if len(diags.Errors()) != 1 {
				t.Fatalf("diagnostics = %v; want one error", diags)
			}
			detail := diags.Errors()[0].Detail()
			for _, want := range tt.want {
				if !strings.Contains(detail, want) {
					t.Errorf("detail does not mention %q: %s", want, detail)
				}
			}
			for _, bad := range tt.wantNot {
				if strings.Contains(detail, bad) {
					t.Errorf("detail says %q: %s", bad, detail)
				}
			}
		})
	}
}

// The docs and messages say the provider's bounds as they are set.
func TestInWords(t *testing.T) {
	for d, want := range map[time.Duration]string{
		akool.JobLostAfter: "10 minutes", akool.DefaultSinglesGrace: "2 minutes", akool.DefaultRequestTimeout: "30 seconds",
		time.Minute: "1 minute", 90 * time.Second: "90 seconds", 2 * time.Hour: "2 hours",
	} {
		if got := inWords(d); got != want {
			t.Errorf("inWords(%v) = %q, want %q", d, got, want)
		}
	}
	if !strings.Contains(descExpired, inWords(akool.JobLostAfter)) || !strings.Contains(descSinglesWait, inWords(akool.DefaultSinglesGrace)) {
		t.Errorf("descriptions do not say the bounds: %q; %q", descExpired, descSinglesWait)
	}
}
