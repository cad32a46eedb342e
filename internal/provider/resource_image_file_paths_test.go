package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/akool-community/terraform-provider-akool/internal/localcopy/localcopytest"
)

// Files that are not this configuration's, and one file named twice.

// A new akool_image_file whose path already holds a file it did not write
// warns at plan time, saying what the apply does and how to import it.
func TestAccImageFile_unmanagedFileAtPathWarns(t *testing.T) {
	t.Parallel()
	_, srvURL := newImageFileCountingServer(t, map[string][]byte{"/a.png": localcopytest.Picture(t, "png", 20, 20)})
	dest := filepath.Join(t.TempDir(), "hero.png")
	if err := os.WriteFile(dest, localcopytest.Picture(t, "png", 9, 7), 0o644); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, testAccImageFileConfig(srvURL+"/a.png", dest))
	plan := h.run("plan", "-input=false")
	plan.expectMentions(t, "plan", "Warning: Image File Already At Path", dest, "writes the image downloaded",
		"terraform import <address of this akool_image_file> "+dest)
}

// Two akool_image_file naming the same file under different spellings
// fail the plan, naming both spellings.
func TestAccImageFile_sameFileTwiceFailsPlan(t *testing.T) {
	t.Parallel()
	_, srvURL := newImageFileCountingServer(t, map[string][]byte{
		"/a.png": localcopytest.Picture(t, "png", 20, 20), "/b.png": localcopytest.Picture(t, "png", 8, 8)})
	h := newHarness(t, testAccTwoImageFilesConfig(srvURL, "out/hero.png", "./out/hero.png"))
	plan := h.run("plan", "-input=false")
	if plan.exitCode != 1 {
		t.Errorf("plan of one file named twice: exit %d, want 1:\n%s", plan.exitCode, plan.output())
	}
	plan.expectMentions(t, "plan", "Error: Image File Named Twice", `"out/hero.png"`, `"./out/hero.png"`)

	// Different files plan as usual.
	h.writeConfig(testAccTwoImageFilesConfig(srvURL, "out/hero.png", fmt.Sprintf("./out/%s", "other.png")))
	if res := h.run("plan", "-input=false"); res.exitCode != 0 {
		t.Errorf("plan of two files: exit %d:\n%s", res.exitCode, res.output())
	}
}
