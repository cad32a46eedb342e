package provider

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/akool-community/terraform-provider-akool/internal/imagemeta"
)

// Reading the job to mark the file does not eat the download's timeout: a
// slow Akool (each answer 6 s, the create timeout 5 s: room for a download
// in a busy test run) still gives a marked file, written once, and never
// leaves the unmarked download at the path. Uses the emulator's latency.
func TestAccImageFile_markingSlowJobRead_emulatorLatency(t *testing.T) {
	e, baseURL := newTestEmulator(t)
	dest := filepath.Join(t.TempDir(), "hero.png")
	image := testAccProviderConfig(baseURL) + `
resource "akool_generated_image" "hero" {
  prompt = "A lighthouse on a cliff at sunrise"
}
`
	file := image + fmt.Sprintf(`
resource "akool_image_file" "hero" {
  url      = akool_generated_image.hero.image_url
  path     = %q
  image_id = akool_generated_image.hero.id
  timeouts {
    create = "5s"
  }
}
`, dest)
	imageFileTest(t, dest, []tfresource.TestStep{
		{Config: image},
		{
			PreConfig: func() { e.SetLatency(6 * time.Second) },
			Config:    file,
			ConfigStateChecks: []statecheck.StateCheck{
				expectValue(testImageFileAddr, "marked", knownvalue.Bool(true)),
				expectValue(testImageFileAddr, "image_created_at", knownvalue.NotNull()),
				expectMarkedFile(t, map[string]any{"XMP-iptcExt:DigitalSourceType": imagemeta.TrainedAlgorithmicMedia}),
			},
		},
	})
}
