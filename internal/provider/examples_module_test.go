package provider

import (
	"os"
	"path/filepath"
	"testing"
)

// The example module's own tests pass under `terraform test` against the
// emulator: the apply tests with the endpoint and key from the environment,
// as a module author runs them, and the plan-only tests with mock_provider.
// The emulator's counters show that the module started exactly its two jobs.
// Not parallel: the provider runs in this process and reads the environment,
// and writes the tests' copies relative to the process's directory, which
// is the module's, as when terraform test starts the provider.
func TestAccExamples_moduleTestsEmulatorCounts(t *testing.T) {
	requireCLI(t, featureMockProvider)
	e, url := newTestEmulator(t)
	h := newExampleHarness(t, url, filepath.Join("modules", "campaign-image"))
	t.Chdir(h.dir)
	res := h.run("test")
	if res.exitCode != 0 || !res.mentions("Success! 5 passed, 0 failed.") {
		t.Fatalf("terraform test of the example module exited with %d:\n%s", res.exitCode, res.output())
	}
	if c := e.Counters(); c.Creates != 1 || c.Presses != 1 {
		t.Errorf("the module's tests started %d generations and %d presses, want 1 and 1", c.Creates, c.Presses)
	}
	if _, err := os.Stat(filepath.Join(h.dir, "test-output", "grid.png")); err == nil {
		t.Error("terraform test left the grid's local copy behind after destroying the module")
	}
}
