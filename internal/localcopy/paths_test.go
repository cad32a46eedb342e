package localcopy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSamePath(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.MkdirAll(filepath.Join(dir, "out"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "out"), filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	abs := filepath.Join(dir, "out", "a.png")
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{"out/a.png", "./out/a.png", true},
		{"out/a.png", abs, true},
		{"out/../out/a.png", "out//a.png", true},
		{"link/a.png", "out/a.png", true}, // no file yet: the same folder
		{"out/a.png", "out/b.png", false},
		{"out/a.png", "a.png", false},
	} {
		if got := SamePath(tc.a, tc.b); got != tc.same {
			t.Errorf("SamePath(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.same)
		}
	}
	if err := os.WriteFile(abs, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if !SamePath("link/a.png", abs) {
		t.Error("a file reached through a link is not the same path as the file itself")
	}
	if SamePath("out/a.png", "out/missing.png") {
		t.Error("an existing file and a missing one are the same path")
	}
}

// Written knows a path in every spelling, and a nil set holds nothing.
func TestWritten(t *testing.T) {
	t.Chdir(t.TempDir())
	w := NewWritten()
	w.Note("out/a.png")
	if !w.Has("./out/a.png") || w.Has("out/b.png") {
		t.Error("Written does not know out/a.png by another spelling, or knows out/b.png")
	}
	var none *Written
	none.Note("a.png")
	if none.Has("a.png") {
		t.Error("a nil Written holds a path")
	}
}

func TestCheckWritable(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path, want string
	}{
		{filepath.Join(dir, "new", "deeper", "a.png"), ""},
		{file, ""},
		{dir, "it is a folder"},
		{filepath.Join(file, "a.png"), "is a file, not a folder"},
		{filepath.Join(file, "sub", "a.png"), "is a file, so the folder"},
	} {
		err := CheckWritable(tc.path)
		if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("CheckWritable(%q) = %v, want %q", tc.path, err, tc.want)
		}
	}
}
