package emulator

import (
	"bytes"
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"slices"
)

// Faults makes a fraction of requests fail the way a busy service does.
type Faults struct {
	ReadRate         float64     // fraction of reads (infobymodelid, quota/info, getToken) answered with a transient fault instead
	CreateRefuseRate float64     // fraction of create requests (v3, v4, createbybutton) refused with code 1005 WITHOUT acting (nothing created, nothing charged)
	CreateDropRate   float64     // fraction of create requests that ARE acted upon (job created, credit charged, counted) and then the connection is dropped without an answer (the ambiguous case)
	ReadKinds        []FaultKind // which transient faults reads get, chosen at random among these; default all of FaultHTTP500, FaultHTTP503, FaultCode1005, FaultHTTP429, FaultDrop

	// Schedule, when set, decides read faults and create refusals instead
	// of ReadRate and CreateRefuseRate, the same way on every run: each
	// stream of identical requests (one request and its retries, or the
	// status reads of one image) walks it from its start, cyclically, one
	// character a request. 'x' answers a read with a fault of the kinds of
	// ReadKinds in turn, 'd' drops a read's connection, and either refuses
	// a create; any other character, such as '.', serves the request.
	// SetFaults starts every stream afresh.
	Schedule string
}

// FaultKind is one kind of transient fault served to reads.
type FaultKind string

// The transient faults a read can get.
const (
	FaultHTTP500  FaultKind = "http500"  // HTTP 500 with a plain-text body
	FaultHTTP503  FaultKind = "http503"  // HTTP 503 with an HTML body, as a load balancer sends it
	FaultCode1005 FaultKind = "code1005" // HTTP 200 with code 1005 (too frequent)
	FaultHTTP429  FaultKind = "http429"  // HTTP 429 with code 1005
	FaultDrop     FaultKind = "drop"     // the connection is closed without an answer
)

var allFaultKinds = []FaultKind{FaultHTTP500, FaultHTTP503, FaultCode1005, FaultHTTP429, FaultDrop}

func checkFaults(f Faults) error {
	for name, rate := range map[string]float64{"read": f.ReadRate, "create refuse": f.CreateRefuseRate, "create drop": f.CreateDropRate} {
		if rate < 0 || rate > 1 {
			return fmt.Errorf("emulator: %s fault rate must be between 0 and 1, got %v", name, rate)
		}
	}
	if f.CreateRefuseRate+f.CreateDropRate > 1 {
		return fmt.Errorf("emulator: create refuse and drop rates add up to more than 1")
	}
	for _, k := range f.ReadKinds {
		if !slices.Contains(allFaultKinds, k) {
			return fmt.Errorf("emulator: unknown fault kind %q", k)
		}
	}
	return nil
}

// normalizeFaults clamps rates into [0, 1], drops unknown kinds and fills in
// the default kinds. It copies ReadKinds so the caller keeps its slice.
func normalizeFaults(f Faults) Faults {
	clamp := func(v float64) float64 { return min(max(v, 0), 1) }
	f.ReadRate = clamp(f.ReadRate)
	f.CreateRefuseRate = clamp(f.CreateRefuseRate)
	f.CreateDropRate = clamp(min(f.CreateDropRate, 1-f.CreateRefuseRate))
	var kinds []FaultKind
	for _, k := range f.ReadKinds {
		if slices.Contains(allFaultKinds, k) {
			kinds = append(kinds, k)
		}
	}
	if len(kinds) == 0 {
		kinds = slices.Clone(allFaultKinds)
	}
	f.ReadKinds = kinds
	return f
}

// A stream is a run of identical requests: same method, path, query and
// body. The retries of one request are a stream, and so are the status reads
// of one image. Faults.Schedule is walked per stream, so what one client sees
// does not depend on how its requests interleave with other clients'.
type stream struct {
	n      int // requests decided so far
	faults int // transient faults served so far
	run    int // transient faults served in a row since the last answer
}

type streamKeyContext struct{}

// withStreamKey returns r carrying the key of its stream. A POST's body is
// read to compute it and then given back to the handler unchanged.
func withStreamKey(r *http.Request) *http.Request {
	h := fnv.New64a()
	_, _ = io.WriteString(h, r.Method+" "+r.URL.Path+"?"+r.URL.RawQuery+"\n")
	if r.Method == http.MethodPost && r.Body != nil {
		body, _ := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes))
		_, _ = h.Write(body)
		r.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(body), r.Body), r.Body}
	}
	return r.WithContext(context.WithValue(r.Context(), streamKeyContext{}, h.Sum64()))
}

// streamLocked returns the state of r's stream.
func (e *Emulator) streamLocked(r *http.Request) *stream {
	key, _ := r.Context().Value(streamKeyContext{}).(uint64)
	if e.streams == nil {
		e.streams = make(map[uint64]*stream)
	}
	s := e.streams[key]
	if s == nil {
		s = &stream{}
		e.streams[key] = s
	}
	return s
}

// scheduled is the schedule's decision for the stream's next request: 'x',
// 'd' or, to serve it, anything else.
func (s *stream) scheduled(schedule string) byte {
	return schedule[s.n%len(schedule)]
}

// noteLocked records the decision for the stream's next request: a
// transient fault, or an answer, which ends the stream's run of faults.
func (e *Emulator) noteLocked(s *stream, fault bool) {
	s.n++
	if fault {
		s.faults++
		s.run++
		return
	}
	if s.run > 0 {
		e.counters.FaultRuns[s.run]++
		s.run = 0
	}
}

// readFaultLocked decides whether this read gets a transient fault, and
// counts it.
func (e *Emulator) readFaultLocked(r *http.Request) (result, bool) {
	f := e.faults
	if f.Schedule == "" && f.ReadRate <= 0 {
		return result{}, false
	}
	s := e.streamLocked(r)
	var kind FaultKind
	switch {
	case f.Schedule != "":
		switch s.scheduled(f.Schedule) {
		case 'x':
			kind = f.ReadKinds[s.faults%len(f.ReadKinds)]
		case 'd':
			kind = FaultDrop
		}
	case e.rng.Float64() < f.ReadRate:
		kind = f.ReadKinds[e.rng.IntN(len(f.ReadKinds))]
	}
	e.noteLocked(s, kind != "")
	if kind == "" {
		return result{}, false
	}
	e.counters.Faults++
	return faultResult(kind), true
}

func faultResult(k FaultKind) result {
	switch k {
	case FaultHTTP500:
		return result{status: http.StatusInternalServerError, raw: "Internal Server Error\n", contentType: "text/plain; charset=utf-8", fault: k}
	case FaultHTTP503:
		return result{status: http.StatusServiceUnavailable, raw: "<html><head><title>503 Service Temporarily Unavailable</title></head><body><center><h1>503 Service Temporarily Unavailable</h1></center></body></html>\n", contentType: "text/html", fault: k}
	case FaultHTTP429:
		return result{status: http.StatusTooManyRequests, env: &envelope{Code: codeTooFrequent, Msg: "Operation is too frequent"}, fault: k}
	case FaultCode1005:
		return result{status: http.StatusOK, env: &envelope{Code: codeTooFrequent, Msg: "Operation is too frequent"}, fault: k}
	default:
		return result{drop: true, fault: FaultDrop}
	}
}

// createOutcome is decided once per create request, before anything else.
type createOutcome int

const (
	createNormal createOutcome = iota
	createRefuse
	createDrop
)

func (e *Emulator) createOutcome(r *http.Request) createOutcome {
	e.mu.Lock()
	defer e.mu.Unlock()
	f := e.faults
	if f.Schedule == "" && f.CreateRefuseRate <= 0 && f.CreateDropRate <= 0 {
		return createNormal
	}
	s := e.streamLocked(r)
	outcome := createNormal
	switch {
	case f.Schedule != "":
		if c := s.scheduled(f.Schedule); c == 'x' || c == 'd' {
			outcome = createRefuse
		} else if f.CreateDropRate > 0 && e.rng.Float64() < f.CreateDropRate {
			outcome = createDrop
		}
	default:
		u := e.rng.Float64()
		switch {
		case u < f.CreateRefuseRate:
			outcome = createRefuse
		case u < f.CreateRefuseRate+f.CreateDropRate:
			outcome = createDrop
		}
	}
	if outcome == createRefuse {
		e.counters.Faults++
	}
	e.noteLocked(s, outcome != createNormal)
	return outcome
}
