package rendition

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strconv"
)

// decodePNG decodes the PNGs a photograph or an Akool result usually is
// (truecolour, with or without alpha, 8 or 16 bits a channel, not
// interlaced, no colour-key transparency) straight into pixels, with two
// goroutines: one inflates the image data while the other undoes the
// row filters and converts the rows inflated so far. image/png does both
// in one goroutine and returns 16-bit files as 16-bit images, which then
// need a generic conversion. ok is false for any other PNG, which
// image/png decodes instead; the pixels are the same either way (16-bit
// channels keep their high byte, alpha is premultiplied as image/draw
// does).
func decodePNG(data []byte) (px pixels, ok bool, err error) {
	h, idat, ok, err := readPNGChunks(data)
	if !ok || err != nil {
		return pixels{}, ok, err
	}
	zr, err := zlib.NewReader(io.MultiReader(idat...))
	if err != nil {
		return pixels{}, true, err
	}
	defer zr.Close()

	bpp := h.channels * h.depth / 8
	rowBytes := 1 + h.width*bpp
	raw := make([]byte, h.height*rowBytes)
	const band = 32
	inflated := make(chan int, h.height/band+1)
	var inflateErr error
	inflate := func() {
		defer close(inflated)
		for r0 := 0; r0 < h.height; r0 += band {
			r1 := min(r0+band, h.height)
			if _, err := io.ReadFull(zr, raw[r0*rowBytes:r1*rowBytes]); err != nil {
				inflateErr = fmt.Errorf("png: the image data ends early: %w", err)
				return
			}
			inflated <- r1
		}
		// Reading past the last row checks zlib's checksum.
		if n, err := zr.Read(make([]byte, 1)); n != 0 || err != io.EOF {
			inflateErr = errors.New("png: the image data does not end after the last row, or its checksum does not match")
		}
	}
	if cpus() > 1 {
		go inflate()
	} else {
		inflate() // every row first, then the filters, on the one CPU
	}

	out := pixels{w: h.width, h: h.height, c: h.channels, pix: make([]uint8, h.width*h.height*h.channels)}
	prev := make([]byte, rowBytes-1) // the row above the first: zeros
	opaque := true
	row := 0
	for upto := range inflated {
		for ; row < upto; row++ {
			cur := raw[row*rowBytes : (row+1)*rowBytes]
			if err == nil {
				err = unfilter(cur[0], cur[1:], prev, bpp)
			}
			prev = cur[1:]
			dst := out.pix[row*h.width*h.channels : (row+1)*h.width*h.channels]
			if !convertPNGRow(dst, cur[1:], h.channels, h.depth) {
				opaque = false
			}
		}
	}
	if inflateErr != nil {
		return pixels{}, true, inflateErr
	}
	if err != nil {
		return pixels{}, true, err
	}
	if h.channels == 4 && opaque {
		return packRGB(out.pix, out.w, out.h), true, nil
	}
	return out, true, nil
}

type pngHeader struct {
	width, height, depth, channels int
}

// readPNGChunks checks the chunks' CRCs and returns the header and the
// image data chunks; ok is false for a PNG decodePNG leaves to image/png.
func readPNGChunks(data []byte) (h pngHeader, idat []io.Reader, ok bool, err error) {
	p := data[8:] // after the signature, which sniff checked
	seenIHDR := false
	for {
		if len(p) < 12 {
			return h, nil, true, errors.New("png: the file ends before its IEND chunk")
		}
		n := binary.BigEndian.Uint32(p)
		if uint64(n) > uint64(len(p)-12) {
			return h, nil, true, errors.New("png: a chunk runs past the end of the file")
		}
		kind, body := string(p[4:8]), p[8:8+n]
		if crc32.ChecksumIEEE(p[4:8+n]) != binary.BigEndian.Uint32(p[8+n:]) {
			return h, nil, true, fmt.Errorf("png: the %s chunk's checksum does not match", kind)
		}
		p = p[12+n:]
		switch kind {
		case "IHDR":
			if len(body) != 13 || seenIHDR {
				return h, nil, true, errors.New("png: the IHDR chunk is malformed")
			}
			seenIHDR = true
			h.width, h.height = int(binary.BigEndian.Uint32(body)), int(binary.BigEndian.Uint32(body[4:]))
			h.depth = int(body[8])
			switch body[9] {
			case 2:
				h.channels = 3
			case 6:
				h.channels = 4
			}
			// Compression and filter method 0 are the only ones defined;
			// interlace 1 (Adam7) is left to image/png.
			if h.channels == 0 || (h.depth != 8 && h.depth != 16) || body[10] != 0 || body[11] != 0 || body[12] != 0 {
				return h, nil, false, nil
			}
		case "tRNS", "PLTE":
			return h, nil, false, nil // colour-key transparency is left to image/png
		case "IDAT":
			if !seenIHDR {
				return h, nil, true, errors.New("png: image data before the IHDR chunk")
			}
			idat = append(idat, bytes.NewReader(body))
		case "IEND":
			if !seenIHDR || len(idat) == 0 {
				return h, nil, true, errors.New("png: no image data")
			}
			return h, idat, true, nil
		}
	}
}

// unfilter undoes a row's filter in place; prev is the row above,
// unfiltered, and bpp the bytes of one pixel.
func unfilter(filter byte, cur, prev []byte, bpp int) error {
	switch filter {
	case 0:
	case 1: // Sub
		for i := bpp; i < len(cur); i++ {
			cur[i] += cur[i-bpp]
		}
	case 2: // Up
		for i, b := range prev[:len(cur)] {
			cur[i] += b
		}
	case 3: // Average
		for i := range bpp {
			cur[i] += prev[i] / 2
		}
		for i := bpp; i < len(cur); i++ {
			cur[i] += uint8((int(cur[i-bpp]) + int(prev[i])) / 2)
		}
	case 4: // Paeth
		for i := range bpp {
			cur[i] += prev[i]
		}
		// Byte by byte, so that the bpp channels' chains of left
		// neighbours overlap.
		for i := bpp; i < len(cur); i++ {
			a, b, c := int(cur[i-bpp]), int(prev[i]), int(prev[i-bpp])
			pa, pb := b-c, a-c // p-a and p-b, where p = a+b-c
			pc := absInt(pa + pb)
			pa, pb = absInt(pa), absInt(pb)
			// The nearest of a, b, c, preferring them in that order,
			// chosen without branches the data cannot predict.
			m, pred := min(pa, pb, pc), c
			if pb == m {
				pred = b
			}
			if pa == m {
				pred = a
			}
			cur[i] += uint8(pred)
		}
	default:
		return fmt.Errorf("png: unknown row filter %d", filter)
	}
	return nil
}

func absInt(v int) int {
	m := v >> (strconv.IntSize - 1)
	return (v ^ m) - m
}

// convertPNGRow writes one unfiltered row as packed RGB or premultiplied
// RGBA, and says whether every pixel in it is opaque.
func convertPNGRow(dst, src []byte, channels, depth int) (opaque bool) {
	opaque = true
	switch {
	case channels == 3 && depth == 8:
		copy(dst, src)
	case channels == 3:
		for i := range dst {
			dst[i] = src[2*i]
		}
	case depth == 8:
		for i := 0; i < len(dst); i += 4 {
			a := uint32(src[i+3])
			if a != 0xff {
				opaque = false
			}
			// As image/draw premultiplies an NRGBA pixel.
			a16 := a * 0x101
			for k := range 3 {
				dst[i+k] = uint8(uint32(src[i+k]) * 0x101 * a16 / 0xffff >> 8)
			}
			dst[i+3] = uint8(a)
		}
	default:
		for i := 0; i < len(dst); i += 4 {
			s := src[2*i : 2*i+8]
			a := uint32(s[6])<<8 | uint32(s[7])
			if a != 0xffff {
				opaque = false
			}
			for k := range 3 {
				dst[i+k] = uint8((uint32(s[2*k])<<8 | uint32(s[2*k+1])) * a / 0xffff >> 8)
			}
			dst[i+3] = uint8(a >> 8)
		}
	}
	return opaque
}
