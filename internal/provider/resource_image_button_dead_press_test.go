package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
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

// A press whose job failed feeds an akool_image_file that already holds a
// copy: the plan works, the file keeps its copy and says why, and other
// changes apply. The press is replaced on a grid made with
// [fail-presses], whose button jobs fail.
func TestAccImageUpscale_failedPressKeepsFile_emulatorFailPresses(t *testing.T) {
	t.Parallel()
	_, url := newTestEmulator(t)
	dest := filepath.Join(t.TempDir(), "up.png")
	grids := testAccProviderConfig(url) + testAccPromptBlock("good", "a harbour whose press works") +
		testAccPromptBlock("bad", "a harbour whose presses fail [fail-presses]")
	file := fmt.Sprintf(`
resource "akool_image_file" "up" {
  url  = akool_image_upscale.up.image_url
  path = %q
}
`, dest)
	press := func(grid string) string {
		return testAccButtonBlock("akool_image_upscale", "up", "akool_generated_image."+grid+".id", 2, "")
	}
	h := newAppliedHarness(t, grids+press("good")+file)
	picture := mustReadFile(t, dest)

	h.writeConfig(grids + press("bad") + file)
	res := h.apply()
	if res.exitCode != 0 {
		t.Fatalf("apply of a press that fails, with a file on it: exit %d, want 0:\n%s", res.exitCode, res.output())
	}
	res.expectMentions(t, "apply", "Image URL Not Set", "is kept")
	expectHolds(t, "after the press failed", dest, picture)

	h.writeConfig(grids + press("bad") + file + testAccPromptBlock("other", "an unrelated image beside a dead press"))
	plan := h.run("plan", "-input=false", "-detailed-exitcode")
	if plan.exitCode != 2 {
		t.Fatalf("plan of an unrelated image beside a dead press: exit %d, want 2:\n%s", plan.exitCode, plan.output())
	}
	plan.expectMentions(t, "plan", "Image URL Not Set", "is kept", "set index to another button")
	if res := h.apply(); res.exitCode != 0 || h.resource("akool_generated_image.other") == nil {
		t.Fatalf("apply of an unrelated image beside a dead press: exit %d:\n%s", res.exitCode, res.output())
	}
	expectHolds(t, "after the unrelated apply", dest, picture)
	h.expectNoChanges("after the unrelated apply")
}

// A new file on a failed press's image_url does not stop the plan of the
// rest of the configuration: the plan warns, the other image applies, and
// only the file's create fails, saying what happened and what to do.
func TestAccImageUpscale_failedPressNewFile_emulatorFailPresses(t *testing.T) {
	t.Parallel()
	h, grid, id := failedPressHarness(t, "a harbour whose failed press gets a new file", "", "")
	dest := filepath.Join(t.TempDir(), "up.png")
	h.writeConfig(grid + testAccButtonBlock("akool_image_upscale", "up", "akool_generated_image.grid.id", 2, "") +
		fmt.Sprintf(`
resource "akool_image_file" "up" {
  url  = akool_image_upscale.up.image_url
  path = %q
}
`, dest) + testAccPromptBlock("other", "an unrelated image beside a new file on a dead press"))
	plan := h.run("plan", "-input=false", "-detailed-exitcode")
	if plan.exitCode != 2 {
		t.Fatalf("plan: exit %d, want 2 (changes, no error):\n%s", plan.exitCode, plan.output())
	}
	plan.expectMentions(t, "plan", "Warning: Image URL Not Set", "failed or was lost", "set index to another button",
		"remove this file", "Warning: Upscale Failed: Job "+id, "refers to its image_url")
	res := h.apply()
	res.expectMentions(t, "apply", "Error: Image URL Not Set", "Nothing was downloaded")
	if h.resource("akool_generated_image.other") == nil {
		t.Errorf("the unrelated image was not created:\n%s", res.output())
	}
	if _, err := os.Stat(dest); err == nil {
		t.Errorf("a file was written at %s for a press without an image", dest)
	}
}

// A failed press whose parent has expired: plans keep working, the dead
// press stays in state untainted with a true warning, and no warning
// promises a press that cannot happen. Uses the emulator's clock to expire
// the parent.
func TestAccImageUpscale_failedPressParentExpired_emulatorClock(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	grid := testAccGridConfig(url, "a harbour whose failed press outlives its grid [fail-presses]")
	config := grid + testAccButtonBlock("akool_image_upscale", "up", "akool_generated_image.grid.id", 2, "")
	h := clockHarness(t, e, config)
	res := h.apply()
	_, id := h.expectKeptJob(res, testAccUpscaleAddress)
	e.Clock().Advance(7*24*time.Hour + time.Hour)

	plan := h.expectNoChanges("after the failed press's parent expired")
	plan.expectMentions(t, "plan", "Upscale Failed: Job "+id, "no longer knows image", "cannot be pressed")
	for _, untrue := range []string{"Parent Image Not Found", "This plan replaces the resource", "applying presses"} {
		if plan.mentions(untrue) {
			t.Errorf("the plan says %q:\n%s", untrue, plan.output())
		}
	}
	h.writeConfig(config + testAccPromptBlock("other", "an unrelated image beside an expired dead press"))
	if res := h.apply(); res.exitCode != 0 || h.resource("akool_generated_image.other") == nil {
		t.Fatalf("apply of an unrelated image: exit %d:\n%s", res.exitCode, res.output())
	}
	if r := h.resource(testAccUpscaleAddress); r == nil || r.Tainted || stateID(r) != id {
		t.Errorf("the dead press is not kept untainted as %s: %+v", id, r)
	}
}
