package localcopy

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"testing"
)

// FetchSize measures a picture from its header, even when the body is
// larger than the read limit, and refuses what is not an http(s) picture.
func TestFetchSize(t *testing.T) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 64, 36))); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/big.png":
			_, _ = w.Write(buf.Bytes())
			chunk := make([]byte, 64<<10)
			for i := 0; i < 2*headerMaxBytes/len(chunk); i++ {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()

	w, h, err := FetchSize(context.Background(), srv.Client(), srv.URL+"/big.png")
	if err != nil || w != 64 || h != 36 {
		t.Fatalf("FetchSize = %dx%d, %v; want 64x36", w, h, err)
	}
	if _, _, err := FetchSize(context.Background(), srv.Client(), srv.URL+"/gone.png"); err == nil {
		t.Error("FetchSize succeeded on a 404")
	}
	if _, _, err := FetchSize(context.Background(), srv.Client(), "file:///etc/passwd"); err == nil {
		t.Error("FetchSize accepted a file URL")
	}
}
