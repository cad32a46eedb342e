package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/akool-community/terraform-provider-akool/internal/imagemeta"
)

// expectUnchanged fails when the file at p no longer holds data.
func expectUnchanged(t *testing.T, p string, data []byte) {
	t.Helper()
	got, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("the source %s is gone: %v", p, err)
	}
	if string(got) != string(data) {
		t.Fatalf("the source %s was overwritten (%d bytes, was %d)", p, len(got), len(data))
	}
}

func TestAccImageRendition_pathIsTheSourceFailsAndKeepsIt(t *testing.T) {
	dir := t.TempDir()
	source := filepath.Join(dir, "hero.png")
	renditionSource(t, source, 400, 300, 0, true)
	original := mustReadFile(t, source)
	link := filepath.Join(dir, "hero-link.png")
	if err := os.Symlink(source, link); err != nil {
		t.Fatal(err)
	}
	for name, dest := range map[string]string{
		"same spelling":   source,
		"other spelling":  filepath.Join(dir, ".", "sub", "..", "hero.png"),
		"through symlink": link,
	} {
		t.Run(name, func(t *testing.T) {
			accTest(t, []tfresource.TestStep{{
				Config:      testAccRenditionConfig(renditionBlock("og", source, dest, 100, 50, `format = "png"`)),
				ExpectError: regexp.MustCompile(`names\s+the\s+same\s+file\s+as\s+the\s+source`),
			}})
			expectUnchanged(t, source, original)
		})
	}
	// A source only known at apply time is checked before anything is
	// written.
	t.Run("known at apply", func(t *testing.T) {
		accTest(t, []tfresource.TestStep{{
			Config: testAccRenditionConfig(fmt.Sprintf(`
resource "terraform_data" "source" {
  input = %q
}
`, source) + renditionBlock("og", "${terraform_data.source.output}", source, 100, 50, `format = "png"`)),
			ExpectError: regexp.MustCompile(`names\s+the\s+same\s+file\s+as\s+the\s+source`),
		}})
		expectUnchanged(t, source, original)
	})
}

func TestAccImageRendition_twoRenditionsOnePathFails(t *testing.T) {
	dir := t.TempDir()
	source := filepath.Join(dir, "hero.png")
	renditionSource(t, source, 400, 300, 0, true)
	dest := filepath.Join(dir, "public", "og.jpg")
	accTest(t, []tfresource.TestStep{{
		// One path in two spellings: whichever renders second would
		// replace the first's file, and each apply would render both again.
		Config: testAccRenditionConfig(renditionBlock("og", source, dest, 200, 100, "") +
			renditionBlock("square", source, dir+"/public/./og.jpg", 100, 100, "")),
		ExpectError: regexp.MustCompile(`written\s+by\s+another\s+resource`),
	}})
}

func TestAccImageRendition_respelledPathCreateBeforeDestroyKeepsTheFile(t *testing.T) {
	dir := t.TempDir()
	source := filepath.Join(dir, "hero.png")
	renditionSource(t, source, 400, 300, 0, true)
	dest := filepath.Join(dir, "public", "og.jpg")
	cbd := "lifecycle {\n    create_before_destroy = true\n  }"
	accTest(t, []tfresource.TestStep{{
		Config: testAccRenditionConfig(renditionBlock("og", source, dest, 200, 100, cbd)),
	}, {
		// The new object writes the file first; the old one, destroyed
		// next, must not delete what the new one wrote.
		Config:            testAccRenditionConfig(renditionBlock("og", source, dir+"/public/./og.jpg", 200, 100, cbd)),
		ConfigStateChecks: []statecheck.StateCheck{expectRendition(t, testRenditionAddr, dest, "JPEG", true)},
	}})
}

func TestAccImageRendition_foreignXMPIsNotAMarking(t *testing.T) {
	dir := t.TempDir()
	source, dest := filepath.Join(dir, "holiday.png"), filepath.Join(dir, "holiday.jpg")
	renditionSource(t, source, 400, 300, 0, false)
	data, err := os.ReadFile(source)
	if err != nil {
		t.Fatal(err)
	}
	// A photograph's own XMP (a title, from an editor): carried, but no
	// Digital Source Type, so nothing says the picture is AI-generated.
	packet := []byte(`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">` +
		`<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title><rdf:Alt>` +
		`<rdf:li xml:lang="x-default">Holiday</rdf:li></rdf:Alt></dc:title></rdf:Description></rdf:RDF></x:xmpmeta>`)
	if data, err = imagemeta.Embed(data, packet); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(source, data, 0o644); err != nil {
		t.Fatal(err)
	}
	accTest(t, []tfresource.TestStep{{
		Config: testAccRenditionConfig(renditionBlock("og", source, dest, 200, 100, "")),
		ConfigStateChecks: []statecheck.StateCheck{
			expectRendition(t, testRenditionAddr, dest, "JPEG", false),
			statecheck.ExpectKnownValue(testRenditionAddr, tfjsonpath.New("marked"), knownvalue.Bool(false)),
		},
	}})
}

// betweenPlanAndApply runs fn after the plan is made and before it is
// applied, as another tool (or another resource of the same apply) would
// rewrite a file in that time.
type betweenPlanAndApply func()

func (fn betweenPlanAndApply) CheckPlan(context.Context, plancheck.CheckPlanRequest, *plancheck.CheckPlanResponse) {
	fn()
}

func TestAccImageRendition_sourceReshapedBetweenPlanAndApply(t *testing.T) {
	dir := t.TempDir()
	source, dest := filepath.Join(dir, "hero.png"), filepath.Join(dir, "thumb.png")
	renditionSource(t, source, 400, 300, 0, true)
	accTest(t, []tfresource.TestStep{{
		// A source of another shape by apply time: a contained
		// rendition's size is then another than the plan could say.
		Config: testAccRenditionConfig(renditionBlock("og", source, dest, 120, 120, `fit = "contain"`)),
		ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			betweenPlanAndApply(func() { renditionSource(t, source, 300, 400, 9, true) }),
		}},
		ConfigStateChecks: []statecheck.StateCheck{
			expectInt(testRenditionAddr, "rendered_width", 90),
			expectInt(testRenditionAddr, "rendered_height", 120),
		},
	}})
}
