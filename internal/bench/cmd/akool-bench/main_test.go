package main

import (
	"bytes"
	"strings"
	"testing"
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
