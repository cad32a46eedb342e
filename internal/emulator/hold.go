package emulator

import (
	"net/http"
	"sync"
	"time"
)

// HoldCreateAnswers makes the emulator act on every create request (v3, v4
// and createbybutton) as usual, the job created and charged, and then keep
// its answer until release is called or the client goes away. Tests use it
// to interrupt a client while a paid request is on the wire; Akool has no
// such switch. release is safe to call more than once.
func (e *Emulator) HoldCreateAnswers() (release func()) {
	held := make(chan struct{})
	e.mu.Lock()
	e.held = held
	e.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			e.mu.Lock()
			if e.held == held {
				e.held = nil
			}
			e.mu.Unlock()
			close(held)
		})
	}
}

// awaitRelease waits until held is closed (at once when it is nil) and
// reports whether the client is still there to be answered.
func (e *Emulator) awaitRelease(r *http.Request, held <-chan struct{}, start time.Time) bool {
	if held == nil {
		return true
	}
	select {
	case <-held:
		return true
	case <-r.Context().Done():
		e.log(r, start, "client gone before the held answer")
		return false
	}
}
