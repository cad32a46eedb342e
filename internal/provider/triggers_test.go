package provider

import (
	"fmt"
	"strings"
	"testing"

	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/akool-community/terraform-provider-akool/internal/emulator"
)

// testAccTriggersImageConfig is one v3 image with triggers = { revision = ... }.
func testAccTriggersImageConfig(baseURL, revision string) string {
	return testAccProviderConfig(baseURL) + fmt.Sprintf(`
resource "akool_generated_image" "test" {
  prompt = "a weather vane on a barn roof"

  triggers = {
    revision = %q
  }
}
`, revision)
}

// triggerBumpedStep bumps the trigger of the image that
// testAccTriggersImageConfig made with revision 1: it is replaced by a
// second generation.
func triggerBumpedStep(e *emulator.Emulator, url string) tfresource.TestStep {
	return tfresource.TestStep{
		Config: testAccTriggersImageConfig(url, "2"),
		ConfigPlanChecks: preApply(
			plansReplace(testAccImageAddress),
		),
		Check: tfresource.ComposeTestCheckFunc(expectCreates(e, 2), expectCreateAttempts(e, 2)),
	}
}

// Unchanged triggers plan nothing and send nothing; a bumped trigger
// replaces the image with exactly one new generation.
func TestAccGeneratedImage_triggers(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	ids := changedID(testAccImageAddress)
	accTest(t, []tfresource.TestStep{
		{
			Config: testAccTriggersImageConfig(url, "1"),
			ConfigStateChecks: append(completedImageChecks(testAccImageAddress),
				ids(),
				expectValue(testAccImageAddress, "triggers", stringMap(map[string]string{"revision": "1"}))),
			Check: tfresource.ComposeTestCheckFunc(expectCreates(e, 1), expectCreateAttempts(e, 1)),
		},
		{
			// The same triggers: nothing planned, nothing sent.
			Config:           testAccTriggersImageConfig(url, "1"),
			ConfigPlanChecks: emptyPlan(),
			Check:            tfresource.ComposeTestCheckFunc(expectCreates(e, 1), expectCreateAttempts(e, 1)),
		},
		{
			// A bumped trigger: one new image.
			Config: testAccTriggersImageConfig(url, "2"),
			ConfigPlanChecks: settledPlan(
				plansReplace(testAccImageAddress),
				plansUnknown(testAccImageAddress, "id"),
				plansUnknown(testAccImageAddress, "expires_at"),
			),
			ConfigStateChecks: append(completedImageChecks(testAccImageAddress),
				ids(),
				expectValue(testAccImageAddress, "triggers", stringMap(map[string]string{"revision": "2"})),
				expectExpired(testAccImageAddress, false)),
			Check: tfresource.ComposeTestCheckFunc(
				expectCreates(e, 1+1), expectCreateAttempts(e, 1+1), expectExpiresAt(testAccImageAddress)),
		},
	})
}

// Import leaves triggers null; the first apply adopts the configuration's
// triggers in place, without a new generation. Once adopted, a bumped
// trigger replaces the image again.
func TestAccGeneratedImage_triggersAfterImport(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	imported := &reimport{address: testAccImageAddress}
	keepID := sameIDs(testAccImageAddress)
	importStep := imported.importStep(testAccTriggersImageConfig(url, "1"))
	importStep.ImportStateCheck = func(states []*terraform.InstanceState) error {
		if len(states) != 1 {
			return fmt.Errorf("imported %d resources, want 1", len(states))
		}
		for key := range states[0].Attributes {
			if strings.HasPrefix(key, "triggers.") && states[0].Attributes[key] != "0" {
				return fmt.Errorf("import set %s = %q; triggers cannot be read back and must stay null", key, states[0].Attributes[key])
			}
		}
		return nil
	}
	accTest(t, []tfresource.TestStep{
		{
			Config:            testAccImageConfig(url, "a weather vane on a barn roof"),
			ConfigStateChecks: keepID(),
			Check:             imported.captureID(),
		},
		imported.forgetStep(testAccProviderConfig(url)),
		importStep,
		{
			Config: testAccTriggersImageConfig(url, "1"),
			ConfigPlanChecks: settledPlan(
				plansUpdate(testAccImageAddress),
			),
			// The imported job is kept.
			ConfigStateChecks: append(keepID(),
				expectValue(testAccImageAddress, "triggers", stringMap(map[string]string{"revision": "1"})),
			),
			Check: tfresource.ComposeTestCheckFunc(expectCreates(e, 1), expectCreateAttempts(e, 1)),
		},
		triggerBumpedStep(e, url),
	})
}

// testAccTriggersButtonsConfig is a grid, an upscale and a variation of it,
// each with triggers = { revision = ... }: the grid's revision, and the
// upscale's own when upscaleRevision is set.
func testAccTriggersButtonsConfig(baseURL, revision, upscaleRevision string) string {
	if upscaleRevision == "" {
		upscaleRevision = revision
	}
	return testAccProviderConfig(baseURL) + fmt.Sprintf(`
resource "akool_generated_image" "grid" {
  prompt = "a windmill on a dike"
%s}
`, triggersArg(revision)) +
		testAccButtonBlock("akool_image_upscale", "test", "akool_generated_image.grid.id", 2, triggersArg(upscaleRevision)) +
		testAccButtonBlock("akool_image_variation", "test", "akool_generated_image.grid.id", 4, triggersArg(revision))
}

// triggersArg is a triggers argument with one key, revision, for inside a
// resource block.
func triggersArg(revision string) string {
	return fmt.Sprintf("  triggers = { revision = %q }\n", revision)
}

// testAccPressToImport is a grid (testAccGridConfig), a function that adds
// to it one typ resource named test pressing button index of the grid, with
// extra inside its block, and the reimport of that press.
func testAccPressToImport(baseURL, prompt, typ string, index int) (grid string, withButton func(extra string) string, imported *reimport) {
	grid = testAccGridConfig(baseURL, prompt)
	return grid, func(extra string) string {
		return grid + testAccButtonBlock(typ, "test", "akool_generated_image.grid.id", index, extra)
	}, &reimport{address: typ + ".test"}
}

// samePressRefusedStep applies config, whose triggers bump alone would press
// a button already pressed again: the plan refuses it with an error that
// mentions parts.
func samePressRefusedStep(config string, parts ...string) tfresource.TestStep {
	return tfresource.TestStep{
		Config:      config,
		ExpectError: errorPattern(append([]string{"Cannot Press the Same Button Again"}, parts...)...),
	}
}

// Bumping one trigger on a grid and on its upscale and variation replaces
// all three with one new generation and two new presses. Bumping only the
// upscale's trigger would press a used button: the plan stops with an error
// and nothing is sent.
func TestAccImageButtons_triggers(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	const upscale, variation = "akool_image_upscale.test", "akool_image_variation.test"
	upscaleIDs := changedID(upscale)
	variationIDs := changedID(variation)
	counts := func(creates, presses int) tfresource.TestCheckFunc {
		return tfresource.ComposeTestCheckFunc(expectCreates(e, creates), expectPresses(e, presses), expectCreateAttempts(e, creates+presses))
	}
	accTest(t, []tfresource.TestStep{
		{
			Config: testAccTriggersButtonsConfig(url, "1", ""),
			ConfigStateChecks: []statecheck.StateCheck{
				upscaleIDs(),
				variationIDs(),
			},
			Check: counts(1, 2),
		},
		{
			Config:           testAccTriggersButtonsConfig(url, "1", ""),
			ConfigPlanChecks: emptyPlan(),
			Check:            counts(1, 2),
		},
		{
			Config: testAccTriggersButtonsConfig(url, "2", ""),
			ConfigPlanChecks: settledPlan(
				plansReplace(testAccGridAddress),
				plansReplace(upscale),
				plansReplace(variation),
			),
			ConfigStateChecks: append(append(completedPressChecks(upscale, "U2", 1), completedPressChecks(variation, "V4", 4)...),
				upscaleIDs(),
				variationIDs(),
				expectSameAs(upscale, "image_id", testAccGridAddress, "id")),
			Check: tfresource.ComposeTestCheckFunc(counts(2, 4), expectPressedOnce(e, upscale, variation)),
		},
		samePressRefusedStep(testAccTriggersButtonsConfig(url, "2", "3"),
			"button U2 of image", "already pressed", "change the same trigger on the parent"),
		{
			// Nothing was sent, and the state is as it was.
			Config:           testAccTriggersButtonsConfig(url, "2", ""),
			ConfigPlanChecks: emptyPlan(),
			Check:            counts(2, 4),
		},
	})
}

// An imported upscale adopts the configuration's triggers in place; after
// that, a change of its triggers alone is a real change, refused at plan
// time because it would press the same button again.
func TestAccImageUpscale_triggersAfterImport(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	const upscale = "akool_image_upscale.test"
	grid, withButton, imported := testAccPressToImport(url, "a salt marsh at low tide", "akool_image_upscale", 3)
	accTest(t, []tfresource.TestStep{
		{
			Config: withButton(""),
			Check:  imported.captureID(),
		},
		imported.forgetStep(grid),
		imported.importStep(withButton(triggersArg("1"))),
		{
			Config: withButton(triggersArg("1")),
			ConfigPlanChecks: settledPlan(
				plansUpdate(upscale),
				expectNoUnknownValues(upscale),
			),
			ConfigStateChecks: []statecheck.StateCheck{
				expectValue(upscale, "triggers", stringMap(map[string]string{"revision": "1"})),
			},
			Check: tfresource.ComposeTestCheckFunc(expectPresses(e, 1), expectCreateAttempts(e, 2)),
		},
		samePressRefusedStep(withButton(triggersArg("2")), "button U3"),
	})
}

// Adding triggers to an imported variation, even after the first apply
// following the import planned nothing, records them in place and presses
// nothing; once set, bumping them alone would press the same button again
// and is refused at plan time.
func TestAccImageVariation_triggersAddedAfterImport(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	const variation = "akool_image_variation.test"
	grid, withButton, imported := testAccPressToImport(url, "a ferry crossing in fog", "akool_image_variation", 2)
	keepID := sameIDs(variation)
	accTest(t, []tfresource.TestStep{
		{Config: withButton(""), ConfigStateChecks: keepID(), Check: imported.captureID()},
		imported.forgetStep(grid),
		imported.importStep(withButton("")),
		{
			Config:           withButton(""),
			ConfigPlanChecks: emptyPlan(),
		},
		{
			Config:           withButton(triggersArg("1")),
			ConfigPlanChecks: preApply(plansUpdate(variation)),
			// The imported job is kept.
			ConfigStateChecks: keepID(),
			Check:             tfresource.ComposeTestCheckFunc(expectPresses(e, 1), expectCreateAttempts(e, 2)),
		},
		samePressRefusedStep(withButton(triggersArg("2")), "button V2"),
	})
}

// Adding triggers to an image made without them changes it in place: no new
// generation. Only a later change of a value already set regenerates it.
func TestAccGeneratedImage_triggersAdded(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	keepID := sameIDs(testAccImageAddress)
	accTest(t, []tfresource.TestStep{
		{Config: testAccImageConfig(url, "a weather vane on a barn roof"), ConfigStateChecks: keepID()},
		{
			Config: testAccTriggersImageConfig(url, "1"),
			ConfigPlanChecks: settledPlan(
				plansUpdate(testAccImageAddress),
				plansValue(testAccImageAddress, "triggers", stringMap(map[string]string{"revision": "1"})),
			),
			ConfigStateChecks: keepID(),
			Check:             tfresource.ComposeTestCheckFunc(expectCreates(e, 1), expectCreateAttempts(e, 1)),
		},
		triggerBumpedStep(e, url),
	})
}
