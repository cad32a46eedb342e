package localcopy

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
)

// SamePath reports whether a and b name the same file: the same absolute
// path once cleaned (relative paths are relative to the working
// directory), or the same file reached another way, such as through a
// symbolic link or another letter case.
func SamePath(a, b string) bool {
	if a == b {
		return true
	}
	ca, cb := CleanPath(a), CleanPath(b)
	if ca == cb {
		return true
	}
	ia, errA := os.Stat(ca)
	ib, errB := os.Stat(cb)
	if errA == nil || errB == nil {
		return errA == nil && errB == nil && os.SameFile(ia, ib)
	}
	// Neither exists yet: the same name in the same folder.
	da, errA := os.Stat(filepath.Dir(ca))
	db, errB := os.Stat(filepath.Dir(cb))
	return filepath.Base(ca) == filepath.Base(cb) && errA == nil && errB == nil && os.SameFile(da, db)
}

// CleanPath is path made absolute and clean, or just clean when the working
// directory cannot be found.
func CleanPath(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return filepath.Clean(path)
}

// Written is a set of paths written, by their clean absolute form; safe for
// concurrent use, and a nil *Written holds nothing.
type Written struct {
	mu    sync.Mutex
	paths map[string]struct{}
}

// NewWritten returns an empty set.
func NewWritten() *Written { return &Written{paths: map[string]struct{}{}} }

// Note adds path to the set.
func (w *Written) Note(path string) {
	if w == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.paths[CleanPath(path)] = struct{}{}
}

// Claim adds path to the set and reports whether it was not there yet, in
// one step: of two writers claiming one file at once, exactly one gets it.
func (w *Written) Claim(path string) bool {
	if w == nil {
		return true
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	clean := CleanPath(path)
	if _, ok := w.paths[clean]; ok {
		return false
	}
	w.paths[clean] = struct{}{}
	return true
}

// Has reports whether the set holds path (in any spelling that cleans to
// the same absolute path).
func (w *Written) Has(path string) bool {
	if w == nil {
		return false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	_, ok := w.paths[CleanPath(path)]
	return ok
}

// CheckWritable reports why a file could not be written at path: it is a
// folder or not a regular file, or its folder cannot be created (a file
// stands where a folder must be, or the nearest existing folder is not
// writable). It only looks: nothing is created.
func CheckWritable(path string) error {
	if info, err := os.Stat(path); err == nil {
		if info.IsDir() {
			return errors.New("it is a folder")
		}
		if !info.Mode().IsRegular() {
			return errors.New("it is not a regular file")
		}
	}
	missing := ""
	for dir := filepath.Dir(path); ; dir = filepath.Dir(dir) {
		info, err := os.Stat(dir)
		switch {
		case err == nil && !info.IsDir():
			if missing == "" {
				return fmt.Errorf("%s is a file, not a folder", dir)
			}
			return fmt.Errorf("%s is a file, so the folder %s cannot be created", dir, missing)
		case err == nil:
			if err := checkWritableDir(dir); err != nil {
				return fmt.Errorf("the folder %s is not writable: %w", dir, err)
			}
			return nil
		case errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ENOTDIR):
			missing = dir
		default:
			return fmt.Errorf("checking %s failed: %w", dir, err)
		}
		if parent := filepath.Dir(dir); parent == dir {
			return nil
		}
	}
}

// Claims are the paths that the copies planned in one walk write, with the
// spelling each uses, so that two copies of one file are found before
// either is written; safe for concurrent use.
type Claims struct {
	mu      sync.Mutex
	entries []claim
}

type claim struct{ spelling, owner string }

// Claim records that owner writes the file that spelling names. When
// another owner already claimed that file (under any spelling, see
// SamePath), it returns that owner's spelling and true. Claiming again
// under the same owner is no clash: Terraform plans a replacement twice.
func (c *Claims) Claim(spelling, owner string) (other string, clash bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range c.entries {
		if SamePath(e.spelling, spelling) {
			if e.owner == owner {
				return "", false
			}
			return e.spelling, true
		}
	}
	c.entries = append(c.entries, claim{spelling: spelling, owner: owner})
	return "", false
}
