package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"testing"

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
	out, err := exec.Command(path, "version").CombinedOutput()
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

// cliName is the tested CLI's product name, for messages.
func cliName() string {
	if testCLI.openTofu {
		return "OpenTofu"
	}
	return "Terraform"
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
)

// CheckTerraformVersion skips the test when the CLI predates the feature.
func (f cliFeature) CheckTerraformVersion(_ context.Context, req tfversion.CheckTerraformVersionRequest, resp *tfversion.CheckTerraformVersionResponse) {
	minimum := f.terraform
	if testCLI.openTofu {
		minimum = f.openTofu
	}
	if req.TerraformVersion.Core().LessThan(minimum) {
		resp.Skip = fmt.Sprintf("%s needs %s %s or later; this is %s %s", f.name, cliName(), minimum, cliName(), req.TerraformVersion)
	}
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
	for _, step := range steps {
		if removedBlockPattern.MatchString(step.Config) {
			return []tfversion.TerraformVersionCheck{featureRemovedBlock}
		}
	}
	return nil
}
