package rendition

import (
	"slices"
	"sync"
	"testing"
	"time"
)

func TestSlotsLetTheCostliestWaitingRenderGoFirst(t *testing.T) {
	s := NewSlots(1)
	release := s.Acquire(1)
	var mu sync.Mutex
	var order []int64
	var wg sync.WaitGroup
	for i, cost := range []int64{10, 30, 20, 30} {
		wg.Go(func() {
			done := s.Acquire(cost)
			mu.Lock()
			order = append(order, cost)
			mu.Unlock()
			done()
		})
		waitFor(t, func() bool { s.mu.Lock(); defer s.mu.Unlock(); return len(s.waiting) == i+1 })
	}
	release()
	wg.Wait()
	if want := []int64{30, 30, 20, 10}; !slices.Equal(order, want) {
		t.Errorf("renders ran in the order of costs %v, want %v", order, want)
	}
	if s.free != 1 {
		t.Errorf("%d slots are free after every render ended, want 1", s.free)
	}
}

func TestSpecCostWeighsWebPAboveJPEG(t *testing.T) {
	jpeg := Spec{Width: 1200, Height: 630, Format: JPEG}.Cost()
	webp := Spec{Width: 1080, Height: 1080, Format: WebP}.Cost()
	small := Spec{Width: 400, Height: 400, Format: WebP}.Cost()
	if webp <= jpeg || jpeg <= small {
		t.Errorf("costs: 1080x1080 WebP %d, 1200x630 JPEG %d, 400x400 WebP %d; want them in that order", webp, jpeg, small)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for range 2000 {
		if cond() {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatal("timed out waiting")
}

// A small render waiting while larger ones keep arriving goes once
// slotOvertakes of them have gone before it, not after the last.
func TestSlotsLetASmallRenderGoWhileLargerOnesKeepArriving(t *testing.T) {
	s := NewSlots(1)
	release := s.Acquire(1)
	var small sync.WaitGroup
	var mu sync.Mutex
	smallAt, started := -1, 0
	small.Go(func() {
		done := s.Acquire(1)
		mu.Lock()
		smallAt = started
		mu.Unlock()
		done()
	})
	waitFor(t, func() bool { s.mu.Lock(); defer s.mu.Unlock(); return len(s.waiting) == 1 })
	// Each round one large render arrives and the running one ends: the
	// large one is the costliest waiting, every time.
	for range 3 * slotOvertakes {
		large := make(chan func())
		go func() { large <- s.Acquire(100) }()
		waitFor(t, func() bool { s.mu.Lock(); defer s.mu.Unlock(); return len(s.waiting) == 2 || smallAt >= 0 })
		release()
		release = <-large
		mu.Lock()
		started++
		done := smallAt >= 0
		mu.Unlock()
		if done {
			break
		}
	}
	release()
	small.Wait()
	if smallAt < 0 || smallAt > slotOvertakes {
		t.Errorf("the small render started after %d large ones that arrived after it, want at most %d", smallAt, slotOvertakes)
	}
}
