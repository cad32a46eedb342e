package rendition

import (
	"image"
	"math"
)

// yuv420 converts opaque RGB pixels into the 4:2:0 planes that libwebp
// makes of them when it imports RGBA itself (WebPPictureImportRGBA, then
// its default, non-sharp conversion), value for value, on every CPU:
// the WebAssembly encoder then starts from the planes. The coefficients
// are libwebp's BT.601 ones in 16-bit fixed point; each chroma sample
// averages its 2x2 pixels in libwebp's gamma-compressed light (gamma
// 0.8, through its tables), which keeps saturated edges from darkening.
// The alpha plane is opaque: gen2brain/webp passes 4:2:0 only with one.
func yuv420(px pixels) *image.NYCbCrA {
	w, h := px.w, px.h
	cw, ch := (w+1)/2, (h+1)/2
	buf := make([]uint8, 2*w*h+2*cw*ch) // Y, Cb, Cr, A: gen2brain reads them as one block
	img := &image.NYCbCrA{
		YCbCr: image.YCbCr{
			Y:  buf[: w*h : w*h],
			Cb: buf[w*h : w*h+cw*ch : w*h+cw*ch], Cr: buf[w*h+cw*ch : w*h+2*cw*ch : w*h+2*cw*ch],
			YStride: w, CStride: cw, SubsampleRatio: image.YCbCrSubsampleRatio420,
			Rect: image.Rect(0, 0, w, h),
		},
		A: buf[w*h+2*cw*ch:], AStride: w,
	}
	for i := range img.A {
		img.A[i] = 0xff
	}
	stride := 3 * w
	parallelRows(ch, func(c0, c1 int) {
		for cy := c0; cy < c1; cy++ {
			top := px.pix[2*cy*stride : (2*cy+1)*stride]
			bottom := top // the last row of an odd height pairs with itself
			if 2*cy+1 < h {
				bottom = px.pix[(2*cy+1)*stride : (2*cy+2)*stride]
				lumaRow(img.Y[(2*cy+1)*w:(2*cy+2)*w], bottom)
			}
			lumaRow(img.Y[2*cy*w:(2*cy+1)*w], top)
			u, v := img.Cb[cy*cw:(cy+1)*cw], img.Cr[cy*cw:(cy+1)*cw]
			for cx := range cw {
				x0 := 6 * cx
				var r, g, b int
				if 2*cx+1 < w {
					r = gammaSum4(top[x0], top[x0+3], bottom[x0], bottom[x0+3])
					g = gammaSum4(top[x0+1], top[x0+4], bottom[x0+1], bottom[x0+4])
					b = gammaSum4(top[x0+2], top[x0+5], bottom[x0+2], bottom[x0+5])
				} else { // the last column of an odd width: two pixels, doubled
					r = gammaSum2(top[x0], bottom[x0])
					g = gammaSum2(top[x0+1], bottom[x0+1])
					b = gammaSum2(top[x0+2], bottom[x0+2])
				}
				u[cx] = clipUV(-9719*r - 19081*g + 28800*b)
				v[cx] = clipUV(28800*r - 24116*g - 4684*b)
			}
		}
	})
	return img
}

// lumaRow writes the Y of one row of RGB.
func lumaRow(dst, rgb []uint8) {
	for i := range dst {
		p := rgb[3*i : 3*i+3]
		dst[i] = uint8((16839*int(p[0]) + 33059*int(p[1]) + 6420*int(p[2]) + 1<<15 + 16<<16) >> 16)
	}
}

// clipUV scales a chroma sum of 2x2 samples (its weights in 16-bit fixed
// point, the samples four times their value) to 8 bits around 128.
func clipUV(v int) uint8 {
	v = (v + 1<<17 + 128<<18) >> 18
	return uint8(min(max(v, 0), 255))
}

// The gamma tables of libwebp's chroma averaging: 8-bit values to
// 12-bit linear light, and 33 knots back from linear light, between which
// gammaSum interpolates with 9 bits.
var gammaToLinear, linearToGamma = gammaTables()

func gammaTables() (toLinear [256]int, toGamma [33]int) {
	const gamma, linearMax = 0.8, 1<<12 - 1
	for v := range toLinear {
		toLinear[v] = int(math.Pow(1./255*float64(v), gamma)*linearMax + .5)
	}
	scale := float64(1<<7) / linearMax
	for v := range toGamma {
		toGamma[v] = int(255*math.Pow(scale*float64(v), 1/gamma) + .5)
	}
	return toLinear, toGamma
}

// gammaSum4 averages four samples in linear light and returns four
// times the average, gamma-compressed again.
func gammaSum4(a, b, c, d uint8) int {
	return linearToGammaX4(gammaToLinear[a] + gammaToLinear[b] + gammaToLinear[c] + gammaToLinear[d])
}

// gammaSum2 is gammaSum4 of two samples, each counted twice.
func gammaSum2(a, b uint8) int {
	return linearToGammaX4((gammaToLinear[a] + gammaToLinear[b]) << 1)
}

func linearToGammaX4(sum int) int {
	pos, frac := sum>>9, sum&511
	return (linearToGamma[pos+1]*frac + linearToGamma[pos]*(512-frac) + 64) >> 7
}
