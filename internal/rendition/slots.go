package rendition

import "sync"

// Slots lets a bounded number of renders run at once (one per CPU, say).
// When several wait, the costliest goes first, so that the renders of one
// source end together with small ones rather than with one large WebP
// encode running alone while the other CPUs idle; but a render that
// slotOvertakes costlier ones arriving after it went before goes next, so
// that a stream of large renditions (a for_each of many sources) cannot
// hold back a small one, and what depends on it, until the stream ends.
type Slots struct {
	mu      sync.Mutex
	free    int
	arrived uint64 // counts Acquire calls that waited
	waiting []*slotWaiter
}

type slotWaiter struct {
	cost      int64
	arrival   uint64
	overtaken int // renders that arrived later and went first
	ready     chan struct{}
}

// slotOvertakes is how many later renders may go before a waiting one:
// more than a burst of waiting renders holds (terraform's parallelism of
// 10 less a slot), so that within one it is the costliest first.
const slotOvertakes = 16

// NewSlots makes n slots.
func NewSlots(n int) *Slots { return &Slots{free: max(n, 1)} }

// Acquire waits for a slot for a render of the given cost (Spec.Cost);
// call release once the render is done.
func (s *Slots) Acquire(cost int64) (release func()) {
	s.mu.Lock()
	if s.free > 0 {
		s.free--
		s.mu.Unlock()
		return s.release
	}
	s.arrived++
	w := &slotWaiter{cost: cost, arrival: s.arrived, ready: make(chan struct{})}
	s.waiting = append(s.waiting, w)
	s.mu.Unlock()
	<-w.ready
	return s.release
}

// release hands the slot to the earliest waiting render that later ones
// overtook slotOvertakes times, else to the costliest (the earliest among
// equals), or frees it.
func (s *Slots) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.waiting) == 0 {
		s.free++
		return
	}
	next := 0
	for i, w := range s.waiting {
		if w.overtaken >= slotOvertakes {
			next = i // waiting is in order of arrival
			break
		}
		if w.cost > s.waiting[next].cost {
			next = i
		}
	}
	w := s.waiting[next]
	s.waiting = append(s.waiting[:next], s.waiting[next+1:]...)
	for _, o := range s.waiting {
		if o.arrival < w.arrival {
			o.overtaken++
		}
	}
	close(w.ready)
}

// Cost is a rough measure of the CPU time a render takes, for Slots to
// order renders by: the output's pixels, weighted by how much work each
// takes to resample and encode in its format.
func (s Spec) Cost() int64 {
	weight := int64(2) // JPEG
	switch {
	case s.Format == WebP && s.Lossless:
		weight = 12
	case s.Format == WebP:
		weight = 4
	case s.Format == PNG:
		weight = 3
	}
	return int64(s.Width) * int64(s.Height) * weight
}
