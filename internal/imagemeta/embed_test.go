package imagemeta

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/draw"
	"strings"
	"testing"
	"time"

	_ "golang.org/x/image/webp" // registers WebP with image.Decode

	"github.com/akool-community/terraform-provider-akool/internal/imagetest"
)

var testMarking = Marking{
	DigitalSourceType: TrainedAlgorithmicMedia,
	CreatorTool:       "Akool via terraform-provider-akool test",
	CreateDate:        time.Date(2026, 5, 1, 12, 30, 0, 0, time.UTC),
	JobID:             "662a10df4197b3af58532e89",
}

// decodeRGBA decodes data into NRGBA pixels, so that two files compare
// pixel by pixel whatever their colour models.
func decodeRGBA(t *testing.T, data []byte) *image.NRGBA {
	t.Helper()
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("decoding: %v", err)
	}
	out := image.NewNRGBA(img.Bounds())
	draw.Draw(out, out.Bounds(), img, img.Bounds().Min, draw.Src)
	return out
}

func TestEmbedKeepsPixelsAndReplacesPackets(t *testing.T) {
	first, second := Packet(testMarking), Packet(Marking{DigitalSourceType: CompositeWithTrainedAlgorithmicMedia, Headline: "second"})
	for _, f := range fixtures(t) {
		t.Run(f.name, func(t *testing.T) {
			marked, err := Embed(f.data, first)
			if err != nil {
				t.Fatalf("Embed: %v", err)
			}
			if got, want := decodeRGBA(t, marked), decodeRGBA(t, f.data); !bytes.Equal(got.Pix, want.Pix) || got.Rect != want.Rect {
				t.Fatalf("the marked file decodes to other pixels than the original")
			}
			if n := bytes.Count(marked, []byte("<x:xmpmeta")); n != 1 {
				t.Fatalf("marked file holds %d XMP packets, want 1", n)
			}
			if bytes.Contains(marked, []byte("<dc:format>old")) {
				t.Fatalf("the packet the file had is still there")
			}
			if !bytes.Contains(marked, first) {
				t.Fatalf("the packet is not in the file")
			}
			again, err := Embed(marked, second)
			if err != nil {
				t.Fatalf("Embed of a marked file: %v", err)
			}
			direct, _ := Embed(f.data, second)
			if !bytes.Equal(again, direct) {
				t.Fatalf("marking a marked file differs from marking the original")
			}
			if bytes.Contains(again, first) || bytes.Count(again, []byte("<x:xmpmeta")) != 1 {
				t.Fatalf("marking again left the first packet or duplicated one")
			}
			removed, err := Remove(marked)
			if err != nil {
				t.Fatalf("Remove: %v", err)
			}
			if bytes.Contains(removed, []byte("<x:xmpmeta")) {
				t.Fatalf("Remove left a packet")
			}
			if !f.hasXMP && !bytes.Equal(removed, f.data) {
				t.Fatalf("Remove did not give back the original bytes")
			}
			if got, want := decodeRGBA(t, removed), decodeRGBA(t, f.data); !bytes.Equal(got.Pix, want.Pix) {
				t.Fatalf("the unmarked file decodes to other pixels than the original")
			}
		})
	}
}

func TestEmbedPNGPutsOneValidITXtAfterIHDR(t *testing.T) {
	marked, err := Embed(imagetest.EncodePNG(t, testImage(8, 8, false)), Packet(testMarking))
	if err != nil {
		t.Fatal(err)
	}
	chunks, trailer, err := pngChunks(marked)
	if err != nil || len(trailer) != 0 {
		t.Fatalf("pngChunks: %v, trailer %d bytes", err, len(trailer))
	}
	if string(chunks[1][4:8]) != "iTXt" || !isPNGXMP(chunks[1]) {
		t.Fatalf("second chunk is %q, want the XMP iTXt chunk", chunks[1][4:8])
	}
	for _, c := range chunks {
		if got := binary.BigEndian.Uint32(c[len(c)-4:]); got != crc32.ChecksumIEEE(c[4:len(c)-4]) {
			t.Fatalf("chunk %q has a wrong CRC", c[4:8])
		}
	}
	data := chunks[1][8 : len(chunks[1])-4]
	if !bytes.HasPrefix(data, []byte("XML:com.adobe.xmp\x00\x00\x00\x00\x00<?xpacket")) {
		t.Fatalf("iTXt data starts %q, want the keyword, no compression, empty language and translated keyword", data[:30])
	}
}

func TestEmbedJPEGPlacesXMPAfterJFIFAndExif(t *testing.T) {
	plain := encodeJPEG(t, testImage(8, 8, false))
	for _, tc := range []struct {
		name   string
		before [][]byte // segments inserted after SOI
		want   []byte   // what must come between SOI and the XMP segment
	}{
		{"bare", nil, nil},
		{"jfif", [][]byte{jfifSegment}, jfifSegment},
		{"jfif-exif", [][]byte{jfifSegment, exifSegment}, append(append([]byte(nil), jfifSegment...), exifSegment...)},
		{"old-xmp-before-exif", [][]byte{jfifSegment, mustJPEGXMP(t, oldPacket), exifSegment},
			append(append([]byte(nil), jfifSegment...), exifSegment...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			marked, err := Embed(insertAfterSOI(plain, tc.before...), Packet(testMarking))
			if err != nil {
				t.Fatal(err)
			}
			seg := mustJPEGXMP(t, Packet(testMarking))
			at := bytes.Index(marked, seg)
			if at < 0 {
				t.Fatal("the XMP segment is not in the file")
			}
			if got := marked[2:at]; !bytes.Equal(got, tc.want) {
				t.Fatalf("before the XMP segment: % x, want % x", got, tc.want)
			}
		})
	}
}

func TestEmbedJPEGDropsExtendedXMP(t *testing.T) {
	ext := jpegSegment(0xe1, []byte(jpegExtendedHeader+"0123456789ABCDEF0123456789ABCDEF\x00\x00\x00\x04\x00\x00\x00\x00abcd"))
	marked, err := Embed(insertAfterSOI(encodeJPEG(t, testImage(8, 8, false)), ext), Packet(testMarking))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(marked, []byte(jpegExtendedHeader)) {
		t.Fatal("an extended XMP segment is left without its main packet")
	}
}

func TestEmbedWebPWritesTheExtendedLayout(t *testing.T) {
	odd := Packet(Marking{DigitalSourceType: TrainedAlgorithmicMedia, Headline: "x"})
	if len(odd)%2 == 0 {
		odd = Packet(Marking{DigitalSourceType: TrainedAlgorithmicMedia, Headline: "xy"})
	}
	for _, tc := range []struct {
		file          string
		flags         byte // VP8X flags after marking
		width, height uint32
		order         string
	}{
		// The flags and sizes are those webpmux (libwebp) writes for the same files.
		{"lossy.webp", 0x04, 24, 16, "VP8X VP8  XMP "},
		{"lossless-alpha.webp", 0x14, 20, 14, "VP8X VP8L XMP "},
		{"lossy-alpha.webp", 0x14, 20, 14, "VP8X ALPH VP8  XMP "},
		{"exif-xmp.webp", 0x0c, 24, 16, "VP8X VP8  EXIF XMP "},
	} {
		t.Run(tc.file, func(t *testing.T) {
			marked, err := Embed(readFixture(t, tc.file), odd)
			if err != nil {
				t.Fatal(err)
			}
			if got := binary.LittleEndian.Uint32(marked[4:8]); int(got) != len(marked)-8 {
				t.Fatalf("RIFF size %d, want %d", got, len(marked)-8)
			}
			chunks, _, err := webpChunks(marked)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, c := range chunks {
				ids = append(ids, c.id)
			}
			if got := strings.Join(ids, " "); got != tc.order {
				t.Fatalf("chunks %q, want %q", got, tc.order)
			}
			h := chunks[0].payload
			w := uint32(h[4]) | uint32(h[5])<<8 | uint32(h[6])<<16 + 1
			ht := uint32(h[7]) | uint32(h[8])<<8 | uint32(h[9])<<16 + 1
			if h[0] != tc.flags || w != tc.width || ht != tc.height {
				t.Fatalf("VP8X flags %#x %dx%d, want %#x %dx%d", h[0], w, ht, tc.flags, tc.width, tc.height)
			}
			if !bytes.Equal(chunks[len(chunks)-1].payload, odd) || len(marked)%2 != 0 {
				t.Fatal("the odd-sized XMP chunk is not the padded last chunk")
			}
		})
	}
}

func TestEmbedRefusesFormatsItCannotMark(t *testing.T) {
	gif := []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;")
	for _, tc := range []struct {
		name   string
		data   []byte
		format string
	}{
		{"gif", gif, "GIF"},
		{"empty", nil, "unknown"},
		{"text", []byte("<html>not an image</html>"), "unknown"},
		{"riff-not-webp", []byte("RIFF\x04\x00\x00\x00WAVE"), "unknown"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Embed(tc.data, Packet(testMarking))
			var unsupported *UnsupportedFormatError
			if !errors.As(err, &unsupported) || unsupported.Format != tc.format {
				t.Fatalf("Embed: %v, want an UnsupportedFormatError for %s", err, tc.format)
			}
			if _, err := Remove(tc.data); !errors.As(err, &unsupported) {
				t.Fatalf("Remove: %v, want an UnsupportedFormatError", err)
			}
		})
	}
}

func TestEmbedRefusesDamagedFiles(t *testing.T) {
	png := imagetest.EncodePNG(t, testImage(8, 8, false))
	jpg := encodeJPEG(t, testImage(8, 8, false))
	webp := readFixture(t, "lossy.webp")
	withSize := func(data []byte, size uint32) []byte {
		out := append([]byte(nil), data...)
		binary.LittleEndian.PutUint32(out[4:8], size)
		return out
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"png-signature-only", png[:8]},
		{"png-truncated", png[:len(png)-20]},
		{"png-no-iend", png[:len(png)-12]},
		{"png-first-chunk-not-ihdr", append(append([]byte(nil), pngSignature...), pngChunk("tEXt", []byte("a\x00b"))...)},
		{"png-chunk-too-long", append(append([]byte(nil), png[:8]...), 0x7f, 0xff, 0xff, 0xff, 'I', 'H', 'D', 'R')},
		{"jpeg-soi-only", jpg[:2]},
		{"jpeg-segment-truncated", jpg[:10]},
		{"jpeg-bad-length", append([]byte{0xff, 0xd8, 0xff, 0xe0, 0x00, 0x01}, jpg[2:]...)},
		{"jpeg-no-marker", append([]byte{0xff, 0xd8, 0x00}, jpg[2:]...)},
		{"webp-riff-size-too-large", withSize(webp, uint32(len(webp)))},
		{"webp-riff-size-too-small", withSize(webp, 2)},
		{"webp-chunk-too-long", append(withSize(webp, uint32(len(webp)-8+12)), 'U', 'N', 'K', 'N', 0xff, 0xff, 0, 0, 1, 2, 3, 4)},
		{"webp-simple-with-two-chunks", append(withSize(webp, uint32(len(webp)-8+10)), 'U', 'N', 'K', 'N', 2, 0, 0, 0, 1, 2)},
		{"webp-header-only", withSize([]byte("RIFF\x00\x00\x00\x00WEBP"), 4)},
		{"webp-vp8-without-start-code", append(withSize([]byte("RIFF\x00\x00\x00\x00WEBP"), 4+8+10), "VP8 \x0a\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Embed(tc.data, Packet(testMarking))
			var malformed *MalformedError
			if !errors.As(err, &malformed) {
				t.Fatalf("Embed: %v, want a MalformedError", err)
			}
		})
	}
}

func TestEmbedJPEGRefusesAPacketTooLargeForOneSegment(t *testing.T) {
	jpg := encodeJPEG(t, testImage(8, 8, false))
	big := Packet(Marking{Prompt: strings.Repeat("p", 70000)})
	if _, err := Embed(jpg, big); !errors.Is(err, ErrPacketTooLarge) {
		t.Fatalf("Embed: %v, want ErrPacketTooLarge", err)
	}
	// The limit that the error names is the one Embed applies.
	base := Packet(Marking{})
	pad := func(n int) []byte { return append(bytes.Repeat([]byte(" "), n-len(base)), base...) }
	if _, err := Embed(jpg, pad(65504)); err != nil {
		t.Errorf("a packet of 65504 bytes: %v", err)
	}
	if _, err := Embed(jpg, pad(65505)); !errors.Is(err, ErrPacketTooLarge) || !strings.Contains(err.Error(), " 65504 bytes") {
		t.Errorf("a packet of 65505 bytes: %v", err)
	}
	// PNG and WebP have no such limit.
	if _, err := Embed(imagetest.EncodePNG(t, testImage(8, 8, false)), big); err != nil {
		t.Fatalf("PNG: %v", err)
	}
}

func TestEmbedLeavesFilesWithContentCredentialsAlone(t *testing.T) {
	webp := readFixture(t, "lossy-alpha.webp") // extended: a C2PA chunk may follow the image
	signedWebP := append(append([]byte(nil), webp...), "C2PA\x04\x00\x00\x00jumb"...)
	binary.LittleEndian.PutUint32(signedWebP[4:8], uint32(len(signedWebP)-8))
	jumbf := []byte("JP\x00\x01\x00\x00\x00\x01\x00\x00\x00\x20jumb\x00\x00\x00\x18jumdc2pa")
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"png", insertPNGBeforeIEND(imagetest.EncodePNG(t, testImage(8, 8, false)), pngChunk("caBX", []byte("\x00\x00\x00\x10jumbc2pa")))},
		{"jpeg", insertAfterSOI(encodeJPEG(t, testImage(8, 8, false)), jfifSegment, jpegSegment(0xeb, jumbf))},
		{"webp", signedWebP},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Embed(tc.data, Packet(testMarking))
			var signed *SignedError
			if !errors.As(err, &signed) {
				t.Fatalf("Embed: %v, want a SignedError", err)
			}
		})
	}
	// An APP11 segment that is not C2PA does not count.
	other := insertAfterSOI(encodeJPEG(t, testImage(8, 8, false)), jpegSegment(0xeb, []byte("JP\x00\x01other")))
	if _, err := Embed(other, Packet(testMarking)); err != nil {
		t.Fatalf("Embed of a JPEG with another APP11 segment: %v", err)
	}
}
