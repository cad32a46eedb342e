package localcopy

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/akool-community/terraform-provider-akool/internal/imagemeta"
	"github.com/akool-community/terraform-provider-akool/internal/localcopy/localcopytest"
)

// A copy's walk, step by step: read back with its checksum, marked, written
// once; the marking comes out again to the download.
func TestReadMarkWrite(t *testing.T) {
	dir := t.TempDir()
	body := localcopytest.Picture(t, "png", 6, 4)
	src, dest := filepath.Join(dir, "src.png"), filepath.Join(dir, "new", "dest.png")
	if err := os.WriteFile(src, body, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(t.Context(), src, localcopytest.SHA256Hex([]byte("other"))); err == nil ||
		!regexp.MustCompile(`not the recorded`).MatchString(err.Error()) {
		t.Errorf("read with another checksum: err = %v, want a checksum mismatch", err)
	}
	source, err := ReadFile(t.Context(), src, localcopytest.SHA256Hex(body))
	if err != nil || source.SHA256 != localcopytest.SHA256Hex(body) {
		t.Fatalf("read = %+v, %v", source, err)
	}

	marking := imagemeta.Marking{DigitalSourceType: imagemeta.TrainedAlgorithmicMedia}
	marked := Mark(source.Data, marking)
	if !marked.Marked || marked.Unmarked != nil {
		t.Fatalf("a PNG was not marked: %v", marked.Unmarked)
	}
	info, err := Write(dest, marked.Data)
	if err != nil {
		t.Fatal(err)
	}
	onDisk, _ := os.ReadFile(dest)
	if !imagemeta.Marked(onDisk) || info.SHA256 != localcopytest.SHA256Hex(onDisk) || info.Size != int64(len(onDisk)) ||
		info.Width != 6 || info.Height != 4 || info.ContentType != "image/png" {
		t.Errorf("info = %+v for a marked file of %d bytes", info, len(onDisk))
	}
	if !FileMarked(dest) || FileMarked(src) {
		t.Error("FileMarked does not tell the marked file from the download")
	}
	if !UnmarksTo(dest, source.SHA256) || UnmarksTo(dest, localcopytest.SHA256Hex([]byte("other"))) {
		t.Error("UnmarksTo does not find the download in the marked file, or finds another")
	}
	unmarked, err := Unmark(onDisk, source.SHA256)
	if err != nil || !bytes.Equal(unmarked, body) {
		t.Errorf("Unmark did not give back the download: %v", err)
	}
	if err := fileHolds(src, body); err != nil {
		t.Error(err)
	}
}

// An image that cannot carry the marking comes back as it is, with the
// reason.
func TestMark_unsupportedFormat(t *testing.T) {
	gif := localcopytest.Picture(t, "gif", 4, 4)
	got := Mark(gif, imagemeta.Marking{})
	var unsupported *imagemeta.UnsupportedFormatError
	if got.Marked || !bytes.Equal(got.Data, gif) || !errors.As(got.Unmarked, &unsupported) ||
		!strings.Contains(got.Unmarked.Error(), "GIF") {
		t.Errorf("Mark of a GIF = marked %v, reason %v", got.Marked, got.Unmarked)
	}
}

// Bytes that are not an image never reach the path, and a read that is
// interrupted stops.
func TestWrite_refusesNonImage(t *testing.T) {
	dest := filepath.Join(t.TempDir(), "a.png")
	if _, err := Write(dest, []byte("<html>not an image</html>")); err == nil || !strings.Contains(err.Error(), "not an image") {
		t.Errorf("Write of text = %v", err)
	}
	assertDirHasOnly(t, filepath.Dir(dest))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := read(ctx, bytes.NewReader([]byte("x")), "test", -1, ""); !errors.Is(err, context.Canceled) {
		t.Errorf("an interrupted read = %v", err)
	}
}

func fileHolds(path string, want []byte) error {
	got, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if !bytes.Equal(got, want) {
		return errors.New(path + " does not hold the expected bytes")
	}
	return nil
}

// The limit bounds what is read, not what the marking adds: a download of
// exactly MaxBytes is still saved, marked.
func TestWrite_marksADownloadAtTheLimit(t *testing.T) {
	body := localcopytest.Picture(t, "png", 6, 4)
	setMaxBytes(t, int64(len(body)))
	src, err := read(t.Context(), bytes.NewReader(body), "test", int64(len(body)), "")
	if err != nil {
		t.Fatal(err)
	}
	marked := Mark(src.Data, imagemeta.Marking{DigitalSourceType: imagemeta.TrainedAlgorithmicMedia})
	if !marked.Marked {
		t.Fatalf("a PNG was not marked: %v", marked.Unmarked)
	}
	dest := filepath.Join(t.TempDir(), "a.png")
	if _, err := Write(dest, marked.Data); err != nil {
		t.Fatalf("Write of a download within the limit, marked: %v", err)
	}
	if err := fileHolds(dest, marked.Data); err != nil {
		t.Error(err)
	}
}
