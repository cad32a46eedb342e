package emulator_test

import (
	"testing"
	"time"

	"github.com/akool-community/terraform-provider-akool/internal/emulator"
)

func TestJobStats_timesEveryJob(t *testing.T) {
	e := start(t, emulator.Options{
		JobTime: func(prompt string) (time.Duration, time.Duration) {
			if prompt == "slow" {
				return 2 * time.Minute, 3 * time.Minute
			}
			return time.Minute, time.Minute
		},
	})
	fast := e.createV3(map[string]any{"prompt": "fast"})
	slow := e.createV3(map[string]any{"prompt": "slow"})

	// Two reads while both run, then the clock passes the fast job's end.
	e.job(fast.ID)
	e.job(slow.ID)
	e.emu.Clock().Advance(2*time.Minute + time.Second)
	if got := e.job(fast.ID); got.ImageStatus != 3 {
		t.Fatalf("fast job status = %d, want 3", got.ImageStatus)
	}
	e.job(fast.ID) // a second read after the end does not move EndedRead
	e.job(slow.ID)

	stats := e.emu.JobStats()
	if len(stats) != 2 {
		t.Fatalf("JobStats returned %d jobs, want 2", len(stats))
	}
	f, s := stats[0], stats[1]
	if f.ID != fast.ID || s.ID != slow.ID {
		t.Fatalf("JobStats order = %s, %s; want the fast job (created first), then the slow one", f.ID, s.ID)
	}
	if f.Prompt != "fast" || f.Queue != time.Minute || f.Process != time.Minute || !f.Ended.Equal(f.Created.Add(2*time.Minute)) {
		t.Errorf("fast job stat = %+v, want prompt fast, 1m queue, 1m process, ended 2m after creation", f)
	}
	if f.Reads != 3 {
		t.Errorf("fast job reads = %d, want 3", f.Reads)
	}
	lag, ok := f.Lag()
	if !ok || lag < time.Second || lag > time.Second+30*time.Second {
		t.Errorf("fast job lag = %v (seen %v), want about the 1s the clock passed its end by", lag, ok)
	}
	firstSeen := f.EndedRead
	if firstSeen.IsZero() {
		t.Fatal("fast job EndedRead is zero after a read saw it completed")
	}
	e.job(fast.ID)
	if again := e.emu.JobStats()[0]; !again.EndedRead.Equal(firstSeen) || again.Reads != 4 {
		t.Errorf("after one more read EndedRead = %v, reads = %d; want %v unchanged and 4 reads", again.EndedRead, again.Reads, firstSeen)
	}

	if s.Reads != 2 || !s.EndedRead.IsZero() {
		t.Errorf("slow job reads = %d, EndedRead = %v; want 2 reads and no end seen", s.Reads, s.EndedRead)
	}
	if _, ok := s.Lag(); ok {
		t.Error("slow job Lag reports a lag although no read saw it end")
	}
}

func TestJobStats_faultedReadsDoNotCount(t *testing.T) {
	e := start(t, emulator.Options{Faults: emulator.Faults{ReadRate: 1, ReadKinds: []emulator.FaultKind{emulator.FaultHTTP500}}})
	job := e.createV3(map[string]any{"prompt": "p"})
	e.finish()
	rep, err := e.request("GET", pathInfo+"?image_model_id="+job.ID, nil, "x-api-key", testKey)
	if err != nil || rep.status != 500 {
		t.Fatalf("faulted read answered %+v, %v; want HTTP 500", rep, err)
	}
	st := e.emu.JobStats()
	if len(st) != 1 || st[0].Reads != 0 || !st[0].EndedRead.IsZero() {
		t.Errorf("stats = %+v, want one job with no read counted", st)
	}
}
