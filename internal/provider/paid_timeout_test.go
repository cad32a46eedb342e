package provider

import (
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/akool-community/terraform-provider-akool/internal/emulator"
)

// paidTimeoutConfig is testAccImageConfig with paid_request_timeout set to
// timeout in the provider block ("" leaves it out).
func paidTimeoutConfig(url, prompt, timeout string) string {
	config := testAccImageConfig(url, prompt)
	if timeout == "" {
		return config
	}
	return strings.Replace(config, "  api_key", "  paid_request_timeout = \""+timeout+"\"\n  api_key", 1)
}

// applyWithAnswerHeld runs terraform apply while the emulator holds the
// answers to paid requests, and lets them go after hold.
func applyWithAnswerHeld(h *tfHarness, e *emulator.Emulator, hold time.Duration) tfResult {
	h.t.Helper()
	release := e.HoldCreateAnswers()
	timer := time.AfterFunc(hold, release)
	defer timer.Stop()
	defer release()
	return h.apply()
}

// Akool acts on a create and answers 35 seconds later, as a service behind
// a gateway that keeps a request open for 100 seconds may: by default the
// provider waits for the answer, which carries the paid job's id, and the
// apply finishes that job. It takes 35 seconds of real time.
func TestAccGeneratedImage_slowCreateAnswer_emulatorHold(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	h := newHarness(t, paidTimeoutConfig(url, "a lighthouse answered slowly", ""))

	res := applyWithAnswerHeld(h, e, 35*time.Second)
	if res.exitCode != 0 || res.mentions("Outcome Unknown") {
		t.Fatalf("apply with a create answered after 35s: exit %d; want the job followed:\n%s", res.exitCode, res.output())
	}
	r := h.resource(testAccImageAddress)
	h.expectFinishedJob(testAccImageAddress, stateID(r))
	expectEmulatorCalls(t, e, 1, 0, "one create, answered late")
}

// paid_request_timeout bounds the wait for a paid request's answer: past
// it the apply fails with the outcome unknown, names the timeout, and does
// not send the request again. A value that is no duration, or shorter than
// 10 seconds, fails at plan time.
func TestAccGeneratedImage_paidRequestTimeout_emulatorHold(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	h := newHarness(t, paidTimeoutConfig(url, "a lighthouse answered too late", "10s"))

	res := applyWithAnswerHeld(h, e, 14*time.Second)
	res.expectMentions(t, "apply", "Error: Image Generation Outcome Unknown", "within the request timeout (10s)",
		"did not send the request again")
	if res.exitCode == 0 {
		t.Errorf("apply past paid_request_timeout: exit 0, want the unknown outcome as an error:\n%s", res.output())
	}
	if c := e.Counters(); c.CreateAttempts != 1 {
		t.Errorf("create attempts = %d, want 1 (never sent twice)", c.CreateAttempts)
	}

	for _, bad := range []string{"0s", "9s", "soon"} {
		h.writeConfig(paidTimeoutConfig(url, "a lighthouse answered too late", bad))
		res = h.run("plan", "-input=false")
		res.expectMentions(t, "plan "+bad, "Error: Invalid Paid Request Timeout", "paid_request_timeout", "such as 2m")
		if res.exitCode == 0 {
			t.Errorf("plan with paid_request_timeout = %q: exit 0, want an error", bad)
		}
	}
}

// paid_request_timeout falls back to AKOOL_PAID_REQUEST_TIMEOUT; a value
// that is not a positive duration is an error naming where it came from.
func TestPaidRequestTimeout(t *testing.T) {
	cases := map[string]struct {
		arg  types.String
		env  string
		want time.Duration // -1: an error
	}{
		"unset":          {types.StringNull(), "", 0},
		"argument":       {types.StringValue("150s"), "9m", 150 * time.Second},
		"environment":    {types.StringNull(), " 5m ", 5 * time.Minute},
		"not a duration": {types.StringNull(), "soon", -1},
		"zero":           {types.StringNull(), "0s", -1},
		"too short":      {types.StringValue("9.5s"), "", -1},
		"shortest":       {types.StringNull(), "10s", 10 * time.Second},
		"negative":       {types.StringValue("-1m"), "", -1},
	}
	for name, tc := range cases {
		var diags diag.Diagnostics
		got := paidRequestTimeout(tc.arg, oneVariable(envPaidTimeout, tc.env), &diags)
		if diags.HasError() {
			got = -1
			if from := envPaidTimeout; tc.arg.IsNull() && !strings.Contains(diags[0].Detail(), from) {
				t.Errorf("%s: the error does not name %s: %v", name, from, diags)
			}
		}
		if got != tc.want {
			t.Errorf("%s: timeout %v, want %v (%v)", name, got, tc.want, diags)
		}
	}
}
