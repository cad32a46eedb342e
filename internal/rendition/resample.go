package rendition

import (
	"math"
	"sync"
)

// pixels is a packed image: c = 3 is RGB, c = 4 is premultiplied RGBA;
// rows are w*c bytes, without padding.
type pixels struct {
	w, h, c int
	pix     []uint8
}

// axis maps one dimension of the output onto the source: output pixel i
// (centre i+0.5) samples the source around offset + (i+0.5)*scale.
type axis struct {
	src, out      int
	offset, scale float64
}

// weightBits is the fixed-point precision of the filter weights.
const weightBits = 14

// taps are the filter weights of every output pixel along one axis:
// output i reads source pixels start[i] .. start[i]+n-1 with weights
// w[i*n:(i+1)*n], which sum to 1<<weightBits.
type taps struct {
	n     int
	start []int
	w     []int32
}

const lanczosA = 3

func lanczos(x float64) float64 {
	x = math.Abs(x)
	if x >= lanczosA {
		return 0
	}
	if x < 1e-9 {
		return 1
	}
	px := math.Pi * x
	return lanczosA * math.Sin(px) * math.Sin(px/lanczosA) / (px * px)
}

// makeTaps computes Lanczos-3 weights, widened by the downscale factor so
// that a downscale averages every source pixel it covers. Taps beyond the
// source's edge fold onto the edge pixel (the edge is extended).
func makeTaps(a axis) taps {
	support := lanczosA * max(a.scale, 1)
	n := int(math.Ceil(2*support)) + 1
	n = min(n, a.src)
	t := taps{n: n, start: make([]int, a.out), w: make([]int32, a.out*n)}
	fw := make([]float64, n)
	for i := range a.out {
		centre := a.offset + (float64(i)+0.5)*a.scale
		first := int(math.Floor(centre - support))
		start := min(max(first, 0), a.src-n)
		t.start[i] = start
		clear(fw)
		var sum float64
		for k := first; k <= int(math.Ceil(centre+support)); k++ {
			v := lanczos((float64(k) + 0.5 - centre) / max(a.scale, 1))
			if v == 0 {
				continue
			}
			j := min(max(k, 0), a.src-1) - start
			if j < 0 || j >= n {
				continue // only when n was cut to the source's size
			}
			fw[j] += v
			sum += v
		}
		row := t.w[i*n : (i+1)*n]
		var total int32
		big := 0
		for j := range n {
			row[j] = int32(math.Round(fw[j] / sum * (1 << weightBits)))
			total += row[j]
			if row[j] > row[big] {
				big = j
			}
		}
		row[big] += 1<<weightBits - total
	}
	return t
}

// resample renders the output w x h from src: x and y map the output onto
// the source. It filters rows first into a 16-bit intermediate (8 bits of
// fraction) holding only the source rows the output needs, then columns.
func resample(src pixels, x, y axis) pixels {
	tx, ty := makeTaps(x), makeTaps(y)
	c := src.c
	y0 := ty.start[0]
	y1 := ty.start[len(ty.start)-1] + ty.n
	rows := y1 - y0
	mid := make([]uint16, rows*x.out*c)
	parallelRows(rows, func(r0, r1 int) {
		for r := r0; r < r1; r++ {
			in := src.pix[(y0+r)*src.w*c : (y0+r+1)*src.w*c]
			horizontal(mid[r*x.out*c:(r+1)*x.out*c], in, tx, c)
		}
	})
	out := pixels{w: x.out, h: y.out, c: c, pix: make([]uint8, x.out*y.out*c)}
	stride := x.out * c
	parallelRows(y.out, func(o0, o1 int) {
		acc := make([]int64, stride)
		for o := o0; o < o1; o++ {
			clear(acc)
			ws := ty.w[o*ty.n : (o+1)*ty.n]
			base := ty.start[o] - y0
			for k, w := range ws {
				if w == 0 {
					continue
				}
				row := mid[(base+k)*stride : (base+k+1)*stride]
				acc := acc[:len(row)] // one bounds check for the row
				w := int64(w)
				for i, v := range row {
					acc[i] += w * int64(v)
				}
			}
			dst := out.pix[o*stride : (o+1)*stride]
			dst = dst[:len(acc)]
			for i, a := range acc {
				dst[i] = clamp8((a + 1<<(weightBits+7)) >> (weightBits + 8))
			}
		}
	})
	if c == 4 {
		clampPremultiplied(out.pix)
	}
	return out
}

// horizontal filters one row of c-channel pixels into dst (16-bit, 8
// bits of fraction).
func horizontal(dst []uint16, in []uint8, t taps, c int) {
	n := t.n
	for i, s := range t.start {
		ws := t.w[i*n : (i+1)*n]
		if c == 3 {
			p := in[s*3 : (s+n)*3]
			var r, g, b int32
			for k, w := range ws {
				q := p[3*k : 3*k+3 : 3*k+3] // one bounds check for the pixel
				r += w * int32(q[0])
				g += w * int32(q[1])
				b += w * int32(q[2])
			}
			d := dst[3*i : 3*i+3 : 3*i+3]
			d[0], d[1], d[2] = clamp16(r), clamp16(g), clamp16(b)
			continue
		}
		p := in[s*4 : (s+n)*4]
		var r, g, b, a int32
		for k, w := range ws {
			q := p[4*k : 4*k+4 : 4*k+4]
			r += w * int32(q[0])
			g += w * int32(q[1])
			b += w * int32(q[2])
			a += w * int32(q[3])
		}
		d := dst[4*i : 4*i+4 : 4*i+4]
		d[0], d[1], d[2], d[3] = clamp16(r), clamp16(g), clamp16(b), clamp16(a)
	}
}

func clamp16(v int32) uint16 {
	v = (v + 1<<(weightBits-9)) >> (weightBits - 8)
	return uint16(min(max(v, 0), 0xffff))
}

func clamp8(v int64) uint8 { return uint8(min(max(v, 0), 255)) }

// clampPremultiplied keeps every colour channel within its alpha, which
// ringing around a transparent edge can break.
func clampPremultiplied(pix []uint8) {
	for i := 0; i < len(pix); i += 4 {
		a := pix[i+3]
		pix[i], pix[i+1], pix[i+2] = min(pix[i], a), min(pix[i+1], a), min(pix[i+2], a)
	}
}

// parallelRows runs fn over [0, n) in contiguous bands, one per CPU it
// may use.
func parallelRows(n int, fn func(lo, hi int)) {
	workers := min(cpus(), max(n/16, 1))
	if workers <= 1 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := n*w/workers, n*(w+1)/workers
		wg.Go(func() { fn(lo, hi) })
	}
	wg.Wait()
}
