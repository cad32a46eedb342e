package provider

import (
	"fmt"
	"regexp"
	"slices"
	"testing"

	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
)

// The TestAccLive_ tests run against the in-process emulator in make test,
// and against a real Akool account (or any stand-in at AKOOL_ENDPOINT) in
// make testacc-live. They check only what Akool itself shows, and spend
// little: 4 paid jobs in all (a v3 grid, an upscale, a variation, a v4 image
// at 1080p), plus an import, the akool_image and akool_account data sources,
// which spend nothing.

var liveURL = regexp.MustCompile(`^https?://\S+$`)

// liveConfig is the live set's configuration; without lists the resources
// to leave out, each replaced by a removed block that keeps its job.
func liveConfig(b accBackend, without ...string) string {
	blocks := map[string]string{
		"akool_image_upscale.up": `
resource "akool_image_upscale" "up" {
  image_id = akool_generated_image.grid.id
  index    = 1
}
`,
		"akool_generated_image.v4": `
resource "akool_generated_image" "v4" {
  api_version = "v4"
  prompt      = "a red bicycle leaning on a blue door, photograph"
  resolution  = "1080p"
}
`,
	}
	config := b.providerConfig() + `
resource "akool_generated_image" "grid" {
  prompt = "a lighthouse on a cliff at sunrise, watercolour"
}

resource "akool_image_variation" "var" {
  image_id = akool_generated_image.grid.id
  index    = 2
}

data "akool_image" "grid" {
  id = akool_generated_image.grid.id
}

data "akool_account" "this" {}

# Single images are usable in the apply that generates the grid.
output "first_single_image" {
  value = akool_generated_image.grid.upscaled_urls[0]
}

output "variation_last_single_image" {
  value = akool_image_variation.var.upscaled_urls[3]
}
`
	for _, address := range []string{"akool_image_upscale.up", "akool_generated_image.v4"} {
		left := false
		for _, w := range without {
			left = left || w == address
		}
		if left {
			config += removedBlock(address)
		} else {
			config += blocks[address]
		}
	}
	return config
}

// atMostOne is a list of zero or one element: a v4 result's upscaled_urls.
type atMostOne struct{}

func (atMostOne) CheckValue(v any) error {
	list, ok := v.([]any)
	if !ok {
		return fmt.Errorf("expected a list, got %T", v)
	}
	if len(list) > 1 {
		return fmt.Errorf("expected at most one URL, got %d", len(list))
	}
	return nil
}

func (atMostOne) String() string { return "a list of at most one element" }

func TestAccLive_imagesButtonsImportAndData(t *testing.T) {
	b := newAccBackend(t)
	const grid, up, variation, v4 = "akool_generated_image.grid", "akool_image_upscale.up", "akool_image_variation.var", "akool_generated_image.v4"
	// A job whose id changes is a new job paid for.
	keepIDs := sameIDs(grid, up, variation, v4)
	importedUp, importedV4 := &reimport{address: up}, &reimport{address: v4}
	finished := func(address string) []statecheck.StateCheck {
		return []statecheck.StateCheck{
			expectMatch(address, "id", imageIDPattern),
			expectString(address, "status", "completed"),
			expectMatch(address, "image_url", liveURL),
			expectExpired(address, false),
		}
	}
	var checks []statecheck.StateCheck
	for _, address := range []string{grid, up, variation, v4} {
		checks = append(checks, finished(address)...)
	}
	checks = append(checks,
		expectListSize(grid, "upscaled_urls", 4),
		expectListSize(variation, "upscaled_urls", 4),
		expectString(up, "button", "U1"),
		expectString(variation, "button", "V2"),
		expectSameAs(up, "image_id", grid, "id"),
		expectValue(v4, "upscaled_urls", atMostOne{}),
		expectSameAs("data.akool_image.grid", "image_url", grid, "image_url"),
		expectSameAs("data.akool_image.grid", "upscaled_urls", grid, "upscaled_urls"),
		expectNotNull("data.akool_account.this", "credit"),
		expectOutputMatch("first_single_image", liveURL),
		expectOutputMatch("variation_last_single_image", liveURL),
	)

	accTest(t, []tfresource.TestStep{
		{
			Config:            liveConfig(b),
			ConfigStateChecks: append(checks, keepIDs()...),
			Check:             tfresource.ComposeTestCheckFunc(importedUp.captureID(), importedV4.captureID()),
		},
		{
			// Refreshed, nothing is planned: no job is paid for again.
			Config:            liveConfig(b),
			ConfigPlanChecks:  emptyPlan(),
			ConfigStateChecks: keepIDs(),
		},
		{
			// Forget the upscale and the v4 image in Terraform (not in Akool)...
			Config: liveConfig(b, up, v4),
			Check:  tfresource.ComposeTestCheckFunc(expectNotInState(up), expectNotInState(v4)),
		},
		// ... and import them by id.
		importedUp.importStep(liveConfig(b)),
		importedV4.importStep(liveConfig(b)),
		{
			// The first apply after the import takes what Akool does
			// not report from the configuration, in place; then the
			// plan is empty.
			Config: liveConfig(b),
			ConfigPlanChecks: settledPlan(
				expectNoNewJob(up), expectNoNewJob(v4), expectNoNewJob(grid), expectNoNewJob(variation),
			),
			ConfigStateChecks: slices.Concat(finished(up), finished(v4), keepIDs()),
		},
	})
}
