package provider

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/akool-community/terraform-provider-akool/internal/imagemeta"
	"github.com/akool-community/terraform-provider-akool/internal/localcopy/localcopytest"
)

// The only copy of a picture survives every change of an akool_image_file:
// a new path, a new url (a regeneration, which may fail), and another
// spelling of the same path.

var sha256Pattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// expectFileHolds checks that the file at filePath holds exactly *want.
func expectFileHolds(filePath string, want *[]byte) statecheck.StateCheck {
	return imageFileStateCheck(func(context.Context, *tfjson.State) error {
		return fileHolds(filePath, *want)
	})
}

// fileHolds checks that the file at filePath holds want, or want with the
// marking the provider writes into the images it saves.
func fileHolds(filePath string, want []byte) error {
	got, err := os.ReadFile(filePath)
	if err != nil {
		return fmt.Errorf("reading %s: %w", filePath, err)
	}
	if imagemeta.Marked(got) && !imagemeta.Marked(want) {
		got, err = imagemeta.Remove(got)
	}
	if err != nil || !bytes.Equal(got, want) {
		return fmt.Errorf("%s holds %d bytes that are not the %d expected", filePath, len(got), len(want))
	}
	return nil
}

// emulatorImageDownloads counts the image URLs the emulator served.
func emulatorImageDownloadsCheck(count func() int, want *int) statecheck.StateCheck {
	return expectCountStateCheck("emulator image downloads", count, want)
}

// A new path after Akool stopped serving the URL moves the verified local
// copy; with neither a verified copy nor the URL, the plan fails and nothing
// is touched. Uses the emulator's clock to expire the URL.
func TestAccImageFile_moveAfterExpiry_emulatorClock(t *testing.T) {
	e, baseURL := newTestEmulator(t)
	dir := t.TempDir()
	first := filepath.Join(dir, "first", "hero.png")
	second := filepath.Join(dir, "second", "hero.png")
	third := filepath.Join(dir, "third", "hero.png")
	sameSHA := sameValue(testImageFileAddr, "sha256")
	downloads := func() int { return e.Counters().ImageDownloads }
	var served []byte
	edited := []byte("a picture edited by hand")
	var kept []byte // the copy as written, which the user's own storage keeps
	wantDownloads := 0

	expiredImageFileTest(t, third, []tfresource.TestStep{
		{
			Config:            testAccImageFileWithImageConfig(baseURL, first),
			ConfigStateChecks: []statecheck.StateCheck{sameSHA(), expectImageFileMatchesURL(&served)},
		},
		{
			// Past Akool's 7 days: the copy moves, nothing is downloaded.
			// The plan leaves the checksum unknown (the apply decides from
			// its own disk how to write), and the apply keeps it.
			PreConfig: func() {
				e.Clock().Advance(7*24*time.Hour + time.Hour)
				wantDownloads = downloads()
			},
			Config: testAccImageFileWithImageConfig(baseURL, second),
			ConfigPlanChecks: preApply(
				plansUpdate(testImageFileAddr),
				plansNoop(testGeneratedImageAddr),
				plansUnknown(testImageFileAddr, "sha256"),
				plansString(testImageFileAddr, "id", second),
			),
			ConfigStateChecks: []statecheck.StateCheck{
				sameSHA(),
				expectString(testImageFileAddr, "path", second),
				expectString(testImageFileAddr, "id", second),
				expectFileHolds(second, &served),
				expectNoImageFile(first),
				emulatorImageDownloadsCheck(downloads, &wantDownloads),
				expectGeneratedOnce(e),
			},
		},
		{
			// The copy was changed by hand and the URL no longer serves:
			// there is nothing to move, so the plan fails.
			PreConfig: func() {
				var err error
				if kept, err = os.ReadFile(second); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(second, edited, 0o644); err != nil {
					t.Fatal(err)
				}
			},
			Config:      testAccImageFileWithImageConfig(baseURL, third),
			PlanOnly:    true,
			ExpectError: errorPattern("Unable to Move Image File", second, "HTTP 404", "Nothing was moved or deleted"),
		},
		{
			// The failed plan touched nothing; once the copy is restored,
			// it moves.
			PreConfig: func() {
				if err := fileHolds(second, edited); err != nil {
					t.Errorf("after the failed plan: %v", err)
				}
				wantDownloads = downloads() // the failed plan's checks of the URL
				if _, err := os.Stat(third); err == nil {
					t.Errorf("the failed plan wrote %s", third)
				}
				if err := os.WriteFile(second, kept, 0o644); err != nil {
					t.Fatal(err)
				}
			},
			Config: testAccImageFileWithImageConfig(baseURL, third),
			ConfigStateChecks: []statecheck.StateCheck{
				sameSHA(),
				expectFileHolds(third, &served),
				expectNoImageFile(second),
				emulatorImageDownloadsCheck(downloads, &wantDownloads),
			},
		},
	})
}

// A new path while the URL serves and the local copy is gone downloads the
// image to the new path; an intact copy is moved without a download.
func TestAccImageFile_moveWhileServed(t *testing.T) {
	body := localcopytest.Picture(t, "png", 10, 10)
	srv, srvURL := newImageFileCountingServer(t, map[string][]byte{"/a.png": body})
	dir := t.TempDir()
	first, second, third := filepath.Join(dir, "1.png"), filepath.Join(dir, "2.png"), filepath.Join(dir, "3.png")
	requests := 1
	imageFileTest(t, third, []tfresource.TestStep{
		{Config: testAccImageFileConfig(srvURL+"/a.png", first)},
		{
			Config:           testAccImageFileConfig(srvURL+"/a.png", second),
			ConfigPlanChecks: preApply(plansUpdate(testImageFileAddr)),
			ConfigStateChecks: []statecheck.StateCheck{
				expectCountStateCheck("image server requests", srv.total, &requests),
				expectFileHolds(second, &body),
				expectNoImageFile(first),
			},
		},
		{
			PreConfig: func() {
				if err := os.Remove(second); err != nil {
					t.Fatal(err)
				}
			},
			Config:            testAccImageFileConfig(srvURL+"/a.png", third),
			ConfigPlanChecks:  preApply(plansUpdate(testImageFileAddr), plansUnknown(testImageFileAddr, "sha256")),
			ConfigStateChecks: []statecheck.StateCheck{expectFileHolds(third, &body)},
		},
	})
}

// regenerationConfig generates an image from prompt with the given
// triggers value and create timeout, and keeps a copy at dest.
func regenerationConfig(baseURL, prompt, trigger, createTimeout, dest string) string {
	return testAccProviderConfig(baseURL) + fmt.Sprintf(`
resource "akool_generated_image" "hero" {
  prompt   = %q
  triggers = { version = %q }
  timeouts {
    create = %q
  }
}

resource "akool_image_file" "hero" {
  url  = akool_generated_image.hero.image_url
  path = %q
}
`, prompt, trigger, createTimeout, dest)
}

// A deliberate regeneration whose new job fails, or does not finish within
// its timeout, leaves the old file on disk; the apply that finally gets a
// new picture writes it over the old one. Uses the emulator's clock to
// finish the slow job.
func TestAccImageFile_failedRegenerationKeepsFile_emulatorClock(t *testing.T) {
	e, baseURL := newTestEmulator(t)
	dest := filepath.Join(t.TempDir(), "hero.png")
	const prompt = "A lighthouse on a cliff at sunrise"
	var first, second []byte
	urlUpdate := preApply(
		plansUpdate(testImageFileAddr),
		plansUnknown(testImageFileAddr, "url"),
		plansUnknown(testImageFileAddr, "sha256"),
	)
	stillHolds := func(want *[]byte) func() {
		return func() {
			if err := fileHolds(dest, *want); err != nil {
				t.Errorf("after the failed regeneration: %v", err)
			}
		}
	}
	differs := func(old *[]byte) statecheck.StateCheck {
		return imageFileStateCheck(func(context.Context, *tfjson.State) error {
			if fileHolds(dest, *old) == nil {
				return fmt.Errorf("%s still holds the old picture", dest)
			}
			return nil
		})
	}

	imageFileTest(t, dest, []tfresource.TestStep{
		{
			Config:            regenerationConfig(baseURL, prompt, "1", "1m", dest),
			ConfigStateChecks: []statecheck.StateCheck{expectImageFileMatchesURL(&first)},
		},
		{
			// A prompt change whose job fails.
			Config:           regenerationConfig(baseURL, prompt+" [fail]", "1", "1m", dest),
			ConfigPlanChecks: preApply(plansReplace(testGeneratedImageAddr), plansUpdate(testImageFileAddr)),
			ExpectError:      errorPattern("Image Generation Failed"),
		},
		{
			PreConfig:         stillHolds(&first),
			Config:            regenerationConfig(baseURL, prompt+" at dusk", "1", "1m", dest),
			ConfigPlanChecks:  urlUpdate,
			ConfigStateChecks: []statecheck.StateCheck{expectImageFileMatchesURL(&second), differs(&first)},
		},
		{
			// A triggers bump whose job outlasts its create timeout: the
			// file's url is null at apply, so it keeps its copy (and
			// records url = null) until the job finishes.
			PreConfig: func() { e.SetJobTime(time.Hour, time.Hour) },
			Config:    regenerationConfig(baseURL, prompt+" at dusk", "2", "2s", dest),
			ConfigPlanChecks: preApply(
				plansReplace(testGeneratedImageAddr),
				plansUpdate(testImageFileAddr),
			),
			ConfigStateChecks:  []statecheck.StateCheck{expectNull(testImageFileAddr, "url"), expectFileHolds(dest, &second)},
			ExpectNonEmptyPlan: true, // the unfinished job is waited for again
		},
		{
			// The next apply finishes the same job and writes its picture.
			PreConfig: func() {
				stillHolds(&second)()
				e.Clock().Advance(3 * time.Hour)
			},
			Config: regenerationConfig(baseURL, prompt+" at dusk", "2", "2s", dest),
			// The refresh already sees the finished job, so the url is known.
			ConfigPlanChecks:  preApply(plansUpdate(testImageFileAddr), plansUnknown(testImageFileAddr, "sha256")),
			Check:             expectCreates(e, 4),
			ConfigStateChecks: []statecheck.StateCheck{expectImageFileMatchesURL(nil), differs(&second)},
		},
	})
}

// An import under another spelling of the configured path adopts the file
// in place: no replacement, no download, nothing deleted, even after the URL
// expired. Uses the emulator's clock; changes the working directory, as
// relative paths are relative to it.
func TestAccImageFile_importOtherSpelling_emulatorClock(t *testing.T) {
	e, baseURL := newTestEmulator(t)
	dir := t.TempDir()
	t.Chdir(dir)
	configured := "${path.module}/out/a.png" // ./out/a.png in the root module
	absolute := filepath.Join(dir, "out", "a.png")
	config := testAccImageFileWithImageConfig(baseURL, configured)
	forgotten := testAccProviderConfig(baseURL) + `
resource "akool_generated_image" "hero" {
  prompt = "A lighthouse on a cliff at sunrise"
  scale  = "16:9"
}
` + removedBlock(testImageFileAddr)
	downloads := func() int { return e.Counters().ImageDownloads }
	wantDownloads := 0
	var served []byte
	adopt := func(id string) []tfresource.TestStep {
		return []tfresource.TestStep{
			{Config: forgotten},
			{
				PreConfig: func() { wantDownloads = downloads() },
				Config:    config + fmt.Sprintf("\nimport {\n  to = %s\n  id = %q\n}\n", testImageFileAddr, id),
				ConfigPlanChecks: settledPlan(
					plansUpdate(testImageFileAddr),
					plansValue(testImageFileAddr, "sha256", knownvalue.StringRegexp(sha256Pattern)),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					expectString(testImageFileAddr, "path", "./out/a.png"),
					expectFileHolds(absolute, &served),
					emulatorImageDownloadsCheck(downloads, &wantDownloads),
				},
			},
			{Config: config, PlanOnly: true},
		}
	}
	steps := []tfresource.TestStep{{
		Config: config,
		ConfigStateChecks: []statecheck.StateCheck{
			expectImageFileMatchesURL(&served),
			expectFileHolds(absolute, &served),
		},
	}, {
		PreConfig: func() { e.Clock().Advance(7*24*time.Hour + time.Hour) },
		Config:    config,
		PlanOnly:  true,
	}}
	steps = append(steps, adopt("out/a.png")...)
	steps = append(steps, adopt(absolute)...)
	steps = append(steps, adopt(filepath.Join(dir, "out", "..", "out", "a.png"))...)
	expiredImageFileTest(t, absolute, steps)
}

// The plan of each kind of update: what it writes, how, and what it says.
func TestImageFilePlanWrite(t *testing.T) {
	content := localcopytest.Picture(t, "png", 2, 2)
	_, srvURL := newImageFileCountingServer(t, map[string][]byte{"/ok.png": content})
	dir := t.TempDir()
	intact, edited := filepath.Join(dir, "intact.png"), filepath.Join(dir, "edited.png")
	if err := os.WriteFile(intact, content, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(edited, []byte("edited by hand"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := &imageFileResource{}
	for _, tc := range []struct {
		name              string
		stateURL, oldPath string
		planURL, newPath  string
		write, download   bool
		summary           string // of the one diagnostic expected, or ""
		afterRefresh      bool   // the edit was made after the refresh: not found changed
	}{
		{"timeouts only", "/ok.png", intact, "/ok.png", intact, false, false, "", false},
		{"another spelling", "/ok.png", intact, "/ok.png", filepath.Join(dir, ".", "intact.png"), false, false, "", false},
		{"new url", "/ok.png", intact, "/new.png", intact, true, true, "", false},
		{"new url over an edit", "/ok.png", edited, "/new.png", edited, true, true, "Local Image File Will Be Overwritten", false},
		{"new url over an edit made after the refresh", "/ok.png", edited, "/new.png", edited, true, true, "Local Image File Will Be Set Aside", true},
		{"move an intact copy, URL gone", "/gone.png", intact, "/gone.png", filepath.Join(dir, "moved.png"), true, false, "", false},
		{"move an edit, URL serves", "/ok.png", edited, "/ok.png", filepath.Join(dir, "moved.png"), true, true, "", false},
		{"move an edit, URL gone", "/gone.png", edited, "/gone.png", filepath.Join(dir, "moved.png"), false, false, "Unable to Move Image File", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			state := testImageFileState(srvURL+tc.stateURL, tc.oldPath, content)
			plan := testImageFileState(srvURL+tc.planURL, tc.newPath, content)
			var diags diag.Diagnostics
			write, download := r.planWrite(t.Context(), state, plan, nil, tc.oldPath == edited && !tc.afterRefresh, &diags)
			if write != tc.write || download != tc.download {
				t.Errorf("planWrite = write %v, download %v; want %v, %v", write, download, tc.write, tc.download)
			}
			switch {
			case tc.summary == "" && len(diags) != 0:
				t.Errorf("unexpected diagnostics: %v", diags)
			case tc.summary != "" && (len(diags) != 1 || diags[0].Summary() != tc.summary):
				t.Errorf("diagnostics = %v, want one %q", diags, tc.summary)
			}
		})
	}
}
