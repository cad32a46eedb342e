package provider

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/akool-community/terraform-provider-akool/internal/localcopy"
	"github.com/akool-community/terraform-provider-akool/internal/localcopy/localcopytest"
)

// A saved plan (terraform plan -out, then terraform apply of that file) is
// often applied by another job, on another runner, whose copy of a file is
// not what the plan saw. Terraform plans again when it applies, and a value
// that the saved plan knew must not become unknown: the apply must succeed,
// and write the file from what the runner that applies has.

// savedPlanConfig keeps a copy of a generated image at dest, marked with
// headline.
func savedPlanConfig(url, dest, headline string) string {
	return strings.Replace(testAccImageFileWithImageConfig(url, dest), "path = ",
		fmt.Sprintf("marking = { headline = %q }\n  path = ", headline), 1)
}

// savedPlanCase is one change, planned with the copy as before leaves it
// and applied from the saved plan with the copy as after leaves it.
type savedPlanCase struct {
	name          string
	renamed       bool   // the change gives the file a new path
	headline      string // the marking the change asks for
	before, after func(t *testing.T, dest string)
	planSays      []string // what the plan's output must mention
	applySays     []string // what the apply's output must mention
	// recorded: the copy stays missing, and the change is recorded without
	// writing anything.
	recorded bool
}

// savedPlanRemove removes the copy (a fresh runner).
func savedPlanRemove(t *testing.T, dest string) {
	t.Helper()
	if err := os.Remove(dest); err != nil {
		t.Fatal(err)
	}
}

// savedPlanEdit writes over the copy by hand.
func savedPlanEdit(t *testing.T, dest string) {
	t.Helper()
	if err := os.WriteFile(dest, []byte("edited by hand"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// savedPlanAside moves the copy away, as a fresh runner has none.
func savedPlanAside(t *testing.T, dest string) {
	t.Helper()
	if err := os.Rename(dest, dest+".bak"); err != nil {
		t.Fatal(err)
	}
}

// savedPlanBack puts the copy that savedPlanAside moved away back.
func savedPlanBack(t *testing.T, dest string) {
	t.Helper()
	if err := os.Rename(dest+".bak", dest); err != nil {
		t.Fatal(err)
	}
}

// savedPlanUnchanged leaves the copy as it is.
func savedPlanUnchanged(*testing.T, string) {}

// runSavedPlan changes the configuration of h (a copy at dest marked
// "First") as c says, saves its plan with the copy as c.before leaves it,
// applies that plan with the copy as c.after leaves it, and checks that the
// apply succeeded and left the right file and state.
func runSavedPlan(t *testing.T, h *tfHarness, url, dest string, c savedPlanCase) {
	t.Helper()
	want := dest
	if c.renamed {
		want = filepath.Join(filepath.Dir(dest), "renamed", "hero.png")
	}
	before := h.resource(testImageFileAddr).AttributeValues
	h.writeConfig(savedPlanConfig(url, want, c.headline))
	c.before(t, dest)
	plan := h.run("plan", "-input=false", "-out=saved.tfplan")
	if plan.exitCode != 0 {
		t.Fatalf("plan: exit %d:\n%s", plan.exitCode, plan.output())
	}
	plan.expectMentions(t, "plan", c.planSays...)
	c.after(t, dest)
	res := h.run("apply", "-input=false", "saved.tfplan")
	if res.exitCode != 0 {
		t.Fatalf("apply of the saved plan: exit %d:\n%s", res.exitCode, res.output())
	}
	res.expectMentions(t, "apply of the saved plan", c.applySays...)
	if c.recorded {
		expectSavedPlanRecorded(t, h, want, before, c.headline != "First")
		h.expectNoChanges("after the apply of the saved plan")
		return
	}
	expectSavedPlanFile(t, h, want, c.headline)
	if c.renamed {
		if _, err := os.Stat(dest); err == nil && !res.mentions("Image File Kept") {
			t.Errorf("%s is still there after the move, and the apply does not say that it was kept:\n%s", dest, res.output())
		}
	}
	h.expectNoChanges("after the apply of the saved plan")
}

// expectSavedPlanFile checks that akool_image_file.hero is at filePath in
// state, that the file there is the one the state describes, and that its
// marking says headline.
func expectSavedPlanFile(t *testing.T, h *tfHarness, filePath, headline string) {
	t.Helper()
	r := h.resource(testImageFileAddr)
	if r == nil {
		t.Fatalf("%s is not in state", testImageFileAddr)
	}
	values := r.AttributeValues
	if values["path"] != filePath {
		t.Errorf("path in state = %v, want %s", values["path"], filePath)
	}
	data, err := os.ReadFile(filePath)
	if err != nil {
		t.Fatalf("the picture is not at %s: %v", filePath, err)
	}
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); values["sha256"] != got || values["size"] != float64(len(data)) {
		t.Errorf("state says sha256 %v, size %v; the file at %s has %s, %d bytes", values["sha256"], values["size"], filePath, got, len(data))
	}
	if values["marked"] != true {
		t.Errorf("marked in state = %v, want true", values["marked"])
	}
	if packet := xmpOf(t, filePath); !strings.Contains(packet, headline) {
		t.Errorf("the marking of %s does not say %q:\n%s", filePath, headline, packet)
	}
}

// expectSavedPlanRecorded checks that akool_image_file.hero is at filePath
// in state with the checksum it had before, that nothing was written there,
// and that a new marking left marked null, to be written once the file is
// back.
func expectSavedPlanRecorded(t *testing.T, h *tfHarness, filePath string, before map[string]any, newMarking bool) {
	t.Helper()
	values := h.resource(testImageFileAddr).AttributeValues
	if values["path"] != filePath || values["sha256"] != before["sha256"] || values["size"] != before["size"] {
		t.Errorf("state after recording: path %v, sha256 %v, size %v; want %s, %v, %v",
			values["path"], values["sha256"], values["size"], filePath, before["sha256"], before["size"])
	}
	wantMarked := any(true)
	if newMarking {
		wantMarked = nil
	}
	if values["marked"] != wantMarked {
		t.Errorf("marked in state = %v after recording (a new marking: %v)", values["marked"], newMarking)
	}
	if _, err := os.Stat(filePath); err == nil {
		t.Errorf("a file appeared at %s, though there was nothing to write", filePath)
	}
}

// While Akool serves the image, a rename or a new marking planned with an
// intact copy applies where the copy is gone or was edited: the image is
// downloaded again to the path the plan gives it, and marked as it says.
func TestAccImageFile_savedPlanAppliedWithoutTheCopy(t *testing.T) {
	_, url := newTestEmulator(t)
	for _, c := range []savedPlanCase{
		{name: "rename, copy gone at apply", renamed: true, headline: "First",
			before: savedPlanUnchanged, after: savedPlanRemove},
		{name: "rename, copy edited at apply", renamed: true, headline: "First",
			before: savedPlanUnchanged, after: savedPlanEdit, applySays: []string{"Image File Kept"}},
		{name: "new marking, copy gone at apply", headline: "Second",
			before: savedPlanUnchanged, after: savedPlanRemove},
		{name: "new marking, copy edited at apply", headline: "Second",
			before: savedPlanUnchanged, after: savedPlanEdit, applySays: []string{"Image File Set Aside"}},
		{name: "rename, copy back at apply", renamed: true, headline: "First",
			before: savedPlanAside, after: savedPlanBack},
		{name: "new marking, copy back at apply", headline: "Second",
			before: savedPlanAside, after: savedPlanBack},
	} {
		t.Run(c.name, func(t *testing.T) {
			dest := filepath.Join(t.TempDir(), "hero.png")
			h := newAppliedHarness(t, savedPlanConfig(url, dest, "First"))
			runSavedPlan(t, h, url, dest, c)
		})
	}
}

// A fresh runner after Akool's 7 days plans a rename or a new marking that
// records it without writing (there is nothing to write from); applied
// where the copy is back, the copy is moved or marked, and applied where it
// is still missing, the change is recorded with the plan's warning. Uses
// the emulator's clock to expire the URL.
func TestAccImageFile_savedPlanFromFreshRunnerAfterExpiry_emulatorClock(t *testing.T) {
	for _, c := range []savedPlanCase{
		{name: "rename, copy back at apply", renamed: true, headline: "First", after: savedPlanBack},
		{name: "new marking, copy back at apply", headline: "Second", after: savedPlanBack},
		{name: "rename and new marking, copy back at apply", renamed: true, headline: "Second", after: savedPlanBack},
		{name: "rename, copy still missing at apply", renamed: true, headline: "First", after: savedPlanUnchanged,
			recorded: true, applySays: []string{"Local Image File Cannot Be Restored"}},
		{name: "new marking, copy still missing at apply", headline: "Second", after: savedPlanUnchanged,
			recorded: true, applySays: []string{"Local Image File Cannot Be Restored"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e, url := newTestEmulator(t)
			dest := filepath.Join(t.TempDir(), "hero.png")
			h := clockHarness(t, e, savedPlanConfig(url, dest, "First"))
			h.mustApply()
			e.Clock().Advance(7*24*time.Hour + time.Hour)
			c.before, c.planSays = savedPlanAside, []string{"Local Image File Cannot Be Restored"}
			runSavedPlan(t, h, url, dest, c)
		})
	}
}

// A marking recorded on a fresh runner after Akool's 7 days is written once
// the copy is back. A plan that changes something else (the timeouts),
// made while the copy is still missing, leaves the file alone, and so does
// its apply where the copy is back; the next plan writes the marking. Uses
// the emulator's clock to expire the URL.
func TestAccImageFile_savedPlanBesideRecordedMarking_emulatorClock(t *testing.T) {
	e, url := newTestEmulator(t)
	dest := filepath.Join(t.TempDir(), "hero.png")
	h := clockHarness(t, e, savedPlanConfig(url, dest, "First"))
	h.mustApply()
	e.Clock().Advance(7*24*time.Hour + time.Hour)
	savedPlanAside(t, dest)
	h.writeConfig(savedPlanConfig(url, dest, "Second"))
	h.mustApply()
	if marked := h.resource(testImageFileAddr).AttributeValues["marked"]; marked != nil {
		t.Fatalf("marked = %v after the marking was recorded without a file, want null", marked)
	}

	h.writeConfig(strings.Replace(savedPlanConfig(url, dest, "Second"), "path = ", "timeouts {\n    update = \"9m\"\n  }\n  path = ", 1))
	h.mustRun("plan", "-input=false", "-out=saved.tfplan")
	savedPlanBack(t, dest)
	if res := h.run("apply", "-input=false", "saved.tfplan"); res.exitCode != 0 {
		t.Fatalf("apply of the saved plan: exit %d:\n%s", res.exitCode, res.output())
	}
	if marked := h.resource(testImageFileAddr).AttributeValues["marked"]; marked != nil {
		t.Errorf("marked = %v after the saved plan, which did not write the file, want null", marked)
	}
	h.mustApply()
	expectSavedPlanFile(t, h, dest, "Second")
	h.expectNoChanges("after the marking was written")
}

// A file put at the path after the plan was made, which the plan did not
// see, is set aside, not written over, by an update that writes the file
// there (a new marking, a new url): the plan did not say that it would be
// overwritten, and it may be the only copy of a picture. Once set aside,
// the next plan changes nothing.
func TestAccImageFile_savedPlanSetsAsideFileChangedAfterPlan(t *testing.T) {
	_, url := newTestEmulator(t)
	for _, c := range []struct {
		name   string
		config func(url, dest string) string
	}{
		{"new marking", func(url, dest string) string { return savedPlanConfig(url, dest, "Second") }},
		{"new url", func(url, dest string) string {
			return strings.Replace(savedPlanConfig(url, dest, "First"), "at sunrise", "at dusk", 1)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dest := filepath.Join(t.TempDir(), "hero.png")
			h := newAppliedHarness(t, savedPlanConfig(url, dest, "First"))
			h.writeConfig(c.config(url, dest))
			h.mustRun("plan", "-input=false", "-out=saved.tfplan")
			mine := localcopytest.Picture(t, "png", 17, 9) // a picture of the user's own
			if err := os.WriteFile(dest, mine, 0o644); err != nil {
				t.Fatal(err)
			}
			res := h.run("apply", "-input=false", "saved.tfplan")
			if res.exitCode != 0 {
				t.Fatalf("apply of the saved plan: exit %d:\n%s", res.exitCode, res.output())
			}
			aside := localcopy.SetAsidePath(dest, localcopytest.SHA256Hex(mine))
			res.expectMentions(t, "apply of the saved plan", "Image File Set Aside", aside)
			expectHolds(t, "after the apply", aside, mine)
			if values := h.resource(testImageFileAddr).AttributeValues; values["sha256"] != localcopytest.SHA256Hex(mustReadFile(t, dest)) {
				t.Errorf("sha256 in state %v is not the file's at %s", values["sha256"], dest)
			}
			h.expectNoChanges("after the file was set aside")
		})
	}
}

// A restore planned while Akool served the image (the copy missing) and
// applied after the URL expired writes nothing and succeeds with a warning,
// as the same change planned then would: the apply does not fail on what
// nobody can fix, and the next plan changes nothing. Uses the emulator's
// clock to expire the URL.
func TestAccImageFile_savedPlanRestoreAfterExpiry_emulatorClock(t *testing.T) {
	e, url := newTestEmulator(t)
	dest := filepath.Join(t.TempDir(), "hero.png")
	h := clockHarness(t, e, savedPlanConfig(url, dest, "First"))
	h.mustApply()
	before := h.resource(testImageFileAddr).AttributeValues
	savedPlanRemove(t, dest)
	plan := h.mustRun("plan", "-input=false", "-out=saved.tfplan")
	plan.expectMentions(t, "plan", "Local Image File Will Be Restored")
	e.Clock().Advance(7*24*time.Hour + time.Hour)
	res := h.run("apply", "-input=false", "saved.tfplan")
	if res.exitCode != 0 {
		t.Fatalf("apply of the saved restore after expiry: exit %d:\n%s", res.exitCode, res.output())
	}
	res.expectMentions(t, "apply of the saved plan", "Local Image File Cannot Be Restored", "Nothing was written.")
	expectSavedPlanRecorded(t, h, dest, before, false)
	h.expectNoChanges("after the restore that could not be made")
}

// A rename planned with the copy on disk and applied on a runner without it
// while the image host fails (HTTP 503): whether the URL still serves is
// unknown, so the apply fails for the file and records nothing, instead of
// recording the new path as if the picture were lost; once the host
// answers again, the next apply downloads it to the new path.
func TestAccImageFile_savedPlanHostDownFailsAndRecordsNothing(t *testing.T) {
	picture := localcopytest.Picture(t, "png", 30, 20)
	srv, srvURL := newImageFileCountingServer(t, map[string][]byte{"/a.png": picture})
	dir := t.TempDir()
	first, second := filepath.Join(dir, "first.png"), filepath.Join(dir, "second.png")
	h := newAppliedHarness(t, testAccImageFileConfig(srvURL+"/a.png", first))
	h.writeConfig(testAccImageFileConfig(srvURL+"/a.png", second))
	h.mustRun("plan", "-input=false", "-out=saved.tfplan")
	savedPlanRemove(t, first)
	srv.setDown(true)
	res := h.run("apply", "-input=false", "saved.tfplan")
	if res.exitCode == 0 {
		t.Fatalf("apply of the saved rename while the image host fails: exit 0, want an error:\n%s", res.output())
	}
	res.expectMentions(t, "apply while the host fails", "Unable to Reach Image URL", "could not be checked", "503")
	if res.mentions("Cannot Be Restored") || res.mentions("-replace") {
		t.Errorf("the apply calls a picture that may still be served lost:\n%s", res.output())
	}
	if got := h.resource(testImageFileAddr).AttributeValues["path"]; got != first {
		t.Errorf("path in state after the failed apply = %v, want %s (nothing recorded)", got, first)
	}
	srv.setDown(false)
	h.mustApply()
	data, err := os.ReadFile(second)
	if err != nil {
		t.Fatalf("after the host is back, no file at the new path: %v", err)
	}
	sum := sha256.Sum256(data)
	if got := h.resource(testImageFileAddr).AttributeValues["sha256"]; got != hex.EncodeToString(sum[:]) {
		t.Errorf("after the host is back, state sha256 %v is not the file's %x", got, sum)
	}
	h.expectNoChanges("after the download to the new path")
}
