package akool

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// A create whose caller gives up (Terraform interrupted) once the request
// has reached Akool still reads Akool's answer: it carries the id of a job
// that was paid for.
func TestCreate_finishesWhenCancelledAfterSending(t *testing.T) {
	arrived, release := make(chan struct{}, 1), make(chan struct{}, 1)
	srv, cnt := server(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		_, _ = io.Copy(io.Discard, r.Body)
		arrived <- struct{}{}
		select {
		case <-release:
			writeJSON(w, 200, ok(v3CreateData))
		case <-r.Context().Done():
		}
	})
	c, _ := newClient(t, srv.URL, func(cfg *Config) { cfg.PaidRequestTimeout = 10 * time.Second })
	for _, name := range []string{"v3", "v4", "button"} {
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			<-arrived
			cancel()
			time.Sleep(50 * time.Millisecond) // lets a client that gives up with its caller do so
			release <- struct{}{}
		}()
		img, err := createCallsWith(ctx, c)[name]()
		if err != nil || img == nil || img.ID != testID {
			t.Errorf("%s: img = %v, err = %v; want the job Akool accepted although the caller gave up", name, img, err)
		}
	}
	for _, ep := range []endpoint{epCreateV3, epCreateV4, epButton} {
		if got := cnt.get(ep.path); got != 1 {
			t.Errorf("%s sent %d times, want 1", ep.path, got)
		}
	}
}

// When the answer never comes, the create ends at its own request timeout,
// not at once with its caller, and says that no answer came.
func TestCreate_noAnswerAfterCancelIsUncertain(t *testing.T) {
	arrived := make(chan struct{}, 1)
	srv, cnt := server(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		_, _ = io.Copy(io.Discard, r.Body)
		arrived <- struct{}{}
		<-r.Context().Done()
	})
	c, sleep := newClient(t, srv.URL, func(cfg *Config) { cfg.PaidRequestTimeout = 300 * time.Millisecond })
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-arrived; cancel() }()
	start := time.Now()
	_, err := c.CreateV3(ctx, CreateV3Request{Prompt: "p"})
	var uncertain *UncertainError
	if !errors.As(err, &uncertain) || uncertain.Reason != "no answer arrived within the request timeout (300ms)" {
		t.Fatalf("err = %v, want *UncertainError saying that no answer arrived within the request timeout", err)
	}
	if took := time.Since(start); took < 250*time.Millisecond {
		t.Errorf("gave up after %s, before the request timeout", took)
	}
	if cnt.get(epCreateV3.path) != 1 || len(sleep.all()) != 0 {
		t.Errorf("sent %d times, waits %v; want once, no retry", cnt.get(epCreateV3.path), sleep.all())
	}
}

// A connection that closes after the create was sent is reported as such.
func TestCreate_droppedAfterSendingSaysSo(t *testing.T) {
	srv, cnt := server(t, func(w http.ResponseWriter, r *http.Request, _ int) { drop(t, w, r) })
	c, _ := newClient(t, srv.URL, nil)
	for name, create := range createCalls(c) {
		_, err := create()
		var uncertain *UncertainError
		if !errors.As(err, &uncertain) || uncertain.Reason != "the connection closed before any answer arrived" {
			t.Errorf("%s: err = %v (%#v), want *UncertainError saying the connection closed", name, err, uncertain)
		}
	}
	for _, ep := range []endpoint{epCreateV3, epCreateV4, epButton} {
		if got := cnt.get(ep.path); got != 1 {
			t.Errorf("%s sent %d times, want 1", ep.path, got)
		}
	}
}

// A create that has not reached Akool yet stops with its caller: nothing
// is sent, nothing is uncertain.
func TestCreate_cancelledBeforeSendingSendsNothing(t *testing.T) {
	srv, cnt := server(t, func(w http.ResponseWriter, _ *http.Request, _ int) { writeJSON(w, 200, ok(v3CreateData)) })
	dialing := make(chan struct{})
	// A connection that takes long to open.
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		close(dialing)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(5 * time.Second):
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		}
	}
	c, _ := newClient(t, srv.URL, func(cfg *Config) {
		cfg.PaidRequestTimeout = 10 * time.Second
		cfg.HTTPClient = &http.Client{Transport: &http.Transport{DialContext: dial}}
	})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-dialing; cancel() }()
	start := time.Now()
	_, err := c.CreateV3(ctx, CreateV3Request{Prompt: "p"})
	var uncertain *UncertainError
	if !errors.Is(err, context.Canceled) || errors.As(err, &uncertain) {
		t.Errorf("err = %v, want context.Canceled, not uncertain", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("took %s to stop a create that was not sent yet", took)
	}
	if cnt.get(epCreateV3.path) != 0 {
		t.Error("the create reached the server")
	}
}

// A create that Akool keeps refusing as too frequent (so nothing was paid)
// stops being retried when its caller gives up.
func TestCreate_refusalsStopWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv, cnt := server(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n == 3 {
			cancel()
		}
		writeJSON(w, 200, `{"code":1005,"msg":"Too frequent"}`)
	})
	c, _ := newClient(t, srv.URL, nil)
	done := make(chan error, 1)
	go func() {
		_, err := c.PressButton(ctx, ButtonRequest{ParentID: testID, Button: "U1"})
		done <- err
	}()
	select {
	case err := <-done:
		var uncertain *UncertainError
		if errors.As(err, &uncertain) || (!IsCode(err, CodeTooFrequent) && !errors.Is(err, context.Canceled)) {
			t.Errorf("err = %v, want the refusal or context.Canceled, not uncertain", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("still retrying %d refusals after the caller gave up", cnt.get(epButton.path))
	}
	if n := cnt.get(epButton.path); n != 3 {
		t.Errorf("sent %d times, want 3: no retry after the caller gave up", n)
	}
}
