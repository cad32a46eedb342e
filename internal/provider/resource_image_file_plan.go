package provider

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
)

// writtenPaths are the files that image file resources wrote in one walk of
// a run (the provider's data is shared by every resource of a walk). With
// create_before_destroy, the replacing object writes the path before the
// replaced one is deleted, in the same apply: that delete must leave the new
// file alone, even when its bytes are the same as the old ones.
type writtenPaths struct {
	mu    sync.Mutex
	paths map[string]struct{}
}

func newWrittenPaths() *writtenPaths { return &writtenPaths{paths: map[string]struct{}{}} }

func (w *writtenPaths) note(filePath string) {
	if w == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.paths[cleanPath(filePath)] = struct{}{}
}

func (w *writtenPaths) has(filePath string) bool {
	if w == nil {
		return false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	_, ok := w.paths[cleanPath(filePath)]
	return ok
}

func cleanPath(filePath string) string {
	if abs, err := filepath.Abs(filePath); err == nil {
		return abs
	}
	return filepath.Clean(filePath)
}

// addUnwritablePathError fails the plan when the file at filePath cannot be
// written, so that nothing is generated (and paid for) only for the download
// to fail. It only looks: nothing is created at plan time.
func addUnwritablePathError(filePath string, diags *diag.Diagnostics) {
	if err := checkWritablePath(filePath); err != nil {
		diags.AddAttributeError(path.Root("path"), "Unable to Write Image File",
			fmt.Sprintf("The image cannot be written to %q: %v. Nothing was downloaded, and nothing is generated "+
				"for a file that cannot be written; an image that is already generated is kept, and its URL still "+
				"serves it. Choose another path, or fix the folders and permissions, and apply again: downloading "+
				"the image spends no credits.", filePath, err))
	}
}

// checkWritablePath reports why a file could not be written at filePath:
// it is a folder, or its folder cannot be created (a file stands where a
// folder must be, or the nearest existing folder is not writable).
func checkWritablePath(filePath string) error {
	if info, err := os.Stat(filePath); err == nil {
		if info.IsDir() {
			return errors.New("it is a folder")
		}
		if !info.Mode().IsRegular() {
			return errors.New("it is not a regular file")
		}
	}
	missing := ""
	for dir := filepath.Dir(filePath); ; dir = filepath.Dir(dir) {
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
