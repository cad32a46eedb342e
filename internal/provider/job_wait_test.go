package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
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

// A wait's finish saves what the wait learnt and explains each way a wait ends.
func TestFinishWait(t *testing.T) {
	ctx := context.Background()
	const id = "662a10df4197b3af58532e89"
	processing := &akool.Image{ID: id, Status: akool.StatusProcessing}
	tests := []struct {
		name       string
		final      *akool.Image
		err        error
		parentErr  error
		resumed    bool
		summary    string // "" means no error
		warning    string // the summary of the one warning expected instead of an error
		mentions   []string
		wantStatus string
	}{
		{name: "completed", final: &akool.Image{ID: id, Status: akool.StatusCompleted, ImageURL: "https://x/a.png"}, wantStatus: "completed"},
		{name: "failed", final: &akool.Image{ID: id, Status: akool.StatusFailed}, err: &akool.JobFailedError{Image: &akool.Image{ID: id}},
			summary: "Image Generation Failed", mentions: []string{id, "image_status 4", "Change the prompt"}, wantStatus: "failed"},
		{name: "timeout", final: processing, err: fmt.Errorf("stopped: %w", context.DeadlineExceeded),
			warning: "Image Generation Not Finished", mentions: []string{id, "credits spent", "create timeout (1m0s)", "not tainted", "for free", "postcondition"}, wantStatus: "processing"},
		{name: "interrupted", final: processing, err: context.Canceled, parentErr: context.Canceled,
			warning: "Image Generation Not Finished", mentions: []string{"Terraform interrupted the wait", "continues waiting for the same job"}, wantStatus: "processing"},
		{name: "resumed timeout", final: processing, err: context.DeadlineExceeded, resumed: true,
			warning: "Image Generation Not Finished", mentions: []string{"Akool job " + id + " is still running", "without generating a new image or spending credits"}, wantStatus: "processing"},
		{name: "read error", final: nil, err: &akool.APIError{Code: akool.CodeNoPermission, Message: "No permission", Endpoint: "/info"},
			warning: "Image Generation Not Finished", mentions: []string{"code 1009", "No permission", "last status: queueing", "not tainted"}, wantStatus: "queueing"},
		{name: "lost", final: nil, err: &akool.LostError{ID: id, Err: &akool.APIError{Code: akool.CodeNotFound, Message: "not exist", Endpoint: "/info"}}, resumed: true,
			warning: "Image Generation Lost: Job " + id, mentions: []string{"1008", "never delivered a picture", "replaces this resource",
				"generates a new image", "max_new_images"}, wantStatus: "queueing"},
		{name: "1008 as the context ends", final: processing, err: fmt.Errorf("%w: %w", context.Canceled,
			&akool.APIError{Code: akool.CodeNotFound, Message: "not exist", Endpoint: "/info"}), parentErr: context.Canceled,
			warning: "Image Generation Not Finished", mentions: []string{"Terraform interrupted the wait", "continues waiting for the same job"}, wantStatus: "processing"},
		{name: "not shown yet", final: processing, err: fmt.Errorf("%w: %w", &akool.NotShownError{ID: id, Reads: 4, Since: 75 * time.Second},
			context.DeadlineExceeded), warning: "Image Generation Not Finished",
			mentions: []string{"create timeout", "does not show the job yet", "code 1008", "1m15s after it accepted", "not tainted"}, wantStatus: "processing"},
		{name: "no URL", final: &akool.Image{ID: id, Status: akool.StatusCompleted}, err: &akool.URLMissingError{Image: &akool.Image{ID: id}, Waited: 2 * time.Minute},
			warning: "Image URL Not Listed Yet: Job " + id, mentions: []string{id, "image_status 3", "neither image nor external_img", "reads it again for free"}, wantStatus: "completed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state := testState(t, NewGeneratedImageResource(), nil)
			var m generatedImageModel
			diags := state.Get(ctx, &m)
			m.applyImage(&akool.Image{ID: id, Status: akool.StatusQueueing}, time.Now())
			wait := jobWait{m: &m, timeout: time.Minute, resumed: tt.resumed, state: &state, diags: &diags}
			wait.finish(ctx, waitEnd{final: tt.final, err: tt.err, parentErr: tt.parentErr, now: time.Now()})

			var status types.String
			state.GetAttribute(ctx, path.Root("status"), &status)
			if status.ValueString() != tt.wantStatus {
				t.Errorf("saved status = %s, want %s", status, tt.wantStatus)
			}
			var expired types.Bool
			state.GetAttribute(ctx, path.Root("expired"), &expired)
			if wantExpired := tt.name == "lost"; expired.ValueBool() != wantExpired {
				t.Errorf("saved expired = %s, want %v: only a final 1008 marks the job lost", expired, wantExpired)
			}
			var got diag.Diagnostic
			switch {
			case tt.warning != "":
				// A wait that ends before the job does must not fail Create:
				// an error would taint the resource and the next apply pay again.
				if diags.HasError() || len(diags.Warnings()) != 1 || diags.Warnings()[0].Summary() != tt.warning {
					t.Fatalf("diagnostics = %v, want one warning %q and no error", diags, tt.warning)
				}
				got = diags.Warnings()[0]
			case tt.summary != "":
				if len(diags.Errors()) != 1 || diags.Errors()[0].Summary() != tt.summary {
					t.Fatalf("diagnostics = %v, want one error %q", diags, tt.summary)
				}
				got = diags.Errors()[0]
			default:
				if diags.HasError() || len(diags) != 0 {
					t.Fatalf("unexpected diagnostics: %v", diags)
				}
				return
			}
			for _, want := range tt.mentions {
				if !strings.Contains(got.Detail(), want) {
					t.Errorf("detail does not mention %q: %s", want, got.Detail())
				}
			}
			if tt.name == "not shown yet" && strings.Contains(got.Detail(), "expire") {
				t.Errorf("a job Akool does not show yet is not expired: %s", got.Detail())
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
