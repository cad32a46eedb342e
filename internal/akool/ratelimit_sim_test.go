package akool

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// simulateReads runs n requests from par workers through l against server,
// each taking latency (plus up to half of it at random), of which trace
// are refused at random; a refused request is retried after backoff. It
// returns how long they took.
func simulateReads(l *limiter, clk *fakeClock, server interface{ allow(time.Time) bool }, trace float64, rng *rand.Rand, n, par int, latency, backoff time.Duration) time.Duration {
	start := clk.now()
	ready := make([]time.Time, par)
	for i := range ready {
		ready[i] = start
	}
	for done := 0; done < n; {
		w := 0
		for i := range ready {
			if ready[i].Before(ready[w]) {
				w = i
			}
		}
		if ready[w].After(clk.now()) {
			clk.advance(ready[w].Sub(clk.now()))
		}
		_ = l.wait(context.Background(), clk.sleep, false)
		at := clk.now()
		jitter := time.Duration(rng.Float64() * float64(latency) / 2)
		if server.allow(at) && rng.Float64() >= trace {
			l.answer()
			done++
			ready[w] = at.Add(latency + jitter)
		} else {
			l.refuse(at)
			ready[w] = at.Add(latency + jitter + backoff)
		}
	}
	return clk.now().Sub(start)
}

func TestLimiter_aTraceOfRefusalsDoesNotSlowARefresh(t *testing.T) {
	// A refresh of 1,000 images at -parallelism=10 against a server that
	// serves 100 requests in any second and refuses 2% of requests at
	// random, whatever the rate (the emulator's transient faults at 5% of
	// reads include code 1005 and HTTP 429). The yardstick is 10 s: 1,000
	// reads at the server's 100 per second. Over 200 seeds, every run stays
	// within 1.25 times it, so a plan takes about as long each time; a
	// trace of refusals early in a run, taken for a limit, once left one
	// run in ten at 4 times it, and two faults among the first four
	// requests left one at 4.3 times it.
	var took []time.Duration
	for seed := range uint64(200) {
		clk := newFakeClock()
		l := newLimiter(0, clk.now)
		rng := rand.New(rand.NewPCG(seed, 9))
		d := simulateReads(l, clk, &serverWindow{limit: 100}, 0.02, rng, 1000, 10, 5*time.Millisecond, 400*time.Millisecond)
		took = append(took, d)
	}
	slices.Sort(took)
	p50, p90, slowest := took[100], took[180], took[199]
	t.Logf("1,000 reads: p50 %v, p90 %v, slowest %v", p50, p90, slowest)
	if slowest > 12500*time.Millisecond {
		t.Errorf("slowest %v, want <= 12.5s (1.25 times 1,000 reads at 100/s)", slowest)
	}
}
