package provider

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/plancheck"
)

// envTestaccLive switches the tests that can run against a real Akool account
// (the TestAccLive_ ones) from the in-process emulator to the endpoint and
// credentials of the environment: AKOOL_ENDPOINT (default Akool's), and
// AKOOL_API_KEY or AKOOL_CLIENT_ID with AKOOL_CLIENT_SECRET. make
// testacc-live sets it.
const envTestaccLive = "AKOOL_TESTACC_LIVE"

// liveRun reports whether this test process runs against the environment's
// Akool endpoint.
func liveRun() bool { return os.Getenv(envTestaccLive) != "" }

// liveCredential reports whether TestMain keeps the environment variable
// name for a live run: the endpoint, and one complete set of credentials
// (the API key when there is one).
func liveCredential(name string) bool {
	if !liveRun() {
		return false
	}
	switch name {
	case envEndpoint:
		return true
	case envAPIKey:
		return os.Getenv(envAPIKey) != ""
	case envClientID, envClientSecret:
		return os.Getenv(envAPIKey) == ""
	}
	return false
}

// accBackend is what a Terraform-driven test that can also run live talks
// to: the in-process emulator, or in a live run the environment's endpoint.
// Such a test checks only what any faithful stand-in of Akool shows: no
// counters, clock or faults of the emulator.
type accBackend struct {
	endpoint string // the emulator's URL; "" when live (the provider reads AKOOL_ENDPOINT)
}

// newAccBackend starts an emulator for the test, or, in a live run, checks
// that the environment holds credentials.
func newAccBackend(t *testing.T) accBackend {
	t.Helper()
	if !liveRun() {
		_, url := newTestEmulator(t)
		return accBackend{endpoint: url}
	}
	if os.Getenv(envAPIKey) == "" && (os.Getenv(envClientID) == "" || os.Getenv(envClientSecret) == "") {
		t.Fatalf("%s is set but there are no credentials: set AKOOL_API_KEY (or AKOOL_CLIENT_ID and AKOOL_CLIENT_SECRET)", envTestaccLive)
	}
	endpoint := os.Getenv(envEndpoint)
	if endpoint == "" {
		endpoint = "https://openapi.akool.com"
	}
	t.Logf("live run against %s: this test spends Akool credits", endpoint)
	return accBackend{}
}

// providerConfig is the provider block for the backend. A live run passes
// nothing: the provider reads the environment, so no secret is written
// into the test's configuration files.
func (b accBackend) providerConfig() string {
	if b.endpoint == "" {
		return "provider \"akool\" {}\n"
	}
	return testAccProviderConfig(b.endpoint)
}

// expectNoNewJob is a plan check: the resource at address is kept (no-op)
// or changed in place, never created or replaced, which would spend credits.
type expectNoNewJob string

var _ plancheck.PlanCheck = expectNoNewJob("")

func (address expectNoNewJob) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != string(address) {
			continue
		}
		if a := rc.Change.Actions; !a.NoOp() && !a.Update() {
			resp.Error = fmt.Errorf("%s: planned %v; want no change or an in-place update (no new, paid job)", address, a)
		}
		return
	}
	resp.Error = fmt.Errorf("%s is not in the plan", address)
}
