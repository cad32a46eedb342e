package provider

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"

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

// TestMain keeps the tests hermetic: credentials in the developer's
// environment must not leak into the in-process provider, and the terraform
// CLI must be a local one (terraform-plugin-testing would otherwise download
// Terraform when none is on PATH).
func TestMain(m *testing.M) {
	for _, name := range []string{envAPIKey, envClientID, envClientSecret, envToken, envEndpoint, envMaxNewImages} {
		if !liveCredential(name) {
			os.Unsetenv(name)
		}
	}
	if err := setupTestCLI(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

func TestAccProvider_apiKey(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	accTest(t, []tfresource.TestStep{{
		Config:            testAccImageConfig(url, "a red kite over the dunes"),
		ConfigStateChecks: completedImageChecks(testAccImageAddress),
		Check:             expectOneCreate(e, false),
	}})
}

// expectOneCreate asserts one accepted generation, and that the provider
// asked Akool for a token (getToken) if, and only if, asksToken.
func expectOneCreate(e *emulator.Emulator, asksToken bool) tfresource.TestCheckFunc {
	return checkCounters(e, func(c emulator.Counters) error {
		if c.Creates != 1 || (c.TokenRequests > 0) != asksToken {
			want := "no token request"
			if asksToken {
				want = "at least one token request"
			}
			return fmt.Errorf("creates = %d, token requests = %d; want 1 create and %s", c.Creates, c.TokenRequests, want)
		}
		return nil
	})
}

func TestAccProvider_clientCredentials(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t, func(o *emulator.Options) { o.ClientID = "client-7c1e" })
	accTest(t, []tfresource.TestStep{{
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
		Check:             expectOneCreate(e, true),
	}})
}

func TestAccProvider_token(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	accTest(t, []tfresource.TestStep{{
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
		Check:             expectOneCreate(e, false),
	}})
}

// Not parallel: it sets process environment variables, which the in-process
// provider reads.
func TestAccProvider_environment(t *testing.T) {
	e, url := newTestEmulator(t)
	t.Setenv(envEndpoint, url)
	t.Setenv(envAPIKey, testAccAPIKey)
	accTest(t, []tfresource.TestStep{{
		Config: `
provider "akool" {}
resource "akool_generated_image" "test" {
  prompt = "a fox in fresh snow"
}
`,
		ConfigStateChecks: completedImageChecks(testAccImageAddress),
		Check:             expectCreates(e, 1),
	}})
}

// Credentials that come from a resource are unknown while planning; the plan
// must still work, and apply configures the provider once they are known.
func TestAccProvider_unknownCredentialsAtPlan(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	accTest(t, []tfresource.TestStep{{
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
		ConfigPlanChecks: preApply(
			plansCreate(testAccImageAddress),
			plansUnknown(testAccImageAddress, "id"),
		),
		ConfigStateChecks: completedImageChecks(testAccImageAddress),
		Check:             expectCreates(e, 1),
	}})
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
		{`provider "akool" {
  endpoint = "https://openapi.akool.com/v3?region=eu"
  api_key  = "` + testAccAPIKey + `"
}`, `(?s)Invalid Akool Endpoint.*"https://openapi.akool.com/v3\?region=eu".*query\s+string.*https://host\[:port\]\[/base\]`},
		{`provider "akool" {
  endpoint = "https://openapi.akool.com/#base"
  api_key  = "` + testAccAPIKey + `"
}`, `(?s)Invalid Akool Endpoint.*"https://openapi.akool.com/#base".*fragment.*https://host\[:port\]\[/base\]`},
	}
	var testSteps []tfresource.TestStep
	for _, s := range steps {
		testSteps = append(testSteps, tfresource.TestStep{
			Config:      s.provider + image,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(s.want),
		})
	}
	accTest(t, testSteps)
	expectNoRequests(t, e)
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
		Token:    types.StringValue(""), // empty counts as unset
		ClientID: types.StringNull(),
	}, getenv)

	if got.apiKey.value != "config-key" || got.apiKey.fromEnv || !got.apiKey.inConfig {
		t.Errorf("api_key = %q (from env %v); the configuration must win over %s", got.apiKey.value, got.apiKey.fromEnv, envAPIKey)
	}
	// The configuration chose the API key: the token in the environment is
	// another way of authenticating, and ignored.
	if got.token.set() || !got.token.ignoredEnv {
		t.Errorf("token = %q (ignored %v); with api_key in the configuration, %s must be ignored", got.token.value, got.token.ignoredEnv, envToken)
	}
	if ignored := got.ignoredEnv(); len(ignored) != 1 || ignored[0] != envToken {
		t.Errorf("ignoredEnv = %v, want [%s]", ignored, envToken)
	}
	if problem := checkAuth(got); problem != nil {
		t.Errorf("checkAuth = %q: %s; want no conflict with an ignored environment variable", problem.summary, problem.detail)
	}

	// Without a way in the configuration, an empty argument falls back to
	// its environment variable.
	fromEnv := resolveSettings(providerModel{Token: types.StringValue("")}, getenv)
	if fromEnv.token.value != "env-token" || !fromEnv.token.fromEnv {
		t.Errorf("token = %q (from env %v); an empty argument must fall back to %s", fromEnv.token.value, fromEnv.token.fromEnv, envToken)
	}

	// Half of the client pair in the configuration takes the other half from
	// the environment, and ignores the API key there.
	env[envClientSecret] = "env-secret"
	pair := resolveSettings(providerModel{ClientID: types.StringValue("config-id")}, getenv)
	if pair.clientSecret.value != "env-secret" || pair.apiKey.set() || pair.token.set() {
		t.Errorf("client_secret = %q, api_key set %v, token set %v; want the secret from %s and no other way",
			pair.clientSecret.value, pair.apiKey.set(), pair.token.set(), envClientSecret)
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
	arg := func(attr, env string) setting { return setting{value: secret, attr: attr, env: env, inConfig: true} }
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
		{name: "two methods in the configuration", settings: providerSettings{token: arg("token", envToken), clientID: clientID, clientSecret: clientSecret},
			summary: "Conflicting Akool Credentials", path: "client_id", mentions: []string{"client_id", "token", "provider block"}},
		{name: "two methods in the environment", settings: providerSettings{apiKey: fromEnv("api_key", envAPIKey), token: token},
			summary: "Conflicting Akool Credentials", path: "", mentions: []string{envAPIKey, envToken, "Unset"}},
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

// The documentation's examples and the demo are valid against the provider's
// schema. Every folder of examples/ that holds a .tf file is checked, so a new
// example cannot be left out.
func TestAccExamples_validate(t *testing.T) {
	t.Parallel()
	var dirs []string
	err := filepath.WalkDir(examplesDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(p) != ".tf" {
			return err
		}
		dir, _ := filepath.Rel(examplesDir, filepath.Dir(p))
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
			files, err := filepath.Glob(filepath.Join(examplesDir, dir, "*.tf"))
			if err != nil || len(files) == 0 {
				t.Fatalf("no examples in %s (%v)", dir, err)
			}
			declaresProvider := false
			for _, f := range files {
				if filepath.Base(f) == identityImportExample {
					continue // older CLIs refuse it: see TestAccExamples_importWithIdentity
				}
				content := mustReadFile(t, f)
				declaresProvider = declaresProvider || strings.Contains(string(content), "required_providers")
				if err := os.WriteFile(filepath.Join(h.dir, "example_"+filepath.Base(f)), content, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			// Templates the configuration renders with templatefile.
			templates, _ := filepath.Glob(filepath.Join(examplesDir, dir, "*.tftpl"))
			for _, f := range templates {
				content := mustReadFile(t, f)
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

// Every endpoint error shows the value, without a password, and the
// expected form.
func TestEndpointError(t *testing.T) {
	for _, raw := range []string{"https://openapi.akool.com/?a=b", "https://user:hunter2@openapi.akool.com", "ftp://127.0.0.1/", "openapi.akool.com"} {
		err := checkEndpoint(raw)
		if err == nil {
			t.Errorf("checkEndpoint(%q) = nil, want an error", raw)
			continue
		}
		detail := endpointError(raw, "the endpoint argument", err)
		if strings.Contains(detail, "hunter2") {
			t.Errorf("%q: the detail shows the password: %s", raw, detail)
		}
		want := raw
		if strings.Contains(raw, "hunter2") {
			want = "https://user:xxxxx@openapi.akool.com"
		}
		for _, part := range []string{fmt.Sprintf("%q", want), "https://host[:port][/base]", "the endpoint argument"} {
			if !strings.Contains(detail, part) {
				t.Errorf("%q: the detail does not contain %s: %s", raw, part, detail)
			}
		}
	}
}
