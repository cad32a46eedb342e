package provider

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/akool-community/terraform-provider-akool/internal/emulator"
)

// secretsCycle is one way of authenticating, driven through a whole
// apply, plan, import and destroy cycle with Terraform's most verbose logs.
type secretsCycle struct {
	name string
	// provider is the provider block; env is added to the environment of
	// the terraform CLI and setenv to the provider's (this test process).
	provider func(url string, e *emulator.Emulator) string
	env      func(e *emulator.Emulator) []string
	setenv   func(t *testing.T, e *emulator.Emulator)
}

// Not parallel: the provider runs in this test process, and where its logs
// go is set through the process environment (TF_LOG, TF_ACC_LOG_PATH).
//
// With TF_LOG=TRACE, a full apply, plan, import and destroy cycle with each
// way of authenticating (and a failing import, for an error) writes none of
// the API key, client secret or token (the configured one, or the one
// getToken handed out) to Terraform's log, the provider's log, the CLI's
// output or any file of the working directory, state included. The
// provider's log does record the requests, so there was something to leak.
func TestAccSecrets_traceLogs(t *testing.T) {
	const clientID = "client-4e1b90"
	cycles := []secretsCycle{
		{
			name: "api_key argument",
			provider: func(url string, _ *emulator.Emulator) string {
				return fmt.Sprintf("provider \"akool\" {\n  endpoint = %q\n  api_key  = %q\n}\n", url, secretsAPIKey)
			},
		},
		{
			name: "client id and secret from the environment",
			provider: func(url string, _ *emulator.Emulator) string {
				return fmt.Sprintf("provider \"akool\" {\n  endpoint = %q\n}\n", url)
			},
			setenv: func(t *testing.T, _ *emulator.Emulator) {
				t.Setenv(envClientID, clientID)
				t.Setenv(envClientSecret, secretsAPIKey)
			},
		},
		{
			name: "token from a sensitive variable",
			provider: func(url string, _ *emulator.Emulator) string {
				return fmt.Sprintf(`variable "akool_token" {
  type      = string
  sensitive = true
}
provider "akool" {
  endpoint = %q
  token    = var.akool_token
}
`, url)
			},
			env: func(e *emulator.Emulator) []string { return []string{"TF_VAR_akool_token=" + e.Token()} },
		},
	}

	total, searched := 0, 0
	for _, cycle := range cycles {
		t.Run(cycle.name, func(t *testing.T) {
			e, url := newTestEmulator(t, func(o *emulator.Options) {
				o.APIKey = secretsAPIKey
				o.ClientID = clientID
			})
			logs := t.TempDir()
			t.Setenv("TF_LOG", "TRACE")
			t.Setenv("TF_ACC_LOG_PATH", filepath.Join(logs, "provider.log"))
			t.Setenv("TF_LOG_PATH_MASK", "")
			if cycle.setenv != nil {
				cycle.setenv(t, e)
			}
			h := newTFHarness(t)
			h.env = append(h.env, "TF_LOG=TRACE", "TF_LOG_PATH="+filepath.Join(logs, "terraform.log"))
			if cycle.env != nil {
				h.env = append(h.env, cycle.env(e)...)
			}
			config := cycle.provider(url, e) + `
resource "akool_generated_image" "test" {
  prompt = "a key under the doormat"
}
resource "akool_image_upscale" "test" {
  image_id = akool_generated_image.test.id
  index    = 3
}
`
			h.writeConfig(config)

			var output strings.Builder
			run := func(wantExit int, args ...string) {
				t.Helper()
				res := h.run(args...)
				output.WriteString(res.output())
				if res.exitCode != wantExit {
					t.Fatalf("terraform %s exited %d, want %d:\n%s", strings.Join(args, " "), res.exitCode, wantExit, res.output())
				}
			}
			run(0, "init", "-input=false")
			run(0, "apply", "-auto-approve", "-input=false")
			run(0, "plan", "-detailed-exitcode", "-input=false")
			image, upscale := h.resource(testAccImageAddress), h.resource("akool_image_upscale.test")
			if image == nil || upscale == nil {
				t.Fatal("the apply did not record the image and its upscale")
			}
			// Start from an empty state (the old one is kept, and searched).
			if err := os.Rename(filepath.Join(h.dir, "terraform.tfstate"), filepath.Join(h.dir, "before-import.tfstate")); err != nil {
				t.Fatal(err)
			}
			run(0, "import", "-input=false", testAccImageAddress, stateID(image))
			run(0, "import", "-input=false", "akool_image_upscale.test", stateID(upscale))
			run(0, "plan", "-detailed-exitcode", "-input=false")
			// An error on the way: an id Akool does not know.
			h.writeConfig(config + `
resource "akool_generated_image" "missing" {
  prompt = "never made"
}
`)
			run(1, "import", "-input=false", "akool_generated_image.missing", "0123456789abcdef01234567")
			if !strings.Contains(output.String(), "code 1008") {
				t.Errorf("the failing import did not report Akool's 1008:\n%s", output.String())
			}
			h.writeConfig(config)
			run(0, "destroy", "-auto-approve", "-input=false")

			if c := e.Counters(); c.Creates != 1 || c.Presses != 1 {
				t.Errorf("creates = %d, presses = %d; want 1 and 1", c.Creates, c.Presses)
			}
			if strings.HasPrefix(cycle.name, "client id") && e.Counters().TokenRequests == 0 {
				t.Error("the provider never asked getToken for a token")
			}

			// Everything the cycle wrote: both logs, the CLI's output, and
			// every file of the working directory but the configuration
			// (which holds the api_key argument as the user wrote it).
			texts := map[string]string{"terraform output": output.String()}
			for _, dir := range []string{logs, h.dir} {
				maps.Copy(texts, readFiles(t, dir, func(p string) bool { return filepath.Base(p) != "main.tf" }))
			}
			providerLog := texts[filepath.Join(logs, "provider.log")]
			terraformLog := texts[filepath.Join(logs, "terraform.log")]
			if !strings.Contains(providerLog, "akool request") || !strings.Contains(providerLog, "infobymodelid") {
				t.Fatalf("the provider's log holds no request lines (%d bytes); the search would prove nothing", len(providerLog))
			}
			if !strings.Contains(terraformLog, "[TRACE]") {
				t.Fatalf("Terraform's log holds no TRACE lines (%d bytes); the search would prove nothing", len(terraformLog))
			}
			if _, ok := texts[filepath.Join(h.dir, "terraform.tfstate")]; !ok {
				t.Fatal("no state file was searched")
			}

			secrets := map[string]string{"API key / client secret": secretsAPIKey, "token": e.Token()}
			found := 0
			for where, text := range texts {
				searched += len(text)
				for what, secret := range secrets {
					if n := strings.Count(text, secret); n > 0 {
						found += n
						t.Errorf("the %s appears %d times in %s", what, n, where)
					}
				}
			}
			// Where a request's authentication header is named, its value is
			// masked. (The provider logs no headers at all: it logs each
			// request's method, path, attempt, status and code.)
			headerLines := 0
			for _, text := range []string{providerLog, terraformLog} {
				for _, line := range authHeaderLine.FindAllString(text, -1) {
					headerLines++
					if !strings.Contains(line, "***") {
						t.Errorf("a log line names an authentication header without masking it: %s", line)
					}
				}
			}
			total += found
			figure(t, "secret occurrences found", found)
			figure(t, "log lines naming an authentication header", headerLines)
		})
	}
	figure(t, "secret occurrences found in all", total)
	figure(t, "bytes of logs, output and files searched", searched)
}

// secretsAPIKey is the API key (and client secret) of the secrets test: a
// value no log line could hold by chance.
const secretsAPIKey = "sk-live-a7c3e9f1-secret-0b5d"

// authHeaderLine matches a log line that gives a value to an authentication
// header.
var authHeaderLine = regexp.MustCompile(`(?i)[^\n]*(x-api-key|authorization)["']?\s*[:=]\s*[^\n]+`)
