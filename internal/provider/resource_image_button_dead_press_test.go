package provider

import (
	"fmt"
	"path/filepath"
	"testing"
)

// The plans of a press whose job failed, when Akool lists its button as
// used on the parent: they rely on the emulator's [fail-presses], whose
// buttons stay used when their jobs fail, as Akool's do.

// failedPressHarness applies a grid and an upscale of its button U2 whose job
// fails, with extra inside the upscale's block and more after it, and
// returns the harness, the config's start (without the upscale) and the id
// of the failed job.
func failedPressHarness(t *testing.T, prompt, extra, more string) (*tfHarness, string, string) {
	t.Helper()
	_, url := newTestEmulator(t)
	grid := testAccGridConfig(url, prompt+" [fail-presses]")
	h := newHarness(t, grid+testAccButtonBlock("akool_image_upscale", "up", "akool_generated_image.grid.id", 2, extra)+more)
	res := h.apply()
	_, id := h.expectKeptJob(res, testAccUpscaleAddress)
	if res.exitCode != 0 {
		t.Fatalf("apply with a failed press: exit %d, want 0:\n%s", res.exitCode, res.output())
	}
	return h, grid, id
}

// A triggers change on a failed press whose button is used would plan a
// replacement that Akool refuses: the plan stops with an error that says
// what happened and what to do, never that nothing is planned.
func TestAccImageUpscale_failedPressTriggers_emulatorFailPresses(t *testing.T) {
	t.Parallel()
	h, grid, id := failedPressHarness(t, "a harbour whose retried press fails", "  triggers = { v = \"1\" }\n", "")

	h.writeConfig(grid + testAccButtonBlock("akool_image_upscale", "up", "akool_generated_image.grid.id", 2,
		"  triggers = { v = \"2\" }\n"))
	res := h.run("plan", "-detailed-exitcode", "-input=false")
	res.expectMentions(t, "plan", "Error: Cannot Press a Used Button Again", "job "+id, "failed", "used_buttons",
		"index = 1 (U1)", "regenerate image")
	if res.exitCode != 1 || res.mentions("nothing is planned") {
		t.Errorf("plan: exit %d; want an error (1) and no claim that nothing is planned:\n%s", res.exitCode, res.output())
	}
}

// A failed press has no image_url, so a file that downloads it cannot be
// planned: the error says that the job failed or was lost and what to do,
// not only that the image has not finished yet; and the press's warning
// names what depends on its image_url.
func TestAccImageUpscale_failedPressWithFile_emulatorFailPresses(t *testing.T) {
	t.Parallel()
	h, grid, id := failedPressHarness(t, "a harbour whose failed press is downloaded", "", "")

	h.writeConfig(grid + testAccButtonBlock("akool_image_upscale", "up", "akool_generated_image.grid.id", 2, "") +
		fmt.Sprintf(`
resource "akool_image_file" "up" {
  url  = akool_image_upscale.up.image_url
  path = %q
}
`, filepath.Join(t.TempDir(), "up.png")))
	res := h.run("plan", "-detailed-exitcode", "-input=false")
	res.expectMentions(t, "plan", "Error: Image URL Not Set", "failed or was lost", "warning naming the job",
		"set index to another button", "remove this file", "Warning: Upscale Failed: Job "+id, "refers to its image_url")
	if res.exitCode != 1 {
		t.Errorf("plan: exit %d; want the file's error (1):\n%s", res.exitCode, res.output())
	}
}

// A press whose job fails is a warning naming the job; its id and status
// stay in state, untainted. Akool lists the button as used, so the next
// apply plans nothing for it and says why, instead of pressing it again.
func TestAccImageButton_failedPress(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	const address = "akool_image_variation.doomed"
	h := newHarness(t, testAccGridButtonConfig(url, "a cathedral in the clouds [fail-presses]", "akool_image_variation", "doomed", 4))

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
