package akool

import (
	"math"
	"math/rand/v2"
	"sync"
	"time"
)

// PollPolicy decides when Wait reads a job again. A Client keeps one policy
// for all its waits, which run concurrently, so a policy must be safe for
// concurrent use; it may learn from every job it follows.
type PollPolicy interface {
	// Follow starts following one job. created is when the job was created,
	// as this client saw it (the moment Akool's create answer arrived), or
	// the zero time when the client did not create it (a job from an earlier
	// run that is being waited for again).
	Follow(id string, created time.Time) PollTimer
}

// PollTimer decides the reads of one job. Wait calls it from one goroutine.
type PollTimer interface {
	// Observe records that the job was in status at the given time (a read,
	// or the create answer) and returns how long to wait before the next
	// read. The answer is ignored once status is terminal.
	Observe(at time.Time, status Status) time.Duration
	// Changed returns a channel that is closed when the policy learns
	// something, after the last Observe or Replan, that may change the
	// current wait; nil when it never does.
	Changed() <-chan struct{}
	// Replan returns the wait, from now, before the next read, planned
	// again from the last observation with what the policy knows now.
	Replan(now time.Time) time.Duration
	// Stop ends the following; Wait calls it exactly once, whatever the outcome.
	Stop()
}

// FixedPoll reads every interval, as providers that poll at a fixed pace do.
// It exists to compare strategies; LearnedPoll is the default.
func FixedPoll(interval time.Duration) PollPolicy {
	return schedulePoll(func(int) time.Duration { return interval })
}

// ExponentialPoll waits first, then doubles the wait after every read up to
// limit, as providers with exponential backoff do. It exists to compare
// strategies; LearnedPoll is the default.
func ExponentialPoll(first, limit time.Duration) PollPolicy {
	return schedulePoll(func(n int) time.Duration {
		d := first
		for i := 0; i < n && d < limit; i++ {
			d *= 2
		}
		return min(d, limit)
	})
}

// schedulePoll is a policy whose n-th wait (from 0) for a job depends on n only.
type schedulePoll func(n int) time.Duration

func (s schedulePoll) Follow(string, time.Time) PollTimer { return &scheduleTimer{next: s} }

type scheduleTimer struct {
	next schedulePoll
	n    int
}

func (t *scheduleTimer) Observe(time.Time, Status) time.Duration {
	d := t.next(t.n)
	t.n++
	return d
}

func (t *scheduleTimer) Changed() <-chan struct{}       { return nil }
func (t *scheduleTimer) Replan(time.Time) time.Duration { return 0 }
func (t *scheduleTimer) Stop()                          {}

// LearnedPoll returns the policy Wait uses when Config.Poll is nil; that
// one also sees the client's request budget, and reads less often while it
// is saturated (DESIGN.md, "A saturated request budget"). Each Client gets
// its own, shared by all its waits: in Terraform, one provider
// process is one plan or apply, so the policy learns from the jobs of the
// same apply.
//
// It reads a running job when the detection lag that waiting longer would
// risk is worth more than a read, learning from the jobs seen so far when
// jobs tend to end; every wait stays between 0.25 s and 3 s. DESIGN.md
// (section "Polling") gives the reasoning behind the rule and its tuning.
func LearnedPoll() PollPolicy {
	return newLearnedPoll(rand.Uint64())
}

func newLearnedPoll(seed uint64) *learnedPoll {
	return &learnedPoll{
		running: make(map[*learnedTimer]struct{}),
		news:    make(chan struct{}),
		rng:     rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
	}
}

// Tuning of LearnedPoll; DESIGN.md says what each does. They were
// chosen by simulating the policy on synthetic jobs (see poll_test.go).
var (
	costShare     = 0.015 // a read is worth this share of the job's age in expected lag
	costFloor     = 4.0   // seconds: younger jobs are priced as if this old
	minInterval   = 250 * time.Millisecond
	maxInterval   = 3 * time.Second
	jitter        = 0.2  // waits are spread by up to this share either way
	priorRate     = 0.2  // prior end rate: priorRate/(age+priorOffset) per second
	priorOffset   = 1.0  // seconds
	priorExposure = 1.0  // job-seconds the prior is worth
	minWindow     = 0.5  // seconds: the least half-width of the age window
	windowShare   = 0.25 // the half-width of the age window, as a share of the age
	historySize   = 256  // past jobs remembered per clock
	minProcessed  = 3    // processing times known before the processing clock is used
	processMargin = 0.8  // share of the shortest processing time taken as a bound
	stepSeconds   = 0.05 // resolution of the expected-lag integration
	queuePrice    = 3.0  // a job's first read is priced at this many times the wait in a saturated budget's queue
)

type learnedPoll struct {
	// budget, when set, is how long a request sent now would wait for its
	// turn in the client's request budget (see limiter.backlog).
	budget func() time.Duration

	mu      sync.Mutex
	total   lifetimes // from creation to the end
	process lifetimes // from the start of processing to the end
	running map[*learnedTimer]struct{}
	news    chan struct{} // closed (and replaced) when a job ends
	rng     *rand.Rand    // for the jitter
}

// learnedTimer is what one Wait knows about its job. Its fields are guarded
// by the policy's mutex, because other jobs' timers read them.
type learnedTimer struct {
	p      *learnedPoll
	origin time.Time // creation; the first observation when the creation is unknown
	known  bool      // origin is the creation, so the job's total time can be learned
	last   time.Time // the latest observation; zero before the first
	status Status    // the latest status
	queued time.Time // the latest observation in queueing; zero when never seen

	procLo, procHi time.Time // processing started in (procLo, procHi]; procHi is zero until seen
	endLo, endHi   time.Time // the job ended in (endLo, endHi]; endHi is zero until seen

	changed <-chan struct{} // the policy's news channel at the last Observe or Replan
	spread  float64         // the jitter factor drawn at the last observation
	read    bool            // the last observation is not the first (for a job this client created, the create answer)
}

func (p *learnedPoll) Follow(_ string, created time.Time) PollTimer {
	t := &learnedTimer{p: p, origin: created, known: !created.IsZero()}
	p.mu.Lock()
	p.running[t] = struct{}{}
	p.mu.Unlock()
	return t
}

func (t *learnedTimer) Observe(at time.Time, status Status) time.Duration {
	p := t.p
	p.mu.Lock()
	defer p.mu.Unlock()
	t.record(at, status)
	t.changed = p.news
	t.spread = 1 - jitter + 2*jitter*p.rng.Float64()
	if status.Terminal() {
		return 0
	}
	return p.nextWait(t, t.last)
}

func (t *learnedTimer) Changed() <-chan struct{} {
	t.p.mu.Lock()
	defer t.p.mu.Unlock()
	return t.changed
}

func (t *learnedTimer) Replan(now time.Time) time.Duration {
	p := t.p
	p.mu.Lock()
	defer p.mu.Unlock()
	t.changed = p.news
	if t.last.IsZero() || t.status.Terminal() {
		return 0
	}
	return max(t.last.Add(p.nextWait(t, t.last)).Sub(now), 0)
}

// record folds one observation into what the timer knows.
func (t *learnedTimer) record(at time.Time, status Status) {
	if t.origin.IsZero() {
		t.origin = at
	}
	prev := t.last
	if prev.IsZero() {
		prev = t.origin
	}
	switch {
	case status == StatusQueueing:
		t.queued = at
	case status == StatusProcessing && t.procHi.IsZero() && !t.queued.IsZero():
		// Processing started after the last queueing observation. Without
		// one (a job first seen processing) its start is unknown.
		t.procLo, t.procHi = t.queued, at
	case status.Terminal() && t.endHi.IsZero():
		t.endLo, t.endHi = prev, at
	}
	t.read = t.read || !t.last.IsZero()
	t.last, t.status = at, status
}

func (t *learnedTimer) Stop() {
	p := t.p
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.running[t]; !ok {
		return
	}
	delete(p.running, t)
	if t.last.IsZero() {
		return
	}
	ended := !t.endHi.IsZero()
	endLo, endHi := t.last, t.last // a job that was given up ran at least this long
	if ended {
		endLo, endHi = t.endLo, t.endHi
	}
	if t.known {
		p.total.add(endLo.Sub(t.origin), endHi.Sub(t.origin), ended)
	}
	if !t.procHi.IsZero() {
		p.process.add(endLo.Sub(t.procHi), endHi.Sub(t.procLo), ended)
	}
	if ended {
		close(p.news)
		p.news = make(chan struct{})
	}
}

// nextWait decides the wait after an observation at now of a running job.
func (p *learnedPoll) nextWait(t *learnedTimer, now time.Time) time.Duration {
	clock, age := &p.total, seconds(now.Sub(t.origin))
	useProcess := t.status == StatusProcessing && !t.procHi.IsZero() && p.process.ended >= minProcessed
	if useProcess {
		clock, age = &p.process, seconds(now.Sub(midpoint(t.procLo, t.procHi)))
	}
	running := make([]float64, 0, len(p.running))
	for r := range p.running {
		switch {
		case !useProcess && (r.known || r == t): // the age of another job from an earlier run is unknown
			running = append(running, seconds(now.Sub(r.origin)))
		case !r.procHi.IsZero():
			running = append(running, seconds(now.Sub(midpoint(r.procLo, r.procHi))))
		}
	}
	cost := costShare * max(seconds(now.Sub(t.origin)), costFloor)
	// With the request budget saturated, a read pushes back every request
	// queued behind it: it costs about the wait in the queue, in lag spread
	// over the others. That price decides when a job is first read, which
	// is when most jobs are read for the last time too: a job read running
	// once is at the age where jobs end, and each second it waits longer
	// holds its place among the apply's -parallelism, so it is read again
	// at the price of an idle budget (DESIGN.md, "A saturated request
	// budget"). Every read goes out only when its turn comes.
	var queue time.Duration
	if p.budget != nil {
		queue = p.budget()
		if !t.read {
			cost = max(cost, queuePrice*seconds(queue))
		}
	}
	wait := clock.readAfter(age, running, cost)

	// A job cannot end sooner than the shortest processing time after it
	// was last seen queueing.
	if shortest, ok := p.process.shortest(); ok && !t.queued.IsZero() {
		earliest := t.queued.Add(time.Duration(processMargin * float64(shortest)))
		wait = max(wait, earliest.Sub(now))
	}
	wait = time.Duration(float64(wait)*t.spread) - queue
	return min(max(wait, minInterval), maxInterval)
}

// lifetimes is the memory of one clock: how long past jobs lasted.
type lifetimes struct {
	past   []lifetime // ring of the latest historySize
	next   int        // where the next one goes once the ring is full
	ended  int        // how many of past ended (the others were given up)
	oldest float64    // the longest lifetime in past, seconds
}

// lifetime is how long one job lasted, in seconds: it ended somewhere in
// (lo, hi], between the last read that saw it running and the first that
// saw it ended. A job that was given up lasted at least lo (hi = lo).
type lifetime struct {
	lo, hi float64
	ended  bool
}

// mid is the expected end: reads are too close together for the end's
// place in (lo, hi] to matter much, or too far apart for it to be known.
func (lt lifetime) mid() float64 { return (lt.lo + lt.hi) / 2 }

// endsIn is the share of the end that falls in [lo, hi): the end is taken
// to be anywhere in (lt.lo, lt.hi] with equal chance.
func (lt lifetime) endsIn(lo, hi float64) float64 {
	if !lt.ended {
		return 0
	}
	if lt.hi-lt.lo < 1e-9 {
		if lt.hi >= lo && lt.hi < hi {
			return 1
		}
		return 0
	}
	return max(0, min(lt.hi, hi)-max(lt.lo, lo)) / (lt.hi - lt.lo)
}

func (l *lifetimes) add(lo, hi time.Duration, ended bool) {
	lt := lifetime{lo: max(seconds(lo), 0), hi: max(seconds(hi), 0), ended: ended}
	lt.hi = max(lt.hi, lt.lo)
	if len(l.past) < historySize {
		l.past = append(l.past, lt)
	} else {
		if l.past[l.next].ended {
			l.ended--
		}
		l.past[l.next] = lt
		l.next = (l.next + 1) % historySize
	}
	if ended {
		l.ended++
	}
	l.oldest = 0
	for _, p := range l.past {
		l.oldest = max(l.oldest, p.mid())
	}
}

// shortest is the shortest lifetime an ended job surely had, once
// minProcessed jobs have ended.
func (l *lifetimes) shortest() (time.Duration, bool) {
	if l.ended < minProcessed {
		return 0, false
	}
	s := math.Inf(1)
	for _, p := range l.past {
		if p.ended {
			s = min(s, p.lo)
		}
	}
	return time.Duration(s * float64(time.Second)), true
}

// rate estimates how many jobs per second end at age a (seconds), among
// those still running at a, from the past lifetimes and the ages of the
// jobs still running.
func (l *lifetimes) rate(a float64, running []float64) float64 {
	w := max(minWindow, windowShare*a)
	lo, hi := a-w, a+w
	var events, exposure float64
	for _, p := range l.past {
		exposure += overlap(p.mid(), lo, hi)
		events += p.endsIn(lo, hi)
	}
	for _, r := range running {
		exposure += overlap(r, lo, hi)
	}
	prior := priorRate / (a + priorOffset)
	return (events + priorExposure*prior) / (exposure + priorExposure)
}

// readAfter returns how long after age to read a job that is running at
// age: the first time T where the expected lag E[(T-F)+ | F > age] reaches
// readCost, integrated in steps of stepSeconds; maxInterval when it never does.
func (l *lifetimes) readAfter(age float64, running []float64, readCost float64) time.Duration {
	frontier := l.oldest
	for _, r := range running {
		frontier = max(frontier, r)
	}
	frontierRate := -1.0
	survive, ended, endedAt := 1.0, 0.0, 0.0 // P(alive), P(ended), E[end; ended], relative to age
	for i := range int(maxInterval.Seconds() / stepSeconds) {
		mid := age + (float64(i)+0.5)*stepSeconds
		var h float64
		if mid > frontier {
			if frontierRate < 0 {
				frontierRate = l.rate(frontier, running)
			}
			h = frontierRate
		} else {
			h = l.rate(mid, running)
		}
		p := survive * (1 - math.Exp(-h*stepSeconds))
		survive -= p
		ended += p
		endedAt += p * (float64(i) + 0.5) * stepSeconds
		t := float64(i+1) * stepSeconds
		if t*ended-endedAt >= readCost {
			return time.Duration(t * float64(time.Second))
		}
	}
	return maxInterval
}

// overlap is the length of [0, d] ∩ [lo, hi].
func overlap(d, lo, hi float64) float64 {
	return max(0, min(d, hi)-max(0, lo))
}

func midpoint(a, b time.Time) time.Time { return a.Add(b.Sub(a) / 2) }

func seconds(d time.Duration) float64 { return d.Seconds() }
