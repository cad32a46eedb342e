package akool

import (
	"context"
	"sync"
	"time"
)

// limiter is a Client's request budget, shared by every request the client
// sends (creates, reads, the token exchange, their retries). Akool answers
// 1005 (or HTTP 429) to an account that asks too often without saying how
// often is too often, so the rate is learned from its refusals, as the AWS
// SDKs' "adaptive" retry mode does:
//   - It starts unlimited, or at Config.MaxRequestsPerSecond, never above it.
//   - A refusal cuts it to cutFactor times the rate Akool served over the last
//     second (at most cutFactor², 44%, off the rate in use; one burst is one
//     cut), never below half the most Akool has answered in one second, so
//     sporadic refusals while sending little cannot starve the client.
//   - It then recovers along a cubic curve (TCP CUBIC): back to the refused
//     rate after recoveryTime, flat around it, then probing above it.
//
// Each request waits for its slot (1/rate apart) until ctx ends; a retry
// takes a slot but keeps its own backoff, and the requests behind it wait.
type limiter struct {
	mu  sync.Mutex
	now func() time.Time

	ceiling float64   // Config.MaxRequestsPerSecond; 0 = none
	paced   bool      // requests are spaced: from the start with a ceiling, else after the first refusal
	next    time.Time // the earliest time the next request may go

	cutAt   time.Time // when the rate was last cut; zero before the first cut
	cutTo   float64   // the rate right after the cut
	refused float64   // the rate that was refused: the rate recovers to it

	sent, answered window  // requests sent, and answered without a refusal, over the last second
	peakServed     float64 // the most requests answered without a refusal in one second so far
}

const (
	cutFactor    = 0.75            // share of the served rate kept after a refusal
	floorShare   = 0.5             // share of peakServed the rate is never cut below
	recoveryTime = 6 * time.Second // from a cut back to the refused rate
	minRate      = 0.5             // requests per second: the rate is never cut below this
)

func newLimiter(ceiling float64, now func() time.Time) *limiter {
	if now == nil {
		now = time.Now
	}
	return &limiter{ceiling: max(ceiling, 0), paced: ceiling > 0, now: now}
}

// rateLocked is the current rate, in requests per second, of a paced limiter.
func (l *limiter) rateLocked(now time.Time) float64 {
	rate := l.ceiling
	if !l.cutAt.IsZero() {
		// The cubic through cutTo at the cut, flat at refused after
		// recoveryTime: r(t) = refused + (refused-cutTo) * ((t-K)/K)^3.
		k := recoveryTime.Seconds()
		x := (now.Sub(l.cutAt).Seconds() - k) / k
		r := l.refused + (l.refused-l.cutTo)*x*x*x
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

// wait takes the next slot and waits for it with sleep, which must return
// early with ctx's error when ctx ends; the slot is then given back if no
// later request has taken one since.
func (l *limiter) wait(ctx context.Context, sleep func(context.Context, time.Duration) error) error {
	l.mu.Lock()
	now := l.now()
	if !l.paced {
		l.sent.add(now)
		l.mu.Unlock()
		return ctx.Err()
	}
	slot := l.next
	if slot.Before(now) {
		slot = now
	}
	l.next = slot.Add(interval(l.rateLocked(slot)))
	taken := l.next
	l.mu.Unlock()

	if d := slot.Sub(now); d > 0 {
		if err := sleep(ctx, d); err != nil {
			l.mu.Lock()
			if l.next.Equal(taken) {
				l.next = slot
			}
			l.mu.Unlock()
			return err
		}
	}
	l.mu.Lock()
	l.sent.add(l.now())
	l.mu.Unlock()
	return nil
}

// charge takes a slot for a retry that is sent now, without waiting.
func (l *limiter) charge() {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.sent.add(now)
	if !l.paced {
		return
	}
	slot := l.next
	if slot.Before(now) {
		slot = now
	}
	l.next = slot.Add(interval(l.rateLocked(slot)))
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
// sentAt, and cuts the rate unless a cut already happened after it was
// sent. It returns the new rate, or 0 when it did not cut.
func (l *limiter) refuse(sentAt time.Time) float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if !l.cutAt.IsZero() && sentAt.Before(l.cutAt) {
		return 0
	}
	current := float64(l.sent.count(now))
	if l.paced {
		current = l.rateLocked(now)
	}
	// What Akool served is the better guess of its limit, unless it is
	// implausibly low beside what was sent (the first second of a client,
	// or refusals that have nothing to do with the rate).
	if served := float64(l.answered.count(now)); served < current {
		current = max(served, cutFactor*current)
	}
	current = max(current, minRate)
	l.paced = true
	l.cutAt = now
	l.refused = current
	l.cutTo = max(cutFactor*current, floorShare*l.peakServed, minRate)
	l.refused = max(l.refused, l.cutTo)
	// The next request waits its turn at the new rate.
	l.next = now.Add(interval(l.cutTo))
	return l.cutTo
}

func interval(rate float64) time.Duration {
	return time.Duration(float64(time.Second) / rate)
}

// window counts events over the last second.
type window struct {
	times []time.Time // in order; older than a second are dropped
}

// windowLimit bounds the memory of a window; at more requests per second
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

func (w *window) drop(now time.Time) {
	cut := 0
	for cut < len(w.times) && now.Sub(w.times[cut]) >= time.Second {
		cut++
	}
	if cut > 0 {
		w.times = append(w.times[:0], w.times[cut:]...)
	}
}
