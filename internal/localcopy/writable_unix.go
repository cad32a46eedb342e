//go:build unix

package localcopy

import "golang.org/x/sys/unix"

// checkWritableDir reports whether the process may create files in dir,
// asking the operating system without creating anything.
func checkWritableDir(dir string) error {
	return unix.Access(dir, unix.W_OK|unix.X_OK)
}
