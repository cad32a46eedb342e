package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// A fresh runner after Akool stopped serving an image: no local copy, and
// the URL answers 404. A new output folder, or a new marking text, plans and
// applies with a warning that the copy cannot be restored, and the rest of
// the configuration applies. Uses the emulator's clock to expire the URL.
func TestAccImageFile_freshRunnerAfterExpiry_emulatorClock(t *testing.T) {
	e, url := newTestEmulator(t)
	dir := t.TempDir()
	first, second := filepath.Join(dir, "out", "hero.png"), filepath.Join(dir, "new-out", "hero.png")
	images := testAccProviderConfig(url) + testAccPromptBlock("hero", "A lighthouse seen from a fresh runner")
	file := func(dest, marking string) string {
		return fmt.Sprintf(`
resource "akool_image_file" "hero" {
  url     = akool_generated_image.hero.image_url
  path    = %q
  marking = { headline = %q }
}
`, dest, marking)
	}
	h := clockHarness(t, e, images+file(first, "First"))
	h.mustApply()
	e.Clock().Advance(7*24*time.Hour + time.Hour)
	if err := os.RemoveAll(filepath.Join(dir, "out")); err != nil { // a fresh runner
		t.Fatal(err)
	}

	for i, step := range []struct{ what, config string }{
		{"a new output folder", file(second, "First")},
		{"a new marking text", file(second, "Second")},
	} {
		name := fmt.Sprintf("other%d", i)
		other := testAccPromptBlock(name, "An unrelated image beside "+step.what)
		h.writeConfig(images + step.config + other)
		plan := h.run("plan", "-input=false", "-detailed-exitcode")
		if plan.exitCode != 2 {
			t.Fatalf("plan of %s: exit %d, want 2 (changes):\n%s", step.what, plan.exitCode, plan.output())
		}
		plan.expectMentions(t, "plan of "+step.what, "cannot be restored", "no longer serves")
		res := h.apply()
		if res.exitCode != 0 {
			t.Fatalf("apply of %s: exit %d:\n%s", step.what, res.exitCode, res.output())
		}
		if h.resource("akool_generated_image."+name) == nil {
			t.Errorf("after %s, the unrelated image was not created:\n%s", step.what, res.output())
		}
		h.expectNoChanges("after " + step.what)
		images += other
	}
	if _, err := os.Stat(second); err == nil {
		t.Errorf("a file appeared at %s, though there was nothing to write", second)
	}
}
