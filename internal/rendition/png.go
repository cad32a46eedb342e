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
// interlaced, no colour-key transparency) straight into pixels. With two
// CPUs to use, one goroutine inflates the image data while another
// undoes the row filters and converts the rows inflated so far; with one,
// it does both a band of rows at a time. image/png inflates and unfilters
// on one goroutine and returns 16-bit files as 16-bit images, which then
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
	d := &pngRows{h: h, bpp: h.channels * h.depth / 8, opaque: true,
		out: pixels{w: h.width, h: h.height, c: h.channels, pix: make([]uint8, h.width*h.height*h.channels)}}
	d.rowBytes = 1 + h.width*d.bpp
	d.prev = make([]byte, d.rowBytes-1) // the row above the first: zeros
	if cpus() > 1 {
		err = d.pipelined(zr)
	} else {
		err = d.banded(zr)
	}
	if err != nil {
		return pixels{}, true, err
	}
	if h.channels == 4 && d.opaque {
		return packRGB(d.out.pix, d.out.w, d.out.h), true, nil
	}
	return d.out, true, nil
}

// pngRows turns inflated rows into pixels, in order.
type pngRows struct {
	h             pngHeader
	bpp, rowBytes int
	prev          []byte // the last row unfiltered, without its filter byte
	next          int    // the row the next call to rows starts at
	out           pixels
	opaque        bool
}

// pngBand is how many rows are inflated at a time.
const pngBand = 32

// pipelined inflates every row on a goroutine of its own while this one
// unfilters and converts the rows inflated so far.
func (d *pngRows) pipelined(zr io.Reader) error {
	raw := make([]byte, d.h.height*d.rowBytes)
	inflated := make(chan int, d.h.height/pngBand+1)
	var inflateErr error
	go func() {
		defer close(inflated)
		for r0 := 0; r0 < d.h.height; r0 += pngBand {
			r1 := min(r0+pngBand, d.h.height)
			if inflateErr = readRows(zr, raw[r0*d.rowBytes:r1*d.rowBytes]); inflateErr != nil {
				return
			}
			inflated <- r1
		}
		inflateErr = checkEnd(zr)
	}()
	var err error
	for upto := range inflated {
		if err == nil {
			err = d.rows(raw[d.next*d.rowBytes : upto*d.rowBytes])
		}
	}
	return errors.Join(inflateErr, err)
}

// banded inflates a band of rows, unfilters and converts it, and goes on
// with the next, in one small buffer.
func (d *pngRows) banded(zr io.Reader) error {
	buf := make([]byte, pngBand*d.rowBytes)
	above := make([]byte, d.rowBytes-1)
	for r0 := 0; r0 < d.h.height; r0 += pngBand {
		band := buf[:(min(r0+pngBand, d.h.height)-r0)*d.rowBytes]
		if err := readRows(zr, band); err != nil {
			return err
		}
		if err := d.rows(band); err != nil {
			return err
		}
		copy(above, d.prev) // the next band overwrites buf
		d.prev = above
	}
	return checkEnd(zr)
}

func readRows(zr io.Reader, rows []byte) error {
	if _, err := io.ReadFull(zr, rows); err != nil {
		return fmt.Errorf("png: the image data ends early: %w", err)
	}
	return nil
}

// checkEnd reads past the last row, which checks zlib's checksum.
func checkEnd(zr io.Reader) error {
	if n, err := zr.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		return errors.New("png: the image data does not end after the last row, or its checksum does not match")
	}
	return nil
}

// rows unfilters inflated rows in place and converts them into the
// pixels' next rows.
func (d *pngRows) rows(raw []byte) error {
	stride := d.h.width * d.h.channels
	for i := 0; i < len(raw); i += d.rowBytes {
		cur := raw[i : i+d.rowBytes]
		if err := unfilter(cur[0], cur[1:], d.prev, d.bpp); err != nil {
			return err
		}
		d.prev = cur[1:]
		if !convertPNGRow(d.out.pix[d.next*stride:(d.next+1)*stride], cur[1:], d.h.channels, d.h.depth) {
			d.opaque = false
		}
		d.next++
	}
	return nil
}

type pngHeader struct {
	width, height, depth, channels int
}

// readPNGChunks checks the chunks' CRCs and returns the header and the
// image data chunks; ok is false for a PNG decodePNG leaves to image/png.
// Like image/png, it reads the image data from consecutive IDAT chunks
// only, ignoring any after another chunk; and it
// refuses a header of more than MaxSourcePixels, before any pixel buffer
// is made.
func readPNGChunks(data []byte) (h pngHeader, idat []io.Reader, ok bool, err error) {
	p := data[8:] // after the signature, which sniff checked
	seenIHDR, idatEnded := false, false
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
		if !seenIHDR && (kind == "IDAT" || kind == "IEND") {
			return h, nil, true, fmt.Errorf("png: a %s chunk before the IHDR chunk", kind)
		}
		if len(idat) > 0 && kind != "IDAT" {
			idatEnded = true
		}
		switch kind {
		case "IHDR":
			if len(body) != 13 || seenIHDR {
				return h, nil, true, errors.New("png: the IHDR chunk is malformed")
			}
			seenIHDR = true
			w, ht := int64(binary.BigEndian.Uint32(body)), int64(binary.BigEndian.Uint32(body[4:]))
			if w <= 0 || ht <= 0 || w*ht > MaxSourcePixels {
				return h, nil, true, fmt.Errorf("png: the image is %dx%d pixels, outside 1 to %d", w, ht, MaxSourcePixels)
			}
			h.width, h.height = int(w), int(ht)
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
			if !idatEnded { // image/png ignores IDAT chunks after another chunk
				idat = append(idat, bytes.NewReader(body))
			}
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
