// Package exiftooltest reads image metadata in tests with ExifTool, a
// reader this project did not write, so that tests check the marking the
// way the rest of the world will read it.
package exiftooltest

import (
	"encoding/json"
	"os/exec"
	"testing"
)

// Install says how to get ExifTool.
const Install = "install it with `apt-get install libimage-exiftool-perl` (Debian, Ubuntu) or from https://exiftool.org; .ci/run installs it"

// Read returns the XMP tags ExifTool finds in the file at path, keyed by
// group and name as in "XMP-iptcExt:DigitalSourceType", with raw values
// (-n), and the file type it reports under "File:FileType". It fails the
// test when ExifTool is missing: a test that needs an independent reader
// must not pass without one.
func Read(t testing.TB, path string) map[string]any {
	t.Helper()
	bin, err := exec.LookPath("exiftool")
	if err != nil {
		t.Fatalf("this test reads the marking back with exiftool, which is not on PATH: %s", Install)
	}
	out, err := exec.CommandContext(t.Context(), bin, "-j", "-n", "-a", "-G1", "-XMP:all", "-File:FileType", "-Warning", "-Error", path).Output()
	if err != nil {
		t.Fatalf("exiftool %s: %v", path, err)
	}
	var files []map[string]any
	if err := json.Unmarshal(out, &files); err != nil || len(files) != 1 {
		t.Fatalf("exiftool %s: unexpected output %q (%v)", path, out, err)
	}
	return files[0]
}
