package akool

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"
	"time"
)

// A connection that cannot be made says how often, and for how long, the
// client tried.
func TestRead_connectionErrorSaysAttempts(t *testing.T) {
	t.Parallel()
	var lc net.ListenConfig
	ln, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close() // nothing listens there any more: every connection is refused

	c, err := New(Config{BaseURL: closed, APIKey: testKey, RetryMax: 2, RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetImage(context.Background(), testID)
	if err == nil {
		t.Fatal("reading from a closed port succeeded")
	}
	if !regexp.MustCompile(`\(3 attempts over [0-9.]+m?s\)`).MatchString(err.Error()) {
		t.Errorf("error %q does not say that 3 attempts were made, and over how long", err)
	}
}

// An HTTP 404 is a wrong route, whatever code it carries: it names the full
// URL and is never taken for an unknown id.
func TestRead_notFoundRouteIsNotAnUnknownID(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusNotFound, `{"code":1008,"msg":"Not Found"}`)
	}))
	t.Cleanup(srv.Close)
	c, err := New(Config{BaseURL: srv.URL + "/prefix", APIKey: testKey})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetImage(context.Background(), testID)
	if IsNotFound(err) {
		t.Errorf("an HTTP 404 was taken for an unknown id: %v", err)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) || !apiErr.WrongRoute() || apiErr.URL != srv.URL+"/prefix/api/open/v3/content/image/infobymodelid" {
		t.Errorf("error %#v: want a wrong route with the full URL", err)
	}
}
