package rendition

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image/png"

	"runtime"
	"testing"
	"time"
)

// FuzzDecodePNG checks decodePNG against image/png on any bytes: the same
// pixels, or both refuse (or decodePNG leaves the file to image/png); never
// a panic, and no goroutine left running, decoding in bands on one CPU or
// pipelined on two.
func FuzzDecodePNG(f *testing.F) {
	for _, seed := range pngSeeds(f) {
		f.Add(seed)
	}
	f.Cleanup(func() { compiling.Store(false) })
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < len(pngSignature) {
			return
		}
		data = append(bytes.Clone(pngSignature), data[len(pngSignature):]...) // as sniff finds it
		// image/png allocates the whole image before reading its data:
		// keep the fuzzer's memory small (decodePNG itself must refuse
		// what is too large, before allocating, as another test checks).
		if cfg, err := png.DecodeConfig(bytes.NewReader(data)); err == nil && int64(cfg.Width)*int64(cfg.Height) > 1<<20 {
			return
		}
		if h, _, _, err := readPNGChunks(data); err == nil && h.width*h.height > 1<<20 {
			return
		}
		std, stdErr := png.Decode(bytes.NewReader(data))
		for _, oneCPU := range []bool{false, true} {
			compiling.Store(oneCPU)
			before := runtime.NumGoroutine()
			got, ok, err := decodePNG(data)
			for deadline := time.Now().Add(time.Second); runtime.NumGoroutine() > before; time.Sleep(time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("decodePNG (one CPU: %v) left %d goroutines running", oneCPU, runtime.NumGoroutine()-before)
				}
			}
			switch {
			case !ok:
				continue // image/png decodes it, as it is
			case err != nil && stdErr == nil:
				t.Fatalf("decodePNG (one CPU: %v) refuses a PNG image/png decodes: %v", oneCPU, err)
			case err == nil && stdErr != nil:
				t.Fatalf("decodePNG (one CPU: %v) decodes a PNG image/png refuses (%v)", oneCPU, stdErr)
			case err == nil:
				want := toPixels(std)
				if got.w != want.w || got.h != want.h || got.c != want.c || !bytes.Equal(got.pix, want.pix) {
					t.Fatalf("decodePNG (one CPU: %v) gives other pixels than image/png", oneCPU)
				}
			}
		}
	})
}

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

type pngChunk struct {
	kind string
	body []byte
}

// splitPNG returns a PNG's chunks, without their CRCs.
func splitPNG(t testing.TB, data []byte) []pngChunk {
	var chunks []pngChunk
	for p := data[8:]; len(p) >= 12; {
		n := int(binary.BigEndian.Uint32(p))
		chunks = append(chunks, pngChunk{string(p[4:8]), p[8 : 8+n]})
		p = p[12+n:]
	}
	if len(chunks) == 0 || chunks[len(chunks)-1].kind != "IEND" {
		t.Fatal("splitPNG: no IEND chunk")
	}
	return chunks
}

// joinPNG writes chunks as a PNG, with correct CRCs.
func joinPNG(chunks ...pngChunk) []byte {
	out := bytes.Clone(pngSignature)
	for _, c := range chunks {
		out = binary.BigEndian.AppendUint32(out, uint32(len(c.body)))
		start := len(out)
		out = append(append(out, c.kind...), c.body...)
		out = binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(out[start:]))
	}
	return out
}

// pngWith is a PNG of an IHDR and one IDAT of the given raw rows (filter
// bytes included), compressed by zlib.
func pngWith(ihdr []byte, raw []byte, extra ...pngChunk) []byte {
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	if _, err := zw.Write(raw); err != nil { // a bytes.Buffer takes any write
		panic(err)
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	chunks := append([]pngChunk{{"IHDR", ihdr}}, extra...)
	return joinPNG(append(chunks, pngChunk{"IDAT", z.Bytes()}, pngChunk{"IEND", nil})...)
}

func ihdr(w, h uint32, depth, colourType byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, w)
	b = binary.BigEndian.AppendUint32(b, h)
	return append(b, depth, colourType, 0, 0, 0)
}

// pngSeeds are valid PNGs of every kind decodePNG reads, and damaged or
// unusual ones.
func pngSeeds(t testing.TB) [][]byte {
	var seeds [][]byte
	for _, data := range pngCases(t) {
		seeds = append(seeds, data, data[:len(data)/2], data[:len(data)-12]) // cut in the data, IEND missing
	}
	good := pngCases(t)["RGBA 16-bit"]
	chunks := splitPNG(t, good)
	head, idat, end := chunks[0], chunks[1:len(chunks)-1], chunks[len(chunks)-1]
	var data []byte
	for _, c := range idat {
		data = append(data, c.body...)
	}
	whole := pngChunk{"IDAT", data}
	text := pngChunk{"tEXt", []byte("Comment\x00hello")}
	bad := func(b []byte, at int) []byte { // a wrong CRC at a chunk ending at at
		b = bytes.Clone(b)
		b[at-1] ^= 0xff
		return b
	}
	var many []pngChunk
	for i := 0; i < len(data); i += 7 {
		many = append(many, pngChunk{"IDAT", data[i:min(i+7, len(data))]})
	}
	half := len(data) / 2
	adler := bytes.Clone(data)
	adler[len(adler)-1] ^= 1
	textBad := joinPNG(head, text, whole, end)
	seeds = append(seeds,
		joinPNG(append(append([]pngChunk{head}, many...), end)...),                             // IDAT in 7-byte chunks
		joinPNG(head, pngChunk{"IDAT", nil}, whole, pngChunk{"IDAT", nil}, end),                // zero-length IDATs
		joinPNG(head, pngChunk{"IDAT", data[:half]}, text, pngChunk{"IDAT", data[half:]}, end), // IDAT split by a chunk
		joinPNG(head, whole, text, pngChunk{"IDAT", []byte("garbage")}, end),                   // garbage IDAT after
		joinPNG(head, pngChunk{"IDAT", append(bytes.Clone(data), "garbage"...)}, end),          // garbage after zlib's end
		joinPNG(head, pngChunk{"IDAT", adler}, end),                                            // zlib's checksum wrong
		joinPNG(head, whole, end, text, pngChunk{"IDAT", []byte("x")}),                         // chunks after IEND
		joinPNG(text, head, whole, end),                                                        // IHDR not first
		joinPNG(head, pngChunk{"IHDR", ihdr(1<<16, 1<<16, 8, 6)}, whole, end),                  // two IHDRs
		joinPNG(pngChunk{"IHDR", ihdr(1<<31-1, 1<<31-1, 16, 6)}, whole, end),                   // huge
		joinPNG(pngChunk{"IHDR", ihdr(0, 5, 8, 2)}, whole, end),                                // empty
		joinPNG(head, pngChunk{"PLTE", []byte{0, 0, 0, 255, 255, 255}}, whole, end),            // suggested palette
		joinPNG(head, pngChunk{"tRNS", []byte{0, 0, 0, 0, 0, 0}}, whole, end),                  // colour key on RGBA
		joinPNG(head, pngChunk{"IEND", nil}),                                                   // no IDAT
		bad(textBad, 8+25+12+len(text.body)),                                                   // ancillary CRC wrong
		bad(textBad, len(textBad)-12),                                                          // IDAT's CRC wrong
	)
	// Raw rows: 3x5 RGB with every filter, a colour key, one row too
	// many or too few, an unknown filter.
	row := func(filter byte) []byte { return append([]byte{filter}, 10, 200, 30, 250, 5, 90, 128, 128, 1) }
	var rows []byte
	for f := range byte(5) {
		rows = append(rows, row(f)...)
	}
	h := ihdr(3, 5, 8, 2)
	seeds = append(seeds,
		pngWith(h, rows),
		pngWith(h, rows, pngChunk{"tRNS", []byte{0, 10, 0, 200, 0, 30}}),
		pngWith(h, append(bytes.Clone(rows), row(0)...)),
		pngWith(h, rows[:len(rows)-1]),
		pngWith(h, append(row(5), rows[10:]...)),
		pngWith(ihdr(1, 1, 16, 2), []byte{0, 1, 2, 3, 4, 5, 6}),
		pngWith(ihdr(1, 1, 8, 2), nil),
	)
	return seeds
}
