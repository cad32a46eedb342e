package bench

import (
	"image"
	"math"
	"testing"
	"time"

	"github.com/akool-community/terraform-provider-akool/internal/imagetest"
)

func TestLanczosReferenceKeepsAnImageAtItsOwnSize(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 40, 30))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 37 % 251)
	}
	for i := 3; i < len(img.Pix); i += 4 {
		img.Pix[i] = 255
	}
	ref := LanczosReference(img, 40, 30, 0, 0, 40, 30)
	if p := PSNR(img, ref); !math.IsInf(p, 1) {
		t.Errorf("PSNR of an image against its own-size reference = %.1f dB, want identical", p)
	}
	// A window: the reference of the crop at 5,4 is those pixels.
	crop := img.SubImage(image.Rect(5, 4, 25, 14))
	if p := PSNR(crop, LanczosReference(img, 40, 30, 5, 4, 20, 10)); !math.IsInf(p, 1) {
		t.Errorf("PSNR of a crop = %.1f dB, want identical", p)
	}
}

func TestLanczosReferenceAveragesWhenItShrinks(t *testing.T) {
	img := imagetest.Checkerboard(300, 300)
	ref := LanczosReference(img, 100, 100, 0, 0, 100, 100)
	for _, v := range []float64{ref[0], ref[3*(50*100+50)], ref[len(ref)-1]} {
		if v < 120 || v > 135 {
			t.Errorf("shrunk checkerboard = %.1f, want grey about 127", v)
		}
	}
}

func TestRenditionTargets(t *testing.T) {
	good := OutputFigures{Output: RenditionOutputs[0], Ours: Run{Wall: time.Second}, Vips: Run{Wall: time.Second},
		OurBytes: 110, VipsBytes: 100, OurPSNR: 39.5, VipsPSNR: 40, OurMarked: true}
	f := RenditionFigures{Outputs: []OutputFigures{good}, Six: Run{Wall: time.Second}, SixVips: Run{Wall: 2 * time.Second}}
	for _, c := range RenditionTargets(f) {
		if !c.OK {
			t.Errorf("%s failed at its limit: %s", c.Name, c)
		}
	}
	bad := good
	bad.OurBytes, bad.OurPSNR, bad.OurMarked, bad.Ours.Wall = 111, 39.4, false, 1001*time.Millisecond
	f.Outputs, f.Six.Wall = []OutputFigures{bad}, 1001*time.Millisecond
	failed := 0
	for _, c := range RenditionTargets(f) {
		if !c.OK {
			failed++
		}
	}
	if failed != 5 {
		t.Errorf("%d targets missed, want all 5", failed)
	}
}
