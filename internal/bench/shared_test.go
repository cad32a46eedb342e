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
