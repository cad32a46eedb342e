package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
)

// tfHarness drives the real terraform CLI in a temporary directory against
// the provider served in this test process (Terraform's debug/reattach mode),
// for what terraform-plugin-testing cannot do: terraform untaint, reading the
// CLI's own output, signals.
//
// Each command gets a fresh provider server, as a real Terraform run gets a
// fresh provider process.
type tfHarness struct {
	t      *testing.T
	dir    string
	tfPath string
	env    []string
	clock  clock // the served provider's time; nil for the system's

	timeout time.Duration // bounds each terraform command; zero for tfCommandTimeout
}

// tfCommandTimeout bounds any single terraform command in the harness: past
// it, terraform is killed.
const tfCommandTimeout = 2 * time.Minute

// newTFHarness prepares an empty working directory. Like resource.Test, it
// needs TF_ACC; TestMain has found the terraform CLI by then.
func newTFHarness(t *testing.T) *tfHarness {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("Terraform-driven test: set TF_ACC=1 (make test does)")
	}
	tfPath := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tfPath == "" {
		t.Fatal("TF_ACC_TERRAFORM_PATH is not set")
	}
	root := t.TempDir()
	dir := filepath.Join(root, "work")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// An empty CLI configuration keeps the developer's own settings out.
	cliConfig := filepath.Join(root, "terraformrc")
	if err := os.WriteFile(cliConfig, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TF_") && !strings.HasPrefix(kv, "AKOOL_") && !strings.HasPrefix(kv, "CHECKPOINT_") {
			env = append(env, kv)
		}
	}
	env = append(env,
		"TF_CLI_CONFIG_FILE="+cliConfig,
		"TF_IN_AUTOMATION=1",
		"TF_INPUT=0",
		"CHECKPOINT_DISABLE=1",
	)
	return &tfHarness{t: t, dir: dir, tfPath: tfPath, env: env}
}

// writeConfig replaces the working directory's configuration with hcl, after
// a terraform block that requires this provider. A removed block skips the
// test on a CLI without them.
func (h *tfHarness) writeConfig(hcl string) {
	h.t.Helper()
	if removedBlockPattern.MatchString(hcl) {
		requireCLI(h.t, featureRemovedBlock)
	}
	header := `terraform {
  required_providers {
    akool = {
      source = "akool-community/akool"
    }
  }
}
`
	if err := os.WriteFile(filepath.Join(h.dir, "main.tf"), []byte(header+hcl), 0o644); err != nil {
		h.t.Fatal(err)
	}
}

// tfResult is a finished terraform command.
type tfResult struct {
	args     []string
	stdout   string
	stderr   string
	exitCode int
}

// output is stdout and stderr together, as a user sees them.
func (r tfResult) output() string { return r.stdout + r.stderr }

// mentions reports whether the output contains text, ignoring how Terraform
// wrapped its lines.
func (r tfResult) mentions(text string) bool {
	return strings.Contains(strings.Join(strings.Fields(r.output()), " "), strings.Join(strings.Fields(text), " "))
}

// run runs terraform with args and returns its result, whatever its exit code.
func (h *tfHarness) run(args ...string) tfResult {
	h.t.Helper()
	return h.start(args...).wait()
}

// mustRun is run that fails the test unless terraform exits with 0.
func (h *tfHarness) mustRun(args ...string) tfResult {
	h.t.Helper()
	res := h.run(args...)
	if res.exitCode != 0 {
		h.t.Fatalf("terraform %s exited with %d:\n%s", strings.Join(args, " "), res.exitCode, res.output())
	}
	return res
}

// tfRun is a terraform command in progress. cmd.Process can be signalled
// (for example with os.Interrupt) before wait.
type tfRun struct {
	h              *tfHarness
	args           []string
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
	stopProvider   func()
	cancel         context.CancelFunc
}

// start serves the provider and starts terraform with args, adding
// -no-color. The caller must call wait.
func (h *tfHarness) start(args ...string) *tfRun {
	h.t.Helper()
	reattach, stop := h.serveProvider()
	timeout := h.timeout
	if timeout == 0 {
		timeout = tfCommandTimeout
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	r := &tfRun{h: h, args: args, stopProvider: stop, cancel: cancel}
	full := append([]string{args[0], "-no-color"}, args[1:]...)
	r.cmd = exec.CommandContext(ctx, h.tfPath, full...)
	r.cmd.Dir = h.dir
	r.cmd.Env = append(append([]string{}, h.env...), "TF_REATTACH_PROVIDERS="+reattach)
	r.cmd.Stdout = &r.stdout
	r.cmd.Stderr = &r.stderr
	if err := r.cmd.Start(); err != nil {
		cancel()
		stop()
		h.t.Fatalf("starting terraform: %v", err)
	}
	return r
}

// wait waits for terraform to exit, then stops the provider server.
func (r *tfRun) wait() tfResult {
	r.h.t.Helper()
	err := r.cmd.Wait()
	r.cancel()
	r.stopProvider()
	res := tfResult{args: r.args, stdout: r.stdout.String(), stderr: r.stderr.String()}
	var exitErr *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exitErr):
		res.exitCode = exitErr.ExitCode()
	default:
		r.h.t.Fatalf("terraform %s: %v", strings.Join(r.args, " "), err)
	}
	r.h.t.Logf("terraform %s: exit %d", strings.Join(r.args, " "), res.exitCode)
	return res
}

// serveProvider starts an in-process provider server in debug mode and
// returns the TF_REATTACH_PROVIDERS value for it and a function that stops it.
func (h *tfHarness) serveProvider() (reattach string, stop func()) {
	h.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	configCh := make(chan *plugin.ReattachConfig, 1)
	closeCh := make(chan struct{})
	serveErr := make(chan error, 1)
	go func() {
		serveErr <- tf6server.Serve(tfProviderAddress(), providerserver.NewProtocol6(newProvider("test", h.clock)),
			tf6server.WithDebug(ctx, configCh, closeCh),
			tf6server.WithoutLogStderrOverride(),
			// Provider logs go where terraform-plugin-testing sends them
			// (TF_ACC_LOG_PATH, TF_LOG_PATH_MASK), not to the test's output.
			tf6server.WithLoggingSink(h.t),
			tf6server.WithGoPluginLogger(hclog.NewNullLogger()))
	}()

	var config *plugin.ReattachConfig
	select {
	case config = <-configCh:
	case err := <-serveErr:
		cancel()
		h.t.Fatalf("serving the provider: %v", err)
	case <-time.After(30 * time.Second):
		cancel()
		h.t.Fatal("the provider server did not start within 30s")
	}
	if config == nil {
		cancel()
		h.t.Fatal("the provider server gave no reattach configuration")
	}

	type addr struct{ Network, String string }
	type reattachConfig struct {
		Protocol        string
		ProtocolVersion int
		Pid             int
		Test            bool
		Addr            addr
	}
	raw, err := json.Marshal(map[string]reattachConfig{tfProviderAddress(): {
		Protocol:        string(config.Protocol),
		ProtocolVersion: config.ProtocolVersion,
		Pid:             config.Pid,
		Test:            config.Test,
		Addr:            addr{Network: config.Addr.Network(), String: config.Addr.String()},
	}})
	if err != nil {
		cancel()
		h.t.Fatal(err)
	}
	return string(raw), func() {
		cancel()
		select {
		case <-closeCh:
		case <-time.After(30 * time.Second):
			h.t.Error("the provider server did not stop within 30s")
		}
	}
}

// state returns `terraform show -json` of the working directory's state.
func (h *tfHarness) state() *tfjson.State {
	h.t.Helper()
	res := h.mustRun("show", "-json")
	var state tfjson.State
	if err := json.Unmarshal([]byte(res.stdout), &state); err != nil {
		h.t.Fatalf("decoding terraform show -json: %v\n%s", err, res.stdout)
	}
	return &state
}

// resource returns the root-module resource at address from the state, or
// nil when there is none.
func (h *tfHarness) resource(address string) *tfjson.StateResource {
	h.t.Helper()
	state := h.state()
	if state.Values == nil || state.Values.RootModule == nil {
		return nil
	}
	for _, r := range state.Values.RootModule.Resources {
		if r.Address == address {
			return r
		}
	}
	return nil
}

// stateID is the id of r in state, or "" when r is nil or its id is not a
// string.
func stateID(r *tfjson.StateResource) string {
	if r == nil {
		return ""
	}
	id, _ := r.AttributeValues["id"].(string)
	return id
}

// apply runs terraform apply without asking for approval.
func (h *tfHarness) apply() tfResult {
	h.t.Helper()
	return h.run("apply", "-auto-approve", "-input=false")
}

// init runs terraform init; the provider is reattached, so nothing is installed.
func (h *tfHarness) init() {
	h.t.Helper()
	h.mustRun("init", "-input=false")
}

// editStateInstances rewrites the harness's state file as a hand edit
// would: edit changes each resource instance, given the resource's address.
func editStateInstances(t *testing.T, h *tfHarness, edit func(address string, instance map[string]any)) {
	t.Helper()
	file := filepath.Join(h.dir, "terraform.tfstate")
	raw := mustReadFile(t, file)
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	resources, _ := doc["resources"].([]any)
	for _, r := range resources {
		resource, _ := r.(map[string]any)
		typ, _ := resource["type"].(string)
		name, _ := resource["name"].(string)
		instances, _ := resource["instances"].([]any)
		for _, i := range instances {
			instance, _ := i.(map[string]any)
			edit(typ+"."+name, instance)
		}
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, out, 0o644); err != nil {
		t.Fatal(err)
	}
}
