package serve

import (
	"math"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"
	"testing"
	"time"
)

func TestLogsRequested(t *testing.T) {
	for _, tc := range []struct {
		environ []string
		want    bool
	}{
		{nil, false},
		{[]string{"HOME=/root", "TF_IN_AUTOMATION=1", "TF_CLI_CONFIG_FILE=/x"}, false},
		{[]string{"TF_LOG="}, false}, // set but empty: Terraform logs nothing either
		{[]string{"TF_LOG=TRACE"}, true},
		{[]string{"TF_LOG=info"}, true},
		{[]string{"TF_LOG_PATH=/tmp/tf.log"}, true},
		{[]string{"TF_LOG_PROVIDER=DEBUG"}, true},
		{[]string{"TF_LOG_PROVIDER_AKOOL=DEBUG"}, true},
		{[]string{"TF_LOG_SDK=TRACE"}, true},
		{[]string{"TF_LOG_SDK_FRAMEWORK=TRACE"}, true},
		{[]string{"TF_LOG_SDK_PROTO=TRACE"}, true},
		{[]string{"TF_LOG_CORE=TRACE"}, true},
	} {
		if got := logsRequested(tc.environ); got != tc.want {
			t.Errorf("logsRequested(%q) = %v, want %v", tc.environ, got, tc.want)
		}
	}
}

func TestQuietLogLevels(t *testing.T) {
	want := []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER_AKOOL"}
	if got := QuietLogLevels(Address); !slices.Equal(got, want) {
		t.Errorf("QuietLogLevels(%q) = %q, want %q", Address, got, want)
	}
	// The SDK turns dashes in the provider's type into underscores.
	if got := QuietLogLevels("registry.terraform.io/example/my-cloud"); got[len(got)-1] != "TF_LOG_PROVIDER_MY_CLOUD" {
		t.Errorf("provider logger level %q, want TF_LOG_PROVIDER_MY_CLOUD", got[len(got)-1])
	}
}

func TestTuneGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))

	stop := tuneGC(func(string) string { return "" })
	if got := debug.SetGCPercent(100); got != 400 {
		t.Errorf("GC percent %d, want 400 when GOGC is unset", got)
	}
	if got := debug.SetMemoryLimit(math.MaxInt64); got < 96<<20 || got == math.MaxInt64 {
		t.Errorf("memory limit %d, want at least 96 MiB when GOMEMLIMIT is unset", got)
	}
	stop()

	defer tuneGC(func(name string) string { return map[string]string{"GOGC": "100", "GOMEMLIMIT": "1GiB"}[name] })()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GC percent %d, want the user's 100 when GOGC is set", got)
	}
	runtime.GC() // a limit set after a collection would show now
	runtime.GC()
	if got := debug.SetMemoryLimit(math.MaxInt64); got != math.MaxInt64 {
		t.Errorf("memory limit %d, want none set when GOMEMLIMIT is set", got)
	}
}

func TestSoftLimit(t *testing.T) {
	for _, tc := range []struct {
		live uint64
		want int64
	}{
		{0, 96 << 20},
		{20 << 20, 96 << 20},
		{32 << 20, 96 << 20},
		{50 << 20, 150 << 20},
		{160 << 20, 480 << 20},
	} {
		if got := softLimit(tc.live); got != tc.want {
			t.Errorf("softLimit(%d MiB) = %d MiB, want %d MiB", tc.live>>20, got>>20, tc.want>>20)
		}
	}
}

// TestFollowLiveHeap checks that the limit follows the live heap from one
// collection to the next, up and down.
func TestFollowLiveHeap(t *testing.T) {
	var mu sync.Mutex
	var seen []uint64
	defer followLiveHeap(func(live uint64) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, live)
	})()
	last := func() uint64 {
		mu.Lock()
		defer mu.Unlock()
		return seen[len(seen)-1]
	}
	// collect until the follower saw a live heap that passes ok; the
	// finalizer runs on its own goroutine, shortly after a collection.
	waitFor := func(what string, ok func(uint64) bool) {
		t.Helper()
		for range 200 {
			runtime.GC()
			if ok(last()) {
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
		t.Fatalf("the follower never saw %s; last live heap %d MiB", what, last()>>20)
	}

	kept := make([]byte, 32<<20)
	for i := range kept {
		kept[i] = 1
	}
	waitFor("the 32 MiB kept alive", func(live uint64) bool { return live >= 32<<20 })
	runtime.KeepAlive(kept) // kept is garbage from here on
	waitFor("the 32 MiB freed", func(live uint64) bool { return live < 32<<20 })
}
