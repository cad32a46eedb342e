package rendition

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/gen2brain/webp"

	"github.com/akool-community/terraform-provider-akool/internal/imagemeta"
)

// DefaultQuality is the quality of JPEG and lossy WebP when a spec says
// none.
const DefaultQuality = 82

// Result is one rendered file.
type Result struct {
	Data          []byte
	Format        Format
	Width, Height int
	// Marked says that the file carries the source's XMP packet and that
	// the packet declares a Digital Source Type (the AI-generated marking);
	// when it does not, Unmarked says why (the source had no packet, its
	// packet has no such marking, or it did not fit). A packet without the
	// marking is still carried.
	Marked   bool
	Unmarked string
}

// Render fits src into the spec's box, resamples it and encodes it,
// carrying the source's XMP packet. The source is not changed, so many
// renders may share it at once.
func Render(src *Source, spec Spec) (Result, error) {
	if err := spec.Check(); err != nil {
		return Result{}, err
	}
	g, err := spec.geometry(src.Width, src.Height)
	if err != nil {
		return Result{}, err
	}
	if spec.Focus == Detail {
		g = focusDetail(g, src.px)
	}
	x, y := g.axes()
	out := src.memo.get(src.px, x, y)
	data, err := encode(out, spec)
	if err != nil {
		return Result{}, fmt.Errorf("encoding the %s rendition: %w", spec.Format, err)
	}
	r := Result{Data: data, Format: spec.Format, Width: out.w, Height: out.h}
	if src.Packet == nil {
		r.Unmarked = "the source carries no XMP packet to copy"
		return r, nil
	}
	marked, err := imagemeta.Embed(data, src.Packet)
	if err != nil {
		r.Unmarked = fmt.Sprintf("the source's XMP packet could not be written into the %s rendition: %v", spec.Format, err)
		return r, nil
	}
	r.Data = marked
	if !bytes.Contains(src.Packet, []byte("DigitalSourceType")) {
		r.Unmarked = "the source's XMP packet, copied as it is, declares no Digital Source Type"
		return r, nil
	}
	r.Marked = true
	return r, nil
}

// Prepare readies the encoder of a format ahead of a render, in the
// background: WebP's compiles libwebp's WebAssembly module, which takes
// about as long as decoding a large PNG, so the two can overlap.
func Prepare(f Format) {
	if f == WebP {
		prepareWebP()
	}
}

var prepareWebP = sync.OnceFunc(func() {
	compiling.Store(true)
	go func() {
		defer compiling.Store(false)
		webp.Init()
	}()
})

// compiling says that libwebp's module is compiling, on one CPU: the
// encoder waits for it, so decoding and resampling leave that CPU to it
// (see cpus) rather than slow it down by sharing it.
var compiling atomic.Bool

// cpus is how many CPUs decoding and resampling may use.
func cpus() int {
	n := runtime.GOMAXPROCS(0)
	if compiling.Load() {
		n--
	}
	return max(n, 1)
}

func encode(px pixels, spec Spec) ([]byte, error) {
	quality := spec.Quality
	if quality == 0 {
		quality = DefaultQuality
	}
	var buf bytes.Buffer
	switch spec.Format {
	case JPEG:
		err := jpeg.Encode(&buf, opaqueRGBA(px), &jpeg.Options{Quality: quality})
		return buf.Bytes(), err
	case PNG:
		enc := png.Encoder{CompressionLevel: png.DefaultCompression}
		err := enc.Encode(&buf, straightNRGBA(px))
		return buf.Bytes(), err
	default:
		err := webp.Encode(&buf, webpInput(px, spec.Lossless), webpOptions(quality, spec.Lossless))
		return buf.Bytes(), err
	}
}

// webpInput is the image WebP encodes: an opaque lossy rendition as the
// 4:2:0 planes libwebp would make of it (converted here, in parallel,
// rather than in the WebAssembly module), anything else as straight RGBA.
func webpInput(px pixels, lossless bool) image.Image {
	if px.c == 3 && !lossless {
		return yuv420(px)
	}
	return straightNRGBA(px)
}

func webpOptions(quality int, lossless bool) webp.Options {
	if lossless {
		return webp.Options{Quality: quality, Lossless: true, Method: webp.DefaultMethod}
	}
	return webp.Options{Quality: quality, Method: lossyWebPMethod}
}

// lossyWebPMethod is libwebp's speed/size trade-off (0 fastest, 6
// smallest) for lossy WebP. Method 2 is the fastest that still tries
// both whole-block and 4x4 intra prediction for every macroblock (by
// distortion; methods 3 and up add rate-distortion optimisation, which
// is what costs the time): on the renditions profile's photograph it
// encodes about three times faster than method 4 (libwebp's default, and
// vipsthumbnail's effort 4), for files 4-5 % larger and 0.07 dB lower
// PSNR at the same quality, still within 1.1x the bytes and 0.5 dB of
// vipsthumbnail's output. Methods 0 and 1 make files 16-24 % larger.
// Lossless WebP keeps method 4: there the method buys size, not speed.
const lossyWebPMethod = 2

// opaqueRGBA is the image JPEG encodes: transparent pixels are put over
// white.
func opaqueRGBA(px pixels) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, px.w, px.h))
	fourChannels(img.Pix, px, func(d, p []uint8) {
		white := 255 - p[3]
		d[0], d[1], d[2], d[3] = p[0]+white, p[1]+white, p[2]+white, 255
	})
	return img
}

// straightNRGBA is the image PNG and WebP encode: colour not multiplied
// by alpha.
func straightNRGBA(px pixels) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, px.w, px.h))
	fourChannels(img.Pix, px, func(d, p []uint8) {
		a := uint32(p[3])
		if a == 0 {
			return
		}
		un := func(v uint8) uint8 { return uint8(min((uint32(v)*255+a/2)/a, 255)) }
		d[0], d[1], d[2], d[3] = un(p[0]), un(p[1]), un(p[2]), p[3]
	})
	return img
}

// fourChannels writes px into dst as 4-byte pixels: packed RGB as opaque
// pixels, and premultiplied RGBA through convert, which gets each
// destination and source pixel.
func fourChannels(dst []uint8, px pixels, convert func(d, p []uint8)) {
	if px.c == 3 {
		expandRGB(dst, px.pix)
		return
	}
	for i := range px.w * px.h {
		convert(dst[4*i:4*i+4], px.pix[4*i:4*i+4])
	}
}

// expandRGB writes packed RGB as opaque 4-byte pixels.
func expandRGB(dst, rgb []uint8) {
	for i := range len(rgb) / 3 {
		dst[4*i], dst[4*i+1], dst[4*i+2], dst[4*i+3] = rgb[3*i], rgb[3*i+1], rgb[3*i+2], 255
	}
}
