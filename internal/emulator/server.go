package emulator

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// NewServer starts an emulator configured by opts on a loopback httptest
// server and stops it at t.Cleanup. It returns the emulator and its base URL
// (http://127.0.0.1:port).
func NewServer(t testing.TB, opts Options) (*Emulator, string) {
	t.Helper()
	e, err := New(opts)
	if err != nil {
		t.Fatalf("starting the Akool emulator: %v", err)
	}
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return e, srv.URL
}

// Start serves an emulator configured by opts on listen (host:port; port 0
// picks a free port). ctx bounds only the setup; the server runs until
// shutdown is called. It returns the base URL (http://host:port, with the real
// port) and the shutdown function, which stops accepting requests and waits
// for those in flight until its context ends.
func Start(ctx context.Context, listen string, opts Options) (baseURL string, shutdown func(context.Context) error, err error) {
	e, err := New(opts)
	if err != nil {
		return "", nil, err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", listen)
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{
		Handler:           e,
		ReadHeaderTimeout: 10 * time.Second,
	}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) && e.logf != nil {
			e.logf("serving: %v", err)
		}
	}()
	return "http://" + ln.Addr().String(), srv.Shutdown, nil
}
