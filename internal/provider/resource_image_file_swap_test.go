package provider

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/akool-community/terraform-provider-akool/internal/localcopy/localcopytest"
)

// testAccTwoImageFilesConfig keeps a copy of url/a.png at pathA and of
// url/b.png at pathB.
func testAccTwoImageFilesConfig(url, pathA, pathB string) string {
	return testAccProviderConfig("http://127.0.0.1:1") + fmt.Sprintf(`
resource "akool_image_file" "a" {
  url  = "%[1]s/a.png"
  path = %[2]q
}

resource "akool_image_file" "b" {
  url  = "%[1]s/b.png"
  path = %[3]q
}
`, url, pathA, pathB)
}

// Swapping the paths of two copies in one apply may write one over the
// other before it moved: the plan warns about a new path that holds a file
// this resource did not write, naming it.
func TestAccImageFile_moveOntoAnotherFileWarns(t *testing.T) {
	_, srvURL := newImageFileCountingServer(t, map[string][]byte{
		"/a.png": localcopytest.Picture(t, "png", 30, 20), "/b.png": localcopytest.Picture(t, "png", 12, 40)})
	dir := t.TempDir()
	first, second := filepath.Join(dir, "first.png"), filepath.Join(dir, "second.png")
	h := newAppliedHarness(t, testAccTwoImageFilesConfig(srvURL, first, second))

	h.writeConfig(testAccTwoImageFilesConfig(srvURL, second, first))
	res := h.run("plan", "-input=false")
	for _, want := range []string{"Image File At New Path Will Be Set Aside", second, first} {
		if !res.mentions(want) {
			t.Errorf("the plan of a swap does not say %q:\n%s", want, res.output())
		}
	}

	// A move to a free path says nothing of the kind.
	h.writeConfig(testAccTwoImageFilesConfig(srvURL, filepath.Join(dir, "third.png"), second))
	if res := h.run("plan", "-input=false"); res.mentions("Will Be Set Aside") || res.exitCode != 0 {
		t.Errorf("the plan of a move to a free path (exit %d):\n%s", res.exitCode, res.output())
	}
}
