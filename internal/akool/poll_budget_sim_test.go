package akool

import (
	"context"
	"testing"
	"time"

	"github.com/akool-community/terraform-provider-akool/internal/bench"
)

// simulateBudget runs jobs through a learned policy and a budget of rate
// requests a second; the policy sees how long the queue is when aware is set.
func simulateBudget(seed uint64, jobs []bench.Job, parallel int, rate float64, aware bool) simResult {
	budget := &simBudget{gap: time.Duration(float64(time.Second) / rate)}
	p := newLearnedPoll(seed)
	if aware {
		p.budget = budget.backlog
	}
	return simulateQueued(p, jobs, parallel, 30*time.Millisecond, budget)
}

func TestLearnedPoll_saturatedBudgetSpendsReadsWell(t *testing.T) {
	// 240 jobs of 1-3 s, 20 at a time, through a budget of 18 requests a
	// second: the budget is the bottleneck about as much as the jobs are,
	// as in make bench's shared profile. The bound is one create and one
	// read per job at 18 a second, 26.7 s. Pricing a job's first read at
	// the wait in the queue reads fewer times and ends sooner than a policy
	// that reads as if reads were free (1.38-1.40 times the bound against
	// 1.49-1.51; 1.41 when every read was priced at the queue).
	const n, par, rate = 240, 20, 18
	bound := 2 * n * time.Second / rate
	for _, seed := range []uint64{1, 2} {
		jobs := bench.JobTimes(seed, n, time.Second, 3*time.Second)
		aware := simulateBudget(seed, jobs, par, rate, true)
		blind := simulateBudget(seed, jobs, par, rate, false)
		t.Logf("seed %d: aware %.1fs (%.2f of the bound), %.2f reads per job, median lag %.2fs; blind %.1fs (%.2f), %.2f reads per job",
			seed, aware.makespan.Seconds(), aware.makespan.Seconds()/bound.Seconds(), meanReads(aware.reads), quantile(aware.lags, 0.5).Seconds(),
			blind.makespan.Seconds(), blind.makespan.Seconds()/bound.Seconds(), meanReads(blind.reads))
		if aware.makespan > bound*145/100 || aware.makespan > blind.makespan*97/100 {
			t.Errorf("seed %d: %v aware of the queue, %v blind to it; want within 1.45 times the bound %v, and 0.97 times blind", seed, aware.makespan, blind.makespan, bound)
		}
		if meanReads(aware.reads) > 0.95*meanReads(blind.reads) {
			t.Errorf("seed %d: %.2f reads per job aware of the queue, %.2f blind; want a twentieth fewer", seed, meanReads(aware.reads), meanReads(blind.reads))
		}
	}
}

func TestLearnedPoll_roomyBudgetReadsAsBefore(t *testing.T) {
	// The short profile of make bench (40 jobs of 2-6 s, 10 at a time)
	// through a budget with room to spare, as with a generous ceiling: the
	// queue is about empty, and the lags and reads are those of a policy
	// that never looks at it, over eight seeds.
	var lagAware, lagBlind, readsAware, readsBlind float64
	for seed := range uint64(8) {
		jobs := bench.JobTimes(seed, 40, 2*time.Second, 6*time.Second)
		aware := simulateBudget(seed, jobs, 10, 1000, true)
		blind := simulateBudget(seed, jobs, 10, 1000, false)
		lagAware += quantile(aware.lags, 0.5).Seconds() / 8
		lagBlind += quantile(blind.lags, 0.5).Seconds() / 8
		readsAware += meanReads(aware.reads) / 8
		readsBlind += meanReads(blind.reads) / 8
	}
	t.Logf("median lag %.3fs aware of the queue, %.3fs blind; %.2f and %.2f reads per job", lagAware, lagBlind, readsAware, readsBlind)
	if lagAware > lagBlind*1.1 || readsAware > readsBlind*1.05 {
		t.Errorf("median lag %.3fs and %.2f reads per job aware of the queue, %.3fs and %.2f blind; want the same", lagAware, readsAware, lagBlind, readsBlind)
	}
}

func TestLimiter_backlog(t *testing.T) {
	clk := newFakeClock()
	free := newLimiter(0, clk.now)
	waitN(t, free, clk, 20, nil)
	if b := free.backlog(); b != 0 {
		t.Errorf("unpaced: backlog %v, want 0", b)
	}
	// Paced at 10 a second, five requests that took their slots at once
	// (their waits not over yet) leave the next one half a second to wait.
	paced := newLimiter(10, clk.now)
	for range 5 {
		if err := paced.wait(context.Background(), func(context.Context, time.Duration) error { return nil }, false); err != nil {
			t.Fatal(err)
		}
	}
	if b := paced.backlog(); b != 500*time.Millisecond {
		t.Errorf("paced, five slots taken: backlog %v, want 500ms", b)
	}
}

func TestNew_learnedPollSeesTheRequestBudget(t *testing.T) {
	c, err := New(Config{APIKey: "k", MaxRequestsPerSecond: 10})
	if err != nil {
		t.Fatal(err)
	}
	p, ok := c.poll.(*learnedPoll)
	if !ok || p.budget == nil {
		t.Fatalf("the default poll policy %T does not see the request budget", c.poll)
	}
	if b := p.budget(); b != 0 {
		t.Errorf("a new client's backlog is %v, want 0", b)
	}
}

func TestLearnedPoll_saturatedBudgetPricesTheFirstReadOnly(t *testing.T) {
	// With a second's wait in the budget's queue, the first read of a new
	// job is put off (priced at the queue), but a job already read running
	// is read again as with an idle budget: it is at the age where jobs
	// end, and waiting holds its place in the apply.
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	plan := func(queue time.Duration) (first, again time.Duration) {
		p := newLearnedPoll(1)
		p.budget = func() time.Duration { return queue }
		tm, ok := p.Follow("job", base).(*learnedTimer)
		if !ok {
			t.Fatal("the learned policy's timer is not a *learnedTimer")
		}
		jitter0 := func(tm *learnedTimer) { tm.spread = 1 }
		tm.Observe(base, StatusQueueing)
		jitter0(tm)
		first = tm.Replan(base)
		at := base.Add(2 * time.Second)
		tm.Observe(at, StatusProcessing)
		jitter0(tm)
		return first, tm.Replan(at)
	}
	idleFirst, idleAgain := plan(0)
	busyFirst, busyAgain := plan(time.Second)
	t.Logf("idle budget: first read after %v, again after %v; saturated: %v and %v", idleFirst, idleAgain, busyFirst, busyAgain)
	if busyFirst+time.Second < 2*idleFirst {
		t.Errorf("saturated, the first read goes out after %v in the queue + %v, want at least twice as late as with an idle budget (%v)", time.Second, busyFirst, idleFirst)
	}
	if busyAgain+time.Second > idleAgain+100*time.Millisecond {
		t.Errorf("saturated, a job read running is read again after %v + %v in the queue, want about as soon as with an idle budget (%v)", busyAgain, time.Second, idleAgain)
	}
}
