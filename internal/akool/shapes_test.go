package akool

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// The shapes of Akool's answers that its own demo client and live runs show,
// beyond the documented ones, and how WaitFor and the create calls meet them.

// waitClock is a Now and a Sleep for Config: sleeping moves the clock.
type waitClock struct {
	mu  sync.Mutex
	now time.Time
}

func newWaitClock() *waitClock { return &waitClock{now: time.Now()} }

func (f *waitClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *waitClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(max(d, 0))
	return nil
}

// clockClient is a client for baseURL on a fake clock.
func clockClient(t *testing.T, baseURL string, mutate func(*Config)) (*Client, *waitClock) {
	t.Helper()
	clock := newWaitClock()
	c, _ := newClient(t, baseURL, func(cfg *Config) {
		cfg.Sleep, cfg.Now = clock.Sleep, clock.Now
		cfg.Poll = FixedPoll(time.Second)
		if mutate != nil {
			mutate(cfg)
		}
	})
	return c, clock
}

const (
	gridNoSingles = `{"_id":"662a10df4197b3af58532e89","image_status":3,"image":"https://d2.example/grid.png",` +
		`"buttons":["U1","U2","U3","U4","V1","V2","V3","V4"],"upscaled_urls":[]}`
	v4OneURL = `{"_id":"662a10df4197b3af58532e89","image_status":3,"image":"https://d2.example/v4.jpg",` +
		`"model_name":"wavespeed-ai/flux-krea-dev-lora","task_id":"t-1","upscaled_urls":["https://d2.example/v4.jpg"]}`
	notFound = `{"code":1008,"msg":"The content you get does not exist"}`
)

func TestWaitFor_gridWaitsForItsSingleImages(t *testing.T) {
	answers := []string{ok(statusData(2)), ok(gridNoSingles), ok(gridNoSingles), ok(finishedData)}
	srv, cnt := server(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		writeJSON(w, 200, answers[min(n, len(answers))-1])
	})
	c, _ := clockClient(t, srv.URL, nil)
	img, err := c.WaitFor(context.Background(), testID, WaitOptions{Grid: true})
	if err != nil || len(img.UpscaledURLs) != 4 || img.ImageURL == "" {
		t.Fatalf("img = %+v, err = %v; want the grid with its four single images", img, err)
	}
	if got := cnt.get(epImage.path); got != 4 {
		t.Errorf("reads = %d, want 4: a grid at status 3 without single images is read again", got)
	}

	// A single picture (an upscale, a v4 image) is finished at status 3.
	srv2, cnt2 := server(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		writeJSON(w, 200, []string{ok(statusData(2)), ok(gridNoSingles)}[min(n, 2)-1])
	})
	c2, _ := clockClient(t, srv2.URL, nil)
	if img, err := c2.Wait(context.Background(), testID, nil); err != nil || img.Status != StatusCompleted {
		t.Fatalf("img = %+v, err = %v", img, err)
	}
	if got := cnt2.get(epImage.path); got != 2 {
		t.Errorf("reads = %d, want 2", got)
	}
}

func TestWaitFor_gridSinglesNeverListed(t *testing.T) {
	srv, cnt := server(t, func(w http.ResponseWriter, _ *http.Request, _ int) { writeJSON(w, 200, ok(gridNoSingles)) })
	c, clock := clockClient(t, srv.URL, nil)
	start := clock.Now()
	img, err := c.WaitFor(context.Background(), testID, WaitOptions{Grid: true})
	var missing *SinglesMissingError
	if !errors.As(err, &missing) || missing.Image != img || img == nil || img.Status != StatusCompleted || img.ImageURL == "" {
		t.Fatalf("img = %+v, err = %v; want the completed grid and *SinglesMissingError", img, err)
	}
	if waited := clock.Now().Sub(start); waited < DefaultSinglesGrace || waited > DefaultSinglesGrace+5*time.Second {
		t.Errorf("waited %v for the single images, want the default grace of %v", waited, DefaultSinglesGrace)
	}
	if reads := cnt.get(epImage.path); reads < 10 || reads > 60 {
		t.Errorf("reads = %d during a 2-minute grace; want a pace of a few seconds", reads)
	}
	if !strings.Contains(err.Error(), "0 of its four single images") {
		t.Errorf("err = %v", err)
	}

	// The grace never outlasts the caller's context (the create timeout).
	ctx, cancel := context.WithCancel(context.Background())
	srv2, cnt2 := server(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n == 3 {
			cancel()
		}
		writeJSON(w, 200, ok(gridNoSingles))
	})
	c2, _ := clockClient(t, srv2.URL, nil)
	img, err = c2.WaitFor(ctx, testID, WaitOptions{Grid: true})
	if !errors.As(err, &missing) || img == nil || img.Status != StatusCompleted {
		t.Fatalf("img = %+v, err = %v; want the completed grid and *SinglesMissingError when the context ends", img, err)
	}
	if reads := cnt2.get(epImage.path); reads != 3 {
		t.Errorf("reads = %d, want 3: none after the context ended", reads)
	}

	// A negative grace does not wait at all.
	c3, _ := clockClient(t, srv.URL, func(cfg *Config) { cfg.SinglesGrace = -1 })
	before := cnt.get(epImage.path)
	if _, err := c3.WaitFor(context.Background(), testID, WaitOptions{Grid: true}); !errors.As(err, &missing) {
		t.Fatalf("err = %v", err)
	}
	if reads := cnt.get(epImage.path) - before; reads != 1 {
		t.Errorf("reads = %d with no grace, want 1", reads)
	}
}

func TestWaitFor_v4WithOneUpscaledURL(t *testing.T) {
	c, cnt, _ := statusServer(t, ok(v4OneURL))
	img, err := c.WaitFor(context.Background(), testID, WaitOptions{})
	if err != nil || img.ImageURL != "https://d2.example/v4.jpg" || len(img.UpscaledURLs) != 1 || img.ModelName == "" {
		t.Fatalf("img = %+v, err = %v", img, err)
	}
	if cnt.get(epImage.path) != 1 {
		t.Errorf("reads = %d, want 1", cnt.get(epImage.path))
	}
}

func TestDecodeImage_externalImg(t *testing.T) {
	img, err := decodeImage([]byte(`{"_id":"662a10df4197b3af58532e89","image_status":3,"external_img":"https://cdn.example/a.jpg"}`))
	if err != nil || img.ImageURL != "https://cdn.example/a.jpg" {
		t.Fatalf("img = %+v, err = %v; want external_img as the image URL", img, err)
	}
	img, err = decodeImage([]byte(`{"_id":"662a10df4197b3af58532e89","image_status":3,"image":"https://cdn.example/i.png","external_img":"https://cdn.example/e.png"}`))
	if err != nil || img.ImageURL != "https://cdn.example/i.png" {
		t.Fatalf("img = %+v, err = %v; want image first, as Akool's demo reads image || external_img", img, err)
	}
}

// Unexpected refusals during a wait are read through for a bounded time; the
// final error lists what Akool answered each time. Authentication refusals
// end the wait at once.
func TestWaitFor_refusalsAreRetried(t *testing.T) {
	answers := []string{
		`{"code":1009,"msg":"no permission"}`,
		`{"code":1003,"msg":"Parameter error"}`,
		`{"code":1108,"msg":"try again later"}`,
		ok(statusData(3)),
	}
	srv, _ := server(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		writeJSON(w, 200, answers[min(n, len(answers))-1])
	})
	c, _ := clockClient(t, srv.URL, nil)
	if img, err := c.Wait(context.Background(), testID, nil); err != nil || img.Status != StatusCompleted {
		t.Fatalf("img = %+v, err = %v; want the job completed after three refused reads", img, err)
	}

	srv2, cnt2 := server(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		switch {
		case n == 1:
			writeJSON(w, 200, ok(statusData(2)))
		case n%2 == 0:
			writeJSON(w, 200, `{"code":1009,"msg":"no permission"}`)
		default:
			writeJSON(w, 200, `{"code":1010,"msg":"You cannot operate this content"}`)
		}
	})
	c2, clock := clockClient(t, srv2.URL, nil)
	start := clock.Now()
	img, err := c2.Wait(context.Background(), testID, nil)
	var failed *ReadsFailedError
	if !errors.As(err, &failed) || img == nil || img.Status != StatusProcessing {
		t.Fatalf("img = %+v, err = %v; want the last image and *ReadsFailedError", img, err)
	}
	if took := clock.Now().Sub(start); took < readFailureBudget || took > readFailureBudget+time.Minute {
		t.Errorf("gave up after %v, want about %v", took, readFailureBudget)
	}
	if reads := cnt2.get(epImage.path); len(failed.Errors) != reads-1 || reads > 20 {
		t.Errorf("%d failures recorded over %d reads; want each failed read, with backoff", len(failed.Errors), reads)
	}
	for _, want := range []string{`code 1009 "no permission" (HTTP 200)`, `code 1010 "You cannot operate this content"`, "Akool answered: ", "; then "} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not say %q: %v", want, err)
		}
	}
	if !IsCode(err, 1009) && !IsCode(err, 1010) {
		t.Errorf("errors.As does not see the last answer: %v", err)
	}

	for _, code := range []int{CodeInvalidToken, CodeNoAuth, CodeBanned} {
		c, cnt, _ := statusServer(t, fmt.Sprintf(`{"code":%d,"msg":"refused"}`, code))
		if _, err := c.Wait(context.Background(), testID, nil); !IsCode(err, code) || cnt.get(epImage.path) != 1 {
			t.Errorf("code %d: err = %v after %d reads; want it final after 1", code, err, cnt.get(epImage.path))
		}
	}
}

// A create answer whose _id is usable is a job to keep, whatever else is
// wrong with it; without an _id it cannot be followed.
func TestCreate_keepsUsableIDDespiteBadFields(t *testing.T) {
	const bad = `{"_id":"662a10df4197b3af58532e89","image_status":{"x":1},"deduction_credit":"lots",` +
		`"create_time":"yesterday","buttons":7}`
	srv, _ := server(t, func(w http.ResponseWriter, _ *http.Request, _ int) { writeJSON(w, 200, ok(bad)) })
	log := &recordingLogger{}
	c, _ := newClient(t, srv.URL, func(cfg *Config) { cfg.Logger = log })
	for name, create := range createCalls(c) {
		img, err := create()
		if err != nil || img.ID != testID || img.Status != StatusQueueing {
			t.Errorf("%s: img = %+v, err = %v; want the job's id kept, queueing", name, img, err)
		}
	}
	logged := false
	for _, l := range log.all() {
		if p, _ := l.fields["problems"].(string); strings.Contains(p, "deduction_credit") && strings.Contains(p, "image_status") {
			logged = true
		}
	}
	if !logged {
		t.Errorf("the unusable fields were not logged: %+v", log.all())
	}

	srv2, _ := server(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		writeJSON(w, 200, ok(`{"image_status":1,"deduction_credit":"lots"}`))
	})
	c2, _ := newClient(t, srv2.URL, nil)
	var uncertain *UncertainError
	if _, err := c2.CreateV3(context.Background(), CreateV3Request{Prompt: "p"}); !errors.As(err, &uncertain) {
		t.Errorf("err = %v, want *UncertainError without an _id", err)
	}
}
