package akool

import (
	"context"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"
)

// queued waits until n requests wait for their turn in l.
func queued(t *testing.T, l *limiter, n int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		l.mu.Lock()
		got := len(l.queue)
		l.mu.Unlock()
		if got == n {
			return
		}
	}
	t.Fatalf("%d requests never waited together", n)
}

func TestLimiter_aPaidRequestGoesBeforeWaitingReads(t *testing.T) {
	// Paced at 5 a second, with the next turn taken: two reads wait, then
	// a create. The create starts a job, so it goes first.
	l := newLimiter(5, nil)
	if err := l.wait(context.Background(), sleepContext, false); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var order []string
	var at []time.Time
	var wg sync.WaitGroup
	send := func(name string, paid bool) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := l.wait(context.Background(), sleepContext, paid); err != nil {
				t.Error(err)
			}
			mu.Lock()
			order = append(order, name)
			at = append(at, time.Now())
			mu.Unlock()
		}()
	}
	send("read 1", false)
	queued(t, l, 1)
	send("read 2", false)
	queued(t, l, 2)
	send("create", true)
	wg.Wait()
	if len(order) != 3 || order[0] != "create" || order[1] != "read 1" {
		t.Fatalf("turns went to %v, want the create first, then the reads in their order", order)
	}
	// The read put behind the create still waits a turn after it.
	for i := 1; i < len(at); i++ {
		if gap := at[i].Sub(at[i-1]); gap < 150*time.Millisecond {
			t.Errorf("%s went %v after %s, want a turn (200ms) apart", order[i], gap, order[i-1])
		}
	}
}

func TestLimiter_aRequestThatGivesUpHandsItsTurnOn(t *testing.T) {
	// Paced at 5 a second: a read waits for the next turn, a second read
	// for the one after. The first gives up; the second goes at the first's
	// turn, not a turn later.
	l := newLimiter(5, nil)
	if err := l.wait(context.Background(), sleepContext, false); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	ctx, cancel := context.WithCancel(context.Background())
	first := make(chan error, 1)
	go func() { first <- l.wait(ctx, sleepContext, false) }()
	queued(t, l, 1)
	second := make(chan time.Duration, 1)
	go func() {
		if err := l.wait(context.Background(), sleepContext, false); err != nil {
			t.Error(err)
		}
		second <- time.Since(start)
	}()
	queued(t, l, 2)
	cancel()
	if err := <-first; err == nil {
		t.Error("the read that gave up got a turn")
	}
	if took := <-second; took > 330*time.Millisecond {
		t.Errorf("the second read went after %v, want at the first's turn (200ms)", took)
	}
}

func TestLimiter_paidRequestsStartSlowly(t *testing.T) {
	// Before anything is refused, reads go at once, but creates start at
	// 20 a second, doubling every second: several applies that start
	// together on one account learn its limit from a few refusals each
	// instead of sending fifty creates apiece into it at once.
	clk := newFakeClock()
	l := newLimiter(0, clk.now)
	start := clk.now()
	for range 20 {
		if err := l.wait(context.Background(), clk.sleep, false); err != nil {
			t.Fatal(err)
		}
	}
	if took := clk.now().Sub(start); took != 0 {
		t.Errorf("20 reads took %v, want no wait", took)
	}
	count := func(d time.Duration) int {
		n := 0
		for end := clk.now().Add(d); clk.now().Before(end); n++ {
			if err := l.wait(context.Background(), clk.sleep, true); err != nil {
				t.Fatal(err)
			}
		}
		return n
	}
	first, second := count(time.Second), count(time.Second)
	t.Logf("creates sent: %d in the first second, %d in the next", first, second)
	if first < 25 || first > 33 || second < 2*first-8 || second > 2*first+8 {
		t.Errorf("creates sent: %d in the first second and %d in the next, want about 30 and twice as many", first, second)
	}
}

// startTogether plays clients applies that start at once against one
// account serving 50 requests in any second: each has 50 creates to send
// at the start, and sends a refused one again 0.25-0.5 s later, in steps
// of a millisecond until every create is served. It returns the refusals
// and each client's learned limit (0 when it never cut).
func startTogether(clients int) (refused int, limits []float64) {
	rng := rand.New(rand.NewPCG(7, 7))
	clk := newFakeClock()
	server := &serverWindow{limit: 50}
	notYet := func(_ context.Context, d time.Duration) error {
		if d > 0 {
			return context.Canceled // not this step; the create tries again next step
		}
		return nil
	}
	ls := make([]*limiter, clients)
	next := make([][]time.Time, clients) // when each create may be sent
	served := make([][]bool, clients)
	for c := range ls {
		ls[c] = newLimiter(0, clk.now)
		next[c] = make([]time.Time, 50)
		served[c] = make([]bool, 50)
	}
	for left := clients * 50; left > 0; clk.advance(time.Millisecond) {
		now := clk.now()
		for _, c := range rng.Perm(clients) {
			for w, at := range next[c] {
				if served[c][w] || at.After(now) {
					continue
				}
				if ls[c].wait(context.Background(), notYet, true) != nil {
					break
				}
				if !server.allow(now) {
					refused++
					ls[c].refuse(now)
					next[c][w] = now.Add(time.Duration((0.25 + 0.25*rng.Float64()) * float64(time.Second)))
					continue
				}
				ls[c].answer()
				served[c][w] = true
				left--
			}
		}
	}
	for _, l := range ls {
		limits = append(limits, l.limit)
	}
	return refused, limits
}

func TestLimiter_appliesStartingTogetherAreRefusedAFewTimesEach(t *testing.T) {
	// Four applies at -parallelism=50 start together on an account that
	// serves 50 requests a second. Sent at once, the creates of the first
	// apply fill the account's window and it learns nearly all of it, the
	// others a request a second (seen: 47, 1, 1, 1); and over a real
	// network, all 200 are on their way before the first refusal comes
	// back. Starting slowly, each is refused a few times and they learn
	// shares of about the same size.
	for _, clients := range []int{1, 4} {
		refused, limits := startTogether(clients)
		t.Logf("%d applies: %d creates refused; limits learned %.1f", clients, refused, limits)
		if refused > 8*clients {
			t.Errorf("%d applies: %d creates refused, want at most %d", clients, refused, 8*clients)
		}
		if clients > 1 && slices.Max(limits) > 2.5*slices.Min(limits) {
			t.Errorf("limits learned %.1f: the largest share is more than 2.5 times the smallest", limits)
		}
	}
}

func TestLimiter_aRefusalHoldsTheNextRequestForItsRoundTrip(t *testing.T) {
	// A refusal that does not cut, of a request sent 250 ms ago, keeps the
	// next request back for 250 ms: the answers of the requests sent
	// within that round trip are on their way and say whether it was the
	// limit. On loopback it keeps nothing back.
	for _, rt := range []time.Duration{0, 250 * time.Millisecond} {
		clk := newFakeClock()
		l := newLimiter(0, clk.now)
		if err := l.wait(context.Background(), clk.sleep, true); err != nil {
			t.Fatal(err)
		}
		sent := clk.now()
		clk.advance(rt)
		if rate := l.refuse(sent); rate != 0 {
			t.Fatalf("round trip %v: one refusal cut the rate to %v", rt, rate)
		}
		before := clk.now()
		if err := l.wait(context.Background(), clk.sleep, true); err != nil {
			t.Fatal(err)
		}
		if waited := clk.now().Sub(before); waited < rt || waited > rt+interval(startRate) {
			t.Errorf("round trip %v: the next create waited %v, want the round trip", rt, waited)
		}
	}
}
