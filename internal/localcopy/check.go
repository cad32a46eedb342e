package localcopy

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	_ "image/gif"  // registers GIF with image.DecodeConfig
	_ "image/jpeg" // registers JPEG with image.DecodeConfig
	_ "image/png"  // registers PNG with image.DecodeConfig
	"io"
	"os"

	"github.com/akool-community/terraform-provider-akool/internal/imagemeta"
)

// State is what a check finds at a copy's path.
type State int

const (
	Matches State = iota // same size and SHA-256 as recorded
	Missing              // nothing at the path
	Changed              // a file with other content
)

func (s State) String() string {
	switch s {
	case Matches:
		return "matches"
	case Missing:
		return "missing"
	default:
		return "changed"
	}
}

// Check compares the file at path with the recorded size and SHA-256. A
// file of another size is reported changed without being read.
func Check(path, wantSHA256 string, wantSize int64) (State, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return Missing, nil
	}
	if err != nil {
		return 0, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return 0, err
	}
	if !info.Mode().IsRegular() {
		return 0, fmt.Errorf("%s is not a regular file", path)
	}
	if info.Size() != wantSize {
		return Changed, nil
	}
	hash := sha256.New()
	if _, err := io.Copy(hash, f); err != nil {
		return 0, err
	}
	if hex.EncodeToString(hash.Sum(nil)) != wantSHA256 {
		return Changed, nil
	}
	return Matches, nil
}

// Inspect describes the image at path as a write of it would.
func Inspect(path string) (*Info, error) {
	stat, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("there is no file at this path")
	case err != nil:
		return nil, err
	case !stat.Mode().IsRegular():
		return nil, fmt.Errorf("it is not a regular file")
	case stat.Size() > MaxBytes:
		return nil, fmt.Errorf("it is %d bytes, more than the limit of %d bytes", stat.Size(), MaxBytes)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Verify(data)
}

// DecodeConfig reads just enough of r to tell its image format and
// dimensions. PNG, JPEG and GIF go through the standard library; WebP,
// which the standard library does not decode, through imagemeta.
func DecodeConfig(r io.Reader) (contentType string, width, height int, err error) {
	br := bufio.NewReader(r)
	if head, _ := br.Peek(30); imagemeta.IsWebP(head) {
		width, height, err = imagemeta.WebPSize(head)
		if err != nil {
			return "", 0, 0, err
		}
		return "image/webp", width, height, nil
	}
	cfg, format, err := image.DecodeConfig(br)
	if err != nil {
		return "", 0, 0, err
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return "", 0, 0, fmt.Errorf("the %s header declares a size of %dx%d", format, cfg.Width, cfg.Height)
	}
	switch format {
	case "png":
		contentType = "image/png"
	case "jpeg":
		contentType = "image/jpeg"
	case "gif":
		contentType = "image/gif"
	default:
		return "", 0, 0, fmt.Errorf("unsupported image format %q", format)
	}
	return contentType, cfg.Width, cfg.Height, nil
}
