package rendition

import (
	"errors"
	"testing"
)

// animatedWebP is the head of an animated WebP: a VP8X chunk with the
// animation flag, for a 300x200 canvas, and an ANIM chunk.
func animatedWebP() []byte {
	vp8x := []byte{0x02, 0, 0, 0, 43, 1, 0, 199, 0, 0} // flags, reserved, width-1, height-1 (24-bit little endian)
	anim := []byte{0, 0, 0, 0, 0, 0}                   // background colour, loop count
	body := append([]byte("WEBPVP8X\x0a\x00\x00\x00"), vp8x...)
	body = append(append(body, "ANIM\x06\x00\x00\x00"...), anim...)
	n := len(body)
	return append([]byte{'R', 'I', 'F', 'F', byte(n), byte(n >> 8), 0, 0}, body...)
}

func TestProbeRefusesAnimatedWebP(t *testing.T) {
	_, err := Probe(animatedWebP())
	var notImage *NotImageError
	if !errors.As(err, &notImage) {
		t.Fatalf("Probe of an animated WebP = %v, want a NotImageError before any frame is decoded", err)
	}
	t.Log(err)
}
