package localcopy

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"

	"github.com/akool-community/terraform-provider-akool/internal/imagemeta"
)

// Marked is what the marking step made of an image's bytes.
type Marked struct {
	Data   []byte // the bytes to write
	Marked bool   // whether Data carries the packet
	// Unmarked says why Data is the image exactly as it came, without the
	// packet (a GIF, a signed file, a malformed one); nil when Marked.
	Unmarked error
}

// Mark embeds the XMP packet in data, replacing any earlier one. An image
// that cannot carry it is not an error: it comes back as it is, with the
// reason, so that it can be saved unmarked.
func Mark(data, packet []byte) Marked {
	marked, err := imagemeta.Embed(data, packet)
	if err != nil {
		return Marked{Data: data, Unmarked: err}
	}
	return Marked{Data: marked, Marked: true}
}

// Unmark takes the marking out of data, which must then be the download
// it was made from: bytes with the SHA-256 downloadSHA256.
func Unmark(data []byte, downloadSHA256 string) ([]byte, error) {
	unmarked, err := imagemeta.Remove(data)
	if err != nil {
		return nil, fmt.Errorf("taking the marking out failed: %w", err)
	}
	if sum := sha256.Sum256(unmarked); hex.EncodeToString(sum[:]) != downloadSHA256 {
		return nil, fmt.Errorf("without the marking the file is not the download (SHA-256 %s)", downloadSHA256)
	}
	return unmarked, nil
}

// UnmarksTo reports whether taking the marking out of the file at path
// gives back the download with the SHA-256 downloadSHA256.
func UnmarksTo(path, downloadSHA256 string) bool {
	data, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	_, err = Unmark(data, downloadSHA256)
	return err == nil
}

// FileMarked reports whether the file at path carries a marking packet.
func FileMarked(path string) bool {
	data, err := os.ReadFile(path)
	return err == nil && imagemeta.Marked(data)
}
