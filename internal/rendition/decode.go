package rendition

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/webp"

	"github.com/akool-community/terraform-provider-akool/internal/imagemeta"
)

// MaxSourcePixels bounds the sources this package decodes (about 64
// megapixels, 256 MiB as RGBA): a larger one gives a *NotImageError before
// any pixel is decoded.
const MaxSourcePixels = 1 << 26

// NotImageError says that bytes are not a PNG, JPEG or WebP image this
// package can decode.
type NotImageError struct {
	Reason string
}

func (e *NotImageError) Error() string { return e.Reason }

// Info is what a file's header says about it.
type Info struct {
	Format        Format // JPEG, PNG or WebP
	Width, Height int
}

// Probe reads the header of an image: its format and size, without
// decoding pixels. Bytes that are not a PNG, JPEG or WebP image, or one
// larger than MaxSourcePixels, give a *NotImageError.
func Probe(data []byte) (Info, error) {
	f, ok := sniff(data)
	if !ok {
		return Info{}, &NotImageError{Reason: "the file is not a PNG, JPEG or WebP image (its first bytes are no signature of those formats)"}
	}
	if f == WebP && len(data) >= 21 && string(data[12:16]) == "VP8X" && data[20]&0x02 != 0 {
		return Info{}, &NotImageError{Reason: "the file is an animated WebP, which this provider does not render (it renders one still picture)"}
	}
	cfg, err := decoders[f].config(bytes.NewReader(data))
	if err != nil {
		return Info{}, &NotImageError{Reason: fmt.Sprintf("the file looks like a %s image but its header cannot be read: %v", f, err)}
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > MaxSourcePixels {
		return Info{}, &NotImageError{Reason: fmt.Sprintf("the %s image is %dx%d pixels, outside what this provider renders (1 to %d pixels)", f, cfg.Width, cfg.Height, MaxSourcePixels)}
	}
	return Info{Format: f, Width: cfg.Width, Height: cfg.Height}, nil
}

// decoders read each format: the standard library's for PNG and JPEG,
// golang.org/x/image's for WebP (pure Go, lossless files exactly).
var decoders = map[Format]struct {
	config func(io.Reader) (image.Config, error)
	decode func(io.Reader) (image.Image, error)
}{
	PNG:  {png.DecodeConfig, png.Decode},
	JPEG: {jpeg.DecodeConfig, jpeg.Decode},
	WebP: {webp.DecodeConfig, webp.Decode},
}

// sniff finds the format from the first bytes.
func sniff(data []byte) (Format, bool) {
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return PNG, true
	case bytes.HasPrefix(data, []byte{0xff, 0xd8, 0xff}):
		return JPEG, true
	case len(data) >= 12 && string(data[0:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		return WebP, true
	}
	return "", false
}

// Source is a decoded image, ready to render many times. Its pixels are
// read-only once made, and what it keeps of its resampled outputs is
// guarded, so renditions may share it.
type Source struct {
	Info
	SHA256 string // hex, of the file's bytes
	Packet []byte // the file's XMP packet, nil when it has none
	px     pixels
	memo   *resampled
}

// Bytes is the memory the source may take: its decoded pixels, and the
// resampled outputs it keeps for renditions of the same box (up to as
// much again).
func (s *Source) Bytes() int64 { return 2 * int64(len(s.px.pix)) }

// Opaque says whether every pixel is fully opaque (the source is then
// kept as RGB).
func (s *Source) Opaque() bool { return s.px.c == 3 }

// Decode decodes a PNG, JPEG or WebP file and keeps its XMP packet.
func Decode(data []byte) (*Source, error) {
	sum := sha256.Sum256(data)
	return decodeSum(data, hex.EncodeToString(sum[:]))
}

// decodeSum is Decode for a caller that has hashed the bytes already.
func decodeSum(data []byte, sha string) (*Source, error) {
	info, err := Probe(data)
	if err != nil {
		return nil, err
	}
	px, err := decodePixels(info.Format, data)
	if err != nil {
		return nil, &NotImageError{Reason: fmt.Sprintf("the %s image cannot be decoded: %v", info.Format, err)}
	}
	packet, err := imagemeta.Find(data)
	var malformed *imagemeta.MalformedError
	if err != nil && !errors.As(err, &malformed) {
		return nil, err
	}
	return &Source{Info: info, SHA256: sha, Packet: bytes.Clone(packet), px: px, memo: newResampled(int64(len(px.pix)))}, nil
}

// decodePixels decodes the pixels of a file whose format Probe found.
func decodePixels(f Format, data []byte) (pixels, error) {
	if f == PNG {
		if px, ok, err := decodePNG(data); ok {
			return px, err
		}
	}
	img, err := decoders[f].decode(bytes.NewReader(data))
	if err != nil {
		return pixels{}, err
	}
	return toPixels(img), nil
}

// toPixels turns a decoded image into packed RGB (opaque) or
// premultiplied RGBA.
func toPixels(img image.Image) pixels {
	b := img.Bounds()
	if y, ok := img.(*image.YCbCr); ok {
		return ycbcrToRGB(y)
	}
	if n, ok := img.(*image.NRGBA); ok && n.Rect.Min == (image.Point{}) && n.Stride == 4*b.Dx() && n.Opaque() {
		return packRGB(n.Pix, b.Dx(), b.Dy())
	}
	rgba, ok := img.(*image.RGBA)
	if !ok || rgba.Rect.Min != (image.Point{}) || rgba.Stride != 4*b.Dx() {
		rgba = image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
		draw.Draw(rgba, rgba.Rect, img, b.Min, draw.Src)
	}
	if !rgba.Opaque() {
		return pixels{w: b.Dx(), h: b.Dy(), c: 4, pix: rgba.Pix}
	}
	return packRGB(rgba.Pix, b.Dx(), b.Dy())
}

// packRGB drops the alpha of opaque 4-byte pixels.
func packRGB(rgba []uint8, w, h int) pixels {
	n := w * h
	pix := make([]uint8, 3*n)
	for i := range n {
		pix[3*i], pix[3*i+1], pix[3*i+2] = rgba[4*i], rgba[4*i+1], rgba[4*i+2]
	}
	return pixels{w: w, h: h, c: 3, pix: pix}
}

// ycbcrToRGB converts a JPEG's planes straight to packed RGB, with the
// standard library's own conversion.
func ycbcrToRGB(m *image.YCbCr) pixels {
	b := m.Rect
	w, h := b.Dx(), b.Dy()
	pix := make([]uint8, 3*w*h)
	parallelRows(h, func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			row := pix[3*w*y:]
			for x := range w {
				yi := m.YOffset(b.Min.X+x, b.Min.Y+y)
				ci := m.COffset(b.Min.X+x, b.Min.Y+y)
				row[3*x], row[3*x+1], row[3*x+2] = color.YCbCrToRGB(m.Y[yi], m.Cb[ci], m.Cr[ci])
			}
		}
	})
	return pixels{w: w, h: h, c: 3, pix: pix}
}
