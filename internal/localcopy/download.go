package provider

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"image"
	_ "image/gif"  // registers GIF with image.DecodeConfig
	_ "image/jpeg" // registers JPEG with image.DecodeConfig
	_ "image/png"  // registers PNG with image.DecodeConfig
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/hashicorp/go-cleanhttp"
)

// maxImageFileBytes bounds one download. It is a variable so that tests can
// lower it.
var maxImageFileBytes int64 = 64 << 20

// imageFileProbeTimeout bounds the check, during refresh, that an image URL
// still serves.
const imageFileProbeTimeout = 30 * time.Second

// imageFileDefaultUserAgent is sent when the provider does not supply its own.
const imageFileDefaultUserAgent = "terraform-provider-akool"

// imageFileInfo is what a verified download records in state: a checksum and
// metadata, never the bytes.
type imageFileInfo struct {
	SHA256       string // lowercase hex of the bytes written
	SourceSHA256 string // lowercase hex of the bytes read (the download), before any transform
	Size         int64  // bytes written
	ContentType  string // MIME type of the detected format
	Width        int64
	Height       int64
}

// newImageFileInfo records what sum has read: size bytes of an image.
func newImageFileInfo(sum hash.Hash, size int64, contentType string, width, height int) *imageFileInfo {
	return &imageFileInfo{
		SHA256:      hex.EncodeToString(sum.Sum(nil)),
		Size:        size,
		ContentType: contentType,
		Width:       int64(width),
		Height:      int64(height),
	}
}

// imageFileHTTPError is an answer other than 200 to an image download or
// probe.
type imageFileHTTPError struct {
	URL        string // without query string
	StatusCode int
	Status     string
}

func (e *imageFileHTTPError) Error() string {
	return fmt.Sprintf("GET %s answered HTTP %s", e.URL, e.Status)
}

// Gone reports whether the status says the image is no longer there, as
// Akool's image URLs answer after the 7 days it keeps results.
func (e *imageFileHTTPError) Gone() bool {
	return e.StatusCode == http.StatusNotFound || e.StatusCode == http.StatusGone
}

// newImageFileHTTPClient returns the client for image URLs: downloads, the
// check that a URL still serves, and size reads. It is not the Akool API
// client: image URLs are public links, often on a CDN, and no
// credentials are ever sent to them.
func newImageFileHTTPClient() *http.Client {
	return cleanhttp.DefaultPooledClient()
}

// imageFileDisplayURL gives rawURL without its query string and fragment, so
// that signed links do not end up in error messages or logs.
func imageFileDisplayURL(rawURL string) string {
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

// imageFileTransportError strips the URL from a net/http error (it may hold
// a query string) and names the displayable URL instead.
func imageFileTransportError(rawURL string, err error) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	return fmt.Errorf("GET %s: %w", imageFileDisplayURL(rawURL), err)
}

// imageFileGet sends a GET for rawURL with ctx and the provider's image
// User-Agent.
func imageFileGet(ctx context.Context, client *http.Client, rawURL string, header http.Header) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("invalid image URL %s: %w", imageFileDisplayURL(rawURL), err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("User-Agent", imageFileDefaultUserAgent)
	resp, err := client.Do(req)
	if err != nil {
		return nil, imageFileTransportError(rawURL, err)
	}
	return resp, nil
}

// downloadImageFile fetches rawURL and writes it to dest with
// writeImageFile. It accepts only an HTTP 200 answer whose body matches its
// declared Content-Length, is at most maxImageFileBytes long and is a PNG,
// JPEG, GIF or WebP image. transform, when not nil, is applied to the
// verified download before it is written (see imageFileSource).
func downloadImageFile(ctx context.Context, client *http.Client, rawURL, dest string,
	transform func([]byte) ([]byte, error)) (*imageFileInfo, error) {
	display := imageFileDisplayURL(rawURL)
	resp, err := imageFileGet(ctx, client, rawURL, http.Header{"Accept": {"image/*"}})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()

	if resp.StatusCode != http.StatusOK {
		return nil, &imageFileHTTPError{URL: display, StatusCode: resp.StatusCode, Status: resp.Status}
	}
	if resp.ContentLength > maxImageFileBytes {
		return nil, fmt.Errorf("GET %s declares %d bytes, more than the limit of %d bytes; the download was not started",
			display, resp.ContentLength, maxImageFileBytes)
	}
	return writeImageFile(ctx, dest, imageFileSource{r: resp.Body, name: "GET " + display, size: resp.ContentLength, transform: transform})
}

// copyImageFile copies the image at src to dest with writeImageFile; the
// bytes must have the recorded SHA-256, or dest is left as it was. src
// itself is not touched. src may be dest: with a transform, that rewrites
// the file in place, in one atomic write.
func copyImageFile(ctx context.Context, src, dest, wantSHA256 string, transform func([]byte) ([]byte, error)) (*imageFileInfo, error) {
	f, err := os.Open(src)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if info, err := f.Stat(); err != nil {
		return nil, err
	} else if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", src)
	}
	return writeImageFile(ctx, dest, imageFileSource{r: f, name: "the file at " + src, size: -1, sha256: wantSHA256, transform: transform})
}

// imageFileSource is what writeImageFile reads: a download's body or a
// local copy.
type imageFileSource struct {
	r      io.Reader
	name   string // names the source in errors: "GET <url>" or "the file at <path>"
	size   int64  // the size the source declares, or -1
	sha256 string // the checksum the bytes must have, or "" for any
	// transform, when not nil, gets the verified bytes and returns those to
	// write (the download with its marking); an error leaves dest as it was.
	transform func([]byte) ([]byte, error)
}

// writeImageFile is the one way an image file is written. It streams src
// into a temporary file in dest's directory (created with mode 0755 if
// missing), computing the SHA-256 on the way, checks that the bytes are
// complete, within maxImageFileBytes and a PNG, JPEG, GIF or WebP image (with
// the expected checksum, when there is one), and only then renames the
// temporary file over dest with mode 0644: dest is either the old file or
// the complete, verified new one. With a transform, the source is held in
// memory (it is at most maxImageFileBytes) and only its verified,
// transformed bytes reach the temporary file.
func writeImageFile(ctx context.Context, dest string, src imageFileSource) (*imageFileInfo, error) {
	limit := maxImageFileBytes
	dir := filepath.Dir(dest)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, &imageFileWriteError{Err: fmt.Errorf("creating directory %s: %w", dir, err)}
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(dest)+".*.tmp")
	if err != nil {
		return nil, &imageFileWriteError{Err: fmt.Errorf("creating a temporary file in %s: %w", dir, err)}
	}
	tmpName := tmp.Name()
	closed, renamed := false, false
	defer func() {
		if !closed {
			_ = tmp.Close()
		}
		if !renamed {
			_ = os.Remove(tmpName)
		}
	}()

	hash := sha256.New()
	var body bytes.Buffer
	var sink io.Writer = tmp
	if src.transform != nil {
		sink = &body
	}
	n, err := io.Copy(io.MultiWriter(sink, hash), io.LimitReader(contextReader{ctx, src.r}, limit+1))
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fmt.Errorf("%s: interrupted after %d bytes: %w", src.name, n, ctxErr)
		}
		if src.size >= 0 && n < src.size {
			return nil, fmt.Errorf("%s declared %d bytes but the transfer ended after %d: %w", src.name, src.size, n, err)
		}
		return nil, fmt.Errorf("%s: reading or writing the image failed after %d bytes: %w", src.name, n, err)
	}
	if n > limit {
		return nil, fmt.Errorf("%s sent more than the limit of %d bytes; the download was stopped", src.name, limit)
	}
	if src.size >= 0 && n != src.size {
		return nil, fmt.Errorf("%s declared %d bytes but sent %d", src.name, src.size, n)
	}
	sourceSHA256 := hex.EncodeToString(hash.Sum(nil))
	if src.sha256 != "" && sourceSHA256 != src.sha256 {
		return nil, fmt.Errorf("%s: its %d bytes have SHA-256 %s, not the recorded %s", src.name, n, sourceSHA256, src.sha256)
	}
	if src.transform != nil {
		if n, hash, err = writeTransformed(tmp, body.Bytes(), src.transform); err != nil {
			return nil, err
		}
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("rereading %s: %w", tmpName, err)
	}
	contentType, width, height, err := imageFileDecodeConfig(tmp)
	if err != nil {
		return nil, fmt.Errorf("%s: the %d bytes received are not an image this provider recognizes (PNG, JPEG, GIF or WebP): %w", src.name, n, err)
	}
	if err := tmp.Sync(); err != nil {
		return nil, &imageFileWriteError{Err: fmt.Errorf("writing %s: %w", tmpName, err)}
	}
	closed = true
	if err := tmp.Close(); err != nil {
		return nil, &imageFileWriteError{Err: fmt.Errorf("writing %s: %w", tmpName, err)}
	}
	if err := os.Chmod(tmpName, 0o644); err != nil {
		return nil, &imageFileWriteError{Err: fmt.Errorf("setting the mode of %s: %w", tmpName, err)}
	}
	if err := os.Rename(tmpName, dest); err != nil {
		return nil, &imageFileWriteError{Err: fmt.Errorf("moving the new file into place at %s: %w", dest, err)}
	}
	renamed = true

	info := newImageFileInfo(hash, n, contentType, width, height)
	info.SourceSHA256 = sourceSHA256
	return info, nil
}

// writeTransformed writes what transform makes of data to tmp, and returns
// its size and checksum.
func writeTransformed(tmp *os.File, data []byte, transform func([]byte) ([]byte, error)) (int64, hash.Hash, error) {
	out, err := transform(data)
	if err != nil {
		return 0, nil, err
	}
	sum := sha256.New()
	if _, err := io.MultiWriter(tmp, sum).Write(out); err != nil {
		return 0, nil, &imageFileWriteError{Err: fmt.Errorf("writing %s: %w", tmp.Name(), err)}
	}
	return int64(len(out)), sum, nil
}

// contextReader stops reading once ctx is done, so that a copy from a local
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

// imageFileWriteError is a failure to write the downloaded image to the
// local file system, as opposed to a failure to download it.
type imageFileWriteError struct {
	Err error
}

func (e *imageFileWriteError) Error() string { return e.Err.Error() }
func (e *imageFileWriteError) Unwrap() error { return e.Err }

// inspectLocalImageFile describes the image at path as a download of it would.
func inspectLocalImageFile(path string) (*imageFileInfo, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("there is no file at this path")
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	stat, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !stat.Mode().IsRegular() {
		return nil, fmt.Errorf("it is not a regular file")
	}
	if stat.Size() > maxImageFileBytes {
		return nil, fmt.Errorf("it is %d bytes, more than the limit of %d bytes", stat.Size(), maxImageFileBytes)
	}
	contentType, width, height, err := imageFileDecodeConfig(f)
	if err != nil {
		return nil, fmt.Errorf("it is not an image this provider recognizes (PNG, JPEG, GIF or WebP): %w", err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	hash := sha256.New()
	n, err := io.Copy(hash, f)
	if err != nil {
		return nil, err
	}
	return newImageFileInfo(hash, n, contentType, width, height), nil
}

// probeImageURL reports whether rawURL still serves, without downloading
// the image: it asks for the first byte only and closes the answer. A nil
// error means it serves; an *imageFileHTTPError carries any other status.
func probeImageURL(ctx context.Context, client *http.Client, rawURL string) error {
	ctx, cancel := context.WithTimeout(ctx, imageFileProbeTimeout)
	defer cancel()
	resp, err := imageFileGet(ctx, client, rawURL, http.Header{"Range": {"bytes=0-0"}})
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusPartialContent {
		return nil
	}
	return &imageFileHTTPError{URL: imageFileDisplayURL(rawURL), StatusCode: resp.StatusCode, Status: resp.Status}
}

// localImageFileState is what refresh finds at an image file's path.
type localImageFileState int

const (
	localImageFileMatches localImageFileState = iota // same size and SHA-256 as recorded
	localImageFileMissing                            // nothing at the path
	localImageFileChanged                            // a file with other content
)

func (s localImageFileState) String() string {
	switch s {
	case localImageFileMatches:
		return "matches"
	case localImageFileMissing:
		return "missing"
	default:
		return "changed"
	}
}

// checkLocalImageFile compares the file at path with the recorded size and
// SHA-256. A file of another size is reported changed without being read.
func checkLocalImageFile(path, wantSHA256 string, wantSize int64) (localImageFileState, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return localImageFileMissing, nil
	}
	if err != nil {
		return 0, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return 0, err
	}
	if !info.Mode().IsRegular() {
		return 0, fmt.Errorf("%s is not a regular file", path)
	}
	if info.Size() != wantSize {
		return localImageFileChanged, nil
	}
	hash := sha256.New()
	if _, err := io.Copy(hash, f); err != nil {
		return 0, err
	}
	if hex.EncodeToString(hash.Sum(nil)) != wantSHA256 {
		return localImageFileChanged, nil
	}
	return localImageFileMatches, nil
}

// imageFileDecodeConfig reads just enough of r to tell its image format and
// dimensions. PNG, JPEG and GIF go through the standard library; WebP, which
// the standard library does not decode, is recognized from its header.
func imageFileDecodeConfig(r io.Reader) (contentType string, width, height int, err error) {
	br := bufio.NewReader(r)
	if head, _ := br.Peek(30); isWebP(head) {
		width, height, err = webpDimensions(head)
		if err != nil {
			return "", 0, 0, err
		}
		return "image/webp", width, height, nil
	}
	cfg, format, err := image.DecodeConfig(br)
	if err != nil {
		return "", 0, 0, err
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return "", 0, 0, fmt.Errorf("the %s header declares a size of %dx%d", format, cfg.Width, cfg.Height)
	}
	switch format {
	case "png":
		contentType = "image/png"
	case "jpeg":
		contentType = "image/jpeg"
	case "gif":
		contentType = "image/gif"
	default:
		return "", 0, 0, fmt.Errorf("unsupported image format %q", format)
	}
	return contentType, cfg.Width, cfg.Height, nil
}

// isWebP reports whether head starts like a WebP file (a RIFF container
// of form type WEBP).
func isWebP(head []byte) bool {
	return len(head) >= 12 && string(head[0:4]) == "RIFF" && string(head[8:12]) == "WEBP"
}

// webpDimensions reads the canvas size from the first chunk of a WebP file,
// which is VP8 (lossy), VP8L (lossless) or VP8X (extended).
func webpDimensions(head []byte) (width, height int, err error) {
	need := 30 // RIFF header, chunk header, and the size fields of VP8 and VP8X
	if len(head) >= 16 && string(head[12:16]) == "VP8L" {
		need = 25 // the lossless size fields are shorter
	}
	if len(head) < need {
		return 0, 0, errors.New("the WebP header is truncated")
	}
	payload := head[20:]
	switch string(head[12:16]) {
	case "VP8X":
		width = int(uint32(payload[4])|uint32(payload[5])<<8|uint32(payload[6])<<16) + 1
		height = int(uint32(payload[7])|uint32(payload[8])<<8|uint32(payload[9])<<16) + 1
	case "VP8L":
		if payload[0] != 0x2f {
			return 0, 0, errors.New("the WebP lossless signature is missing")
		}
		bits := binary.LittleEndian.Uint32(payload[1:5])
		width = int(bits&0x3fff) + 1
		height = int((bits>>14)&0x3fff) + 1
	case "VP8 ":
		if payload[3] != 0x9d || payload[4] != 0x01 || payload[5] != 0x2a {
			return 0, 0, errors.New("the WebP lossy start code is missing")
		}
		width = int(binary.LittleEndian.Uint16(payload[6:8]) & 0x3fff)
		height = int(binary.LittleEndian.Uint16(payload[8:10]) & 0x3fff)
	default:
		return 0, 0, fmt.Errorf("unknown WebP chunk %q", string(head[12:16]))
	}
	if width <= 0 || height <= 0 {
		return 0, 0, fmt.Errorf("the WebP header declares a size of %dx%d", width, height)
	}
	return width, height, nil
}
