package akool

import (
	"context"
	"math"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/akool-community/terraform-provider-akool/internal/bench"
)

// The learned policy is tested on a fake clock with simulate (in
// poll_sim_test.go): synthetic jobs, Terraform-like parallelism, no real
// time. newLearnedPoll takes a seed, so every run reads at the same times.

// profileResult is the mean over several seeds of one profile.
type profileResult struct {
	p50, p95, reads, worstReads float64
}

func runProfile(t *testing.T, policy func(seed uint64) PollPolicy, n, parallel int, lo, hi time.Duration) profileResult {
	t.Helper()
	seeds := []uint64{1, 2, 3, 4, 5, 6, 7, 8}
	var r profileResult
	for _, seed := range seeds {
		res := simulate(policy(seed), bench.JobTimes(seed, n, lo, hi), parallel, 30*time.Millisecond)
		r.p50 += quantile(res.lags, 0.5).Seconds()
		r.p95 += quantile(res.lags, 0.95).Seconds()
		reads := meanReads(res.reads)
		r.reads += reads
		r.worstReads = max(r.worstReads, reads)
	}
	k := float64(len(seeds))
	r.p50, r.p95, r.reads = r.p50/k, r.p95/k, r.reads/k
	return r
}

func learned(seed uint64) PollPolicy { return newLearnedPoll(seed) }

func TestLearnedPoll_shortJobs(t *testing.T) {
	// 40 jobs of 2-6 s, 10 at a time.
	r := runProfile(t, learned, 40, 10, 2*time.Second, 6*time.Second)
	t.Logf("learned: median lag %.2fs, p95 %.2fs, %.1f reads per job", r.p50, r.p95, r.reads)
	if r.p50 > 0.45 || r.p95 > 1.0 || r.reads > 6 {
		t.Errorf("short jobs: median lag %.2fs, p95 %.2fs, %.1f reads per job; want <= 0.45s, <= 1s, <= 6", r.p50, r.p95, r.reads)
	}
	fixed := runProfile(t, func(uint64) PollPolicy { return FixedPoll(5 * time.Second) }, 40, 10, 2*time.Second, 6*time.Second)
	expo := runProfile(t, func(uint64) PollPolicy { return ExponentialPoll(500*time.Millisecond, 10*time.Second) }, 40, 10, 2*time.Second, 6*time.Second)
	t.Logf("fixed 5s: median lag %.2fs; exponential: %.2fs", fixed.p50, expo.p50)
	if r.p50*3 > fixed.p50 || r.p50*3 > expo.p50 {
		t.Errorf("median lag %.2fs is not a third of the fixed poll's %.2fs and the exponential's %.2fs", r.p50, fixed.p50, expo.p50)
	}
}

func TestLearnedPoll_longJobs(t *testing.T) {
	// 20 jobs of 8-20 s, all at once: nothing is learned before the first ends.
	r := runProfile(t, learned, 20, 20, 8*time.Second, 20*time.Second)
	t.Logf("learned: median lag %.2fs, p95 %.2fs, %.1f reads per job (worst seed %.1f)", r.p50, r.p95, r.reads, r.worstReads)
	if r.p50 > 1.2 || r.worstReads > 8 {
		t.Errorf("long jobs: median lag %.2fs, worst %.1f reads per job; want <= 1.2s, <= 8", r.p50, r.worstReads)
	}
}

func TestLearnedPoll_nothingLearned(t *testing.T) {
	// One job alone, the first of its client: it still gets a low lag.
	for _, total := range []time.Duration{400 * time.Millisecond, 3 * time.Second} {
		p := newLearnedPoll(1)
		res := simulate(p, []bench.Job{{Queue: total / 4, Process: total - total/4}}, 1, 0)
		if limit := total/2 + 400*time.Millisecond; res.lags[0] > limit || res.reads[0] > 5 {
			t.Errorf("a lone %v job: lag %v after %d reads; want <= %v and <= 5 reads", total, res.lags[0], res.reads[0], limit)
		}
	}
	// The first wait of a fresh job is short, whatever the jitter.
	for seed := range uint64(20) {
		timer := newLearnedPoll(seed).Follow(testID, time.Unix(0, 0))
		if d := timer.Observe(time.Unix(0, 0), StatusQueueing); d < 500*time.Millisecond || d > time.Second {
			t.Errorf("first wait of a fresh job = %v, want between 0.5s and 1s", d)
		}
		timer.Stop()
	}
}

func TestLearnedPoll_longJobIsReadEveryFewSeconds(t *testing.T) {
	// After learning that jobs take 2-3 s, a job that runs 10 minutes is
	// still read at least every maxInterval.
	jobs := bench.JobTimes(3, 20, 2*time.Second, 3*time.Second)
	jobs = append(jobs, bench.Job{Queue: time.Second, Process: 10 * time.Minute})
	p := newLearnedPoll(3)
	res := simulate(p, jobs, 5, 0)
	long := res.reads[len(jobs)-1]
	if least := int((10 * time.Minute) / maxInterval); long < least {
		t.Errorf("a 10-minute job was read %d times, want at least %d (every %v)", long, least, maxInterval)
	}
	if lag := res.lags[len(jobs)-1]; lag > maxInterval {
		t.Errorf("a 10-minute job was noticed %v after it ended, want <= %v", lag, maxInterval)
	}

	// Directly: every wait of an old job is at most maxInterval.
	base := time.Unix(0, 0)
	timer := p.Follow(testID, base)
	defer timer.Stop()
	for age := time.Duration(0); age < 30*time.Minute; age += 37 * time.Second {
		if d := timer.Observe(base.Add(age), StatusProcessing); d > maxInterval || d < minInterval {
			t.Fatalf("wait at age %v = %v, want within [%v, %v]", age, d, minInterval, maxInterval)
		}
	}
}

func TestLearnedPoll_queueingJobWaitsForTheShortestProcessing(t *testing.T) {
	p := newLearnedPoll(1)
	base := time.Unix(1000, 0)
	// Five jobs: 1 s queueing, then 3 s processing, read every 0.1 s.
	for i := range 5 {
		start := base.Add(time.Duration(i) * time.Minute)
		tm := p.Follow("", start)
		for at := time.Duration(0); ; at += 100 * time.Millisecond {
			st := StatusQueueing
			switch {
			case at >= 4*time.Second:
				st = StatusCompleted
			case at >= time.Second:
				st = StatusProcessing
			}
			tm.Observe(start.Add(at), st)
			if st == StatusCompleted {
				break
			}
		}
		tm.Stop()
	}
	if shortest, ok := p.process.shortest(); !ok || shortest < 2900*time.Millisecond || shortest > 3100*time.Millisecond {
		t.Fatalf("learned shortest processing time = %v, %v; want about 3s", shortest, ok)
	}

	// A job still queueing at 3.8 s, when the others were about to end,
	// cannot end before 80% of 3 s from now: no reads before that.
	start := base.Add(time.Hour)
	queued := p.Follow("", start)
	defer queued.Stop()
	queued.Observe(start, StatusQueueing)
	if d := queued.Observe(start.Add(3800*time.Millisecond), StatusQueueing); d < 2400*time.Millisecond {
		t.Errorf("a job queueing at 3.8s waits %v, want >= 2.4s (80%% of the shortest processing time)", d)
	}
	// A job that just started processing at the age jobs usually end is
	// read again soon, on the processing clock.
	processing := p.Follow("", start)
	defer processing.Stop()
	processing.Observe(start.Add(9900*time.Millisecond), StatusQueueing)
	processing.Observe(start.Add(10*time.Second), StatusProcessing)
	if d := processing.Observe(start.Add(12900*time.Millisecond), StatusProcessing); d > time.Second {
		t.Errorf("a job 2.9s into a 3s processing waits %v, want <= 1s", d)
	}
}

func TestLearnedPoll_aJobEndingReplansTheOthers(t *testing.T) {
	p := newLearnedPoll(1)
	base := time.Unix(0, 0)
	a, b := p.Follow("", base), p.Follow("", base)
	defer b.Stop()
	a.Observe(base, StatusQueueing)
	b.Observe(base, StatusQueueing)
	a.Observe(base.Add(2*time.Second), StatusProcessing)
	before := b.Observe(base.Add(2*time.Second), StatusProcessing)
	changed := b.Changed()
	select {
	case <-changed:
		t.Fatal("Changed is closed before anything was learned")
	default:
	}

	// a ends at 3 s: b (same age) should now expect to end soon too.
	a.Observe(base.Add(3*time.Second), StatusCompleted)
	a.Stop()
	select {
	case <-changed:
	default:
		t.Fatal("Changed was not closed when another job ended")
	}
	after := b.Replan(base.Add(3 * time.Second))
	if after >= before-time.Second {
		t.Errorf("after another job ended at b's age, b's next read is %v away, want well before the %v planned (from 2s)", after, before)
	}
	if next := b.Changed(); next == changed {
		t.Error("Replan did not move to a fresh Changed channel")
	}
}

func TestLearnedPoll_learnsOnlyFromJobsWithKnownCreation(t *testing.T) {
	p := newLearnedPoll(1)
	base := time.Unix(0, 0)
	tm := p.Follow(testID, time.Time{}) // a job from an earlier run
	tm.Observe(base, StatusProcessing)
	tm.Observe(base.Add(time.Second), StatusCompleted)
	tm.Stop()
	tm.Stop() // a second Stop changes nothing
	if len(p.total.past) != 0 || len(p.running) != 0 {
		t.Errorf("learned %d lifetimes and kept %d running from a job of unknown age; want none", len(p.total.past), len(p.running))
	}

	// A job given up at 5 s counts as lasting at least 5 s, not as an end.
	gave := p.Follow(testID, base)
	gave.Observe(base, StatusQueueing)
	gave.Observe(base.Add(5*time.Second), StatusProcessing)
	gave.Stop()
	if lt := p.total.past; len(lt) != 1 || lt[0].ended || lt[0].lo != 5 || lt[0].hi != 5 {
		t.Errorf("lifetimes = %+v, want one of 5s that did not end", p.total.past)
	}
}

func TestLearnedPoll_historyIsBounded(t *testing.T) {
	p := newLearnedPoll(1)
	base := time.Unix(0, 0)
	for i := range historySize + 50 {
		start := base.Add(time.Duration(i) * time.Minute)
		tm := p.Follow("", start)
		tm.Observe(start, StatusQueueing)
		tm.Observe(start.Add(time.Second), StatusCompleted)
		tm.Stop()
	}
	if len(p.total.past) != historySize || p.total.ended != historySize {
		t.Errorf("remembered %d lifetimes (%d ended), want %d", len(p.total.past), p.total.ended, historySize)
	}
}

func TestLearnedPoll_concurrentUse(t *testing.T) {
	// Run with -race: many waits share one policy.
	p := LearnedPoll()
	base := time.Now()
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for j := range 20 {
				start := base.Add(time.Duration(g*100+j) * time.Second)
				tm := p.Follow("", start)
				for k := range 10 {
					st := StatusProcessing
					if k == 9 {
						st = StatusCompleted
					}
					if d := tm.Observe(start.Add(time.Duration(k)*300*time.Millisecond), st); d < 0 || d > maxInterval {
						t.Errorf("wait %v outside [0, %v]", d, maxInterval)
					}
					_ = tm.Changed()
				}
				tm.Replan(start.Add(3 * time.Second))
				tm.Stop()
			}
		})
	}
	wg.Wait()
}

func TestFixedAndExponentialPoll(t *testing.T) {
	fixed := FixedPoll(5*time.Second).Follow(testID, time.Time{})
	for range 4 {
		if d := fixed.Observe(time.Now(), StatusProcessing); d != 5*time.Second {
			t.Errorf("fixed poll waited %v, want 5s", d)
		}
	}
	if fixed.Changed() != nil {
		t.Error("a fixed poll reports changes")
	}
	fixed.Stop()

	expo := ExponentialPoll(500*time.Millisecond, 10*time.Second).Follow(testID, time.Time{})
	want := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second}
	for i, w := range want {
		if d := expo.Observe(time.Now(), StatusQueueing); d != w {
			t.Errorf("exponential wait %d = %v, want %v", i, d, w)
		}
	}
	expo.Stop()
}

// replanTimer is a PollTimer whose Changed channel the test closes.
type replanTimer struct {
	mu      sync.Mutex
	changed chan struct{}
	first   time.Duration
	replan  time.Duration
	replans int
	created time.Time
	obs     []Status
}

func (r *replanTimer) Follow(_ string, created time.Time) PollTimer {
	r.created = created
	return r
}

func (r *replanTimer) Observe(_ time.Time, st Status) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.obs = append(r.obs, st)
	return r.first
}

func (r *replanTimer) Changed() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.changed
}

func (r *replanTimer) Replan(time.Time) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.replans++
	r.changed = make(chan struct{}) // nothing new until closed again
	return r.replan
}

func (r *replanTimer) Stop() {}

func TestWait_replansWhenThePolicyLearns(t *testing.T) {
	srv, cnt := server(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		writeJSON(w, 200, ok(statusData([]int{2, 3}[min(n, 2)-1])))
	})
	policy := &replanTimer{changed: make(chan struct{}), first: time.Hour, replan: 10 * time.Millisecond}
	c, _ := newClient(t, srv.URL, func(cfg *Config) { cfg.Sleep, cfg.Poll = nil, policy }) // real sleeps

	go func() {
		time.Sleep(50 * time.Millisecond)
		policy.mu.Lock()
		close(policy.changed)
		policy.mu.Unlock()
	}()
	start := time.Now()
	img, err := c.Wait(context.Background(), testID, nil)
	if err != nil || img.Status != StatusCompleted {
		t.Fatalf("img = %+v, err = %v", img, err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("Wait took %v: it slept the hour-long wait instead of planning again", took)
	}
	if policy.replans != 1 || cnt.get(epImage.path) != 2 {
		t.Errorf("replans = %d, reads = %d; want 1 and 2", policy.replans, cnt.get(epImage.path))
	}
}

func TestWait_jobCreatedByTheClient(t *testing.T) {
	srv, cnt := server(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if r.URL.Path == epCreateV3.path {
			writeJSON(w, 200, ok(v3CreateData))
			return
		}
		writeJSON(w, 200, ok(statusData(3)))
	})
	policy := &pollRecorder{wait: 1234 * time.Millisecond}
	c, sleep := newClient(t, srv.URL, func(cfg *Config) { cfg.Poll = policy })
	before := time.Now()
	created, err := c.CreateV3(context.Background(), CreateV3Request{Prompt: "p"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Wait(context.Background(), created.ID, nil); err != nil {
		t.Fatal(err)
	}
	// The policy learned the creation time and the create answer's status,
	// and the first read waited for the policy instead of going at once.
	if len(policy.follows) != 1 || policy.follows[0].Before(before) || policy.follows[0].After(time.Now()) {
		t.Errorf("Follow got created = %v, want the time of the create answer", policy.follows)
	}
	if want := []Status{StatusQueueing, StatusCompleted}; len(policy.statuses) != 2 || policy.statuses[0] != want[0] || policy.statuses[1] != want[1] {
		t.Errorf("policy saw %v, want %v", policy.statuses, want)
	}
	waits := sleep.all()
	if len(waits) != 1 || waits[0] <= time.Second || waits[0] > 1234*time.Millisecond {
		t.Errorf("waits = %v, want one of just under 1.234s before the first read", waits)
	}
	if cnt.get(epImage.path) != 1 {
		t.Errorf("reads = %d, want 1", cnt.get(epImage.path))
	}

	// Waiting again for the same job (a later run) reads at once.
	if _, err := c.Wait(context.Background(), created.ID, nil); err != nil {
		t.Fatal(err)
	}
	if len(policy.follows) != 2 || !policy.follows[1].IsZero() || len(sleep.all()) != 1 {
		t.Errorf("second Wait: follows %v, waits %v; want an unknown creation and no wait", policy.follows, sleep.all())
	}
}

func TestCreatedJobs_dropsStaleEntries(t *testing.T) {
	var c createdJobs
	old := time.Unix(0, 0)
	for i := range createdJobsLimit {
		c.add(string(rune('a'+i%26))+time.Duration(i).String(), old, StatusQueueing)
	}
	c.add("fresh", old.Add(2*time.Hour), StatusQueueing)
	if len(c.jobs) != 1 {
		t.Errorf("kept %d entries after a full map of hour-old ones, want only the fresh one", len(c.jobs))
	}
	if at, st, ok := c.take("fresh"); !ok || !at.Equal(old.Add(2*time.Hour)) || st != StatusQueueing {
		t.Errorf("take = %v, %v, %v", at, st, ok)
	}
	if _, _, ok := c.take("fresh"); ok {
		t.Error("take returned an entry twice")
	}
}

func TestLifetime_endSpreadOverItsBracket(t *testing.T) {
	lt := lifetime{lo: 2, hi: 4, ended: true} // seen running at 2 s, ended at 4 s
	tests := []struct {
		lo, hi, want float64
	}{
		{2, 4, 1}, {0, 10, 1}, {3, 4, 0.5}, {1, 2.5, 0.25}, {4, 5, 0}, {0, 2, 0},
	}
	for _, tt := range tests {
		if got := lt.endsIn(tt.lo, tt.hi); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("endsIn(%v, %v) = %v, want %v", tt.lo, tt.hi, got, tt.want)
		}
	}
	point := lifetime{lo: 3, hi: 3, ended: true}
	if point.endsIn(2.9, 3.1) != 1 || point.endsIn(3.1, 4) != 0 {
		t.Error("an end seen at once does not count as a point")
	}
	if gave := (lifetime{lo: 3, hi: 3}); gave.endsIn(0, 10) != 0 {
		t.Error("a job that was given up counts as an end")
	}
}
