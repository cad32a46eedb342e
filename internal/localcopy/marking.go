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
	// Conflicts are the properties that the file's own XMP held and that
	// the marking changed.
	Conflicts []imagemeta.Conflict
}

// Mark merges the marking m into data's XMP (imagemeta.Merge): the
// file's own properties stay, except those that m sets, and an earlier
// marking is replaced. An image that cannot carry it is not an error: it
// comes back as it is, with the reason, so that it can be saved unmarked.
// So does an image whose own XMP cannot be read, rather than lose it.
func Mark(data []byte, m imagemeta.Marking) Marked {
	existing, _ := imagemeta.Find(data) // a format error is Embed's to report
	packet, conflicts, err := imagemeta.Merge(existing, m)
	if err != nil {
		return Marked{Data: data, Unmarked: fmt.Errorf("its own XMP metadata could not be read (%w), and the "+
			"marking is not written over it", err)}
	}
	marked, err := imagemeta.Embed(data, packet)
	if err != nil {
		return Marked{Data: data, Unmarked: err}
	}
	return Marked{Data: marked, Marked: true, Conflicts: conflicts}
}

// Conflicts lists what Mark would change of the XMP that the file at path
// holds already, without writing anything.
func Conflicts(path string, m imagemeta.Marking) []imagemeta.Conflict {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	existing, err := imagemeta.Find(data)
	if err != nil {
		return nil
	}
	_, conflicts, _ := imagemeta.Merge(existing, m)
	return conflicts
}

// unmarked is data without the marking of this provider: its own XMP, if
// it had any, stays (imagemeta.Unmerge).
func unmarked(data []byte) ([]byte, error) {
	existing, err := imagemeta.Find(data)
	if err != nil {
		return nil, err
	}
	own, err := imagemeta.Unmerge(existing)
	if err != nil {
		return nil, err
	}
	if own != nil {
		return imagemeta.Embed(data, own)
	}
	return imagemeta.Remove(data)
}

// Unmark takes the marking out of data, which must then be the download
// (or the file adopted) it was made from: bytes with the SHA-256
// downloadSHA256.
func Unmark(data []byte, downloadSHA256 string) ([]byte, error) {
	unmarked, err := unmarked(data)
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
