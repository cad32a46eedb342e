package provider

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/akool-community/terraform-provider-akool/internal/imagemeta"
	"github.com/akool-community/terraform-provider-akool/internal/localcopy/localcopytest"
)

// stateFromBeforeMarking rewrites h's state as a version of the provider
// that did not mark left it: none of the marking's attributes, and the
// checksum of download, the file it wrote.
func stateFromBeforeMarking(t *testing.T, h *tfHarness, download []byte) {
	t.Helper()
	editStateInstances(t, h, func(address string, instance map[string]any) {
		if !strings.HasPrefix(address, "akool_image_file.") {
			return
		}
		attrs, _ := instance["attributes"].(map[string]any)
		for _, name := range []string{"image_id", "marking", "download_sha256", "marked", "digital_source_type", "image_created_at"} {
			delete(attrs, name)
		}
		attrs["sha256"], attrs["size"] = localcopytest.SHA256Hex(download), len(download)
	})
}

// A copy saved before the marking existed, gone from disk once Akool no
// longer serves its URL, cannot be marked: the plan is empty, the warning
// says so (and that the marking is written once the file is back), and
// apply succeeds instead of failing to download. Uses the emulator's clock
// to expire the URL.
func TestAccImageFile_markingUpgradeWithoutCopy_emulatorClock(t *testing.T) {
	e, baseURL := newTestEmulator(t)
	dest := filepath.Join(t.TempDir(), "hero.png")
	config := testAccImageFileWithImageConfig(baseURL, dest)
	h := newAppliedHarness(t, config)
	onDisk := mustReadFile(t, dest)
	download, err := imagemeta.Remove(onDisk)
	if err != nil {
		t.Fatal(err)
	}
	stateFromBeforeMarking(t, h, download)
	if err := os.Remove(dest); err != nil {
		t.Fatal(err)
	}
	e.Clock().Advance(7*24*time.Hour + time.Hour)

	res := h.expectNoChanges("the copy is gone and its URL expired")
	for _, want := range []string{"Local Image File Missing and Image No Longer Served", "plans no change for it",
		"the next apply writes the AI-generated marking into it"} {
		if !res.mentions(want) {
			t.Errorf("the plan does not say %q:\n%s", want, res.output())
		}
	}
	h.mustApply()
	if _, err := os.Stat(dest); !os.IsNotExist(err) {
		t.Errorf("apply wrote %s (%v)", dest, err)
	}

	// A deliberate change of the marking, with neither the copy nor the URL
	// (nothing on disk to protect), is recorded with a warning that the copy
	// cannot be restored; nothing is written.
	h.writeConfig(strings.Replace(config, "  path =", "  marking = { headline = \"New\" }\n  path =", 1))
	res = h.run("plan", "-input=false")
	if res.exitCode != 0 || !res.mentions("Local Image File Cannot Be Restored") || !res.mentions("HTTP 404") {
		t.Errorf("plan of a marking change without copy or URL exited %d:\n%s", res.exitCode, res.output())
	}
	h.mustApply()
	if _, err := os.Stat(dest); !os.IsNotExist(err) {
		t.Errorf("apply of the marking change wrote %s (%v)", dest, err)
	}
	h.expectNoChanges("after the marking change was recorded")
}
