package bench

import (
	"fmt"
	"image"
	"math"
	"time"
)

// RenditionOutput is one output of the renditions profile, rendered by
// the provider's package and by vipsthumbnail alike.
type RenditionOutput struct {
	Name          string
	Width, Height int
	Ext           string // jpg or webp
	Quality       int
}

// RenditionOutputs are the three outputs the profile compares one by one;
// RenditionSix adds the same boxes in the other format, for six renditions
// of one source.
var (
	RenditionOutputs = []RenditionOutput{
		{"og-1200x630.jpg", 1200, 630, "jpg", 82},
		{"square-1080.webp", 1080, 1080, "webp", 80},
		{"thumb-400.webp", 400, 400, "webp", 80},
	}
	RenditionSix = append(append([]RenditionOutput(nil), RenditionOutputs...),
		RenditionOutput{"og-1200x630.webp", 1200, 630, "webp", 80},
		RenditionOutput{"square-1080.jpg", 1080, 1080, "jpg", 82},
		RenditionOutput{"thumb-400.jpg", 400, 400, "jpg", 82},
	)
)

// Run is one measured process: its wall time, the CPU it used (user and
// system) and its peak resident memory.
type Run struct {
	Wall, CPU time.Duration
	PeakRSS   int64 // bytes
}

// OutputFigures compares one output.
type OutputFigures struct {
	Output                RenditionOutput
	Ours, Vips            Run // medians of the runs
	OurBytes, VipsBytes   int
	OurPSNR, VipsPSNR     float64 // dB against the Lanczos reference of the same crop
	OurMarked, VipsMarked bool    // the output carries the source's XMP packet
}

// RenditionFigures is the whole profile.
type RenditionFigures struct {
	Source        string
	Width, Height int
	Outputs       []OutputFigures
	// Six renditions of one source: one provider process rendering all
	// six at once from one decode, against six vipsthumbnail runs one
	// after another (their wall times and CPU added up, the largest peak).
	Six, SixVips Run
}

// RenditionTargets checks the figures against the renditions profile's targets.
func RenditionTargets(f RenditionFigures) []Check {
	var checks []Check
	for _, o := range f.Outputs {
		n := "renditions " + o.Output.Name
		checks = append(checks,
			ok(n+": wall vs vips", timeRatio(o.Ours.Wall, o.Vips.Wall) <= 1.0, ratioText(o.Ours.Wall, o.Vips.Wall), "<= 1.00x"),
			ok(n+": bytes vs vips", float64(o.OurBytes) <= 1.1*float64(o.VipsBytes),
				fmt.Sprintf("%d vs %d (%.2fx)", o.OurBytes, o.VipsBytes, float64(o.OurBytes)/float64(o.VipsBytes)), "<= 1.10x"),
			ok(n+": PSNR vs vips", o.OurPSNR >= o.VipsPSNR-0.5, fmt.Sprintf("%.2f vs %.2f dB", o.OurPSNR, o.VipsPSNR), ">= vips - 0.5 dB"),
			ok(n+": carries the XMP", o.OurMarked, yesNo(o.OurMarked), "yes"),
		)
	}
	checks = append(checks, ok("renditions six of one source: wall vs six vips", timeRatio(f.Six.Wall, f.SixVips.Wall) <= 0.5,
		ratioText(f.Six.Wall, f.SixVips.Wall), "<= 0.50x"))
	return checks
}

func timeRatio(a, b time.Duration) float64 {
	if b <= 0 {
		return math.Inf(1)
	}
	return float64(a) / float64(b)
}

func ratioText(a, b time.Duration) string {
	return fmt.Sprintf("%s vs %s (%.2fx)", secs(a), secs(b), timeRatio(a, b))
}

func yesNo(v bool) string {
	if v {
		return "yes"
	}
	return "no"
}

// LanczosReference renders the window left, top, w x h of src scaled to
// scaledW x scaledH, with a Lanczos-3 filter widened by the downscale
// factor, in float64 and straight from the definition: the reference
// both renderers are measured against. It returns RGB as float64, row
// after row.
func LanczosReference(src image.Image, scaledW, scaledH, left, top, w, h int) []float64 {
	b := src.Bounds()
	sw, sh := b.Dx(), b.Dy()
	rgb := make([]float64, 3*sw*sh)
	for y := range sh {
		for x := range sw {
			r, g, bl, _ := src.At(b.Min.X+x, b.Min.Y+y).RGBA()
			i := 3 * (y*sw + x)
			rgb[i], rgb[i+1], rgb[i+2] = float64(r>>8), float64(g>>8), float64(bl>>8)
		}
	}
	wx := lanczosWeights(sw, scaledW, left, w)
	wy := lanczosWeights(sh, scaledH, top, h)
	// Columns first, over every source row.
	mid := make([]float64, 3*w*sh)
	for y := range sh {
		for x, ws := range wx {
			for k, v := range ws.w {
				s := 3 * (y*sw + ws.start + k)
				d := 3 * (y*w + x)
				mid[d] += v * rgb[s]
				mid[d+1] += v * rgb[s+1]
				mid[d+2] += v * rgb[s+2]
			}
		}
	}
	out := make([]float64, 3*w*h)
	for y, ws := range wy {
		for x := range w {
			for k, v := range ws.w {
				s := 3 * ((ws.start+k)*w + x)
				d := 3 * (y*w + x)
				out[d] += v * mid[s]
				out[d+1] += v * mid[s+1]
				out[d+2] += v * mid[s+2]
			}
		}
	}
	return out
}

type refWeights struct {
	start int
	w     []float64
}

// lanczosWeights maps output pixels first .. first+n-1 of a side scaled
// from src to scaled pixels onto the source, the edge extended.
func lanczosWeights(src, scaled, first, n int) []refWeights {
	scale := float64(src) / float64(scaled)
	f := math.Max(scale, 1)
	out := make([]refWeights, n)
	for i := range n {
		c := (float64(first+i) + 0.5) * scale
		lo, hi := int(math.Floor(c-3*f)), int(math.Ceil(c+3*f))
		w := make([]float64, src)
		var sum float64
		for k := lo; k <= hi; k++ {
			x := (float64(k) + 0.5 - c) / f
			v := 0.0
			switch {
			case x == 0:
				v = 1
			case math.Abs(x) < 3:
				v = 3 * math.Sin(math.Pi*x) * math.Sin(math.Pi*x/3) / (math.Pi * math.Pi * x * x)
			}
			w[min(max(k, 0), src-1)] += v
			sum += v
		}
		a, b := min(max(lo, 0), src-1), min(max(hi, 0), src-1)
		ws := w[a : b+1]
		for j := range ws {
			ws[j] /= sum
		}
		out[i] = refWeights{start: a, w: ws}
	}
	return out
}

// PSNR compares an 8-bit image with a float RGB reference of the same
// size, in dB.
func PSNR(img image.Image, ref []float64) float64 {
	b := img.Bounds()
	if 3*b.Dx()*b.Dy() != len(ref) {
		return math.NaN()
	}
	var sum float64
	for y := range b.Dy() {
		for x := range b.Dx() {
			r, g, bl, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			i := 3 * (y*b.Dx() + x)
			for c, v := range []uint32{r, g, bl} {
				d := float64(v>>8) - math.Round(math.Min(math.Max(ref[i+c], 0), 255))
				sum += d * d
			}
		}
	}
	if sum == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(255*255/(sum/float64(len(ref))))
}
