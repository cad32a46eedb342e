package main

import (
	"slices"
	"testing"
	"time"

	"github.com/akool-community/terraform-provider-akool/internal/akool"
)

// TestStrategy checks the waits of each peer strategy: a fixed 5 s poll, and
// a backoff from 0.5 s doubling up to 10 s.
func TestStrategy(t *testing.T) {
	for name, want := range map[string][]time.Duration{
		"fixed5s":     {5 * time.Second, 5 * time.Second, 5 * time.Second},
		"exponential": {500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second},
	} {
		newPoll, err := strategy(name)
		if err != nil {
			t.Fatalf("strategy(%q): %v", name, err)
		}
		timer := newPoll().Follow("job", time.Time{})
		var got []time.Duration
		for range want {
			got = append(got, timer.Observe(time.Time{}, akool.StatusProcessing))
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s waits %v, want %v", name, got, want)
		}
	}
	for _, name := range []string{"", "learned", "fixed"} {
		if _, err := strategy(name); err == nil {
			t.Errorf("strategy(%q) has no error; only the peers' strategies are served by this binary", name)
		}
	}
}
