package localcopy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/akool-community/terraform-provider-akool/internal/imagemeta"
)

// placeMu makes each of Place and Release one step for every copy in the
// process: a copy is never written over, set aside or deleted halfway
// through another's step (two paths swapped at any parallelism).
var placeMu sync.Mutex

// SetAsidePath is where Place keeps a file that it found at path with the
// SHA-256 sum instead of writing over it: a hidden name beside it that the
// file's owner can find again by its checksum.
func SetAsidePath(path, sum string) string {
	if len(sum) > 16 {
		sum = sum[:16]
	}
	return filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+"."+sum+".kept")
}

// Placed is what Place did.
type Placed struct {
	*Info
	// SetAside is where the file that was at the path is kept, or "" when
	// nothing had to be kept.
	SetAside string
}

// Place writes data to dest, as Write does, and notes dest in w. When keep
// is true, a file already at dest that is not ownSHA256 and that nothing
// wrote in this walk is not written over: it is renamed to its SetAsidePath
// first, so that a copy that moves away from dest in the same apply (two
// paths swapped) can still be found by its checksum (ReadCopy).
func (w *Written) Place(dest string, data []byte, keep bool, ownSHA256 string) (*Placed, error) {
	placeMu.Lock()
	defer placeMu.Unlock()
	placed := &Placed{}
	if keep && !w.Has(dest) {
		sum, err := fileSHA256(dest)
		switch {
		case errors.Is(err, os.ErrNotExist):
		case err != nil:
			return nil, &WriteError{Err: fmt.Errorf("reading the file already at %s: %w", dest, err)}
		case sum != ownSHA256:
			placed.SetAside = SetAsidePath(dest, sum)
			if err := os.Rename(dest, placed.SetAside); err != nil {
				return nil, &WriteError{Err: fmt.Errorf("setting aside the file already at %s: %w", dest, err)}
			}
		}
	}
	info, err := Write(dest, data)
	if err != nil {
		if placed.SetAside != "" {
			_ = os.Rename(placed.SetAside, dest) // put it back: nothing changed
		}
		return nil, err
	}
	placed.Info = info
	w.Note(dest)
	return placed, nil
}

// Released is what Release found at a path.
type Released int

const (
	Deleted      Released = iota // the copy was there and is deleted
	Gone                         // nothing was there
	WrittenAgain                 // written in this walk: it belongs to whatever wrote it
	NotOurs                      // another file: kept
)

// Release deletes the copy with wantSHA256 and wantSize at path, unless
// something wrote path in this walk or the file there is another; it also
// deletes that copy's SetAsidePath, which is the same picture.
func (w *Written) Release(path, wantSHA256 string, wantSize int64) (Released, error) {
	placeMu.Lock()
	defer placeMu.Unlock()
	if aside := SetAsidePath(path, wantSHA256); fileIs(aside, wantSHA256, wantSize) {
		_ = os.Remove(aside)
	}
	if w.Has(path) {
		return WrittenAgain, nil
	}
	local, err := Check(path, wantSHA256, wantSize)
	switch {
	case err != nil:
		return NotOurs, err
	case local == Missing:
		return Gone, nil
	case local == Changed:
		return NotOurs, nil
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return Deleted, err
	}
	return Deleted, nil
}

// ReadCopy reads the copy with wantSHA256 back from path or, when the file
// there is another, from its SetAsidePath, where Place keeps a file it did
// not write over.
func ReadCopy(ctx context.Context, path, wantSHA256 string) (*Source, error) {
	src, err := ReadFile(ctx, path, wantSHA256)
	if err == nil {
		return src, nil
	}
	aside := SetAsidePath(path, wantSHA256)
	if asideSrc, asideErr := ReadFile(ctx, aside, wantSHA256); asideErr == nil {
		return asideSrc, nil
	}
	return nil, err
}

// FindCopy is Check of the copy at path, or of its SetAsidePath when the
// file at path is not it.
func FindCopy(path, wantSHA256 string, wantSize int64) (State, error) {
	local, err := Check(path, wantSHA256, wantSize)
	if err == nil && local != Matches && fileIs(SetAsidePath(path, wantSHA256), wantSHA256, wantSize) {
		return Matches, nil
	}
	return local, err
}

// OriginalSHA256 is the SHA-256 of data without the marking this provider
// writes: the download it was made from, when data is a copy it wrote.
func OriginalSHA256(data []byte) string {
	if imagemeta.Marked(data) {
		if unmarked, err := unmarked(data); err == nil {
			data = unmarked
		}
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func fileIs(path, wantSHA256 string, wantSize int64) bool {
	local, err := Check(path, wantSHA256, wantSize)
	return err == nil && local == Matches
}

// fileSHA256 hashes the file at path as it reads it: a file set aside may
// be of any size.
func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if info, err := f.Stat(); err != nil {
		return "", err
	} else if !info.Mode().IsRegular() {
		return "", fmt.Errorf("%s is not a regular file", path)
	}
	hash := sha256.New()
	if _, err := io.Copy(hash, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(hash.Sum(nil)), nil
}
