package imagemeta

import (
	"encoding/binary"
)

// VP8X flags (the first byte of its payload).
const (
	webpFlagXMP   = 0x04
	webpFlagAlpha = 0x10
)

// webpChunk is one RIFF chunk: its FourCC and payload (without padding).
type webpChunk struct {
	id      string
	payload []byte
}

// webpChunks splits a WebP file into its chunks, and returns the bytes
// after the RIFF size unchanged.
func webpChunks(data []byte) (chunks []webpChunk, trailer []byte, err error) {
	size := binary.LittleEndian.Uint32(data[4:8])
	if size < 4 || uint64(size)+8 > uint64(len(data)) {
		return nil, nil, &MalformedError{Format: "WebP", Reason: "the RIFF size does not match the file"}
	}
	end := int(size) + 8
	rest := data[12:end]
	for len(rest) > 0 {
		if len(rest) < 8 {
			return nil, nil, &MalformedError{Format: "WebP", Reason: "a chunk header is truncated"}
		}
		n := binary.LittleEndian.Uint32(rest[4:8])
		padded := uint64(n) + uint64(n&1)
		if padded > uint64(len(rest)-8) {
			return nil, nil, &MalformedError{Format: "WebP", Reason: "a chunk is longer than the file"}
		}
		chunks = append(chunks, webpChunk{id: string(rest[0:4]), payload: rest[8 : 8+n]})
		rest = rest[8+padded:]
	}
	if len(chunks) == 0 {
		return nil, nil, &MalformedError{Format: "WebP", Reason: "it has no chunks"}
	}
	return chunks, data[end:], nil
}

// webpVP8X is the extended header for a simple file whose one image chunk
// is c: the canvas size from the bitstream header, and the alpha flag that a
// lossless bitstream declares.
func webpVP8X(c webpChunk) (webpChunk, error) {
	width, height, alpha, err := webpBitstreamSize(c)
	if err != nil {
		return webpChunk{}, err
	}
	payload := make([]byte, 10)
	if alpha {
		payload[0] = webpFlagAlpha
	}
	putUint24(payload[4:7], width-1)
	putUint24(payload[7:10], height-1)
	return webpChunk{id: "VP8X", payload: payload}, nil
}

// webpBitstreamSize reads the canvas size from the header of a lossy or
// lossless bitstream chunk, and whether a lossless one declares alpha.
func webpBitstreamSize(c webpChunk) (width, height uint32, alpha bool, err error) {
	switch p := c.payload; c.id {
	case webpLossy:
		if len(p) < 10 || p[3] != 0x9d || p[4] != 0x01 || p[5] != 0x2a {
			return 0, 0, false, &MalformedError{Format: "WebP", Reason: "the lossy frame header is missing"}
		}
		width = uint32(binary.LittleEndian.Uint16(p[6:8]) & 0x3fff)
		height = uint32(binary.LittleEndian.Uint16(p[8:10]) & 0x3fff)
	case "VP8L":
		if len(p) < 5 || p[0] != 0x2f {
			return 0, 0, false, &MalformedError{Format: "WebP", Reason: "the lossless header is missing"}
		}
		bits := binary.LittleEndian.Uint32(p[1:5])
		width, height, alpha = bits&0x3fff+1, (bits>>14)&0x3fff+1, bits&(1<<28) != 0
	default:
		return 0, 0, false, &MalformedError{Format: "WebP", Reason: "the first chunk is " + c.id}
	}
	if width == 0 || height == 0 {
		return 0, 0, false, &MalformedError{Format: "WebP", Reason: "the canvas is empty"}
	}
	return width, height, alpha, nil
}

// IsWebP reports whether head starts like a WebP file: a RIFF container of
// form type WEBP.
func IsWebP(head []byte) bool {
	return len(head) >= 12 && string(head[0:4]) == "RIFF" && string(head[8:12]) == "WEBP"
}

// WebPSize reads the canvas size of a WebP file from its head: the RIFF
// header and the first chunk, which is VP8X (extended), VP8 (lossy) or
// VP8L (lossless). Its first 30 bytes are enough; the rest of the file is
// not needed.
func WebPSize(head []byte) (width, height int, err error) {
	if !IsWebP(head) || len(head) < 20 {
		return 0, 0, &MalformedError{Format: "WebP", Reason: "the header is truncated"}
	}
	c := webpChunk{id: string(head[12:16]), payload: head[20:]}
	if c.id != "VP8X" {
		w, h, _, err := webpBitstreamSize(c)
		return int(w), int(h), err
	}
	if len(c.payload) < 10 {
		return 0, 0, &MalformedError{Format: "WebP", Reason: "the VP8X chunk is truncated"}
	}
	return int(uint24(c.payload[4:7])) + 1, int(uint24(c.payload[7:10])) + 1, nil
}

func uint24(b []byte) uint32 { return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 }

func putUint24(b []byte, v uint32) { b[0], b[1], b[2] = byte(v), byte(v>>8), byte(v>>16) }

// webpBeforeXMP lists the chunks that the container specification places
// before XMP; XMP goes after the last of them, ahead of unknown chunks.
var webpBeforeXMP = map[string]bool{
	"VP8X": true, "ICCP": true, "ANIM": true, "ANMF": true, "ALPH": true, webpLossy: true, "VP8L": true, "EXIF": true,
}

// webpLossy is the FourCC of a lossy bitstream chunk; its space is part of it.
const webpLossy = "VP8 "

// webpExtended returns the chunks in the extended layout without any XMP
// chunk, converting a simple file (a lone VP8 or VP8L chunk), and with the
// XMP flag cleared.
func webpExtended(chunks []webpChunk) ([]webpChunk, error) {
	if chunks[0].id != "VP8X" {
		if len(chunks) != 1 {
			return nil, &MalformedError{Format: "WebP", Reason: "a simple file has more than one chunk"}
		}
		vp8x, err := webpVP8X(chunks[0])
		if err != nil {
			return nil, err
		}
		return []webpChunk{vp8x, chunks[0]}, nil
	}
	if len(chunks[0].payload) < 10 {
		return nil, &MalformedError{Format: "WebP", Reason: "the VP8X chunk is truncated"}
	}
	out := make([]webpChunk, 0, len(chunks))
	for _, c := range chunks {
		if c.id != "XMP " {
			out = append(out, c)
		}
	}
	header := append([]byte(nil), out[0].payload...)
	header[0] &^= webpFlagXMP
	out[0] = webpChunk{id: "VP8X", payload: header}
	return out, nil
}

// webpWrite serializes chunks, padding odd payloads, with a RIFF size that
// covers them, followed by trailer.
func webpWrite(chunks []webpChunk, trailer []byte) []byte {
	size := 4
	for _, c := range chunks {
		size += 8 + len(c.payload) + len(c.payload)&1
	}
	out := make([]byte, 0, 8+size+len(trailer))
	out = append(out, "RIFF"...)
	out = binary.LittleEndian.AppendUint32(out, uint32(size))
	out = append(out, "WEBP"...)
	for _, c := range chunks {
		out = append(out, c.id...)
		out = binary.LittleEndian.AppendUint32(out, uint32(len(c.payload)))
		out = append(out, c.payload...)
		if len(c.payload)&1 == 1 {
			out = append(out, 0)
		}
	}
	return append(out, trailer...)
}

// signedWebP reports a C2PA chunk, where C2PA keeps its manifest in WebP.
func signedWebP(data []byte) bool {
	chunks, _, _ := webpChunks(data)
	for _, c := range chunks {
		if c.id == "C2PA" {
			return true
		}
	}
	return false
}

func embedWebP(data, packet []byte) ([]byte, error) {
	chunks, trailer, err := webpChunks(data)
	if err != nil {
		return nil, err
	}
	if chunks, err = webpExtended(chunks); err != nil {
		return nil, err
	}
	chunks[0].payload[0] |= webpFlagXMP
	at := 0
	for i, c := range chunks {
		if webpBeforeXMP[c.id] {
			at = i + 1
		}
	}
	chunks = append(chunks[:at], append([]webpChunk{{id: "XMP ", payload: packet}}, chunks[at:]...)...)
	return webpWrite(chunks, trailer), nil
}

// removeWebP drops the XMP chunk and clears its flag. When what is left is
// exactly what Embed makes of a simple file, the simple file comes back.
func removeWebP(data []byte) ([]byte, error) {
	chunks, trailer, err := webpChunks(data)
	if err != nil {
		return nil, err
	}
	if chunks[0].id != "VP8X" {
		return append([]byte(nil), data...), nil
	}
	if chunks, err = webpExtended(chunks); err != nil {
		return nil, err
	}
	if len(chunks) == 2 {
		if simple, err := webpVP8X(chunks[1]); err == nil && string(simple.payload) == string(chunks[0].payload) {
			chunks = chunks[1:]
		}
	}
	return webpWrite(chunks, trailer), nil
}
