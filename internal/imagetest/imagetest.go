// Package imagetest holds the pictures, encoders and metadata that the
// tests of the image packages (imagemeta, rendition, bench) and of the
// provider's image resources build their inputs from.
package imagetest

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"testing"
)

// ForeignXMP is an XMP packet that another tool wrote into a picture: a
// copyright notice (as an element) and keywords, with a creator tool as an
// attribute.
const ForeignXMP = `<?xpacket begin="` + "\uFEFF" + `" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xap="http://ns.adobe.com/xap/1.0/" xap:CreatorTool="Camera 1.0">
   <dc:rights><rdf:Alt><rdf:li xml:lang="x-default">© Alice</rdf:li></rdf:Alt></dc:rights>
   <dc:subject><rdf:Bag><rdf:li>harbour</rdf:li><rdf:li>boats</rdf:li></rdf:Bag></dc:subject>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>`

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
