package akool

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// countingConn counts the bytes read from a connection.
type countingConn struct {
	net.Conn
	read *atomic.Int64
}

func (c countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.read.Add(int64(n))
	return n, err
}

// countingClient is an HTTP client whose connections count every byte they
// read from the network into read.
func countingClient(read *atomic.Int64) *http.Client {
	dialer := &net.Dialer{}
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := dialer.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return countingConn{Conn: conn, read: read}, nil
		},
	}}
}

// An answer far larger than the client's bound (64 MiB offered, with and
// without a Content-Length) is refused after reading at most the bound from
// the network: with a declared length, without reading the body at all.
// Neither a read nor a create is sent again.
func TestHostile_bodyReadIsBounded(t *testing.T) {
	const offered = 64 << 20
	chunk := []byte(`{"code":1000,"msg":"` + strings.Repeat("x", 64<<10))
	for _, declared := range []bool{true, false} {
		for _, create := range []bool{false, true} {
			t.Run(fmt.Sprintf("declared=%v create=%v", declared, create), func(t *testing.T) {
				var written atomic.Int64
				srv, cnt := server(t, func(w http.ResponseWriter, r *http.Request, _ int) {
					_, _ = io.Copy(io.Discard, r.Body)
					if declared {
						w.Header().Set("Content-Length", fmt.Sprint(offered))
					}
					w.WriteHeader(200)
					for written.Load() < offered {
						n, err := w.Write(chunk)
						written.Add(int64(n))
						if err != nil {
							return
						}
					}
				})
				var read atomic.Int64
				c, _ := newClient(t, srv.URL, func(cfg *Config) { cfg.HTTPClient = countingClient(&read) })
				var err error
				path := epImage.path
				if create {
					path = epCreateV3.path
					_, err = c.CreateV3(context.Background(), CreateV3Request{Prompt: "p"})
				} else {
					_, err = c.GetImage(context.Background(), testID)
				}
				if err == nil || !strings.Contains(err.Error(), "larger than 4 MiB") {
					t.Errorf("err = %v, want the answer refused as too large", err)
				}
				var uncertain *UncertainError
				if create && !errors.As(err, &uncertain) {
					t.Errorf("err = %v; a create whose answer cannot be read may have started a job: want *UncertainError", err)
				}
				if n := cnt.get(path); n != 1 {
					t.Errorf("%d requests, want 1: a too-large answer is not asked for again", n)
				}
				limit := int64(maxBodyBytes + 256<<10) // the bound, plus headers and the transport's buffering
				if declared {
					limit = 256 << 10 // the declared length is enough to refuse
				}
				if got := read.Load(); got > limit {
					t.Errorf("read %d bytes from the network (the server wrote %d); want at most %d", got, written.Load(), limit)
				}
				t.Logf("offered %d MiB, server wrote %d bytes, client read %d bytes", offered>>20, written.Load(), read.Load())
			})
		}
	}
}

// Hostile answers to a status read, sent over HTTP to the client: each is an
// error (never a panic and never an image), is retried only when a retry can
// help (5xx), and an undocumented image_status reaches the caller as an
// unknown Status, which Wait and the provider refuse to record.
func TestHostile_readAnswers(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		body     string
		want     string // in the error; "" when the answer decodes
		requests int
	}{
		{"HTML error page at 200", 200, "<html><body><h1>Service maintenance</h1></body></html>", "not a JSON object", 1},
		{"HTML error page at 502", 502, "<html><body>502 Bad Gateway</body></html>", "not a JSON object", 4},
		{"empty body at 200", 200, "", "empty body", 1},
		{"empty body at 503", 503, "", "empty body", 4},
		{"missing data", 200, `{"code":1000,"msg":"OK"}`, "no data", 1},
		{"data a list of strings", 200, `{"code":1000,"data":["662a10df4197b3af58532e89"]}`, "not an image object", 1},
		{"status a word", 200, ok(`{"_id":"662a10df4197b3af58532e89","image_status":"ready"}`), "image_status", 1},
		{"status a fraction", 200, ok(`{"_id":"662a10df4197b3af58532e89","image_status":2.5}`), "image_status", 1},
		{"code a word", 200, `{"code":"fine","data":{}}`, "no numeric code", 1},
		{"unknown business code", 200, `{"code":4242,"msg":"new"}`, "code 4242", 1},
		{"negative status", 200, ok(statusData(-1)), "", 1},
		{"status zero", 200, ok(statusData(0)), "", 1},
		{"unknown status 7", 200, ok(statusData(7)), "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, cnt := server(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.body)
			})
			c, _ := newClient(t, srv.URL, nil)
			img, err := c.GetImage(context.Background(), testID)
			if n := cnt.get(epImage.path); n != tt.requests {
				t.Errorf("%d requests, want %d", n, tt.requests)
			}
			if tt.want == "" {
				if err != nil || img == nil || img.Status.Known() {
					t.Fatalf("img = %+v, err = %v; want the image with its undocumented status", img, err)
				}
				if !strings.HasPrefix(img.Status.String(), "unknown(") {
					t.Errorf("status reads %q", img.Status)
				}
				return
			}
			if err == nil || img != nil {
				t.Fatalf("img = %+v, err = %v; want an error and no image", img, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}
