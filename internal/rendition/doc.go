// Package rendition renders web-ready copies of a local image: decode a
// PNG, JPEG or WebP file once, fit it into a box ("cover" crops to fill,
// "contain" fits inside), resample it with a Lanczos-3 filter and encode
// it as JPEG, PNG or WebP (lossy or lossless), carrying the source's XMP
// packet into the output so that the AI-generated marking survives.
//
// It has no Terraform import: it returns values and typed errors, and the
// resource turns them into diagnostics.
//
// Choices, and why:
//   - Decoding: a truecolour PNG (8 or 16 bits, not interlaced, without
//     a colour key or a suggested palette) by png.go, inflating on one
//     goroutine while another undoes the row filters (image/png does both
//     on one, and returns a 16-bit file as 16-bit pixels that then need a
//     generic conversion); any other PNG
//     and JPEG by the standard library; WebP by golang.org/x/image/webp.
//     Everything is pure Go: github.com/gen2brain/webp, the encoder,
//     runs libwebp compiled to WebAssembly inside wazero, so the release
//     keeps building every target with CGO_ENABLED=0. The release builds
//     with -tags nodynamic: without it gen2brain links purego to load a
//     system libwebp.so when it can, which does not build without cgo on
//     FreeBSD, and a development build on a machine with libwebp-dev
//     installed would encode with that library instead.
//   - Resampling: a separable Lanczos-3 written here, in fixed point, with
//     the filter widened by the downscale factor so that every source pixel
//     counts (no nearest-neighbour or bilinear shortcut, no box pre-shrink
//     as libvips does for large factors). golang.org/x/image/draw has no
//     Lanczos and its Catmull-Rom kernel converts every pixel through
//     image.Image interfaces, several times slower on a photograph.
//   - Encoding: image/jpeg (baseline, 4:2:0, the standard Huffman tables,
//     like libjpeg without optimize_coding), image/png, and
//     github.com/gen2brain/webp (libwebp's own encoder, so lossy WebP is
//     as small as libvips's at the same quality; the WebAssembly build is
//     several times slower than native libwebp, and compiling the module
//     costs a quarter to half a second of CPU the first time a process
//     encodes WebP). Lossy WebP uses libwebp's method 2, not its default
//     4 (which vipsthumbnail uses): a third of the encoding time for files
//     4-5 % larger and 0.07 dB lower PSNR at the same quality, still
//     within the renditions profile's targets against libvips (see
//     lossyWebPMethod). An opaque lossy rendition reaches libwebp as
//     4:2:0 planes converted here (yuv.go) with libwebp's own arithmetic,
//     on every CPU, rather than as RGBA the module converts on one.
//   - Marking: imagemeta.Find reads the source's XMP packet and
//     imagemeta.Embed writes it into the output unchanged.
//
// Speed: on the renditions profile's photograph (a 2560x1600 PNG, 16 bits
// a channel), one rendition costs about 0.17 s of CPU to decode (0.1 s of
// it inflating), 0.04-0.07 s to resample, 0.02 s to encode a 1200x630
// JPEG and 0.11 s a 1080x1080 WebP; the first WebP of a process also
// waits for libwebp's module to compile, 0.22 s on one CPU, which no
// setting of gen2brain/webp shortens (it compiles with wazero's defaults:
// one compiling goroutine, no cache across processes). That compile is
// most of the gap to vipsthumbnail on a single WebP rendition; decoding
// and resampling run beside it on the other CPUs (see cpus).
//
// Memory: a Cache keeps decoded sources, keyed by path and SHA-256, up to
// a bound in bytes of pixels (DefaultCacheBytes, 256 MiB), counting for
// each source as much again for the outputs it was resampled to, which it
// keeps (up to that much) so that renditions of one box in two formats
// resample once; a source larger than the bound is decoded for the
// renditions that ask for it at the same time and then dropped. Decoding
// a PNG on two CPUs holds its inflated rows while it runs (as many bytes
// as the decoded pixels, twice as many for 16 bits a channel: no more
// than image/png's 16-bit image and its RGBA copy took, less without
// alpha); on one, a band of 32 rows. A render needs, beyond its source,
// about eight bytes per output pixel and channel plus its encoded file.
package rendition
