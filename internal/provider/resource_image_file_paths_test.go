package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/akool-community/terraform-provider-akool/internal/localcopy"
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

// terraform apply -replace of a file changed by hand (a picture of the
// user's own put at its path) keeps that picture: the destroy says it is
// kept, and the create that follows sets it aside instead of writing over
// it, whether the change came before the plan, after a saved plan was made,
// or the replacement is created before the destroy.
func TestAccImageFile_replaceKeepsFileChangedByHand(t *testing.T) {
	_, url := newTestEmulator(t)
	for _, c := range []struct {
		name        string
		createFirst bool // create_before_destroy
		saved       bool // the file changes after a saved plan was made
	}{
		{name: "apply -replace"},
		{name: "saved plan", saved: true},
		{name: "create_before_destroy, saved plan", createFirst: true, saved: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			dest := filepath.Join(t.TempDir(), "hero.png")
			config := savedPlanConfig(url, dest, "First")
			if c.createFirst {
				config = strings.Replace(config, "path = ", "lifecycle {\n    create_before_destroy = true\n  }\n  path = ", 1)
			}
			h := newAppliedHarness(t, config)
			mine := localcopytest.Picture(t, "png", 17, 9)
			change := func() {
				if err := os.WriteFile(dest, mine, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			var res tfResult
			if c.saved {
				h.mustRun("plan", "-input=false", "-replace="+testImageFileAddr, "-out=replace.tfplan")
				change()
				res = h.run("apply", "-input=false", "replace.tfplan")
			} else {
				change()
				res = h.run("apply", "-auto-approve", "-input=false", "-replace="+testImageFileAddr)
			}
			if res.exitCode != 0 {
				t.Fatalf("apply of the replacement: exit %d:\n%s", res.exitCode, res.output())
			}
			aside := localcopy.SetAsidePath(dest, localcopytest.SHA256Hex(mine))
			res.expectMentions(t, "apply of the replacement", "Image File Set Aside", aside)
			expectHolds(t, "after the replacement", aside, mine)
			expectSavedPlanFile(t, h, dest, "First")
			h.expectNoChanges("after the replacement")
		})
	}
}

// With marking off, the copy of the object that a replacement created
// before its destroy (create_before_destroy) writes over carries no marking:
// the create sets it aside, and the destroy of that object removes it while
// its URL serves, as it would have removed the copy itself.
func TestAccImageFile_replaceCreatedFirstLeavesNoUnmarkedCopy(t *testing.T) {
	_, url := newTestEmulator(t)
	dir := t.TempDir()
	dest := filepath.Join(dir, "hero.png")
	config := strings.Replace(savedPlanConfig(url, dest, "First"), "marking = { headline = \"First\" }",
		"marking = { enabled = false }\n  lifecycle {\n    create_before_destroy = true\n  }", 1)
	h := newAppliedHarness(t, config)
	for _, replace := range [][]string{
		{testImageFileAddr}, // the same picture again
		{testImageFileAddr, "akool_generated_image.hero"}, // a new picture
	} {
		args := []string{"apply", "-auto-approve", "-input=false"}
		for _, address := range replace {
			args = append(args, "-replace="+address)
		}
		h.mustRun(args...)
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 1 || entries[0].Name() != "hero.png" {
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			t.Errorf("after the replacement of %v, %s holds %v; want hero.png alone", replace, dir, names)
		}
		h.expectNoChanges("after the replacement")
	}
}
