package emulator

import (
	"image"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// captionWords is how many words of the prompt a picture shows.
const captionWords = 5

// caption is the text drawn into a picture: the first words of its prompt,
// so that a person can tell the emulator's pictures apart. The font has
// ASCII only; other characters become '?'.
func caption(prompt string) string {
	words := strings.Fields(prompt)
	if len(words) > captionWords {
		words = append(words[:captionWords], "...")
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return '?'
		}
		return r
	}, strings.Join(words, " "))
}

// drawCaption writes text in white on a darkened band along the bottom of
// rect. Everything is measured in blocks of scale pixels, proportional to
// rect's width, so an upscale shows its sub-image's caption at twice the size.
func drawCaption(img *image.RGBA, rect image.Rectangle, text string) {
	if text == "" {
		return
	}
	face := basicfont.Face7x13
	scale := max(1, rect.Dx()/256)
	pad := 3 * scale
	if maxChars := (rect.Dx() - 2*pad) / (face.Advance * scale); len(text) > maxChars {
		if maxChars < 4 {
			return
		}
		text = text[:maxChars-3] + "..."
	}
	glyphs := image.NewAlpha(image.Rect(0, 0, face.Advance*len(text), face.Height))
	d := font.Drawer{Dst: glyphs, Src: image.Opaque, Face: face, Dot: fixed.P(0, face.Ascent)}
	d.DrawString(text)

	top := rect.Max.Y - face.Height*scale - 2*pad
	if top < rect.Min.Y {
		return
	}
	for y := top; y < rect.Max.Y; y++ {
		for x := rect.Min.X; x < rect.Max.X; x++ {
			p := img.Pix[img.PixOffset(x, y):]
			for c := range 3 {
				p[c] = uint8(int(p[c]) * 2 / 5)
			}
		}
	}
	x0, y0 := rect.Min.X+pad, top+pad
	b := glyphs.Bounds()
	for gy := b.Min.Y; gy < b.Max.Y; gy++ {
		for gx := b.Min.X; gx < b.Max.X; gx++ {
			if glyphs.AlphaAt(gx, gy).A < 128 {
				continue
			}
			for dy := range scale {
				for dx := range scale {
					x, y := x0+gx*scale+dx, y0+gy*scale+dy
					if (image.Point{x, y}).In(rect) {
						copy(img.Pix[img.PixOffset(x, y):], []uint8{250, 250, 245, 255})
					}
				}
			}
		}
	}
}
