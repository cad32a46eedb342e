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

// pollRecorder is a PollPolicy that records what its timers see and
// always answers wait.
type pollRecorder struct {
	mu       sync.Mutex
	follows  []time.Time // the created argument of each Follow
	statuses []Status
	stops    int
	wait     time.Duration
}

func (p *pollRecorder) Follow(_ string, created time.Time) PollTimer {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.follows = append(p.follows, created)
	return recorderTimer{p}
}

type recorderTimer struct{ p *pollRecorder }

func (t recorderTimer) Observe(_ time.Time, status Status) time.Duration {
	t.p.mu.Lock()
	defer t.p.mu.Unlock()
	t.p.statuses = append(t.p.statuses, status)
	return t.p.wait
}

func (t recorderTimer) Changed() <-chan struct{}       { return nil }
func (t recorderTimer) Replan(time.Time) time.Duration { return t.p.wait }

func (t recorderTimer) Stop() {
	t.p.mu.Lock()
	defer t.p.mu.Unlock()
	t.p.stops++
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
	// A job this client did not create: the first read is immediate.
	if len(policy.follows) != 1 || !policy.follows[0].IsZero() || policy.stops != 1 {
		t.Errorf("policy followed %v and stopped %d times, want one unknown creation and one stop", policy.follows, policy.stops)
	}
	if want := []Status{1, 1, 2, 3}; !slices.Equal(policy.statuses, want) {
		t.Errorf("policy saw statuses %v, want %v", policy.statuses, want)
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

// A job Akool reports completed without a picture URL is read again for the
// grace, as a grid is for its single images, and never ends as done without it.
func TestWaitFor_completedWithoutURL(t *testing.T) {
	const noURL = `{"_id":"662a10df4197b3af58532e89","image_status":3}`
	for _, tt := range []struct {
		name    string
		answers []string
		wantErr bool
	}{
		{"URL comes later", []string{ok(noURL), ok(noURL), ok(statusData(3))}, false},
		{"URL never comes", []string{ok(noURL)}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := server(t, func(w http.ResponseWriter, _ *http.Request, n int) {
				writeJSON(w, 200, tt.answers[min(n, len(tt.answers))-1])
			})
			c, _ := clockClient(t, srv.URL, nil)
			img, err := c.WaitFor(context.Background(), testID, WaitOptions{})
			var missing *URLMissingError
			switch {
			case !tt.wantErr && (err != nil || img.ImageURL == ""):
				t.Errorf("img = %+v, err = %v; want the URL that came later", img, err)
			case tt.wantErr && (!errors.As(err, &missing) || missing.Waited < DefaultSinglesGrace || img.Status != StatusCompleted):
				t.Errorf("img = %+v, err = %v; want a URLMissingError after the grace", img, err)
			}
		})
	}
}
