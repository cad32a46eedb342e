package rendition

import (
	"bytes"
	"image"
	"image/color"
	"math/rand/v2"
	"testing"

	"github.com/gen2brain/webp"

	"github.com/akool-community/terraform-provider-akool/internal/imagetest"
)

// The planes yuv420 makes are the ones libwebp makes from RGBA itself:
// the encoded files are the same, byte for byte, also at odd sizes.
func TestYUV420EncodesAsLibWebPsOwnImport(t *testing.T) {
	for _, size := range [][2]int{{64, 48}, {63, 47}, {1, 1}, {2, 7}} {
		photo := imagetest.Photo(size[0], size[1], false)
		noisy(photo)
		px := packRGB(photo.Pix, size[0], size[1])
		var fromRGBA, fromYUV bytes.Buffer
		opts := webpOptions(80, false)
		if err := webp.Encode(&fromRGBA, straightNRGBA(px), opts); err != nil {
			t.Fatal(err)
		}
		if err := webp.Encode(&fromYUV, yuv420(px), opts); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(fromRGBA.Bytes(), fromYUV.Bytes()) {
			t.Errorf("%dx%d: the WebP from yuv420's planes (%d bytes) differs from libwebp's own import (%d bytes)",
				size[0], size[1], fromYUV.Len(), fromRGBA.Len())
		}
	}
}

// noisy puts random colours, pure primaries among them (the chroma's
// extremes), into a third of an opaque image's pixels.
func noisy(img *image.NRGBA) {
	rng := rand.New(rand.NewPCG(3, 4))
	primaries := []color.NRGBA{{255, 0, 0, 255}, {0, 0, 255, 255}, {0, 255, 0, 255}, {255, 255, 0, 255}}
	for i := 0; i < len(img.Pix)/4; i++ {
		switch i % 3 {
		case 0:
			c := primaries[rng.IntN(len(primaries))]
			copy(img.Pix[4*i:], []uint8{c.R, c.G, c.B})
		case 1:
			copy(img.Pix[4*i:], []uint8{uint8(rng.IntN(256)), uint8(rng.IntN(256)), uint8(rng.IntN(256))})
		}
	}
}
