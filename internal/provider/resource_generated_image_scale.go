package provider

import (
	"context"
	"io"
	"math"
	"net/http"
	"time"
)

// Reading an image's size for scale inference after import: only the header
// is read, never the whole picture.
const (
	imageHeaderMaxBytes = 1 << 20 // JPEG metadata can push the size header a long way in
	imageHeaderTimeout  = 20 * time.Second
)

// scaleRatios are the aspect ratios (width/height) of the scales both API
// versions accept. "Original" has no fixed ratio and is never inferred.
var scaleRatios = []struct {
	scale string
	ratio float64
}{
	{"1:1", 1},
	{"4:3", 4.0 / 3},
	{"3:4", 3.0 / 4},
	{"16:9", 16.0 / 9},
	{"9:16", 9.0 / 16},
	{"3:2", 3.0 / 2},
	{"2:3", 2.0 / 3},
}

// scaleTolerance is how far (relative) a picture's ratio may be from a scale's
// and still count as that scale: generators round sizes to multiples of 8 or
// 64 pixels, and the closest two scales (4:3 and 3:2) are 12% apart.
const scaleTolerance = 0.03

// nearestScale returns the scale whose ratio is closest to width/height, if
// it is within scaleTolerance.
func nearestScale(width, height int) (string, bool) {
	if width <= 0 || height <= 0 {
		return "", false
	}
	ratio := float64(width) / float64(height)
	best, bestDistance := "", math.Inf(1)
	for _, s := range scaleRatios {
		if d := math.Abs(math.Log(ratio / s.ratio)); d < bestDistance {
			best, bestDistance = s.scale, d
		}
	}
	if bestDistance > math.Log1p(scaleTolerance) {
		return "", false
	}
	return best, true
}

// fetchImageSize reads the width and height of the picture at rawURL from its
// header, reading at most imageHeaderMaxBytes.
func fetchImageSize(ctx context.Context, client *http.Client, rawURL string) (width, height int, err error) {
	if err := checkHTTPURL(rawURL); err != nil {
		return 0, 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, imageHeaderTimeout)
	defer cancel()
	resp, err := imageFileGet(ctx, client, rawURL, nil)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, 0, &imageFileHTTPError{URL: imageFileDisplayURL(rawURL), StatusCode: resp.StatusCode, Status: resp.Status}
	}
	return imageHeaderSize(io.LimitReader(resp.Body, imageHeaderMaxBytes))
}

// imageHeaderSize decodes the dimensions of a PNG, JPEG, GIF or WebP picture
// from its header, with the same decoder that verifies downloads.
func imageHeaderSize(r io.Reader) (width, height int, err error) {
	_, width, height, err = imageFileDecodeConfig(r)
	return width, height, err
}
