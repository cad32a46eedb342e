package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

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
	accTestCase(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []tfresource.TestStep{{
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
		}},
	})
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
	accTestCase(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []tfresource.TestStep{{
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
		}},
	})
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
	accTestCase(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []tfresource.TestStep{{
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
		}},
	})
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
			accTestCase(t, tfresource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []tfresource.TestStep{{
					Config:      testAccRenditionConfig(tc.block),
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tc.err),
				}},
			})
		})
	}
	// allow_upscale lets the same box through.
	accTestCase(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []tfresource.TestStep{{
			Config:            testAccRenditionConfig(renditionBlock("og", source, out, 800, 300, "allow_upscale = true")),
			ConfigStateChecks: []statecheck.StateCheck{expectInt(testRenditionAddr, "rendered_width", 800)},
		}},
	})
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
	accTestCase(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []tfresource.TestStep{{
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
		}},
	})
}

func TestAccImageRendition_importByPath(t *testing.T) {
	dir := t.TempDir()
	source, dest := filepath.Join(dir, "hero.png"), filepath.Join(dir, "og.webp")
	renditionSource(t, source, 400, 300, 0, true)
	accTestCase(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []tfresource.TestStep{{
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
		}},
	})
}
