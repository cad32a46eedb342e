package akool

import (
	"math/rand/v2"
	"slices"
	"time"
)

// simJob is one synthetic job: how long it queues and processes.
type simJob struct{ queue, process time.Duration }

type simResult struct {
	lags     []time.Duration // per job: from its end to the read that saw it
	reads    []int           // per job
	makespan time.Duration   // from the first create to the last detection
}

// simulate runs jobs through policy on a fake clock, parallel at a time like
// Terraform's -parallelism: a slot creates its next job createTime after it
// noticed the previous one end. No real time passes.
func simulate(policy PollPolicy, jobs []simJob, parallel int, createTime time.Duration) simResult {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	type slot struct {
		job     int // index in jobs; -1 when idle
		created time.Time
		timer   PollTimer
		next    time.Time // the next read, or the next create when idle
	}
	res := simResult{lags: make([]time.Duration, len(jobs)), reads: make([]int, len(jobs))}
	slots := make([]*slot, min(parallel, len(jobs)))
	for i := range slots {
		slots[i] = &slot{job: -1, next: base}
	}
	nextJob, done := 0, 0
	var last time.Time
	for done < len(jobs) {
		var s *slot
		for _, c := range slots {
			if (c.job >= 0 || nextJob < len(jobs)) && (s == nil || c.next.Before(s.next)) {
				s = c
			}
		}
		now := s.next
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
		case age < j.queue:
			status = StatusQueueing
		case age < j.queue+j.process:
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
		res.lags[s.job] = now.Sub(s.created.Add(j.queue + j.process))
		done++
		last = now
		s.job, s.next = -1, now.Add(createTime)
	}
	res.makespan = last.Sub(base)
	return res
}

// uniformJobs draws n jobs whose total time is uniform in [lo, hi], of
// which 10-30% is queueing, from a fixed seed.
func uniformJobs(seed uint64, n int, lo, hi time.Duration) []simJob {
	rng := rand.New(rand.NewPCG(seed, seed^0x5bd1e995))
	jobs := make([]simJob, n)
	for i := range jobs {
		total := lo + time.Duration(rng.Float64()*float64(hi-lo))
		queue := time.Duration((0.1 + 0.2*rng.Float64()) * float64(total))
		jobs[i] = simJob{queue: queue, process: total - queue}
	}
	return jobs
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
