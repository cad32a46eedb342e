package provider

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/akool-community/terraform-provider-akool/internal/emulator"
)

// newHarness is a terraform CLI harness initialized with config.
func newHarness(t *testing.T, config string) *tfHarness {
	t.Helper()
	h := newTFHarness(t)
	h.initWith(config)
	return h
}

// newAppliedHarness is newHarness once config is applied.
func newAppliedHarness(t *testing.T, config string) *tfHarness {
	t.Helper()
	h := newHarness(t, config)
	h.mustApply()
	return h
}

// newGridHarness is a terraform CLI harness whose state already holds a
// finished grid at testAccGridAddress; it returns the grid's configuration.
func newGridHarness(t *testing.T, url, prompt string) (*tfHarness, string) {
	t.Helper()
	grid := testAccGridConfig(url, prompt)
	return newAppliedHarness(t, grid), grid
}

// initWith writes config into the harness's working directory and runs
// terraform init.
func (h *tfHarness) initWith(config string) {
	h.t.Helper()
	h.writeConfig(config)
	h.init()
}

// mustApply is apply that fails the test unless terraform exits with 0.
func (h *tfHarness) mustApply() {
	h.t.Helper()
	h.mustRun("apply", "-auto-approve", "-input=false")
}

// examplesDir is the repository's examples folder, seen from this package.
var examplesDir = filepath.Join("..", "..", "examples")

// readExample reads the file at examples/<path>.
func readExample(t *testing.T, path ...string) string {
	t.Helper()
	return string(mustReadFile(t, filepath.Join(append([]string{examplesDir}, path...)...)))
}

// mustReadFile reads the file a test needs, and fails the test when it
// cannot.
func mustReadFile(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// newExampleHarness starts an initialized CLI test of the example at
// examples/<example> (see copyExample), with the emulator at url and the
// test key in the environment, as a user of the example runs it.
func newExampleHarness(t *testing.T, url, example string, patterns ...string) *tfHarness {
	t.Helper()
	h := newTFHarness(t)
	h.copyExample(example, patterns...)
	t.Setenv(envEndpoint, url)
	t.Setenv(envAPIKey, testAccAPIKey)
	h.init()
	return h
}

// copyExample copies the example at examples/<example> into the harness's
// working directory: every file below it, or, when patterns are given, only
// its top-level files whose names match one of them.
func (h *tfHarness) copyExample(example string, patterns ...string) {
	h.t.Helper()
	src := filepath.Join(examplesDir, example)
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			if rel != "." && len(patterns) > 0 {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(h.dir, rel), 0o755)
		}
		if len(patterns) > 0 && !slices.ContainsFunc(patterns, func(pattern string) bool {
			ok, _ := filepath.Match(pattern, d.Name())
			return ok
		}) {
			return nil
		}
		content, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(h.dir, rel), content, 0o644)
	})
	if err != nil {
		h.t.Fatal(err)
	}
}

// expectNoChanges fails the test unless terraform plan, after what, plans
// nothing; it returns the plan's result.
func (h *tfHarness) expectNoChanges(after string) tfResult {
	h.t.Helper()
	res := h.run("plan", "-detailed-exitcode", "-input=false")
	if res.exitCode != 0 {
		h.t.Errorf("plan %s exited %d (want 0, no changes):\n%s", after, res.exitCode, res.output())
	}
	return res
}

// expectKeptJob asserts that an apply (res) that stopped waiting kept the
// paid job at address in state: a job id that res names, not tainted. It
// returns the resource and its id.
func (h *tfHarness) expectKeptJob(res tfResult, address string) (*tfjson.StateResource, string) {
	h.t.Helper()
	r := h.resource(address)
	if r == nil {
		h.t.Fatalf("%s is not in state; the paid job would be lost:\n%s", address, res.output())
	}
	id := stateID(r)
	if !imageIDPattern.MatchString(id) || r.Tainted || !res.mentions(id) {
		h.t.Fatalf("%s: id %q, tainted %v; want the job's id, not tainted, named in the output:\n%s", address, id, r.Tainted, res.output())
	}
	return r, id
}

// expectFinishedJob asserts that address holds job id, completed with an
// image URL and not tainted, and returns it.
func (h *tfHarness) expectFinishedJob(address, id string) *tfjson.StateResource {
	h.t.Helper()
	r := h.resource(address)
	if r == nil || r.Tainted || r.AttributeValues["id"] != id || r.AttributeValues["status"] != "completed" ||
		!strings.HasPrefix(fmt.Sprint(r.AttributeValues["image_url"]), "http") {
		h.t.Fatalf("%s: %+v; want job %s completed, with an image_url", address, r, id)
	}
	return r
}

// applyFinishingJobsByClock runs terraform apply with the configuration as
// it is and, once the apply has read each of the jobs ids twice (it has
// refreshed and is waiting), moves the emulator's clock so that they finish.
func applyFinishingJobsByClock(h *tfHarness, e *emulator.Emulator, ids ...string) tfResult {
	h.t.Helper()
	readsBefore := e.Counters().ReadsByID
	run := h.start("apply", "-auto-approve", "-input=false")
	waiting := func() bool {
		reads := e.Counters().ReadsByID
		for _, id := range ids {
			if reads[id] < readsBefore[id]+2 {
				return false
			}
		}
		return true
	}
	// Past the deadline, the apply's own output tells what went wrong.
	for deadline := time.Now().Add(time.Minute); !waiting() && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	e.Clock().Advance(2 * time.Hour)
	return run.wait()
}

// mustApplyFinishingJobs is applyFinishingJobsByClock that fails the test
// unless the apply succeeds with summary ("0 added, 1 changed, 0
// destroyed").
func (h *tfHarness) mustApplyFinishingJobs(e *emulator.Emulator, summary string, ids ...string) tfResult {
	h.t.Helper()
	res := applyFinishingJobsByClock(h, e, ids...)
	if res.exitCode != 0 || !res.mentions(summary) {
		h.t.Fatalf("the apply that resumes the wait for %s: exit %d, want %q:\n%s",
			strings.Join(ids, ", "), res.exitCode, summary, res.output())
	}
	return res
}

// expectMentions asserts that the output of a terraform command (what
// names it) mentions each of wants.
func (r tfResult) expectMentions(t *testing.T, what string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !r.mentions(want) {
			t.Errorf("%s output does not mention %q:\n%s", what, want, r.output())
		}
	}
}
