package akool

import (
	"slices"
	"time"

	"github.com/akool-community/terraform-provider-akool/internal/bench"
)

type simResult struct {
	lags     []time.Duration // per job: from its end to the read that saw it
	reads    []int           // per job
	makespan time.Duration   // from the first create to the last detection
}

// simulate runs jobs through policy on a fake clock, parallel at a time like
// Terraform's -parallelism: a slot creates its next job createTime after it
// noticed the previous one end. No real time passes.
func simulate(policy PollPolicy, jobs []bench.Job, parallel int, createTime time.Duration) simResult {
	return simulateQueued(policy, jobs, parallel, createTime, nil)
}

// simBudget is a request budget that every create and read waits its turn
// in, first come first served, as the client's limiter paces requests.
type simBudget struct {
	gap       time.Duration // between turns
	free, now time.Time     // the next free turn; the time of the event at hand
}

// turn is when a request sent at at goes out.
func (b *simBudget) turn(at time.Time) time.Time {
	t := at
	if b.free.After(t) {
		t = b.free
	}
	b.free = t.Add(b.gap)
	return t
}

func (b *simBudget) backlog() time.Duration { return max(b.free.Sub(b.now), 0) }

// simulateQueued is simulate with every request waiting for its turn in
// budget, when not nil.
func simulateQueued(policy PollPolicy, jobs []bench.Job, parallel int, createTime time.Duration, budget *simBudget) simResult {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	type slot struct {
		job     int // index in jobs; -1 when idle
		created time.Time
		timer   PollTimer
		next    time.Time // the next read, or the next create when idle: when it is sent
		turn    time.Time // with a budget, when that request goes out; zero until it is sent
	}
	res := simResult{lags: make([]time.Duration, len(jobs)), reads: make([]int, len(jobs))}
	slots := make([]*slot, min(parallel, len(jobs)))
	for i := range slots {
		slots[i] = &slot{job: -1, next: base}
	}
	at := func(c *slot) time.Time { // the slot's next event
		if c.turn.IsZero() {
			return c.next
		}
		return c.turn
	}
	nextJob, done := 0, 0
	var last time.Time
	for done < len(jobs) {
		var s *slot
		for _, c := range slots {
			if (c.job >= 0 || nextJob < len(jobs)) && (s == nil || at(c).Before(at(s))) {
				s = c
			}
		}
		now := s.next
		if budget != nil {
			// A request sent takes its turn in the queue; one whose turn
			// came goes out.
			if budget.now = at(s); s.turn.IsZero() {
				s.turn = budget.turn(now)
				continue
			}
			now, s.turn = s.turn, time.Time{}
		}
		if s.job < 0 {
			s.job, nextJob = nextJob, nextJob+1
			s.created = now
			s.timer = policy.Follow("", now)
			s.next = now.Add(s.timer.Observe(now, StatusQueueing))
			continue
		}
		j := jobs[s.job]
		res.reads[s.job]++
		status := StatusCompleted
		switch age := now.Sub(s.created); {
		case age < j.Queue:
			status = StatusQueueing
		case age < j.Total():
			status = StatusProcessing
		}
		wait := s.timer.Observe(now, status)
		if status != StatusCompleted {
			s.next = now.Add(wait)
			continue
		}
		s.timer.Stop()
		// As Wait does: a sleeping job whose policy learned something plans again.
		for _, o := range slots {
			if o.job < 0 || o == s {
				continue
			}
			select {
			case <-o.timer.Changed():
				o.next = now.Add(o.timer.Replan(now))
			default:
			}
		}
		res.lags[s.job] = now.Sub(s.created.Add(j.Total()))
		done++
		last = now
		s.job, s.next = -1, now.Add(createTime)
	}
	res.makespan = last.Sub(base)
	return res
}

func quantile(ds []time.Duration, q float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[int(q*float64(len(s)-1)+0.5)]
}

func meanReads(r []int) float64 {
	sum := 0
	for _, n := range r {
		sum += n
	}
	return float64(sum) / float64(len(r))
}
