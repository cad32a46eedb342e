package serve

import (
	"math"
	"runtime/debug"
	"slices"
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

	TuneGC(func(string) string { return "" })
	if got := debug.SetGCPercent(100); got != 400 {
		t.Errorf("GC percent %d, want 400 when GOGC is unset", got)
	}
	if got := debug.SetMemoryLimit(math.MaxInt64); got != 96<<20 {
		t.Errorf("memory limit %d, want 96 MiB when GOMEMLIMIT is unset", got)
	}

	TuneGC(func(name string) string { return map[string]string{"GOGC": "100", "GOMEMLIMIT": "1GiB"}[name] })
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GC percent %d, want the user's 100 when GOGC is set", got)
	}
	if got := debug.SetMemoryLimit(math.MaxInt64); got != math.MaxInt64 {
		t.Errorf("memory limit %d, want none set when GOMEMLIMIT is set", got)
	}
}
