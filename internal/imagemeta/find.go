package imagemeta

import "bytes"

// Find returns the XMP that data carries (the payload of its XMP chunk or
// segment), or nil when it has none.
func Find(data []byte) ([]byte, error) {
	f, err := detect(data)
	if err != nil {
		return nil, err
	}
	switch f.name {
	case "PNG":
		chunks, _, err := pngChunks(data)
		for _, c := range chunks {
			if isPNGXMP(c) {
				return c[8+len(pngXMPKeyword) : len(c)-4], nil
			}
		}
		return nil, err
	case "JPEG":
		segments, _, err := jpegSegments(data)
		for _, s := range segments {
			if jpegAPP1(s, jpegXMPHeader) {
				return jpegBody(s)[3+len(jpegXMPHeader):], nil
			}
		}
		return nil, err
	default:
		chunks, _, err := webpChunks(data)
		for _, c := range chunks {
			if c.id == "XMP " {
				return c.payload, nil
			}
		}
		return nil, err
	}
}

// Marked reports whether data carries a packet that Packet made: one that
// declares this package's namespace.
func Marked(data []byte) bool {
	packet, err := Find(data)
	return err == nil && bytes.Contains(packet, []byte(Namespace))
}
