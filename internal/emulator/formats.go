package emulator

import (
	"bytes"
	_ "embed" // the WebP picture
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
)

// Picture formats the emulator can serve (Options.PictureFormat). Akool's
// results are PNG or, as live runs show, often JPEG; WebP is served too so
// that clients can be tested with every format an image CDN sends.
const (
	FormatPNG  = "png"
	FormatJPEG = "jpeg"
	FormatWebP = "webp"
)

// webpPicture is the one picture served in WebP: Go has no WebP encoder, so
// every WebP result is this small lossy file (96x64, made with libwebp's
// cwebp), whatever its prompt and scale.
//
//go:embed picture.webp
var webpPicture []byte

// pictureFormat is how pictures are encoded and named.
type pictureFormat struct {
	ext         string // file name extension in the image URLs
	contentType string
	encode      func(image.Image) []byte
}

func pictureFormatFor(name string) (pictureFormat, error) {
	switch name {
	case "", FormatPNG:
		return pictureFormat{"png", "image/png", encodePNG}, nil
	case FormatJPEG:
		return pictureFormat{"jpg", "image/jpeg", encodeJPEG}, nil
	case FormatWebP:
		return pictureFormat{"webp", "image/webp", func(image.Image) []byte { return webpPicture }}, nil
	}
	return pictureFormat{}, fmt.Errorf("emulator: picture format %q is not one of png, jpeg, webp", name)
}

func encodePNG(img image.Image) []byte {
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, img); err != nil {
		// Encoding an in-memory RGBA image into a buffer does not fail.
		panic(fmt.Sprintf("emulator: encoding a picture: %v", err))
	}
	return buf.Bytes()
}

func encodeJPEG(img image.Image) []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		panic(fmt.Sprintf("emulator: encoding a picture: %v", err))
	}
	return buf.Bytes()
}
