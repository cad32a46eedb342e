package serve

import (
	"math"
	"runtime/debug"
	"testing"
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

func TestTuneGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))

	tuneGC(func(string) string { return "" })
	if got := debug.SetGCPercent(100); got != 400 {
		t.Errorf("GC percent %d, want 400 when GOGC is unset", got)
	}
	if got := debug.SetMemoryLimit(math.MaxInt64); got != 96<<20 {
		t.Errorf("memory limit %d, want 96 MiB when GOMEMLIMIT is unset", got)
	}

	tuneGC(func(name string) string { return map[string]string{"GOGC": "100", "GOMEMLIMIT": "1GiB"}[name] })
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GC percent %d, want the user's 100 when GOGC is set", got)
	}
	if got := debug.SetMemoryLimit(math.MaxInt64); got != math.MaxInt64 {
		t.Errorf("memory limit %d, want none set when GOMEMLIMIT is set", got)
	}
}
