package akool

import (
	"context"
	"math"
	"slices"
	"sync"
	"time"
)

// limiter is a Client's request budget, shared by every request the client
// sends (creates, reads, the token exchange, their retries). Akool answers
// 1005 (or HTTP 429) to an account that asks too often without saying how
// often is too often, so the limit is learned from its refusals:
//   - It starts with reads unlimited and paid requests (creates, button
//     presses) from startRate, doubling every second, or with every request
//     spaced at Config.MaxRequestsPerSecond. Paced, paid requests go first.
//   - Refusals cut the rate once they are more than a trace (refuse); a
//     refusal that does not cut holds the next request for its round trip.
//   - A cut takes what Akool served over the last second as the limit and
//     sends at headroom times it; after recoveryTime it probes above,
//     doubling the rate every probeDoubling.
//
// DESIGN.md ("The request budget") gives the reasons for each rule.
type limiter struct {
	mu  sync.Mutex
	now func() time.Time

	ceiling float64   // Config.MaxRequestsPerSecond; 0 = none
	paced   bool      // requests are spaced: from the start with a ceiling, else after the first cut
	next    time.Time // the earliest time the next request may go
	started time.Time // when the first paid or paced request asked for its turn; zero before
	queue   []*waiter // the requests waiting for their turn, in turn order

	cutAt time.Time // when the rate was last cut; zero before the first cut
	limit float64   // the limit learned at the last cut, requests per second

	sent, answered      window  // over the last second
	recentSent, refused window  // over the last evidenceTime
	peakServed          float64 // the most requests answered without a refusal in one second so far

	traced bool // refusals came since the last cut at headroom times its limit

	// Requests sent, and refused without a cut, while paced at or below the
	// learned limit: there a refusal is a fault, not the limit, so they
	// measure how often Akool refuses whatever the rate.
	belowSent, belowRefused int
}

const (
	refusalShare     = 0.05            // share of the requests of the last evidenceTime that must be refused for a cut
	minRefusals      = 2               // refusals a cut needs at least when paced from the start, or probing after a trace
	firstCutRefusals = 3               // refusals an unpaced client's first cut needs at least
	traceDoubt       = 0.02            // how likely a trace of refusalShare may be to refuse as many, for a first cut
	cutFactor        = 0.75            // share of the requests sent and not refused over the last second a cut keeps at least
	floorShare       = 0.5             // share of peakServed the limit is never cut below
	headroom         = 0.9             // share of the learned limit the client sends at
	recoveryTime     = 6 * time.Second // from a cut to the start of probing
	evidenceTime     = 5 * time.Second // the past over which refusals are weighed against what was sent
	minRate          = 0.5             // requests per second: the rate is never cut below this
	probeDoubling    = 3 * time.Second // probing doubles the rate this often
	maxHold          = time.Second     // the longest a refusal that did not cut holds the next request
	startRate        = 20.0            // paid requests per second at the start of an unpaced client, doubling every second
)

func newLimiter(ceiling float64, now func() time.Time) *limiter {
	if now == nil {
		now = time.Now
	}
	return &limiter{ceiling: max(ceiling, 0), paced: ceiling > 0, now: now,
		recentSent: window{span: evidenceTime}, refused: window{span: evidenceTime}}
}

// rateLocked is the current rate, in requests per second: of every request
// once paced, of paid requests before.
func (l *limiter) rateLocked(now time.Time) float64 {
	if !l.paced {
		// Only paid requests are paced before the first cut: from
		// startRate, doubling every second.
		return startRate * math.Exp2(max(now.Sub(l.started).Seconds(), 0))
	}
	rate := l.ceiling
	if !l.cutAt.IsZero() {
		r := headroom * l.limit
		since, k := now.Sub(l.cutAt).Seconds(), recoveryTime.Seconds()
		switch {
		case l.limit <= minRate/headroom:
			// The cut learned nothing (nothing was served): slow start.
			r *= math.Exp2(since)
		case since > k:
			r *= math.Exp2((since - k) / probeDoubling.Seconds())
		}
		if rate == 0 || r < rate {
			rate = r
		}
	}
	return max(rate, minRate)
}

// Rate reports the current rate in requests per second, and false while the
// client sends without pacing.
func (l *limiter) Rate() (float64, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.paced {
		return 0, false
	}
	return l.rateLocked(l.now()), true
}

// backlog is how long a read sent now would wait for its turn: 0 while
// the client sends without pacing or the budget has room.
func (l *limiter) backlog() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.paced {
		return 0
	}
	return l.turnIn(l.now(), len(l.queue))
}

// turnIn is how long from now a request with ahead requests waiting
// before it waits for its turn, at the current rate.
func (l *limiter) turnIn(now time.Time, ahead int) time.Duration {
	free := l.firstFree(now)
	return free.Sub(now) + time.Duration(ahead)*interval(l.rateLocked(free))
}

// firstFree is the earliest time from now that the next request may go.
func (l *limiter) firstFree(now time.Time) time.Time {
	if l.next.After(now) {
		return l.next
	}
	return now
}

// wait waits for the request's turn in the budget with sleep, which must
// return early with ctx's error when ctx ends. Requests take their turns
// in order, except that a paid request (a create or a button press, which
// starts a job) goes before the reads waiting with it: a job starts
// running at Akool only once its create is sent, while a read that waits
// longer only reads a job that has had longer to finish. A request whose
// ctx ends leaves the queue without a turn. A cut while a request waits
// sets its turn again at the new rate: the cut says that the old one was
// too fast.
func (l *limiter) wait(ctx context.Context, sleep func(context.Context, time.Duration) error, paid bool) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.paced && !paid {
		l.addSent(l.now())
		return ctx.Err()
	}
	if l.started.IsZero() {
		l.started = l.now()
	}
	w := &waiter{paid: paid}
	l.enqueue(w)
	defer l.dequeue(w)
	for {
		now := l.now()
		ahead := l.ahead(w)
		d := l.turnIn(now, ahead)
		if ahead == 0 && d <= 0 {
			l.take(now)
			return nil
		}
		// Sleep until the turn the queue gives now; reaching the head of
		// the queue sooner (a request ahead gave up) ends the sleep early.
		sctx, wake := context.WithCancel(ctx)
		w.wake = wake
		cut, booked := l.cutAt, l.next
		l.mu.Unlock()
		err := sleep(sctx, d)
		woken := sctx.Err() != nil
		wake()
		l.mu.Lock()
		w.wake = nil
		if ctx.Err() != nil {
			return ctx.Err()
		}
		// The turn slept for is still this request's unless a cut or
		// another request's turn (a paid one put ahead) came meanwhile.
		if err == nil && l.ahead(w) == 0 && l.cutAt.Equal(cut) && l.next.Equal(booked) {
			l.take(l.now())
			return nil
		}
		if err != nil && !woken {
			return err
		}
	}
}

// waiter is one request waiting for its turn.
type waiter struct {
	paid bool
	wake context.CancelFunc // ends its sleep; nil while it is not sleeping
}

// enqueue puts w in its place: after the paid requests already waiting
// when it is paid, else last.
func (l *limiter) enqueue(w *waiter) {
	at := len(l.queue)
	if w.paid {
		at = 0
		for at < len(l.queue) && l.queue[at].paid {
			at++
		}
	}
	l.queue = slices.Insert(l.queue, at, w)
}

// dequeue takes w out of the queue, and wakes the request that then heads
// it: its turn may have come.
func (l *limiter) dequeue(w *waiter) {
	i := slices.Index(l.queue, w)
	if i < 0 {
		return
	}
	l.queue = slices.Delete(l.queue, i, i+1)
	if i == 0 && len(l.queue) > 0 && l.queue[0].wake != nil {
		l.queue[0].wake()
	}
}

// ahead is how many requests wait before w.
func (l *limiter) ahead(w *waiter) int { return max(slices.Index(l.queue, w), 0) }

// take records a request that goes now, in the first free slot.
func (l *limiter) take(now time.Time) {
	slot := l.firstFree(now)
	l.next = slot.Add(interval(l.rateLocked(slot)))
	l.addSent(now)
}

// waitAfter is wait for a retry: it first spends the retry's backoff, then
// waits for its turn at that time, so that a retry never crowds the
// requests paced around it.
func (l *limiter) waitAfter(ctx context.Context, sleep func(context.Context, time.Duration) error, backoff time.Duration, paid bool) error {
	if backoff > 0 {
		if err := sleep(ctx, backoff); err != nil {
			return err
		}
	}
	return l.wait(ctx, sleep, paid)
}

func (l *limiter) addSent(now time.Time) {
	l.sent.add(now)
	l.recentSent.add(now)
	if l.paced && (l.cutAt.IsZero() || l.rateLocked(now) <= l.limit) {
		l.belowSent++
	}
}

// faultPrior is the requests without a refusal the fault share starts
// from, so that a few requests below the limit do not make it large.
const faultPrior = 100

// faultShare is the share of requests Akool refuses at a rate below its
// limit: transient faults.
func (l *limiter) faultShare() float64 {
	return float64(l.belowRefused) / float64(l.belowSent+faultPrior)
}

// answer records an answer that was not a refusal.
func (l *limiter) answer() {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.answered.add(now)
	l.peakServed = max(l.peakServed, float64(l.answered.count(now)))
}

// refuse records a refusal (code 1005 or HTTP 429) of a request sent at
// sentAt, and cuts the rate when the refusals call for it. It returns the
// new rate, or 0 when it did not cut.
func (l *limiter) refuse(sentAt time.Time) float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if !l.cutAt.IsZero() && sentAt.Before(l.cutAt) {
		return 0
	}
	l.refused.add(now)
	refusals := float64(l.refused.countAfter(now, l.cutAt))
	refusedLastSecond := l.refused.countAfter(now, now.Add(-time.Second))
	threshold := max(1, refusalShare*float64(l.recentSent.count(now)))
	probing := false
	switch {
	case l.cutAt.IsZero() && !l.paced:
		// Unpaced over a limit, most of what is sent is refused; a trace
		// among few requests can be a large share of them by chance.
		// And over a limit, every request is refused once the window is
		// full, so a third refusal comes at once where two among the first
		// few requests may well be faults.
		threshold = math.Inf(1)
		if beyondTrace(refusedLastSecond, l.sent.count(now)) || beyondTrace(int(refusals), l.recentSent.count(now)) {
			threshold = firstCutRefusals
		}
	case l.cutAt.IsZero():
		threshold = max(threshold, minRefusals)
	case l.rateLocked(now) > l.limit:
		// Probing above the limit Akool enforced last time. A fault
		// refuses as often at any rate, a limit the probe crossed more
		// and more often: refusals end the probe, without lowering that
		// limit, once the last second's are more than the faults seen
		// below the limit explain (with none seen, one refusal does).
		probing = true
		threshold = math.Inf(1)
		if beyondShare(refusedLastSecond, l.sent.count(now), l.faultShare()) {
			threshold = 1
			if l.traced {
				threshold = minRefusals
			}
		}
	case now.Sub(l.cutAt) < recoveryTime:
		l.traced = true
	}
	if refusals < threshold {
		if l.paced && !probing {
			l.belowRefused++
		}
		l.hold(now, now.Sub(sentAt))
		return 0
	}
	served, sent := float64(l.answered.count(now)), float64(l.sent.count(now))
	unrefused := sent - float64(refusedLastSecond)
	limit := max(served, cutFactor*unrefused, floorShare*l.peakServed, minRate/headroom)
	if probing {
		limit = max(limit, l.limit)
	}
	if l.ceiling > 0 {
		limit = min(limit, l.ceiling/headroom)
	}
	if !probing && !l.cutAt.IsZero() && limit >= l.limit {
		// Refused below a limit that what Akool served still holds up: a
		// trace. Cutting to the same limit would only restart the
		// recovery, and keep the client from ever probing.
		l.traced = true
		return 0
	}
	l.traced = false
	l.paced = true
	l.cutAt = now
	l.limit = limit
	// The requests sent over the last second may fill Akool's window (their
	// answers may not all be back): the next waits until fewer than the
	// limit of them are within a second.
	l.next = now.Add(interval(headroom * limit))
	if t, ok := l.sent.fewerThan(now, int(limit)); ok && t.After(l.next) {
		l.next = t
	}
	return l.rateLocked(now)
}

// hold keeps the next request for rt, the round trip of a refusal that
// did not cut: the answers to the requests sent within it are on their
// way and say whether Akool's limit or a fault refused it. On loopback
// that costs nothing; far from Akool it keeps a run from sending a round
// trip's worth more into a full window before it knows.
func (l *limiter) hold(now time.Time, rt time.Duration) {
	if until := now.Add(min(rt, maxHold)); until.After(l.next) {
		l.next = until
	}
}

// beyondTrace says whether k refusals among n requests are unlikely
// (below traceDoubt) from a service that refuses refusalShare of requests at
// random: the binomial tail P(X >= k).
func beyondTrace(k, n int) bool { return beyondShare(k, n, refusalShare) }

// beyondShare says whether k refusals among n requests are unlikely (below
// traceDoubt) from a service that refuses a share p of requests at random.
func beyondShare(k, n int, p float64) bool {
	if k > n {
		return true
	}
	if p <= 0 {
		return k > 0
	}
	term := math.Pow(1-p, float64(n)) // P(X = 0)
	below := 0.0                      // P(X < i)
	for i := range k {
		below += term
		term *= float64(n-i) / float64(i+1) * p / (1 - p)
	}
	return 1-below < traceDoubt
}

func interval(rate float64) time.Duration {
	return time.Duration(float64(time.Second) / rate)
}

// window counts events over the last span (a second when zero).
type window struct {
	span  time.Duration
	times []time.Time // in order; older than span are dropped
}

// windowLimit bounds the memory of a window; at more requests per span
// than this the count saturates, which is far above any rate Akool serves.
const windowLimit = 1024

func (w *window) add(t time.Time) {
	w.drop(t)
	if len(w.times) >= windowLimit {
		w.times = w.times[1:]
	}
	w.times = append(w.times, t)
}

func (w *window) count(now time.Time) int {
	w.drop(now)
	return len(w.times)
}

// countAfter counts the events of the last span after since, or all of them
// for a zero since.
func (w *window) countAfter(now, since time.Time) int {
	if since.IsZero() {
		return w.count(now)
	}
	w.drop(now)
	n := 0
	for _, t := range w.times {
		if t.After(since) {
			n++
		}
	}
	return n
}

// fewerThan is when fewer than n of the events of the last span will be
// within a span of the time, and false when fewer are already.
func (w *window) fewerThan(now time.Time, n int) (time.Time, bool) {
	w.drop(now)
	keep := max(n-1, 0)
	if len(w.times) <= keep {
		return time.Time{}, false
	}
	return w.times[len(w.times)-keep-1].Add(w.spanOrSecond()), true
}

func (w *window) drop(now time.Time) {
	cut := 0
	span := w.spanOrSecond()
	for cut < len(w.times) && now.Sub(w.times[cut]) >= span {
		cut++
	}
	if cut > 0 {
		w.times = append(w.times[:0], w.times[cut:]...)
	}
}

func (w *window) spanOrSecond() time.Duration {
	if w.span == 0 {
		return time.Second
	}
	return w.span
}
