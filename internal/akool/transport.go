package akool

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// maxBodyBytes bounds how much of an answer the client reads.
const maxBodyBytes = 4 << 20

// maxRetryAfter bounds how long a Retry-After header can make the client
// wait before one retry (RetryWaitMax, when larger, wins).
const maxRetryAfter = 2 * time.Minute

// endpoint is one Akool API operation.
type endpoint struct {
	method string
	path   string
	create bool // starts a paid job: retried only when Akool cannot have acted
	noAuth bool // getToken: credentials travel in the body, not in headers
}

var (
	epCreateV3 = endpoint{method: http.MethodPost, path: "/api/open/v3/content/image/createbyprompt", create: true}
	epCreateV4 = endpoint{method: http.MethodPost, path: "/api/open/v4/content/image/createBySourcePrompt", create: true}
	epButton   = endpoint{method: http.MethodPost, path: "/api/open/v3/content/image/createbybutton", create: true}
	epImage    = endpoint{method: http.MethodGet, path: "/api/open/v3/content/image/infobymodelid"}
	epCredit   = endpoint{method: http.MethodGet, path: "/api/open/v3/faceswap/quota/info"}
	epGetToken = endpoint{method: http.MethodPost, path: "/api/open/v3/getToken", noAuth: true}
)

// call sends one authenticated request and returns the envelope of a
// code-1000 answer. With a client id and secret it fetches the bearer token
// first, and when Akool refuses that token (1101) it fetches a new one and
// sends the request once more: an authentication refusal means Akool did not
// act on the request, so even a create may be re-sent.
func (c *Client) call(ctx context.Context, ep endpoint, query url.Values, body any) (*envelope, error) {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return nil, fmt.Errorf("akool %s: encoding the request: %w", ep.path, err)
		}
	}

	switch {
	case ep.noAuth:
		return c.send(ctx, ep, query, payload, nil)
	case c.auth == authAPIKey:
		return c.send(ctx, ep, query, payload, http.Header{"X-Api-Key": {c.apiKey}})
	case c.auth == authToken:
		return c.send(ctx, ep, query, payload, http.Header{"Authorization": {"Bearer " + c.token}})
	}

	token, gen, err := c.bearerToken(ctx, 0)
	if err != nil {
		return nil, err
	}
	env, err := c.send(ctx, ep, query, payload, http.Header{"Authorization": {"Bearer " + token}})
	if !isTokenRefusal(err) {
		return env, err
	}
	c.debug(ctx, "akool token refused, fetching a new one", map[string]any{"path": ep.path})
	if token, _, err = c.bearerToken(ctx, gen); err != nil {
		return nil, err
	}
	return c.send(ctx, ep, query, payload, http.Header{"Authorization": {"Bearer " + token}})
}

// isTokenRefusal reports whether Akool answered 1101 with a decodable
// envelope, which proves it read and refused the request.
func isTokenRefusal(err error) bool {
	var uncertain *UncertainError
	return IsCode(err, CodeInvalidToken) && !errors.As(err, &uncertain)
}

// send performs one request, with retries where they are safe, and returns
// the envelope of a code-1000 answer.
func (c *Client) send(ctx context.Context, ep endpoint, query url.Values, payload []byte, auth http.Header) (*envelope, error) {
	target := c.baseURL + ep.path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	ex := &exchange{c: c, ep: ep, ctx: ctx}
	reqCtx := ctx
	if ep.create {
		var stop func()
		reqCtx, stop = ex.finishOnceSent(ctx)
		defer stop()
	}
	reqCtx = httptrace.WithClientTrace(reqCtx, ex.trace())

	var body any // a nil []byte in an interface would still count as a body
	if payload != nil {
		body = payload
	}
	req, err := retryablehttp.NewRequestWithContext(reqCtx, ep.method, target, body)
	if err != nil {
		return nil, fmt.Errorf("akool %s: building the request: %w", ep.path, c.redactErrIn(ctx, err))
	}
	for k, v := range auth {
		req.Header[k] = v
	}
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("Accept", "application/json")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}

	// One retryablehttp.Client per request, sharing c.http (c.paidHTTP for
	// a paid one): its hooks carry this request's state (what httptrace
	// saw, the last answer).
	rc := &retryablehttp.Client{
		HTTPClient:     c.httpFor(ep),
		Logger:         nil, // the exchange logs each attempt itself, without headers
		RetryWaitMin:   c.retryWaitMin,
		RetryWaitMax:   c.retryWaitMax,
		RetryMax:       math.MaxInt32, // refusals are retried while ctx lasts; checkRetry counts the other retries
		RequestLogHook: ex.beforeAttempt,
		CheckRetry:     ex.checkRetry,
		Backoff:        ex.backoff,
		PrepareRetry:   ex.waitBeforeRetry,
		ErrorHandler:   retryablehttp.PassthroughErrorHandler,
	}
	if err := c.limiter.wait(ctx, c.sleep, ep.create); err != nil {
		// Nothing was sent, so nothing is uncertain.
		return nil, fmt.Errorf("akool %s: stopped before sending, waiting for the request budget: %w", ep.path, err)
	}
	resp, doErr := rc.Do(req)
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	return ex.result(ctx, doErr)
}

// wroteState records what httptrace said about writing the request.
const (
	wroteUnknown int32 = iota
	wroteAll
	wroteFailed
)

// The phases of a create attempt, for finishOnceSent.
const (
	attemptWaiting int32 = iota // no connection yet: nothing can have reached Akool
	attemptSent                 // a connection was obtained: the request may reach Akool
	attemptStopped              // the caller's context ended before the request was sent
)

// exchange is the state of one send: its attempts and the last outcome.
// retryablehttp calls its hooks one attempt after the other; only the
// httptrace callbacks can run on the transport's goroutines, so they use atomics.
type exchange struct {
	c   *Client
	ep  endpoint
	ctx context.Context // the caller's: it bounds waits and retries, and a create until it is sent

	phase  atomic.Int32       // attemptWaiting, attemptSent or attemptStopped (creates only)
	cancel context.CancelFunc // ends a create's request context (creates only)

	attempt int
	first   time.Time // when the first attempt started
	start   time.Time
	retries int // retries for other reasons than a refusal, bounded by Client.retryMax

	connected atomic.Bool  // a connection was obtained for this attempt
	wrote     atomic.Int32 // wroteUnknown, wroteAll or wroteFailed

	// outcome of the last attempt
	transportErr error // the request failed before an answer arrived
	notActed     bool  // with transportErr: Akool cannot have seen the whole request
	status       int   // HTTP status of the answer
	readErr      error // the answer broke off while its body was read
	tooLarge     bool
	env          *envelope
	envErr       error // *APIError from the envelope

	wait     time.Duration // computed by backoff, spent by waitBeforeRetry
	sleepErr error         // ctx ended while waiting to retry
}

// redact removes the credentials and the request's own secrets from s.
func (ex *exchange) redact(s string) string { return ex.c.redactIn(ex.ctx, s) }

func (ex *exchange) trace() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) {
			ex.connected.Store(true)
			ex.phase.CompareAndSwap(attemptWaiting, attemptSent)
		},
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err != nil {
				ex.wrote.Store(wroteFailed)
			} else {
				ex.wrote.Store(wroteAll)
			}
		},
	}
}

// beforeAttempt runs before every attempt, the first included.
func (ex *exchange) beforeAttempt(_ retryablehttp.Logger, _ *http.Request, i int) {
	ex.attempt = i + 1
	ex.start = time.Now()
	if i == 0 {
		ex.first = ex.start
	}
	ex.connected.Store(false)
	ex.wrote.Store(wroteUnknown)
	if ex.cancel != nil && ex.phase.CompareAndSwap(attemptSent, attemptWaiting) && ex.ctx.Err() != nil {
		ex.stopUnsent()
	}
	ex.transportErr, ex.notActed = nil, false
	ex.status, ex.readErr, ex.tooLarge = 0, nil, false
	ex.env, ex.envErr = nil, nil
}

// finishOnceSent returns the request context of a create, which ctx ends
// only while nothing has been sent: a create that may have reached Akool
// may have started a paid job, and its answer carries the job's id, so it
// runs to its end, bounded by the per-attempt PaidRequestTimeout, whatever
// happens to ctx. ctx still stops every wait and retry (see allowRetry and
// waitBeforeRetry). stop releases the context once the send is over.
func (ex *exchange) finishOnceSent(ctx context.Context) (reqCtx context.Context, stop func()) {
	reqCtx, ex.cancel = context.WithCancel(context.WithoutCancel(ctx))
	unwatch := context.AfterFunc(ctx, ex.stopUnsent)
	return reqCtx, func() {
		unwatch()
		ex.cancel()
	}
}

// stopUnsent cancels a create's request context unless its attempt got a
// connection, which it then keeps until the answer or its own timeout.
func (ex *exchange) stopUnsent() {
	if ex.phase.CompareAndSwap(attemptWaiting, attemptStopped) {
		ex.cancel()
	}
}

// checkRetry looks at one attempt's outcome, reads and decodes the answer,
// and decides whether to try again.
//
// The retry rule:
//   - Reads (infobymodelid, the credit balance, getToken) change nothing at
//     Akool, so they are retried on any network error or timeout, on a
//     broken-off answer, on HTTP 5xx, on HTTP 429 and on code 1005.
//   - A refusal as too frequent (HTTP 429, code 1005) is retried for as long
//     as the caller's context lasts (see allowRetry); other failures at most
//     RetryMax times. The context passed here is the request's, which for a
//     create outlives the caller's once sent (see finishOnceSent).
//   - Creates (createbyprompt, createBySourcePrompt, createbybutton) cost
//     credits, so they are retried ONLY when Akool definitely did not act: no
//     connection, a request not completely written (httptrace's WroteRequest
//     reported an error; a failed last flush counts as possibly sent), HTTP
//     429, or code 1005. A timeout or a dropped connection after writing, or
//     a broken-off answer, becomes *UncertainError; HTTP 5xx (Akool may have
//     acted) is an *APIError with Akool's envelope, else *UncertainError.
func (ex *exchange) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if err != nil {
		ex.transportErr = err
		ex.notActed = !ex.connected.Load() || ex.wrote.Load() == wroteFailed
		retry := ex.allowRetry(!isCertError(err) && (!ex.ep.create || ex.notActed), false)
		ex.log(ctx, retry)
		return retry, nil
	}

	ex.status = resp.StatusCode
	var body []byte
	body, ex.tooLarge, ex.readErr = readBody(resp)
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if ex.readErr != nil {
		// For a create the status line already arrived: Akool acted. The
		// error is kept in ex for result.
		retry := ex.allowRetry(!ex.ep.create, false)
		ex.log(ctx, retry)
		return retry, nil //nolint:nilerr // reported by result, not by retryablehttp
	}
	if ex.tooLarge {
		ex.envErr = &APIError{HTTPStatus: ex.status, Endpoint: ex.ep.path,
			Message: fmt.Sprintf("the answer is larger than %d MiB; it was not read", maxBodyBytes>>20)}
	} else {
		ex.env, ex.envErr = decodeEnvelope(ex.ep.path, ex.status, body, ex.redact)
	}

	refused := ex.status == http.StatusTooManyRequests || IsCode(ex.envErr, CodeTooFrequent)
	if refused {
		if rate := ex.c.limiter.refuse(ex.start); rate > 0 {
			ex.c.debug(ctx, "akool refused a request as too frequent; slowing down", map[string]any{
				"path": ex.ep.path, "requests_per_second": math.Round(rate*100) / 100,
			})
		}
	} else {
		ex.c.limiter.answer()
	}
	retry := ex.allowRetry(refused || (!ex.ep.create && ex.status >= 500), refused)
	ex.log(ctx, retry)
	return retry, nil
}

// allowRetry bounds the retries of a request that may be retried. A refusal
// as too frequent is retried for as long as the caller's context lasts (and until the time
// set by RetryRefusalsFor): the request budget slows every request down
// meanwhile, and giving up would fail an apply because of the pace alone.
// Other failures are retried at most Client.retryMax times.
func (ex *exchange) allowRetry(retryable, refused bool) bool {
	if !retryable || ex.ctx.Err() != nil {
		return false
	}
	if refused {
		until, ok := ex.ctx.Value(refusalDeadlineKey{}).(time.Time)
		return !ok || time.Now().Before(until)
	}
	ex.retries++
	return ex.retries <= ex.c.retryMax
}

type refusalDeadlineKey struct{}

// RetryRefusalsFor returns a context under which requests that Akool
// refuses as too frequent (code 1005 or HTTP 429) are retried for d from
// now at the longest, and no longer only until ctx ends. A create uses it to
// give up at its resource's create timeout without putting a deadline on
// ctx, which would cut short a request Akool may be acting on. The deadline
// is real time, as the retries' waits are.
func RetryRefusalsFor(ctx context.Context, d time.Duration) context.Context {
	return context.WithValue(ctx, refusalDeadlineKey{}, time.Now().Add(d))
}

// backoff computes the wait before the next attempt: the server's
// Retry-After when present, else exponential backoff with jitter between
// RetryWaitMin and RetryWaitMax. It returns 0 to retryablehttp and leaves the
// waiting to waitBeforeRetry, which goes through the client's Sleep hook.
func (ex *exchange) backoff(lo, hi time.Duration, attemptNum int, resp *http.Response) time.Duration {
	ex.wait = backoffDuration(lo, hi, attemptNum, resp)
	return 0
}

func backoffDuration(lo, hi time.Duration, attemptNum int, resp *http.Response) time.Duration {
	if resp != nil {
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return min(d, max(maxRetryAfter, hi))
		}
	}
	d := lo
	for i := 0; i < attemptNum && d < hi; i++ {
		d *= 2
	}
	d = min(d, hi)
	// Equal jitter: half fixed, half random, never below the minimum.
	half := d / 2
	d = half + rand.N(half+1)
	return max(d, lo)
}

// parseRetryAfter reads a Retry-After header: seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		secs = min(secs, 24*60*60) // keeps the Duration from overflowing; the caller caps it further
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// waitBeforeRetry spends the wait chosen by backoff, and waits for the
// retry's turn in the request budget if that comes later; it stops at once
// when ctx ends.
func (ex *exchange) waitBeforeRetry(req *http.Request) error {
	ex.c.debug(req.Context(), "akool retry wait", map[string]any{
		"method": ex.ep.method, "path": ex.ep.path, "attempt": ex.attempt, "wait_ms": ex.wait.Milliseconds(),
	})
	if err := ex.c.limiter.waitAfter(ex.ctx, ex.c.sleep, ex.wait, ex.ep.create); err != nil {
		ex.sleepErr = err
		return err
	}
	return nil
}

func (ex *exchange) log(ctx context.Context, retry bool) {
	if ex.c.logger == nil {
		return
	}
	fields := map[string]any{
		"method":      ex.ep.method,
		"path":        ex.ep.path,
		"attempt":     ex.attempt,
		"duration_ms": time.Since(ex.start).Milliseconds(),
		"retry":       retry,
	}
	if ex.status != 0 {
		fields["status"] = ex.status
	}
	if ex.env != nil {
		fields["code"] = CodeOK
	}
	var apiErr *APIError
	if errors.As(ex.envErr, &apiErr) {
		fields["code"] = apiErr.Code
	}
	switch {
	case ex.transportErr != nil:
		fields["error"] = ex.redact(ex.transportErr.Error())
	case ex.readErr != nil:
		fields["error"] = ex.redact(ex.readErr.Error())
	}
	ex.c.debug(ctx, "akool request", fields)
}

// result turns the last attempt's outcome into the caller's answer.
func (ex *exchange) result(ctx context.Context, doErr error) (*envelope, error) {
	c, path := ex.c, ex.ep.path
	switch {
	case ex.sleepErr != nil:
		// Only a request that was safe to retry gets here, so nothing is uncertain.
		return nil, fmt.Errorf("akool %s: stopped before retrying: %w", path, ex.sleepErr)

	case ex.transportErr != nil:
		err := fmt.Errorf("akool %s: %w (%s)", path, c.redactErrIn(ex.ctx, ex.transportErr), ex.attempts())
		if ex.ep.create && !ex.notActed {
			return nil, &UncertainError{Endpoint: path, Err: err, Reason: ex.noAnswer()}
		}
		return nil, err

	case ex.readErr != nil:
		err := fmt.Errorf("akool %s: HTTP %d: reading the answer: %w", path, ex.status, c.redactErrIn(ex.ctx, ex.readErr))
		if ex.ep.create {
			return nil, &UncertainError{Endpoint: path, Err: err, Reason: "its answer broke off before it was complete"}
		}
		return nil, err

	case ex.envErr != nil:
		var apiErr *APIError
		if errors.As(ex.envErr, &apiErr) {
			apiErr.URL = c.baseURL + path
		}
		if ex.ep.create && errors.As(ex.envErr, &apiErr) && apiErr.Code == 0 &&
			(ex.status >= 500 || (ex.status >= 200 && ex.status < 300)) {
			// No business code could be read: a 5xx may come after Akool
			// acted, and a 2xx means it did, so the job may exist.
			return nil, &UncertainError{Endpoint: path, Err: ex.envErr,
				Reason: fmt.Sprintf("its answer (HTTP %d) could not be understood", ex.status)}
		}
		return nil, ex.envErr

	case ex.env != nil:
		return ex.env, nil
	}
	// retryablehttp failed before any attempt reached CheckRetry.
	if doErr == nil {
		doErr = errors.New("no attempt was made")
	}
	if ctx.Err() != nil && !errors.Is(doErr, ctx.Err()) {
		doErr = fmt.Errorf("%w: %w", ctx.Err(), doErr)
	}
	return nil, fmt.Errorf("akool %s: %w", path, c.redactErrIn(ex.ctx, doErr))
}

// noAnswer says why a create that was sent got no answer: its attempt
// timed out, or the connection closed first.
func (ex *exchange) noAnswer() string {
	var netErr net.Error
	if errors.Is(ex.transportErr, context.DeadlineExceeded) || (errors.As(ex.transportErr, &netErr) && netErr.Timeout()) {
		return fmt.Sprintf("no answer arrived within the request timeout (%s)", ex.c.httpFor(ex.ep).Timeout)
	}
	return "the connection closed before any answer arrived"
}

// attempts says how many attempts were made, and over how long.
func (ex *exchange) attempts() string {
	if ex.attempt <= 1 {
		return "1 attempt"
	}
	return fmt.Sprintf("%d attempts over %s", ex.attempt, time.Since(ex.first).Round(100*time.Millisecond))
}

// readBody reads at most maxBodyBytes of the answer and closes it. A larger
// answer is not read to its end.
func readBody(resp *http.Response) (body []byte, tooLarge bool, err error) {
	defer resp.Body.Close()
	if resp.ContentLength > maxBodyBytes {
		return nil, true, nil
	}
	body, err = io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes+1))
	if err != nil {
		return nil, false, err
	}
	if len(body) > maxBodyBytes {
		return nil, true, nil
	}
	return body, false, nil
}

// isCertError reports a TLS certificate problem, which no retry can fix.
func isCertError(err error) bool {
	var verr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	return errors.As(err, &verr) || errors.As(err, &unknownAuth) || errors.As(err, &hostErr) || errors.As(err, &invalid)
}
