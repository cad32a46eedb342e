package akool

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestNew_validation(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr string // substring; "" = valid
	}{
		{"api key", Config{APIKey: "k"}, ""},
		{"client credentials", Config{ClientID: "i", ClientSecret: "s"}, ""},
		{"token", Config{Token: "t"}, ""},
		{"nothing", Config{}, "no credentials"},
		{"blank key counts as unset", Config{APIKey: "   "}, "no credentials"},
		{"id without secret", Config{ClientID: "i"}, "ClientSecret is empty"},
		{"secret without id", Config{ClientSecret: "s"}, "ClientID is empty"},
		{"key and token", Config{APIKey: "k", Token: "t"}, "APIKey and Token"},
		{"key and pair", Config{APIKey: "k", ClientID: "i", ClientSecret: "s"}, "APIKey and ClientID/ClientSecret"},
		{"all three", Config{APIKey: "k", ClientID: "i", ClientSecret: "s", Token: "t"}, "conflicting"},
		{"newline in key", Config{APIKey: "k\n"}, "APIKey contains control characters"},
		{"newline in token", Config{Token: "t\r\n"}, "Token contains control characters"},
		{"base url", Config{APIKey: "k", BaseURL: "http://127.0.0.1:8787/"}, ""},
		{"base url with prefix", Config{APIKey: "k", BaseURL: "https://proxy.example/akool"}, ""},
		{"relative base url", Config{APIKey: "k", BaseURL: "openapi.akool.com"}, "http:// or https://"},
		{"ftp base url", Config{APIKey: "k", BaseURL: "ftp://openapi.akool.com"}, "http:// or https://"},
		{"base url without host", Config{APIKey: "k", BaseURL: "https://"}, "no host"},
		{"base url with query", Config{APIKey: "k", BaseURL: "https://a.example/?x=1"}, "query"},
		{"base url with user", Config{APIKey: "k", BaseURL: "https://u:p@a.example/"}, "user information"},
		{"unparsable base url", Config{APIKey: "k", BaseURL: "http://[::1"}, "not a valid URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.cfg)
			if tt.wantErr == "" {
				if err != nil || c == nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("New accepted the config; want an error containing %q", tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestNew_defaults(t *testing.T) {
	c, err := New(Config{APIKey: "k", BaseURL: "http://127.0.0.1:1/"})
	if err != nil {
		t.Fatal(err)
	}
	if c.baseURL != "http://127.0.0.1:1" {
		t.Errorf("baseURL = %q, want the trailing slash trimmed", c.baseURL)
	}
	if c.userAgent != "terraform-provider-akool/dev" {
		t.Errorf("userAgent = %q", c.userAgent)
	}
	if c.retryMax != 6 || c.retryWaitMin != 250*time.Millisecond || c.retryWaitMax != 8*time.Second {
		t.Errorf("retry defaults = %d, %v, %v", c.retryMax, c.retryWaitMin, c.retryWaitMax)
	}
	if c.http.Timeout != 30*time.Second {
		t.Errorf("request timeout = %v", c.http.Timeout)
	}
	if c.http == http.DefaultClient || c.http.Transport == nil || c.http.Transport == http.DefaultTransport {
		t.Error("the client must have its own http.Client and transport")
	}

	d, err := New(Config{APIKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	if d.baseURL != DefaultBaseURL {
		t.Errorf("baseURL = %q, want %q", d.baseURL, DefaultBaseURL)
	}

	neg, err := New(Config{APIKey: "k", RetryMax: -1})
	if err != nil {
		t.Fatal(err)
	}
	if neg.retryMax != 0 {
		t.Errorf("RetryMax -1 gave %d retries, want 0", neg.retryMax)
	}

	tr := &http.Transport{}
	own, err := New(Config{APIKey: "k", HTTPClient: &http.Client{Transport: tr}, RequestTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if own.http.Transport != tr || own.http.Timeout != time.Second {
		t.Error("the given HTTPClient's transport and the RequestTimeout must be used")
	}
}

func TestAuth_apiKeyHeaders(t *testing.T) {
	srv, _ := server(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		if got := r.Header.Get("X-Api-Key"); got != testKey {
			t.Errorf("%s: x-api-key = %q", r.URL.Path, got)
		}
		if _, has := r.Header["Authorization"]; has {
			t.Errorf("%s: Authorization sent with an API key", r.URL.Path)
		}
		if got := r.Header.Get("User-Agent"); got != "terraform-provider-akool/1.2.3 (+terraform 1.11.4)" {
			t.Errorf("%s: User-Agent = %q", r.URL.Path, got)
		}
		switch r.Method {
		case http.MethodPost:
			if got := r.Header.Get("Content-Type"); got != "application/json" {
				t.Errorf("%s: Content-Type = %q", r.URL.Path, got)
			}
			writeJSON(w, 200, ok(v3CreateData))
		case http.MethodGet:
			if got := r.Header.Get("Content-Type"); got != "" {
				t.Errorf("%s: GET with Content-Type %q", r.URL.Path, got)
			}
			writeJSON(w, 200, ok(`{"credit":10}`))
		}
	})
	c, _ := newClient(t, srv.URL, func(cfg *Config) { cfg.UserAgent = "terraform-provider-akool/1.2.3 (+terraform 1.11.4)" })
	if _, err := c.CreateV3(context.Background(), CreateV3Request{Prompt: "p"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Credit(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestAuth_tokenHeaders(t *testing.T) {
	srv, cnt := server(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		if got := r.Header.Get("Authorization"); got != "Bearer ready-token" {
			t.Errorf("Authorization = %q", got)
		}
		if _, has := r.Header["X-Api-Key"]; has {
			t.Error("x-api-key sent with a token")
		}
		writeJSON(w, 200, ok(`{"credit":10}`))
	})
	c, _ := newClient(t, srv.URL, func(cfg *Config) { cfg.APIKey, cfg.Token = "", "ready-token" })
	if _, err := c.Credit(context.Background()); err != nil {
		t.Fatal(err)
	}
	if cnt.get(epGetToken.path) != 0 {
		t.Error("a ready token must not call getToken")
	}
}

// tokenServer answers getToken with tokens[n-1] (the last one repeats) and
// accepts on other paths only the bearer token accepted(token) approves;
// refusals are code 1101.
func tokenServer(t *testing.T, tokens []string, accepted func(string) bool, getTokenDelay time.Duration) (*httptest.Server, *counter) {
	t.Helper()
	srv, cnt := server(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if r.URL.Path == epGetToken.path {
			if _, has := r.Header["Authorization"]; has {
				t.Error("getToken sent an Authorization header")
			}
			if _, has := r.Header["X-Api-Key"]; has {
				t.Error("getToken sent an x-api-key header")
			}
			body := decodeBody(t, r)
			if len(body) != 2 || body["clientId"] != "cid" || body["clientSecret"] != "csecret" {
				t.Errorf("getToken body = %v", body)
			}
			time.Sleep(getTokenDelay)
			writeJSON(w, 200, `{"code":1000,"token":"`+tokens[min(n, len(tokens))-1]+`"}`)
			return
		}
		if _, has := r.Header["X-Api-Key"]; has {
			t.Error("x-api-key sent with client credentials")
		}
		tok, found := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !found || !accepted(tok) {
			writeJSON(w, 200, `{"code":1101,"msg":"Invalid authorization or The request token has expired"}`)
			return
		}
		if r.Method == http.MethodPost {
			writeJSON(w, 200, ok(v3CreateData))
			return
		}
		writeJSON(w, 200, ok(`{"credit":10}`))
	})
	return srv, cnt
}

func credentials(cfg *Config) { cfg.APIKey, cfg.ClientID, cfg.ClientSecret = "", "cid", "csecret" }

func TestAuth_clientCredentials_tokenFetchedOnce(t *testing.T) {
	srv, cnt := tokenServer(t, []string{"tok-1"}, func(s string) bool { return s == "tok-1" }, 50*time.Millisecond)
	c, _ := newClient(t, srv.URL, credentials)

	const n = 24
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			_, err := c.Credit(context.Background())
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if got := cnt.get(epGetToken.path); got != 1 {
		t.Errorf("getToken called %d times for %d concurrent requests, want 1", got, n)
	}
	if got := cnt.get(epCredit.path); got != n {
		t.Errorf("credit requests = %d, want %d", got, n)
	}
	if _, err := c.Credit(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := cnt.get(epGetToken.path); got != 1 {
		t.Errorf("getToken called again (%d) although the token is cached", got)
	}
}

func TestAuth_clientCredentials_refreshOnceOn1101(t *testing.T) {
	srv, cnt := tokenServer(t, []string{"tok-1", "tok-2"}, func(s string) bool { return s == "tok-2" }, 0)
	c, _ := newClient(t, srv.URL, credentials)

	// A create refused for its token is re-sent with the new token.
	img, err := c.CreateV3(context.Background(), CreateV3Request{Prompt: "p"})
	if err != nil {
		t.Fatal(err)
	}
	if img.ID != testID {
		t.Errorf("id = %q", img.ID)
	}
	if got := cnt.get(epGetToken.path); got != 2 {
		t.Errorf("getToken calls = %d, want 2 (initial + one refresh)", got)
	}
	if got := cnt.get(epCreateV3.path); got != 2 {
		t.Errorf("create sent %d times, want 2 (refused, then accepted)", got)
	}
	if _, err := c.Credit(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := cnt.get(epGetToken.path); got != 2 {
		t.Errorf("getToken calls = %d after the refresh, want the new token reused", got)
	}
}

func TestAuth_clientCredentials_refreshOnlyOnce(t *testing.T) {
	// getToken hands out the same token every time (tokens live for a year)
	// and Akool keeps refusing it: one refresh, one re-send, then the error.
	srv, cnt := tokenServer(t, []string{"tok-1"}, func(string) bool { return false }, 0)
	c, _ := newClient(t, srv.URL, credentials)
	_, err := c.CreateV3(context.Background(), CreateV3Request{Prompt: "p"})
	if !IsCode(err, CodeInvalidToken) {
		t.Fatalf("err = %v, want code 1101", err)
	}
	if got := cnt.get(epGetToken.path); got != 2 {
		t.Errorf("getToken calls = %d, want 2", got)
	}
	if got := cnt.get(epCreateV3.path); got != 2 {
		t.Errorf("create sent %d times, want 2", got)
	}
}

func TestAuth_clientCredentials_concurrentRefresh(t *testing.T) {
	srv, cnt := tokenServer(t, []string{"tok-1", "tok-2", "tok-3"}, func(s string) bool { return s != "tok-1" }, 30*time.Millisecond)
	c, _ := newClient(t, srv.URL, credentials)
	if _, _, err := c.bearerToken(context.Background(), 0); err != nil { // everyone starts with tok-1
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			if _, err := c.Credit(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := cnt.get(epGetToken.path); got != 2 {
		t.Errorf("getToken calls = %d, want 2: 16 refusals of one token share one refresh", got)
	}
}

func TestAuth_clientCredentials_leaderCancelled(t *testing.T) {
	release := make(chan struct{})
	srv, cnt := server(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if r.URL.Path == epGetToken.path {
			if n == 1 {
				close(release)
				hang(r) // until the first caller gives up
				return
			}
			writeJSON(w, 200, `{"code":1000,"token":"tok"}`)
			return
		}
		writeJSON(w, 200, ok(`{"credit":10}`))
	})
	c, _ := newClient(t, srv.URL, credentials)

	ctx, cancel := context.WithCancel(context.Background())
	first := make(chan error, 1)
	go func() { _, err := c.Credit(ctx); first <- err }()
	<-release // the first caller is fetching the token
	second := make(chan error, 1)
	go func() { _, err := c.Credit(context.Background()); second <- err }()
	time.Sleep(20 * time.Millisecond) // let the second caller queue behind the first
	cancel()

	if err := <-first; !errors.Is(err, context.Canceled) {
		t.Errorf("first caller: err = %v, want context.Canceled", err)
	}
	if err := <-second; err != nil {
		t.Errorf("second caller must fetch the token itself once the first gave up: %v", err)
	}
	if got := cnt.get(epGetToken.path); got != 2 {
		t.Errorf("getToken calls = %d, want 2", got)
	}
}

func TestAuth_getTokenFailure(t *testing.T) {
	srv, cnt := server(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		if r.URL.Path == epGetToken.path {
			writeJSON(w, 200, `{"code":1101,"msg":"clientId or clientSecret is invalid"}`)
			return
		}
		writeJSON(w, 200, ok(`{"credit":10}`))
	})
	c, _ := newClient(t, srv.URL, credentials)
	_, err := c.Credit(context.Background())
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Code != CodeInvalidToken || apiErr.Endpoint != epGetToken.path {
		t.Fatalf("err = %v, want a 1101 *APIError from getToken", err)
	}
	if got := cnt.get(epCredit.path); got != 0 {
		t.Errorf("the request went out %d times without a token", got)
	}
	if got := cnt.get(epGetToken.path); got != 1 {
		t.Errorf("getToken calls = %d; a refused exchange must not be retried", got)
	}

	// A success without a token is an error too.
	srv2, _ := server(t, func(w http.ResponseWriter, r *http.Request, _ int) { writeJSON(w, 200, `{"code":1000,"msg":"OK"}`) })
	c2, _ := newClient(t, srv2.URL, credentials)
	if _, err := c2.Credit(context.Background()); err == nil || !strings.Contains(err.Error(), "without a token") {
		t.Errorf("err = %v, want a missing-token error", err)
	}
}

func TestAuth_tokenInData(t *testing.T) {
	srv, _ := server(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		if r.URL.Path == epGetToken.path {
			writeJSON(w, 200, `{"code":1000,"msg":"OK","data":{"token":"tok-d"}}`)
			return
		}
		if got := r.Header.Get("Authorization"); got != "Bearer tok-d" {
			t.Errorf("Authorization = %q", got)
		}
		writeJSON(w, 200, ok(`{"credit":10}`))
	})
	c, _ := newClient(t, srv.URL, credentials)
	if _, err := c.Credit(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestAuth_readyToken1101NotRefreshed(t *testing.T) {
	srv, cnt := server(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		writeJSON(w, 200, `{"code":1101,"msg":"token expired"}`)
	})
	c, _ := newClient(t, srv.URL, func(cfg *Config) { cfg.APIKey, cfg.Token = "", "ready" })
	_, err := c.CreateV3(context.Background(), CreateV3Request{Prompt: "p"})
	if !IsCode(err, CodeInvalidToken) {
		t.Fatalf("err = %v, want 1101", err)
	}
	if cnt.get(epCreateV3.path) != 1 || cnt.get(epGetToken.path) != 0 {
		t.Errorf("create sent %d times, getToken %d times; want 1 and 0", cnt.get(epCreateV3.path), cnt.get(epGetToken.path))
	}
}

func TestRedirectNotFollowed(t *testing.T) {
	other, otherCnt := server(t, func(w http.ResponseWriter, r *http.Request, _ int) { writeJSON(w, 200, ok(`{"credit":1}`)) })
	srv, _ := server(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusFound)
	})
	c, _ := newClient(t, srv.URL, nil)
	_, err := c.Credit(context.Background())
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.HTTPStatus != http.StatusFound || apiErr.Code != 0 {
		t.Fatalf("err = %v, want an *APIError for HTTP 302", err)
	}
	if otherCnt.get(epCredit.path) != 0 {
		t.Error("the redirect was followed, carrying the API key elsewhere")
	}
}

func TestLogger_fields(t *testing.T) {
	srv, _ := server(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			writeJSON(w, 503, `{"code":1108,"msg":"busy"}`)
			return
		}
		writeJSON(w, 200, ok(`{"credit":10}`))
	})
	log := &recordingLogger{}
	c, _ := newClient(t, srv.URL, func(cfg *Config) { cfg.Logger = log })
	if _, err := c.Credit(context.Background()); err != nil {
		t.Fatal(err)
	}
	var requests []logLine
	for _, l := range log.all() {
		if l.msg == "akool request" {
			requests = append(requests, l)
		}
	}
	if len(requests) != 2 {
		t.Fatalf("logged %d request lines, want 2: %v", len(requests), log.all())
	}
	first, second := requests[0].fields, requests[1].fields
	if first["method"] != "GET" || first["path"] != epCredit.path || first["status"] != 503 ||
		first["code"] != 1108 || first["attempt"] != 1 || first["retry"] != true {
		t.Errorf("first line = %v", first)
	}
	if second["status"] != 200 || second["code"] != 1000 || second["attempt"] != 2 || second["retry"] != false {
		t.Errorf("second line = %v", second)
	}
	if _, has := first["duration_ms"]; !has {
		t.Error("no duration logged")
	}
}

func TestAuth_getTokenFailureShared(t *testing.T) {
	srv, cnt := server(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		if r.URL.Path == epGetToken.path {
			time.Sleep(50 * time.Millisecond)
			writeJSON(w, 200, `{"code":1101,"msg":"clientSecret is invalid"}`)
			return
		}
		writeJSON(w, 200, ok(`{"credit":10}`))
	})
	c, _ := newClient(t, srv.URL, credentials)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := c.Credit(context.Background()); !IsCode(err, CodeInvalidToken) {
				t.Errorf("err = %v, want 1101", err)
			}
		})
	}
	wg.Wait()
	if got := cnt.get(epGetToken.path); got != 1 {
		t.Errorf("getToken calls = %d, want 1 shared by the concurrent callers", got)
	}
	// A failure is not cached: the next call asks again.
	_, _ = c.Credit(context.Background())
	if got := cnt.get(epGetToken.path); got != 2 {
		t.Errorf("getToken calls = %d, want 2", got)
	}
}

func TestAuth_getTokenUnusableToken(t *testing.T) {
	srv, cnt := server(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		writeJSON(w, 200, `{"code":1000,"token":"abc\r\nX-Injected: 1"}`)
	})
	c, _ := newClient(t, srv.URL, credentials)
	_, err := c.Credit(context.Background())
	if err == nil || !strings.Contains(err.Error(), "cannot be sent in a header") {
		t.Errorf("err = %v", err)
	}
	if cnt.get(epCredit.path) != 0 {
		t.Error("a request went out with an unusable token")
	}
}

func TestSleepContext(t *testing.T) {
	if err := sleepContext(context.Background(), 5*time.Millisecond); err != nil {
		t.Errorf("err = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := sleepContext(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if err := sleepContext(ctx, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("zero wait on a done context: err = %v", err)
	}
}
