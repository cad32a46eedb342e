package provider

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/akool-community/terraform-provider-akool/internal/akool"
	"github.com/akool-community/terraform-provider-akool/internal/emulator"
)

// testAccAPIKey is the API key every test emulator accepts.
const testAccAPIKey = "emulator-test-api-key-3f9a"

// testAccProtoV6ProviderFactories serves the provider in-process to the
// terraform CLI that terraform-plugin-testing runs.
var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"akool": providerserver.NewProtocol6WithError(New("test")()),
}

// newTestEmulator starts an emulator with fast jobs (queue ~100ms, process
// ~300ms) and the test key; opts tweak Options.
func newTestEmulator(t *testing.T, opts ...func(*emulator.Options)) (*emulator.Emulator, string) {
	t.Helper()
	o := emulator.Options{
		APIKey:      testAccAPIKey,
		QueueTime:   100 * time.Millisecond,
		ProcessTime: 300 * time.Millisecond,
	}
	for _, opt := range opts {
		opt(&o)
	}
	return emulator.NewServer(t, o)
}

// testAccProviderConfig returns a provider block using the emulator with
// api_key auth.
func testAccProviderConfig(baseURL string) string {
	return fmt.Sprintf(`
provider "akool" {
  endpoint = %q
  api_key  = %q
}
`, baseURL, testAccAPIKey)
}

// TestMain keeps the tests hermetic: credentials in the developer's
// environment must not leak into the in-process provider, and the terraform
// CLI must be a local one (terraform-plugin-testing would otherwise download
// Terraform when none is on PATH).
func TestMain(m *testing.M) {
	for _, name := range []string{envAPIKey, envClientID, envClientSecret, envToken, envEndpoint, envMaxNewImages} {
		os.Unsetenv(name)
	}
	if os.Getenv("TF_ACC") != "" && os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
		path, err := exec.LookPath("terraform")
		if err != nil {
			fmt.Fprintln(os.Stderr, "TF_ACC is set but no terraform CLI was found: install Terraform or set TF_ACC_TERRAFORM_PATH")
			os.Exit(1)
		}
		os.Setenv("TF_ACC_TERRAFORM_PATH", path)
	}
	os.Exit(m.Run())
}

const testAccImageAddress = "akool_generated_image.test"

// testAccImageConfig is a provider block plus one v3 image.
func testAccImageConfig(baseURL, prompt string) string {
	return testAccProviderConfig(baseURL) + fmt.Sprintf(`
resource "akool_generated_image" "test" {
  prompt = %q
}
`, prompt)
}

// completedImageChecks asserts a finished v3 image in state.
func completedImageChecks(address string) []statecheck.StateCheck {
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue(address, tfjsonpath.New("id"), knownvalue.StringRegexp(imageIDPattern)),
		statecheck.ExpectKnownValue(address, tfjsonpath.New("status"), knownvalue.StringExact("completed")),
		statecheck.ExpectKnownValue(address, tfjsonpath.New("image_url"), knownvalue.StringRegexp(regexp.MustCompile(`^http://127\.0\.0\.1:\d+/images/[0-9a-f]{24}\.png$`))),
	}
}

// checkCounters asserts on the emulator's counters inside a test step.
func checkCounters(e *emulator.Emulator, check func(emulator.Counters) error) resource.TestCheckFunc {
	return func(*terraform.State) error { return check(e.Counters()) }
}

func expectCreates(e *emulator.Emulator, want int) resource.TestCheckFunc {
	return checkCounters(e, func(c emulator.Counters) error {
		if c.Creates != want {
			return fmt.Errorf("emulator received %d accepted create calls, want %d", c.Creates, want)
		}
		return nil
	})
}

func TestAccProvider_apiKey(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:            testAccImageConfig(url, "a red kite over the dunes"),
			ConfigStateChecks: completedImageChecks(testAccImageAddress),
			Check: checkCounters(e, func(c emulator.Counters) error {
				if c.Creates != 1 || c.TokenRequests != 0 {
					return fmt.Errorf("creates = %d, token requests = %d; want 1 and 0 (api_key needs no token)", c.Creates, c.TokenRequests)
				}
				return nil
			}),
		}},
	})
}

func TestAccProvider_clientCredentials(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t, func(o *emulator.Options) { o.ClientID = "client-7c1e" })
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "akool" {
  endpoint      = %q
  client_id     = "client-7c1e"
  client_secret = %q
}
resource "akool_generated_image" "test" {
  prompt = "a lantern on a jetty"
}
`, url, testAccAPIKey),
			ConfigStateChecks: completedImageChecks(testAccImageAddress),
			Check: checkCounters(e, func(c emulator.Counters) error {
				if c.TokenRequests == 0 || c.Creates != 1 {
					return fmt.Errorf("token requests = %d, creates = %d; want at least one getToken call and 1 create", c.TokenRequests, c.Creates)
				}
				return nil
			}),
		}},
	})
}

func TestAccProvider_token(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "akool" {
  endpoint = %q
  token    = %q
}
resource "akool_generated_image" "test" {
  prompt = "a paper boat in the rain"
}
`, url, e.Token()),
			ConfigStateChecks: completedImageChecks(testAccImageAddress),
			Check: checkCounters(e, func(c emulator.Counters) error {
				if c.TokenRequests != 0 || c.Creates != 1 {
					return fmt.Errorf("token requests = %d, creates = %d; want 0 and 1", c.TokenRequests, c.Creates)
				}
				return nil
			}),
		}},
	})
}

// Not parallel: it sets process environment variables, which the in-process
// provider reads.
func TestAccProvider_environment(t *testing.T) {
	e, url := newTestEmulator(t)
	t.Setenv(envEndpoint, url)
	t.Setenv(envAPIKey, testAccAPIKey)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: `
provider "akool" {}
resource "akool_generated_image" "test" {
  prompt = "a fox in fresh snow"
}
`,
			ConfigStateChecks: completedImageChecks(testAccImageAddress),
			Check:             expectCreates(e, 1),
		}},
	})
}

// Credentials that come from a resource are unknown while planning; the plan
// must still work, and apply configures the provider once they are known.
func TestAccProvider_unknownCredentialsAtPlan(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
resource "terraform_data" "key" {
  input = %q
}
provider "akool" {
  endpoint = %q
  api_key  = terraform_data.key.output
}
resource "akool_generated_image" "test" {
  prompt = "a kettle on a camp stove"
}
`, testAccAPIKey, url),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccImageAddress, plancheck.ResourceActionCreate),
					plancheck.ExpectUnknownValue(testAccImageAddress, tfjsonpath.New("id")),
				},
			},
			ConfigStateChecks: completedImageChecks(testAccImageAddress),
			Check:             expectCreates(e, 1),
		}},
	})
}

// Every provider configuration error is reported at plan time, names the
// arguments and environment variables, and sends nothing to Akool.
func TestAccProvider_invalidConfiguration(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	image := `
resource "akool_generated_image" "test" {
  prompt = "never generated"
}
`
	steps := []struct {
		provider string
		want     string
	}{
		{`provider "akool" { endpoint = "` + url + `" }`,
			`(?s)Missing Akool Credentials.*api_key.*AKOOL_API_KEY.*client_id.*client_secret.*AKOOL_TOKEN`},
		{`provider "akool" {
  endpoint = "` + url + `"
  api_key  = "` + testAccAPIKey + `"
  token    = "some-token"
}`, `(?s)Conflicting Akool Credentials.*api_key.*token`},
		{`provider "akool" {
  endpoint  = "` + url + `"
  client_id = "client-only"
}`, `(?s)Incomplete Akool Credentials.*client_secret.*AKOOL_CLIENT_SECRET`},
		{`provider "akool" {
  endpoint = "http://images.example.com"
  api_key  = "` + testAccAPIKey + `"
}`, `(?s)Invalid Akool Endpoint.*plain\s+http`},
		{`provider "akool" {
  endpoint = "ftp://127.0.0.1/"
  api_key  = "` + testAccAPIKey + `"
}`, `(?s)Invalid Akool Endpoint.*https`},
	}
	var testSteps []resource.TestStep
	for _, s := range steps {
		testSteps = append(testSteps, resource.TestStep{
			Config:      s.provider + image,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(s.want),
		})
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    testSteps,
	})
	if c := e.Counters(); c.Requests != 0 {
		t.Errorf("emulator received %d API requests for configurations that must fail at plan", c.Requests)
	}
}

func TestResolveSettings(t *testing.T) {
	env := map[string]string{
		envAPIKey:   "env-key",
		envEndpoint: "https://env.example.com",
		envToken:    "env-token",
	}
	getenv := func(name string) string { return env[name] }

	got := resolveSettings(providerModel{
		APIKey:   types.StringValue("config-key"),
		Token:    types.StringValue(""), // empty counts as unset: the environment applies
		ClientID: types.StringNull(),
	}, getenv)

	if got.apiKey.value != "config-key" || got.apiKey.fromEnv {
		t.Errorf("api_key = %q (from env %v); the configuration must win over %s", got.apiKey.value, got.apiKey.fromEnv, envAPIKey)
	}
	if got.token.value != "env-token" || !got.token.fromEnv {
		t.Errorf("token = %q (from env %v); an empty argument must fall back to %s", got.token.value, got.token.fromEnv, envToken)
	}
	if got.endpoint.value != "https://env.example.com" {
		t.Errorf("endpoint = %q, want the %s value", got.endpoint.value, envEndpoint)
	}
	if got.clientID.set() {
		t.Errorf("client_id is set to %q with neither argument nor environment variable", got.clientID.value)
	}

	none := resolveSettings(providerModel{}, func(string) string { return "" })
	if none.endpoint.value != akool.DefaultBaseURL {
		t.Errorf("default endpoint = %q, want %q", none.endpoint.value, akool.DefaultBaseURL)
	}
}

func TestCheckAuth(t *testing.T) {
	const secret = "s3cr3t-value-that-must-not-leak"
	arg := func(attr, env string) setting { return setting{value: secret, attr: attr, env: env} }
	fromEnv := func(attr, env string) setting { return setting{value: secret, attr: attr, env: env, fromEnv: true} }
	apiKey := arg("api_key", envAPIKey)
	clientID := arg("client_id", envClientID)
	clientSecret := arg("client_secret", envClientSecret)
	token := fromEnv("token", envToken)

	tests := []struct {
		name     string
		settings providerSettings
		summary  string   // "" means valid
		mentions []string // words the detail must contain
		path     string
	}{
		{name: "api key", settings: providerSettings{apiKey: apiKey}},
		{name: "client credentials", settings: providerSettings{clientID: clientID, clientSecret: clientSecret}},
		{name: "token", settings: providerSettings{token: token}},
		{name: "none", settings: providerSettings{}, summary: "Missing Akool Credentials", path: "api_key",
			mentions: []string{"api_key", envAPIKey, "client_id", "client_secret", envClientID, envClientSecret, "token", envToken}},
		{name: "id without secret", settings: providerSettings{clientID: clientID}, summary: "Incomplete Akool Credentials",
			path: "client_secret", mentions: []string{"client_secret", envClientSecret}},
		{name: "secret without id", settings: providerSettings{apiKey: apiKey, clientSecret: clientSecret},
			summary: "Incomplete Akool Credentials", path: "client_id", mentions: []string{"client_id", envClientID}},
		{name: "two methods", settings: providerSettings{apiKey: apiKey, token: token}, summary: "Conflicting Akool Credentials",
			path: "api_key", mentions: []string{"api_key", "the " + envToken + " environment variable"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			problem := checkAuth(tt.settings)
			if tt.summary == "" {
				if problem != nil {
					t.Fatalf("unexpected error %q: %s", problem.summary, problem.detail)
				}
				return
			}
			if problem == nil {
				t.Fatalf("no error, want %q", tt.summary)
			}
			if problem.summary != tt.summary {
				t.Errorf("summary = %q, want %q", problem.summary, tt.summary)
			}
			if problem.path.String() != tt.path {
				t.Errorf("attribute = %s, want %s", problem.path, tt.path)
			}
			for _, m := range tt.mentions {
				if !strings.Contains(problem.detail, m) {
					t.Errorf("detail does not mention %q: %s", m, problem.detail)
				}
			}
			if strings.Contains(problem.detail, secret) {
				t.Errorf("detail contains a credential value: %s", problem.detail)
			}
		})
	}
}

func TestCheckEndpoint(t *testing.T) {
	valid := []string{
		"https://openapi.akool.com",
		"https://proxy.example.com/akool/",
		"http://127.0.0.1:8080",
		"http://127.3.4.5",
		"http://localhost:9000",
		"http://[::1]:9000",
	}
	for _, raw := range valid {
		if err := checkEndpoint(raw); err != nil {
			t.Errorf("checkEndpoint(%q) = %v, want nil", raw, err)
		}
	}
	invalid := []string{
		"http://openapi.akool.com",
		"http://10.0.0.1",
		"http://localhost.example.com",
		"ftp://127.0.0.1",
		"openapi.akool.com",
		"https://user:pass@openapi.akool.com",
		"https://",
		"::",
	}
	for _, raw := range invalid {
		if err := checkEndpoint(raw); err == nil {
			t.Errorf("checkEndpoint(%q) = nil, want an error", raw)
		}
	}
}

func TestRedact(t *testing.T) {
	got := redact("failed with key abc123 and token xyz", []string{"abc123", "", "xyz"})
	if strings.Contains(got, "abc123") || strings.Contains(got, "xyz") || !strings.Contains(got, "failed with key") {
		t.Errorf("redact = %q", got)
	}
}

// A wrong key fails the apply with Akool's answer, leaves nothing in state,
// and never shows the key.
func TestAccProvider_badKey(t *testing.T) {
	t.Parallel()
	const badKey = "wrong-key-d41c9b7e"
	e, url := newTestEmulator(t)
	h := newTFHarness(t)
	h.writeConfig(fmt.Sprintf(`
provider "akool" {
  endpoint = %q
  api_key  = %q
}
resource "akool_generated_image" "test" {
  prompt = "a locked door"
}
`, url, badKey))
	h.init()
	res := h.apply()
	if res.exitCode == 0 {
		t.Fatalf("apply with a wrong key succeeded:\n%s", res.output())
	}
	for _, want := range []string{"Unable to Generate Image", "1101", "Akool rejected the API key from the api_key argument"} {
		if !res.mentions(want) {
			t.Errorf("output does not mention %q:\n%s", want, res.output())
		}
	}
	// The error names the credentials in use, not every way to authenticate.
	if res.mentions("client id and secret, or token") {
		t.Errorf("output lists every authentication method instead of the one in use:\n%s", res.output())
	}
	if res.mentions(badKey) {
		t.Errorf("output contains the API key:\n%s", res.output())
	}
	if r := h.resource(testAccImageAddress); r != nil {
		t.Errorf("state holds %s after a refused create", r.Address)
	}
	if c := e.Counters(); c.Creates != 0 {
		t.Errorf("creates = %d, want 0", c.Creates)
	}
}

// The documentation's examples and the demo are valid against the provider's
// schema. Every folder of examples/ that holds a .tf file is checked, so a new
// example cannot be left out.
func TestAccExamples_validate(t *testing.T) {
	t.Parallel()
	examples := filepath.Join("..", "..", "examples")
	var dirs []string
	err := filepath.WalkDir(examples, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(p) != ".tf" {
			return err
		}
		dir, _ := filepath.Rel(examples, filepath.Dir(p))
		if len(dirs) == 0 || dirs[len(dirs)-1] != dir {
			dirs = append(dirs, dir)
		}
		return nil
	})
	if err != nil || len(dirs) < 8 {
		t.Fatalf("found example folders %v (%v); expected the provider's, each resource's and data source's, and the demo", dirs, err)
	}
	for _, dir := range dirs {
		t.Run(dir, func(t *testing.T) {
			t.Parallel()
			h := newTFHarness(t)
			files, err := filepath.Glob(filepath.Join("..", "..", "examples", dir, "*.tf"))
			if err != nil || len(files) == 0 {
				t.Fatalf("no examples in %s (%v)", dir, err)
			}
			declaresProvider := false
			for _, f := range files {
				content, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				declaresProvider = declaresProvider || strings.Contains(string(content), "required_providers")
				if err := os.WriteFile(filepath.Join(h.dir, "example_"+filepath.Base(f)), content, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			// Templates the configuration renders with templatefile.
			templates, _ := filepath.Glob(filepath.Join("..", "..", "examples", dir, "*.tftpl"))
			for _, f := range templates {
				content, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(h.dir, filepath.Base(f)), content, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if !declaresProvider {
				h.writeConfig("")
			}
			h.init()
			if res := h.run("validate"); res.exitCode != 0 {
				t.Errorf("terraform validate of examples/%s failed:\n%s", dir, res.output())
			}
		})
	}
}

// The client's debug logs reach Terraform's log through tflogLogger, and a
// secret never appears in them, even if a message or field carried it.
func TestTflogLoggerMasksSecrets(t *testing.T) {
	const secret = "sk-live-5c2f9e1d"
	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &buf)
	logger := tflogLogger{secrets: []string{secret}}

	logger.Debug(ctx, "request with "+secret, map[string]any{"x-api-key": secret, "note": "prefix " + secret})

	// A real exchange through the client: a refused key, logged by the client.
	_, url := newTestEmulator(t)
	client, err := akool.New(akool.Config{BaseURL: url, APIKey: secret, Logger: logger, RetryMax: -1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.GetImage(ctx, "662a10df4197b3af58532e89"); !akool.IsCode(err, akool.CodeInvalidToken) {
		t.Fatalf("GetImage with a wrong key: %v, want code 1101", err)
	}

	logs := buf.String()
	if !strings.Contains(logs, "request with") || !strings.Contains(logs, "infobymodelid") {
		t.Fatalf("expected log lines from the adapter and the client, got:\n%s", logs)
	}
	if strings.Contains(logs, secret) {
		t.Errorf("logs contain the secret:\n%s", logs)
	}
}
