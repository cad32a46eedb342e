package rendition

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/image/webp"
)

func decodeSource(t testing.TB, data []byte) *Source {
	t.Helper()
	src, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// decodeAny decodes a rendition with a decoder this package does not
// call for output: the standard library, or gen2brain's for WebP.
func decodeAny(t testing.TB, data []byte) image.Image {
	t.Helper()
	var img image.Image
	var err error
	switch f, _ := sniff(data); f {
	case PNG:
		img, err = png.Decode(bytes.NewReader(data))
	case JPEG:
		img, err = jpeg.Decode(bytes.NewReader(data))
	case WebP:
		img, err = webp.Decode(bytes.NewReader(data))
	default:
		t.Fatalf("the rendition is no PNG, JPEG or WebP: % x", data[:min(len(data), 16)])
	}
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// psnr compares two images of the same size over RGB, in dB.
func psnr(t testing.TB, a, b image.Image) float64 {
	t.Helper()
	if a.Bounds().Size() != b.Bounds().Size() {
		t.Fatalf("sizes differ: %v and %v", a.Bounds().Size(), b.Bounds().Size())
	}
	var sum float64
	ab, bb := a.Bounds(), b.Bounds()
	for y := range ab.Dy() {
		for x := range ab.Dx() {
			r1, g1, b1, _ := a.At(ab.Min.X+x, ab.Min.Y+y).RGBA()
			r2, g2, b2, _ := b.At(bb.Min.X+x, bb.Min.Y+y).RGBA()
			for _, d := range []float64{float64(r1>>8) - float64(r2>>8), float64(g1>>8) - float64(g2>>8), float64(b1>>8) - float64(b2>>8)} {
				sum += d * d
			}
		}
	}
	mse := sum / float64(3*ab.Dx()*ab.Dy())
	if mse == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(255*255/mse)
}

func writeTemp(t testing.TB, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// nrgba is a colour as non-premultiplied 8-bit RGBA.
func nrgba(c color.Color) color.NRGBA {
	n, _ := color.NRGBAModel.Convert(c).(color.NRGBA)
	return n
}
