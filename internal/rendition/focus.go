package rendition

// focusDetail moves a Cover crop onto the window with the most detail:
// the largest sum of luma gradients, measured on every second pixel of
// the source. Along an axis with nothing cropped it changes nothing; of
// windows with equal detail it keeps the one nearest the centre.
func focusDetail(g geometry, src pixels) geometry {
	if !g.croppedX && !g.croppedY {
		return g
	}
	cols, rows := edgeProfile(src)
	if g.croppedX {
		g.left = bestWindow(cols, g.scaledW, g.width, g.left)
	}
	if g.croppedY {
		g.top = bestWindow(rows, g.scaledH, g.height, g.top)
	}
	return g
}

// edgeProfile sums the absolute luma differences to the right and below
// each sampled pixel, per source column and per source row.
func edgeProfile(src pixels) (cols, rows []int64) {
	cols, rows = make([]int64, src.w), make([]int64, src.h)
	luma := func(x, y int) int64 {
		p := src.pix[(y*src.w+x)*src.c:]
		return int64(2*int(p[0]) + 5*int(p[1]) + int(p[2]))
	}
	for y := 0; y+2 < src.h; y += 2 {
		for x := 0; x+2 < src.w; x += 2 {
			l := luma(x, y)
			e := abs64(luma(x+2, y)-l) + abs64(luma(x, y+2)-l)
			cols[x] += e
			rows[y] += e
		}
	}
	return cols, rows
}

// bestWindow picks the start, in scaled pixels, of the window of size
// out within scaled whose source columns (or rows) hold the most energy.
func bestWindow(energy []int64, scaled, out, centre int) int {
	prefix := make([]int64, len(energy)+1)
	for i, e := range energy {
		prefix[i+1] = prefix[i] + e
	}
	ratio := float64(len(energy)) / float64(scaled)
	best, bestSum := centre, int64(-1)
	for start := 0; start <= scaled-out; start++ {
		a := int(float64(start) * ratio)
		b := min(int(float64(start+out)*ratio), len(energy))
		sum := prefix[b] - prefix[a]
		if sum > bestSum || sum == bestSum && abs(start-centre) < abs(best-centre) {
			best, bestSum = start, sum
		}
	}
	return best
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}
