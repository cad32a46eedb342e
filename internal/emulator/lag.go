package emulator

// LagReads makes the next n infobymodelid reads of id answer 1008 (not
// found), whatever the job's age or status, as a read served by a replica
// that has not caught up with the job does; the reads after them answer as
// usual. Akool documents no such lag, but its reads can miss a job (see
// Shapes.NotFoundFor for a new one); this plays it for a job of any age,
// such as a finished image read a day after it was made. n <= 0 ends a lag
// set before. Nothing lags unless a test asks.
func (e *Emulator) LagReads(id string, n int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if n <= 0 {
		delete(e.lagging, id)
		return
	}
	if e.lagging == nil {
		e.lagging = make(map[string]int)
	}
	e.lagging[id] = n
}

// lagLocked reports whether this read of id is one LagReads asked to miss,
// and counts it.
func (e *Emulator) lagLocked(id string) bool {
	if e.lagging[id] <= 0 {
		return false
	}
	e.lagging[id]--
	if e.lagging[id] == 0 {
		delete(e.lagging, id)
	}
	return true
}
