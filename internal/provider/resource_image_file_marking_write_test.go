package provider

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/akool-community/terraform-provider-akool/internal/imagemeta"
)

// The marking is written with the download, in the one verified write of
// the file: the transform sees only verified bytes, the file holds what it
// returns, and the info has the checksums of both.
func TestWriteImageFile_transform(t *testing.T) {
	dir := t.TempDir()
	body := imageFileTestBytes(t, "png", 6, 4)
	dest := filepath.Join(dir, "dest.png")
	packet := imagemeta.Packet(imagemeta.Marking{DigitalSourceType: imagemeta.TrainedAlgorithmicMedia})
	calls := 0
	mark := func(data []byte) ([]byte, error) { calls++; return imagemeta.Embed(data, packet) }

	_, err := writeImageFile(t.Context(), dest, imageFileSource{r: bytes.NewReader(body), name: "test", size: -1,
		sha256: imageFileSHA256Hex([]byte("other")), transform: mark})
	if err == nil || calls != 0 {
		t.Errorf("bytes with another checksum: err = %v, transform called %d times; want an error before the transform", err, calls)
	}
	if _, err := os.Stat(dest); !os.IsNotExist(err) {
		t.Errorf("a refused write left %s (%v)", dest, err)
	}

	info, err := writeImageFile(t.Context(), dest, imageFileSource{r: bytes.NewReader(body), name: "test", size: int64(len(body)),
		sha256: imageFileSHA256Hex(body), transform: mark})
	if err != nil {
		t.Fatal(err)
	}
	onDisk, err := os.ReadFile(dest)
	if err != nil {
		t.Fatal(err)
	}
	if !imagemeta.Marked(onDisk) || info.SHA256 != imageFileSHA256Hex(onDisk) || info.Size != int64(len(onDisk)) ||
		info.SourceSHA256 != imageFileSHA256Hex(body) || info.Width != 6 || info.ContentType != "image/png" {
		t.Errorf("info = %+v for a marked file of %d bytes", info, len(onDisk))
	}

	failed := errors.New("no marking")
	if _, err := writeImageFile(t.Context(), dest, imageFileSource{r: bytes.NewReader(body), name: "test", size: -1,
		transform: func([]byte) ([]byte, error) { return nil, failed }}); !errors.Is(err, failed) {
		t.Errorf("a failing transform: err = %v", err)
	}
	if err := fileHolds(dest, onDisk); err != nil {
		t.Errorf("a failing transform changed the file: %v", err)
	}
}

// Reading the job to mark the file does not eat the download's timeout: a
// slow Akool (each answer 2.5 s, the create timeout 2 s) still gives a
// marked file, written once, and never leaves the unmarked download at the
// path. Uses the emulator's latency.
func TestAccImageFile_markingSlowJobRead_emulatorLatency(t *testing.T) {
	e, baseURL := newTestEmulator(t)
	dest := filepath.Join(t.TempDir(), "hero.png")
	image := testAccProviderConfig(baseURL) + `
resource "akool_generated_image" "hero" {
  prompt = "A lighthouse on a cliff at sunrise"
}
`
	file := image + fmt.Sprintf(`
resource "akool_image_file" "hero" {
  url      = akool_generated_image.hero.image_url
  path     = %q
  image_id = akool_generated_image.hero.id
  timeouts {
    create = "2s"
  }
}
`, dest)
	imageFileTest(t, dest, []tfresource.TestStep{
		{Config: image},
		{
			PreConfig: func() { e.SetLatency(2500 * time.Millisecond) },
			Config:    file,
			ConfigStateChecks: []statecheck.StateCheck{
				expectValue(testImageFileAddr, "marked", knownvalue.Bool(true)),
				expectValue(testImageFileAddr, "image_created_at", knownvalue.NotNull()),
				expectMarkedFile(t, map[string]any{"XMP-iptcExt:DigitalSourceType": imagemeta.TrainedAlgorithmicMedia}),
			},
		},
	})
}
