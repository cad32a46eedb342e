package provider

import (
	"os"
	"testing"
	"time"

	"github.com/akool-community/terraform-provider-akool/internal/emulator"
)

// Ctrl-C while a paid request is on the wire (the emulator acted on it and
// holds its answer): the request still gets its answer, the job is saved
// untainted with the warning of an interrupted wait, and the next plain
// apply finishes the same job, with its picture's URL in state. Without the
// answer, a create would be paid twice, and a press would be paid, its button
// used on the parent, and the next apply refused.
func TestAccReliability_interruptInFlight_emulatorHold(t *testing.T) {
	t.Parallel()
	upscale := testAccButtonBlock("akool_image_upscale", "held", testAccGridAddress+".id", 2, "")
	for _, tc := range []struct {
		name, address, operation string
		grid                     bool // the grid is applied first, and the upscale added
		acted                    func(emulator.Counters) bool
	}{
		{"create", testAccGridAddress, "Image Generation", false, func(c emulator.Counters) bool { return c.Creates > 0 }},
		{"press", "akool_image_upscale.held", "Upscale", true, func(c emulator.Counters) bool { return c.Presses > 0 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, url := newTestEmulator(t)
			config := testAccGridConfig(url, "a lantern carried through the rain")
			h := newHarness(t, config)
			if tc.grid {
				h.mustApply()
				h.writeConfig(config + upscale)
			}
			id := applyInterruptedWhileHeld(h, e, tc.address, tc.operation, tc.acted)
			h.mustApply()
			h.expectFinishedJob(tc.address, id)
			presses := map[bool]int{false: 0, true: 1}[tc.grid]
			expectEmulatorCalls(t, e, 1, presses, "the next apply resumes the job whose answer was held, paying nothing")
			h.expectNoChanges("after the recovery")
		})
	}
}

// applyInterruptedWhileHeld runs terraform apply while the emulator holds
// the answers to paid requests, sends it SIGINT once acted reports that the
// emulator acted on the request, then lets the answer go. The apply must
// keep the job at address in state, untainted, with the warning of an
// interrupted wait (operation starts its summary); it returns the job's id.
func applyInterruptedWhileHeld(h *tfHarness, e *emulator.Emulator, address, operation string,
	acted func(emulator.Counters) bool) string {
	h.t.Helper()
	release := e.HoldCreateAnswers()
	defer release()
	run := h.start("apply", "-auto-approve", "-input=false")
	for deadline := time.Now().Add(30 * time.Second); !acted(e.Counters()); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			_ = run.cmd.Process.Kill()
			h.t.Fatalf("Akool never received the paid request:\n%s", run.wait().output())
		}
	}
	if err := run.cmd.Process.Signal(os.Interrupt); err != nil {
		h.t.Fatal(err)
	}
	// Terraform passes the interrupt on to the provider at once; the answer
	// comes a second later, as from a slow Akool.
	time.Sleep(time.Second)
	release()
	res := run.wait()
	if !res.mentions("Warning: "+operation+" Not Finished") || !res.mentions("Terraform interrupted the wait") {
		h.t.Fatalf("interrupted apply: exit %d, want the warning of an interrupted wait:\n%s", res.exitCode, res.output())
	}
	_, id := h.expectKeptJob(res, address)
	return id
}
