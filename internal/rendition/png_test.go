package rendition

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"io"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/akool-community/terraform-provider-akool/internal/imagetest"
)

// pngCases are the PNG kinds decodePNG reads itself, drawn as a
// photograph with noise in its lower half, so that the encoder picks
// every row filter (no filter only when it does not compress).
func pngCases(t testing.TB) map[string][]byte {
	const w, h = 97, 64
	photo, faded := imagetest.Photo(w, h, false), imagetest.Photo(w, h, true)
	rng := rand.New(rand.NewPCG(1, 2))
	rgb8, rgba8 := image.NewRGBA(photo.Rect), image.NewNRGBA(photo.Rect)
	rgb16, rgba16 := image.NewRGBA64(photo.Rect), image.NewNRGBA64(photo.Rect)
	for y := range h {
		for x := range w {
			p, q := photo.NRGBAAt(x, y), faded.NRGBAAt(x, y)
			if y >= h/2 {
				p.R, q.G = uint8(rng.IntN(256)), uint8(rng.IntN(256))
			}
			n := uint16(rng.IntN(256)) // low bytes the 8-bit result drops
			rgb8.Set(x, y, p)
			rgba8.SetNRGBA(x, y, q)
			rgb16.SetRGBA64(x, y, color.RGBA64{uint16(p.R)<<8 | n, uint16(p.G)<<8 | n, uint16(p.B)<<8 | n, 0xffff})
			rgba16.SetNRGBA64(x, y, color.NRGBA64{uint16(q.R)<<8 | n, uint16(q.G)<<8 | n, uint16(q.B)<<8 | n, uint16(q.A)<<8 | n})
		}
	}
	cases := map[string][]byte{}
	for name, img := range map[string]image.Image{"RGB 8-bit": rgb8, "RGBA 8-bit": rgba8, "RGBA 8-bit opaque": photo,
		"RGB 16-bit": rgb16, "RGBA 16-bit": rgba16} {
		cases[name] = imagetest.EncodePNG(t, img)
	}
	var stored bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.NoCompression}).Encode(&stored, rgb8); err != nil {
		t.Fatal(err)
	}
	cases["RGB 8-bit, stored"] = stored.Bytes()
	return cases
}

func TestDecodePNGGivesImagePNGsPixels(t *testing.T) {
	filters := map[byte]bool{}
	for name, data := range pngCases(t) {
		got, ok, err := decodePNG(data)
		if !ok || err != nil {
			t.Fatalf("%s: decodePNG: ok=%v, %v", name, ok, err)
		}
		std, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		want := toPixels(std)
		if got.w != want.w || got.h != want.h || got.c != want.c || !bytes.Equal(got.pix, want.pix) {
			t.Errorf("%s: decodePNG gives %dx%dx%d pixels unlike image/png's %dx%dx%d (or other values)",
				name, got.w, got.h, got.c, want.w, want.h, want.c)
		}
		for f := range rowFilters(t, data) {
			filters[f] = true
		}
	}
	if len(filters) != 5 {
		t.Errorf("the test images use row filters %v, not all five: the test checks less than it says", filters)
	}
}

// While libwebp's module compiles, decodePNG inflates and unfilters on
// one goroutine, with the same result.
func TestDecodePNGOnOneCPUGivesTheSamePixels(t *testing.T) {
	compiling.Store(true)
	t.Cleanup(func() { compiling.Store(false) })
	if cpus() != max(runtime.GOMAXPROCS(0)-1, 1) {
		t.Fatalf("cpus() = %d while compiling, want one fewer than GOMAXPROCS %d", cpus(), runtime.GOMAXPROCS(0))
	}
	for name, data := range pngCases(t) {
		got, _, err := decodePNG(data)
		if err != nil {
			t.Fatal(err)
		}
		std, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if want := toPixels(std); !bytes.Equal(got.pix, want.pix) {
			t.Errorf("%s: decoded on one CPU, the pixels differ from image/png's", name)
		}
	}
}

// rowFilters are the filter bytes of a non-interlaced PNG's rows.
func rowFilters(t *testing.T, data []byte) map[byte]bool {
	h, idat, _, err := readPNGChunks(data)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zlib.NewReader(io.MultiReader(idat...))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	rowBytes := 1 + h.width*h.channels*h.depth/8
	found := map[byte]bool{}
	for r := range h.height {
		found[raw[r*rowBytes]] = true
	}
	return found
}

func TestDecodePNGLeavesOtherKindsToImagePNG(t *testing.T) {
	gray := image.NewGray(image.Rect(0, 0, 8, 8))
	paletted := image.NewPaletted(image.Rect(0, 0, 8, 8), color.Palette{color.Black, color.White})
	for name, img := range map[string]image.Image{"grey": gray, "paletted": paletted} {
		if _, ok, err := decodePNG(imagetest.EncodePNG(t, img)); ok || err != nil {
			t.Errorf("%s: decodePNG says ok=%v, %v; want it left to image/png", name, ok, err)
		}
	}
}

func TestDecodePNGRefusesDamagedFiles(t *testing.T) {
	good := imagetest.EncodePNG(t, imagetest.Photo(40, 30, false))
	at := bytes.Index(good, []byte("IDAT"))
	dataLen := int(binary.BigEndian.Uint32(good[at-4:])) // the one IDAT chunk's length

	flipped := bytes.Clone(good)
	flipped[at+4+dataLen/2] ^= 0x10 // a data byte: the chunk's CRC no longer matches

	// The zlib stream's own checksum (its last 4 bytes) damaged, with the
	// chunk's CRC recomputed: every row inflates, and only reading to the
	// end of the stream finds it.
	adler := bytes.Clone(good)
	adler[at+4+dataLen-1] ^= 0x01
	binary.BigEndian.PutUint32(adler[at+4+dataLen:], crc32.ChecksumIEEE(adler[at:at+4+dataLen]))

	cases := map[string][]byte{
		"a chunk's CRC": flipped, "zlib's checksum": adler,
		"the end cut off": good[:at+4+dataLen/2],
	}
	t.Cleanup(func() { compiling.Store(false) })
	for _, oneCPU := range []bool{false, true} {
		compiling.Store(oneCPU) // one CPU fewer: with two, decodePNG works in bands on one goroutine
		for name, data := range cases {
			if _, ok, err := decodePNG(data); !ok || err == nil {
				t.Errorf("%s damaged (one CPU fewer: %v): decodePNG says ok=%v, err=%v; want an error", name, oneCPU, ok, err)
			}
		}
	}
	compiling.Store(false)
	if _, err := Decode(flipped); err == nil {
		t.Error("Decode accepts a PNG whose image data chunk's CRC does not match")
	}
}

// A header larger than MaxSourcePixels is refused before any pixel buffer
// is made, whatever Probe read first.
func TestDecodePNGRefusesAHugeHeaderBeforeAllocating(t *testing.T) {
	for _, size := range [][2]uint32{{8193, 8193}, {1<<31 - 1, 1<<31 - 1}, {1 << 16, 1 << 16}} {
		data := pngWith(ihdr(size[0], size[1], 16, 6), []byte{0, 0})
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, ok, err := decodePNG(data)
		runtime.ReadMemStats(&after)
		if !ok || err == nil {
			t.Errorf("%dx%d: decodePNG says ok=%v, %v; want an error", size[0], size[1], ok, err)
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
			t.Errorf("%dx%d: decodePNG allocated %d bytes before refusing the header", size[0], size[1], n)
		}
	}
}
