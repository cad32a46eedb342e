package localcopy

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/akool-community/terraform-provider-akool/internal/localcopy/localcopytest"
)

// Two copies whose paths are swapped: Place sets the other file aside
// instead of writing over it, ReadCopy finds it there by its checksum, and
// Release of the old paths leaves both pictures and no set-aside file.
func TestPlaceSwapKeepsBothCopies(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.png"), filepath.Join(dir, "b.png")
	picA, picB := localcopytest.Picture(t, "png", 5, 3), localcopytest.Picture(t, "png", 3, 5)
	sumA, sumB := localcopytest.SHA256Hex(picA), localcopytest.SHA256Hex(picB)
	for path, data := range map[string][]byte{a: picA, b: picB} {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	w := NewWritten()

	// A moves to b.png first.
	srcA, err := ReadCopy(t.Context(), a, sumA)
	if err != nil {
		t.Fatal(err)
	}
	placed, err := w.Place(b, srcA.Data, true, sumA)
	if err != nil || placed.SetAside != SetAsidePath(b, sumB) {
		t.Fatalf("Place = %+v, %v; want B's copy set aside", placed, err)
	}
	if released, err := w.Release(a, sumA, int64(len(picA))); released != Deleted || err != nil {
		t.Fatalf("Release(a) = %v, %v", released, err)
	}

	// B finds its copy set aside, and moves to a.png.
	srcB, err := ReadCopy(t.Context(), b, sumB)
	if err != nil || !bytes.Equal(srcB.Data, picB) {
		t.Fatalf("ReadCopy(b) = %v; want B's picture from where it was set aside", err)
	}
	if placed, err := w.Place(a, srcB.Data, true, sumB); err != nil || placed.SetAside != "" {
		t.Fatalf("Place(a) = %+v, %v", placed, err)
	}
	if released, err := w.Release(b, sumB, int64(len(picB))); released != WrittenAgain || err != nil {
		t.Fatalf("Release(b) = %v, %v; want b.png left to A, which wrote it", released, err)
	}
	for path, want := range map[string][]byte{a: picB, b: picA} {
		if got, _ := os.ReadFile(path); !bytes.Equal(got, want) {
			t.Errorf("%s does not hold the swapped picture", path)
		}
	}
	assertDirHasOnly(t, dir, "a.png", "b.png")
}

// Two spellings of one file clash; the same owner claiming again does not.
func TestClaims(t *testing.T) {
	dir := t.TempDir()
	var c Claims
	if _, clash := c.Claim(filepath.Join(dir, "out", "hero.png"), "one"); clash {
		t.Fatal("first claim clashes")
	}
	if _, clash := c.Claim(filepath.Join(dir, "out", "hero.png"), "one"); clash {
		t.Error("the same owner claiming again clashes")
	}
	other, clash := c.Claim(filepath.Join(dir, "out", "..", "out", "hero.png"), "two")
	if !clash || other != filepath.Join(dir, "out", "hero.png") {
		t.Errorf("Claim of another spelling = %q, %v; want a clash naming the first", other, clash)
	}
	if _, clash := c.Claim(filepath.Join(dir, "out", "other.png"), "three"); clash {
		t.Error("another file clashes")
	}
}
