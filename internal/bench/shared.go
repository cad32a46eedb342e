package bench

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// SharedRun is what one side of the shared-account benchmark measured:
// Workspaces terraform apply processes started together against one
// Akool account, Images images in all.
type SharedRun struct {
	Workspaces, Images int
	Walls              []time.Duration // each workspace's terraform apply, start to exit
	Requests, Refused  int             // API requests the account received from all of them, and refused as too frequent
	Failed             string          // why a workspace did not produce every image; "" when all did
}

// Wall is the time until the last workspace finished.
func (r SharedRun) Wall() time.Duration {
	var most time.Duration
	for _, w := range r.Walls {
		most = max(most, w)
	}
	return most
}

// RefusedShare is the share of the account's requests refused as too frequent.
func (r SharedRun) RefusedShare() float64 { return Share(r.Refused, r.Requests) }

// RequestsPerImage is the account's requests, all kinds, per image.
func (r SharedRun) RequestsPerImage() float64 {
	if r.Images == 0 {
		return math.Inf(1)
	}
	return float64(r.Requests) / float64(r.Images)
}

// Shared is the shared-account benchmark: the same images applied by one
// workspace, and split between several applying at once, each against a
// fresh account that accepts Rate requests a second.
type Shared struct {
	Rate         float64
	One, Several SharedRun
}

// BoundPerImage is the least number of requests an image needs: one create
// and one read that sees it finished.
const BoundPerImage = 2

// Bound is the least time the images need at the account's rate, at
// BoundPerImage requests each, whatever the job times.
func (s Shared) Bound() time.Duration {
	if s.Rate <= 0 {
		return 0
	}
	return time.Duration(float64(BoundPerImage*s.One.Images) / s.Rate * float64(time.Second))
}

// SharedTargets checks the shared-account benchmark: every workspace
// produced its images; at most maxRefused of the requests refused, on
// either side; one workspace within maxBound times the bound, and so
// within maxBound times BoundPerImage requests per image (at a saturated
// budget the wall is the requests over the rate); several workspaces
// within maxSeveral times one workspace's wall.
func SharedTargets(s Shared, maxRefused, maxBound, maxSeveral float64) []Check {
	var checks []Check
	perImage := maxBound * BoundPerImage
	for _, r := range []SharedRun{s.One, s.Several} {
		name := fmt.Sprintf("shared %s: ", r.label())
		checks = append(checks,
			ok(name+"all images created", r.Failed == "", yesOr(r.Failed), "yes"),
			ok(name+"refused requests", r.Requests > 0 && r.RefusedShare() <= maxRefused,
				fmt.Sprintf("%s (%d of %d)", Percent(r.RefusedShare()), r.Refused, r.Requests), "<= "+Percent(maxRefused)),
			ok(name+"requests per image", r.RequestsPerImage() <= perImage,
				fmt.Sprintf("%.2f", r.RequestsPerImage()), fmt.Sprintf("<= %g", perImage)))
	}
	one, several := s.One.Wall(), s.Several.Wall()
	checks = append(checks,
		ok("shared "+s.One.label()+": wall / bound", one > 0 && ratio(one, s.Bound()) <= maxBound,
			fmt.Sprintf("%.2f (%s / %s)", ratio(one, s.Bound()), secs(one), secs(s.Bound())), fmt.Sprintf("<= %g", maxBound)),
		ok("shared "+s.Several.label()+": wall / one's", several > 0 && ratio(several, one) <= maxSeveral,
			fmt.Sprintf("%.2f (%s / %s)", ratio(several, one), secs(several), secs(one)), fmt.Sprintf("<= %g", maxSeveral)))
	return checks
}

func (r SharedRun) label() string {
	if r.Workspaces == 1 {
		return "1 workspace"
	}
	return fmt.Sprintf("%d workspaces", r.Workspaces)
}

// WallsString prints each workspace's wall time.
func (r SharedRun) WallsString() string {
	all := make([]string, len(r.Walls))
	for i, w := range r.Walls {
		all[i] = fmt.Sprintf("%.1f", w.Seconds())
	}
	return strings.Join(all, ", ")
}
