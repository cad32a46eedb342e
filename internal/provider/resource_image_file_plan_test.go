package provider

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/akool-community/terraform-provider-akool/internal/localcopy/localcopytest"
)

// A path that cannot be written fails the plan, before the image it would
// keep is generated: a file where a folder must be, and a folder where the
// file must be.
func TestAccImageFile_unwritablePathFailsPlan_emulatorCounted(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	dir := t.TempDir()
	blocker := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(blocker, []byte("a file, not a folder"), 0o644); err != nil {
		t.Fatal(err)
	}
	folder := filepath.Join(dir, "already-a-folder")
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	accTest(t, []tfresource.TestStep{
		{
			Config:      testAccImageFileWithImageConfig(url, filepath.Join(blocker, "images", "hero.png")),
			PlanOnly:    true,
			ExpectError: errorPattern("Unable to Write Image File", blocker+" is a file, so the folder", "Nothing was downloaded, and nothing is generated"),
		},
		{
			Config:      testAccImageFileWithImageConfig(url, folder),
			PlanOnly:    true,
			ExpectError: errorPattern("Unable to Write Image File", "it is a folder"),
		},
	})
	if c := e.Counters(); c.CreateAttempts != 0 {
		t.Errorf("create attempts = %d, want 0: the plan must fail before any generation", c.CreateAttempts)
	}
	if entries, _ := os.ReadDir(folder); len(entries) != 0 {
		t.Errorf("the plan created %d entries in %s; it must only look", len(entries), folder)
	}
}

// Destroy leaves a file whose content is no longer the one the resource
// wrote: it may be the only copy of something else.
func TestAccImageFile_destroyKeepsChangedFile(t *testing.T) {
	t.Parallel()
	_, srvURL := newImageFileCountingServer(t, map[string][]byte{"/a.png": localcopytest.Picture(t, "png", 16, 16)})
	dest := filepath.Join(t.TempDir(), "hero.png")
	mine := []byte("my own edit of the picture")
	accTestCase(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			got, err := os.ReadFile(dest)
			if err != nil || !bytes.Equal(got, mine) {
				return fmt.Errorf("destroy did not keep the changed file: %q, %w", got, err)
			}
			return nil
		},
		Steps: []tfresource.TestStep{
			{Config: testAccImageFileConfig(srvURL+"/a.png", dest)},
			{
				// Changed after the apply; the plan would restore it, but
				// the destroy that follows must not delete it.
				PreConfig:          func() { _ = os.WriteFile(dest, mine, 0o644) },
				Config:             testAccImageFileConfig(srvURL+"/a.png", dest),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

// With create_before_destroy, the replacing object writes the path before
// the replaced one is deleted; that delete leaves the new file alone, and
// says nothing about it: the file is the replacement's own. The lifecycle is
// set on the resource, then inherited from a resource that depends on it;
// the replacement keeps the URL (same bytes) or takes a new one.
func TestAccImageFile_createBeforeDestroyKeepsNewFile(t *testing.T) {
	t.Parallel()
	images := map[string][]byte{"/a.png": localcopytest.Picture(t, "png", 24, 24), "/b.png": localcopytest.Picture(t, "png", 12, 30)}
	_, srvURL := newImageFileCountingServer(t, images)
	dest := filepath.Join(t.TempDir(), "hero.png")
	const address = "akool_image_file.copy"
	own := func(name string) string {
		return testAccProviderConfig("http://127.0.0.1:1") + fmt.Sprintf(`
resource "akool_image_file" "copy" {
  url  = "%s%s"
  path = %q
  lifecycle {
    create_before_destroy = true
  }
}
`, srvURL, name, dest)
	}
	inherited := func(name string) string {
		return testAccProviderConfig("http://127.0.0.1:1") + fmt.Sprintf(`
resource "akool_image_file" "copy" {
  url  = "%s%s"
  path = %q
}
resource "terraform_data" "upload" {
  triggers_replace = akool_image_file.copy.sha256
  lifecycle {
    create_before_destroy = true
  }
}
`, srvURL, name, dest)
	}
	h := newHarness(t, own("/a.png"))
	h.mustApply()
	for _, step := range []struct{ config, image string }{
		{own("/a.png"), "/a.png"},
		{own("/b.png"), "/b.png"},
		{inherited("/b.png"), "/b.png"},
		{inherited("/a.png"), "/a.png"},
	} {
		h.writeConfig(step.config)
		res := h.mustRun("apply", "-auto-approve", "-input=false", "-replace="+address)
		if !res.mentions(address+": Creating...") || !res.mentions(address+" (deposed object") {
			t.Errorf("the apply did not replace %s create before destroy:\n%s", address, res.output())
		}
		for _, unwanted := range []string{"Image File Kept", "by hand", "Warning:"} {
			if res.mentions(unwanted) {
				t.Errorf("replacing %s with %s says %q about the replacement's own file:\n%s", address, step.image, unwanted, res.output())
			}
		}
		if err := fileHolds(dest, images[step.image]); err != nil {
			t.Errorf("after replacing %s with %s: %v", address, step.image, err)
		}
	}
	h.mustRun("destroy", "-auto-approve", "-input=false")
	if _, err := os.Stat(dest); err == nil {
		t.Errorf("destroy left %s in place", dest)
	}
}

// A plan that restores a changed or missing local copy says why.
func TestAccImageFile_restoreSaysWhy(t *testing.T) {
	t.Parallel()
	_, srvURL := newImageFileCountingServer(t, map[string][]byte{"/a.png": localcopytest.Picture(t, "png", 20, 10)})
	dest := filepath.Join(t.TempDir(), "kept", "hero.png")
	h := newHarness(t, testAccImageFileConfig(srvURL+"/a.png", dest))
	h.mustRun("apply", "-auto-approve", "-input=false")

	if err := os.WriteFile(dest, []byte("edited by hand"), 0o644); err != nil {
		t.Fatal(err)
	}
	res := h.mustRun("plan", "-input=false")
	for _, want := range []string{"Local Image File Will Be Restored",
		"the file at " + dest + " changed since the last apply; it will be overwritten from the image URL"} {
		if !res.mentions(want) && !res.mentions(capitalize(want)) {
			t.Errorf("plan output does not mention %q:\n%s", want, res.output())
		}
	}

	if err := os.Remove(dest); err != nil {
		t.Fatal(err)
	}
	res = h.mustRun("plan", "-input=false")
	if want := "The file at " + dest + " is missing since the last apply; it will be downloaded again from the image URL"; !res.mentions(want) {
		t.Errorf("plan output does not mention %q:\n%s", want, res.output())
	}
}

// A write that fails after the plan (the folder became a file meanwhile)
// keeps the image and says that fixing the path spends nothing.
func TestImageFileDownload_writeFailureKeepsImage(t *testing.T) {
	body := localcopytest.Picture(t, "png", 8, 8)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	blocker := filepath.Join(t.TempDir(), "not-a-directory")
	if err := os.WriteFile(blocker, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := &imageFileResource{configuredResource{data: &providerData{imageClient: srv.Client()}}}
	plan := imageFileResourceModel{URL: types.StringValue(srv.URL + "/a.png"), Path: types.StringValue(filepath.Join(blocker, "hero.png"))}
	limit := func(context.Context, time.Duration) (time.Duration, diag.Diagnostics) { return time.Minute, nil }
	diags := r.write(context.Background(), limit, &plan, imageFileWrite{})
	if !diags.HasError() {
		t.Fatal("download into a path under a file succeeded; want an error")
	}
	got := diags[0].Summary() + ": " + diags[0].Detail()
	for _, want := range []string{"Unable to Write Image File", "not-a-directory", "The image itself is kept", "spends no credits"} {
		if !strings.Contains(got, want) {
			t.Errorf("diagnostic %q does not say %q", got, want)
		}
	}
}
