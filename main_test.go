package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/akool-community/terraform-provider-akool/internal/emulator"
	"github.com/akool-community/terraform-provider-akool/internal/serve"
)

// envServeProvider makes the test binary serve the provider instead of
// running tests: Terraform starts it through a wrapper script, as it would
// start the real binary.
const envServeProvider = "AKOOL_TEST_SERVE_PROVIDER"

func TestMain(m *testing.M) {
	if os.Getenv(envServeProvider) != "" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestProviderBinary_logsOnlyWhenAsked runs terraform plan against the
// provider served the way main serves it, and reads what the provider writes
// to its standard error, where its logs go: nothing at all when no TF_LOG
// variable is set, and the SDK's and the provider's own log lines when one is.
func TestProviderBinary_logsOnlyWhenAsked(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("Terraform-driven test: set TF_ACC=1 (make test does)")
	}
	if runtime.GOOS == "windows" {
		t.Skip("the provider is started through a POSIX shell script")
	}
	tfPath := os.Getenv("TF_ACC_TERRAFORM_PATH")
	for _, name := range []string{"terraform", "tofu"} {
		if tfPath == "" {
			tfPath, _ = exec.LookPath(name)
		}
	}
	if tfPath == "" {
		t.Fatal("TF_ACC is set but neither a terraform nor a tofu CLI was found: install Terraform or OpenTofu, or set TF_ACC_TERRAFORM_PATH")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	_, endpoint := emulator.NewServer(t, emulator.Options{APIKey: "test-key"})

	root := t.TempDir()
	binDir, workDir := filepath.Join(root, "bin"), filepath.Join(root, "work")
	for _, dir := range []string{binDir, workDir} {
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	stderrPath := filepath.Join(root, "provider-stderr")
	script := "#!/bin/sh\n" + envServeProvider + "=1 exec " + shellQuote(self) + " 2>>" + shellQuote(stderrPath) + "\n"
	if err := os.WriteFile(filepath.Join(binDir, "terraform-provider-akool"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	cliConfig := filepath.Join(root, "terraformrc")
	rc := serve.DevOverrides(binDir)
	if err := os.WriteFile(cliConfig, []byte(rc), 0o644); err != nil {
		t.Fatal(err)
	}
	config := `terraform {
  required_providers {
    akool = { source = "akool-community/akool" }
  }
}
provider "akool" {}
data "akool_account" "this" {}
resource "akool_generated_image" "this" {
  prompt = "a lighthouse"
}
`
	if err := os.WriteFile(filepath.Join(workDir, "main.tf"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}

	var base []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TF_") && !strings.HasPrefix(kv, "AKOOL_") {
			base = append(base, kv)
		}
	}
	base = append(base, "TF_CLI_CONFIG_FILE="+cliConfig, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
		"AKOOL_ENDPOINT="+endpoint, "AKOOL_API_KEY=test-key")

	plan := func(t *testing.T, extraEnv ...string) string {
		t.Helper()
		if err := os.Remove(stderrPath); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, tfPath, "plan", "-input=false", "-no-color")
		cmd.Dir = workDir
		cmd.Env = append(append([]string{}, base...), extraEnv...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("terraform plan: %v\n%s", err, out)
		}
		raw, err := os.ReadFile(stderrPath)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		return string(raw)
	}

	t.Run("no TF_LOG variable: no log line at all", func(t *testing.T) {
		if out := plan(t); out != "" {
			t.Errorf("the provider wrote %d bytes to its standard error, want none; they begin:\n%s", len(out), head(out, 2000))
		}
	})
	for _, env := range []string{"TF_LOG=TRACE", "TF_LOG_PROVIDER=TRACE", "TF_LOG_PATH=" + filepath.Join(root, "terraform.log")} {
		t.Run(env+": SDK and provider logs", func(t *testing.T) {
			out := plan(t, env)
			for _, want := range []string{
				`"@module":"sdk.proto"`,        // terraform-plugin-go
				`"@module":"sdk.framework"`,    // terraform-plugin-framework
				`"@message":"akool request"`,   // the client's own DEBUG line for each request
				`"@message":"Configured Akool`, // the provider's DEBUG line
			} {
				if !strings.Contains(out, want) {
					t.Errorf("the provider's standard error has no line with %s; it begins:\n%s", want, head(out, 2000))
				}
			}
		})
	}
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func head(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
