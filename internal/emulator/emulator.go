package emulator

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Options configures an Emulator. Only APIKey is required.
type Options struct {
	APIKey        string                                             // accepted x-api-key value; also the clientSecret getToken accepts (Akool: API key == clientSecret). Required.
	ClientID      string                                             // the clientId getToken accepts; default "emulator-client"
	Clock         *Clock                                             // default NewClock()
	QueueTime     time.Duration                                      // time a job stays in status 1; default 1s; negative means none
	ProcessTime   time.Duration                                      // time in status 2 before 3 (or 4); default 3s; negative means none
	JobTime       func(prompt string) (queue, process time.Duration) // optional, overrides the two above per job (benchmarks use it)
	InitialCredit float64                                            // default 1000 (SetCredit sets any balance, zero included)
	Latency       time.Duration                                      // added to every API answer: with the client on loopback, the round trip to Akool
	Jitter        time.Duration                                      // up to this much more added to each API answer, uniformly at random (a network's spread)
	Faults        Faults
	RateLimit     float64                          // max API requests per second of the account, shared by every client whatever its credentials (token bucket on the Clock, burst = max(1, rate)); above it → HTTP 200 code 1005 "too frequent"; 0 = unlimited
	RateWindow    bool                             // with RateLimit: accept at most RateLimit requests (rounded down, at least 1) in any one-second window instead, a stricter limit than the bucket's
	Seed          int64                            // for fault randomness and ids; 0 = time-based
	Logf          func(format string, args ...any) // optional request log, called concurrently; never given credentials
	Shapes        Shapes                           // how answers look where Akool's docs and live runs differ
	PictureFormat string                           // FormatPNG (default), FormatJPEG or FormatWebP: how result pictures are served
}

// Shapes chooses how the emulator plays what Akool's own demo client and
// reports of live runs show beyond its documentation. The zero value plays
// the default: a grid's single images listed DefaultSinglesDelay after
// status 3, and nothing else.
type Shapes struct {
	// SinglesDelay is how long after a grid (a v3 image or a variation)
	// reaches status 3 its upscaled_urls lists the four single images:
	// 0 means DefaultSinglesDelay, negative means together with status 3.
	SinglesDelay time.Duration
	// SinglesNever: a grid never lists its single images (upscaled_urls
	// stays empty).
	SinglesNever bool
	// ExternalImage puts the result URL in external_img instead of image.
	ExternalImage bool
	// NotFoundFor makes infobymodelid answer 1008 for a job younger than
	// this, as a replica that has not seen a new job yet would; 0 never.
	NotFoundFor time.Duration
	// HideParent leaves image_content_model_id, op_button and
	// op_buttonMessageId out of infobymodelid's answers (the create answer
	// of a button job still has them), as the documented field list does.
	HideParent bool
	// V4UpscaledURL gives v4 results an upscaled_urls with one URL, the
	// picture itself, as live runs show.
	V4UpscaledURL bool
}

// DefaultSinglesDelay is how long after status 3 a grid lists its single
// images unless Shapes says otherwise.
const DefaultSinglesDelay = time.Second

// Counters is what the emulator has served so far.
type Counters struct {
	Creates         int            // accepted create calls: v3 + v4 (not button presses), including ones whose answer was then dropped; a v4 batch counts once
	CreatesV3       int            // accepted v3 create calls
	CreatesV4       int            // accepted v4 create calls
	CreateAttempts  int            // every request to a create path (v3, v4, createbybutton), whatever became of it: rate limited, refused, invalid or accepted
	Presses         int            // accepted createbybutton jobs
	PressesByButton map[string]int // key parentID+"/"+button, e.g. "662a.../U2"
	Jobs            int            // jobs created by any call (each image of a v4 batch counts)
	Reads           int            // infobymodelid requests past the rate limit (including faulted and unauthenticated ones)
	ReadsByID       map[string]int // Reads by image_model_id
	Faults          int            // transient faults served (any kind, reads and creates)
	FaultRuns       map[int]int    // runs of transient faults served in a row to one stream of identical requests (see Faults.Schedule) and then ended by an answer, by length
	RateLimited     int            // requests refused by RateLimit
	TokenRequests   int            // getToken calls past the rate limit
	Requests        int            // every HTTP request to API paths (everything but /images/)
	ImageDownloads  int            // GETs of image URLs (including those answered 404)
}

// Emulator is an in-memory Akool. It implements http.Handler and is safe for
// concurrent use.
type Emulator struct {
	apiKey   string
	clientID string
	clock    *Clock
	jobTime  func(string) (time.Duration, time.Duration)
	logf     func(string, ...any)
	images   *imageCache
	format   pictureFormat
	uid      int
	teamID   string
	shapes   Shapes

	mu          sync.Mutex
	queueTime   time.Duration
	processTime time.Duration
	latency     time.Duration
	jitter      time.Duration
	faults      Faults
	limiter     rateLimiter
	credit      float64
	token       string
	jobs        map[string]*job
	counters    Counters
	streams     map[uint64]*stream // by stream key, while faults are set
	held        chan struct{}      // while set, answers to create requests wait for it to close (HoldCreateAnswers)
	lagging     map[string]int     // reads of an id still to answer 1008 (LagReads)
	rng         *mrand.Rand
	idRandom    [5]byte
	idCounter   uint32
}

// New returns an emulator configured by opts. It fails when opts.APIKey is
// empty or a rate is out of range.
func New(opts Options) (*Emulator, error) {
	if opts.APIKey == "" {
		return nil, errors.New("emulator: an API key is required")
	}
	if opts.RateLimit < 0 {
		return nil, fmt.Errorf("emulator: rate limit must not be negative, got %v", opts.RateLimit)
	}
	if err := checkFaults(opts.Faults); err != nil {
		return nil, err
	}
	format, err := pictureFormatFor(opts.PictureFormat)
	if err != nil {
		return nil, err
	}
	seed := opts.Seed
	if seed == 0 {
		seed = time.Now().UnixNano()
	}
	rng := mrand.New(mrand.NewPCG(uint64(seed), uint64(seed)^0x9e3779b97f4a7c15))
	e := &Emulator{
		apiKey:      opts.APIKey,
		clientID:    opts.ClientID,
		clock:       opts.Clock,
		jobTime:     opts.JobTime,
		logf:        opts.Logf,
		format:      format,
		images:      newImageCache(64<<20, format.encode),
		queueTime:   defaultDuration(opts.QueueTime, time.Second),
		processTime: defaultDuration(opts.ProcessTime, 3*time.Second),
		latency:     max(opts.Latency, 0),
		jitter:      max(opts.Jitter, 0),
		faults:      normalizeFaults(opts.Faults),
		credit:      opts.InitialCredit,
		jobs:        make(map[string]*job),
		rng:         rng,
		shapes:      opts.Shapes,
	}
	switch {
	case e.shapes.SinglesDelay == 0:
		e.shapes.SinglesDelay = DefaultSinglesDelay
	case e.shapes.SinglesDelay < 0:
		e.shapes.SinglesDelay = 0
	}
	if e.clientID == "" {
		e.clientID = "emulator-client"
	}
	if e.clock == nil {
		e.clock = NewClock()
	}
	if e.credit == 0 {
		e.credit = 1000
	}
	switch {
	case opts.RateLimit > 0 && opts.RateWindow:
		e.limiter = newSlidingWindow(opts.RateLimit)
	case opts.RateLimit > 0:
		e.limiter = newBucket(opts.RateLimit)
	}
	e.counters.PressesByButton = make(map[string]int)
	e.counters.ReadsByID = make(map[string]int)
	e.counters.FaultRuns = make(map[int]int)
	e.uid = 100000 + rng.IntN(900000)
	for i := range e.idRandom {
		e.idRandom[i] = byte(rng.Uint32())
	}
	e.idCounter = rng.Uint32() & 0xffffff
	e.teamID = e.newIDLocked()
	e.token = e.newToken()
	return e, nil
}

func defaultDuration(d, def time.Duration) time.Duration {
	switch {
	case d == 0:
		return def
	case d < 0:
		return 0
	default:
		return d
	}
}

// Counters returns a deep-copied snapshot of what was served so far.
func (e *Emulator) Counters() Counters {
	e.mu.Lock()
	defer e.mu.Unlock()
	c := e.counters
	c.PressesByButton = maps.Clone(e.counters.PressesByButton)
	c.ReadsByID = maps.Clone(e.counters.ReadsByID)
	c.FaultRuns = maps.Clone(e.counters.FaultRuns)
	return c
}

// Clock returns the clock that drives job progress and expiry.
func (e *Emulator) Clock() *Clock { return e.clock }

// SetFaults replaces the fault configuration. Rates are clamped into [0, 1]
// and unknown kinds ignored.
func (e *Emulator) SetFaults(f Faults) {
	f = normalizeFaults(f)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults = f
	e.streams = nil
}

// SetLatency changes the delay added to every API answer.
func (e *Emulator) SetLatency(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.latency = max(d, 0)
}

// SetJobTime changes the queue and process times of jobs created from now on
// (zero means no wait). Options.JobTime, when set, still takes precedence.
func (e *Emulator) SetJobTime(queue, process time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.queueTime = max(queue, 0)
	e.processTime = max(process, 0)
}

// SetCredit sets the account balance.
func (e *Emulator) SetCredit(c float64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.credit = c
}

// Credit returns the account balance.
func (e *Emulator) Credit() float64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.credit
}

// Token returns the bearer token getToken hands out (valid for
// Authorization: Bearer).
func (e *Emulator) Token() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.token
}

// RevokeToken invalidates the current bearer token, as if it had expired:
// requests bearing it answer 1101 and getToken hands out a new one.
func (e *Emulator) RevokeToken() {
	tok := e.newToken()
	e.mu.Lock()
	defer e.mu.Unlock()
	e.token = tok
}

// Forget drops a record as if Akool lost it: infobymodelid answers 1008 and
// its image URLs 404. Jobs made from it by buttons are kept.
func (e *Emulator) Forget(id string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.jobs, id)
}

// newToken makes a JWT-shaped bearer token: it carries the client id and
// issue time, and a random signature part so it cannot be guessed.
func (e *Emulator) newToken() string {
	enc := base64.RawURLEncoding
	now := e.clock.Now().Unix()
	header := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	claims, _ := json.Marshal(map[string]any{"clientId": e.clientID, "iat": now, "exp": now + 2*365*24*3600})
	sig := make([]byte, 32)
	_, _ = rand.Read(sig)
	return header + "." + enc.EncodeToString(claims) + "." + enc.EncodeToString(sig)
}

// newIDLocked makes an ObjectId-like id: a 4-byte timestamp from the Clock, 5
// bytes fixed per emulator and a 3-byte counter, in lowercase hex.
func (e *Emulator) newIDLocked() string {
	var b [12]byte
	ts := uint32(e.clock.Now().Unix())
	b[0], b[1], b[2], b[3] = byte(ts>>24), byte(ts>>16), byte(ts>>8), byte(ts)
	copy(b[4:9], e.idRandom[:])
	e.idCounter = (e.idCounter + 1) & 0xffffff
	b[9], b[10], b[11] = byte(e.idCounter>>16), byte(e.idCounter>>8), byte(e.idCounter)
	return hex.EncodeToString(b[:])
}

// API paths.
const (
	pathCreateV3 = "/api/open/v3/content/image/createbyprompt"
	pathCreateV4 = "/api/open/v4/content/image/createBySourcePrompt"
	pathButton   = "/api/open/v3/content/image/createbybutton"
	pathInfo     = "/api/open/v3/content/image/infobymodelid"
	pathToken    = "/api/open/v3/getToken"
	pathQuota    = "/api/open/v3/faceswap/quota/info"
	imagesPrefix = "/images/"
)

type route struct {
	method  string
	create  bool
	handler func(*Emulator, *http.Request) result
}

var routes = map[string]route{
	pathCreateV3: {http.MethodPost, true, (*Emulator).handleCreateV3},
	pathCreateV4: {http.MethodPost, true, (*Emulator).handleCreateV4},
	pathButton:   {http.MethodPost, true, (*Emulator).handleButton},
	pathInfo:     {http.MethodGet, false, (*Emulator).handleInfo},
	pathToken:    {http.MethodPost, false, (*Emulator).handleToken},
	pathQuota:    {http.MethodGet, false, (*Emulator).handleQuota},
}

// ServeHTTP answers Akool's API paths and the image URLs.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	if strings.HasPrefix(r.URL.Path, imagesPrefix) {
		e.serveImage(w, r, start)
		return
	}
	rt, known := routes[r.URL.Path]
	if known {
		r = withStreamKey(r)
	}
	e.mu.Lock()
	e.counters.Requests++
	if known && rt.create {
		e.counters.CreateAttempts++
	}
	limited := e.limiter != nil && !e.limiter.allow(e.clock.Now())
	if limited {
		e.counters.RateLimited++
	}
	e.mu.Unlock()

	var res result
	var held <-chan struct{}
	switch {
	case limited:
		res = fail(codeTooFrequent, "Operation is too frequent")
	case !known || r.Method != rt.method:
		res = result{status: http.StatusNotFound, env: &envelope{Code: codeNotFound, Msg: "The content you get does not exist"}}
	default:
		res = rt.handler(e, r)
		if rt.create {
			e.mu.Lock()
			held = e.held
			e.mu.Unlock()
		}
	}
	if !e.awaitRelease(r, held, start) {
		return
	}
	e.answer(w, r, res, start)
}

// Business codes.
const (
	codeOK           = 1000
	codeBadParam     = 1003
	codeTooFrequent  = 1005
	codeNoCredit     = 1006
	codeNotFound     = 1008
	codeCannotOp     = 1010
	codeAlreadyOp    = 1011
	codeBadAuth      = 1101
	codeMissingAuth  = 1102
	msgOK            = "OK"
	msgBadAuth       = "Invalid authorization or The request token has expired"
	msgMissingAuth   = "Authorization cannot be empty"
	msgNotFound      = "The content you get does not exist"
	msgCannotOperate = "You cannot operate this content"
)

// envelope is Akool's answer. Token is set only by getToken, which answers
// without a data wrapper.
type envelope struct {
	Code  int    `json:"code"`
	Msg   string `json:"msg"`
	Data  any    `json:"data,omitempty"`
	Token string `json:"token,omitempty"`
}

// result is what a handler decided: a JSON envelope, a raw fault body, or a
// dropped connection.
type result struct {
	status      int
	env         *envelope
	raw         string
	contentType string
	drop        bool
	fault       FaultKind
}

func success(data any) result {
	return result{status: http.StatusOK, env: &envelope{Code: codeOK, Msg: msgOK, Data: data}}
}

func fail(code int, msg string) result {
	return result{status: http.StatusOK, env: &envelope{Code: code, Msg: msg}}
}

func badParam(format string, args ...any) result {
	return fail(codeBadParam, "Parameter error: "+fmt.Sprintf(format, args...))
}

// answer waits the configured latency (and jitter), then writes res (or
// drops the connection). The latency comes after the request was acted on,
// so a client that gives up early leaves an acted-upon request behind, as
// with a slow Akool, and a refusal reaches the client a round trip after
// the request that caused it, as from a distant one.
func (e *Emulator) answer(w http.ResponseWriter, r *http.Request, res result, start time.Time) {
	e.mu.Lock()
	latency := e.latency
	if e.jitter > 0 {
		latency += time.Duration(e.rng.Int64N(int64(e.jitter)))
	}
	e.mu.Unlock()
	if latency > 0 {
		t := time.NewTimer(latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			e.log(r, start, "client gone before the answer")
			return
		}
	}
	if res.drop {
		e.log(r, start, "connection dropped")
		dropConnection(w)
		return
	}
	var body []byte
	ctype := res.contentType
	if res.env != nil {
		var err error
		body, err = json.Marshal(res.env)
		if err != nil {
			res.status = http.StatusInternalServerError
			body = []byte(`{"code":500,"msg":"internal error"}`)
		}
		ctype = "application/json; charset=utf-8"
	} else {
		body = []byte(res.raw)
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(res.status)
	_, _ = w.Write(body)
	outcome := fmt.Sprintf("HTTP %d", res.status)
	if res.env != nil {
		outcome += fmt.Sprintf(" code %d", res.env.Code)
	}
	if res.fault != "" {
		outcome += " (fault " + string(res.fault) + ")"
	}
	e.log(r, start, outcome)
}

// dropConnection closes the client's connection without writing anything.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	// Without a hijackable connection, aborting the handler is the closest
	// thing: the server resets the stream without an answer.
	panic(http.ErrAbortHandler)
}

// log writes one request line. It names the method, the path and, for
// infobymodelid, the id; never a header or a body, where credentials live.
func (e *Emulator) log(r *http.Request, start time.Time, outcome string) {
	if e.logf == nil {
		return
	}
	target := r.URL.Path
	if r.URL.Path == pathInfo {
		target += "?image_model_id=" + url.QueryEscape(r.URL.Query().Get("image_model_id"))
	}
	e.logf("%s %s -> %s in %s", r.Method, target, outcome, time.Since(start).Round(time.Millisecond))
}

// authenticate checks the request's credentials. Authorization, when present,
// alone decides; otherwise x-api-key does.
func (e *Emulator) authenticate(r *http.Request) (result, bool) {
	if auth := strings.TrimSpace(r.Header.Get("Authorization")); auth != "" {
		scheme, tok, found := strings.Cut(auth, " ")
		tok = strings.TrimSpace(tok)
		if !found || !strings.EqualFold(scheme, "Bearer") || tok == "" {
			return fail(codeBadAuth, msgBadAuth), false
		}
		e.mu.Lock()
		want := e.token
		e.mu.Unlock()
		if !secretEqual(tok, want) {
			return fail(codeBadAuth, msgBadAuth), false
		}
		return result{}, true
	}
	if key := strings.TrimSpace(r.Header.Get("x-api-key")); key != "" {
		if !secretEqual(key, e.apiKey) {
			return fail(codeBadAuth, msgBadAuth), false
		}
		return result{}, true
	}
	return fail(codeMissingAuth, msgMissingAuth), false
}

func secretEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// rateLimiter decides whether a request arriving at now is served.
type rateLimiter interface {
	allow(now time.Time) bool
}

// slidingWindow accepts at most limit requests in any one-second window:
// a server that keeps a log of the requests it served. Refused requests do
// not count.
type slidingWindow struct {
	limit  int
	served []time.Time // the last limit requests served, oldest first
}

func newSlidingWindow(rate float64) *slidingWindow {
	limit := max(1, int(rate))
	return &slidingWindow{limit: limit, served: make([]time.Time, 0, limit)}
}

func (w *slidingWindow) allow(now time.Time) bool {
	if len(w.served) == w.limit {
		if now.Sub(w.served[0]) < time.Second {
			return false
		}
		w.served = append(w.served[:0], w.served[1:]...)
	}
	w.served = append(w.served, now)
	return true
}

// bucket is a token bucket: rate tokens per second, holding at most burst.
// It runs on the emulator's Clock, so advancing the clock refills it.
type bucket struct {
	rate, burst, tokens float64
	last                time.Time
}

func newBucket(rate float64) *bucket {
	burst := max(1, rate)
	return &bucket{rate: rate, burst: burst, tokens: burst}
}

func (b *bucket) allow(now time.Time) bool {
	if elapsed := now.Sub(b.last); !b.last.IsZero() && elapsed > 0 {
		b.tokens = min(b.burst, b.tokens+elapsed.Seconds()*b.rate)
	}
	if now.After(b.last) {
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
