package provider

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/go-version"
)

// The README and the provider page state the CLI versions that make compat
// proves: each CLI that scripts/clis.sh builds for it, and the oldest of
// each product as the supported minimum.
func TestDocs_supportedVersionsAreTheMatrix(t *testing.T) {
	t.Parallel()
	script := mustReadFile(t, filepath.Join("..", "..", "scripts", "clis.sh"))
	built := regexp.MustCompile(`(?m)^go_\w+ (terraform|tofu) (\S+) `).FindAllStringSubmatch(string(script), -1)
	if len(built) == 0 {
		t.Fatal("scripts/clis.sh builds no CLI")
	}
	readme := mustReadFile(t, filepath.Join("..", "..", "README.md"))
	docs := map[string]string{"README.md": string(readme), "docs/index.md": docsPages(t)["index.md"]}

	products := map[string]string{"terraform": "Terraform", "tofu": "OpenTofu"}
	oldest := map[string]*version.Version{}
	for _, m := range built {
		product, v := products[m[1]], version.Must(version.NewVersion(m[2]))
		if oldest[product] == nil || v.LessThan(oldest[product]) {
			oldest[product] = v
		}
		for name, text := range docs {
			if !strings.Contains(text, product+" "+m[2]) {
				t.Errorf("%s does not say that the provider is tested with %s %s", name, product, m[2])
			}
		}
	}
	for product, v := range oldest {
		minimum := product + " " + strings.Join(strings.Split(v.String(), ".")[:2], ".") + " and later"
		for name, text := range docs {
			if !strings.Contains(strings.Join(strings.Fields(text), " "), minimum) {
				t.Errorf("%s does not state the supported minimum, %q", name, minimum)
			}
		}
	}
}
