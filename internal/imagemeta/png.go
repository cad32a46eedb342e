package imagemeta

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
)

// pngXMPKeyword starts the data of the iTXt chunk that holds XMP.
const pngXMPKeyword = "XML:com.adobe.xmp\x00"

// pngChunks splits a PNG file after its signature into whole chunks
// (length, type, data and CRC), and returns what follows IEND unchanged.
func pngChunks(data []byte) (chunks [][]byte, trailer []byte, err error) {
	rest := data[len(pngSignature):]
	for {
		if len(rest) < 12 {
			return nil, nil, &MalformedError{Format: "PNG", Reason: "a chunk is truncated"}
		}
		n := binary.BigEndian.Uint32(rest[0:4])
		if n > uint32(len(rest)-12) {
			return nil, nil, &MalformedError{Format: "PNG", Reason: "a chunk is longer than the file"}
		}
		chunk := rest[:12+n]
		chunkType := string(chunk[4:8])
		if len(chunks) == 0 && chunkType != "IHDR" {
			return nil, nil, &MalformedError{Format: "PNG", Reason: "the first chunk is not IHDR"}
		}
		chunks = append(chunks, chunk)
		rest = rest[12+n:]
		if chunkType == "IEND" {
			return chunks, rest, nil
		}
	}
}

func isPNGXMP(chunk []byte) bool {
	return string(chunk[4:8]) == "iTXt" && bytes.HasPrefix(chunk[8:len(chunk)-4], []byte(pngXMPKeyword))
}

// pngXMPChunk is an uncompressed iTXt chunk with no language tag, as the
// XMP specification asks for.
func pngXMPChunk(packet []byte) []byte {
	data := make([]byte, 0, len(pngXMPKeyword)+4+len(packet))
	data = append(data, pngXMPKeyword...)
	data = append(data, 0, 0, 0, 0) // compression flag and method, empty language tag and translated keyword
	data = append(data, packet...)
	return pngChunk("iTXt", data)
}

// pngChunk builds a chunk: length, type, data and CRC.
func pngChunk(chunkType string, data []byte) []byte {
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	chunk = append(chunk, chunkType...)
	chunk = append(chunk, data...)
	return binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
}

// rebuildPNG writes the signature, the chunks without any XMP chunk (with
// extra right after IHDR when it is not nil) and the trailer.
func rebuildPNG(data, extra []byte) ([]byte, error) {
	chunks, trailer, err := pngChunks(data)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(data)+len(extra))
	out = append(out, pngSignature...)
	for i, chunk := range chunks {
		if isPNGXMP(chunk) {
			continue
		}
		out = append(out, chunk...)
		if i == 0 {
			out = append(out, extra...)
		}
	}
	return append(out, trailer...), nil
}

// signedPNG reports a caBX chunk, where C2PA keeps its manifest in PNG.
func signedPNG(data []byte) bool {
	chunks, _, _ := pngChunks(data)
	for _, c := range chunks {
		if string(c[4:8]) == "caBX" {
			return true
		}
	}
	return false
}

func embedPNG(data, packet []byte) ([]byte, error) { return rebuildPNG(data, pngXMPChunk(packet)) }
func removePNG(data []byte) ([]byte, error)        { return rebuildPNG(data, nil) }
