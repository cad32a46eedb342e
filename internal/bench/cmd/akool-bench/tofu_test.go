package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/akool-community/terraform-provider-akool/internal/bench"
	"github.com/akool-community/terraform-provider-akool/internal/serve"
)

// The benchmark's CLI configuration runs both providers under the addresses
// of Terraform and of OpenTofu, so that it runs with either CLI.
func TestWriteCLIConfigNamesBothRegistries(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dev.tfrc")
	if err := writeCLIConfig(path, "/p/akool/terraform-provider-akool", "/p/floor/terraform-provider-benchfloor"); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for address, dir := range map[string]string{
		serve.Address: "/p/akool", serve.OpenTofuAddress: "/p/akool",
		bench.FloorAddress: "/p/floor", bench.FloorOpenTofuAddress: "/p/floor",
	} {
		if want := `"` + address + `" = "` + dir + `"`; !strings.Contains(string(raw), want) {
			t.Errorf("the CLI configuration lacks %s:\n%s", want, raw)
		}
	}
}

func TestCLIVersion(t *testing.T) {
	for out, want := range map[string]string{
		"Terraform v1.11.4\non linux_amd64\n": "Terraform v1.11.4",
		"\nWarning: Unable to open CLI configuration file\n\nThe CLI configuration file at \"/root/.terraformrc\" does not exist.\nOpenTofu v1.12.6\non linux_amd64\n": "OpenTofu v1.12.6",
		"": "terraform CLI of unknown version",
	} {
		if got := cliVersion(out); got != want {
			t.Errorf("cliVersion(%q) = %q, want %q", out, got, want)
		}
	}
}
