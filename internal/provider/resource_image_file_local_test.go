package provider

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/akool-community/terraform-provider-akool/internal/localcopy/localcopytest"
)

// testImageFileState is a state of akool_image_file for the file at path,
// recorded as holding content.
func testImageFileState(url, filePath string, content []byte) imageFileResourceModel {
	return imageFileResourceModel{
		ID:          types.StringValue(filePath),
		URL:         types.StringValue(url),
		Path:        types.StringValue(filePath),
		SHA256:      types.StringValue(localcopytest.SHA256Hex(content)),
		Size:        types.Int64Value(int64(len(content))),
		ContentType: types.StringValue("image/png"),
		Width:       types.Int64Value(2),
		Height:      types.Int64Value(2),
		Timeouts: timeouts.Value{Object: types.ObjectNull(map[string]attr.Type{
			"create": types.StringType, "update": types.StringType,
		})},
	}
}

func TestImageFileCheckLocalCopy(t *testing.T) {
	content := localcopytest.Picture(t, "png", 2, 2)
	srv, srvURL := newImageFileCountingServer(t, map[string][]byte{"/ok.png": content})
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "upstream failure", http.StatusBadGateway)
	}))
	defer broken.Close()
	r, ok := NewImageFileResource().(*imageFileResource)
	if !ok {
		t.Fatalf("NewImageFileResource returned %T", NewImageFileResource())
	}
	ctx := t.Context()
	dir := t.TempDir()

	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	changed := append([]byte(nil), content...)
	changed[len(changed)-1] ^= 0xff

	for _, tc := range []struct {
		name        string
		url         string
		filePath    string
		wantMarker  string // "" for none
		wantLost    string // "" for none
		wantSummary string // "" for no diagnostic
		wantHits    int
	}{
		{"intact copy", srvURL + "/ok.png", write("intact.png", content), "", "", "", 0},
		{"missing, URL serves", srvURL + "/ok.png", filepath.Join(dir, "gone.png"), `{"local":"missing"}`, "", "", 1},
		{"changed, URL serves", srvURL + "/ok.png", write("changed.png", changed), `{"local":"changed"}`, "", "", 1},
		{"missing, URL expired", srvURL + "/expired.png", filepath.Join(dir, "gone.png"), "", `{"local":"missing"}`, "Local Image File Missing and Image No Longer Served", 1},
		{"changed, URL expired", srvURL + "/expired.png", write("changed2.png", changed), "", `{"local":"changed"}`, "Local Image File Changed and Image No Longer Served", 1},
		{"missing, URL failing", broken.URL + "/x.png", filepath.Join(dir, "gone.png"), "", `{"local":"missing"}`, "Local Image File Missing and Image URL Unreachable", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := srv.total()
			marker, lost, diags := r.checkLocalCopy(ctx, testImageFileState(tc.url, tc.filePath, content))
			if diags.HasError() {
				t.Fatalf("errors: %v", diags)
			}
			if string(marker) != tc.wantMarker {
				t.Errorf("marker = %q, want %q", marker, tc.wantMarker)
			}
			if string(lost) != tc.wantLost {
				t.Errorf("lost marker = %q, want %q", lost, tc.wantLost)
			}
			if hits := srv.total() - before; hits != tc.wantHits {
				t.Errorf("the image server saw %d requests, want %d", hits, tc.wantHits)
			}
			if tc.wantSummary == "" {
				if len(diags) != 0 {
					t.Errorf("unexpected diagnostics: %v", diags)
				}
				return
			}
			if len(diags) != 1 || diags[0].Severity() != diag.SeverityWarning || diags[0].Summary() != tc.wantSummary {
				t.Fatalf("diagnostics = %v, want one warning %q", diags, tc.wantSummary)
			}
			detail := diags[0].Detail()
			for _, want := range []string{
				tc.filePath,
				localcopytest.SHA256Hex(content),
				"restore the file from your own storage",
				"terraform apply -replace=",
				"plans no change",
			} {
				if !strings.Contains(detail, want) {
					t.Errorf("warning detail does not mention %q:\n%s", want, detail)
				}
			}
		})
	}

	t.Run("directory at the path", func(t *testing.T) {
		_, _, diags := r.checkLocalCopy(ctx, testImageFileState(srvURL+"/ok.png", dir, content))
		if !diags.HasError() || diags[0].Summary() != "Unable to Read Local Image File" {
			t.Errorf("diagnostics = %v, want the read error", diags)
		}
	})
}

// An existing file is imported by its path: the import reads the file and
// downloads nothing, and the first apply records the URL in place.
func TestAccImageFile_importByPath_emulatorCounted(t *testing.T) {
	e, baseURL := newTestEmulator(t)
	dest := filepath.Join(t.TempDir(), "hero.png")
	config := testAccImageFileWithImageConfig(baseURL, dest)
	downloads := func(want int, when string) func() {
		return func() {
			if c := e.Counters().ImageDownloads; c != want {
				t.Errorf("the emulator served %d image downloads, want %d (%s)", c, want, when)
			}
		}
	}

	accTest(t, []tfresource.TestStep{
		{Config: config},
		{
			ResourceName:      testImageFileAddr,
			ImportState:       true,
			ImportStateId:     dest,
			ImportStateVerify: true,
			// A file cannot tell what it was downloaded from, nor its download's checksum.
			ImportStateVerifyIgnore: []string{"url", "download_sha256", "digital_source_type", "image_created_at"},
		},
		{
			// Forget the resource but keep the file, as a new
			// configuration adopting an existing file starts.
			Config: testAccProviderConfig(baseURL) + `
resource "akool_generated_image" "hero" {
  prompt = "A lighthouse on a cliff at sunrise"
  scale  = "16:9"
}

removed {
  from = akool_image_file.hero
  lifecycle {
    destroy = false
  }
}
`,
		},
		{
			PreConfig: downloads(1, "before the import"),
			Config:    config + fmt.Sprintf("\nimport {\n  to = %s\n  id = %q\n}\n", testImageFileAddr, dest),
			ConfigPlanChecks: settledPlan(
				plansUpdate(testImageFileAddr),
				plansValue(testImageFileAddr, "sha256", knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f]{64}$`))),
			),
			ConfigStateChecks: []statecheck.StateCheck{
				expectSameAs(testImageFileAddr, "url", testGeneratedImageAddr, "image_url"),
			},
		},
		{
			PreConfig: downloads(1, "after the import"),
			Config:    config,
			PlanOnly:  true,
		},
	})
}

func TestAccImageFile_importMissingFile(t *testing.T) {
	_, baseURL := newTestEmulator(t)
	dest := filepath.Join(t.TempDir(), "hero.png")
	accTest(t, []tfresource.TestStep{{
		Config:        testAccImageFileWithImageConfig(baseURL, dest),
		ResourceName:  testImageFileAddr,
		ImportState:   true,
		ImportStateId: filepath.Join(filepath.Dir(dest), "elsewhere.png"),
		ExpectError:   regexp.MustCompile(`(?s)Cannot Import Image File.*elsewhere\.png.*no file at this path`),
	}})
}

// A path that cannot be written at apply fails with the image kept; fixing
// the path downloads it without a new generation. The plan cannot see the
// problem: the file in the way is written by another resource of the same
// apply (a path blocked before the plan fails the plan instead).
func TestAccImageFile_unwritablePath(t *testing.T) {
	e, baseURL := newTestEmulator(t)
	dir := t.TempDir()
	blocker := filepath.Join(dir, "not-a-directory")
	good := filepath.Join(dir, "hero.png")
	blockedConfig := testAccImageFileWithImageConfig(baseURL, filepath.Join(blocker, "hero.png")) + fmt.Sprintf(`
resource "akool_image_file" "blocker" {
  url  = akool_generated_image.hero.image_url
  path = %q
}
`, blocker)
	blockedConfig = strings.Replace(blockedConfig, "  path = ", "  depends_on = [akool_image_file.blocker]\n  path = ", 1)

	accTest(t, []tfresource.TestStep{
		{
			Config:      blockedConfig,
			ExpectError: regexp.MustCompile(`(?s)Unable to Write Image File.*not-a-directory.*already generated is\s+kept.*spends no\s+credits`),
		},
		{
			// Fixing the path must not generate again.
			Config:            testAccImageFileWithImageConfig(baseURL, good),
			Check:             expectCreates(e, 1),
			ConfigStateChecks: []statecheck.StateCheck{expectImageFileMatchesURL(nil)},
		},
	})
}
