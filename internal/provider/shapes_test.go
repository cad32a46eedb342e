package provider

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/akool-community/terraform-provider-akool/internal/akool"
	"github.com/akool-community/terraform-provider-akool/internal/emulator"
)

// The shapes of Akool's answers that its own demo client and reports of live
// runs show beyond the documentation, each played by the emulator.

var (
	regexpImage = regexp.MustCompile(`^http://127\.0\.0\.1:\d+/images/[0-9a-f]{24}(/\d)?\.png$`)
	regexp1Png  = regexp.MustCompile(`^http://127\.0\.0\.1:\d+/images/[0-9a-f]{24}/1\.png$`)
	regexp4Png  = regexp.MustCompile(`^http://127\.0\.0\.1:\d+/images/[0-9a-f]{24}/4\.png$`)
)

// A grid's single images come a while after status 3: the apply waits for
// them, so that they can be used in the same apply, for a generated grid
// and for a variation.
func TestAccGeneratedImage_singleImagesLate(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t, withShapes(emulator.Shapes{SinglesDelay: 1500 * time.Millisecond}))
	config := testAccGridConfig(url, "a harbour at dawn") +
		testAccButtonBlock("akool_image_variation", "var", "akool_generated_image.grid.id", 1, "") + `
output "grid_first" {
  value = akool_generated_image.grid.upscaled_urls[0]
}
output "variation_last" {
  value = akool_image_variation.var.upscaled_urls[3]
}
`
	accTest(t, []tfresource.TestStep{{
		Config: config,
		ConfigStateChecks: []statecheck.StateCheck{
			expectListSize(testAccGridAddress, "upscaled_urls", 4),
			expectListSize("akool_image_variation.var", "upscaled_urls", 4),
			expectOutputMatch("grid_first", regexp1Png),
			expectOutputMatch("variation_last", regexp4Png),
		},
		Check: expectCreateCalls(e, 1, 1),
	}})
}

// When Akool has not listed a grid's single images by the end of the wait,
// the apply succeeds with a warning, the image is kept (not tainted), and a
// later refresh fills them in and plans nothing.
func TestAccGeneratedImage_singleImagesMissing(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t, withShapes(emulator.Shapes{SinglesDelay: time.Hour}))
	h := newTFHarness(t)
	const address = "akool_generated_image.grid"
	// The create timeout bounds the grace, so the test need not wait 2 minutes.
	h.initWith(testAccProviderConfig(url) + `
resource "akool_generated_image" "grid" {
  prompt = "a harbour at dusk"
  timeouts {
    create = "3s"
  }
}
`)
	res := h.apply()
	if res.exitCode != 0 {
		t.Fatalf("apply failed although the grid was finished:\n%s", res.output())
	}
	grid := h.resource(address)
	if grid == nil {
		t.Fatal("the grid is not in state")
	}
	id, _ := grid.AttributeValues["id"].(string)
	res.expectMentions(t, "apply", "Warning: Single Images Not Listed Yet", "Akool finished image "+id,
		"upscaled_urls is empty because Akool has not listed the grid's single images yet",
		"A later refresh", "fills upscaled_urls in")
	if grid.Tainted {
		t.Error("the grid is tainted; a later apply would pay for a new one")
	}
	if urls, _ := grid.AttributeValues["upscaled_urls"].([]any); len(urls) != 0 || grid.AttributeValues["status"] != "completed" {
		t.Errorf("state: status %v, upscaled_urls %v; want completed and empty", grid.AttributeValues["status"], urls)
	}

	e.Clock().Advance(2 * time.Hour) // Akool lists the single images
	if res := h.run("plan", "-detailed-exitcode", "-input=false"); res.exitCode != 0 {
		t.Fatalf("plan after the single images came exited %d, want 0 (no changes):\n%s", res.exitCode, res.output())
	}
	h.mustRun("apply", "-refresh-only", "-auto-approve", "-input=false")
	after := h.resource(address)
	if urls, _ := after.AttributeValues["upscaled_urls"].([]any); len(urls) != 4 || after.AttributeValues["id"] != id {
		t.Errorf("after a refresh: id %v, upscaled_urls %v; want %s with four URLs", after.AttributeValues["id"], urls, id)
	}
	expectEmulatorCalls(t, e, 1, 0, "no other request")
}

// A grid whose single images never come is kept as it is; its buttons still
// work, and nothing is planned.
func TestAccGeneratedImage_singleImagesNever(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t, withShapes(emulator.Shapes{SinglesNever: true}))
	config := testAccProviderConfig(url) + `
resource "akool_generated_image" "grid" {
  prompt = "a harbour in fog"
  timeouts {
    create = "2s"
  }
}
` + testAccButtonBlock("akool_image_upscale", "up", "akool_generated_image.grid.id", 2, "")
	accTest(t, []tfresource.TestStep{
		{
			Config: config,
			ConfigStateChecks: append(completedPressChecks("akool_image_upscale.up", "U2", 1),
				expectString(testAccGridAddress, "status", "completed"),
				expectListSize(testAccGridAddress, "upscaled_urls", 0)),
			Check: expectCreateCalls(e, 1, 1),
		},
		{
			Config:           config,
			ConfigPlanChecks: emptyPlan(),
			Check:            expectCreateCalls(e, 1, 1),
		},
	})
}

// The result URL in external_img fills image_url, for every kind of job.
func TestAccGeneratedImage_externalImg(t *testing.T) {
	t.Parallel()
	_, url := newTestEmulator(t, withShapes(emulator.Shapes{ExternalImage: true}))
	config := testAccGridConfig(url, "a harbour at noon") +
		testAccButtonBlock("akool_image_upscale", "up", "akool_generated_image.grid.id", 1, "") + `
resource "akool_generated_image" "v4" {
  api_version = "v4"
  prompt      = "a harbour at noon"
}
data "akool_image" "v4" {
  id = akool_generated_image.v4.id
}
`
	var checks []statecheck.StateCheck
	for _, address := range []string{testAccGridAddress, "akool_image_upscale.up", "akool_generated_image.v4", "data.akool_image.v4"} {
		checks = append(checks, expectMatch(address, "image_url", regexpImage))
	}
	accTest(t, []tfresource.TestStep{
		{Config: config, ConfigStateChecks: checks},
		{Config: config, ConfigPlanChecks: emptyPlan()},
	})
}

// Right after a create, reads may answer 1008 for a while (a replica that
// has not seen the job yet): the apply reads on and finishes.
func TestAccGeneratedImage_notFoundRightAfterCreate(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t, withShapes(emulator.Shapes{NotFoundFor: 2 * time.Second}))
	config := testAccGridConfig(url, "a harbour in rain") +
		testAccButtonBlock("akool_image_upscale", "up", "akool_generated_image.grid.id", 3, "")
	accTest(t, []tfresource.TestStep{{
		Config: config,
		ConfigStateChecks: append(completedImageChecks(testAccGridAddress),
			completedPressChecks("akool_image_upscale.up", "U3", 1)...),
		Check: expectCreateCalls(e, 1, 1),
	}})
}

// When infobymodelid does not say which parent and button made a job, its
// import takes image_id and index from the configuration, in place, and
// presses nothing; an image_id unknown at plan time is refused with what is
// missing.
func TestAccImageButton_importWithoutParentFields(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t, withShapes(emulator.Shapes{HideParent: true}))
	const up, variation = testAccUpscaleAddress, testAccVariationAddress
	config := testAccGridUpscaleVariation(url, "a harbour with kites", 2, 4)
	keepIDs := sameIDs(up, variation, testAccGridAddress)
	importedUp, importedVariation := &reimport{address: up}, &reimport{address: variation}
	imported := func(r *reimport) tfresource.TestStep {
		step := r.importStep(config)
		step.ImportStateCheck = func(states []*terraform.InstanceState) error {
			if a := states[0].Attributes; a["image_id"] != "" || a["index"] != "" {
				return fmt.Errorf("imported image_id %q, index %q; want them unset, as Akool did not report them", a["image_id"], a["index"])
			}
			return nil
		}
		return step
	}
	accTest(t, []tfresource.TestStep{
		{
			Config:            config,
			ConfigStateChecks: keepIDs(),
			Check:             tfresource.ComposeTestCheckFunc(importedUp.captureID(), importedVariation.captureID(), expectCreateCalls(e, 1, 2)),
		},
		forgetStep(testAccGridConfig(url, "a harbour with kites"), up, variation),
		imported(importedUp),
		imported(importedVariation),
		{
			// image_id must be known to be taken from the configuration.
			Config: testAccGridConfig(url, "a harbour with kites") + `
resource "akool_generated_image" "other" {
  prompt = "another harbour"
}
` + testAccButtonBlock("akool_image_upscale", "up", "akool_generated_image.other.id", 2, "") +
				testAccButtonBlock("akool_image_variation", "var", "akool_generated_image.grid.id", 4, ""),
			PlanOnly: true,
			ExpectError: errorPattern("Imported Job Needs Known image_id and index",
				"does not report which image and button made the imported upscale", "image_id is not known until apply",
				"Nothing was pressed"),
		},
		{
			Config:           config,
			ConfigPlanChecks: settledPlan(plansUpdate(up), plansUpdate(variation)),
			// The imported jobs are kept, and take the grid as their image_id.
			ConfigStateChecks: slices.Concat(completedPressChecks(up, "U2", 1), keepIDs(), []statecheck.StateCheck{
				expectInt(up, "index", 2),
				expectInt(variation, "index", 4),
				expectString(variation, "button", "V4"),
				expectSameAs(up, "image_id", testAccGridAddress, "id"),
				expectSameAs(variation, "image_id", testAccGridAddress, "id"),
			}),
			Check: expectCreateCalls(e, 1, 2),
		},
	})
}

// v4 results that list themselves as their one upscaled URL are recorded as
// they are, plan nothing, and import as v4 images.
func TestAccGeneratedImage_v4OneUpscaledURL(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t, withShapes(emulator.Shapes{V4UpscaledURL: true}))
	const address = "akool_generated_image.v4"
	config := testAccProviderConfig(url) + `
resource "akool_generated_image" "v4" {
  api_version = "v4"
  prompt      = "a harbour from above"
  resolution  = "1080p"
}
`
	imported := &reimport{address: address}
	keepID := sameIDs(address)
	accTest(t, []tfresource.TestStep{
		{
			Config: config,
			ConfigStateChecks: append(keepID(),
				expectString(address, "status", "completed"),
				expectListSize(address, "upscaled_urls", 1),
				statecheck.CompareValuePairs(address, tfjsonpath.New("upscaled_urls").AtSliceIndex(0), address, tfjsonpath.New("image_url"), compare.ValuesSame()),
			),
			Check: imported.captureID(),
		},
		{Config: config, ConfigPlanChecks: emptyPlan()},
		imported.forgetStep(testAccProviderConfig(url)),
		imported.importStep(config),
		{
			// resolution is adopted in place; api_version is read as v4.
			Config:           config,
			ConfigPlanChecks: settledPlan(plansUpdate(address)),
			// The imported job is kept.
			ConfigStateChecks: append(keepID(),
				expectString(address, "api_version", "v4"),
			),
			Check: expectCreateCalls(e, 1, 0),
		},
	})
}

// A create answer whose _id is usable is saved in state even when other
// fields are unusable; the reads of the wait fill them.
func TestAccGeneratedImage_createAnswerWithUnusableFields(t *testing.T) {
	t.Parallel()
	// Between the provider and the emulator: spoil every create answer's
	// deduction_credit and create_time.
	e, url := newEditingEmulator(t, "/create", func(data map[string]any) {
		data["deduction_credit"], data["create_time"] = "four", "just now"
	})
	config := testAccGridConfig(url, "a harbour at night") +
		testAccButtonBlock("akool_image_upscale", "up", "akool_generated_image.grid.id", 4, "")
	accTest(t, []tfresource.TestStep{{
		Config: config,
		ConfigStateChecks: append(completedImageChecks(testAccGridAddress),
			expectFloat(testAccGridAddress, "deduction_credit", 4),
			expectFloat("akool_image_upscale.up", "deduction_credit", 1),
			expectString("akool_image_upscale.up", "status", "completed"),
			expectNotNull("akool_image_upscale.up", "created_at")),
		Check: expectCreateCalls(e, 1, 1),
	}})
}

// A wait that gave up on failing reads says what Akool answered each time.
func TestReadErrorText_listsEveryAnswer(t *testing.T) {
	err := &akool.ReadsFailedError{ID: "662a10df4197b3af58532e89", Over: 2 * time.Minute, Errors: []error{
		&akool.APIError{Code: 1009, Message: "no permission", HTTPStatus: 200},
		&akool.APIError{Code: 1009, Message: "no permission", HTTPStatus: 200},
		&akool.APIError{Code: 0, Message: "Bad Gateway; the answer is not a JSON object", HTTPStatus: 502},
	}}
	got := readErrorDetail("662a10df4197b3af58532e89", err)
	for _, want := range []string{"3 reads in a row failed over 2m0s", `code 1009 "no permission" (HTTP 200), 2 times`,
		"; then HTTP 502: Bad Gateway", "try again later"} {
		if !strings.Contains(got, want) {
			t.Errorf("detail does not say %q: %s", want, got)
		}
	}
}
