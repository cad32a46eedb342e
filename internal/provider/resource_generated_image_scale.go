package provider

import "math"

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
