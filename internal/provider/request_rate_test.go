package provider

import (
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/akool-community/terraform-provider-akool/internal/emulator"
)

func TestRequestRate(t *testing.T) {
	t.Parallel()
	// want is the ceiling (0: none), or -1 for an error on the argument.
	cases := map[string]struct {
		arg  types.Float64
		env  string
		want float64
	}{
		"unset":        {types.Float64Null(), "", 0},
		"argument":     {types.Float64Value(2.5), "9", 2.5},
		"environment":  {types.Float64Null(), " 12.5 ", 12.5},
		"not a number": {types.Float64Null(), "ten", -1},
		"zero":         {types.Float64Null(), "0", -1},
		"negative":     {types.Float64Null(), "-3", -1},
		"infinite":     {types.Float64Null(), "Inf", -1},
		"nan":          {types.Float64Null(), "NaN", -1},
	}
	for name, tc := range cases {
		var diags diag.Diagnostics
		got := requestRate(tc.arg, oneVariable(envMaxRate, tc.env), &diags)
		if diags.HasError() {
			got = -1
		}
		if got != tc.want {
			t.Errorf("%s: rate %v, want %v (%v)", name, got, tc.want, diags)
		}
	}
}

// arrivals records when each API request reached Akool.
type arrivals struct {
	e     *emulator.Emulator
	mu    sync.Mutex
	times []time.Time
}

func (a *arrivals) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	a.times = append(a.times, time.Now())
	a.mu.Unlock()
	a.e.ServeHTTP(w, r)
}

// busiest is the most requests that arrived within any span.
func (a *arrivals) busiest(span time.Duration) (most, total int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	times := slices.Clone(a.times)
	slices.SortFunc(times, time.Time.Compare)
	for i := range times {
		j := i
		for j < len(times) && times[j].Sub(times[i]) < span {
			j++
		}
		most = max(most, j-i)
	}
	return most, len(times)
}

// With max_requests_per_second set, a whole apply (the credential check,
// every create and every status read of twelve images started together at
// -parallelism=12) never sends more than that many requests a second, as
// counted where they arrive, over any two seconds. Without the ceiling the
// twelve creates alone go out within a second (a run's creates start at 20
// a second).
func TestAccProvider_maxRequestsPerSecondHolds(t *testing.T) {
	t.Parallel()
	const ceiling = 4
	_, url, seen := newEmulatorBehind(t, func(e *emulator.Emulator) *arrivals { return &arrivals{e: e} })
	h := newHarness(t, fmt.Sprintf(`
provider "akool" {
  endpoint                = %q
  api_key                 = %q
  max_requests_per_second = %d
}
`, url, testAccAPIKey, ceiling)+testAccImages(12, "a lantern in the fog", ""))
	h.mustRun("apply", "-auto-approve", "-input=false", "-parallelism=12")

	most, total := seen.busiest(2 * time.Second)
	figure(t, "requests", total)
	figure(t, "busiest two seconds", most)
	if total < 2*12 {
		t.Fatalf("the apply sent %d requests, want at least a create and a read per image", total)
	}
	// Requests leave a quarter of a second apart: 8 in two seconds. The
	// plan's credential check, and arrivals delayed by up to half a second
	// on a busy machine, may bring three more.
	if most > 2*ceiling+3 {
		t.Errorf("%d requests arrived within two seconds, want at most %d (max_requests_per_second = %d)", most, 2*ceiling+3, ceiling)
	}
}
