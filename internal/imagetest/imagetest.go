// Package imagetest holds the pictures and encoders that the tests of the
// image packages (imagemeta, rendition, bench) build their inputs from.
package imagetest

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"
)

// EncodePNG encodes img as PNG, failing the test when it cannot.
func EncodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Checkerboard is an opaque w x h image of alternating black and white
// pixels: shrunk by a resampling filter that averages, it turns grey (127).
func Checkerboard(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			v := uint8(255 * ((x + y) % 2))
			img.SetNRGBA(x, y, color.NRGBA{v, v, v, 255})
		}
	}
	return img
}
