package emulator_test

import (
	"testing"
	"time"

	"github.com/akool-community/terraform-provider-akool/internal/emulator"
)

// A held create is acted on at once, the job created and charged, and
// answered only once released.
func TestHoldCreateAnswers(t *testing.T) {
	e := start(t, emulator.Options{})
	release := e.emu.HoldCreateAnswers()
	t.Cleanup(release)
	creditBefore := e.credit()

	answered := make(chan answer, 1)
	go func() {
		_, a := e.call("POST", pathV3, map[string]any{"prompt": "a lighthouse"}, "x-api-key", testKey)
		answered <- a
	}()
	deadline := time.Now().Add(5 * time.Second)
	for e.emu.Counters().Creates == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if c := e.emu.Counters(); c.Creates != 1 || e.credit() != creditBefore-4 {
		t.Fatalf("creates = %d, credit %v -> %v; want the job created and charged while its answer is held",
			c.Creates, creditBefore, e.credit())
	}
	select {
	case a := <-answered:
		t.Fatalf("answered (code %d) before the release", a.Code)
	case <-time.After(100 * time.Millisecond):
	}

	release()
	select {
	case a := <-answered:
		if job := decode[imageJob](t, a.Data); a.Code != 1000 || job.ID == "" {
			t.Errorf("released answer: code %d, id %q; want 1000 with the job", a.Code, job.ID)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no answer after the release")
	}
	release() // a second release is harmless
	_ = e.createV3(map[string]any{"prompt": "after the hold"})
}
