package localcopy

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/hashicorp/go-cleanhttp"
)

// ProbeTimeout bounds the check, during refresh, that an image URL still
// serves.
const ProbeTimeout = 30 * time.Second

// UserAgent is sent with every request for an image URL.
const UserAgent = "terraform-provider-akool"

// Source is an image read whole and checked (complete, within MaxBytes,
// with the recorded checksum when there is one): a download, or a local
// copy read back. Its bytes are not known to be an image yet: Write checks
// that.
type Source struct {
	Data   []byte
	SHA256 string // lowercase hex of Data
	Name   string // names the source in errors: "GET <url>" or "the file at <path>"
}

// HTTPError is an answer other than 200 to an image download or probe.
type HTTPError struct {
	URL        string // without query string
	StatusCode int
	Status     string
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("GET %s answered HTTP %s", e.URL, e.Status)
}

// Gone reports whether the status says the image is no longer there, as
// Akool's image URLs answer after the 7 days it keeps results.
func (e *HTTPError) Gone() bool {
	return e.StatusCode == http.StatusNotFound || e.StatusCode == http.StatusGone
}

// NotServed reports whether err, from a download or a probe, is an *HTTPError
// that says the image is no longer there.
func NotServed(err error) bool {
	var httpErr *HTTPError
	return errors.As(err, &httpErr) && httpErr.Gone()
}

// NewHTTPClient returns the client for image URLs: downloads, the check
// that a URL still serves, and size reads. It is not the Akool API client:
// image URLs are public links, often on a CDN, and no credentials are ever
// sent to them.
func NewHTTPClient() *http.Client {
	return cleanhttp.DefaultPooledClient()
}

// DisplayURL gives rawURL without its query string and fragment, so that
// signed links do not end up in error messages or logs.
func DisplayURL(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "the image URL"
	}
	u.RawQuery = ""
	u.ForceQuery = false
	u.Fragment = ""
	u.User = nil
	return u.String()
}

// transportError strips the URL from a net/http error (it may hold a query
// string) and names the displayable URL instead.
func transportError(rawURL string, err error) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	return fmt.Errorf("GET %s: %w", DisplayURL(rawURL), err)
}

// get sends a GET for rawURL with ctx and the provider's User-Agent.
func get(ctx context.Context, client *http.Client, rawURL string, header http.Header) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("invalid image URL %s: %w", DisplayURL(rawURL), err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("User-Agent", UserAgent)
	resp, err := client.Do(req)
	if err != nil {
		return nil, transportError(rawURL, err)
	}
	return resp, nil
}

// Download fetches rawURL. It accepts only an HTTP 200 answer whose body
// matches its declared Content-Length and is at most MaxBytes long.
func Download(ctx context.Context, client *http.Client, rawURL string) (*Source, error) {
	display := DisplayURL(rawURL)
	resp, err := get(ctx, client, rawURL, http.Header{"Accept": {"image/*"}})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()

	if resp.StatusCode != http.StatusOK {
		return nil, &HTTPError{URL: display, StatusCode: resp.StatusCode, Status: resp.Status}
	}
	if resp.ContentLength > MaxBytes {
		return nil, fmt.Errorf("GET %s declares %d bytes, more than the limit of %d bytes; the download was not started",
			display, resp.ContentLength, MaxBytes)
	}
	return read(ctx, resp.Body, "GET "+display, resp.ContentLength, "")
}

// ReadFile reads the local copy at path back; its bytes must have the
// recorded SHA-256 wantSHA256.
func ReadFile(ctx context.Context, path, wantSHA256 string) (*Source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if info, err := f.Stat(); err != nil {
		return nil, err
	} else if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	return read(ctx, f, "the file at "+path, -1, wantSHA256)
}

// read reads r whole: at most MaxBytes, exactly size bytes when size is not
// -1, and with the checksum wantSHA256 when it is not "".
func read(ctx context.Context, r io.Reader, name string, size int64, wantSHA256 string) (*Source, error) {
	var body *bytes.Buffer
	if size > 0 && size <= MaxBytes {
		// One buffer, not one grown by doubling. Made here rather than by
		// Grow, whose append allocates twice under the race detector.
		body = bytes.NewBuffer(make([]byte, 0, size))
	} else {
		body = new(bytes.Buffer)
	}
	hash := sha256.New()
	n, err := io.Copy(io.MultiWriter(body, hash), io.LimitReader(contextReader{ctx, r}, MaxBytes+1))
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fmt.Errorf("%s: interrupted after %d bytes: %w", name, n, ctxErr)
		}
		if size >= 0 && n < size {
			return nil, fmt.Errorf("%s declared %d bytes but the transfer ended after %d: %w", name, size, n, err)
		}
		return nil, fmt.Errorf("%s: reading the image failed after %d bytes: %w", name, n, err)
	}
	if n > MaxBytes {
		return nil, fmt.Errorf("%s sent more than the limit of %d bytes; the download was stopped", name, MaxBytes)
	}
	if size >= 0 && n != size {
		return nil, fmt.Errorf("%s declared %d bytes but sent %d", name, size, n)
	}
	sum := hex.EncodeToString(hash.Sum(nil))
	if wantSHA256 != "" && sum != wantSHA256 {
		return nil, fmt.Errorf("%s: its %d bytes have SHA-256 %s, not the recorded %s", name, n, sum, wantSHA256)
	}
	return &Source{Data: body.Bytes(), SHA256: sum, Name: name}, nil
}

// contextReader stops reading once ctx is done, so that reading a local
// file is interrupted like a download.
type contextReader struct {
	ctx context.Context
	r   io.Reader
}

func (c contextReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// Probe reports whether rawURL still serves, without downloading the image:
// it asks for the first byte only and closes the answer. A nil error means
// it serves; an *HTTPError carries any other status.
func Probe(ctx context.Context, client *http.Client, rawURL string) error {
	ctx, cancel := context.WithTimeout(ctx, ProbeTimeout)
	defer cancel()
	resp, err := get(ctx, client, rawURL, http.Header{"Range": {"bytes=0-0"}})
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusPartialContent {
		return nil
	}
	return &HTTPError{URL: DisplayURL(rawURL), StatusCode: resp.StatusCode, Status: resp.Status}
}

// Reading an image's size: only the header is read, never the whole
// picture.
const (
	headerMaxBytes = 1 << 20 // JPEG metadata can push the size header a long way in
	headerTimeout  = 20 * time.Second
)

// FetchSize reads the width and height of the picture at rawURL from its
// header, reading at most 1 MiB.
func FetchSize(ctx context.Context, client *http.Client, rawURL string) (width, height int, err error) {
	ctx, cancel := context.WithTimeout(ctx, headerTimeout)
	defer cancel()
	resp, err := get(ctx, client, rawURL, nil)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, 0, &HTTPError{URL: DisplayURL(rawURL), StatusCode: resp.StatusCode, Status: resp.Status}
	}
	_, width, height, err = DecodeConfig(io.LimitReader(resp.Body, headerMaxBytes))
	return width, height, err
}
