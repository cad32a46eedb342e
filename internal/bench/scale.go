package bench

import (
	"fmt"
	"time"
)

// ScalePoint is what the scale curve measured at one size: plans over
// Images images beside plans over as many resources of the schema floor
// (benchfloor_image, served as the akool provider serves itself), each
// kind planned in turn, and the apply that created them beside the floor's.
type ScalePoint struct {
	Images int
	// NoRefresh and Floor are terraform plan -refresh=false over the images
	// and over the schema floor's resources.
	NoRefresh, Floor []time.Duration
	// Refresh and FloorRefresh are terraform plan with its refresh: the
	// provider reads every image from Akool, the floor reads nothing.
	Refresh, FloorRefresh []time.Duration
	// Apply and FloorApply are the terraform apply that created the images
	// and the floor's resources.
	Apply, FloorApply time.Duration
	// Peak and FloorPeak are the providers' peak resident memory over all
	// the plans at this size, bytes; ApplyPeak is the provider's during
	// the apply.
	Peak, FloorPeak, ApplyPeak int64
	Failed                     string // why a command failed; "" when none did
}

// NoRefreshRatio is the median -refresh=false plan over the images over
// the floor's.
func (p ScalePoint) NoRefreshRatio() float64 { return ratio(Median(p.NoRefresh), Median(p.Floor)) }

// RefreshRatio is the median plan with reads over the floor's.
func (p ScalePoint) RefreshRatio() float64 { return ratio(Median(p.Refresh), Median(p.FloorRefresh)) }

// PeakAll is the provider's peak resident memory over the plans and the
// apply.
func (p ScalePoint) PeakAll() int64 { return max(p.Peak, p.ApplyPeak) }

// ApplyRatio is the apply of the images over the floor's.
func (p ScalePoint) ApplyRatio() float64 { return ratio(p.Apply, p.FloorApply) }

// ScaleTargets checks the scale curve: at every size, the -refresh=false
// plan within maxPlan times the schema floor's and the provider's peak
// memory (over the plans and the apply) below maxPeak(images); at the largest size, the apply within
// maxApply times the floor's. A size whose commands failed has one check,
// its failure.
func ScaleTargets(points []ScalePoint, maxPlan, maxApply float64, maxPeak func(images int) int64) []Check {
	var checks []Check
	largest := 0
	for _, p := range points {
		largest = max(largest, p.Images)
	}
	for _, p := range points {
		name := fmt.Sprintf("scale %d: ", p.Images)
		if p.Failed != "" {
			checks = append(checks, ok(name+"commands succeeded", false, yesOr(p.Failed), "yes"))
			continue
		}
		checks = append(checks,
			ok(name+"-refresh=false / schema floor", p.NoRefreshRatio() <= maxPlan && len(p.NoRefresh) > 0,
				fmt.Sprintf("%.2f (%s / %s)", p.NoRefreshRatio(), secs(Median(p.NoRefresh)), secs(Median(p.Floor))), fmt.Sprintf("<= %g", maxPlan)),
			ok(name+"provider peak memory", p.Peak > 0 && p.PeakAll() < maxPeak(p.Images), MiB(p.PeakAll()), "< "+MiB(maxPeak(p.Images))))
		if p.Images == largest {
			checks = append(checks, ok(name+"apply / schema floor's apply", p.ApplyRatio() <= maxApply,
				fmt.Sprintf("%.2f (%s / %s)", p.ApplyRatio(), secs(p.Apply), secs(p.FloorApply)), fmt.Sprintf("<= %g", maxApply)))
		}
	}
	return checks
}
