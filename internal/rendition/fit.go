package rendition

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"
)

// Format is an image file format.
type Format string

// The formats this package reads and writes.
const (
	JPEG Format = "jpeg"
	PNG  Format = "png"
	WebP Format = "webp"
)

// Formats lists the formats, in the order the documentation names them.
var Formats = []Format{JPEG, PNG, WebP}

// FormatOf finds the format a path's extension names: .jpg, .jpeg, .png,
// .webp, in any case.
func FormatOf(path string) (Format, bool) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".jpg", ".jpeg":
		return JPEG, true
	case ".png":
		return PNG, true
	case ".webp":
		return WebP, true
	}
	return "", false
}

// Fit says how the source goes into the box.
type Fit string

const (
	// Cover scales the source to fill the box and crops what overflows.
	Cover Fit = "cover"
	// Contain scales the source to fit inside the box, keeping all of it;
	// the output is smaller than the box along one side.
	Contain Fit = "contain"
)

// Focus says where Cover crops.
type Focus string

const (
	// Centre keeps the middle of the source.
	Centre Focus = "center"
	// Detail keeps the window with the most edges: the part of a photograph
	// in focus, rather than a blurred background.
	Detail Focus = "detail"
)

// The bounds of a box and of a quality setting.
const (
	MaxSide    = 8192
	MinQuality = 1
	MaxQuality = 100
)

// Spec is one rendition.
type Spec struct {
	Width, Height int
	Fit           Fit   // Cover when empty
	Focus         Focus // Centre when empty
	Format        Format
	Quality       int  // JPEG and lossy WebP, 1-100
	Lossless      bool // WebP only
	AllowUpscale  bool
}

// UpscaleError says that a rendition would enlarge its source.
type UpscaleError struct {
	SourceWidth, SourceHeight int
	Width, Height             int
	Factor                    float64
}

func (e *UpscaleError) Error() string {
	return fmt.Sprintf("rendering the %dx%d source into %dx%d would enlarge it %.2f times", e.SourceWidth, e.SourceHeight, e.Width, e.Height, e.Factor)
}

// Check reports what is wrong with a spec on its own, before any source
// is read: a box out of range, an unknown format or fit, a quality out of
// range, lossless for a format other than WebP.
func (s Spec) Check() error {
	switch {
	case s.Width < 1 || s.Width > MaxSide || s.Height < 1 || s.Height > MaxSide:
		return fmt.Errorf("the box %dx%d is outside 1 to %d pixels a side", s.Width, s.Height, MaxSide)
	case s.Format != JPEG && s.Format != PNG && s.Format != WebP:
		return fmt.Errorf("the format %q is not one of jpeg, png, webp", s.Format)
	case s.Fit != "" && s.Fit != Cover && s.Fit != Contain:
		return fmt.Errorf("the fit %q is not one of cover, contain", s.Fit)
	case s.Focus != "" && s.Focus != Centre && s.Focus != Detail:
		return fmt.Errorf("the focus %q is not one of center, detail", s.Focus)
	case s.Quality != 0 && (s.Quality < MinQuality || s.Quality > MaxQuality):
		return fmt.Errorf("the quality %d is outside %d-%d", s.Quality, MinQuality, MaxQuality)
	case s.Lossless && s.Format != WebP:
		return fmt.Errorf("lossless applies to WebP only, not %s", s.Format)
	}
	return nil
}

// geometry is where the output comes from: the source is scaled to
// scaledW x scaledH, and the output is the window at left, top of it.
type geometry struct {
	width, height      int // the output
	scaledW, scaledH   int
	left, top          int
	factor             float64 // output size over source size; above 1 enlarges
	sourceW, sourceH   int
	croppedX, croppedY bool // Cover cut something along that axis
}

// Size is the output's size for a source of w x h: the box for Cover, the
// largest size of the source's shape inside the box for Contain. A spec
// that would enlarge the source gives an *UpscaleError unless it allows it.
func (s Spec) Size(w, h int) (width, height int, err error) {
	g, err := s.geometry(w, h)
	return g.width, g.height, err
}

func (s Spec) geometry(w, h int) (geometry, error) {
	fw, fh := float64(s.Width)/float64(w), float64(s.Height)/float64(h)
	g := geometry{sourceW: w, sourceH: h}
	if s.Fit == Contain {
		g.factor = math.Min(fw, fh)
		g.scaledW = min(max(int(math.Round(float64(w)*g.factor)), 1), s.Width)
		g.scaledH = min(max(int(math.Round(float64(h)*g.factor)), 1), s.Height)
		g.width, g.height = g.scaledW, g.scaledH
	} else {
		g.factor = math.Max(fw, fh)
		g.scaledW = max(int(math.Round(float64(w)*g.factor)), s.Width)
		g.scaledH = max(int(math.Round(float64(h)*g.factor)), s.Height)
		g.width, g.height = s.Width, s.Height
		g.left, g.top = (g.scaledW-s.Width)/2, (g.scaledH-s.Height)/2
		g.croppedX, g.croppedY = g.scaledW > s.Width, g.scaledH > s.Height
	}
	if g.factor > 1 && !s.AllowUpscale {
		return g, &UpscaleError{SourceWidth: w, SourceHeight: h, Width: s.Width, Height: s.Height, Factor: g.factor}
	}
	return g, nil
}

// axes map the output onto the source.
func (g geometry) axes() (x, y axis) {
	sx := float64(g.sourceW) / float64(g.scaledW)
	sy := float64(g.sourceH) / float64(g.scaledH)
	x = axis{src: g.sourceW, out: g.width, offset: float64(g.left) * sx, scale: sx}
	y = axis{src: g.sourceH, out: g.height, offset: float64(g.top) * sy, scale: sy}
	return x, y
}
