package emulator

import (
	"image"
	"testing"
)

func TestCaption(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"a lake":                                 "a lake",
		"  A lighthouse on a cliff at sunrise  ": "A lighthouse on a cliff ...",
		"café au lait":                           "caf? au lait",
		"":                                       "",
	} {
		if got := caption(in); got != want {
			t.Errorf("caption(%q) = %q, want %q", in, got, want)
		}
	}
}

// The caption is drawn in light pixels inside a band along the bottom, and
// different prompts draw different text.
func TestDrawCaption(t *testing.T) {
	t.Parallel()
	draw := func(text string) *image.RGBA {
		img := image.NewRGBA(image.Rect(0, 0, 512, 288))
		for i := range img.Pix {
			img.Pix[i] = 128
		}
		drawCaption(img, img.Rect, text)
		return img
	}
	lake := draw("a lake")
	light := 0
	for y := range 288 {
		for x := range 512 {
			if lake.Pix[lake.PixOffset(x, y)] > 200 {
				if y < 288-13*2-2*6 {
					t.Fatalf("caption pixel at (%d, %d), above the bottom band", x, y)
				}
				light++
			}
		}
	}
	if light < 100 {
		t.Errorf("only %d caption pixels drawn; the text is not visible", light)
	}
	if string(draw("a forest").Pix) == string(lake.Pix) {
		t.Error("two prompts draw the same caption")
	}
}
