package bench

import (
	"strings"
	"testing"
	"time"
)

func TestScaleTargets(t *testing.T) {
	s := func(v ...float64) []time.Duration {
		var ds []time.Duration
		for _, x := range v {
			ds = append(ds, time.Duration(x*float64(time.Second)))
		}
		return ds
	}
	peak := func(images int) int64 { return 100<<20 + int64(images)<<20 }
	point := func(images int, plan, floor float64, apply, floorApply float64, mem int64) ScalePoint {
		return ScalePoint{Images: images, NoRefresh: s(plan, plan+1, plan-1), Floor: s(floor, floor, floor),
			Refresh: s(plan), FloorRefresh: s(floor), Apply: s(apply)[0], FloorApply: s(floorApply)[0], Peak: mem, ApplyPeak: mem / 2}
	}
	verdicts := func(checks []Check) string {
		var out []string
		for _, c := range checks {
			v := "ok"
			if !c.OK {
				v = "FAIL"
			}
			out = append(out, c.Name+" "+v)
		}
		return strings.Join(out, "; ")
	}

	good := []ScalePoint{point(200, 1, 1.1, 9, 8, 150<<20), point(3000, 20, 20, 200, 160, 2000<<20)}
	want := "scale 200: -refresh=false / schema floor ok; scale 200: provider peak memory ok; " +
		"scale 3000: -refresh=false / schema floor ok; scale 3000: provider peak memory ok; scale 3000: apply / schema floor's apply ok"
	if got := verdicts(ScaleTargets(good, 1.0, 1.3, peak)); got != want {
		t.Errorf("within the targets:\n got %s\nwant %s", got, want)
	}

	bad := []ScalePoint{point(200, 1.2, 1.1, 50, 8, 150<<20), point(3000, 20, 20, 210, 160, 4000<<20)}
	bad[0].ApplyPeak = 400 << 20 // the apply's peak counts too
	want = "scale 200: -refresh=false / schema floor FAIL; scale 200: provider peak memory FAIL; " +
		"scale 3000: -refresh=false / schema floor ok; scale 3000: provider peak memory FAIL; scale 3000: apply / schema floor's apply FAIL"
	if got := verdicts(ScaleTargets(bad, 1.0, 1.3, peak)); got != want {
		t.Errorf("outside the targets:\n got %s\nwant %s", got, want)
	}

	failed := []ScalePoint{{Images: 1000, Failed: "terraform apply: exit status 1"}}
	if got := verdicts(ScaleTargets(failed, 1.0, 1.3, peak)); got != "scale 1000: commands succeeded FAIL" {
		t.Errorf("a failed size: %s", got)
	}
}
