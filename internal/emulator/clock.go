package emulator

import (
	"sync"
	"time"
)

// Clock is real time plus an offset that tests move forward (for the 7-day
// expiry), so jobs still progress in real time. The zero value is ready to use
// and safe for concurrent use.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
}

// NewClock returns a clock that starts at the real time.
func NewClock() *Clock { return &Clock{} }

// Now returns the real time plus every duration passed to Advance.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Advance moves the clock forward by d. Jobs move on with it: advancing past a
// job's queue and process times finishes it, advancing past 7 days expires it.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}
