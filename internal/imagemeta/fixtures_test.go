package imagemeta

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"

	"github.com/akool-community/terraform-provider-akool/internal/imagetest"
)

// fixture is one image file the tests mark.
type fixture struct {
	name   string
	data   []byte
	hasXMP bool // carries a packet before marking
}

// testImage is a small picture with a gradient, and transparency when alpha.
func testImage(w, h int, alpha bool) image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			a := uint8(255)
			if alpha {
				a = uint8(40 + 200*x/w)
			}
			img.Set(x, y, color.NRGBA{uint8(255 * x / w), uint8(255 * y / h), uint8(x * y), a})
		}
	}
	return img
}

func encodeJPEG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// insertAfterIHDR puts extra chunks right after a PNG's IHDR.
func insertAfterIHDR(data []byte, extra ...[]byte) []byte {
	at := len(pngSignature) + 8 + 13 + 4
	out := append([]byte(nil), data[:at]...)
	for _, c := range extra {
		out = append(out, c...)
	}
	return append(out, data[at:]...)
}

// jpegSegment builds a segment with its marker and length.
func jpegSegment(marker byte, payload []byte) []byte {
	n := len(payload) + 2
	return append([]byte{0xff, marker, byte(n >> 8), byte(n)}, payload...)
}

// insertAfterSOI puts segments right after a JPEG's SOI.
func insertAfterSOI(data []byte, segments ...[]byte) []byte {
	out := []byte{0xff, 0xd8}
	for _, s := range segments {
		out = append(out, s...)
	}
	return append(out, data[2:]...)
}

var (
	jfifSegment = jpegSegment(0xe0, []byte("JFIF\x00\x01\x02\x00\x00\x01\x00\x01\x00\x00"))
	exifSegment = jpegSegment(0xe1, []byte("Exif\x00\x00MM\x00*\x00\x00\x00\x08\x00\x00"))
	oldPacket   = []byte(`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">` +
		`<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:format>old</dc:format>` +
		`</rdf:Description></rdf:RDF></x:xmpmeta>`)
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// fixtures are the files every format test runs over: each format plain,
// with other metadata, and with an XMP packet already in place. The WebP
// files were made with libwebp's cwebp and webpmux.
func fixtures(t testing.TB) []fixture {
	opaque, alpha := testImage(24, 16, false), testImage(20, 14, true)
	pngPlain := imagetest.EncodePNG(t, alpha)
	jpegPlain := encodeJPEG(t, opaque)
	withText := insertAfterIHDR(pngPlain, pngChunk("tEXt", []byte("Comment\x00hello")))
	return []fixture{
		{name: "png", data: pngPlain},
		{name: "png-opaque", data: imagetest.EncodePNG(t, opaque)},
		{name: "png-text", data: withText},
		{name: "png-xmp", data: insertAfterIHDR(withText, pngXMPChunk(oldPacket)), hasXMP: true},
		{name: "png-xmp-late", data: insertPNGBeforeIEND(pngPlain, pngXMPChunk(oldPacket)), hasXMP: true},
		{name: "jpeg", data: jpegPlain},
		{name: "jpeg-jfif-exif", data: insertAfterSOI(jpegPlain, jfifSegment, exifSegment)},
		{name: "jpeg-xmp", data: insertAfterSOI(jpegPlain, jfifSegment, mustJPEGXMP(t, oldPacket)), hasXMP: true},
		{name: "jpeg-xmp-extended", data: insertAfterSOI(jpegPlain, jfifSegment, exifSegment, mustJPEGXMP(t, oldPacket),
			jpegSegment(0xe1, []byte(jpegExtendedHeader+"0123456789ABCDEF0123456789ABCDEF\x00\x00\x00\x10\x00\x00\x00\x00"))), hasXMP: true},
		{name: "jpeg-fill-bytes", data: insertAfterSOI(jpegPlain, append([]byte{0xff, 0xff}, jfifSegment...))},
		{name: "webp-lossy", data: readFixture(t, "lossy.webp")},
		{name: "webp-lossless-alpha", data: readFixture(t, "lossless-alpha.webp")},
		{name: "webp-lossy-alpha", data: readFixture(t, "lossy-alpha.webp")},
		{name: "webp-exif-xmp", data: readFixture(t, "exif-xmp.webp"), hasXMP: true},
	}
}

func insertPNGBeforeIEND(data []byte, chunk []byte) []byte {
	at := len(data) - 12
	out := append([]byte(nil), data[:at]...)
	out = append(out, chunk...)
	return append(out, data[at:]...)
}

func mustJPEGXMP(t testing.TB, packet []byte) []byte {
	seg, err := jpegXMPSegment(packet)
	if err != nil {
		t.Fatal(err)
	}
	return seg
}
