package rendition

import (
	"bytes"
	"sync"
	"testing"

	"github.com/akool-community/terraform-provider-akool/internal/imagetest"
)

// A JPEG and a WebP of one box, rendered at the same time, resample the
// source once; their files are those of renders on their own.
func TestRenditionsOfOneBoxResampleOnce(t *testing.T) {
	data := imagetest.EncodePNG(t, imagetest.Photo(300, 200, false))
	src := decodeSource(t, data)
	specs := []Spec{
		{Width: 120, Height: 80, Format: JPEG}, {Width: 120, Height: 80, Format: WebP},
		{Width: 120, Height: 80, Format: PNG}, {Width: 60, Height: 60, Format: JPEG},
	}
	results := make([]Result, len(specs))
	var wg sync.WaitGroup
	for i, spec := range specs {
		wg.Go(func() {
			r, err := Render(src, spec)
			if err != nil {
				t.Error(err)
			}
			results[i] = r
		})
	}
	wg.Wait()
	if src.memo.made != 2 {
		t.Errorf("four renditions of two boxes resampled %d times, want 2", src.memo.made)
	}
	for i, spec := range specs {
		alone, err := Render(decodeSource(t, data), spec)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(alone.Data, results[i].Data) {
			t.Errorf("%dx%d %s: the file differs from the one rendered alone", spec.Width, spec.Height, spec.Format)
		}
	}
}

// Past its budget, a source resamples for each render and keeps nothing
// more.
func TestResampledKeepsWithinItsBudget(t *testing.T) {
	src := decodeSource(t, imagetest.EncodePNG(t, imagetest.Photo(100, 100, false)))
	// The budget is the source's 30000 bytes: a 90x90 output (24300
	// bytes) fits, a 60x60 one (10800) no longer does.
	for range 2 {
		for _, box := range []int{90, 60} {
			if _, err := Render(src, Spec{Width: box, Height: box, Format: JPEG}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if src.memo.made != 3 || src.memo.used != 90*90*3 {
		t.Errorf("resampled %d times, keeping %d bytes; want 3 (the 60x60 twice) and %d", src.memo.made, src.memo.used, 90*90*3)
	}
}
