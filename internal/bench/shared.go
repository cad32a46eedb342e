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
	Parallelism        int             // each workspace's -parallelism
	Ceiling            float64         // each workspace's max_requests_per_second; 0 = unset
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
	// Saturated is One at the -parallelism of all of Several together:
	// an apply bound by the account's rate alone, not also by how many
	// jobs Terraform runs at once; Workspaces 0 when not measured.
	Saturated SharedRun
	// Capped is Several with a ceiling that splits the account's rate
	// between the workspaces, as the pipelines guide advises; Workspaces
	// 0 when not measured.
	Capped SharedRun
}

// Runs are the sides measured: one workspace, one saturating the budget
// (when measured), several, and several with a ceiling (when measured).
func (s Shared) Runs() []SharedRun {
	runs := []SharedRun{s.One}
	if s.Saturated.Workspaces > 0 {
		runs = append(runs, s.Saturated)
	}
	return append(runs, s.several()...)
}

func (s Shared) several() []SharedRun {
	runs := []SharedRun{s.Several}
	if s.Capped.Workspaces > 0 {
		runs = append(runs, s.Capped)
	}
	return runs
}

// Bounded is the run held to the bound: Saturated when measured, else One.
func (s Shared) Bounded() SharedRun {
	if s.Saturated.Workspaces > 0 {
		return s.Saturated
	}
	return s.One
}

// SharedParallelism is each workspace's -parallelism in the shared
// profile, unless a run says otherwise.
const SharedParallelism = 50

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
// every side; the apply bound by the rate alone (Bounded) within maxBound
// times the bound, and every side within maxBound times BoundPerImage
// requests per image (at a saturated budget the wall is the requests over
// the rate); several workspaces within maxSeveral times one workspace's
// wall at the same -parallelism each.
func SharedTargets(s Shared, maxRefused, maxBound, maxSeveral float64) []Check {
	var checks []Check
	perImage := maxBound * BoundPerImage
	for _, r := range s.Runs() {
		name := fmt.Sprintf("shared %s: ", r.Label())
		checks = append(checks,
			ok(name+"all images created", r.Failed == "", yesOr(r.Failed), "yes"),
			ok(name+"refused requests", r.Requests > 0 && r.RefusedShare() <= maxRefused,
				fmt.Sprintf("%s (%d of %d)", Percent(r.RefusedShare()), r.Refused, r.Requests), "<= "+Percent(maxRefused)),
			ok(name+"requests per image", r.RequestsPerImage() <= perImage,
				fmt.Sprintf("%.2f", r.RequestsPerImage()), fmt.Sprintf("<= %g", perImage)))
	}
	b := s.Bounded()
	bw := b.Wall()
	checks = append(checks, ok("shared "+b.Label()+": wall / bound", bw > 0 && ratio(bw, s.Bound()) <= maxBound,
		fmt.Sprintf("%.2f (%s / %s)", ratio(bw, s.Bound()), secs(bw), secs(s.Bound())), fmt.Sprintf("<= %g", maxBound)))
	one := s.One.Wall()
	for _, r := range s.several() {
		w := r.Wall()
		checks = append(checks, ok("shared "+r.Label()+": wall / one's", w > 0 && ratio(w, one) <= maxSeveral,
			fmt.Sprintf("%.2f (%s / %s)", ratio(w, one), secs(w), secs(one)), fmt.Sprintf("<= %g", maxSeveral)))
	}
	return checks
}

// Label names the side: "1 workspace", "4 workspaces", "4 workspaces at
// 11/s", and "1 workspace x200" for one at a -parallelism other than
// SharedParallelism.
func (r SharedRun) Label() string {
	l := fmt.Sprintf("%d workspaces", r.Workspaces)
	if r.Workspaces == 1 {
		l = "1 workspace"
	}
	if r.Parallelism != 0 && r.Parallelism != SharedParallelism {
		l += fmt.Sprintf(" x%d", r.Parallelism)
	}
	if r.Ceiling > 0 {
		l += fmt.Sprintf(" at %g/s", r.Ceiling)
	}
	return l
}

// WallsString prints each workspace's wall time.
func (r SharedRun) WallsString() string {
	all := make([]string, len(r.Walls))
	for i, w := range r.Walls {
		all[i] = fmt.Sprintf("%.1f", w.Seconds())
	}
	return strings.Join(all, ", ")
}
