package emulator

import (
	"slices"
	"strings"
	"time"
)

// JobStat is what the emulator knows about one job's timing, for measuring
// how quickly a client notices that a job has ended. Times are on the
// emulator's Clock.
type JobStat struct {
	ID             string
	Prompt         string        // the prompt as sent (for a button job, its parent's)
	Created        time.Time     // when the create request was accepted
	Queue, Process time.Duration // time in status 1, then in status 2
	Ended          time.Time     // Created + Queue + Process: when the status became 3 (or 4)
	Reads          int           // infobymodelid answers about this job (not counting faults, refusals or 1008)
	EndedRead      time.Time     // when infobymodelid first answered the final status; zero if it never did
}

// Lag is the time from the job's end to the first read that saw it; ok is
// false when no read saw it.
func (s JobStat) Lag() (lag time.Duration, ok bool) {
	if s.EndedRead.IsZero() {
		return 0, false
	}
	return s.EndedRead.Sub(s.Ended), true
}

// JobStats returns the timing of every job created so far, oldest first.
func (e *Emulator) JobStats() []JobStat {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]JobStat, 0, len(e.jobs))
	for _, j := range e.jobs {
		out = append(out, JobStat{
			ID:        j.id,
			Prompt:    j.originPrompt,
			Created:   j.created,
			Queue:     j.queue,
			Process:   j.process,
			Ended:     j.created.Add(j.queue + j.process),
			Reads:     j.reads,
			EndedRead: j.endedRead,
		})
	}
	slices.SortFunc(out, func(a, b JobStat) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

// noteRead counts one infobymodelid answer about j at now. The caller holds e.mu.
func (j *job) noteRead(now time.Time) {
	j.reads++
	if j.endedRead.IsZero() && j.status(now) >= 3 {
		j.endedRead = now
	}
}
