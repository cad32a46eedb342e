package akool

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// drop closes the connection without an answer, after reading the request.
func drop(t *testing.T, w http.ResponseWriter, r *http.Request) {
	t.Helper()
	_, _ = io.Copy(io.Discard, r.Body)
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	conn.Close()
}

func TestRead_retriesTransientFaults(t *testing.T) {
	tests := []struct {
		name    string
		fault   func(t *testing.T, w http.ResponseWriter, r *http.Request)
		refusal bool
	}{
		{"HTTP 500 with envelope", func(_ *testing.T, w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, 500, `{"code":1108,"msg":"internal"}`)
		}, false},
		{"HTTP 502 HTML", func(_ *testing.T, w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(502)
			_, _ = io.WriteString(w, "<html>bad gateway</html>")
		}, false},
		{"HTTP 429", func(_ *testing.T, w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, 429, `{"code":1005,"msg":"slow down"}`)
		}, true},
		{"code 1005 at HTTP 200", func(_ *testing.T, w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, 200, `{"code":1005,"msg":"Too frequent"}`)
		}, true},
		{"dropped connection", drop, false},
		{"answer cut short", func(_ *testing.T, w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Length", "500")
			w.WriteHeader(200)
			_, _ = io.WriteString(w, `{"code":1000,"msg":"OK","da`)
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, cnt := server(t, func(w http.ResponseWriter, r *http.Request, n int) {
				if n <= 2 {
					tt.fault(t, w, r)
					return
				}
				writeJSON(w, 200, ok(statusData(2)))
			})
			c, sleep := newClient(t, srv.URL, nil) // RetryMax 3
			img, err := c.GetImage(context.Background(), testID)
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if img.Status != StatusProcessing {
				t.Errorf("status = %v", img.Status)
			}
			if got := cnt.get(epImage.path); got != 3 {
				t.Errorf("requests = %d, want 3", got)
			}
			// A refusal also slows the request budget down: those retries
			// wait for their turn after their backoff, a wait of its own.
			var waits []time.Duration
			for _, d := range sleep.all() {
				if !tt.refusal || d < 100*time.Millisecond {
					waits = append(waits, d)
				}
			}
			if len(waits) != 2 {
				t.Fatalf("backoff waits = %v (all waits %v), want 2", waits, sleep.all())
			}
			for _, d := range waits {
				if d < time.Millisecond || d > 4*time.Millisecond {
					t.Errorf("wait %v outside [RetryWaitMin, RetryWaitMax]", d)
				}
			}
		})
	}
}

func TestRead_givesUpAfterRetryMax(t *testing.T) {
	tests := []struct {
		name   string
		fault  func(t *testing.T, w http.ResponseWriter, r *http.Request)
		check  func(t *testing.T, err error)
		create bool
	}{
		{"HTTP 503 HTML", func(_ *testing.T, w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(503)
			_, _ = io.WriteString(w, "upstream unavailable")
		}, func(t *testing.T, err error) {
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.Code != 0 || apiErr.HTTPStatus != 503 ||
				!strings.Contains(apiErr.Message, "Service Unavailable") || !strings.Contains(apiErr.Message, "upstream unavailable") {
				t.Errorf("err = %v, want a Code 0 APIError naming HTTP 503 and quoting the body", err)
			}
		}, false},
		{"dropped connection", drop, func(t *testing.T, err error) {
			var apiErr *APIError
			if err == nil || errors.As(err, &apiErr) || !strings.Contains(err.Error(), epImage.path) {
				t.Errorf("err = %v, want a network error naming the endpoint", err)
			}
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, cnt := server(t, func(w http.ResponseWriter, r *http.Request, _ int) { tt.fault(t, w, r) })
			c, sleep := newClient(t, srv.URL, func(cfg *Config) { cfg.RetryMax = 2 })
			_, err := c.GetImage(context.Background(), testID)
			tt.check(t, err)
			if got := cnt.get(epImage.path); got != 3 {
				t.Errorf("requests = %d, want 1 + RetryMax = 3", got)
			}
			if got := len(sleep.all()); got != 2 {
				t.Errorf("waits = %d, want 2", got)
			}
		})
	}

	t.Run("RetryMax negative means no retry", func(t *testing.T) {
		srv, cnt := server(t, func(w http.ResponseWriter, _ *http.Request, _ int) { writeJSON(w, 500, `{"code":1108,"msg":"x"}`) })
		c, _ := newClient(t, srv.URL, func(cfg *Config) { cfg.RetryMax = -1 })
		if _, err := c.Credit(context.Background()); !IsCode(err, CodeGenerationError) {
			t.Errorf("err = %v", err)
		}
		if got := cnt.get(epCredit.path); got != 1 {
			t.Errorf("requests = %d, want 1", got)
		}
	})
}

func TestRead_honoursRetryAfter(t *testing.T) {
	srv, cnt := server(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n == 1 {
			w.Header().Set("Retry-After", "7")
			writeJSON(w, 429, `{"code":1005,"msg":"Too frequent"}`)
			return
		}
		if n == 2 {
			w.Header().Set("Retry-After", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat))
			writeJSON(w, 503, `{"code":1108,"msg":"later"}`)
			return
		}
		writeJSON(w, 200, ok(`{"credit":3}`))
	})
	c, sleep := newClient(t, srv.URL, nil)
	if _, err := c.Credit(context.Background()); err != nil {
		t.Fatal(err)
	}
	waits := sleep.all()
	if len(waits) != 2 || waits[0] != 7*time.Second {
		t.Fatalf("waits = %v, want 7s first (Retry-After: 7)", waits)
	}
	if waits[1] != 2*time.Minute {
		t.Errorf("an HTTP-date Retry-After one hour away waited %v, want the 2m cap", waits[1])
	}
	if cnt.get(epCredit.path) != 3 {
		t.Errorf("requests = %d", cnt.get(epCredit.path))
	}
}

func TestBackoffDuration(t *testing.T) {
	lo, hi := 100*time.Millisecond, 2*time.Second
	for attempt := range 40 {
		want := min(hi, lo<<min(attempt, 20))
		for range 20 {
			d := backoffDuration(lo, hi, attempt, nil)
			if d < lo || d > hi || d < want/2 || d > want {
				t.Fatalf("attempt %d: wait %v outside [%v, %v]", attempt, d, max(lo, want/2), want)
			}
		}
	}
	// Large waits must not overflow into negative durations.
	for attempt := range 70 {
		if d := backoffDuration(time.Minute, time.Hour, attempt, nil); d < time.Minute || d > time.Hour {
			t.Fatalf("attempt %d: wait %v outside [1m, 1h]", attempt, d)
		}
	}
	resp := &http.Response{Header: http.Header{"Retry-After": {"-3"}}}
	if d := backoffDuration(lo, hi, 0, resp); d > lo {
		t.Errorf("a negative Retry-After must be ignored, got %v", d)
	}
	resp.Header.Set("Retry-After", "99999999999999")
	if d := backoffDuration(lo, hi, 0, resp); d != maxRetryAfter {
		t.Errorf("a huge Retry-After gave %v, want the cap", d)
	}
}

func TestRead_timeoutIsRetried(t *testing.T) {
	srv, cnt := server(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			hang(r)
			return
		}
		writeJSON(w, 200, ok(`{"credit":5}`))
	})
	c, _ := newClient(t, srv.URL, func(cfg *Config) { cfg.RequestTimeout = 150 * time.Millisecond })
	credit, err := c.Credit(context.Background())
	if err != nil || credit != 5 {
		t.Fatalf("credit = %v, err = %v", credit, err)
	}
	if cnt.get(epCredit.path) != 2 {
		t.Errorf("requests = %d, want 2", cnt.get(epCredit.path))
	}
}

func TestRead_tooLargeAnswer(t *testing.T) {
	for _, declared := range []bool{true, false} {
		srv, cnt := server(t, func(w http.ResponseWriter, r *http.Request, _ int) {
			if declared {
				w.Header().Set("Content-Length", "10485760")
				w.WriteHeader(200)
				_, _ = io.WriteString(w, `{"code":1000,`)
				_ = http.NewResponseController(w).Flush()
				hang(r)
				return
			}
			w.WriteHeader(200)
			chunk := []byte(`{"code":1000,"msg":"` + strings.Repeat("x", 64<<10))
			for range 80 { // 5 MiB, then hold the connection open
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
			hang(r)
		})
		c, _ := newClient(t, srv.URL, nil)
		start := time.Now()
		_, err := c.Credit(context.Background())
		if err == nil || !strings.Contains(err.Error(), "larger than 4 MiB") {
			t.Errorf("declared=%v: err = %v, want a too-large error", declared, err)
		}
		if time.Since(start) > time.Second {
			t.Errorf("declared=%v: took %v; the client must stop reading at the limit", declared, time.Since(start))
		}
		if cnt.get(epCredit.path) != 1 {
			t.Errorf("declared=%v: a too-large answer was retried (%d requests)", declared, cnt.get(epCredit.path))
		}
	}
}

func TestRead_cancellationStopsRetries(t *testing.T) {
	first := make(chan struct{})
	srv, cnt := server(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n == 1 {
			close(first)
		}
		writeJSON(w, 503, `{"code":1108,"msg":"busy"}`)
	})
	// The real sleep, with waits far longer than the test may take.
	c, _ := newClient(t, srv.URL, func(cfg *Config) {
		cfg.Sleep, cfg.RetryWaitMin, cfg.RetryWaitMax = nil, 10*time.Second, 10*time.Second
	})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-first; time.Sleep(30 * time.Millisecond); cancel() }()
	start := time.Now()
	_, err := c.Credit(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("took %v after cancellation", took)
	}
	if cnt.get(epCredit.path) != 1 {
		t.Errorf("requests = %d, want 1", cnt.get(epCredit.path))
	}

	// A context that is already done sends nothing.
	done, cancelDone := context.WithCancel(context.Background())
	cancelDone()
	if _, err := c.CreateV3(done, CreateV3Request{Prompt: "p"}); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	var uncertain *UncertainError
	if errors.As(err, &uncertain) {
		t.Error("a create that never left must not be uncertain")
	}
	if cnt.get(epCreateV3.path) != 0 {
		t.Error("a create was sent with a cancelled context")
	}
}

func TestCreate_sentOnceWhenServerHangsAfterReadingIt(t *testing.T) {
	srv, cnt := server(t, func(w http.ResponseWriter, r *http.Request, _ int) { hang(r) })
	c, sleep := newClient(t, srv.URL, func(cfg *Config) { cfg.PaidRequestTimeout = 150 * time.Millisecond })
	for name, create := range createCalls(c) {
		_, err := create()
		var uncertain *UncertainError
		if !errors.As(err, &uncertain) {
			t.Errorf("%s: err = %v, want *UncertainError", name, err)
		}
	}
	for _, ep := range []endpoint{epCreateV3, epCreateV4, epButton} {
		if got := cnt.get(ep.path); got != 1 {
			t.Errorf("%s sent %d times, want exactly 1", ep.path, got)
		}
	}
	if len(sleep.all()) != 0 {
		t.Errorf("waited to retry a create: %v", sleep.all())
	}
}

func TestCreate_notRetriedWhenAkoolMayHaveActed(t *testing.T) {
	tests := []struct {
		name          string
		fault         func(t *testing.T, w http.ResponseWriter, r *http.Request)
		wantUncertain bool
		wantCode      int
		wantStatus    int
	}{
		{"dropped after reading", drop, true, 0, 0},
		{"HTTP 500 with envelope", func(_ *testing.T, w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, 500, `{"code":1108,"msg":"image generation error"}`)
		}, false, CodeGenerationError, 500},
		{"HTTP 502 without envelope", func(_ *testing.T, w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(502)
			_, _ = io.WriteString(w, "<html>Bad Gateway</html>")
		}, true, 0, 502},
		{"HTTP 200 not JSON", func(_ *testing.T, w http.ResponseWriter, _ *http.Request) {
			_, _ = io.WriteString(w, "<html>ok</html>")
		}, true, 0, 200},
		{"answer cut short", func(_ *testing.T, w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Length", "500")
			w.WriteHeader(200)
			_, _ = io.WriteString(w, `{"code":1000,"data":{"_id":"66`)
		}, true, 0, 0},
		{"HTTP 404 without envelope", func(_ *testing.T, w http.ResponseWriter, _ *http.Request) {
			http.NotFound(w, nil)
		}, false, 0, 404},
		{"business error", func(_ *testing.T, w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, 200, `{"code":1006,"msg":"credit not enough"}`)
		}, false, CodeNoCredit, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, cnt := server(t, func(w http.ResponseWriter, r *http.Request, _ int) { tt.fault(t, w, r) })
			c, _ := newClient(t, srv.URL, nil)
			_, err := c.CreateV3(context.Background(), CreateV3Request{Prompt: "p"})
			if got := cnt.get(epCreateV3.path); got != 1 {
				t.Errorf("create sent %d times, want 1", got)
			}
			var uncertain *UncertainError
			if errors.As(err, &uncertain) != tt.wantUncertain {
				t.Errorf("err = %v; uncertain = %v, want %v", err, !tt.wantUncertain, tt.wantUncertain)
			}
			var apiErr *APIError
			if tt.wantStatus != 0 {
				if !errors.As(err, &apiErr) || apiErr.Code != tt.wantCode || apiErr.HTTPStatus != tt.wantStatus {
					t.Errorf("err = %v, want an APIError with code %d and HTTP %d", err, tt.wantCode, tt.wantStatus)
				}
			}
		})
	}
}

func TestCreate_retriedWhenAkoolDidNotAct(t *testing.T) {
	t.Run("code 1005", func(t *testing.T) {
		srv, cnt := server(t, func(w http.ResponseWriter, _ *http.Request, n int) {
			if n == 1 {
				writeJSON(w, 200, `{"code":1005,"msg":"Too frequent"}`)
				return
			}
			writeJSON(w, 200, ok(v3CreateData))
		})
		c, _ := newClient(t, srv.URL, nil)
		if img, err := c.CreateV3(context.Background(), CreateV3Request{Prompt: "p"}); err != nil || img.ID != testID {
			t.Fatalf("img = %v, err = %v", img, err)
		}
		if cnt.get(epCreateV3.path) != 2 {
			t.Errorf("sent %d times, want 2", cnt.get(epCreateV3.path))
		}
	})
	t.Run("HTTP 429 with Retry-After", func(t *testing.T) {
		srv, cnt := server(t, func(w http.ResponseWriter, _ *http.Request, n int) {
			if n == 1 {
				w.Header().Set("Retry-After", "2")
				w.WriteHeader(429)
				return
			}
			writeJSON(w, 200, ok(v3CreateData))
		})
		c, sleep := newClient(t, srv.URL, nil)
		if _, err := c.PressButton(context.Background(), ButtonRequest{ParentID: testID, Button: "V1"}); err != nil {
			t.Fatal(err)
		}
		if cnt.get(epButton.path) != 2 {
			t.Errorf("sent %d times, want 2", cnt.get(epButton.path))
		}
		if w := sleep.all(); len(w) == 0 || w[0] != 2*time.Second {
			t.Errorf("waits = %v, want 2s first", w)
		}
	})
	t.Run("1005 past RetryMax until the refusal deadline", func(t *testing.T) {
		srv, cnt := server(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
			writeJSON(w, 200, `{"code":1005,"msg":"Too frequent"}`)
		})
		c, _ := newClient(t, srv.URL, func(cfg *Config) { cfg.RetryMax = 2 })
		ctx := RetryRefusalsFor(context.Background(), 300*time.Millisecond)
		_, err := c.CreateV4(ctx, CreateV4Request{Prompt: "p"})
		var uncertain *UncertainError
		if !IsCode(err, CodeTooFrequent) || errors.As(err, &uncertain) {
			t.Errorf("err = %v, want a plain 1005 APIError", err)
		}
		if n := cnt.get(epCreateV4.path); n <= 3 {
			t.Errorf("sent %d times, want more than 1 + RetryMax = 3: refusals do not count against RetryMax", n)
		}
	})
}

// TestRead_refusalsRetriedWhileContextLasts: a read that Akool keeps
// refusing as too frequent never gives up because of the refusals; it goes
// on, paced, until its context ends.
func TestRead_refusalsRetriedWhileContextLasts(t *testing.T) {
	for _, refusal := range []func(http.ResponseWriter){
		func(w http.ResponseWriter) { writeJSON(w, 200, `{"code":1005,"msg":"Too frequent"}`) },
		func(w http.ResponseWriter) { writeJSON(w, 429, `{"code":1005,"msg":"Too frequent"}`) },
	} {
		srv, cnt := server(t, func(w http.ResponseWriter, _ *http.Request, n int) {
			if n <= 20 {
				refusal(w)
				return
			}
			writeJSON(w, 200, ok(statusData(2)))
		})
		c, _ := newClient(t, srv.URL, func(cfg *Config) { cfg.RetryMax = 2 })
		if _, err := c.GetImage(context.Background(), testID); err != nil {
			t.Fatalf("err = %v after %d requests, want the image after 20 refusals", err, cnt.get(epImage.path))
		}
		if n := cnt.get(epImage.path); n != 21 {
			t.Errorf("sent %d times, want 21", n)
		}

		// Refused forever: the read ends with its context.
		forever, _ := server(t, func(w http.ResponseWriter, _ *http.Request, _ int) { refusal(w) })
		c2, _ := newClient(t, forever.URL, func(cfg *Config) { cfg.RetryMax = 2 })
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		_, err := c2.GetImage(ctx, testID)
		cancel()
		if !IsCode(err, CodeTooFrequent) && !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want the refusal or the context's deadline", err)
		}
	}
}

// flakyDialer refuses the first `refuse` dials, then breaks the writes of
// the next `breakWrites` connections, then dials for real.
type flakyDialer struct {
	refuse, breakWrites int32
	dials               atomic.Int32
}

func (d *flakyDialer) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	n := d.dials.Add(1)
	if n <= d.refuse {
		return nil, &net.OpError{Op: "dial", Net: network, Err: syscall.ECONNREFUSED}
	}
	conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	if n <= d.refuse+d.breakWrites {
		return brokenWriteConn{conn}, nil
	}
	return conn, nil
}

// brokenWriteConn fails every write: the request never gets out whole.
type brokenWriteConn struct{ net.Conn }

func (c brokenWriteConn) Write([]byte) (int, error) {
	return 0, &net.OpError{Op: "write", Net: "tcp", Err: syscall.EPIPE}
}

func TestCreate_retriedWhenConnectionFails(t *testing.T) {
	for _, tt := range []struct {
		name                string
		refuse, breakWrites int32
		prompt              string
	}{
		{"connection refused", 2, 0, "p"},
		// A request larger than the transport's write buffer: the failed
		// write shows in httptrace's WroteRequest.
		{"request not fully written", 0, 2, strings.Repeat("a long prompt ", 1200)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv, cnt := server(t, func(w http.ResponseWriter, r *http.Request, _ int) {
				_, _ = io.Copy(io.Discard, r.Body)
				writeJSON(w, 200, ok(v3CreateData))
			})
			d := &flakyDialer{refuse: tt.refuse, breakWrites: tt.breakWrites}
			c, sleep := newClient(t, srv.URL, func(cfg *Config) {
				cfg.HTTPClient = &http.Client{Transport: &http.Transport{DialContext: d.dial}}
				// A ceiling far above what is sent keeps the paced start of
				// creates out of the waits counted: only the retries' backoffs.
				cfg.MaxRequestsPerSecond = 1e6
			})
			img, err := c.CreateV3(context.Background(), CreateV3Request{Prompt: tt.prompt})
			if err != nil || img.ID != testID {
				t.Fatalf("img = %v, err = %v", img, err)
			}
			if got := cnt.get(epCreateV3.path); got != 1 {
				t.Errorf("create reached the server %d times, want 1", got)
			}
			if got := d.dials.Load(); got != 3 {
				t.Errorf("dials = %d, want 3", got)
			}
			if len(sleep.all()) != 2 {
				t.Errorf("waits = %v, want 2", sleep.all())
			}
		})
	}

	t.Run("small request failing at the final flush stays uncertain", func(t *testing.T) {
		// net/http reports WroteRequest once the request is in its write
		// buffer, before flushing it to the connection; a failed flush is
		// therefore indistinguishable from a failure after sending, and the
		// client takes the safe side: no retry.
		srv, cnt := server(t, func(w http.ResponseWriter, _ *http.Request, _ int) { writeJSON(w, 200, ok(v3CreateData)) })
		d := &flakyDialer{breakWrites: 1}
		c, _ := newClient(t, srv.URL, func(cfg *Config) {
			cfg.HTTPClient = &http.Client{Transport: &http.Transport{DialContext: d.dial}}
		})
		_, err := c.CreateV3(context.Background(), CreateV3Request{Prompt: "p"})
		var uncertain *UncertainError
		if !errors.As(err, &uncertain) {
			t.Errorf("err = %v, want *UncertainError", err)
		}
		if d.dials.Load() != 1 || cnt.get(epCreateV3.path) != 0 {
			t.Errorf("dials = %d, requests = %d; want 1 and 0", d.dials.Load(), cnt.get(epCreateV3.path))
		}
	})

	t.Run("nothing listening", func(t *testing.T) {
		ln, err := (&net.ListenConfig{}).Listen(t.Context(), "tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		var dials atomic.Int32
		c, _ := newClient(t, "http://"+addr, func(cfg *Config) {
			cfg.RetryMax = 2
			cfg.HTTPClient = &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, a string) (net.Conn, error) {
				dials.Add(1)
				return (&net.Dialer{}).DialContext(ctx, network, a)
			}}}
		})
		_, err = c.CreateV3(context.Background(), CreateV3Request{Prompt: "p"})
		var uncertain *UncertainError
		if err == nil || errors.As(err, &uncertain) || !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("err = %v, want a plain connection-refused error", err)
		}
		if dials.Load() != 3 {
			t.Errorf("dials = %d, want 1 + RetryMax", dials.Load())
		}
	})
}
