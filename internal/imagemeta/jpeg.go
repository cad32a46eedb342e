package imagemeta

import (
	"bytes"
	"encoding/binary"
)

const (
	jpegXMPHeader      = "http://ns.adobe.com/xap/1.0/\x00"
	jpegExtendedHeader = "http://ns.adobe.com/xmp/extension/\x00"
	jpegExifHeader     = "Exif\x00\x00"
	jpegMaxSegment     = 0xffff // a segment's length field counts itself
	// jpegMaxPacket is the largest packet one segment carries: 65,504 bytes
	// (the length field and the XMP header take the rest).
	jpegMaxPacket = jpegMaxSegment - 2 - len(jpegXMPHeader)
)

// jpegSegments splits a JPEG file after SOI into the segments before the
// image data (each with any fill bytes before its marker) and the rest,
// from the start-of-scan segment on, which is kept byte for byte.
func jpegSegments(data []byte) (segments [][]byte, rest []byte, err error) {
	pos := 2
	for {
		start := pos
		for pos < len(data) && data[pos] == 0xff {
			pos++
		}
		if pos == start || pos >= len(data) {
			return nil, nil, &MalformedError{Format: "JPEG", Reason: "a marker is missing before the image data"}
		}
		marker := data[pos]
		pos++
		switch {
		case marker == 0xda || marker == 0xd9: // start of scan, or end of image
			return segments, data[start:], nil
		case marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7): // no length
			segments = append(segments, data[start:pos])
			continue
		}
		if pos+2 > len(data) {
			return nil, nil, &MalformedError{Format: "JPEG", Reason: "a segment is truncated"}
		}
		n := int(binary.BigEndian.Uint16(data[pos : pos+2]))
		if n < 2 || pos+n > len(data) {
			return nil, nil, &MalformedError{Format: "JPEG", Reason: "a segment is longer than the file"}
		}
		pos += n
		segments = append(segments, data[start:pos])
	}
}

// jpegBody is segment without the fill bytes and the 0xff before its
// marker: the marker, the length and the payload.
func jpegBody(segment []byte) []byte {
	for len(segment) > 0 && segment[0] == 0xff {
		segment = segment[1:]
	}
	return segment
}

// jpegAPP1 reports whether segment is an APP1 segment whose payload starts
// with header.
func jpegAPP1(segment []byte, header string) bool {
	body := jpegBody(segment)
	return len(body) > 3 && body[0] == 0xe1 && bytes.HasPrefix(body[3:], []byte(header))
}

// jpegLeading reports whether segment belongs before the XMP segment: a
// JFIF or JFXX header (APP0), which must come first, or Exif (APP1).
func jpegLeading(segment []byte) bool {
	body := jpegBody(segment)
	return (len(body) > 0 && body[0] == 0xe0) || jpegAPP1(segment, jpegExifHeader)
}

func jpegXMPSegment(packet []byte) ([]byte, error) {
	if len(packet) > jpegMaxPacket {
		return nil, ErrPacketTooLarge
	}
	n := 2 + len(jpegXMPHeader) + len(packet)
	seg := []byte{0xff, 0xe1, byte(n >> 8), byte(n)}
	seg = append(seg, jpegXMPHeader...)
	return append(seg, packet...), nil
}

// rebuildJPEG writes SOI, the segments without XMP (main or extended), with
// extra after the leading JFIF and Exif segments, and the rest as it was.
func rebuildJPEG(data, extra []byte) ([]byte, error) {
	segments, rest, err := jpegSegments(data)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(data)+len(extra))
	out = append(out, 0xff, 0xd8)
	leading := true
	for _, seg := range segments {
		if jpegAPP1(seg, jpegXMPHeader) || jpegAPP1(seg, jpegExtendedHeader) {
			continue
		}
		if leading && !jpegLeading(seg) {
			out = append(out, extra...)
			leading = false
		}
		out = append(out, seg...)
	}
	if leading {
		out = append(out, extra...)
	}
	return append(out, rest...), nil
}

// signedJPEG reports an APP11 segment holding a C2PA JUMBF box, where C2PA
// keeps its manifest in JPEG.
func signedJPEG(data []byte) bool {
	segments, _, _ := jpegSegments(data)
	for _, s := range segments {
		if body := jpegBody(s); len(body) > 0 && body[0] == 0xeb && bytes.Contains(body, []byte("c2pa")) {
			return true
		}
	}
	return false
}

func embedJPEG(data, packet []byte) ([]byte, error) {
	seg, err := jpegXMPSegment(packet)
	if err != nil {
		return nil, err
	}
	return rebuildJPEG(data, seg)
}

func removeJPEG(data []byte) ([]byte, error) { return rebuildJPEG(data, nil) }
