package akool

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// statusServer answers infobymodelid with answers[n-1]; the last repeats.
func statusServer(t *testing.T, answers ...string) (*Client, *counter, *fakeSleep) {
	t.Helper()
	srv, cnt := server(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if r.URL.Path != epImage.path || r.URL.Query().Get("image_model_id") != testID {
			t.Errorf("unexpected request %s", r.URL)
		}
		writeJSON(w, 200, answers[min(n, len(answers))-1])
	})
	c, sleep := newClient(t, srv.URL, nil)
	return c, cnt, sleep
}

// pollRecorder is a PollPolicy that records its inputs.
type pollRecorder struct {
	mu       sync.Mutex
	attempts []int
	statuses []Status
	wait     time.Duration
}

func (p *pollRecorder) NextPoll(attempt int, elapsed time.Duration, img *Image) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.attempts = append(p.attempts, attempt)
	p.statuses = append(p.statuses, img.Status)
	return p.wait
}

func TestWait_completes(t *testing.T) {
	srv, cnt := server(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		writeJSON(w, 200, ok(statusData([]int{1, 1, 2, 3}[min(n, 4)-1])))
	})
	policy := &pollRecorder{wait: 1234 * time.Millisecond}
	c, sleep := newClient(t, srv.URL, func(cfg *Config) { cfg.Poll = policy })

	var seen []Status
	img, err := c.Wait(context.Background(), testID, func(img *Image) { seen = append(seen, img.Status) })
	if err != nil {
		t.Fatal(err)
	}
	if img.Status != StatusCompleted {
		t.Errorf("status = %v", img.Status)
	}
	if want := []Status{1, 1, 2, 3}; !slices.Equal(seen, want) {
		t.Errorf("progress saw %v, want %v", seen, want)
	}
	if cnt.get(epImage.path) != 4 {
		t.Errorf("reads = %d, want 4", cnt.get(epImage.path))
	}
	if want := []int{1, 2, 3}; !slices.Equal(policy.attempts, want) || !slices.Equal(policy.statuses, []Status{1, 1, 2}) {
		t.Errorf("policy saw attempts %v statuses %v", policy.attempts, policy.statuses)
	}
	waits := sleep.all()
	if len(waits) != 3 || waits[0] != 1234*time.Millisecond {
		t.Errorf("waits = %v, want the policy's 3 times", waits)
	}
}

func TestWait_failedJob(t *testing.T) {
	c, _, _ := statusServer(t, ok(statusData(2)), ok(statusData(4)))
	img, err := c.Wait(context.Background(), testID, nil)
	var failed *JobFailedError
	if !errors.As(err, &failed) || failed.Image != img || img == nil || img.Status != StatusFailed {
		t.Fatalf("img = %+v, err = %v; want *JobFailedError with the image", img, err)
	}
}

func TestWait_unknownStatus(t *testing.T) {
	c, cnt, _ := statusServer(t, ok(statusData(7)))
	img, err := c.Wait(context.Background(), testID, nil)
	if err == nil || !strings.Contains(err.Error(), "image_status 7") {
		t.Fatalf("err = %v, want an unknown-status error", err)
	}
	if img == nil || img.Status != 7 {
		t.Errorf("img = %+v, want the last image", img)
	}
	if cnt.get(epImage.path) != 3 {
		t.Errorf("reads = %d, want 3", cnt.get(epImage.path))
	}

	// A documented state in between resets the count.
	c, cnt, _ = statusServer(t, ok(statusData(-1)), ok(statusData(-1)), ok(statusData(2)), ok(statusData(0)),
		ok(statusData(0)), ok(statusData(3)))
	if img, err := c.Wait(context.Background(), testID, nil); err != nil || img.Status != StatusCompleted {
		t.Fatalf("img = %+v, err = %v", img, err)
	}
	if cnt.get(epImage.path) != 6 {
		t.Errorf("reads = %d, want 6", cnt.get(epImage.path))
	}
}

func TestWait_readError(t *testing.T) {
	c, _, _ := statusServer(t, ok(statusData(1)), `{"code":1008,"msg":"The content does not exist"}`)
	img, err := c.Wait(context.Background(), testID, nil)
	if !IsNotFound(err) {
		t.Fatalf("err = %v, want 1008", err)
	}
	if img == nil || img.Status != StatusQueueing {
		t.Errorf("img = %+v, want the last image seen", img)
	}

	c, _, _ = statusServer(t, `{"code":1008,"msg":"The content does not exist"}`)
	img, err = c.Wait(context.Background(), testID, nil)
	if !IsNotFound(err) || img != nil {
		t.Errorf("img = %+v, err = %v; want nil and 1008", img, err)
	}
}

func TestWait_cancellation(t *testing.T) {
	srv, cnt := server(t, func(w http.ResponseWriter, _ *http.Request, _ int) { writeJSON(w, 200, ok(statusData(2))) })
	// The real sleep and an hour between reads.
	c, _ := newClient(t, srv.URL, func(cfg *Config) { cfg.Sleep, cfg.Poll = nil, &pollRecorder{wait: time.Hour} })

	ctx, cancel := context.WithCancel(context.Background())
	start := time.Now()
	img, err := c.Wait(ctx, testID, func(*Image) { go func() { time.Sleep(20 * time.Millisecond); cancel() }() })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if img == nil || img.Status != StatusProcessing {
		t.Errorf("img = %+v, want the last image seen", img)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Wait took %v after cancellation", took)
	}
	if cnt.get(epImage.path) != 1 {
		t.Errorf("reads = %d", cnt.get(epImage.path))
	}

	// Deadline during a read.
	slow, _ := server(t, func(w http.ResponseWriter, r *http.Request, _ int) { hang(r) })
	c2, _ := newClient(t, slow.URL, nil)
	ctx2, cancel2 := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel2()
	img, err = c2.Wait(ctx2, testID, nil)
	if !errors.Is(err, context.DeadlineExceeded) || img != nil {
		t.Errorf("img = %+v, err = %v; want nil and DeadlineExceeded", img, err)
	}
}

func TestDefaultPollPolicy(t *testing.T) {
	p := DefaultPollPolicy()
	queueing, processing := &Image{Status: StatusQueueing}, &Image{Status: StatusProcessing}
	tests := []struct {
		elapsed time.Duration
		img     *Image
		want    time.Duration
	}{
		{0, queueing, time.Second},
		{90 * time.Second, queueing, time.Second},
		{0, processing, 500 * time.Millisecond},
		{2 * time.Second, processing, 500 * time.Millisecond},
		{8 * time.Second, processing, time.Second},
		{12 * time.Second, processing, 1500 * time.Millisecond},
		{60 * time.Second, processing, 2 * time.Second},
		{2 * time.Minute, processing, 3 * time.Second},
		{10 * time.Minute, queueing, 3 * time.Second},
		{0, &Image{Status: 7}, time.Second},
		{0, nil, time.Second},
	}
	for _, tt := range tests {
		if got := p.NextPoll(1, tt.elapsed, tt.img); got != tt.want {
			t.Errorf("NextPoll(%v, %+v) = %v, want %v", tt.elapsed, tt.img, got, tt.want)
		}
	}
}
