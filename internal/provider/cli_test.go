package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/go-version"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// The CLI the Terraform-driven tests run: Terraform 1.5 or later, or
// OpenTofu 1.6 or later (make compat runs them on each). TestMain finds it
// once; the tests that use a feature newer than the oldest supported CLI
// skip themselves, by terraform-plugin-testing's version checks, on a CLI
// without it.

// testCLI is the CLI the tests run, once setupTestCLI has found it.
var testCLI struct {
	path     string
	openTofu bool
	version  *version.Version
}

// openTofuRegistry is where OpenTofu resolves a provider source without a
// host, such as akool-community/akool; Terraform resolves it to
// registry.terraform.io.
const openTofuRegistry = "registry.opentofu.org"

// setupTestCLI finds the CLI for TF_ACC runs (TF_ACC_TERRAFORM_PATH, else
// terraform, else tofu on PATH) and prepares the environment for it. It
// returns an error that says what to install when there is none.
func setupTestCLI() error {
	if os.Getenv("TF_ACC") == "" {
		return nil
	}
	// A CLI configuration file that is not there changes nothing but makes
	// OpenTofu print a warning before its version, which
	// terraform-plugin-testing then fails to parse.
	if file := os.Getenv("TF_CLI_CONFIG_FILE"); file != "" {
		if _, err := os.Stat(file); errors.Is(err, os.ErrNotExist) {
			os.Unsetenv("TF_CLI_CONFIG_FILE")
		}
	}
	path := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if path == "" {
		for _, name := range []string{"terraform", "tofu"} {
			if found, err := exec.LookPath(name); err == nil {
				path = found
				break
			}
		}
		if path == "" {
			return errors.New("TF_ACC is set but neither a terraform nor a tofu CLI was found on PATH: install Terraform (1.5 or later) or OpenTofu (1.6 or later), or set TF_ACC_TERRAFORM_PATH")
		}
		os.Setenv("TF_ACC_TERRAFORM_PATH", path)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, "version").CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s version: %w\n%s", path, err, out)
	}
	openTofu, v, err := parseCLIVersion(string(out))
	if err != nil {
		return fmt.Errorf("%s version: %w", path, err)
	}
	testCLI.path, testCLI.openTofu, testCLI.version = path, openTofu, v
	// terraform-plugin-testing reattaches the provider at this host; the
	// configurations' provider "akool" resolves to OpenTofu's registry there.
	if openTofu && os.Getenv(tfresource.EnvTfAccProviderHost) == "" {
		os.Setenv(tfresource.EnvTfAccProviderHost, openTofuRegistry)
	}
	return nil
}

var cliVersionLine = regexp.MustCompile(`(?m)^(Terraform|OpenTofu) v(\S+)`)

// parseCLIVersion reads the first line of `terraform version` or `tofu
// version` that names the CLI, wherever it is in the output.
func parseCLIVersion(out string) (openTofu bool, v *version.Version, err error) {
	m := cliVersionLine.FindStringSubmatch(out)
	if m == nil {
		return false, nil, fmt.Errorf("no Terraform or OpenTofu version in the output:\n%s", out)
	}
	v, err = version.NewVersion(m[2])
	return m[1] == "OpenTofu", v, err
}

// tfProviderAddress is the address the CLI gives the provider that the
// harness's configurations require as akool-community/akool.
func tfProviderAddress() string {
	if testCLI.openTofu {
		return openTofuRegistry + "/akool-community/akool"
	}
	return "registry.terraform.io/akool-community/akool"
}

// cliFeature is a configuration feature or command that not every supported
// CLI has; as a version check, it skips the test on a CLI without it.
type cliFeature struct {
	name      string
	terraform *version.Version // the first Terraform release with it
	openTofu  *version.Version // the first OpenTofu release with it
}

var (
	// removed blocks with lifecycle { destroy = false }: Terraform 1.7,
	// OpenTofu 1.10 (OpenTofu 1.7 to 1.9 refuse the lifecycle block in
	// removed blocks, which always forget there).
	featureRemovedBlock = cliFeature{"removed blocks with lifecycle { destroy = false }", version.Must(version.NewVersion("1.7.0")), version.Must(version.NewVersion("1.10.0"))}
	// terraform test / tofu test with mock_provider.
	featureMockProvider = cliFeature{"mock_provider in module tests", version.Must(version.NewVersion("1.7.0")), version.Must(version.NewVersion("1.8.0"))}
	// Resource identity, kept in state and accepted in import blocks
	// (identity = { ... }): Terraform 1.12, OpenTofu 1.12.
	featureResourceIdentity = cliFeature{"resource identity", version.Must(version.NewVersion("1.12.0")), version.Must(version.NewVersion("1.12.0"))}
)

// CheckTerraformVersion skips the test when the CLI predates the feature.
func (f cliFeature) CheckTerraformVersion(_ context.Context, req tfversion.CheckTerraformVersionRequest, resp *tfversion.CheckTerraformVersionResponse) {
	resp.Skip = f.missingFrom(testCLI.openTofu, req.TerraformVersion)
}

// missingFrom says why the CLI (OpenTofu or Terraform, at version v) lacks
// the feature, or returns "" when it has it. A development or pre-release
// build of a version counts as that version.
func (f cliFeature) missingFrom(openTofu bool, v *version.Version) string {
	product, minimum := "Terraform", f.terraform
	if openTofu {
		product, minimum = "OpenTofu", f.openTofu
	}
	if v.Core().LessThan(minimum) {
		return fmt.Sprintf("%s needs %s %s or later; this is %s %s", f.name, product, minimum, product, v)
	}
	return ""
}

// requireCLI skips a test that drives the CLI itself (the harness) when the
// CLI lacks one of features, as TerraformVersionChecks does for
// terraform-plugin-testing's tests.
func requireCLI(t *testing.T, features ...cliFeature) {
	t.Helper()
	if testCLI.version == nil {
		return // no TF_ACC: the harness skips the test itself
	}
	for _, f := range features {
		var resp tfversion.CheckTerraformVersionResponse
		f.CheckTerraformVersion(context.Background(), tfversion.CheckTerraformVersionRequest{TerraformVersion: testCLI.version}, &resp)
		if resp.Skip != "" {
			t.Skip(resp.Skip)
		}
	}
}

// removedBlockPattern finds a removed block in a configuration.
var removedBlockPattern = regexp.MustCompile(`(?m)^\s*removed\s*\{`)

// featureChecks returns the version checks for the features that the
// steps' configurations use, so that a test written with them skips itself
// on an older CLI without listing them.
func featureChecks(steps []tfresource.TestStep) []tfversion.TerraformVersionCheck {
	var checks []tfversion.TerraformVersionCheck
	removed, identity := false, false
	for _, step := range steps {
		removed = removed || removedBlockPattern.MatchString(step.Config)
		identity = identity || step.ImportStateKind == tfresource.ImportBlockWithResourceIdentity
	}
	if removed {
		checks = append(checks, featureRemovedBlock)
	}
	if identity {
		checks = append(checks, featureResourceIdentity)
	}
	return checks
}

func TestParseCLIVersion(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, out string
		openTofu  bool
		version   string
	}{
		{"terraform", "Terraform v1.5.7\non linux_amd64\n", false, "1.5.7"},
		{"opentofu", "OpenTofu v1.12.6\non linux_amd64\n", true, "1.12.6"},
		{"development build", "OpenTofu v1.6.3-dev\non linux_amd64\n", true, "1.6.3-dev"},
		{
			// What OpenTofu prints when TF_CLI_CONFIG_FILE names a missing file.
			"after a warning",
			"There are some problems with the CLI configuration:\n\u2577\n\u2502 Warning: Unable to open CLI configuration file\n\u2502\n" +
				"\u2502 The CLI configuration file at \"/root/.terraformrc\" does not exist.\n\u2575\n\nOpenTofu v1.6.3\non linux_amd64\n",
			true, "1.6.3",
		},
	} {
		openTofu, v, err := parseCLIVersion(tc.out)
		if err != nil || openTofu != tc.openTofu || v.Original() != tc.version {
			t.Errorf("%s: openTofu %v, version %v, error %v; want %v and %s", tc.name, openTofu, v, err, tc.openTofu, tc.version)
		}
	}
	if _, _, err := parseCLIVersion("tofu: command not found"); err == nil {
		t.Error("output without a version: no error")
	}
}

func TestCLIFeature_missingFrom(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		openTofu bool
		version  string
		missing  bool
	}{
		{false, "1.5.7", true},
		{false, "1.6.6", true},
		{false, "1.7.0", false},
		{false, "1.11.4", false},
		{true, "1.6.3", true},
		{true, "1.9.1", true}, // removed blocks, but no lifecycle in them
		{true, "1.10.0-dev", false},
		{true, "1.12.6", false},
	} {
		got := featureRemovedBlock.missingFrom(tc.openTofu, version.Must(version.NewVersion(tc.version)))
		if (got != "") != tc.missing {
			t.Errorf("OpenTofu %v, version %s: %q; want missing %v", tc.openTofu, tc.version, got, tc.missing)
		}
	}
}

func TestFeatureChecks_findRemovedBlocks(t *testing.T) {
	t.Parallel()
	plain := tfresource.TestStep{Config: testAccImageConfig("http://127.0.0.1:1", "a kite")}
	if checks := featureChecks([]tfresource.TestStep{plain}); len(checks) != 0 {
		t.Errorf("a configuration without removed blocks gets %d version checks", len(checks))
	}
	forget := forgetStep(testAccProviderConfig("http://127.0.0.1:1"), testAccImageAddress)
	if checks := featureChecks([]tfresource.TestStep{plain, forget}); len(checks) != 1 || checks[0] != featureRemovedBlock {
		t.Errorf("steps with a removed block get version checks %v, want the removed block's", checks)
	}
}

// Every terraform-plugin-testing test goes through accTestCase, so that a
// test written with a newer CLI's feature skips itself on an older CLI
// instead of failing there.
func TestTerraformDrivenTests_useAccTestCase(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	direct := regexp.MustCompile(`\btfresource\.(Test|UnitTest|ParallelTest)\(`)
	for _, file := range files {
		src := mustReadFile(t, file)
		calls := len(direct.FindAllIndex(src, -1))
		if file == "acctest_test.go" {
			calls-- // accTestCase's own
		}
		if calls > 0 {
			t.Errorf("%s calls tfresource.Test or UnitTest %d times: use accTestCase (or accTest), which adds the CLI version checks", file, calls)
		}
	}
}
