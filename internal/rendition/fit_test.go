package rendition

import (
	"errors"
	"image"
	"image/color"
	"testing"

	"github.com/akool-community/terraform-provider-akool/internal/imagetest"
)

func TestSpecSize(t *testing.T) {
	for _, tc := range []struct {
		name          string
		spec          Spec
		srcW, srcH    int
		width, height int
	}{
		{"cover wide box", Spec{Width: 1200, Height: 630}, 2048, 2048, 1200, 630},
		{"cover tall box", Spec{Width: 400, Height: 800, Fit: Cover}, 2560, 1600, 400, 800},
		{"contain wide source", Spec{Width: 1080, Height: 1080, Fit: Contain}, 2560, 1600, 1080, 675},
		{"contain tall source", Spec{Width: 1000, Height: 1000, Fit: Contain}, 1200, 1600, 750, 1000},
		{"contain same shape", Spec{Width: 500, Height: 500, Fit: Contain}, 2048, 2048, 500, 500},
		{"contain tiny side", Spec{Width: 100, Height: 100, Fit: Contain}, 4000, 10, 100, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, h, err := tc.spec.Size(tc.srcW, tc.srcH)
			if err != nil {
				t.Fatal(err)
			}
			if w != tc.width || h != tc.height {
				t.Errorf("size = %dx%d, want %dx%d", w, h, tc.width, tc.height)
			}
		})
	}
}

func TestSpecSizeRefusesUpscaleUnlessAllowed(t *testing.T) {
	spec := Spec{Width: 1200, Height: 630, Format: JPEG}
	_, _, err := spec.Size(1024, 1024)
	var up *UpscaleError
	if !errors.As(err, &up) || up.Factor < 1.17 || up.Factor > 1.18 {
		t.Fatalf("err = %v, want an UpscaleError of 1.17 (1200/1024)", err)
	}
	spec.AllowUpscale = true
	if w, h, err := spec.Size(1024, 1024); err != nil || w != 1200 || h != 630 {
		t.Errorf("allowed upscale: %dx%d, %v", w, h, err)
	}
	// Contain never needs more than the source's own size along its
	// longer side: a 2000x500 source into 1000x1000 shrinks.
	if _, _, err := (Spec{Width: 1000, Height: 1000, Fit: Contain}).Size(2000, 500); err != nil {
		t.Errorf("contain of a wide source: %v", err)
	}
}

func TestSpecCheck(t *testing.T) {
	good := Spec{Width: 10, Height: 10, Format: WebP, Quality: 80}
	if err := good.Check(); err != nil {
		t.Fatalf("good spec: %v", err)
	}
	for name, s := range map[string]Spec{
		"zero width":       {Width: 0, Height: 10, Format: JPEG},
		"huge height":      {Width: 10, Height: MaxSide + 1, Format: JPEG},
		"unknown format":   {Width: 10, Height: 10, Format: "gif"},
		"quality 101":      {Width: 10, Height: 10, Format: JPEG, Quality: 101},
		"negative quality": {Width: 10, Height: 10, Format: JPEG, Quality: -1},
		"lossless jpeg":    {Width: 10, Height: 10, Format: JPEG, Lossless: true},
		"unknown fit":      {Width: 10, Height: 10, Format: PNG, Fit: "fill"},
		"unknown focus":    {Width: 10, Height: 10, Format: PNG, Focus: "face"},
	} {
		if err := s.Check(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestFormatOf(t *testing.T) {
	for path, want := range map[string]Format{"a/b.JPG": JPEG, "x.jpeg": JPEG, "x.png": PNG, "x.WebP": WebP, "x.gif": "", "x": ""} {
		got, ok := FormatOf(path)
		if got != want || ok != (want != "") {
			t.Errorf("FormatOf(%q) = %q, %v", path, got, ok)
		}
	}
}

// bands is a source of three vertical bands: red, green, blue, each a
// third of the width; a textured band when textured says which.
func bands(w, h, textured int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	cols := []color.NRGBA{{200, 30, 30, 255}, {30, 200, 30, 255}, {30, 30, 200, 255}}
	for y := range h {
		for x := range w {
			band := x * 3 / w
			c := cols[band]
			if band == textured && (x/2+y/2)%2 == 0 {
				c = color.NRGBA{250, 250, 250, 255}
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

func TestCoverCropsTheCentre(t *testing.T) {
	src := decodeSource(t, imagetest.EncodePNG(t, bands(900, 300, -1)))
	r, err := Render(src, Spec{Width: 100, Height: 100, Format: PNG})
	if err != nil {
		t.Fatal(err)
	}
	img := decodeAny(t, r.Data)
	// The square is the middle third: all green, with no red or blue band.
	for _, x := range []int{2, 50, 97} {
		c := nrgba(img.At(x, 50))
		if c.G < 190 || c.R > 40 || c.B > 40 {
			t.Errorf("pixel %d,50 = %v, want the green centre band", x, c)
		}
	}
}

func TestDetailFocusFollowsTheTexture(t *testing.T) {
	src := decodeSource(t, imagetest.EncodePNG(t, bands(900, 300, 2)))
	for focus, want := range map[Focus]string{Centre: "green", Detail: "blue"} {
		r, err := Render(src, Spec{Width: 100, Height: 100, Format: PNG, Focus: focus})
		if err != nil {
			t.Fatal(err)
		}
		img := decodeAny(t, r.Data)
		c := nrgba(img.At(50, 50))
		got := "green"
		if c.B > c.G {
			got = "blue"
		}
		if got != want {
			t.Errorf("focus %s: centre pixel %v is %s, want %s", focus, c, got, want)
		}
	}
}
