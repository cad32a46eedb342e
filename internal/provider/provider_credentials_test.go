package provider

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	neturl "net/url"
	"regexp"
	"strings"
	"testing"

	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// A wrong key fails terraform plan, before anything is sent that costs
// credits, with Akool's answer and where the key came from, never the key.
func TestAccProvider_badKeyFailsPlan(t *testing.T) {
	t.Parallel()
	const badKey = "wrong-key-d41c9b7e"
	e, url := newTestEmulator(t)
	h := newHarness(t, fmt.Sprintf(`
provider "akool" {
  endpoint = %q
  api_key  = %q
}
resource "akool_generated_image" "test" {
  prompt = "a locked door"
}
`, url, badKey))
	res := h.run("plan", "-input=false")
	if res.exitCode == 0 {
		t.Fatalf("plan with a wrong key succeeded:\n%s", res.output())
	}
	res.expectMentions(t, "terraform", "Akool Refused the Credentials", "1101", "Akool rejected the API key from the api_key argument")
	// The error names the credentials in use, not every way to authenticate.
	if res.mentions("client id and secret, or token") {
		t.Errorf("output lists every authentication method instead of the one in use:\n%s", res.output())
	}
	if res.mentions(badKey) {
		t.Errorf("output contains the API key:\n%s", res.output())
	}
	expectEmulatorCalls(t, e, 0, 0, "no other request")
}

// A wrong key from the environment fails the plan too, naming the variable.
// Not parallel: it sets a process environment variable, which the
// in-process provider reads.
func TestAccProvider_badKeyFromEnvironmentFailsPlan(t *testing.T) {
	const badKey = "wrong-env-key-5a7e01"
	e, url := newTestEmulator(t)
	t.Setenv(envAPIKey, badKey)
	accTest(t, []tfresource.TestStep{{
		Config: fmt.Sprintf(`
provider "akool" {
  endpoint = %q
}
resource "akool_generated_image" "test" {
  prompt = "a locked gate"
}
`, url),
		PlanOnly:    true,
		ExpectError: regexp.MustCompile(`(?s)Akool Refused the Credentials.*1101.*the\s+AKOOL_API_KEY\s+environment\s+variable`),
	}})
	if c := e.Counters(); c.CreateAttempts != 0 {
		t.Errorf("create attempts = %d, want 0", c.CreateAttempts)
	}
}

// The credentials are checked with one request per provider process, however
// many resources plan to call Akool, and however many times Terraform
// configures the provider in that process; only when a plan calls Akool for
// more than reads (emulator counters).
func TestAccProvider_credentialCheckOncePerProcess_emulatorCounters(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	h := newHarness(t, testAccProviderConfig(url)+`
resource "akool_generated_image" "a" {
  prompt = "a first lantern"
}
resource "akool_generated_image" "b" {
  prompt = "a second lantern"
}
`)
	h.mustRun("plan", "-input=false")
	if c := e.Counters(); c.Requests != 1 {
		t.Errorf("a plan of two new images sent %d requests to Akool, want 1 (the credential check)", c.Requests)
	}
	// terraform apply plans and applies in one command, configuring the
	// provider twice in the same process: still one check.
	before := e.Counters()
	h.mustRun("apply", "-auto-approve", "-input=false")
	after := e.Counters()
	checks := (after.Requests - before.Requests) - (after.Reads - before.Reads) - (after.CreateAttempts - before.CreateAttempts)
	if checks != 1 {
		t.Errorf("apply sent %d requests other than creates and reads, want 1 (the credential check)", checks)
	}
	// A plan that calls Akool only to refresh checks nothing more: the reads
	// use the credentials anyway.
	before = e.Counters()
	h.mustRun("plan", "-input=false")
	after = e.Counters()
	if extra := (after.Requests - before.Requests) - (after.Reads - before.Reads); extra != 0 {
		t.Errorf("a refreshing plan sent %d requests besides its reads, want 0", extra)
	}
}

// A provider block that chooses client_id/client_secret is not disturbed by
// an API key in the environment (a CI runner's global AKOOL_API_KEY), and a
// conflict inside the provider block is reported on an argument of that
// block. Not parallel: it sets a process environment variable, which the
// in-process provider reads.
func TestAccProvider_configurationBeatsEnvironment(t *testing.T) {
	e, url := newTestEmulator(t)
	t.Setenv(envAPIKey, "a-global-key-of-another-account")
	t.Setenv(envToken, "a-global-token-of-another-account")
	image := `
resource "akool_generated_image" "test" {
  prompt = "a lighthouse keeper's lamp"
}
`
	clientConfig := fmt.Sprintf(`
provider "akool" {
  endpoint      = %q
  client_id     = "emulator-client"
  client_secret = %q
}
`, url, testAccAPIKey) + image
	accTest(t, []tfresource.TestStep{
		{
			Config:            clientConfig,
			ConfigStateChecks: completedImageChecks(testAccImageAddress),
			Check:             expectOneCreate(e, true),
		},
		{
			// Two ways in the block itself: the error points at one of them.
			Config: fmt.Sprintf(`
provider "akool" {
  endpoint      = %q
  client_id     = "emulator-client"
  client_secret = %q
  token         = "a-token-as-well"
}
`, url, testAccAPIKey) + image,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Conflicting Akool Credentials.*in provider "akool":.*client_id.*Remove\s+all\s+but\s+one\s+from\s+the\s+provider\s+block`),
		},
		{Config: clientConfig, PlanOnly: true},
	})
}

// terraform destroy needs no credentials: every image resource's Delete only
// removes it from state, and the plan says that the images stay in the Akool
// account until they expire.
func TestAccProvider_destroyWithoutCredentials(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	h := newTFHarness(t)
	resources := `
resource "akool_generated_image" "grid" {
  prompt = "a harbour at dawn"
}
resource "akool_image_upscale" "one" {
  image_id = akool_generated_image.grid.id
  index    = 1
}
`
	h.initWith(testAccProviderConfig(url) + resources)
	h.mustRun("apply", "-auto-approve", "-input=false")

	h.writeConfig(fmt.Sprintf(`
provider "akool" {
  endpoint = %q
}
`, url) + resources)
	before := e.Counters()
	res := h.mustRun("destroy", "-auto-approve", "-input=false")
	res.expectMentions(t, "destroy", "Image Stays in the Akool Account", "akool_generated_image", "akool_image_upscale",
		"only removes it from Terraform state", "until it expires at")
	if state := h.state(); state.Values != nil && state.Values.RootModule != nil && len(state.Values.RootModule.Resources) > 0 {
		t.Errorf("state still holds %d resources after destroy", len(state.Values.RootModule.Resources))
	}
	if after := e.Counters(); after.Requests != before.Requests {
		t.Errorf("destroy without credentials sent %d requests to Akool, want 0", after.Requests-before.Requests)
	}
}

// A refusal of the credentials while reading says to check them, not to try
// again later. The proxy answers every read with 1101, as Akool does when a
// key is revoked after the provider checked it.
func TestAccGeneratedImage_readRefusedCredentials_proxyFault(t *testing.T) {
	t.Parallel()
	_, url := newTestEmulator(t)
	target, err := neturl.Parse(url)
	if err != nil {
		t.Fatal(err)
	}
	forward := httputil.NewSingleHostReverseProxy(target)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/content/image/infobymodelid") {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"code":1101,"msg":"Invalid authorization or The request token has expired"}`)
			return
		}
		forward.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	accTest(t, []tfresource.TestStep{
		{Config: testAccImageConfig(url, "a kite over dunes")},
		{
			Config:      testAccImageConfig(proxy.URL, "a kite over dunes"),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Unable to Read Image.*code\s+1101.*rejected\s+the\s+API\s+key.*check\s+the\s+credentials\s+named\s+above`),
		},
		{Config: testAccImageConfig(url, "a kite over dunes")},
	})
}
