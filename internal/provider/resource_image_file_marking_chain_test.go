package provider

import (
	"fmt"
	"path/filepath"
	"testing"

	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/akool-community/terraform-provider-akool/internal/imagemeta"
)

// An upscale of a variation of a grid made from a source image is a
// composite: the marking follows the chain of parents to the grid's source
// image. Without a source image anywhere in the chain, it stays
// trainedAlgorithmicMedia.
func TestAccImageFile_markingFollowsParentChain(t *testing.T) {
	t.Parallel()
	_, url := newTestEmulator(t)
	dir := t.TempDir()
	config := func(source string) string {
		sourceLine := ""
		if source != "" {
			sourceLine = fmt.Sprintf("source_image = %q", source)
		}
		return testAccProviderConfig(url) + fmt.Sprintf(`
resource "akool_generated_image" "grid" {
  prompt = "the same cup, on marble, then varied and upscaled"
  %s
}
`, sourceLine) + testAccButtonBlock("akool_image_variation", "var", "akool_generated_image.grid.id", 1, "") +
			testAccButtonBlock("akool_image_upscale", "up", "akool_image_variation.var.id", 1, "") + fmt.Sprintf(`
resource "akool_image_file" "hero" {
  url      = akool_image_upscale.up.image_url
  image_id = akool_image_upscale.up.id
  path     = %q
}
`, filepath.Join(dir, source+"up.png"))
	}
	accTest(t, []tfresource.TestStep{
		{
			Config: config("https://example.com/cup.png"),
			ConfigStateChecks: []statecheck.StateCheck{
				expectString(testImageFileAddr, "digital_source_type", imagemeta.CompositeWithTrainedAlgorithmicMedia),
			},
		},
	})
	accTest(t, []tfresource.TestStep{
		{
			Config: config(""),
			ConfigStateChecks: []statecheck.StateCheck{
				expectString(testImageFileAddr, "digital_source_type", imagemeta.TrainedAlgorithmicMedia),
			},
		},
	})
}
