// Package akool is a small client for Akool's image generation OpenAPI: the
// v3 and v4 create calls, the upscale/variation buttons, reading a job, the
// credit balance and the token exchange. It speaks Go structs and typed errors
// (*APIError, *UncertainError, *JobFailedError) and has no Terraform types in it.
package akool

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/go-cleanhttp"
)

// DefaultBaseURL is Akool's OpenAPI address.
const DefaultBaseURL = "https://openapi.akool.com"

// DefaultRequestTimeout bounds each attempt of a request that spends
// nothing (a read, the credit balance, getToken) when Config.RequestTimeout
// is 0.
const DefaultRequestTimeout = 30 * time.Second

// DefaultPaidRequestTimeout bounds each attempt of a paid request (a create,
// a button press) when Config.PaidRequestTimeout is 0; once sent, it alone
// bounds the request. Its answer carries the id of a job Akool has charged
// for, so the client waits for it longer than any HTTP gateway in front of
// an API keeps a request open (Cloudflare's default is 100 seconds): a slow
// answer comes, or the gateway's own error does, before this ends.
const DefaultPaidRequestTimeout = 2 * time.Minute

const (
	defaultUserAgent    = "terraform-provider-akool/dev"
	defaultRetryMax     = 6
	defaultRetryWaitMin = 250 * time.Millisecond
	defaultRetryWaitMax = 8 * time.Second
)

// Logger receives debug lines about requests; fields never carry secrets.
type Logger interface {
	Debug(ctx context.Context, msg string, fields map[string]any)
}

// Config configures a Client. Exactly one authentication method must be
// complete: APIKey; ClientID with ClientSecret; or Token.
type Config struct {
	BaseURL        string        // default DefaultBaseURL; trailing slash tolerated
	APIKey         string        // sent as x-api-key
	ClientID       string        // with ClientSecret: exchanged once via getToken for a bearer token
	ClientSecret   string        //
	Token          string        // a ready bearer token
	UserAgent      string        // full User-Agent value; default "terraform-provider-akool/dev"
	HTTPClient     *http.Client  // optional base client (its Transport is reused); nil = a fresh cleanhttp pooled client
	RequestTimeout time.Duration // per attempt of a request that spends nothing; default DefaultRequestTimeout (30s)
	// PaidRequestTimeout bounds each attempt of a create or button press;
	// default DefaultPaidRequestTimeout (2m). It alone bounds one once
	// sent: ending ctx does not cut it short.
	PaidRequestTimeout time.Duration
	RetryMax           int           // max retries for safe-to-retry requests; default 6; negative = 0. Refusals as too frequent (1005, HTTP 429) do not count: they are retried while ctx lasts
	RetryWaitMin       time.Duration // default 250ms
	RetryWaitMax       time.Duration // default 8s
	Logger             Logger        // optional
	Poll               PollPolicy    // optional, used by Wait; nil = LearnedPoll(), one per Client

	// MaxRequestsPerSecond caps the requests the client sends, all kinds
	// and retries together. 0 lets the client send freely until Akool
	// refuses a request as too frequent, and then adapt; with a cap it
	// adapts below the cap the same way. Negative counts as 0.
	MaxRequestsPerSecond float64

	// Sleep waits between retries, between status reads in Wait, and for
	// a request's turn in the request budget. It must
	// return ctx.Err() when ctx ends first. Optional, for tests; the default
	// waits on a timer or ctx.Done().
	Sleep func(ctx context.Context, d time.Duration) error

	// Now tells the time for the bounds of Wait (how long a new job may be
	// unknown, how long failing reads and missing single images are
	// waited for). Optional, for tests, with Sleep; default time.Now.
	Now func() time.Time

	// SinglesGrace bounds how long Wait keeps reading a completed grid for
	// its single images (see WaitOptions.Grid). 0 means
	// DefaultSinglesGrace; negative means not at all.
	SinglesGrace time.Duration
}

type authMethod int

const (
	authAPIKey authMethod = iota + 1
	authClientCredentials
	authToken
)

// Client talks to Akool. It is safe for concurrent use.
type Client struct {
	baseURL   string // scheme, host and optional path prefix, without trailing slash
	auth      authMethod
	apiKey    string
	clientID  string
	secret    string
	token     string // the ready token (authToken)
	userAgent string

	http         *http.Client // for requests that spend nothing
	paidHTTP     *http.Client // for creates and button presses: the same transport, a longer timeout
	retryMax     int
	retryWaitMin time.Duration
	retryWaitMax time.Duration
	logger       Logger
	poll         PollPolicy
	sleep        func(ctx context.Context, d time.Duration) error
	now          func() time.Time
	singlesGrace time.Duration

	tokens  tokenCache  // the fetched token (authClientCredentials)
	created createdJobs // jobs created and not yet waited for
	limiter *limiter    // the request budget
}

// New validates the config and returns a client. It needs exactly one
// complete authentication method; errors name the fields involved, never
// their values.
func New(cfg Config) (*Client, error) {
	method, err := authMethodOf(cfg)
	if err != nil {
		return nil, err
	}
	base, err := parseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}

	c := &Client{
		baseURL:      base,
		auth:         method,
		userAgent:    cfg.UserAgent,
		retryMax:     cfg.RetryMax,
		retryWaitMin: cfg.RetryWaitMin,
		retryWaitMax: cfg.RetryWaitMax,
		logger:       cfg.Logger,
		poll:         cfg.Poll,
		sleep:        cfg.Sleep,
		now:          cfg.Now,
		singlesGrace: cfg.SinglesGrace,
		limiter:      newLimiter(cfg.MaxRequestsPerSecond, nil),
	}
	switch method {
	case authAPIKey:
		c.apiKey = cfg.APIKey
	case authClientCredentials:
		c.clientID, c.secret = cfg.ClientID, cfg.ClientSecret
	case authToken:
		c.token = cfg.Token
	}
	if c.userAgent == "" {
		c.userAgent = defaultUserAgent
	}
	if strings.ContainsFunc(c.userAgent, isControl) {
		return nil, errors.New("akool: UserAgent contains control characters")
	}
	switch {
	case c.retryMax == 0:
		c.retryMax = defaultRetryMax
	case c.retryMax < 0:
		c.retryMax = 0
	}
	if c.retryWaitMin <= 0 {
		c.retryWaitMin = defaultRetryWaitMin
	}
	if c.retryWaitMax <= 0 {
		c.retryWaitMax = defaultRetryWaitMax
	}
	if c.retryWaitMax < c.retryWaitMin {
		c.retryWaitMax = c.retryWaitMin
	}
	if c.poll == nil {
		p := newLearnedPoll(rand.Uint64())
		p.budget = c.limiter.backlog
		c.poll = p
	}
	if c.sleep == nil {
		c.sleep = sleepContext
	}
	if c.now == nil {
		c.now = time.Now
	}
	switch {
	case c.singlesGrace == 0:
		c.singlesGrace = DefaultSinglesGrace
	case c.singlesGrace < 0:
		c.singlesGrace = 0
	}

	var transport http.RoundTripper
	if cfg.HTTPClient != nil {
		transport = cfg.HTTPClient.Transport
	}
	if transport == nil {
		transport = cleanhttp.DefaultPooledTransport()
	}
	c.http = newHTTPClient(transport, cfg.RequestTimeout, DefaultRequestTimeout)
	c.paidHTTP = newHTTPClient(transport, cfg.PaidRequestTimeout, DefaultPaidRequestTimeout)
	return c, nil
}

// newHTTPClient is an http.Client on transport whose attempts each last at
// most timeout, or def when timeout is not positive.
func newHTTPClient(transport http.RoundTripper, timeout, def time.Duration) *http.Client {
	if timeout <= 0 {
		timeout = def
	}
	return &http.Client{
		Transport: transport,
		Timeout:   timeout, // http.Client applies it to each attempt: connect, send, headers and body
		// Akool's API does not redirect. Following a redirect could carry
		// the x-api-key header to another host, so the 3xx answer is
		// returned as it is and reported as an error.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// httpFor is the http.Client for a request to ep: a paid request gets the
// longer timeout.
func (c *Client) httpFor(ep endpoint) *http.Client {
	if ep.create {
		return c.paidHTTP
	}
	return c.http
}

// authMethodOf picks the one complete authentication method in cfg. Blank
// values count as unset.
func authMethodOf(cfg Config) (authMethod, error) {
	set := func(v string) bool { return strings.TrimSpace(v) != "" }
	hasID, hasSecret := set(cfg.ClientID), set(cfg.ClientSecret)
	switch {
	case hasID && !hasSecret:
		return 0, errors.New("akool: ClientID is set but ClientSecret is empty; the two go together")
	case hasSecret && !hasID:
		return 0, errors.New("akool: ClientSecret is set but ClientID is empty; the two go together")
	}

	var given []string
	var method authMethod
	if set(cfg.APIKey) {
		given, method = append(given, "APIKey"), authAPIKey
	}
	if hasID {
		given, method = append(given, "ClientID/ClientSecret"), authClientCredentials
	}
	if set(cfg.Token) {
		given, method = append(given, "Token"), authToken
	}
	switch len(given) {
	case 0:
		return 0, errors.New("akool: no credentials: set APIKey, or ClientID and ClientSecret, or Token")
	case 1:
	default:
		return 0, fmt.Errorf("akool: conflicting credentials: %s are set; set exactly one of APIKey, ClientID/ClientSecret, Token", strings.Join(given, " and "))
	}

	// Header values cannot carry control characters (a trailing newline
	// from a file is the usual cause); say so instead of failing later.
	for _, f := range []struct{ name, value string }{
		{"APIKey", cfg.APIKey}, {"ClientID", cfg.ClientID}, {"ClientSecret", cfg.ClientSecret}, {"Token", cfg.Token},
	} {
		if strings.ContainsFunc(f.value, isControl) {
			return 0, fmt.Errorf("akool: %s contains control characters (a trailing newline?)", f.name)
		}
	}
	return method, nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// parseBaseURL checks that raw is an absolute http(s) URL and returns it
// without a trailing slash.
func parseBaseURL(raw string) (string, error) {
	if strings.TrimSpace(raw) == "" {
		return DefaultBaseURL, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("akool: BaseURL is not a valid URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("akool: BaseURL must start with http:// or https://, got scheme %q", u.Scheme)
	}
	if u.Host == "" {
		return "", errors.New("akool: BaseURL has no host")
	}
	if u.User != nil {
		return "", errors.New("akool: BaseURL must not carry user information")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", errors.New("akool: BaseURL must not have a query or fragment")
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// secrets lists the credential values that must never appear in an error or
// a log line, including the token fetched from getToken.
func (c *Client) secrets() []string {
	out := make([]string, 0, 5)
	for _, s := range []string{c.apiKey, c.secret, c.clientID, c.token, c.tokens.current()} {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// redact replaces every credential value in s.
func (c *Client) redact(s string) string {
	for _, secret := range c.secrets() {
		s = strings.ReplaceAll(s, secret, "[redacted]")
	}
	return s
}

// redactedError carries the text of err with the credentials removed, while
// errors.Is and errors.As still see err.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

func (c *Client) debug(ctx context.Context, msg string, fields map[string]any) {
	if c.logger != nil {
		c.logger.Debug(ctx, msg, fields)
	}
}

// sleepContext waits for d or until ctx ends, whichever comes first.
func sleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
