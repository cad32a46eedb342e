package main

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/akool-community/terraform-provider-akool/internal/bench"
)

func TestRunRejectsPlanRunsBelowOne(t *testing.T) {
	for _, n := range []string{"0", "-1"} {
		var stdout, stderr bytes.Buffer
		// Binaries that do not exist: the flag must be refused before they are looked for.
		code := run([]string{"-plan-runs", n, "-provider", "/nonexistent/terraform-provider-akool"}, &stdout, &stderr)
		if code != 2 || !strings.Contains(stderr.String(), "-plan-runs must be at least 1") {
			t.Errorf("-plan-runs %s: exit %d, stderr %q; want exit 2 and a -plan-runs error", n, code, stderr.String())
		}
	}
}

func TestServedAsProvider(t *testing.T) {
	env := []string{"PATH=/usr/bin"}
	got := servedAsProvider(env)
	for _, want := range []string{"PATH=/usr/bin", bench.FloorTuneGC + "=1", "TF_LOG_SDK=OFF", "TF_LOG_PROVIDER_BENCHFLOOR=OFF"} {
		if !slices.Contains(got, want) {
			t.Errorf("the schema floor's environment %q lacks %q", got, want)
		}
	}
	if len(env) != 1 {
		t.Errorf("servedAsProvider changed its argument: %q", env)
	}
}

func TestSharedConfigOffsetsPrompts(t *testing.T) {
	got := fmt.Sprintf(sharedConfig, 150, bench.PromptPrefix, 300)
	if !strings.Contains(got, "count  = 150\n") || !strings.Contains(got, `prompt = "bench-${count.index + 300}"`) {
		t.Errorf("the third workspace's configuration does not number its images from 300:\n%s", got)
	}
}
