package main

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

func TestParseSizes(t *testing.T) {
	got, err := parseSizes("200, 1000,3000")
	if err != nil || !slices.Equal(got, []int{200, 1000, 3000}) {
		t.Errorf("parseSizes = %v, %v; want [200 1000 3000]", got, err)
	}
	for _, bad := range []string{"", "0", "200,x", "-5", "200,,300"} {
		if got, err := parseSizes(bad); err == nil {
			t.Errorf("parseSizes(%q) = %v, want an error", bad, got)
		}
	}
}

func TestRunRejectsBadScaleSizes(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run([]string{"-only", "scale", "-scale-sizes", "100,0", "-provider", "/nonexistent/terraform-provider-akool"}, &stdout, &stderr)
	if code != 2 || !strings.Contains(stderr.String(), "-scale-sizes") {
		t.Errorf("exit %d, stderr %q; want exit 2 and a -scale-sizes error", code, stderr.String())
	}
}
