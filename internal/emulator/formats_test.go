package emulator_test

import (
	"bytes"
	"image"
	_ "image/jpeg" // registers JPEG with image.Decode
	"net/http"
	"strings"
	"testing"

	_ "golang.org/x/image/webp" // registers WebP with image.Decode

	"github.com/akool-community/terraform-provider-akool/internal/emulator"
)

func TestImages_servedInTheConfiguredFormat(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		format, ext, contentType, decoded string
	}{
		{"", ".png", "image/png", "png"},
		{emulator.FormatJPEG, ".jpg", "image/jpeg", "jpeg"},
		{emulator.FormatWebP, ".webp", "image/webp", "webp"},
	} {
		t.Run(tc.decoded, func(t *testing.T) {
			t.Parallel()
			e := start(t, emulator.Options{PictureFormat: tc.format})
			j := e.job(e.finishedGrid().ID)
			for _, u := range append([]string{j.Image}, j.UpscaledURLs...) {
				if !strings.HasSuffix(u, tc.ext) {
					t.Fatalf("URL %s does not end in %s", u, tc.ext)
				}
				rep, err := e.request(http.MethodGet, strings.TrimPrefix(u, e.base), nil)
				if err != nil || rep.status != http.StatusOK || rep.header.Get("Content-Type") != tc.contentType {
					t.Fatalf("GET %s: %v, HTTP %d, Content-Type %q", u, err, rep.status, rep.header.Get("Content-Type"))
				}
				if _, format, err := image.Decode(bytes.NewReader(rep.body)); err != nil || format != tc.decoded {
					t.Fatalf("GET %s: decoded as %q: %v", u, format, err)
				}
			}
			// The same picture under another format's name is not there.
			other := strings.TrimSuffix(strings.TrimPrefix(j.Image, e.base), tc.ext) + map[bool]string{true: ".jpg", false: ".png"}[tc.ext == ".png"]
			e.wantStatus(e.base+other, http.StatusNotFound)
		})
	}
}

func TestNew_refusesAnUnknownPictureFormat(t *testing.T) {
	if _, err := emulator.New(emulator.Options{APIKey: "k", PictureFormat: "gif"}); err == nil {
		t.Fatal("New accepted picture format gif")
	}
}
