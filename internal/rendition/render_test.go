package rendition

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	"image/color"
	"math"
	"testing"

	"github.com/akool-community/terraform-provider-akool/internal/exiftooltest"
	"github.com/akool-community/terraform-provider-akool/internal/imagemeta"
	"github.com/akool-community/terraform-provider-akool/internal/imagetest"
)

// referenceLanczos resamples straight from the definition, in floating
// point, without separable passes or fixed-point weights.
func referenceLanczos(src *image.NRGBA, x, y axis) *image.NRGBA {
	out := image.NewNRGBA(image.Rect(0, 0, x.out, y.out))
	weights := func(a axis, i int) map[int]float64 {
		ws := map[int]float64{}
		f := max(a.scale, 1)
		c := a.offset + (float64(i)+0.5)*a.scale
		var sum float64
		for k := int(c - 3*f - 1); k <= int(c+3*f+1); k++ {
			v := lanczos((float64(k) + 0.5 - c) / f)
			ws[min(max(k, 0), a.src-1)] += v
			sum += v
		}
		for k := range ws {
			ws[k] /= sum
		}
		return ws
	}
	for j := range y.out {
		wy := weights(y, j)
		for i := range x.out {
			wx := weights(x, i)
			var acc [3]float64
			for sy, vy := range wy {
				for sx, vx := range wx {
					c := src.NRGBAAt(sx, sy)
					acc[0] += vx * vy * float64(c.R)
					acc[1] += vx * vy * float64(c.G)
					acc[2] += vx * vy * float64(c.B)
				}
			}
			px := func(v float64) uint8 { return uint8(math.Round(math.Min(math.Max(v, 0), 255))) }
			out.SetNRGBA(i, j, color.NRGBA{px(acc[0]), px(acc[1]), px(acc[2]), 255})
		}
	}
	return out
}

func TestResampleMatchesTheLanczosDefinition(t *testing.T) {
	// Fine detail, which a filter not widened for the downscale aliases.
	img := imagetest.Photo(240, 160, false)
	for i := 0; i < len(img.Pix); i += 4 {
		x, y := i/4%240, i/4/240
		if (x/2+y)%3 == 0 {
			img.Pix[i], img.Pix[i+1] = 255-img.Pix[i], 255-img.Pix[i+1]
		}
	}
	src := decodeSource(t, imagetest.EncodePNG(t, img))
	spec := Spec{Width: 90, Height: 50, Format: PNG}
	g, err := spec.geometry(240, 160)
	if err != nil {
		t.Fatal(err)
	}
	x, y := g.axes()
	got := resample(src.px, x, y)
	gotImg := straightNRGBA(got)
	if p := psnr(t, gotImg, referenceLanczos(img, x, y)); p < 45 {
		t.Errorf("PSNR against the reference = %.1f dB, want at least 45", p)
	}
}

func TestDownscaleAveragesFineDetail(t *testing.T) {
	// A one-pixel checkerboard shrunk 3 times is grey: a filter that
	// samples (nearest neighbour) or interpolates between two pixels
	// (bilinear), or one not widened by the factor, keeps black or white.
	img := imagetest.Checkerboard(300, 300)
	src := decodeSource(t, imagetest.EncodePNG(t, img))
	r, err := Render(src, Spec{Width: 100, Height: 100, Format: PNG})
	if err != nil {
		t.Fatal(err)
	}
	out := decodeAny(t, r.Data)
	for _, p := range []image.Point{{0, 0}, {50, 50}, {37, 81}, {99, 99}} {
		v, _, _, _ := out.At(p.X, p.Y).RGBA()
		if v>>8 < 120 || v>>8 > 135 {
			t.Errorf("pixel %v = %d, want the checkerboard's mean grey 127", p, v>>8)
		}
	}
}

func TestRenderFormatsRoundTrip(t *testing.T) {
	img := imagetest.Photo(640, 400, false)
	src := decodeSource(t, imagetest.EncodePNG(t, img))
	g, _ := (Spec{Width: 300, Height: 200}).geometry(640, 400)
	x, y := g.axes()
	exact := straightNRGBA(resample(src.px, x, y))
	for _, tc := range []struct {
		spec     Spec
		minPSNR  float64
		lossless bool
	}{
		{Spec{Width: 300, Height: 200, Format: JPEG, Quality: 90}, 35, false},
		{Spec{Width: 300, Height: 200, Format: WebP, Quality: 80}, 27, false},
		{Spec{Width: 300, Height: 200, Format: WebP, Lossless: true}, 0, true},
		{Spec{Width: 300, Height: 200, Format: PNG}, 0, true},
	} {
		name := string(tc.spec.Format)
		if tc.lossless {
			name += "-lossless"
		}
		t.Run(name, func(t *testing.T) {
			r, err := Render(src, tc.spec)
			if err != nil {
				t.Fatal(err)
			}
			if f, _ := sniff(r.Data); f != tc.spec.Format || r.Format != tc.spec.Format {
				t.Fatalf("wrote %q (result says %q), want %q", f, r.Format, tc.spec.Format)
			}
			out := decodeAny(t, r.Data)
			if out.Bounds().Dx() != 300 || out.Bounds().Dy() != 200 || r.Width != 300 || r.Height != 200 {
				t.Fatalf("size %v (result says %dx%d), want 300x200", out.Bounds().Size(), r.Width, r.Height)
			}
			p := psnr(t, out, exact)
			switch {
			case tc.lossless && !math.IsInf(p, 1):
				t.Errorf("lossless output differs from the resampled pixels: PSNR %.1f dB", p)
			case !tc.lossless && p < tc.minPSNR:
				t.Errorf("PSNR %.1f dB, want at least %.0f", p, tc.minPSNR)
			}
		})
	}
}

func TestRenderQualityChangesTheSize(t *testing.T) {
	src := decodeSource(t, imagetest.EncodePNG(t, imagetest.Photo(640, 400, false)))
	sizes := map[int]int{}
	for _, q := range []int{30, 95} {
		r, err := Render(src, Spec{Width: 320, Height: 200, Format: JPEG, Quality: q})
		if err != nil {
			t.Fatal(err)
		}
		sizes[q] = len(r.Data)
	}
	if sizes[30] >= sizes[95] {
		t.Errorf("quality 30 gave %d bytes, quality 95 %d: the setting is not used", sizes[30], sizes[95])
	}
}

func TestRenderKeepsTransparency(t *testing.T) {
	src := decodeSource(t, imagetest.EncodePNG(t, imagetest.Photo(200, 200, true)))
	if src.Opaque() {
		t.Fatal("a source with transparent pixels was taken as opaque")
	}
	for _, f := range []Format{PNG, WebP, JPEG} {
		r, err := Render(src, Spec{Width: 100, Height: 100, Format: f, Lossless: f == WebP})
		if err != nil {
			t.Fatal(err)
		}
		out := decodeAny(t, r.Data)
		centre := nrgba(out.At(50, 50))
		corner := nrgba(out.At(0, 0))
		if f == JPEG {
			// Over white: the transparent centre is white.
			if centre.R < 240 || centre.G < 240 || centre.B < 240 {
				t.Errorf("jpeg centre = %v, want white", centre)
			}
			continue
		}
		if centre.A > 20 || corner.A < 240 {
			t.Errorf("%s: centre alpha %d, corner alpha %d, want about 0 and 255", f, centre.A, corner.A)
		}
	}
}

func TestRenderCarriesTheMarkingReadByExiftool(t *testing.T) {
	marking := imagemeta.Marking{
		DigitalSourceType: imagemeta.TrainedAlgorithmicMedia,
		JobID:             "662a10df4197b3af58532e89",
		AltText:           "A lighthouse on a cliff at sunrise",
		Credit:            "Example Co. / Akool",
	}
	marked, err := imagemeta.Embed(imagetest.EncodePNG(t, imagetest.Photo(320, 200, false)), imagemeta.Packet(marking))
	if err != nil {
		t.Fatal(err)
	}
	src := decodeSource(t, marked)
	for _, f := range []Format{JPEG, PNG, WebP} {
		t.Run(string(f), func(t *testing.T) {
			r, err := Render(src, Spec{Width: 160, Height: 100, Format: f, Quality: 80})
			if err != nil {
				t.Fatal(err)
			}
			if !r.Marked || r.Unmarked != "" {
				t.Fatalf("Marked = %v (%s), want true", r.Marked, r.Unmarked)
			}
			tags := exiftooltest.Read(t, writeTemp(t, "out."+string(f), r.Data))
			for tag, want := range map[string]any{
				"XMP-iptcExt:DigitalSourceType":     imagemeta.TrainedAlgorithmicMedia,
				"XMP-akool:JobID":                   marking.JobID,
				"XMP-iptcCore:AltTextAccessibility": marking.AltText,
				"XMP-photoshop:Credit":              marking.Credit,
				"File:FileType":                     map[Format]string{JPEG: "JPEG", PNG: "PNG", WebP: "Extended WEBP"}[f],
			} {
				if tags[tag] != want {
					t.Errorf("%s = %v, want %v", tag, tags[tag], want)
				}
			}
		})
	}
}

func TestRenderSaysWhenTheSourceIsUnmarked(t *testing.T) {
	src := decodeSource(t, imagetest.EncodePNG(t, imagetest.Photo(64, 64, false)))
	r, err := Render(src, Spec{Width: 32, Height: 32, Format: PNG})
	if err != nil {
		t.Fatal(err)
	}
	if r.Marked || r.Unmarked == "" || imagemeta.Marked(r.Data) {
		t.Errorf("Marked = %v, Unmarked = %q for a source without a packet", r.Marked, r.Unmarked)
	}
}

func TestProbeRefusesWhatIsNotAnImage(t *testing.T) {
	for name, data := range map[string][]byte{
		"text":            []byte("hello, this is not an image"),
		"gif":             []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
		"truncated png":   imagetest.EncodePNG(t, imagetest.Photo(8, 8, false))[:20],
		"empty":           nil,
		"jpeg signature":  {0xff, 0xd8, 0xff, 0xe0, 0, 0},
		"riff, not webp":  []byte("RIFF\x04\x00\x00\x00WAVE"),
		"bad webp header": []byte("RIFF\x0c\x00\x00\x00WEBPVP8 \x00\x00\x00\x00"),
	} {
		_, err := Probe(data)
		var notImage *NotImageError
		if !errors.As(err, &notImage) {
			t.Errorf("%s: err = %v, want a NotImageError", name, err)
		}
	}
	info, err := Probe(imagetest.EncodePNG(t, imagetest.Photo(30, 20, false)))
	if err != nil || info != (Info{Format: PNG, Width: 30, Height: 20}) {
		t.Errorf("Probe(png) = %+v, %v", info, err)
	}
}

func TestDecodeReadsEveryInputFormat(t *testing.T) {
	src := decodeSource(t, imagetest.EncodePNG(t, imagetest.Photo(120, 80, false)))
	for _, f := range []Format{JPEG, WebP, PNG} {
		r, err := Render(src, Spec{Width: 120, Height: 80, Format: f, Quality: 95})
		if err != nil {
			t.Fatal(err)
		}
		again := decodeSource(t, r.Data)
		if again.Format != f || again.Width != 120 || again.Height != 80 || again.SHA256 != hexSHA256(r.Data) {
			t.Errorf("%s: decoded %+v", f, again.Info)
		}
	}
}

func hexSHA256(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
