package provider

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/akool-community/terraform-provider-akool/internal/localcopy"
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

// A swap whose second move fails leaves that copy set aside beside its
// path; a destroy after expiry keeps it there, and the warnings name the
// file that holds the picture, not the path that now holds the other one.
func TestAccImageFile_destroyNamesSetAsideCopy(t *testing.T) {
	t.Parallel()
	images := map[string][]byte{"/a.png": localcopytest.Picture(t, "png", 30, 20), "/b.png": localcopytest.Picture(t, "png", 12, 40)}
	srv, srvURL := newImageFileCountingServer(t, images)
	dir := t.TempDir()
	a, b, c := filepath.Join(dir, "a.png"), filepath.Join(dir, "b.png"), filepath.Join(dir, "sub", "c.png")
	h := newAppliedHarness(t, testAccTwoImageFilesConfig(srvURL, a, b))
	copyB, _ := os.ReadFile(b)

	h.writeConfig(testAccTwoImageFilesConfig(srvURL, b, c))
	h.mustRun("plan", "-input=false", "-out=swap.tfplan")
	if err := os.MkdirAll(c, 0o755); err != nil { // a folder where b moves: its move fails
		t.Fatal(err)
	}
	if res := h.run("apply", "-input=false", "swap.tfplan"); res.exitCode == 0 {
		t.Fatalf("apply of a move onto a folder succeeded:\n%s", res.output())
	}
	sum := sha256.Sum256(copyB)
	aside := localcopy.SetAsidePath(b, hex.EncodeToString(sum[:]))
	expectHolds(t, "after the failed move", aside, copyB)

	srv.mu.Lock()
	srv.images = map[string][]byte{} // Akool no longer serves them
	srv.mu.Unlock()
	h.writeConfig(testAccProviderConfig("http://127.0.0.1:1"))
	res := h.run("apply", "-auto-approve", "-input=false")
	res.expectMentions(t, "destroy after expiry", "Image File Will Be Kept", "Image File Kept", aside)
	expectHolds(t, "after destroy", aside, copyB)
}
