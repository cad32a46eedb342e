package akool

import (
	"context"
	"net/http"
	"testing"
	"time"
)

// A paid request waits longer than any HTTP gateway keeps a request open
// (Cloudflare's default is 100 seconds) unless told otherwise; reads keep
// their own, shorter timeout.
func TestNew_paidRequestTimeout(t *testing.T) {
	if DefaultPaidRequestTimeout < 100*time.Second {
		t.Errorf("DefaultPaidRequestTimeout = %s, want at least 100s", DefaultPaidRequestTimeout)
	}
	d, err := New(Config{APIKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	if got := d.httpFor(epCreateV3).Timeout; got != DefaultPaidRequestTimeout {
		t.Errorf("default timeout of a create = %s, want %s", got, DefaultPaidRequestTimeout)
	}
	if got := d.httpFor(epImage).Timeout; got != DefaultRequestTimeout {
		t.Errorf("default timeout of a read = %s, want %s", got, DefaultRequestTimeout)
	}

	tr := &http.Transport{}
	own, err := New(Config{APIKey: "k", HTTPClient: &http.Client{Transport: tr}, RequestTimeout: time.Second,
		PaidRequestTimeout: 3 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	for _, ep := range []endpoint{epCreateV3, epCreateV4, epButton} {
		if c := own.httpFor(ep); c.Timeout != 3*time.Minute || c.Transport != tr {
			t.Errorf("%s: timeout %s on its own transport %t; want 3m on the given transport", ep.path, c.Timeout, c.Transport == tr)
		}
	}
	if c := own.httpFor(epCredit); c.Timeout != time.Second || c.Transport != tr {
		t.Errorf("a read: timeout %s; want the RequestTimeout, 1s, on the given transport", c.Timeout)
	}
}

// A create whose answer comes after the read timeout but within the paid
// one is answered, not lost; a read that slow is not waited for.
func TestCreate_slowAnswerWithinPaidTimeout(t *testing.T) {
	const slow = 300 * time.Millisecond
	srv, cnt := server(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		time.Sleep(slow)
		switch r.URL.Path {
		case epCredit.path:
			writeJSON(w, 200, ok(`{"credit":5}`))
		default:
			writeJSON(w, 200, ok(v3CreateData))
		}
	})
	c, _ := newClient(t, srv.URL, func(cfg *Config) {
		cfg.RequestTimeout = 100 * time.Millisecond
		cfg.PaidRequestTimeout = 5 * time.Second
		cfg.RetryMax = 0
	})
	img, err := c.CreateV3(context.Background(), CreateV3Request{Prompt: "p"})
	if err != nil || img.ID == "" {
		t.Fatalf("slow create: %v, %v; want the job", img, err)
	}
	if _, err := c.Credit(context.Background()); err == nil {
		t.Error("a read slower than RequestTimeout succeeded; want it cut off at its own timeout")
	}
	if got := cnt.get(epCreateV3.path); got != 1 {
		t.Errorf("create sent %d times, want 1", got)
	}
}
