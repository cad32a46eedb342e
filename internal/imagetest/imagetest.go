// Package imagetest holds the pictures and encoders that the tests of the
// image packages (imagemeta, rendition, bench) build their inputs from.
package imagetest

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
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

// Photo is a smooth, photograph-like test image: gradients and soft
// circles, opaque unless alpha says otherwise.
func Photo(w, h int, alpha bool) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			fx, fy := float64(x)/float64(w), float64(y)/float64(h)
			r := 128 + 100*math.Sin(6*fx+2*fy)
			g := 128 + 90*math.Cos(5*fy-3*fx)
			b := 128 + 80*math.Sin(9*fx*fy)
			a := 255.0
			if alpha {
				a = 255 * math.Min(1, math.Hypot(fx-0.5, fy-0.5)*2)
			}
			img.SetNRGBA(x, y, color.NRGBA{uint8(r), uint8(g), uint8(b), uint8(a)})
		}
	}
	return img
}
