package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// find_cli (scripts/emulator.sh) turns a relative TERRAFORM into an
// absolute path, as the scripts run the CLI from another directory. A
// CDPATH in the environment, which makes cd print the directory it finds,
// must not end up in that path.
func TestScripts_findCLIWithCDPATH(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Fatalf("the scripts need bash: %v", err)
	}
	root, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	cli := filepath.Join(work, "clis", "terraform")
	if err := os.MkdirAll(filepath.Dir(cli), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cli, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), bash, "-c", `. "$1/scripts/emulator.sh" && find_cli test && printf '%s' "$tf"`, "bash", root)
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "TERRAFORM=clis/terraform", "CDPATH="+work)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("find_cli with TERRAFORM=clis/terraform: %v", err)
	}
	if got := string(out); got != cli {
		t.Errorf("find_cli set tf to %q, want %q", got, cli)
	}
}
