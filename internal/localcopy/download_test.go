package localcopy

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/png"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/akool-community/terraform-provider-akool/internal/localcopy/localcopytest"
)

// assertDirHasOnly fails when dir holds entries other than names (a leftover
// temporary file, for instance).
func assertDirHasOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if strings.Join(got, ",") != strings.Join(names, ",") {
		t.Errorf("directory %s holds %q, want exactly %q", dir, got, names)
	}
}

// setMaxBytes lowers the download limit for one test.
func setMaxBytes(t *testing.T, n int64) {
	t.Helper()
	old := MaxBytes
	MaxBytes = n
	t.Cleanup(func() { MaxBytes = old })
}

func TestDownload_formats(t *testing.T) {
	for _, tc := range []struct {
		format, contentType string
		width, height       int
	}{
		{"png", "image/png", 37, 21},
		{"jpeg", "image/jpeg", 16, 48},
		{"gif", "image/gif", 9, 5},
	} {
		t.Run(tc.format, func(t *testing.T) {
			body := localcopytest.Picture(t, tc.format, tc.width, tc.height)
			var gotUA, gotAuth, gotKey atomic.Value
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				gotUA.Store(r.UserAgent())
				gotAuth.Store(r.Header.Get("Authorization"))
				gotKey.Store(r.Header.Get("X-Api-Key"))
				// Deliberately not the real type: content_type comes from the bytes.
				w.Header().Set("Content-Type", "application/octet-stream")
				_, _ = w.Write(body)
			}))
			defer srv.Close()

			dir := t.TempDir()
			dest := filepath.Join(dir, "nested", "deeper", "out."+tc.format)
			info, err := downloadTo(t.Context(), srv.Client(), srv.URL+"/img?sig=secret", dest)
			if err != nil {
				t.Fatalf("download: %v", err)
			}

			written, err := os.ReadFile(dest)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(written, body) {
				t.Errorf("file holds %d bytes that differ from the %d served", len(written), len(body))
			}
			want := Info{SHA256: localcopytest.SHA256Hex(body), Size: int64(len(body)), ContentType: tc.contentType, Width: int64(tc.width), Height: int64(tc.height)}
			if *info != want {
				t.Errorf("info = %+v, want %+v", *info, want)
			}
			st, err := os.Stat(dest)
			if err != nil {
				t.Fatal(err)
			}
			if st.Mode().Perm() != 0o644 {
				t.Errorf("file mode = %v, want 0644", st.Mode().Perm())
			}
			assertDirHasOnly(t, filepath.Dir(dest), "out."+tc.format)
			if ua := gotUA.Load(); ua != UserAgent {
				t.Errorf("User-Agent = %q, want %q", ua, UserAgent)
			}
			if gotAuth.Load() != "" || gotKey.Load() != "" {
				t.Errorf("credentials were sent to the image host: Authorization %q, x-api-key %q", gotAuth.Load(), gotKey.Load())
			}
		})
	}
}

func TestDownload_replacesExistingFile(t *testing.T) {
	body := localcopytest.Picture(t, "png", 4, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(body) }))
	defer srv.Close()

	dest := filepath.Join(t.TempDir(), "hero.png")
	if err := os.WriteFile(dest, []byte("an older file"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := downloadTo(t.Context(), srv.Client(), srv.URL, dest); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(dest)
	if !bytes.Equal(got, body) {
		t.Error("the existing file was not replaced by the download")
	}
	st, _ := os.Stat(dest)
	if st.Mode().Perm() != 0o644 {
		t.Errorf("file mode = %v, want 0644", st.Mode().Perm())
	}
}

func TestDownload_refusesNonImage(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png") // the header lies; the bytes decide
		fmt.Fprint(w, "<html><body>Access denied</body></html>")
	}))
	defer srv.Close()

	dir := t.TempDir()
	dest := filepath.Join(dir, "hero.png")
	old := []byte("the previous good copy")
	if err := os.WriteFile(dest, old, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := downloadTo(t.Context(), srv.Client(), srv.URL, dest)
	if err == nil || !strings.Contains(err.Error(), "not an image") {
		t.Fatalf("error = %v, want one saying the bytes are not an image", err)
	}
	got, _ := os.ReadFile(dest)
	if !bytes.Equal(got, old) {
		t.Errorf("the file at the path changed after a failed download: %q", got)
	}
	assertDirHasOnly(t, dir, "hero.png")
}

func TestDownload_refusesHTTPErrors(t *testing.T) {
	for _, status := range []int{http.StatusNotFound, http.StatusGone, http.StatusInternalServerError, http.StatusForbidden} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(status)
				// A valid image in an error answer must still be refused.
				_, _ = w.Write(localcopytest.Picture(t, "png", 2, 2))
			}))
			defer srv.Close()

			dir := t.TempDir()
			dest := filepath.Join(dir, "sub", "hero.png")
			_, err := downloadTo(t.Context(), srv.Client(), srv.URL+"/images/x.png?token=abc", dest)
			var httpErr *HTTPError
			if !errors.As(err, &httpErr) {
				t.Fatalf("error = %v, want an *HTTPError", err)
			}
			wantStatus := fmt.Sprintf("HTTP %d %s", status, http.StatusText(status))
			if !strings.Contains(err.Error(), wantStatus) {
				t.Errorf("error %q does not name the status %q", err, wantStatus)
			}
			if strings.Contains(err.Error(), "token=abc") {
				t.Errorf("error %q shows the URL's query string", err)
			}
			if gone := status == http.StatusNotFound || status == http.StatusGone; httpErr.Gone() != gone {
				t.Errorf("Gone() = %v, want %v", httpErr.Gone(), gone)
			}
			if _, err := os.Stat(dest); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a file exists at the path after HTTP %d: %v", status, err)
			}
		})
	}
}

// rawServer answers every connection with response, written as is, then
// closes it: for answers net/http's server refuses to produce.
func rawServer(t *testing.T, response []byte) string {
	t.Helper()
	var lc net.ListenConfig
	ln, err := lc.Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				br := bufio.NewReader(conn)
				if _, err := http.ReadRequest(br); err != nil {
					return
				}
				_, _ = conn.Write(response)
			}()
		}
	}()
	return "http://" + ln.Addr().String() + "/image.png"
}

func TestDownload_refusesContentLengthMismatch(t *testing.T) {
	body := localcopytest.Picture(t, "png", 40, 40)
	half := body[:len(body)/2]
	response := []byte(fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: %d\r\nConnection: close\r\n\r\n", len(body)))
	response = append(response, half...)
	url := rawServer(t, response)

	dir := t.TempDir()
	dest := filepath.Join(dir, "hero.png")
	old := []byte("the previous good copy")
	if err := os.WriteFile(dest, old, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := downloadTo(t.Context(), NewHTTPClient(), url, dest)
	want := fmt.Sprintf("declared %d bytes but the transfer ended after %d", len(body), len(half))
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error = %v, want one containing %q", err, want)
	}
	got, _ := os.ReadFile(dest)
	if !bytes.Equal(got, old) {
		t.Errorf("a partial download replaced the file at the path: now %d bytes", len(got))
	}
	assertDirHasOnly(t, dir, "hero.png")
}

// endlessBody streams zeros until the client goes away, counting what it
// managed to write.
func endlessBody(written *atomic.Int64, declared int64) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if declared > 0 {
			w.Header().Set("Content-Length", strconv.FormatInt(declared, 10))
		}
		w.WriteHeader(http.StatusOK)
		chunk := make([]byte, 32<<10)
		copy(chunk, pngHeader)
		for {
			n, err := w.Write(chunk)
			written.Add(int64(n))
			if err != nil {
				return
			}
			if f, ok := w.(http.Flusher); ok {
				f.Flush()
			}
			select {
			case <-r.Context().Done():
				return
			default:
			}
		}
	}
}

// pngHeader is the start of a valid PNG (signature and IHDR), so that an
// endless body would pass the format check if the size limit did not stop it.
var pngHeader = func() []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1, 1))); err != nil {
		panic(err)
	}
	return buf.Bytes()[:33]
}()

// downloadEndlessBody downloads into a new directory, under a limit of
// limit bytes, from a server whose body never ends and that declares
// declared bytes unless declared is 0. It returns the directory and the
// download's error, and fails the test if the download ran until the
// test's deadline instead of stopping at the limit.
func downloadEndlessBody(t *testing.T, limit, declared int64) (string, error) {
	t.Helper()
	setMaxBytes(t, limit)
	var written atomic.Int64
	srv := httptest.NewServer(endlessBody(&written, declared))
	defer srv.Close()

	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	dir := t.TempDir()
	_, err := downloadTo(ctx, srv.Client(), srv.URL, filepath.Join(dir, "big.png"))
	if ctx.Err() != nil {
		t.Fatalf("the download ran until the test's deadline instead of stopping at the limit")
	}
	return dir, err
}

func TestDownload_refusesOversizeStream(t *testing.T) {
	dir, err := downloadEndlessBody(t, 4096, 0)
	if err == nil || !strings.Contains(err.Error(), "more than the limit of 4096 bytes") {
		t.Fatalf("error = %v, want the size limit", err)
	}
	assertDirHasOnly(t, dir)
}

func TestDownload_refusesDeclaredOversizeWithoutReading(t *testing.T) {
	const declared = 1 << 40
	dir, err := downloadEndlessBody(t, 8192, declared)
	want := fmt.Sprintf("declares %d bytes, more than the limit of 8192 bytes", int64(declared))
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error = %v, want one containing %q", err, want)
	}
	// Nothing is created for a download that is refused up front.
	assertDirHasOnly(t, dir)
}

func TestDownload_cancelled(t *testing.T) {
	// A server that sends the start of an image and then stalls.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(pngHeader)
		_ = http.NewResponseController(w).Flush()
		<-r.Context().Done()
	}))
	defer srv.Close()

	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	dir := t.TempDir()
	_, err := downloadTo(ctx, srv.Client(), srv.URL, filepath.Join(dir, "slow.png"))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error = %v, want the context's deadline", err)
	}
	assertDirHasOnly(t, dir)
}

func TestProbe(t *testing.T) {
	body := localcopytest.Picture(t, "png", 3, 3)
	var gotRange atomic.Value
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotRange.Store(r.Header.Get("Range"))
		if strings.HasPrefix(r.URL.Path, "/expired") {
			http.NotFound(w, r)
			return
		}
		if strings.HasPrefix(r.URL.Path, "/broken") {
			http.Error(w, "upstream failure", http.StatusBadGateway)
			return
		}
		served.Add(1)
		http.ServeContent(w, r, "x.png", time.Time{}, bytes.NewReader(body))
	}))
	defer srv.Close()
	ctx := t.Context()

	if err := Probe(ctx, srv.Client(), srv.URL+"/ok.png"); err != nil {
		t.Errorf("probe of a serving URL: %v", err)
	}
	if r := gotRange.Load(); r != "bytes=0-0" {
		t.Errorf("probe sent Range %q, want bytes=0-0", r)
	}
	if served.Load() != 1 {
		t.Errorf("the serving URL was asked %d times, want 1", served.Load())
	}

	err := Probe(ctx, srv.Client(), srv.URL+"/expired.png")
	var httpErr *HTTPError
	if !errors.As(err, &httpErr) || !httpErr.Gone() {
		t.Errorf("probe of an expired URL = %v, want a Gone *HTTPError", err)
	}

	err = Probe(ctx, srv.Client(), srv.URL+"/broken.png")
	if !errors.As(err, &httpErr) || httpErr.Gone() || httpErr.StatusCode != http.StatusBadGateway {
		t.Errorf("probe of a failing URL = %v, want a non-Gone HTTP 502 error", err)
	}

	var lc net.ListenConfig
	ln, err := lc.Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedURL := "http://" + ln.Addr().String() + "/x.png"
	ln.Close()
	err = Probe(ctx, srv.Client(), closedURL)
	if err == nil || errors.As(err, &httpErr) {
		t.Errorf("probe of an unreachable URL = %v, want a transport error", err)
	}
}

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	content := []byte("some image bytes")
	sum := localcopytest.SHA256Hex(content)
	file := filepath.Join(dir, "a.png")
	if err := os.WriteFile(file, content, 0o644); err != nil {
		t.Fatal(err)
	}
	sameSize := filepath.Join(dir, "b.png")
	if err := os.WriteFile(sameSize, []byte("SOME IMAGE BYTES"), 0o644); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name, path string
		size       int64
		want       State
	}{
		{"matches", file, int64(len(content)), Matches},
		{"missing", filepath.Join(dir, "none.png"), int64(len(content)), Missing},
		{"same size, other bytes", sameSize, int64(len(content)), Changed},
		{"other size", file, int64(len(content)) + 1, Changed},
	} {
		got, err := Check(tc.path, sum, tc.size)
		if err != nil || got != tc.want {
			t.Errorf("%s: got %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
	if _, err := Check(dir, sum, 1); err == nil {
		t.Error("a directory at the path was not reported as an error")
	}
}

// webpHead builds the first 30 bytes of a WebP file with the given first
// chunk and payload.
func webpHead(chunk string, payload []byte) []byte {
	b := []byte("RIFF\x00\x00\x00\x00WEBP" + chunk + "\x00\x00\x00\x00")
	b = append(b, payload...)
	for len(b) < 30 {
		b = append(b, 0)
	}
	return b
}

func TestDecodeConfig_webp(t *testing.T) {
	vp8x := make([]byte, 10)
	vp8x[4], vp8x[5], vp8x[6] = 0x7f, 0x07, 0x00 // width-1 = 1919
	vp8x[7], vp8x[8], vp8x[9] = 0x37, 0x04, 0x00 // height-1 = 1079

	vp8l := make([]byte, 5)
	vp8l[0] = 0x2f
	binary.LittleEndian.PutUint32(vp8l[1:], uint32(640-1)|uint32(480-1)<<14)

	vp8 := []byte{0, 0, 0, 0x9d, 0x01, 0x2a, 0, 0, 0, 0}
	binary.LittleEndian.PutUint16(vp8[6:], 1024)
	binary.LittleEndian.PutUint16(vp8[8:], 768)

	for _, tc := range []struct {
		name          string
		data          []byte
		width, height int
	}{
		{"VP8X", webpHead("VP8X", vp8x), 1920, 1080},
		{"VP8L", webpHead("VP8L", vp8l), 640, 480},
		{"VP8", webpHead("VP8 ", vp8), 1024, 768},
	} {
		ct, w, h, err := DecodeConfig(bytes.NewReader(tc.data))
		if err != nil || ct != "image/webp" || w != tc.width || h != tc.height {
			t.Errorf("%s: got %q %dx%d, %v; want image/webp %dx%d", tc.name, ct, w, h, err, tc.width, tc.height)
		}
	}

	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"truncated", webpHead("VP8X", vp8x)[:20]},
		{"unknown chunk", webpHead("ABCD", vp8x)},
		{"bad lossless signature", webpHead("VP8L", []byte{0x00, 1, 2, 3, 4})},
		{"bad lossy start code", webpHead("VP8 ", make([]byte, 10))},
		{"plain text", []byte("this is not an image at all, not even close")},
		{"empty", nil},
	} {
		if _, _, _, err := DecodeConfig(bytes.NewReader(tc.data)); err == nil {
			t.Errorf("%s: accepted as an image", tc.name)
		}
	}
}

func TestDisplayURL(t *testing.T) {
	got := DisplayURL("https://user:pw@cdn.example.com/a/b.png?X-Amz-Signature=abc#frag")
	if got != "https://cdn.example.com/a/b.png" {
		t.Errorf("DisplayURL = %q", got)
	}
}

// downloadTo is a copy's walk without marking: Download, then Write.
func downloadTo(ctx context.Context, client *http.Client, rawURL, dest string) (*Info, error) {
	src, err := Download(ctx, client, rawURL)
	if err != nil {
		return nil, err
	}
	return Write(dest, src.Data)
}
