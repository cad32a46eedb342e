package provider

import (
	"testing"
)

// A failed generation that Akool stops showing (code 1008) within ten
// minutes of its creation: the plan replaces it, a new paid generation, so
// no warning beside it may promise that the next apply waits for the failed
// job for free, tainted (as the failed apply left it) or not. It relies on
// the emulator's Forget.
func TestAccGeneratedImage_failedForgotten_emulatorForget(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	h := newHarness(t, testAccImageConfig(url, "a storm Akool forgets [fail]"))

	res := h.apply()
	if res.exitCode == 0 || !res.mentions("Image Generation Failed") {
		t.Fatalf("apply of a failing job: exit %d, want the failure reported:\n%s", res.exitCode, res.output())
	}
	failed := h.resource(testAccImageAddress)
	if failed == nil || failed.AttributeValues["status"] != "failed" {
		t.Fatalf("failed job in state: %+v; want status failed", failed)
	}
	id := stateID(failed)
	e.Forget(id)

	for _, untaint := range []bool{false, true} {
		if untaint {
			h.mustRun("untaint", testAccImageAddress)
		}
		res = h.run("plan", "-detailed-exitcode", "-input=false")
		res.expectMentions(t, "plan", "must be replaced")
		if untaint {
			// Terraform plans a tainted resource as a new one, without
			// asking the provider about the old: only the untainted
			// failure gets the plan's own warning.
			res.expectMentions(t, "plan", "Warning: Image Generation Failed: Job "+id, "applying generates a new image")
		}
		for _, promise := range []string{"for free", "continues waiting", "Not Shown by Akool Yet"} {
			if res.mentions(promise) {
				t.Errorf("plan (untainted: %t) replaces the failed job but says %q:\n%s", untaint, promise, res.output())
			}
		}
		if res.exitCode != 2 {
			t.Errorf("plan (untainted: %t): exit %d, want a replacement (2):\n%s", untaint, res.exitCode, res.output())
		}
	}
	if r := h.resource(testAccImageAddress); r == nil || r.AttributeValues["status"] != "failed" {
		t.Errorf("after the plans: %+v; want the failed job kept in state as it was", r)
	}
	expectEmulatorCalls(t, e, 1, 0, "no other request")
}
