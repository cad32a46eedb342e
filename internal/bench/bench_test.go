package bench

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestJobTimes(t *testing.T) {
	jobs := JobTimes(7, 200, 2*time.Second, 6*time.Second)
	if len(jobs) != 200 {
		t.Fatalf("got %d jobs, want 200", len(jobs))
	}
	for i, j := range jobs {
		if j.Total() < 2*time.Second || j.Total() > 6*time.Second {
			t.Errorf("job %d total %v outside [2s, 6s]", i, j.Total())
		}
		share := j.Queue.Seconds() / j.Total().Seconds()
		if share < 0.1-1e-9 || share > 0.3+1e-9 {
			t.Errorf("job %d queues %.2f of its time, want 0.1-0.3", i, share)
		}
	}
	if again := JobTimes(7, 200, 2*time.Second, 6*time.Second); !slices.Equal(jobs, again) {
		t.Error("the same seed gave different jobs")
	}
	if other := JobTimes(8, 200, 2*time.Second, 6*time.Second); slices.Equal(jobs, other) {
		t.Error("another seed gave the same jobs")
	}
}

func TestPromptIndex(t *testing.T) {
	for i := range []int{0, 1, 39, 1234} {
		if got, ok := PromptIndex(Prompt(i)); !ok || got != i {
			t.Errorf("PromptIndex(Prompt(%d)) = %d, %v", i, got, ok)
		}
	}
	for _, p := range []string{"", "bench-", "bench-x", "bench--1", "bench-01", "a cat", "bench-3 ", "BENCH-3"} {
		if i, ok := PromptIndex(p); ok {
			t.Errorf("PromptIndex(%q) = %d, true; want false", p, i)
		}
	}
}

func TestLowerBound(t *testing.T) {
	sec := func(s ...float64) []Job {
		var jobs []Job
		for _, v := range s {
			jobs = append(jobs, Job{Queue: time.Duration(v * 0.25 * float64(time.Second)), Process: time.Duration(v * 0.75 * float64(time.Second))})
		}
		return jobs
	}
	tests := []struct {
		jobs []Job
		par  int
		want time.Duration
	}{
		{sec(2, 2, 2, 2), 2, 4 * time.Second},   // the work shared evenly
		{sec(10, 1, 1, 1), 2, 10 * time.Second}, // the longest job
		{sec(3, 3, 3), 10, 3 * time.Second},     // more workers than jobs
		{nil, 4, 0},
		{sec(1), 0, 0},
	}
	for _, tt := range tests {
		if got := LowerBound(tt.jobs, tt.par); got != tt.want {
			t.Errorf("LowerBound(%v, %d) = %v, want %v", tt.jobs, tt.par, got, tt.want)
		}
	}
}

func TestOrderBound(t *testing.T) {
	j := func(s float64) Job { return Job{Process: time.Duration(s * float64(time.Second))} }
	tests := []struct {
		jobs []Job
		par  int
		want time.Duration
	}{
		// Two workers: 4 | 1+1+1+1 -> 4 s, the lower bound.
		{[]Job{j(4), j(1), j(1), j(1), j(1)}, 2, 4 * time.Second},
		// The long job last: 1+1 | 1+1, then 4 -> 6 s, over the 4 s lower bound.
		{[]Job{j(1), j(1), j(1), j(1), j(4)}, 2, 6 * time.Second},
		{[]Job{j(2), j(3)}, 10, 3 * time.Second},
		{nil, 2, 0},
	}
	for _, tt := range tests {
		if got := OrderBound(tt.jobs, tt.par); got != tt.want {
			t.Errorf("OrderBound(%v, %d) = %v, want %v", tt.jobs, tt.par, got, tt.want)
		}
		if lb := LowerBound(tt.jobs, tt.par); OrderBound(tt.jobs, tt.par) < lb {
			t.Errorf("OrderBound below LowerBound %v", lb)
		}
	}
}

func TestPercentile(t *testing.T) {
	var ds []time.Duration
	for i := 20; i >= 1; i-- { // unsorted on purpose
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	tests := []struct {
		q    float64
		want time.Duration
	}{
		{0.5, 10 * time.Millisecond},
		{0.95, 19 * time.Millisecond},
		{1, 20 * time.Millisecond},
		{0.01, 1 * time.Millisecond},
	}
	for _, tt := range tests {
		if got := Percentile(ds, tt.q); got != tt.want {
			t.Errorf("Percentile(1..20ms, %v) = %v, want %v", tt.q, got, tt.want)
		}
	}
	if ds[0] != 20*time.Millisecond {
		t.Error("Percentile sorted its argument in place")
	}
	if got := Percentile(nil, 0.5); got != 0 {
		t.Errorf("Percentile(nil) = %v, want 0", got)
	}
	if got := Median([]time.Duration{3, 1, 2}); got != 2 {
		t.Errorf("Median(3,1,2) = %v, want 2", got)
	}
}

func TestProcStatus(t *testing.T) {
	status := "Name:\tterraform-provi\nVmPeak:\t 1300000 kB\nVmHWM:\t   51200 kB\nVmRSS:\t   40960 kB\nThreads:\t9\n"
	peak, cur, err := ProcStatus(strings.NewReader(status))
	if err != nil || peak != 50<<20 || cur != 40<<20 {
		t.Errorf("ProcStatus = %d, %d, %v; want 50 MiB, 40 MiB", peak, cur, err)
	}
	for _, bad := range []string{
		"Name:\tkthreadd\nThreads:\t1\n",
		"VmHWM:\t 12 MB\nVmRSS:\t 1 kB\n",
		"VmHWM:\t x kB\nVmRSS:\t 1 kB\n",
	} {
		if _, _, err := ProcStatus(strings.NewReader(bad)); err == nil {
			t.Errorf("ProcStatus(%q) = nil error, want one", bad)
		}
	}
}

func TestTargets(t *testing.T) {
	lags := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond, 2 * time.Second}
	a := Apply{Profile: "short", Strategy: "learned", Images: 4, Lags: lags, Reads: 20, Wall: 13 * time.Second, Bound: 10 * time.Second}
	checks := LagTargets(a, 500*time.Millisecond, time.Second, 8, 1.3)
	want := map[string]bool{
		"short/learned: all images created": true,
		"short/learned: median lag":         true,  // 200ms
		"short/learned: p95 lag":            false, // 2s
		"short/learned: reads per image":    true,  // 5
		"short/learned: wall / lower bound": true,  // 1.30
	}
	if len(checks) != len(want) {
		t.Fatalf("got %d checks, want %d: %v", len(checks), len(want), checks)
	}
	for _, c := range checks {
		if w, found := want[c.Name]; !found || c.OK != w {
			t.Errorf("%v: OK = %v, want %v (known: %v)", c.Name, c.OK, w, found)
		}
		if !strings.Contains(c.String(), c.Name) || (c.OK != strings.HasPrefix(c.String(), "[PASS]")) {
			t.Errorf("String() = %q does not match the check", c.String())
		}
	}
	if got := LagTargets(Apply{Profile: "long", Strategy: "learned", Failed: "exit 1"}, time.Second, 0, 8, 1.2); len(got) != 4 || got[0].OK || got[1].OK {
		t.Errorf("a failed apply with no lags passed: %v", got)
	}

	r := Apply{Profile: "rate", Strategy: "learned", Requests: 200, Refused: 10}
	if c := RateTargets(r, 0.05); !c[0].OK || !c[1].OK {
		t.Errorf("10 of 200 refused should meet 5%%: %v", c)
	}
	r.Refused = 11
	if c := RateTargets(r, 0.05); c[1].OK {
		t.Errorf("11 of 200 refused should miss 5%%: %v", c)
	}
}

func TestShareFormats(t *testing.T) {
	if got := Share(1, 4); got != 0.25 {
		t.Errorf("Share(1, 4) = %v, want 0.25", got)
	}
	if got := Share(3, 0); got != 0 {
		t.Errorf("Share(3, 0) = %v, want 0", got)
	}
	if got := Percent(Share(10, 213)); got != "4.7%" {
		t.Errorf("Percent(10/213) = %q, want 4.7%%", got)
	}
	if got := MiB(145 << 20); got != "145.0 MiB" {
		t.Errorf("MiB(145 << 20) = %q, want 145.0 MiB", got)
	}
	if got := (Thousand{Requests: 200, Refused: 10}).RefusedShare(); got != 0.05 {
		t.Errorf("Thousand.RefusedShare() = %v, want 0.05", got)
	}
}

func TestPlanTargets(t *testing.T) {
	s := func(ms ...int) []time.Duration {
		var ds []time.Duration
		for _, m := range ms {
			ds = append(ds, time.Duration(m)*time.Millisecond)
		}
		return ds
	}
	p := Plans{Images: 200, Floor: s(900, 1000, 5000), NoRefresh: s(1100, 1150, 1200), Refresh: s(2400, 2500, 9000),
		Reads: time.Second, ReadsPerImage: 1}
	for i, c := range PlanTargets(p, 1.15, 1.25) {
		if !c.OK {
			t.Errorf("check %d failed: %v", i, c) // medians: 1.15 and 1.25 exactly
		}
	}
	p.NoRefresh = s(1160, 1160, 1160)
	p.Refresh = s(2600, 2600, 2600)
	p.ReadsPerImage = 1.5
	for i, c := range PlanTargets(p, 1.15, 1.25) {
		if c.OK {
			t.Errorf("check %d passed: %v", i, c)
		}
	}
	if c := PlanTargets(Plans{Images: 1}, 1.15, 1.25); c[0].OK || c[1].OK {
		t.Errorf("no measurement passed: %v", c)
	}
	p.Failed = "terraform plan over the images: exit status 1"
	if c := PlanTargets(p, 1.15, 1.25); len(c) != 1 || c[0].OK || c[0].Got != "failed: "+p.Failed {
		t.Errorf("a failed run gave %v, want one failed check with its reason", c)
	}
}

func TestPlansSchemaFloorRatio(t *testing.T) {
	p := Plans{Floor: []time.Duration{2 * time.Second}, SchemaFloor: []time.Duration{3 * time.Second}}
	if got := p.SchemaFloorRatio(); got != 1.5 {
		t.Errorf("SchemaFloorRatio() = %v, want 1.5", got)
	}
	if got := (Plans{}).SchemaFloorRatio(); !math.IsInf(got, 1) {
		t.Errorf("SchemaFloorRatio() with no floor = %v, want +Inf, not NaN", got)
	}
}

func TestThousandTargets(t *testing.T) {
	good := Thousand{Images: 1000, Creates: 1000, Requests: 4000, Refused: 200, ApplyPeak: 100 << 20,
		Plan: 16 * time.Second, Floor: 3 * time.Second, Reads: 10 * time.Second, PlanPeak: 90 << 20}
	for i, c := range ThousandTargets(good, 0.05, 150<<20, 1.25) {
		if !c.OK {
			t.Errorf("check %d failed: %v", i, c)
		}
	}
	bad := Thousand{Images: 1000, Failed: "exit 1", Creates: 1001, Requests: 4000, Refused: 201, ApplyPeak: 150 << 20,
		PlanFailed: "exit 1", Plan: 17 * time.Second, Floor: 3 * time.Second, Reads: 10 * time.Second}
	for i, c := range ThousandTargets(bad, 0.05, 150<<20, 1.25) {
		if c.OK {
			t.Errorf("check %d passed: %v", i, c)
		}
	}
}

func TestSpreadTarget(t *testing.T) {
	steady := Thousand{Images: 1000, Plans: []time.Duration{14 * time.Second, 16 * time.Second, 15 * time.Second}}
	if c := SpreadTarget(steady, 1.5); len(c) != 1 || !c[0].OK || math.Abs(steady.Spread()-16.0/14) > 1e-9 {
		t.Errorf("plans of 14-16 s: %v, spread %v; want a met target and 16/14", c, steady.Spread())
	}
	unsteady := Thousand{Images: 1000, Plans: []time.Duration{14 * time.Second, 50 * time.Second}}
	if c := SpreadTarget(unsteady, 1.5); len(c) != 1 || c[0].OK {
		t.Errorf("plans of 14 and 50 s: %v, want a missed target", c)
	}
	if c := SpreadTarget(Thousand{Plans: []time.Duration{time.Second}}, 1.5); len(c) != 0 {
		t.Errorf("one plan: %v, want nothing to check", c)
	}
}
