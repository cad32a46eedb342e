// Package localcopy keeps a local copy of an image: it downloads it (or
// reads a copy back), marks its bytes (through imagemeta), and writes them
// to a path so that the path only ever holds a complete, verified image. It
// also tells whether a file is still the copy recorded, whether two paths
// name one file, and whether a path can be written.
//
// It has no Terraform import. Its steps each return a value (a Source, a
// Marked, an Info, an error) and call nothing back: the resource that uses
// them turns what they return into diagnostics.
package localcopy

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
)

// MaxBytes bounds one image: a download, a copy read back, or a file
// described. It is a variable so that tests can lower it.
var MaxBytes int64 = 64 << 20

// Info is what a verified copy records: a checksum and metadata, never the
// bytes.
type Info struct {
	SHA256      string // lowercase hex of the bytes written
	Size        int64  // bytes written
	ContentType string // MIME type of the format found in the bytes
	Width       int64
	Height      int64
}

// WriteError is a failure to write the image to the local file system, as
// opposed to a failure to get the image.
type WriteError struct {
	Err error
}

func (e *WriteError) Error() string { return e.Err.Error() }
func (e *WriteError) Unwrap() error { return e.Err }

// Write is the one way a copy is written. It puts data at dest in steps:
// a temporary name in dest's folder (created with mode 0755 if missing),
// the bytes written and synced to disk, read back to verify that they are a
// PNG, JPEG, GIF or WebP image, mode 0644, and a rename over dest. dest is
// either the old file or the complete, verified new one; a failure leaves
// no temporary file behind. A failure to write is a *WriteError; bytes that
// are not an image are another error.
func Write(dest string, data []byte) (*Info, error) {
	if int64(len(data)) > MaxBytes {
		return nil, fmt.Errorf("the image is %d bytes, more than the limit of %d bytes", len(data), MaxBytes)
	}
	dir := filepath.Dir(dest)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, &WriteError{Err: fmt.Errorf("creating directory %s: %w", dir, err)}
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(dest)+".*.tmp")
	if err != nil {
		return nil, &WriteError{Err: fmt.Errorf("creating a temporary file in %s: %w", dir, err)}
	}
	tmpName := tmp.Name()
	closed, renamed := false, false
	defer func() {
		if !closed {
			_ = tmp.Close()
		}
		if !renamed {
			_ = os.Remove(tmpName)
		}
	}()

	if _, err := tmp.Write(data); err != nil {
		return nil, &WriteError{Err: fmt.Errorf("writing %s: %w", tmpName, err)}
	}
	if err := tmp.Sync(); err != nil {
		return nil, &WriteError{Err: fmt.Errorf("writing %s: %w", tmpName, err)}
	}
	if _, err := tmp.Seek(0, 0); err != nil {
		return nil, &WriteError{Err: fmt.Errorf("rereading %s: %w", tmpName, err)}
	}
	contentType, width, height, err := DecodeConfig(tmp)
	if err != nil {
		return nil, fmt.Errorf("the %d bytes are not an image this provider recognizes (PNG, JPEG, GIF or WebP): %w", len(data), err)
	}
	closed = true
	if err := tmp.Close(); err != nil {
		return nil, &WriteError{Err: fmt.Errorf("writing %s: %w", tmpName, err)}
	}
	if err := os.Chmod(tmpName, 0o644); err != nil {
		return nil, &WriteError{Err: fmt.Errorf("setting the mode of %s: %w", tmpName, err)}
	}
	if err := os.Rename(tmpName, dest); err != nil {
		return nil, &WriteError{Err: fmt.Errorf("moving the new file into place at %s: %w", dest, err)}
	}
	renamed = true
	return newInfo(data, contentType, width, height), nil
}

// Verify describes data as Write would write it, without writing: it must
// be a PNG, JPEG, GIF or WebP image within MaxBytes.
func Verify(data []byte) (*Info, error) {
	if int64(len(data)) > MaxBytes {
		return nil, fmt.Errorf("it is %d bytes, more than the limit of %d bytes", len(data), MaxBytes)
	}
	contentType, width, height, err := DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("it is not an image this provider recognizes (PNG, JPEG, GIF or WebP): %w", err)
	}
	return newInfo(data, contentType, width, height), nil
}

func newInfo(data []byte, contentType string, width, height int) *Info {
	sum := sha256.Sum256(data)
	return &Info{SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data)), ContentType: contentType,
		Width: int64(width), Height: int64(height)}
}
