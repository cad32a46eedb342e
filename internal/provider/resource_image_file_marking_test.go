package provider

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/draw"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-framework/types"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	_ "golang.org/x/image/webp" // registers WebP with image.Decode (PNG, JPEG and GIF are registered by the provider)

	"github.com/akool-community/terraform-provider-akool/internal/akool"
	"github.com/akool-community/terraform-provider-akool/internal/emulator"
	"github.com/akool-community/terraform-provider-akool/internal/exiftooltest"
	"github.com/akool-community/terraform-provider-akool/internal/imagemeta"
	"github.com/akool-community/terraform-provider-akool/internal/localcopy/localcopytest"
)

// testAccMarkingConfig generates an image (from source, when not empty) and
// keeps a copy of it at dest that names its job, with marking as the
// attribute's value ("" leaves it out).
func testAccMarkingConfig(baseURL, dest, source, marking string) string {
	sourceLine := ""
	if source != "" {
		sourceLine = fmt.Sprintf("source_image = %q", source)
	}
	markingLine := ""
	if marking != "" {
		markingLine = "marking = " + marking
	}
	return testAccProviderConfig(baseURL) + fmt.Sprintf(`
resource "akool_generated_image" "hero" {
  prompt = "A lighthouse on a cliff at sunrise"
  %s
}

resource "akool_image_file" "hero" {
  url      = akool_generated_image.hero.image_url
  path     = %q
  image_id = akool_generated_image.hero.id
  %s
}
`, sourceLine, dest, markingLine)
}

// expectMarkedFile reads the file of akool_image_file.hero with exiftool
// and checks the tags in want (nil: the tag must be absent); it also checks
// that the file decodes to the pixels its url serves, and that it is the
// download with the marking (or, when unmarked, the download itself).
func expectMarkedFile(t *testing.T, want map[string]any) statecheck.StateCheck {
	return imageFileStateCheck(func(ctx context.Context, state *tfjson.State) error {
		values, err := resourceValues(state, testImageFileAddr)
		if err != nil {
			return err
		}
		filePath, _ := values["path"].(string)
		url, _ := values["url"].(string)
		onDisk, err := os.ReadFile(filePath)
		if err != nil {
			return err
		}
		served, err := imageFileTestFetch(ctx, url)
		if err != nil {
			return err
		}
		if err := samePixels(onDisk, served); err != nil {
			return fmt.Errorf("%s: %w", filePath, err)
		}
		tags := exiftooltest.Read(t, filePath)
		for tag, w := range want {
			got, found := tags[tag]
			if w == nil && found {
				return fmt.Errorf("exiftool reads %s = %v in %s, want none", tag, got, filePath)
			}
			if w != nil && fmt.Sprint(got) != fmt.Sprint(w) {
				return fmt.Errorf("exiftool reads %s = %v in %s, want %v", tag, got, filePath, w)
			}
		}
		var resp statecheck.CheckStateResponse
		expectImageFileMatchesURL(nil).CheckState(ctx, statecheck.CheckStateRequest{State: state}, &resp)
		return resp.Error
	})
}

// samePixels decodes both images and compares them pixel by pixel.
func samePixels(a, b []byte) error {
	decode := func(data []byte) (*image.NRGBA, error) {
		img, _, err := image.Decode(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		out := image.NewNRGBA(img.Bounds())
		draw.Draw(out, out.Bounds(), img, img.Bounds().Min, draw.Src)
		return out, nil
	}
	pa, err := decode(a)
	if err != nil {
		return fmt.Errorf("decoding the file: %w", err)
	}
	pb, err := decode(b)
	if err != nil {
		return fmt.Errorf("decoding the download: %w", err)
	}
	if pa.Rect != pb.Rect || !bytes.Equal(pa.Pix, pb.Pix) {
		return fmt.Errorf("the file decodes to other pixels than the download")
	}
	return nil
}

// imageDownloads checks the pictures the emulator served between steps.
type imageDownloads struct {
	e    *emulator.Emulator
	seen int
}

// expectNew checks that the step's apply downloaded want pictures; it
// comes first among a step's checks, which download pictures themselves.
func (d *imageDownloads) expectNew(want int) statecheck.StateCheck {
	return imageFileStateCheck(func(context.Context, *tfjson.State) error {
		if got := d.e.Counters().ImageDownloads - d.seen; got != want {
			return fmt.Errorf("the emulator served %d image downloads during the step, want %d", got, want)
		}
		return nil
	})
}

// remember comes last among a step's checks.
func (d *imageDownloads) remember() statecheck.StateCheck {
	return imageFileStateCheck(func(context.Context, *tfjson.State) error {
		d.seen = d.e.Counters().ImageDownloads
		return nil
	})
}

// For every format the emulator serves: the copy carries the marking that
// exiftool reads, its pixels are the download's, later plans are empty, and
// changing the marking or turning it off and on rewrites the file in place
// without downloading it again (counted by the emulator) or generating.
func TestAccImageFile_markingEachFormat_emulatorCounted(t *testing.T) {
	for _, format := range []string{emulator.FormatPNG, emulator.FormatJPEG, emulator.FormatWebP} {
		t.Run(format, func(t *testing.T) {
			e, baseURL := newTestEmulator(t, func(o *emulator.Options) { o.PictureFormat = format })
			dest := filepath.Join(t.TempDir(), "hero."+format)
			config := func(marking string) string { return testAccMarkingConfig(baseURL, dest, "", marking) }
			fields := `{
    alt_text         = "A lighthouse on a cliff at sunrise, seen from the sea"
    description      = "Hero image for the <spring> campaign & more"
    headline         = "Spring lighthouse"
    credit_line      = "Example Co. / Akool"
    copyright_notice = "© 2026 Example Co."
    prompt           = akool_generated_image.hero.prompt
  }`
			downloads := &imageDownloads{e: e}
			// The download stays the same throughout; the file marked without
			// fields is the same bytes whenever it is written.
			sameDownload, sameUnfielded := sameValue(testImageFileAddr, "download_sha256"), sameValue(testImageFileAddr, "sha256")
			var createdAt string
			jobDetails := imageFileStateCheck(func(_ context.Context, state *tfjson.State) error {
				for _, r := range state.Values.RootModule.Resources {
					if r.Address == testGeneratedImageAddr {
						createdAt, _ = r.AttributeValues["created_at"].(string)
					}
				}
				return nil
			})
			markedAsGenerated := func(extra map[string]any) statecheck.StateCheck {
				want := map[string]any{
					"XMP-iptcExt:DigitalSourceType": imagemeta.TrainedAlgorithmicMedia,
					"XMP-xmp:CreatorTool":           "Akool via terraform-provider-akool test",
					"XMP-iptcExt:AISystemUsed":      "Akool",
				}
				for k, v := range extra {
					want[k] = v
				}
				return expectMarkedFile(t, want)
			}
			imageFileTest(t, dest, []tfresource.TestStep{
				{
					Config: config(""),
					ConfigStateChecks: []statecheck.StateCheck{
						downloads.expectNew(1),
						sameDownload(),
						sameUnfielded(),
						jobDetails,
						expectValue(testImageFileAddr, "marked", knownvalue.Bool(true)),
						expectString(testImageFileAddr, "digital_source_type", imagemeta.TrainedAlgorithmicMedia),
						expectSameAs(testImageFileAddr, "image_created_at", testGeneratedImageAddr, "created_at"),
						expectDifferent(testImageFileAddr, "sha256", testImageFileAddr, "download_sha256"),
						markedAsGenerated(map[string]any{"XMP-iptcCore:AltTextAccessibility": nil, "XMP-iptcExt:AIPromptInformation": nil}),
						downloads.remember(),
					},
				},
				{
					PreConfig: func() {
						// The job id and creation time, read back with exiftool.
						tags := exiftooltest.Read(t, dest)
						created, err := time.Parse(time.RFC3339, createdAt)
						if err != nil {
							t.Fatalf("created_at %q: %v", createdAt, err)
						}
						if got, want := tags["XMP-xmp:CreateDate"], created.UTC().Format("2006:01:02 15:04:05.000Z"); got != want {
							t.Errorf("exiftool reads CreateDate %v, want %v", got, want)
						}
						if id := tags["XMP-akool:JobID"]; id == nil || len(fmt.Sprint(id)) != 24 {
							t.Errorf("exiftool reads JobID %v, want the image's id", id)
						}
					},
					Config:           config(fields),
					ConfigPlanChecks: preApply(plansUpdate(testImageFileAddr), plansUnknown(testImageFileAddr, "sha256")),
					ConfigStateChecks: []statecheck.StateCheck{
						downloads.expectNew(0),
						sameDownload(),
						markedAsGenerated(map[string]any{
							"XMP-iptcCore:AltTextAccessibility": "A lighthouse on a cliff at sunrise, seen from the sea",
							"XMP-dc:Description":                "Hero image for the <spring> campaign & more",
							"XMP-photoshop:Headline":            "Spring lighthouse",
							"XMP-photoshop:Credit":              "Example Co. / Akool",
							"XMP-dc:Rights":                     "© 2026 Example Co.",
							"XMP-iptcExt:AIPromptInformation":   "A lighthouse on a cliff at sunrise",
						}),
						expectGeneratedOnce(e),
						downloads.remember(),
					},
				},
				{
					// Off: the byte-exact download, taken from the file on disk.
					Config:           config(`{ enabled = false }`),
					ConfigPlanChecks: preApply(plansUpdate(testImageFileAddr)),
					ConfigStateChecks: []statecheck.StateCheck{
						downloads.expectNew(0),
						sameDownload(),
						expectValue(testImageFileAddr, "marked", knownvalue.Bool(false)),
						expectSameAs(testImageFileAddr, "sha256", testImageFileAddr, "download_sha256"),
						expectMarkedFile(t, map[string]any{"XMP-iptcExt:DigitalSourceType": nil}),
						downloads.remember(),
					},
				},
				{
					// On again, in place.
					Config:           config(""),
					ConfigPlanChecks: preApply(plansUpdate(testImageFileAddr)),
					ConfigStateChecks: []statecheck.StateCheck{
						downloads.expectNew(0),
						sameDownload(),
						sameUnfielded(),
						expectValue(testImageFileAddr, "marked", knownvalue.Bool(true)),
						markedAsGenerated(map[string]any{"XMP-photoshop:Headline": nil}),
					},
				},
				{
					// A lost copy is downloaded again and marked the same way.
					PreConfig: func() {
						if err := os.Remove(dest); err != nil {
							t.Fatal(err)
						}
					},
					Config:           config(""),
					ConfigPlanChecks: preApply(plansUpdate(testImageFileAddr)),
					ConfigStateChecks: []statecheck.StateCheck{
						sameDownload(),
						sameUnfielded(),
						markedAsGenerated(nil),
						expectGeneratedOnce(e),
					},
				},
			})
		})
	}
}

// A job made from a source image is a composite with generated media.
func TestAccImageFile_markingSourceImage(t *testing.T) {
	_, baseURL := newTestEmulator(t)
	dest := filepath.Join(t.TempDir(), "hero.png")
	imageFileTest(t, dest, []tfresource.TestStep{{
		Config: testAccMarkingConfig(baseURL, dest, "https://example.com/product.png", ""),
		ConfigStateChecks: []statecheck.StateCheck{
			expectString(testImageFileAddr, "digital_source_type", imagemeta.CompositeWithTrainedAlgorithmicMedia),
			expectMarkedFile(t, map[string]any{"XMP-iptcExt:DigitalSourceType": imagemeta.CompositeWithTrainedAlgorithmicMedia}),
		},
	}})
}

// Without image_id the copy is still marked as AI-generated, without job
// details; a GIF, which cannot carry the marking, is saved as downloaded
// with a warning, and later plans stay empty.
func TestAccImageFile_markingWithoutJobAndUnsupportedFormat(t *testing.T) {
	_, srvURL := newImageFileCountingServer(t, map[string][]byte{
		"/a.png": localcopytest.Picture(t, "png", 30, 20), "/b.gif": localcopytest.Picture(t, "gif", 10, 10)})
	png, gif := filepath.Join(t.TempDir(), "a.png"), filepath.Join(t.TempDir(), "b.gif")
	accTest(t, []tfresource.TestStep{
		{
			Config: testAccImageFileConfig(srvURL+"/a.png", png),
			ConfigStateChecks: []statecheck.StateCheck{
				expectValue(testImageFileAddr, "marked", knownvalue.Bool(true)),
				expectNull(testImageFileAddr, "image_created_at"),
				expectMarkedFile(t, map[string]any{
					"XMP-iptcExt:DigitalSourceType": imagemeta.TrainedAlgorithmicMedia,
					"XMP-akool:JobID":               nil,
					"XMP-xmp:CreateDate":            nil,
				}),
			},
		},
		{
			Config: testAccImageFileConfig(srvURL+"/b.gif", gif),
			ConfigStateChecks: []statecheck.StateCheck{
				expectValue(testImageFileAddr, "marked", knownvalue.Bool(false)),
				expectSameAs(testImageFileAddr, "sha256", testImageFileAddr, "download_sha256"),
				expectImageFileMatchesURL(nil),
			},
		},
	})
}

// A download that cannot carry the marking (a GIF; a PNG whose end chunk
// is missing) is saved as downloaded, recorded unmarked, and the apply
// says so in a warning that names the file and the reason.
func TestAccImageFile_savedWithoutMarkingWarns(t *testing.T) {
	png := localcopytest.Picture(t, "png", 8, 6)
	images := map[string][]byte{
		"/a.gif": localcopytest.Picture(t, "gif", 10, 10),
		"/b.png": png[:len(png)-12], // without its IEND chunk
	}
	_, srvURL := newImageFileCountingServer(t, images)
	// A damaged picture is not called whole, nor its missing marking intended.
	const whole = "Nothing is wrong with the image itself"
	for name, tc := range map[string]struct{ reason, advice, never string }{
		"a.gif": {"GIF images cannot carry the marking", whole, "check that it opens"},
		"b.png": {"the PNG structure is damaged", "check that it opens", whole},
	} {
		t.Run(name, func(t *testing.T) {
			dest := filepath.Join(t.TempDir(), name)
			h := newHarness(t, testAccImageFileConfig(srvURL+"/"+name, dest))
			res := h.mustRun("apply", "-auto-approve", "-input=false")
			for _, want := range []string{"Image File Saved Without Marking", dest, tc.reason, tc.advice} {
				if !res.mentions(want) {
					t.Errorf("the apply does not say %q:\n%s", want, res.output())
				}
			}
			if res.mentions(tc.never) {
				t.Errorf("the apply says %q:\n%s", tc.never, res.output())
			}
			if marked := h.resource(testImageFileAddr).AttributeValues["marked"]; marked != false {
				t.Errorf("marked = %v, want false", marked)
			}
			if err := fileHolds(dest, images["/"+name]); err != nil {
				t.Error(err)
			}
		})
	}
}

// A copy saved without marking (here imported, as a copy written by an
// earlier version of the provider also is) gets the marking at the next
// apply, in place: nothing is downloaded.
func TestAccImageFile_markingAddedToAnUnmarkedCopy(t *testing.T) {
	srv, srvURL := newImageFileCountingServer(t, map[string][]byte{"/a.png": localcopytest.Picture(t, "png", 20, 20)})
	dest := filepath.Join(t.TempDir(), "hero.png")
	url := srvURL + "/a.png"
	unmarked := strings.Replace(testAccImageFileConfig(url, dest), "path = ", "marking = { enabled = false }\n  path = ", 1)
	var requests int
	accTest(t, []tfresource.TestStep{
		{
			Config: unmarked,
			ConfigStateChecks: []statecheck.StateCheck{
				expectValue(testImageFileAddr, "marked", knownvalue.Bool(false)),
			},
		},
		forgetStep(testAccProviderConfig("http://127.0.0.1:1"), testImageFileAddr),
		{
			PreConfig: func() { requests = srv.total() },
			Config:    testAccImageFileConfig(url, dest) + fmt.Sprintf("\nimport {\n  to = %s\n  id = %q\n}\n", testImageFileAddr, dest),
			ConfigPlanChecks: preApply(
				plansUpdate(testImageFileAddr),
				plansUnknown(testImageFileAddr, "sha256"),
			),
			ConfigStateChecks: []statecheck.StateCheck{
				expectCountStateCheck("image server requests", srv.total, &requests),
				expectValue(testImageFileAddr, "marked", knownvalue.Bool(true)),
				expectMarkedFile(t, map[string]any{"XMP-iptcExt:DigitalSourceType": imagemeta.TrainedAlgorithmicMedia}),
			},
		},
	})
}

// describeJob takes the kind and time of a job from Akool, and turns a job
// it cannot read into a warning, never an error: the picture is paid for.
func TestImageFileDescribeJob(t *testing.T) {
	e, url := newTestEmulator(t)
	jobs := newJobsOutside(t, url)
	plain := jobs.v3("a quiet harbour")
	fromSource := jobs.v4(akool.CreateV4Request{Prompt: "the same cup, on marble", SourceImages: []string{"https://example.com/cup.png"}})
	sourceGrid := jobs.made(jobs.client.CreateV3(context.Background(),
		akool.CreateV3Request{Prompt: "the same cup, on marble", SourceImage: "https://example.com/cup.png"}))
	e.Clock().Advance(time.Minute)
	upscale := jobs.press(sourceGrid.ID, "U1") // a button job: its source image is its parent's
	r := &imageFileResource{configuredResource{data: &providerData{client: jobs.client}}}

	for _, tc := range []struct {
		name, id, dst string
		created       time.Time
	}{
		{"prompt", plain.ID, imagemeta.TrainedAlgorithmicMedia, plain.CreatedAt},
		{"source image", fromSource.ID, imagemeta.CompositeWithTrainedAlgorithmicMedia, fromSource.CreatedAt},
		{"upscale of a grid from a source image", upscale.ID, imagemeta.CompositeWithTrainedAlgorithmicMedia, upscale.CreatedAt},
	} {
		m := imageFileMarking{ImageID: types.StringValue(tc.id)}
		if diags := r.describeJob(context.Background(), &m); len(diags) != 0 {
			t.Fatalf("%s: diagnostics %v", tc.name, diags)
		}
		if m.DigitalSourceType.ValueString() != tc.dst || m.ImageCreatedAt.ValueString() != tc.created.UTC().Format(time.RFC3339) {
			t.Errorf("%s: %s, created %s; want %s, %s", tc.name, m.DigitalSourceType, m.ImageCreatedAt, tc.dst, tc.created)
		}
	}

	for name, r := range map[string]*imageFileResource{"unknown id": r, "no credentials": {}} {
		m := imageFileMarking{ImageID: types.StringValue("662a10df4197b3af58532e89")}
		diags := r.describeJob(context.Background(), &m)
		if diags.HasError() || diags.WarningsCount() != 1 || diags.Warnings()[0].Summary() != "Image File Marked Without Job Details" {
			t.Fatalf("%s: diagnostics %v, want one warning", name, diags)
		}
		// Tainting an image file deletes it before downloading again; the
		// advice is a change that rewrites the copy in place.
		if detail := diags.Warnings()[0].Detail(); name == "unknown id" &&
			(strings.Contains(detail, "taint this resource once") || !strings.Contains(detail, "change a field of the marking block")) {
			t.Errorf("%s: the warning's advice: %s", name, detail)
		}
		if m.DigitalSourceType.ValueString() != imagemeta.TrainedAlgorithmicMedia || !m.ImageCreatedAt.IsNull() {
			t.Errorf("%s: %s, created %s; want trainedAlgorithmicMedia and no time", name, m.DigitalSourceType, m.ImageCreatedAt)
		}
	}
}

// A new path and a new marking in one apply: the verified copy moves and is
// marked again, without a download; nothing is left at the old path.
func TestAccImageFile_markingChangedWithMove(t *testing.T) {
	srv, srvURL := newImageFileCountingServer(t, map[string][]byte{"/a.png": localcopytest.Picture(t, "png", 16, 12)})
	first, second := filepath.Join(t.TempDir(), "a.png"), filepath.Join(t.TempDir(), "b", "a.png")
	url := srvURL + "/a.png"
	requests := 0
	sameDownload := sameValue(testImageFileAddr, "download_sha256")
	imageFileTest(t, second, []tfresource.TestStep{
		{Config: testAccImageFileConfig(url, first), ConfigStateChecks: []statecheck.StateCheck{sameDownload()}},
		{
			PreConfig:        func() { requests = srv.total() },
			Config:           strings.Replace(testAccImageFileConfig(url, second), "path = ", "marking = { headline = \"Moved\" }\n  path = ", 1),
			ConfigPlanChecks: preApply(plansUpdate(testImageFileAddr), plansUnknown(testImageFileAddr, "sha256")),
			ConfigStateChecks: []statecheck.StateCheck{
				expectCountStateCheck("image server requests", srv.total, &requests),
				sameDownload(),
				expectNoImageFile(first),
				expectMarkedFile(t, map[string]any{"XMP-photoshop:Headline": "Moved"}),
			},
		},
	})
}

// A copy saved by a version of the provider that did not mark (its state
// has none of the marking's attributes, and the file is the download) is
// marked in place at the next apply, without a download; then plans are
// empty.
func TestAccImageFile_markingAddedAfterUpgrade(t *testing.T) {
	download := localcopytest.Picture(t, "png", 18, 10)
	srv, srvURL := newImageFileCountingServer(t, map[string][]byte{"/a.png": download})
	dest := filepath.Join(t.TempDir(), "hero.png")
	h := newAppliedHarness(t, testAccImageFileConfig(srvURL+"/a.png", dest))

	// What an earlier version left: the download, and a state without the
	// marking's attributes.
	if err := os.WriteFile(dest, download, 0o644); err != nil {
		t.Fatal(err)
	}
	stateFromBeforeMarking(t, h, download)

	requests := srv.total()
	h.mustApply()
	if got := srv.total(); got != requests {
		t.Errorf("marking the copy sent %d requests to the image server, want none", got-requests)
	}
	r := h.resource(testImageFileAddr)
	onDisk := mustReadFile(t, dest)
	unmarked, err := imagemeta.Remove(onDisk)
	if err != nil || !bytes.Equal(unmarked, download) || !imagemeta.Marked(onDisk) {
		t.Errorf("the file is not the download with the marking (%v)", err)
	}
	if r.AttributeValues["marked"] != true || r.AttributeValues["download_sha256"] != localcopytest.SHA256Hex(download) ||
		r.AttributeValues["sha256"] != localcopytest.SHA256Hex(onDisk) {
		t.Errorf("state after marking: %v", r.AttributeValues)
	}
	h.expectNoChanges("marking the copy")
}

// An upscale of a variation of a grid made from a source image is a
// composite: the marking follows the chain of parents to the grid's source
// image. Without a source image anywhere in the chain, it stays
// trainedAlgorithmicMedia.
func TestAccImageFile_markingFollowsParentChain(t *testing.T) {
	t.Parallel()
	_, url := newTestEmulator(t)
	dir := t.TempDir()
	config := func(source string) string {
		sourceLine := ""
		if source != "" {
			sourceLine = fmt.Sprintf("source_image = %q", source)
		}
		return testAccProviderConfig(url) + fmt.Sprintf(`
resource "akool_generated_image" "grid" {
  prompt = "the same cup, on marble, then varied and upscaled"
  %s
}
`, sourceLine) + testAccButtonBlock("akool_image_variation", "var", "akool_generated_image.grid.id", 1, "") +
			testAccButtonBlock("akool_image_upscale", "up", "akool_image_variation.var.id", 1, "") + fmt.Sprintf(`
resource "akool_image_file" "hero" {
  url      = akool_image_upscale.up.image_url
  image_id = akool_image_upscale.up.id
  path     = %q
}
`, filepath.Join(dir, source+"up.png"))
	}
	accTest(t, []tfresource.TestStep{
		{
			Config: config("https://example.com/cup.png"),
			ConfigStateChecks: []statecheck.StateCheck{
				expectString(testImageFileAddr, "digital_source_type", imagemeta.CompositeWithTrainedAlgorithmicMedia),
			},
		},
	})
	accTest(t, []tfresource.TestStep{
		{
			Config: config(""),
			ConfigStateChecks: []statecheck.StateCheck{
				expectString(testImageFileAddr, "digital_source_type", imagemeta.TrainedAlgorithmicMedia),
			},
		},
	})
}
