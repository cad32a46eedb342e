package akool

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// applySim is a simulated set of terraform applies started together
// against one account, with the answers a round trip away.
type applySim struct {
	clients, workers, images int           // images per client, workers each (-parallelism)
	limit                    int           // requests the account serves in any second
	trace                    float64       // share of reads refused at random (transient faults)
	roundTrip, jitter        time.Duration // between sending a request and its answer: roundTrip plus up to jitter
}

// applyResult is what an applySim measured.
type applyResult struct {
	sent, refused int
	finished      []time.Duration // per client: when its last image was seen finished; zero if never
}

func (r applyResult) refusedShare() float64 { return float64(r.refused) / float64(r.sent) }

func (r applyResult) spread() float64 {
	return slices.Max(r.finished).Seconds() / slices.Min(r.finished).Seconds()
}

// pending is a request on the wire: the account acted when it was sent,
// and the client learns the outcome at answerAt.
type pending struct {
	client, worker int
	sentAt         time.Time
	answerAt       time.Time
	refused, fault bool
}

// run plays the applies in steps of a millisecond for at most span. Each
// worker creates an image (a paid request), reads it 1.8-2.4 s after the
// create's answer and then 0.3-0.6 s after each read's (about what the
// learned poll does with these jobs) until a read sent after the job's end
// (1-3 s after the create reached the account) sees it finished, then
// creates the next; a refused request is sent again 0.25-0.5 s after its
// answer.
func (s applySim) run(seed uint64, span time.Duration) applyResult {
	rng := rand.New(rand.NewPCG(seed, 13))
	clk := newFakeClock()
	server := &serverWindow{limit: s.limit}
	errNotYet := errors.New("not yet")
	notYet := func(_ context.Context, d time.Duration) error {
		if d > 0 {
			return errNotYet // the slot is given back; the worker tries again next step
		}
		return nil
	}
	type worker struct {
		ready time.Time
		busy  bool      // a request is on the wire
		ends  time.Time // the job's end; zero while it needs its create
		holds bool      // it took on an image not finished yet
	}
	limiters := make([]*limiter, s.clients)
	workers := make([][]worker, s.clients)
	done := make([]int, s.clients)
	start := clk.now()
	for c := range s.clients {
		limiters[c] = newLimiter(0, clk.now)
		workers[c] = make([]worker, s.workers)
		for w := range workers[c] {
			workers[c][w].ready = start
		}
	}
	res := applyResult{finished: make([]time.Duration, s.clients)}
	var wire []pending
	pause := func(now time.Time, lo, hi float64) time.Time {
		return now.Add(time.Duration((lo + (hi-lo)*rng.Float64()) * float64(time.Second)))
	}
	taken := make([]int, s.clients) // images taken on by the client's workers
	for end := start.Add(span); clk.now().Before(end) && slices.Contains(res.finished, 0); clk.advance(time.Millisecond) {
		now := clk.now()
		// Answers that arrive now.
		kept := wire[:0]
		for _, p := range wire {
			if p.answerAt.After(now) {
				kept = append(kept, p)
				continue
			}
			w := &workers[p.client][p.worker]
			w.busy = false
			switch {
			case p.refused || p.fault:
				limiters[p.client].refuse(p.sentAt)
				w.ready = pause(now, 0.25, 0.5)
			case w.ends.IsZero(): // a create: its job runs from when the account acted
				limiters[p.client].answer()
				w.ends = pause(p.sentAt, 1, 3)
				w.ready = pause(now, 1.8, 2.4)
			case !p.sentAt.Before(w.ends): // a read that saw the job finished
				limiters[p.client].answer()
				w.ends, w.holds = time.Time{}, false
				w.ready = now
				done[p.client]++
				if done[p.client] == s.images {
					res.finished[p.client] = now.Sub(start)
				}
			default:
				limiters[p.client].answer()
				w.ready = pause(now, 0.3, 0.6)
			}
		}
		wire = kept
		for _, c := range rng.Perm(s.clients) { // no client always first
			l := limiters[c]
			for i := range workers[c] {
				w := &workers[c][i]
				if w.busy || w.ready.After(now) {
					continue
				}
				paid := w.ends.IsZero()
				if !w.holds {
					if taken[c] >= s.images {
						continue
					}
					taken[c]++
					w.holds = true
				}
				if l.wait(context.Background(), notYet, paid) != nil {
					continue
				}
				res.sent++
				p := pending{client: c, worker: i, sentAt: now,
					answerAt: now.Add(s.roundTrip + time.Duration(rng.Float64()*float64(s.jitter)))}
				switch {
				case !server.allow(now):
					res.refused++
					p.refused = true
				case !paid && rng.Float64() < s.trace:
					p.fault = true
				}
				w.busy = true
				wire = append(wire, p)
			}
		}
	}
	return res
}

// farFromAkool runs sim over seeds and reports the mean share of requests
// refused, of the last finish over the bound (two requests an image at the
// account's limit), and of the last finish over the first.
func farFromAkool(sim applySim, seeds int) (refused, wall, spread float64) {
	bound := float64(2*sim.images*sim.clients) / float64(sim.limit)
	for seed := range uint64(seeds) {
		r := sim.run(seed, 3*time.Minute)
		n := float64(seeds)
		refused += r.refusedShare() / n
		wall += slices.Max(r.finished).Seconds() / bound / n
		spread += r.spread() / n
	}
	return refused, wall, spread
}

func TestLimiter_appliesFarFromAkool(t *testing.T) {
	// Four applies of 150 images at -parallelism=50 start together on an
	// account serving 50 requests in any second, 250 ms (and up to 50 ms
	// more) away. A refusal arrives a round trip after the request that
	// caused it; a run that kept sending meanwhile sent a round trip's
	// worth more into the full window, and 7.3% of the requests were
	// refused; holding the next request for the refusal's round trip,
	// 5.2%. On loopback nothing changes (3.5% refused), and one
	// apply at -parallelism=200 far away is refused about 2% (1.9-2.6%
	// before).
	for _, tc := range []struct {
		roundTrip  time.Duration
		maxRefused float64
		clients    int
	}{{0, 0.04, 4}, {250 * time.Millisecond, 0.06, 4}, {250 * time.Millisecond, 0.03, 1}} {
		sim := applySim{clients: tc.clients, workers: 200 / tc.clients, images: 600 / tc.clients, limit: 50, trace: 0.012, roundTrip: tc.roundTrip, jitter: tc.roundTrip / 5}
		refused, wall, spread := farFromAkool(sim, 4)
		t.Logf("%d clients, %v round trip: %.1f%% refused, last finish %.2f times the bound and %.2f times the first", tc.clients, tc.roundTrip, 100*refused, wall, spread)
		if refused > tc.maxRefused {
			t.Errorf("%d clients, %v round trip: %.1f%% refused, want <= %.0f%%", tc.clients, tc.roundTrip, 100*refused, 100*tc.maxRefused)
		}
	}
}
