package bench

import (
	"fmt"
	"math"
	"slices"
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
	Limit              float64         // the account's requests per second when not the profile's Rate; 0 = the profile's
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

// Spread is how much later the last workspace finished than the first: 1
// when they finished together (or there is one).
func (r SharedRun) Spread() float64 { return ratio(r.Wall(), r.First()) }

// First is the time until the first workspace finished.
func (r SharedRun) First() time.Duration {
	if len(r.Walls) == 0 {
		return 0
	}
	return slices.Min(r.Walls)
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
// fresh account that accepts Rate requests a second and answers RoundTrip
// after each request.
type Shared struct {
	Rate      float64
	RoundTrip time.Duration
	// One is one workspace at SharedParallelism; Workspaces 0 when not
	// measured.
	One, Several SharedRun
	// Saturated is One at the -parallelism of all of Several together:
	// an apply bound by the account's rate alone, not also by how many
	// jobs Terraform runs at once; Workspaces 0 when not measured.
	Saturated SharedRun
	// Capped is Several with a ceiling that splits the account's rate
	// between the workspaces, as the pipelines guide advises; Workspaces
	// 0 when not measured.
	Capped SharedRun
	// Small is one small apply against an account with a small Limit of
	// its own; Workspaces 0 when not measured.
	Small SharedRun
}

// Runs are the sides measured: one workspace, one saturating the budget
// (when measured), several, and several with a ceiling (when measured).
func (s Shared) Runs() []SharedRun {
	var runs []SharedRun
	for _, r := range []SharedRun{s.One, s.Saturated} {
		if r.Workspaces > 0 {
			runs = append(runs, r)
		}
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
	return bound(s.Several.Images, s.Rate)
}

func bound(images int, rate float64) time.Duration {
	if rate <= 0 {
		return 0
	}
	return time.Duration(float64(BoundPerImage*images) / rate * float64(time.Second))
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
		name := s.checkName(r)
		checks = append(checks,
			ok(name+"all images created", r.Failed == "", yesOr(r.Failed), "yes"),
			ok(name+"refused requests", r.Requests > 0 && r.RefusedShare() <= maxRefused,
				fmt.Sprintf("%s (%d of %d)", Percent(r.RefusedShare()), r.Refused, r.Requests), "<= "+Percent(maxRefused)),
			ok(name+"requests per image", r.RequestsPerImage() <= perImage,
				fmt.Sprintf("%.2f", r.RequestsPerImage()), fmt.Sprintf("<= %g", perImage)))
	}
	b := s.Bounded()
	bw := b.Wall()
	checks = append(checks, ok(s.checkName(b)+"wall / bound", bw > 0 && ratio(bw, s.Bound()) <= maxBound,
		fmt.Sprintf("%.2f (%s / %s)", ratio(bw, s.Bound()), secs(bw), secs(s.Bound())), fmt.Sprintf("<= %g", maxBound)))
	one := s.One.Wall()
	if s.One.Workspaces == 0 {
		return checks
	}
	for _, r := range s.several() {
		w := r.Wall()
		checks = append(checks, ok(s.checkName(r)+"wall / one's", w > 0 && ratio(w, one) <= maxSeveral,
			fmt.Sprintf("%.2f (%s / %s)", ratio(w, one), secs(w), secs(one)), fmt.Sprintf("<= %g", maxSeveral)))
	}
	return checks
}

// FarTargets checks the shared-account benchmark at a long round trip:
// the several workspaces without a ceiling refused at most maxRefused of
// their requests, the last of them within maxBound times the bound and
// maxSpread times the first.
func FarTargets(s Shared, maxRefused, maxBound, maxSpread float64) []Check {
	r := s.Several
	name := s.checkName(r)
	return []Check{
		ok(name+"refused requests", r.Requests > 0 && r.RefusedShare() <= maxRefused,
			fmt.Sprintf("%s (%d of %d)", Percent(r.RefusedShare()), r.Refused, r.Requests), "<= "+Percent(maxRefused)),
		ok(name+"wall / bound", r.Failed == "" && ratio(r.Wall(), s.Bound()) <= maxBound,
			fmt.Sprintf("%.2f (%s / %s)", ratio(r.Wall(), s.Bound()), secs(r.Wall()), secs(s.Bound())), fmt.Sprintf("<= %g", maxBound)),
		ok(name+"last / first finish", r.Failed == "" && r.Spread() <= maxSpread,
			fmt.Sprintf("%.2f (%s / %s)", r.Spread(), secs(r.Wall()), secs(r.First())), fmt.Sprintf("<= %g", maxSpread)),
	}
}

// SmallTargets checks the small apply, when measured: it produced its
// images, and at most maxRefused of its requests were refused.
func SmallTargets(s Shared, maxRefused float64) []Check {
	r := s.Small
	if r.Workspaces == 0 {
		return nil
	}
	name := s.checkName(r)
	return []Check{
		ok(name+"all images created", r.Failed == "", yesOr(r.Failed), "yes"),
		ok(name+"refused requests", r.Requests > 0 && r.RefusedShare() <= maxRefused,
			fmt.Sprintf("%s (%d of %d)", Percent(r.RefusedShare()), r.Refused, r.Requests), "<= "+Percent(maxRefused)),
	}
}

// checkName begins the name of a check of side r: "shared 4 workspaces: ",
// or "shared 4 workspaces at 250 ms round trip: " away from loopback.
func (s Shared) checkName(r SharedRun) string {
	if s.RoundTrip > 0 {
		return fmt.Sprintf("shared %s at %d ms round trip: ", r.Label(), s.RoundTrip.Milliseconds())
	}
	return fmt.Sprintf("shared %s: ", r.Label())
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
	if r.Limit > 0 {
		l += fmt.Sprintf(" against %g/s", r.Limit)
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
