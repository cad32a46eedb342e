package provider

import (
	"bytes"
	"context"
	"encoding/binary"
	"image"
	"image/jpeg"
	"image/png"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestNearestScale(t *testing.T) {
	tests := []struct {
		width, height int
		want          string
		ok            bool
	}{
		{1024, 1024, "1:1", true},
		{1024, 768, "4:3", true},
		{768, 1024, "3:4", true},
		{1024, 576, "16:9", true},
		{1080, 1920, "9:16", true},
		{1536, 1024, "3:2", true},
		{1024, 1536, "2:3", true},
		{1920, 1088, "16:9", true}, // rounded to a multiple of 64
		{1000, 1000 * 5 / 4, "", false},
		{1250, 1000, "", false}, // 5:4 lies between 1:1 and 4:3
		{0, 100, "", false},
	}
	for _, tt := range tests {
		got, ok := nearestScale(tt.width, tt.height)
		if got != tt.want || ok != tt.ok {
			t.Errorf("nearestScale(%d, %d) = %q, %v; want %q, %v", tt.width, tt.height, got, ok, tt.want, tt.ok)
		}
	}
}

func TestImageHeaderSize(t *testing.T) {
	var pngBuf, jpegBuf bytes.Buffer
	if err := png.Encode(&pngBuf, image.NewRGBA(image.Rect(0, 0, 48, 27))); err != nil {
		t.Fatal(err)
	}
	if err := jpeg.Encode(&jpegBuf, image.NewRGBA(image.Rect(0, 0, 30, 40)), nil); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name          string
		data          []byte
		width, height int
	}{
		{"png", pngBuf.Bytes(), 48, 27},
		{"jpeg", jpegBuf.Bytes(), 30, 40},
		{"webp lossy", webpHeader("VP8 ", vp8Payload(1600, 900)), 1600, 900},
		{"webp lossless", webpHeader("VP8L", vp8lPayload(900, 1200)), 900, 1200},
		{"webp extended", webpHeader("VP8X", vp8xPayload(4096, 2304)), 4096, 2304},
	}
	for _, tt := range tests {
		w, h, err := imageHeaderSize(bytes.NewReader(tt.data))
		if err != nil || w != tt.width || h != tt.height {
			t.Errorf("%s: imageHeaderSize = %dx%d, %v; want %dx%d", tt.name, w, h, err, tt.width, tt.height)
		}
	}
	for name, data := range map[string][]byte{
		"text":           []byte("<html>not an image</html>"),
		"truncated webp": webpHeader("VP8X", nil)[:20],
		"unknown chunk":  webpHeader("ABCD", make([]byte, 10)),
	} {
		if _, _, err := imageHeaderSize(bytes.NewReader(data)); err == nil {
			t.Errorf("%s: imageHeaderSize succeeded on a non-image", name)
		}
	}
}

// fetchImageSize measures a picture from its header, even when the body is
// larger than the read limit, and refuses what is not an http(s) picture.
func TestFetchImageSize(t *testing.T) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 64, 36))); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/big.png":
			_, _ = w.Write(buf.Bytes())
			chunk := make([]byte, 64<<10)
			for i := 0; i < 2*imageHeaderMaxBytes/len(chunk); i++ {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()

	w, h, err := fetchImageSize(context.Background(), srv.Client(), srv.URL+"/big.png")
	if err != nil || w != 64 || h != 36 {
		t.Fatalf("fetchImageSize = %dx%d, %v; want 64x36", w, h, err)
	}
	if _, _, err := fetchImageSize(context.Background(), srv.Client(), srv.URL+"/gone.png"); err == nil {
		t.Error("fetchImageSize succeeded on a 404")
	}
	if _, _, err := fetchImageSize(context.Background(), srv.Client(), "file:///etc/passwd"); err == nil {
		t.Error("fetchImageSize accepted a file URL")
	}
}

func webpHeader(chunk string, payload []byte) []byte {
	out := []byte("RIFF")
	out = binary.LittleEndian.AppendUint32(out, uint32(4+8+len(payload)))
	out = append(out, "WEBP"...)
	out = append(out, chunk...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(payload)))
	return append(out, payload...)
}

func vp8Payload(w, h int) []byte {
	p := []byte{0, 0, 0, 0x9d, 0x01, 0x2a}
	p = binary.LittleEndian.AppendUint16(p, uint16(w))
	return binary.LittleEndian.AppendUint16(p, uint16(h))
}

func vp8lPayload(w, h int) []byte {
	return binary.LittleEndian.AppendUint32([]byte{0x2f}, uint32(w-1)|uint32(h-1)<<14)
}

func vp8xPayload(w, h int) []byte {
	p := make([]byte, 4, 10)
	p = append(p, byte(w-1), byte((w-1)>>8), byte((w-1)>>16))
	return append(p, byte(h-1), byte((h-1)>>8), byte((h-1)>>16))
}
