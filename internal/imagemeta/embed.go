package imagemeta

import (
	"bytes"
	"fmt"
)

// UnsupportedFormatError says that an image is in a format this package
// cannot mark (GIF, or bytes it does not recognize).
type UnsupportedFormatError struct {
	Format string // "gif", or "unknown"
}

func (e *UnsupportedFormatError) Error() string {
	if e.Format == "unknown" {
		return "the bytes are not a PNG, JPEG or WebP image, the formats that can carry the marking"
	}
	return fmt.Sprintf("%s images cannot carry the marking (only PNG, JPEG and WebP can)", e.Format)
}

// MalformedError says that an image looked like a format this package
// marks but its structure is broken, so it was left alone.
type MalformedError struct {
	Format string
	Reason string
}

func (e *MalformedError) Error() string {
	return fmt.Sprintf("the %s structure is damaged (%s), so the marking was not written", e.Format, e.Reason)
}

// SignedError says that an image carries a C2PA manifest (Content
// Credentials), whose signature covers the file's bytes: writing anything
// into the file would invalidate it, so the file is left alone.
type SignedError struct {
	Format string
}

func (e *SignedError) Error() string {
	return fmt.Sprintf("the %s file carries a signed C2PA manifest (Content Credentials), which any change to the file would invalidate", e.Format)
}

// ErrPacketTooLarge says that a packet does not fit in the one segment a
// JPEG file gives it: jpegMaxPacket bytes.
var ErrPacketTooLarge = fmt.Errorf("the XMP packet is larger than the %d bytes one JPEG segment can carry", jpegMaxPacket)

// format is one image format this package can mark.
type format struct {
	name   string
	embed  func(data, packet []byte) ([]byte, error)
	remove func(data []byte) ([]byte, error)
	signed func(data []byte) bool // carries a C2PA manifest
}

var (
	pngSignature = []byte("\x89PNG\r\n\x1a\n")
	gifSignature = []byte("GIF8")
)

// detect finds the format of data.
func detect(data []byte) (format, error) {
	switch {
	case bytes.HasPrefix(data, pngSignature):
		return format{"PNG", embedPNG, removePNG, signedPNG}, nil
	case bytes.HasPrefix(data, []byte{0xff, 0xd8}):
		return format{"JPEG", embedJPEG, removeJPEG, signedJPEG}, nil
	case IsWebP(data):
		return format{"WebP", embedWebP, removeWebP, signedWebP}, nil
	case bytes.HasPrefix(data, gifSignature):
		return format{}, &UnsupportedFormatError{Format: "GIF"}
	}
	return format{}, &UnsupportedFormatError{Format: "unknown"}
}

// Embed returns a copy of data that carries packet as its XMP metadata,
// replacing any XMP packet data had. Pixel data and every other chunk or
// segment are copied unchanged. A file with a C2PA manifest gives a
// *SignedError.
func Embed(data, packet []byte) ([]byte, error) {
	f, err := detect(data)
	if err != nil {
		return nil, err
	}
	if f.signed(data) {
		return nil, &SignedError{Format: f.name}
	}
	return f.embed(data, packet)
}

// Remove returns a copy of data without its XMP packet. For a file that
// Embed made from one without XMP, it gives back those exact bytes.
func Remove(data []byte) ([]byte, error) {
	f, err := detect(data)
	if err != nil {
		return nil, err
	}
	return f.remove(data)
}
