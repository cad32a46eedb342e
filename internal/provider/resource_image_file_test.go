package provider

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/akool-community/terraform-provider-akool/internal/emulator"
	"github.com/akool-community/terraform-provider-akool/internal/imagemeta"
	"github.com/akool-community/terraform-provider-akool/internal/localcopy/localcopytest"
)

const (
	testImageFileAddr      = "akool_image_file.hero"
	testGeneratedImageAddr = "akool_generated_image.hero"
)

// testAccImageFileWithImageConfig generates an image with the emulator and
// keeps a copy of it at dest.
func testAccImageFileWithImageConfig(baseURL, dest string) string {
	return testAccProviderConfig(baseURL) + fmt.Sprintf(`
resource "akool_generated_image" "hero" {
  prompt = "A lighthouse on a cliff at sunrise"
  scale  = "16:9"
}

resource "akool_image_file" "hero" {
  url  = akool_generated_image.hero.image_url
  path = %q
}
`, dest)
}

// testAccImageFileConfig keeps a copy of url at dest. The provider block
// points at a closed port: downloads never talk to Akool.
func testAccImageFileConfig(url, dest string) string {
	return testAccProviderConfig("http://127.0.0.1:1") + fmt.Sprintf(`
resource "akool_image_file" "hero" {
  url  = %q
  path = %q
}
`, url, dest)
}

// imageFileStateCheck adapts a function to statecheck.StateCheck.
type imageFileStateCheck func(ctx context.Context, state *tfjson.State) error

func (f imageFileStateCheck) CheckState(ctx context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	if err := f(ctx, req.State); err != nil {
		resp.Error = err
	}
}

// resourceValues returns the attribute values of address in state.
func resourceValues(state *tfjson.State, address string) (map[string]any, error) {
	if state == nil || state.Values == nil || state.Values.RootModule == nil {
		return nil, errors.New("the state is empty")
	}
	for _, r := range state.Values.RootModule.Resources {
		if r.Address == address {
			return r.AttributeValues, nil
		}
	}
	return nil, fmt.Errorf("%s is not in the state", address)
}

// imageFileTestFetch GETs url with a client of the test's own.
func imageFileTestFetch(ctx context.Context, url string) ([]byte, error) {
	client := &http.Client{Timeout: 10 * time.Second}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return io.ReadAll(resp.Body)
}

// expectImageFileMatchesURL fetches the url of akool_image_file.hero itself
// and checks that the file at path holds exactly those bytes, with the
// marking when marked is true, that download_sha256 describes them, and
// sha256, size, width, height and content_type the file. served, when not
// nil, receives the bytes.
func expectImageFileMatchesURL(served *[]byte) statecheck.StateCheck {
	return imageFileStateCheck(func(ctx context.Context, state *tfjson.State) error {
		values, err := resourceValues(state, testImageFileAddr)
		if err != nil {
			return err
		}
		url, _ := values["url"].(string)
		body, err := imageFileTestFetch(ctx, url)
		if err != nil {
			return err
		}
		if served != nil {
			*served = body
		}
		filePath, _ := values["path"].(string)
		onDisk, err := os.ReadFile(filePath)
		if err != nil {
			return fmt.Errorf("reading the downloaded file: %w", err)
		}
		unmarked := onDisk
		if values["marked"] == true {
			if unmarked, err = imagemeta.Remove(onDisk); err != nil || !imagemeta.Marked(onDisk) {
				return fmt.Errorf("%s is recorded as marked but carries no marking (%w)", filePath, err)
			}
		}
		if !bytes.Equal(unmarked, body) {
			return fmt.Errorf("%s holds %d bytes that differ from the %d bytes %s serves", filePath, len(onDisk), len(body), url)
		}
		cfg, format, err := image.DecodeConfig(bytes.NewReader(body))
		if err != nil {
			return fmt.Errorf("the served bytes: %w", err)
		}
		sum, downloadSum := sha256.Sum256(onDisk), sha256.Sum256(body)
		want := map[string]any{
			"sha256":          hex.EncodeToString(sum[:]),
			"download_sha256": hex.EncodeToString(downloadSum[:]),
			"size":            json.Number(fmt.Sprint(len(onDisk))),
			"width":           json.Number(fmt.Sprint(cfg.Width)),
			"height":          json.Number(fmt.Sprint(cfg.Height)),
			"content_type":    "image/" + format,
		}
		for name, w := range want {
			if got := values[name]; fmt.Sprint(got) != fmt.Sprint(w) {
				return fmt.Errorf("%s.%s = %v, want %v", testImageFileAddr, name, got, w)
			}
		}
		return nil
	})
}

// expectNoImageFile checks that nothing exists at filePath.
func expectNoImageFile(filePath string) statecheck.StateCheck {
	return imageFileStateCheck(func(context.Context, *tfjson.State) error {
		if _, err := os.Stat(filePath); !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("expected no file at %s, stat says %w", filePath, err)
		}
		return nil
	})
}

// expectCountStateCheck checks a number the emulator or a test server counts.
func expectCountStateCheck(name string, got func() int, want *int) statecheck.StateCheck {
	return imageFileStateCheck(func(context.Context, *tfjson.State) error {
		if g := got(); g != *want {
			return fmt.Errorf("%s = %d, want %d", name, g, *want)
		}
		return nil
	})
}

// expectGeneratedOnce asserts that Akool (the emulator) accepted exactly one
// generation: the image file never makes its image again.
func expectGeneratedOnce(e *emulator.Emulator) statecheck.StateCheck {
	return imageFileStateCheck(func(context.Context, *tfjson.State) error {
		if c := e.Counters().Creates; c != 1 {
			return fmt.Errorf("emulator counted %d creates, want 1", c)
		}
		return nil
	})
}

// checkImageFileKept checks that destroy kept the file at filePath: the
// only copy of a picture whose URL no longer serves.
func checkImageFileKept(filePath string) tfresource.TestCheckFunc {
	return func(*terraform.State) error {
		if _, err := os.Stat(filePath); err != nil {
			return fmt.Errorf("destroy deleted %s, the only copy of its picture: %w", filePath, err)
		}
		return nil
	}
}

func checkImageFileDeleted(filePath string) tfresource.TestCheckFunc {
	return func(*terraform.State) error {
		if _, err := os.Stat(filePath); !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("destroy left %s in place (stat: %w)", filePath, err)
		}
		return nil
	}
}

// imageFileTest runs steps against the provider served in-process and
// asserts, once the steps' resources are destroyed, that the copy at dest
// is gone.
func imageFileTest(t *testing.T, dest string, steps []tfresource.TestStep) {
	t.Helper()
	imageFileTestDestroying(t, checkImageFileDeleted(dest), steps)
}

// expiredImageFileTest is imageFileTest for steps that end after Akool
// stopped serving the image: destroy keeps the only copy at dest.
func expiredImageFileTest(t *testing.T, dest string, steps []tfresource.TestStep) {
	t.Helper()
	imageFileTestDestroying(t, checkImageFileKept(dest), steps)
}

// imageFileTestDestroying runs steps and, once their resources are
// destroyed, checkDestroy.
func imageFileTestDestroying(t *testing.T, checkDestroy tfresource.TestCheckFunc, steps []tfresource.TestStep) {
	t.Helper()
	accTestCase(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkDestroy,
		Steps:                    steps,
	})
}

func TestAccImageFile_download_emulatorCounted(t *testing.T) {
	e, baseURL := newTestEmulator(t)
	dest := filepath.Join(t.TempDir(), "images", "campaign", "hero.png")

	imageFileTest(t, dest, []tfresource.TestStep{{
		Config: testAccImageFileWithImageConfig(baseURL, dest),
		ConfigStateChecks: []statecheck.StateCheck{
			expectString(testImageFileAddr, "id", dest),
			expectString(testImageFileAddr, "path", dest),
			expectString(testImageFileAddr, "content_type", "image/png"),
			expectMatch(testImageFileAddr, "sha256", regexp.MustCompile(`^[0-9a-f]{64}$`)),
			expectSameAs(testImageFileAddr, "url", testGeneratedImageAddr, "image_url"),
			expectImageFileMatchesURL(nil),
			expectGeneratedOnce(e),
		},
	}})
}

func TestAccImageFile_restoreBeforeExpiry_emulatorCounted(t *testing.T) {
	e, baseURL := newTestEmulator(t)
	dest := filepath.Join(t.TempDir(), "images", "hero.png")
	sameSHA := sameValue(testImageFileAddr, "sha256")

	restorePlan := preApply(
		plansUpdate(testImageFileAddr),
		plansUnknown(testImageFileAddr, "sha256"),
		plansNoop(testGeneratedImageAddr),
	)
	// A function: each call registers one more value with sameSHA.
	intactCopy := func() []statecheck.StateCheck {
		return []statecheck.StateCheck{
			sameSHA(),
			expectImageFileMatchesURL(nil),
			expectGeneratedOnce(e),
		}
	}

	imageFileTest(t, dest, []tfresource.TestStep{
		{
			Config:            testAccImageFileWithImageConfig(baseURL, dest),
			ConfigStateChecks: intactCopy(),
		},
		{
			// The local copy disappears: the plan downloads it again and
			// leaves the generated image alone.
			PreConfig: func() {
				if err := os.Remove(dest); err != nil {
					t.Fatal(err)
				}
			},
			Config:            testAccImageFileWithImageConfig(baseURL, dest),
			ConfigPlanChecks:  restorePlan,
			ConfigStateChecks: intactCopy(),
		},
		{
			// The local copy is overwritten with other bytes of the same
			// size: the checksum tells, and the plan restores it too.
			PreConfig: func() {
				data := mustReadFile(t, dest)
				for i := len(data) - 64; i < len(data); i++ {
					data[i] ^= 0xff
				}
				if err := os.WriteFile(dest, data, 0o644); err != nil {
					t.Fatal(err)
				}
			},
			Config:            testAccImageFileWithImageConfig(baseURL, dest),
			ConfigPlanChecks:  restorePlan,
			ConfigStateChecks: intactCopy(),
		},
	})
}

func TestAccImageFile_expired_emulatorClock(t *testing.T) {
	e, baseURL := newTestEmulator(t)
	dest := filepath.Join(t.TempDir(), "images", "hero.png")
	sameSHA := sameValue(testImageFileAddr, "sha256")
	var served []byte

	expiredImageFileTest(t, dest, []tfresource.TestStep{
		{
			Config: testAccImageFileWithImageConfig(baseURL, dest),
			ConfigStateChecks: []statecheck.StateCheck{
				sameSHA(),
				expectImageFileMatchesURL(&served),
			},
		},
		{
			// Past Akool's 7 days the URL answers 404. Losing the local
			// copy now must not fail the plan, nor plan a new image.
			PreConfig: func() {
				e.Clock().Advance(7*24*time.Hour + time.Hour)
				// The user's own storage keeps the file as written.
				kept := mustReadFile(t, dest)
				served = kept
				if err := os.Remove(dest); err != nil {
					t.Fatal(err)
				}
			},
			Config: testAccImageFileWithImageConfig(baseURL, dest),
			ConfigPlanChecks: preApply(
				plansNoop(testImageFileAddr),
				plansNoop(testGeneratedImageAddr),
				plansNothing(),
			),
			ConfigStateChecks: []statecheck.StateCheck{
				// Still in state with the checksum of the lost copy.
				sameSHA(),
				expectString(testImageFileAddr, "path", dest),
				expectNoImageFile(dest),
				expectGeneratedOnce(e),
			},
		},
		{
			// The user restores the file from their own storage: the
			// plan stays empty and the copy is accepted as intact.
			PreConfig: func() {
				if err := os.WriteFile(dest, served, 0o644); err != nil {
					t.Fatal(err)
				}
			},
			Config:           testAccImageFileWithImageConfig(baseURL, dest),
			ConfigPlanChecks: emptyPlan(),
			ConfigStateChecks: []statecheck.StateCheck{
				sameSHA(),
				expectGeneratedOnce(e),
			},
		},
	})
}

// imageFileCountingServer serves fixed images by path and counts the requests
// for each.
type imageFileCountingServer struct {
	mu     sync.Mutex
	images map[string][]byte
	hits   map[string]int
	down   bool // every request answers 503 Service Unavailable
}

// setDown makes every request fail with 503 (down) or be served again.
func (s *imageFileCountingServer) setDown(down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = down
}

func newImageFileCountingServer(t *testing.T, images map[string][]byte) (*imageFileCountingServer, string) {
	s := &imageFileCountingServer{images: images, hits: map[string]int{}}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv.URL
}

func (s *imageFileCountingServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.hits[r.URL.Path]++
	body, ok := s.images[r.URL.Path]
	down := s.down
	s.mu.Unlock()
	if down {
		http.Error(w, "the image host is down", http.StatusServiceUnavailable)
		return
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	_, _ = w.Write(body)
}

func (s *imageFileCountingServer) total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, h := range s.hits {
		n += h
	}
	return n
}

func TestAccImageFile_changes(t *testing.T) {
	images := map[string][]byte{
		"/a.png": localcopytest.Picture(t, "png", 30, 20),
		"/b.png": localcopytest.Picture(t, "png", 12, 40),
	}
	srv, srvURL := newImageFileCountingServer(t, images)
	dir := t.TempDir()
	firstPath := filepath.Join(dir, "first", "hero.png")
	secondPath := filepath.Join(dir, "second", "hero.png")
	requests := 1

	imageFileTest(t, secondPath, []tfresource.TestStep{
		{
			Config: testAccImageFileConfig(srvURL+"/a.png", firstPath),
			ConfigPlanChecks: preApply(
				plansString(testImageFileAddr, "id", firstPath),
				plansUnknown(testImageFileAddr, "sha256"),
			),
			ConfigStateChecks: []statecheck.StateCheck{
				expectString(testImageFileAddr, "download_sha256", localcopytest.SHA256Hex(images["/a.png"])),
				expectInt(testImageFileAddr, "width", 30),
				expectInt(testImageFileAddr, "height", 20),
				// One request: the download. The check below fetches too,
				// so it comes after.
				expectCountStateCheck("image server requests", srv.total, &requests),
				expectImageFileMatchesURL(nil),
			},
		},
		{
			// An intact copy is checked against its checksum only: refresh
			// and plan send no request at all.
			PreConfig:        func() { requests = srv.total() },
			Config:           testAccImageFileConfig(srvURL+"/a.png", firstPath),
			ConfigPlanChecks: emptyPlan(),
			ConfigStateChecks: []statecheck.StateCheck{
				expectCountStateCheck("image server requests", srv.total, &requests),
			},
		},
		{
			// Changing only the timeouts updates the state in place
			// without downloading again.
			Config: testAccProviderConfig("http://127.0.0.1:1") + fmt.Sprintf(`
resource "akool_image_file" "hero" {
  url  = %q
  path = %q

  timeouts {
    create = "2m"
    update = "3m"
  }
}
`, srvURL+"/a.png", firstPath),
			ConfigPlanChecks: preApply(
				plansUpdate(testImageFileAddr),
				plansString(testImageFileAddr, "download_sha256", localcopytest.SHA256Hex(images["/a.png"])),
			),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testImageFileAddr, tfjsonpath.New("timeouts").AtMapKey("update"), knownvalue.StringExact("3m")),
				expectCountStateCheck("image server requests", srv.total, &requests),
			},
		},
		{
			// A new URL is downloaded over the file, in place.
			Config: testAccImageFileConfig(srvURL+"/b.png", firstPath),
			ConfigPlanChecks: preApply(
				plansUpdate(testImageFileAddr),
				plansUnknown(testImageFileAddr, "sha256"),
			),
			ConfigStateChecks: []statecheck.StateCheck{
				expectString(testImageFileAddr, "download_sha256", localcopytest.SHA256Hex(images["/b.png"])),
				expectInt(testImageFileAddr, "width", 12),
				expectImageFileMatchesURL(nil),
			},
		},
		{
			// A new path: the file moves, nothing is left at the old path.
			// What describes the file is known after apply, which decides
			// from its own disk how to write it.
			Config: testAccImageFileConfig(srvURL+"/b.png", secondPath),
			ConfigPlanChecks: preApply(
				plansUpdate(testImageFileAddr),
				plansString(testImageFileAddr, "id", secondPath),
				plansUnknown(testImageFileAddr, "download_sha256"),
			),
			ConfigStateChecks: []statecheck.StateCheck{
				expectString(testImageFileAddr, "id", secondPath),
				expectString(testImageFileAddr, "download_sha256", localcopytest.SHA256Hex(images["/b.png"])),
				expectImageFileMatchesURL(nil),
				expectNoImageFile(firstPath),
			},
		},
		{
			// A missing file whose URL answers 404 (not an emulator
			// image at all): a warning, no failure, no change.
			PreConfig: func() {
				if err := os.Remove(secondPath); err != nil {
					t.Fatal(err)
				}
				srv.mu.Lock()
				delete(srv.images, "/b.png")
				srv.mu.Unlock()
			},
			Config:           testAccImageFileConfig(srvURL+"/b.png", secondPath),
			ConfigPlanChecks: emptyPlan(),
			ConfigStateChecks: []statecheck.StateCheck{
				expectString(testImageFileAddr, "download_sha256", localcopytest.SHA256Hex(images["/b.png"])),
				expectNoImageFile(secondPath),
			},
		},
	})
}

func TestAccImageFile_downloadFailure(t *testing.T) {
	srv, srvURL := newImageFileCountingServer(t, map[string][]byte{"/text.png": []byte("not an image")})
	dest := filepath.Join(t.TempDir(), "hero.png")

	accTest(t, []tfresource.TestStep{
		{
			Config:      testAccImageFileConfig(srvURL+"/missing.png", dest),
			ExpectError: regexp.MustCompile(`(?s)Unable to Download Image.*HTTP 404 Not Found.*7 days`),
		},
		{
			Config:      testAccImageFileConfig(srvURL+"/text.png", dest),
			ExpectError: regexp.MustCompile(`(?s)Unable to Download Image.*not an image`),
		},
		{
			PreConfig: func() {
				if _, err := os.Stat(dest); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("a failed download left a file at %s (stat: %v)", dest, err)
				}
				if srv.total() != 2 {
					t.Errorf("the image server saw %d requests, want 2", srv.total())
				}
			},
			Config:   testAccImageFileConfig(srvURL+"/text.png", dest),
			PlanOnly: true,
			// Nothing was created, so the plan still wants to create it.
			ExpectNonEmptyPlan: true,
		},
	})
}

func TestAccImageFile_invalidConfig(t *testing.T) {
	dest := filepath.Join(t.TempDir(), "hero.png")
	var steps []tfresource.TestStep
	for _, bad := range []string{"ftp://cdn.example.com/a.png", "cdn.example.com/a.png", "/images/a.png", "https://"} {
		steps = append(steps, tfresource.TestStep{
			Config:      testAccImageFileConfig(bad, dest),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`Invalid Image URL`),
		})
	}
	steps = append(steps, tfresource.TestStep{
		Config:      testAccImageFileConfig("https://cdn.example.com/a.png", ""),
		PlanOnly:    true,
		ExpectError: regexp.MustCompile(`(?s)path.*at least 1`),
	})
	accTestCase(t, tfresource.TestCase{
		IsUnitTest:               true,
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    steps,
	})
}
