package akool

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"
)

// A job Akool does not show yet (code 1008, its reads lagging behind its
// writes) is waited for: one this client created for as long as the wait's
// context lasts, any other while it is younger than JobLostAfter.

// notShownServer answers the create call, then 1008 to the first notFounds
// reads, then the finished job.
func notShownServer(t *testing.T, notFounds int) (string, *counter) {
	t.Helper()
	srv, cnt := server(t, func(w http.ResponseWriter, r *http.Request, n int) {
		switch {
		case r.URL.Path != epImage.path:
			writeJSON(w, 200, ok(v3CreateData))
		case n <= notFounds:
			writeJSON(w, 200, notFound)
		default:
			writeJSON(w, 200, ok(statusData(3)))
		}
	})
	return srv.URL, cnt
}

func TestWaitFor_newJobNotShownForMinutes(t *testing.T) {
	url, cnt := notShownServer(t, 8)
	c, clock := clockClient(t, url, nil)
	job, err := c.CreateV3(context.Background(), CreateV3Request{Prompt: "a cat on a mat"})
	if err != nil {
		t.Fatal(err)
	}
	created := clock.Now()
	img, err := c.Wait(context.Background(), job.ID, nil)
	if err != nil || img.Status != StatusCompleted {
		t.Fatalf("img = %+v, err = %v; want the job completed after 8 reads answered 1008", img, err)
	}
	if took := clock.Now().Sub(created); took < 75*time.Second {
		t.Errorf("the job showed up %v after its creation; the test means it to be past a minute", took)
	}
	if reads := cnt.get(epImage.path); reads != 9 {
		t.Errorf("reads = %d, want 9", reads)
	}
}

func TestWaitFor_newJobNeverShownEndsWithTheContext(t *testing.T) {
	url, cnt := notShownServer(t, 1<<20)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clock := newWaitClock()
	created := clock.Now()
	// The create timeout, on the fake clock: the context ends 3 minutes on.
	c, _ := newClient(t, url, func(cfg *Config) {
		cfg.Now, cfg.Poll = clock.Now, FixedPoll(time.Second)
		cfg.Sleep = func(ctx context.Context, d time.Duration) error {
			if err := clock.Sleep(ctx, d); err != nil {
				return err
			}
			if clock.Now().Sub(created) >= 3*time.Minute {
				cancel()
				return ctx.Err()
			}
			return nil
		}
	})
	job, err := c.CreateV3(context.Background(), CreateV3Request{Prompt: "a cat on a mat"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Wait(ctx, job.ID, nil)
	var notShown *NotShownError
	if !errors.Is(err, context.Canceled) || !errors.As(err, &notShown) || IsNotFound(err) {
		t.Fatalf("err = %v; want the context's end and a NotShownError, not a final 1008", err)
	}
	if notShown.Since < 2*time.Minute || notShown.Reads < 3 {
		t.Errorf("NotShownError = %+v; want reads for more than two minutes", notShown)
	}
	if reads := cnt.get(epImage.path); reads < 3 || reads > 20 {
		t.Errorf("reads = %d, want a few, with backoff", reads)
	}
}

func TestWaitFor_notShownJobOfAnEarlierRun(t *testing.T) {
	clock := newWaitClock()
	idAt := func(age time.Duration) string {
		return fmt.Sprintf("%08x%s", clock.Now().Add(-age).Unix(), testID[8:])
	}
	for _, tt := range []struct {
		name      string
		age       time.Duration
		wantReads int
		wantFinal bool
	}{
		{"younger than JobLostAfter", time.Minute, 3, false},
		{"older than JobLostAfter", JobLostAfter + time.Minute, 1, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			id := idAt(tt.age)
			srv, cnt := server(t, func(w http.ResponseWriter, _ *http.Request, n int) {
				if n <= 2 {
					writeJSON(w, 200, notFound)
					return
				}
				writeJSON(w, 200, ok(fmt.Sprintf(`{"_id":%q,"image_status":3,"image":"https://cdn.example/a.png"}`, id)))
			})
			c, _ := newClient(t, srv.URL, func(cfg *Config) {
				cfg.Sleep, cfg.Now, cfg.Poll = clock.Sleep, clock.Now, FixedPoll(time.Second)
			})
			img, err := c.Wait(context.Background(), id, nil)
			if tt.wantFinal != IsNotFound(err) || (!tt.wantFinal && (err != nil || img.Status != StatusCompleted)) {
				t.Errorf("img = %+v, err = %v; want a final 1008: %v", img, err, tt.wantFinal)
			}
			if reads := cnt.get(epImage.path); reads != tt.wantReads {
				t.Errorf("reads = %d, want %d", reads, tt.wantReads)
			}
		})
	}
}

func TestIDTime(t *testing.T) {
	got, ok := IDTime("662a10df4197b3af58532e89")
	if want := time.Unix(0x662a10df, 0).UTC(); !ok || !got.Equal(want) {
		t.Errorf("IDTime = %v, %v; want %v", got, ok, want)
	}
	for _, id := range []string{"", "662a10df", "662a10df4197b3af58532e8z", "zz2a10df4197b3af58532e89"} {
		if _, ok := IDTime(id); ok {
			t.Errorf("IDTime(%q) accepted a non-ObjectId", id)
		}
	}
}
