package akool

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

const (
	testKey = "test-api-key-1234"
	testID  = "662a10df4197b3af58532e89"
)

// v3CreateData is the data of a v3 create answer as Akool documents it.
const v3CreateData = `{"_id":"662a10df4197b3af58532e89","uid":101400,"create_time":1714032863272,` +
	`"prompt":"a cat on a mat","origin_prompt":"a cat on a mat","source_image":"",` +
	`"image_status":1,"deduction_credit":2,"type":1,"from":1,"faceswap_quality":2,` +
	`"buttons":[],"used_buttons":[],"upscaled_urls":[]}`

// finishedData is an infobymodelid answer for a finished v3 grid.
const finishedData = `{"_id":"662a10df4197b3af58532e89","create_time":1714032863272,"uid":101400,"type":1,` +
	`"image_status":3,"image":"https://d2.example/grid.png","deduction_credit":2,` +
	`"buttons":["U1","U2","U3","U4","V1","V2","V3","V4"],"used_buttons":["U2"],` +
	`"upscaled_urls":["https://d2.example/1.png","https://d2.example/2.png","https://d2.example/3.png","https://d2.example/4.png"],` +
	`"faceswap_quality":2,"prompt":"a cat on a mat","origin_prompt":"a cat on a mat","source_image":""}`

// createCalls holds the three paid create calls (v3, v4, a button press) by
// name; calling one sends its request.
func createCalls(c *Client) map[string]func() (*Image, error) {
	return createCallsWith(context.Background(), c)
}

// createCallsWith is createCalls under ctx.
func createCallsWith(ctx context.Context, c *Client) map[string]func() (*Image, error) {
	return map[string]func() (*Image, error){
		"v3": func() (*Image, error) { return c.CreateV3(ctx, CreateV3Request{Prompt: "p"}) },
		"v4": func() (*Image, error) { return c.CreateV4(ctx, CreateV4Request{Prompt: "p"}) },
		"button": func() (*Image, error) {
			return c.PressButton(ctx, ButtonRequest{ParentID: testID, Button: "U1"})
		},
	}
}

func ok(data string) string { return `{"code":1000,"msg":"OK","data":` + data + `}` }

func statusData(status int) string {
	if status == int(StatusCompleted) {
		return fmt.Sprintf(`{"_id":%q,"image_status":3,"create_time":1714032863272,"image":"https://cdn.example/%s.png"}`, testID, testID)
	}
	return fmt.Sprintf(`{"_id":%q,"image_status":%d,"create_time":1714032863272}`, testID, status)
}

// writeJSON answers with a JSON body and the given HTTP status.
func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// writeHTML answers with an HTML page, as a proxy or gateway in front of
// Akool does.
func writeHTML(w http.ResponseWriter, status int, text string) {
	w.WriteHeader(status)
	_, _ = io.WriteString(w, "<html>"+text+"</html>")
}

// counter counts requests per path.
type counter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counter) add(path string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[path]++
	return c.n[path]
}

func (c *counter) get(path string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[path]
}

// server starts an httptest server whose handler gets the request number
// for its path (1 for the first).
func server(t *testing.T, h func(w http.ResponseWriter, r *http.Request, n int)) (*httptest.Server, *counter) {
	t.Helper()
	cnt := &counter{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h(w, r, cnt.add(r.URL.Path))
	}))
	t.Cleanup(srv.Close)
	return srv, cnt
}

// fakeSleep records the waits asked for and returns at once (or with ctx's
// error when it already ended).
type fakeSleep struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *fakeSleep) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *fakeSleep) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits...)
}

// newClient builds a client for srv with an API key, short waits and a fake
// sleep; mutate adjusts the config.
func newClient(t *testing.T, baseURL string, mutate func(*Config)) (*Client, *fakeSleep) {
	t.Helper()
	fs := &fakeSleep{}
	cfg := Config{
		BaseURL:            baseURL,
		APIKey:             testKey,
		RequestTimeout:     2 * time.Second,
		PaidRequestTimeout: 2 * time.Second,
		RetryMax:           3,
		RetryWaitMin:       time.Millisecond,
		RetryWaitMax:       4 * time.Millisecond,
		Sleep:              fs.sleep,
	}
	if mutate != nil {
		mutate(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c, fs
}

// recordingLogger keeps every debug line.
type recordingLogger struct {
	mu    sync.Mutex
	lines []logLine
}

type logLine struct {
	msg    string
	fields map[string]any
}

func (l *recordingLogger) Debug(_ context.Context, msg string, fields map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	cp := make(map[string]any, len(fields))
	for k, v := range fields {
		cp[k] = v
	}
	l.lines = append(l.lines, logLine{msg, cp})
}

func (l *recordingLogger) all() []logLine {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]logLine(nil), l.lines...)
}

// decodeBody reads a JSON request body into a map.
func decodeBody(t *testing.T, r *http.Request) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
		t.Errorf("request body is not a JSON object: %v", err)
	}
	return m
}

// hang reads the request body and then answers nothing until the client
// gives up. (The server notices a closed connection only once the body was
// read.)
func hang(r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	<-r.Context().Done()
}
