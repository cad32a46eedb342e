package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

const testRenditionAddr = "akool_image_rendition.og"

func TestAccImageRendition_restoresMissingOrChangedOutput(t *testing.T) {
	dir := t.TempDir()
	source, dest := filepath.Join(dir, "hero.png"), filepath.Join(dir, "og.jpg")
	renditionSource(t, source, 400, 300, 0, true)
	config := testAccRenditionConfig(renditionBlock("og", source, dest, 200, 100, ""))
	var first []byte
	update := tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
		plancheck.ExpectResourceAction(testRenditionAddr, plancheck.ResourceActionUpdate),
	}}
	accTest(t, []tfresource.TestStep{{
		Config: config,
		Check: func(*terraform.State) error {
			var err error
			first, err = os.ReadFile(dest)
			return err
		},
	}, {
		PreConfig:         func() { _ = os.Remove(dest) },
		Config:            config,
		ConfigPlanChecks:  update,
		ConfigStateChecks: []statecheck.StateCheck{expectFileHolds(dest, &first), expectRendition(t, testRenditionAddr, dest, "JPEG", true)},
	}, {
		PreConfig: func() {
			if err := os.WriteFile(dest, []byte("edited by hand"), 0o644); err != nil {
				t.Fatal(err)
			}
		},
		Config:            config,
		ConfigPlanChecks:  update,
		ConfigStateChecks: []statecheck.StateCheck{expectFileHolds(dest, &first)},
	}})
}

func TestAccImageRendition_rendersAgainWhenTheSourceChanges(t *testing.T) {
	dir := t.TempDir()
	source, dest := filepath.Join(dir, "hero.png"), filepath.Join(dir, "og.webp")
	first := renditionSource(t, source, 400, 300, 0, true)
	// The next versions of the source, put in its place step by step.
	second := renditionSource(t, filepath.Join(dir, "v2.png"), 400, 300, 40, true)
	renditionSource(t, filepath.Join(dir, "v3.png"), 400, 300, 80, false)
	replace := func(version string) func() {
		return func() {
			data, err := os.ReadFile(filepath.Join(dir, version))
			if err == nil {
				err = os.WriteFile(source, data, 0o644)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	pinned := func(sum string) string {
		return testAccRenditionConfig(renditionBlock("og", source, dest, 200, 100, fmt.Sprintf("source_sha256 = %q", sum)))
	}
	update := tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
		plancheck.ExpectResourceAction(testRenditionAddr, plancheck.ResourceActionUpdate),
	}}
	accTest(t, []tfresource.TestStep{{
		Config:            pinned(first),
		ConfigStateChecks: []statecheck.StateCheck{expectString(testRenditionAddr, "rendered_from_sha256", first)},
	}, {
		// A regenerated source, and its checksum in the configuration.
		PreConfig:        replace("v2.png"),
		Config:           pinned(second),
		ConfigPlanChecks: update,
		ConfigStateChecks: []statecheck.StateCheck{
			expectString(testRenditionAddr, "rendered_from_sha256", second),
			expectRendition(t, testRenditionAddr, dest, "Extended WEBP", true),
		},
	}, {
		Config: testAccRenditionConfig(renditionBlock("og", source, dest, 200, 100, "")),
	}, {
		// Without source_sha256, the plan hashes the source itself: an
		// unmarked source gives an unmarked rendition.
		PreConfig:         replace("v3.png"),
		Config:            testAccRenditionConfig(renditionBlock("og", source, dest, 200, 100, "")),
		ConfigPlanChecks:  update,
		ConfigStateChecks: []statecheck.StateCheck{expectRendition(t, testRenditionAddr, dest, "WEBP", false)},
	}})
}

func TestAccImageRendition_keepsStateWhenTheSourceIsGone(t *testing.T) {
	dir := t.TempDir()
	source, dest := filepath.Join(dir, "hero.png"), filepath.Join(dir, "og.jpg")
	sum := renditionSource(t, source, 400, 300, 0, true)
	config := testAccRenditionConfig(renditionBlock("og", source, dest, 200, 100, fmt.Sprintf("source_sha256 = %q", sum)) + `
resource "terraform_data" "rest" {
  input = "the rest of the plan"
}
`)
	var rendered string
	accTest(t, []tfresource.TestStep{{
		Config: testAccRenditionConfig(renditionBlock("og", source, dest, 200, 100, fmt.Sprintf("source_sha256 = %q", sum))),
		Check: func(s *terraform.State) error {
			rendered = s.RootModule().Resources[testRenditionAddr].Primary.Attributes["sha256"]
			return nil
		},
	}, {
		// A fresh runner whose source cannot be restored: the rendition
		// plans nothing, warns and keeps its state, and the rest of the
		// plan is applied.
		PreConfig: func() {
			_ = os.Remove(source)
			_ = os.Remove(dest)
		},
		Config: config,
		ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			plancheck.ExpectResourceAction(testRenditionAddr, plancheck.ResourceActionNoop),
		}},
		ConfigStateChecks: []statecheck.StateCheck{
			expectString("terraform_data.rest", "input", "the rest of the plan"),
			expectStringFrom(testRenditionAddr, "sha256", &rendered),
			expectString(testRenditionAddr, "rendered_from_sha256", sum),
			expectNoImageFile(dest),
		},
	}, {
		// The source is back: the rendition is rendered again.
		PreConfig:         func() { renditionSource(t, source, 400, 300, 0, true) },
		Config:            config,
		ConfigStateChecks: []statecheck.StateCheck{expectRendition(t, testRenditionAddr, dest, "JPEG", true)},
	}})
}

func TestAccImageRendition_badInputFailsThePlan(t *testing.T) {
	dir := t.TempDir()
	source := filepath.Join(dir, "hero.png")
	renditionSource(t, source, 400, 300, 0, true)
	notImage := filepath.Join(dir, "notes.png")
	if err := os.WriteFile(notImage, []byte("not a picture"), 0o644); err != nil {
		t.Fatal(err)
	}
	blocker := filepath.Join(dir, "blocker")
	if err := os.WriteFile(blocker, []byte("a file, not a folder"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.jpg")
	for name, tc := range map[string]struct {
		block string
		err   string
	}{
		"unknown extension":  {renditionBlock("og", source, filepath.Join(dir, "out.gif"), 100, 50, ""), "Unknown Image Format"},
		"format contradicts": {renditionBlock("og", source, out, 100, 50, `format = "webp"`), "Format Contradicts Extension"},
		"unknown format":     {renditionBlock("og", source, out, 100, 50, `format = "avif"`), `value must be one of`},
		"width zero":         {renditionBlock("og", source, out, 0, 50, ""), `width.*between 1 and 8192|value must be between`},
		"height too large":   {renditionBlock("og", source, out, 100, 9000, ""), `value must be between`},
		"quality 101":        {renditionBlock("og", source, out, 100, 50, "quality = 101"), `value must be between 1 and 100`},
		"lossless jpeg":      {renditionBlock("og", source, out, 100, 50, "lossless = true"), "Lossless Applies to WebP Only"},
		"unwritable path":    {renditionBlock("og", source, filepath.Join(blocker, "out.jpg"), 100, 50, ""), "Unable to Write Image Rendition"},
		"source not image":   {renditionBlock("og", notImage, out, 100, 50, ""), "Image Rendition Source Is Not an Image"},
		"upscale":            {renditionBlock("og", source, out, 800, 300, ""), "Image Rendition Would Enlarge Its Source"},
	} {
		t.Run(name, func(t *testing.T) {
			accTest(t, []tfresource.TestStep{{
				Config:      testAccRenditionConfig(tc.block),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(tc.err),
			}})
		})
	}
	// allow_upscale lets the same box through.
	accTest(t, []tfresource.TestStep{{
		Config:            testAccRenditionConfig(renditionBlock("og", source, out, 800, 300, "allow_upscale = true")),
		ConfigStateChecks: []statecheck.StateCheck{expectInt(testRenditionAddr, "rendered_width", 800)},
	}})
}

// testAccRenditionOfImageFileConfig is a generated image copied to source
// by akool_image_file.hero, and testRenditionAddr rendered from that copy
// to dest, in step with its sha256.
func testAccRenditionOfImageFileConfig(baseURL, source, dest string) string {
	return testAccImageFileWithImageConfig(baseURL, source) + fmt.Sprintf(`
resource "akool_image_rendition" "og" {
  source        = akool_image_file.hero.path
  source_sha256 = akool_image_file.hero.sha256
  path          = %q
  width         = 600
  height        = 315
}
`, dest)
}

func TestAccImageRendition_freshRunnerRendersOnceTheSourceIsRestored(t *testing.T) {
	_, baseURL := newTestEmulator(t)
	dir := t.TempDir()
	source, dest := filepath.Join(dir, "images", "hero.png"), filepath.Join(dir, "public", "hero-og.jpg")
	config := testAccRenditionOfImageFileConfig(baseURL, source, dest)
	accTest(t, []tfresource.TestStep{{
		Config: config,
		ConfigStateChecks: []statecheck.StateCheck{
			expectRendition(t, testRenditionAddr, dest, "JPEG", true),
			expectSameAs(testRenditionAddr, "rendered_from_sha256", testImageFileAddr, "sha256"),
		},
	}, {
		// A fresh runner: neither file is there. The image file is
		// downloaded again and the rendition rendered from it, in one apply.
		PreConfig: func() {
			_ = os.RemoveAll(filepath.Join(dir, "images"))
			_ = os.RemoveAll(filepath.Join(dir, "public"))
		},
		Config: config,
		ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			plancheck.ExpectResourceAction(testRenditionAddr, plancheck.ResourceActionUpdate),
			plancheck.ExpectResourceAction(testImageFileAddr, plancheck.ResourceActionUpdate),
		}},
		ConfigStateChecks: []statecheck.StateCheck{
			expectRendition(t, testRenditionAddr, dest, "JPEG", true),
			expectSameAs(testRenditionAddr, "rendered_from_sha256", testImageFileAddr, "sha256"),
		},
	}})
}

func TestAccImageRendition_importByPath(t *testing.T) {
	dir := t.TempDir()
	source, dest := filepath.Join(dir, "hero.png"), filepath.Join(dir, "og.webp")
	renditionSource(t, source, 400, 300, 0, true)
	accTest(t, []tfresource.TestStep{{
		Config: testAccRenditionConfig(renditionBlock("og", source, dest, 200, 100, "")),
	}, {
		// The file tells its checksum, size, dimensions and marking; the
		// settings it was rendered with are the configuration's.
		ResourceName:      testRenditionAddr,
		ImportState:       true,
		ImportStateId:     dest,
		ImportStateVerify: true,
		ImportStateVerifyIgnore: []string{"source", "source_sha256", "width", "height", "fit", "focus", "format",
			"quality", "lossless", "allow_upscale", "rendered_from_sha256"},
	}, {
		ResourceName:  testRenditionAddr,
		ImportState:   true,
		ImportStateId: filepath.Join(dir, "missing.webp"),
		ExpectError:   regexp.MustCompile("Unable to Import Image Rendition"),
	}})
}

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
