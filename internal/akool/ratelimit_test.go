package akool

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"net/http"
	"sync"
	"testing"
	"time"
)

// fakeClock is a clock that moves only when a sleep on it does.
type fakeClock struct {
	mu    sync.Mutex
	t     time.Time
	slept []time.Duration
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Unix(1_700_000_000, 0)} }

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func (c *fakeClock) sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	c.slept = append(c.slept, d)
	c.t = c.t.Add(d)
	c.mu.Unlock()
	return nil
}

// waitN takes n turns from l, calling then (when not nil) after each.
func waitN(t *testing.T, l *limiter, clk *fakeClock, n int, then func()) {
	t.Helper()
	for range n {
		if err := l.wait(context.Background(), clk.sleep, false); err != nil {
			t.Fatal(err)
		}
		if then != nil {
			then()
		}
	}
}

func TestLimiter_freeUntilRefused(t *testing.T) {
	clk := newFakeClock()
	l := newLimiter(0, clk.now)
	waitN(t, l, clk, 50, l.answer)
	if len(clk.slept) != 0 {
		t.Fatalf("an unrefused client waited %v", clk.slept)
	}
	if _, paced := l.Rate(); paced {
		t.Error("the limiter paces before any refusal")
	}

	// 50 requests answered within the same instant, then refusals: Akool's
	// limit is the 50 it served. Up to 5 refusals among 55 requests could be
	// the odd refusals of a busy service; 8 among 58 are not.
	sentAt := clk.now()
	refusals := 0
	for cut := 0.0; cut == 0; {
		_ = l.wait(context.Background(), clk.sleep, false)
		refusals++
		cut = l.refuse(sentAt)
	}
	if refusals <= 5 || refusals > 8 {
		t.Fatalf("the rate was cut at refusal %d after 50 served, want after 5 and by 8", refusals)
	}
	rate, paced := l.Rate()
	if !paced || math.Abs(rate-headroom*50) > 0.01 {
		t.Fatalf("after a refusal the rate is %v (paced %v), want %v: headroom times the 50 served in the last second", rate, paced, headroom*50)
	}
	// Another refusal of a request sent before the cut does not cut again.
	l.refuse(sentAt.Add(-time.Millisecond))
	if again, _ := l.Rate(); again != rate {
		t.Errorf("a refusal of a request sent before the cut moved the rate from %v to %v", rate, again)
	}
	// Nothing goes until the second of the 50 has passed; then requests are
	// spaced at the new rate.
	waitN(t, l, clk, 5, nil)
	if len(clk.slept) != 5 || clk.slept[0] != time.Second {
		t.Fatalf("waits = %v, want 5, the first until a second after the 50 were served", clk.slept)
	}
	for _, d := range clk.slept[1:] {
		if want := interval(rate); d < want-time.Millisecond || d > want+time.Millisecond {
			t.Errorf("wait %v, want %v (1/rate)", d, want)
		}
	}
}

func TestLimiter_ignoresATraceOfRefusals(t *testing.T) {
	// 100 requests answered over half a second, then 4 refusals among the
	// next 8: less than refusalShare of what was sent, as a busy service
	// refuses the odd request whatever the rate. A run of refusals is a
	// limit.
	clk := newFakeClock()
	l := newLimiter(0, clk.now)
	send := func() time.Time {
		_ = l.wait(context.Background(), clk.sleep, false)
		at := clk.now()
		clk.advance(5 * time.Millisecond)
		return at
	}
	for range 100 {
		send()
		l.answer()
	}
	for i := range 4 {
		if cut := l.refuse(send()); cut != 0 {
			t.Fatalf("refusal %d, alone among %d requests, cut the rate to %v", i+1, 101+2*i, cut)
		}
		send()
		l.answer()
	}
	run := 0
	for cut := 0.0; cut == 0; run++ {
		cut = l.refuse(send())
	}
	if run > 8 {
		t.Fatalf("the rate was cut after %d refusals in a row, want at most 8", run)
	}
}

func TestLimiter_recovers(t *testing.T) {
	clk := newFakeClock()
	l := cutAt8(t, clk)
	at := func(d time.Duration) float64 {
		l.mu.Lock()
		defer l.mu.Unlock()
		return l.rateLocked(l.cutAt.Add(d))
	}
	if r := at(0); math.Abs(r-headroom*8) > 1e-9 {
		t.Errorf("rate at the cut = %v, want %v", r, headroom*8)
	}
	if r := at(recoveryTime); math.Abs(r-headroom*8) > 1e-9 {
		t.Errorf("rate after %v = %v, want still %v", recoveryTime, r, headroom*8)
	}
	// Then it probes above, doubling every probeDoubling.
	if r := at(recoveryTime + probeDoubling/2); math.Abs(r-headroom*8*math.Sqrt2) > 1e-9 {
		t.Errorf("rate half a doubling into the probe = %v, want %v", r, headroom*8*math.Sqrt2)
	}
	if r := at(recoveryTime + 3*probeDoubling); math.Abs(r-headroom*8*8) > 1e-9 {
		t.Errorf("rate three doublings into the probe = %v, want %v", r, headroom*8*8)
	}
}

// refuseUntilCut sends n requests through l, all refused, and fails unless
// the last refusal, and only it, cuts the rate.
func refuseUntilCut(t *testing.T, l *limiter, clk *fakeClock, n int) {
	t.Helper()
	for i := range n {
		_ = l.wait(context.Background(), clk.sleep, false)
		if cut := l.refuse(clk.now()); (cut != 0) != (i == n-1) {
			t.Fatalf("refusal %d of %d cut the rate to %v", i+1, n, cut)
		}
	}
}

// cutAt8 returns a limiter cut at a limit of 8 requests per second: 8
// served at once, then 3 refused (two could be a trace).
func cutAt8(t *testing.T, clk *fakeClock) *limiter {
	t.Helper()
	l := newLimiter(0, clk.now)
	waitN(t, l, clk, 8, l.answer)
	refuseUntilCut(t, l, clk, 3)
	return l
}

func TestLimiter_aProbeEndsWithoutLoweringTheLimit(t *testing.T) {
	// Probing above the limit of 8, a refusal ends the probe at once, even
	// when what was served over the last second is less than 8: the limit
	// stays, and probing starts over from headroom times it.
	clk := newFakeClock()
	l := cutAt8(t, clk)
	clk.advance(3 * recoveryTime)
	_ = l.wait(context.Background(), clk.sleep, false)
	if cut := l.refuse(clk.now()); math.Abs(cut-headroom*8) > 1e-9 {
		t.Fatalf("a refusal while probing set the rate to %v, want %v (headroom times the limit)", cut, headroom*8)
	}
}

func TestLimiter_aTraceBelowTheLimitIsWeighedWhileProbing(t *testing.T) {
	// After the cut, a refusal comes among 30 requests sent at headroom
	// times the limit: a trace, not the limit. A lone refusal while probing
	// then no longer ends the probe; refusals beyond the trace still do.
	clk := newFakeClock()
	l := cutAt8(t, clk)
	waitN(t, l, clk, 30, l.answer)
	if clk.now().Sub(l.cutAt) >= recoveryTime {
		t.Fatalf("the 30 requests took %v, want them before probing starts", clk.now().Sub(l.cutAt))
	}
	_ = l.wait(context.Background(), clk.sleep, false)
	if cut := l.refuse(clk.now()); cut != 0 {
		t.Fatalf("a lone refusal among 30 requests below the limit cut the rate to %v", cut)
	}
	clk.advance(3 * recoveryTime)
	probe, _ := l.Rate()
	_ = l.wait(context.Background(), clk.sleep, false)
	if cut := l.refuse(clk.now()); cut != 0 {
		t.Fatalf("after a trace, a lone refusal while probing cut the rate to %v", cut)
	}
	_ = l.wait(context.Background(), clk.sleep, false)
	cut := l.refuse(clk.now())
	if cut == 0 || cut >= probe {
		t.Errorf("after two refusals while probing at %v the rate is %v, want cut below it", probe, cut)
	}
}

func TestLimiter_aRefusalAtTheFloorDoesNotPostponeTheProbe(t *testing.T) {
	// Four requests were served at once; two seconds later everything sent
	// is refused, so the cut can only take the floor, half of those four.
	// A refusal at that rate cannot lower it further: it is a trace, and
	// must not restart the recovery, or the client would never probe while
	// such refusals keep coming.
	clk := newFakeClock()
	l := newLimiter(0, clk.now)
	waitN(t, l, clk, 4, l.answer)
	clk.advance(2 * time.Second)
	refuseUntilCut(t, l, clk, 3)
	if l.limit != floorShare*4 {
		t.Fatalf("the cut learned a limit of %v, want the floor %v", l.limit, floorShare*4)
	}
	cutAt := l.cutAt
	waitN(t, l, clk, 2, l.answer)
	_ = l.wait(context.Background(), clk.sleep, false)
	if clk.now().Sub(cutAt) >= recoveryTime {
		t.Fatalf("the requests after the cut took %v, want them before probing starts", clk.now().Sub(cutAt))
	}
	if cut := l.refuse(clk.now()); cut != 0 {
		t.Fatalf("a refusal at the floor cut the rate again, to %v", cut)
	}
	clk.advance(cutAt.Add(recoveryTime * 3 / 2).Sub(clk.now()))
	if r, _ := l.Rate(); r <= headroom*l.limit {
		t.Errorf("rate at 1.5x the recovery time after the cut = %v, want above %v (probing)", r, headroom*l.limit)
	}
}

func TestLimiter_aCutWithNothingServedStartsSlowly(t *testing.T) {
	// The first three requests are all refused: nothing says where the limit
	// is, so the cut takes the lowest rate and doubles it every second (slow
	// start) instead of holding it for the recovery time. The first refusal
	// ends the doubling.
	clk := newFakeClock()
	l := newLimiter(0, clk.now)
	refuseUntilCut(t, l, clk, 3)
	start, _ := l.Rate()
	if math.Abs(start-minRate) > 1e-9 {
		t.Fatalf("rate after a cut with nothing served = %v, want the lowest, %v", start, minRate)
	}
	clk.advance(3 * time.Second)
	if r, _ := l.Rate(); math.Abs(r-8*start) > 1e-9 {
		t.Fatalf("rate 3 s after the cut = %v, want %v (doubled every second)", r, 8*start)
	}
	waitN(t, l, clk, 8, l.answer)
	_ = l.wait(context.Background(), clk.sleep, false)
	cut := l.refuse(clk.now())
	if cut == 0 {
		t.Fatal("a refusal during the slow start did not end it")
	}
	clk.advance(3 * time.Second)
	if r, _ := l.Rate(); math.Abs(r-cut) > 1e-9 {
		t.Errorf("rate 3 s after the slow start ended = %v, want still %v until the recovery time", r, cut)
	}
}

func TestBeyondTrace(t *testing.T) {
	// The binomial tail of a service refusing 5% of requests at random,
	// against traceDoubt (2%).
	for _, tc := range []struct {
		k, n int
		want bool
	}{
		{1, 1, false},    // 5%
		{2, 2, true},     // 0.25%
		{2, 10, false},   // 8.6%
		{3, 10, true},    // 1.2%
		{10, 100, false}, // 2.8%
		{11, 100, true},  // 1.1%
		{1, 0, true},
	} {
		if got := beyondTrace(tc.k, tc.n); got != tc.want {
			t.Errorf("beyondTrace(%d, %d) = %v, want %v", tc.k, tc.n, got, tc.want)
		}
	}
}

func TestLimiter_ceiling(t *testing.T) {
	clk := newFakeClock()
	l := newLimiter(4, clk.now)
	waitN(t, l, clk, 9, nil)
	if len(clk.slept) != 8 {
		t.Fatalf("waits = %v, want 8 (the first request goes at once)", clk.slept)
	}
	for _, d := range clk.slept {
		if d != 250*time.Millisecond {
			t.Errorf("wait %v, want 250ms at 4 requests per second", d)
		}
	}
	// Long after a refusal the rate still stays at the ceiling.
	l.refuse(clk.now())
	clk.advance(time.Hour)
	if r, _ := l.Rate(); r != 4 {
		t.Errorf("rate an hour after a refusal = %v, want the ceiling 4", r)
	}
	// A retry spends its backoff, then waits for the next free slot.
	clk.slept = nil
	_ = l.wait(context.Background(), clk.sleep, false)
	_ = l.waitAfter(context.Background(), clk.sleep, 100*time.Millisecond, false)
	if len(clk.slept) != 2 || clk.slept[0] != 100*time.Millisecond || clk.slept[1] != 150*time.Millisecond {
		t.Errorf("a retry with a 100ms backoff right after a request waited %v, want [100ms 150ms] (its turn 250ms after the request)", clk.slept)
	}
}

func TestLimiter_waitEndsWithContext(t *testing.T) {
	clk := newFakeClock()
	l := newLimiter(1, clk.now)
	_ = l.wait(context.Background(), clk.sleep, false) // takes the first slot
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.wait(ctx, clk.sleep, false); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	// The abandoned slot was given back: the next request waits one interval, not two.
	clk.slept = nil
	_ = l.wait(context.Background(), clk.sleep, false)
	if len(clk.slept) != 1 || clk.slept[0] != time.Second {
		t.Errorf("next wait = %v, want 1s", clk.slept)
	}
}

// serverBucket is a token bucket like the emulator's RateLimit.
type serverBucket struct {
	rate, tokens float64
	last         time.Time
}

func (b *serverBucket) allow(now time.Time) bool {
	if !b.last.IsZero() {
		b.tokens = min(b.rate, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// serverWindow serves at most limit requests in any one second, like the
// emulator's RateWindow.
type serverWindow struct {
	limit  int
	served []time.Time
}

func (w *serverWindow) allow(now time.Time) bool {
	if len(w.served) == w.limit {
		if now.Sub(w.served[0]) < time.Second {
			return false
		}
		w.served = w.served[1:]
	}
	w.served = append(w.served, now)
	return true
}

func TestLimiter_underAServerLimit(t *testing.T) {
	// A client that starts with a burst of 10 requests and then always has a
	// request to send, against a server that accepts 8 per second and
	// refuses the rest; refused requests are retried after 250 ms. Over two
	// minutes few are refused, the first burst included, and the server
	// stays busy.
	for _, tc := range []struct {
		name   string
		server interface{ allow(time.Time) bool }
	}{
		{"token bucket", &serverBucket{rate: 8, tokens: 8}},
		{"sliding window", &serverWindow{limit: 8}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := newFakeClock()
			l := newLimiter(0, clk.now)
			var sent, refused, served int
			send := func(sentAt time.Time) bool {
				sent++
				if tc.server.allow(clk.now()) {
					served++
					l.answer()
					return true
				}
				refused++
				l.refuse(sentAt)
				return false
			}
			retries := 0
			waitN(t, l, clk, 10, nil)
			burstAt := clk.now()
			for range 10 {
				if !send(burstAt) {
					retries++
				}
			}
			end := clk.now().Add(2 * time.Minute)
			for clk.now().Before(end) {
				delay := time.Duration(0)
				if retries > 0 {
					retries--
					delay = 250 * time.Millisecond
				}
				if err := l.waitAfter(context.Background(), clk.sleep, delay, false); err != nil {
					t.Fatal(err)
				}
				if !send(clk.now()) {
					retries++
				}
				clk.advance(time.Millisecond) // the answer's round trip
			}
			share := float64(refused) / float64(sent)
			t.Logf("%d sent, %d refused (%.1f%%), %d served (%.1f/s)", sent, refused, 100*share, served, float64(served)/120)
			if share > 0.03 {
				t.Errorf("%.1f%% of requests refused, want <= 3%%", 100*share)
			}
			if perSecond := float64(served) / 120; perSecond < 6.5 {
				t.Errorf("served %.1f requests per second of the 8 allowed, want >= 6.5", perSecond)
			}
		})
	}
}

func TestClient_adaptsToRefusals(t *testing.T) {
	srv, cnt := server(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n >= 3 && n <= 5 {
			writeJSON(w, 200, `{"code":1005,"msg":"Too frequent"}`)
			return
		}
		writeJSON(w, 200, ok(`{"credit":3}`))
	})
	c, sleep := newClient(t, srv.URL, nil)
	for range 2 {
		if _, err := c.Credit(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if _, paced := c.limiter.Rate(); paced || len(sleep.all()) != 0 {
		t.Fatalf("paced before any refusal (waits %v)", sleep.all())
	}
	// The third request is refused three times in a row and retried; from
	// then on requests are paced.
	if _, err := c.Credit(context.Background()); err != nil {
		t.Fatal(err)
	}
	rate, paced := c.limiter.Rate()
	if want := headroom * 2; !paced || math.Abs(rate-want) > 1e-9 {
		t.Fatalf("after three refusals: rate %v, paced %v; want paced at %v: headroom times the 2 served", rate, paced, want)
	}
	before := len(sleep.all())
	if _, err := c.Credit(context.Background()); err != nil {
		t.Fatal(err)
	}
	waits := sleep.all()[before:]
	if len(waits) != 1 || waits[0] < 300*time.Millisecond {
		t.Errorf("the next request waited %v, want one wait of about 1/rate", waits)
	}
	if cnt.get(epCredit.path) != 7 {
		t.Errorf("requests = %d, want 7", cnt.get(epCredit.path))
	}
}

func TestClient_maxRequestsPerSecond(t *testing.T) {
	srv, _ := server(t, func(w http.ResponseWriter, _ *http.Request, _ int) { writeJSON(w, 200, ok(statusData(2))) })
	c, sleep := newClient(t, srv.URL, func(cfg *Config) { cfg.MaxRequestsPerSecond = 5 })
	for range 4 {
		if _, err := c.GetImage(context.Background(), testID); err != nil {
			t.Fatal(err)
		}
	}
	waits := sleep.all()
	if len(waits) != 3 {
		t.Fatalf("waits = %v, want 3 (the first request goes at once)", waits)
	}
	for _, d := range waits {
		// The fake sleep returns at once, so each request's slot is 200ms
		// after the last one's; less real time than that has passed.
		if d < 150*time.Millisecond || d > 200*time.Millisecond*time.Duration(len(waits)) {
			t.Errorf("wait %v, want about 200ms per request at 5 per second", d)
		}
	}

	// A request waiting for its slot stops when its context ends, and sends nothing.
	slow, cnt := server(t, func(w http.ResponseWriter, _ *http.Request, _ int) { writeJSON(w, 200, ok(statusData(2))) })
	c2, _ := newClient(t, slow.URL, func(cfg *Config) { cfg.MaxRequestsPerSecond = 0.5; cfg.Sleep = nil })
	if _, err := c2.GetImage(context.Background(), testID); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c2.CreateV3(ctx, CreateV3Request{Prompt: "p"})
	var uncertain *UncertainError
	if !errors.Is(err, context.DeadlineExceeded) || errors.As(err, &uncertain) {
		t.Errorf("err = %v, want a plain DeadlineExceeded (nothing was sent)", err)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("gave up after %v, want about 50ms", took)
	}
	if cnt.get(epCreateV3.path) != 0 {
		t.Errorf("the create was sent %d times, want 0", cnt.get(epCreateV3.path))
	}
}

func TestLimiter_sporadicRefusalsDoNotStarveTheClient(t *testing.T) {
	// A server that serves anything but refuses one request in ten, at
	// random, whatever the rate. The client cannot tell this from a limit
	// and slows down, but keeps headroom times half the rate it has seen
	// served instead of sinking to minRate.
	clk := newFakeClock()
	l := newLimiter(0, clk.now)
	rng := rand.New(rand.NewPCG(1, 2))
	var served int
	end := clk.now().Add(time.Minute)
	for clk.now().Before(end) {
		if err := l.wait(context.Background(), clk.sleep, false); err != nil {
			t.Fatal(err)
		}
		if rng.IntN(10) == 0 {
			l.refuse(clk.now())
		} else {
			served++
			l.answer()
		}
		clk.advance(50 * time.Millisecond) // one request at a time, 20 per second unpaced
	}
	rate, paced := l.Rate()
	if !paced || rate < headroom*floorShare*l.peakServed-1e-9 || l.peakServed < 5 {
		t.Errorf("after a minute of sporadic refusals: rate %.2f (paced %v), peak served %.0f; want >= %v of the peak", rate, paced, l.peakServed, headroom*floorShare)
	}
	if perSecond := float64(served) / 60; perSecond < 2 {
		t.Errorf("served %.1f requests per second, want >= 2", perSecond)
	}
}

func TestLimiter_transientRefusalsDoNotSlowTheClient(t *testing.T) {
	// A server without a limit that answers 2% of requests with a refusal
	// at random, as a busy service with transient faults does, to a client
	// whose requests take 40 ms each (25 a second). Over a minute the client
	// keeps most of its pace: only refusals while it probes above the pace
	// it last settled on slow it down, by a tenth.
	clk := newFakeClock()
	l := newLimiter(0, clk.now)
	rng := rand.New(rand.NewPCG(3, 4))
	var served, refused int
	end := clk.now().Add(time.Minute)
	for clk.now().Before(end) {
		if err := l.wait(context.Background(), clk.sleep, false); err != nil {
			t.Fatal(err)
		}
		if rng.IntN(50) == 0 {
			refused++
			l.refuse(clk.now())
		} else {
			served++
			l.answer()
		}
		clk.advance(40 * time.Millisecond)
	}
	t.Logf("%d served, %d refused", served, refused)
	if perSecond := float64(served) / 60; perSecond < 20 {
		t.Errorf("served %.1f requests per second of the 25 the client could send, want >= 20", perSecond)
	}
}
