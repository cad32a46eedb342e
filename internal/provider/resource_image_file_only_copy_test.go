package provider

import (
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/akool-community/terraform-provider-akool/internal/emulator"
	"github.com/akool-community/terraform-provider-akool/internal/localcopy/localcopytest"
)

// The only copy after Akool stopped serving an image: a change that is not
// meant as "delete this picture" (a new address without a moved block,
// -replace, two paths swapped) keeps it, and the next plan works. They use
// the emulator's clock to expire the URLs.

// onlyCopyFileBlock keeps a copy of akool_generated_image.<image>'s image at
// dest, as akool_image_file.<name>.
func onlyCopyFileBlock(name, image, dest string) string {
	return fmt.Sprintf(`
resource "akool_image_file" %q {
  url  = akool_generated_image.%s.image_url
  path = %q
}
`, name, image, dest)
}

// expiredCopies reads the files at paths, as the first apply wrote them,
// and moves the emulator's clock past Akool's 7 days; it returns their
// bytes by path.
func expiredCopies(t *testing.T, e *emulator.Emulator, paths ...string) map[string][]byte {
	t.Helper()
	kept := map[string][]byte{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("after the first apply: %v", err)
		}
		kept[p] = b
	}
	e.Clock().Advance(7*24*time.Hour + time.Hour)
	return kept
}

// expectHolds fails the test unless the file at filePath holds want exactly.
func expectHolds(t *testing.T, when, filePath string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(filePath)
	if err != nil {
		t.Fatalf("%s: the picture is gone: %v", when, err)
	}
	if string(got) != string(want) {
		t.Fatalf("%s: %s holds %d bytes, not the picture's %d", when, filePath, len(got), len(want))
	}
}

// A new address without a moved block, then -replace, after expiry: the
// plan says what will happen to the file, the apply keeps the picture, and
// the next plan is empty.
func TestAccImageFile_renameAndReplaceAfterExpiry_emulatorClock(t *testing.T) {
	e, url := newTestEmulator(t)
	dest := filepath.Join(t.TempDir(), "hero.png")
	images := testAccProviderConfig(url) + testAccPromptBlock("hero", "A lighthouse whose copy is renamed")
	h := clockHarness(t, e, images+onlyCopyFileBlock("hero", "hero", dest))
	h.mustApply()
	picture := expiredCopies(t, e, dest)[dest]

	h.writeConfig(images + onlyCopyFileBlock("kept", "hero", dest))
	plan := h.run("plan", "-input=false")
	plan.expectMentions(t, "plan of a new address", "Image File Will Be Kept", "Image File Already At Path",
		"no longer serves", dest)
	res := h.apply()
	if res.exitCode != 0 {
		t.Fatalf("apply of a new address: exit %d:\n%s", res.exitCode, res.output())
	}
	res.expectMentions(t, "apply of a new address", "Image File Taken Over")
	expectHolds(t, "after a new address", dest, picture)
	h.expectNoChanges("after a new address")

	res = h.run("apply", "-auto-approve", "-input=false", "-replace=akool_image_file.kept")
	if res.exitCode != 0 {
		t.Fatalf("apply -replace: exit %d:\n%s", res.exitCode, res.output())
	}
	expectHolds(t, "after -replace", dest, picture)
	h.expectNoChanges("after -replace")

	// Plain destroy keeps the only copy, and says so before and after.
	plan = h.run("plan", "-destroy", "-input=false")
	plan.expectMentions(t, "destroy plan", "Image File Will Be Kept", dest, "delete it by hand")
	res = h.run("destroy", "-auto-approve", "-input=false")
	if res.exitCode != 0 {
		t.Fatalf("destroy: exit %d:\n%s", res.exitCode, res.output())
	}
	res.expectMentions(t, "destroy", "Image File Kept")
	expectHolds(t, "after destroy", dest, picture)
}

// Two copies whose paths are swapped in one apply, after expiry, one at a
// time and in parallel: each picture ends at the other path, and the next
// plan is empty.
func TestAccImageFile_swapAfterExpiry_emulatorClock(t *testing.T) {
	for _, parallelism := range []string{"1", "10"} {
		t.Run("parallelism="+parallelism, func(t *testing.T) {
			e, url := newTestEmulator(t)
			dir := t.TempDir()
			a, b := filepath.Join(dir, "a.png"), filepath.Join(dir, "b.png")
			images := testAccProviderConfig(url) + testAccPromptBlock("one", "A harbour swapped "+parallelism) +
				testAccPromptBlock("two", "A forest swapped "+parallelism)
			h := clockHarness(t, e, images+onlyCopyFileBlock("one", "one", a)+onlyCopyFileBlock("two", "two", b))
			h.mustApply()
			kept := expiredCopies(t, e, a, b)

			h.writeConfig(images + onlyCopyFileBlock("one", "one", b) + onlyCopyFileBlock("two", "two", a))
			res := h.run("apply", "-auto-approve", "-input=false", "-parallelism="+parallelism)
			if res.exitCode != 0 {
				t.Fatalf("apply of the swap: exit %d:\n%s", res.exitCode, res.output())
			}
			expectHolds(t, "after the swap", b, kept[a])
			expectHolds(t, "after the swap", a, kept[b])
			h.expectNoChanges("after the swap")
			if entries, _ := os.ReadDir(dir); len(entries) != 2 {
				var names []string
				for _, en := range entries {
					names = append(names, en.Name())
				}
				t.Errorf("after the swap the folder holds %q, want a.png and b.png only", names)
			}
		})
	}
}

// A destroy while the image host cannot be reached keeps the file, as one
// after expiry does, but does not call it the only copy: the URL may well
// still serve, and the warnings say that it could not be checked.
func TestAccImageFile_destroyWhileHostUnreachableKeeps(t *testing.T) {
	t.Parallel()
	dest := filepath.Join(t.TempDir(), "a.png")
	srv := httptest.NewServer(&imageFileCountingServer{hits: map[string]int{},
		images: map[string][]byte{"/a.png": localcopytest.Picture(t, "png", 30, 20)}})
	h := newAppliedHarness(t, testAccImageFileConfig(srv.URL+"/a.png", dest))
	picture, _ := os.ReadFile(dest)
	srv.Close()

	for _, args := range [][]string{{"plan", "-destroy"}, {"destroy", "-auto-approve"}} {
		res := h.run(append(args, "-input=false")...)
		res.expectMentions(t, args[0], "Image File", "could not be checked", "connection refused", dest)
		if res.exitCode != 0 || res.mentions("is the only copy") || res.mentions("cannot be downloaded again") {
			t.Errorf("%s while the host is unreachable: exit %d, want a warning that does not call the file "+
				"the only copy:\n%s", args[0], res.exitCode, res.output())
		}
	}
	expectHolds(t, "after destroy", dest, picture)
}
