package bench

import (
	"strings"
	"testing"
	"time"
)

func TestSharedTargets(t *testing.T) {
	one := SharedRun{Workspaces: 1, Images: 600, Walls: []time.Duration{30 * time.Second}, Requests: 1500, Refused: 15}
	several := SharedRun{Workspaces: 4, Images: 600, Walls: []time.Duration{31 * time.Second, 33 * time.Second, 30 * time.Second, 32 * time.Second},
		Requests: 1560, Refused: 60}
	s := Shared{Rate: 50, One: one, Several: several}
	if b := s.Bound(); b != 24*time.Second {
		t.Fatalf("bound %v, want 24s: 600 images x 2 requests at 50/s", b)
	}
	if w := several.Wall(); w != 33*time.Second {
		t.Errorf("several's wall %v, want the last workspace's, 33s", w)
	}
	failed := func(checks []Check) []string {
		var out []string
		for _, c := range checks {
			if !c.OK {
				out = append(out, c.Name)
			}
		}
		return out
	}
	// 30/24 = 1.25 <= 1.4; 33/30 = 1.1 <= 1.15; 2.5 and 2.6 requests per
	// image <= 2.8; 1% and 3.8% refused <= 5%.
	if f := failed(SharedTargets(s, 0.05, 1.4, 1.15)); len(f) != 0 {
		t.Errorf("targets missed: %v", f)
	}

	bad := s
	bad.Several.Walls = []time.Duration{36 * time.Second} // 1.2 times one's
	bad.Several.Refused = 90                              // 5.8%
	bad.One.Walls = []time.Duration{34 * time.Second}     // 1.42 times the bound
	bad.One.Requests = 1700                               // 2.83 per image
	got := strings.Join(failed(SharedTargets(bad, 0.05, 1.4, 1.15)), "; ")
	for _, want := range []string{"shared 4 workspaces: refused requests", "shared 1 workspace: requests per image",
		"shared 1 workspace: wall / bound"} {
		if !strings.Contains(got, want) {
			t.Errorf("missed targets %q lack %q", got, want)
		}
	}
	// 36/34 is within 1.15 of the slower one: the ratio follows one's wall.
	if strings.Contains(got, "wall / one's") {
		t.Errorf("missed targets %q: 36s is within 1.15 of 34s", got)
	}

	bad.Several.Walls = []time.Duration{40 * time.Second}
	bad.Several.Failed = "workspace 2: exit status 1"
	got = strings.Join(failed(SharedTargets(bad, 0.05, 1.4, 1.15)), "; ")
	for _, want := range []string{"shared 4 workspaces: wall / one's", "shared 4 workspaces: all images created"} {
		if !strings.Contains(got, want) {
			t.Errorf("missed targets %q lack %q", got, want)
		}
	}

	capped := s
	capped.Capped = SharedRun{Workspaces: 4, Ceiling: 11, Images: 600, Walls: []time.Duration{40 * time.Second}, Requests: 1500}
	got = strings.Join(failed(SharedTargets(capped, 0.05, 1.4, 1.15)), "; ")
	if got != "shared 4 workspaces at 11/s: wall / one's" {
		t.Errorf("with a capped run of 40 s against one's 30 s, missed targets %q; want only the capped run's wall", got)
	}
	if n := len(SharedTargets(capped, 0.05, 1.4, 1.15)); n != len(SharedTargets(s, 0.05, 1.4, 1.15))+4 {
		t.Errorf("the capped run adds %d checks, want 4", n-len(SharedTargets(s, 0.05, 1.4, 1.15)))
	}

	// With the saturated side measured, it is the one held to the bound: one
	// workspace at -parallelism=50 is bound by its job times as much.
	sat := s
	sat.One.Walls = []time.Duration{36 * time.Second} // 1.5 times the bound
	sat.Saturated = SharedRun{Workspaces: 1, Parallelism: 200, Images: 600, Walls: []time.Duration{31 * time.Second}, Requests: 1260}
	got = strings.Join(failed(SharedTargets(sat, 0.05, 1.4, 1.15)), "; ")
	if got != "" {
		t.Errorf("with the saturated side at 1.29 times the bound, missed targets %q; want none", got)
	}
	sat.Saturated.Walls = []time.Duration{35 * time.Second}
	if got = strings.Join(failed(SharedTargets(sat, 0.05, 1.4, 1.15)), "; "); got != "shared 1 workspace x200: wall / bound" {
		t.Errorf("with the saturated side at 1.46 times the bound, missed targets %q; want its wall / bound only", got)
	}
}

func TestFarTargets(t *testing.T) {
	// At a long round trip only the saturated side and the four are
	// measured: no one workspace to compare the four with.
	several := SharedRun{Workspaces: 4, Images: 600, Walls: []time.Duration{25 * time.Second, 29 * time.Second, 27 * time.Second, 30 * time.Second},
		Requests: 1300, Refused: 26}
	s := Shared{Rate: 50, RoundTrip: 250 * time.Millisecond, Several: several,
		Saturated: SharedRun{Workspaces: 1, Parallelism: 200, Images: 600, Walls: []time.Duration{30 * time.Second}, Requests: 1300}}
	if got := len(s.Runs()); got != 2 {
		t.Errorf("%d runs, want the saturated side and the four", got)
	}
	if sp := several.Spread(); sp != 1.2 {
		t.Errorf("spread %v, want 30 s / 25 s = 1.2", sp)
	}
	failed := func(checks []Check) string {
		var out []string
		for _, c := range checks {
			if !c.OK {
				out = append(out, c.Name)
			}
		}
		return strings.Join(out, "; ")
	}
	// 2% refused <= 3%; 30/24 = 1.25 <= 1.3; 30/25 = 1.2 <= 1.2.
	if got := failed(append(SharedTargets(s, 0.05, 1.4, 1.15), FarTargets(s, 0.03, 1.3, 1.2)...)); got != "" {
		t.Errorf("targets missed: %s", got)
	}
	bad := s
	bad.Several.Refused = 52                                                // 4%
	bad.Several.Walls = []time.Duration{20 * time.Second, 32 * time.Second} // 1.33 the bound, 1.6 the first
	got := failed(FarTargets(bad, 0.03, 1.3, 1.2))
	for _, want := range []string{"refused requests", "wall / bound", "last / first finish"} {
		if !strings.Contains(got, "shared 4 workspaces at 250 ms round trip: "+want) {
			t.Errorf("missed targets %q lack %q", got, want)
		}
	}

	if n := len(SmallTargets(s, 0.05)); n != 0 {
		t.Errorf("%d checks of a small apply not measured, want none", n)
	}
	s.Small = SharedRun{Workspaces: 1, Parallelism: 10, Limit: 8, Images: 30, Walls: []time.Duration{15 * time.Second}, Requests: 68, Refused: 4}
	if got := failed(SmallTargets(s, 0.05)); got != "shared 1 workspace x10 against 8/s at 250 ms round trip: refused requests" {
		t.Errorf("with 4 of 68 refused, missed targets %q; want the small apply's refusals", got)
	}
}
