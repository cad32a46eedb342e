package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/akool-community/terraform-provider-akool/internal/exiftooltest"
	"github.com/akool-community/terraform-provider-akool/internal/imagemeta"
	"github.com/akool-community/terraform-provider-akool/internal/imagetest"
	"github.com/akool-community/terraform-provider-akool/internal/localcopy/localcopytest"
)

// renditionSource writes a photograph-like PNG of w x h at path, marked
// as akool_image_file marks (unless marked is false), and returns its
// SHA-256; shift changes its colours, for a second version of a source.
func renditionSource(t *testing.T, path string, w, h int, shift uint8, marked bool) string {
	t.Helper()
	img := imagetest.Photo(w, h, false)
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i] += shift // red
	}
	data := imagetest.EncodePNG(t, img)
	if marked {
		var err error
		data, err = imagemeta.Embed(data, imagemeta.Packet(imagemeta.Marking{
			DigitalSourceType: imagemeta.TrainedAlgorithmicMedia, JobID: "rendition-test", AltText: "A test picture",
		}))
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return localcopytest.SHA256Hex(data)
}

// testAccRenditionConfig is a provider block (pointing at a closed port:
// renditions never talk to Akool) and the given resources.
func testAccRenditionConfig(blocks string) string {
	return testAccProviderConfig("http://127.0.0.1:1") + blocks
}

func renditionBlock(name, source, dest string, w, h int, extra string) string {
	return fmt.Sprintf(`
resource "akool_image_rendition" %q {
  source = %q
  path   = %q
  width  = %d
  height = %d
  %s
}
`, name, source, dest, w, h, extra)
}

// expectRendition checks that the file at dest is what the state of
// address says (sha256, size) and what exiftool reads in it: its file
// type, and the marking when marked.
func expectRendition(t *testing.T, address, dest, fileType string, marked bool) statecheck.StateCheck {
	return imageFileStateCheck(func(_ context.Context, state *tfjson.State) error {
		values, err := resourceValues(state, address)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(dest)
		if err != nil {
			return err
		}
		sum := localcopytest.SHA256Hex(data)
		if values["sha256"] != sum || fmt.Sprint(values["size"]) != fmt.Sprint(len(data)) {
			return fmt.Errorf("%s: state says sha256 %v, size %v; the file has %s, %d bytes", address, values["sha256"], values["size"], sum, len(data))
		}
		tags := exiftooltest.Read(t, dest)
		if tags["File:FileType"] != fileType {
			return fmt.Errorf("%s: exiftool reads a %v file, want %s", dest, tags["File:FileType"], fileType)
		}
		if got := tags["XMP-iptcExt:DigitalSourceType"]; (got == imagemeta.TrainedAlgorithmicMedia) != marked || values["marked"] != marked {
			return fmt.Errorf("%s: exiftool reads Digital Source Type %v, state says marked %v; want marked %v", dest, got, values["marked"], marked)
		}
		return nil
	})
}

// expectStringFrom checks that attr of address equals *want, read when
// the check runs (a value an earlier step recorded).
func expectStringFrom(address, attr string, want *string) statecheck.StateCheck {
	return imageFileStateCheck(func(_ context.Context, state *tfjson.State) error {
		values, err := resourceValues(state, address)
		if err != nil {
			return err
		}
		if values[attr] != *want || *want == "" {
			return fmt.Errorf("%s.%s = %v, want %q", address, attr, values[attr], *want)
		}
		return nil
	})
}

func TestAccImageRendition_formatsAndFits(t *testing.T) {
	dir := t.TempDir()
	source := filepath.Join(dir, "hero.png")
	sum := renditionSource(t, source, 600, 400, 0, true)
	out := func(name string) string { return filepath.Join(dir, "public", name) }
	config := testAccRenditionConfig(
		renditionBlock("og", source, out("og.jpg"), 300, 158, "quality = 82") +
			renditionBlock("square", source, out("square.webp"), 200, 200, `focus = "detail"`) +
			renditionBlock("lossless", source, out("lossless.webp"), 200, 200, "fit = \"contain\"\n  lossless = true") +
			renditionBlock("thumb", source, out("thumb.png"), 120, 120, `fit = "contain"`) +
			renditionBlock("card", source, out("card"), 100, 50, `format = "jpeg"`))
	accTestCase(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			for _, name := range []string{"og.jpg", "square.webp", "lossless.webp", "thumb.png", "card"} {
				if _, err := os.Stat(out(name)); !errors.Is(err, os.ErrNotExist) {
					return fmt.Errorf("%s is still there after destroy (%w)", name, err)
				}
			}
			return nil
		},
		Steps: []tfresource.TestStep{{
			Config: config,
			ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				// Cover's output is the box: its size is known at plan time;
				// contain's follows the source, which may change before apply.
				plancheck.ExpectKnownValue("akool_image_rendition.og", tfjsonpath.New("rendered_height"), knownvalue.Int64Exact(158)),
				plancheck.ExpectUnknownValue("akool_image_rendition.thumb", tfjsonpath.New("rendered_height")),
				plancheck.ExpectKnownValue("akool_image_rendition.og", tfjsonpath.New("format"), knownvalue.StringExact("jpeg")),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				expectRendition(t, "akool_image_rendition.og", out("og.jpg"), "JPEG", true),
				expectRendition(t, "akool_image_rendition.square", out("square.webp"), "Extended WEBP", true),
				expectRendition(t, "akool_image_rendition.lossless", out("lossless.webp"), "Extended WEBP", true),
				expectRendition(t, "akool_image_rendition.thumb", out("thumb.png"), "PNG", true),
				expectRendition(t, "akool_image_rendition.card", out("card"), "JPEG", true),
				expectInt("akool_image_rendition.og", "rendered_width", 300),
				expectInt("akool_image_rendition.og", "rendered_height", 158),
				expectInt("akool_image_rendition.lossless", "rendered_width", 200),
				expectInt("akool_image_rendition.lossless", "rendered_height", 133),
				expectInt("akool_image_rendition.thumb", "rendered_width", 120),
				expectInt("akool_image_rendition.og", "quality", 82),
				expectString("akool_image_rendition.og", "rendered_from_sha256", sum),
				expectString("akool_image_rendition.og", "fit", "cover"),
				expectString("akool_image_rendition.square", "format", "webp"),
			},
		}, {
			// Nothing changed: nothing to do.
			Config:           config,
			ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		}},
	})
}
