package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A fresh runner whose source cannot be restored: neither the rendition
// nor its source is there, and nothing in the configuration writes the
// source. The plan keeps the rendition as recorded and says so once,
// without promising a render; the plan after the apply is empty; and the
// source put back renders the rendition on the next apply.
func TestAccImageRendition_freshRunnerWithoutItsSourceConverges(t *testing.T) {
	for name, extra := range map[string]func(sum string) string{
		"with source_sha256":    func(sum string) string { return fmt.Sprintf("source_sha256 = %q", sum) },
		"without source_sha256": func(string) string { return "" },
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			source, dest := filepath.Join(dir, "hero.png"), filepath.Join(dir, "og.jpg")
			sum := renditionSource(t, source, 400, 300, 0, true)
			h := newAppliedHarness(t, testAccRenditionConfig(renditionBlock("og", source, dest, 200, 100, extra(sum))))
			rendered := h.resource(testRenditionAddr).AttributeValues["sha256"]
			if err := os.Remove(source); err != nil {
				t.Fatal(err)
			}
			if err := os.Remove(dest); err != nil {
				t.Fatal(err)
			}

			plan := h.run("plan", "-input=false", "-detailed-exitcode")
			if plan.exitCode != 0 {
				t.Fatalf("plan without the source: exit %d, want 0 (nothing to do):\n%s", plan.exitCode, plan.output())
			}
			plan.expectMentions(t, "plan without the source", renditionSourceMissingSummary,
				fmt.Sprintf("its source %q is not there", source), "kept as recorded", "Restore the source")
			if plan.mentions("rendered again from") {
				t.Errorf("the plan promises a render that cannot happen:\n%s", plan.output())
			}
			apply := h.apply()
			if apply.exitCode != 0 {
				t.Fatalf("apply without the source: exit %d:\n%s", apply.exitCode, apply.output())
			}
			if n := strings.Count(apply.output(), renditionSourceMissingSummary); n != 1 {
				t.Errorf("apply without the source warns %d times, want once:\n%s", n, apply.output())
			}
			if apply.mentions("Image Rendition Not Updated") {
				t.Errorf("apply without the source tried to render:\n%s", apply.output())
			}
			h.expectNoChanges("after the apply without the source")
			if got := h.resource(testRenditionAddr).AttributeValues["sha256"]; got != rendered {
				t.Errorf("sha256 in state is %v after the apply without the source, want %v as recorded", got, rendered)
			}
			if _, err := os.Stat(dest); !os.IsNotExist(err) {
				t.Errorf("a rendition appeared at %s without its source (stat: %v)", dest, err)
			}

			// The source is back: the next plan renders the rendition again.
			renditionSource(t, source, 400, 300, 0, true)
			if plan := h.run("plan", "-input=false", "-detailed-exitcode"); plan.exitCode != 2 {
				t.Fatalf("plan with the source back: exit %d, want 2 (a render):\n%s", plan.exitCode, plan.output())
			}
			h.mustApply()
			if data, err := os.ReadFile(dest); err != nil || len(data) == 0 {
				t.Fatalf("the rendition was not rendered once its source was back: %v", err)
			}
			again := h.resource(testRenditionAddr).AttributeValues
			if again["rendered_from_sha256"] != sum || again["sha256"] != rendered {
				t.Errorf("rendered again from %v into %v, want from %s into %v", again["rendered_from_sha256"], again["sha256"], sum, rendered)
			}
			h.expectNoChanges("after the rendition was rendered again")
		})
	}
}

// The case end to end: a fresh runner after Akool stopped serving
// the image, so that the akool_image_file cannot restore the rendition's
// source. Both keep their state, the plan converges, and a copy of the
// source put back by hand renders the rendition. Uses the emulator's clock
// to expire the URL.
func TestAccImageRendition_freshRunnerAfterSourceExpiry_emulatorClock(t *testing.T) {
	e, url := newTestEmulator(t)
	dir := t.TempDir()
	source, dest := filepath.Join(dir, "images", "hero.png"), filepath.Join(dir, "public", "hero-og.jpg")
	h := clockHarness(t, e, testAccRenditionOfImageFileConfig(url, source, dest))
	h.mustApply()
	backup := mustReadFile(t, source)
	rendered := h.resource(testRenditionAddr).AttributeValues["sha256"]
	e.Clock().Advance(7*24*time.Hour + time.Hour)
	for _, d := range []string{"images", "public"} { // a fresh runner
		if err := os.RemoveAll(filepath.Join(dir, d)); err != nil {
			t.Fatal(err)
		}
	}

	plan := h.run("plan", "-input=false", "-detailed-exitcode")
	if plan.exitCode != 0 {
		t.Fatalf("plan on the fresh runner: exit %d, want 0 (nothing can be done):\n%s", plan.exitCode, plan.output())
	}
	plan.expectMentions(t, "plan on the fresh runner", "no longer serves", renditionSourceMissingSummary, "kept as recorded")
	if res := h.apply(); res.exitCode != 0 || res.mentions("Image Rendition Not Updated") {
		t.Fatalf("apply on the fresh runner: exit %d, or it tried to render:\n%s", res.exitCode, res.output())
	}
	h.expectNoChanges("after the apply on the fresh runner")

	// The source restored from the user's own storage renders the rendition.
	if err := os.MkdirAll(filepath.Dir(source), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(source, backup, 0o644); err != nil {
		t.Fatal(err)
	}
	h.mustApply()
	if got := h.resource(testRenditionAddr).AttributeValues["sha256"]; got != rendered {
		t.Errorf("the rendition rendered from the restored source has sha256 %v, want %v", got, rendered)
	}
	if _, err := os.Stat(dest); err != nil {
		t.Errorf("the rendition was not rendered from the restored source: %v", err)
	}
	h.expectNoChanges("after the source was restored")
}
