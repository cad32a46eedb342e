package provider

import (
	"testing"

	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
)

// A chain: a variation of a grid is a grid again, and one of its sub-images
// is upscaled. Re-applying presses nothing, and both import back.
func TestAccImageVariation_chain(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	const variation, detail = "akool_image_variation.second", "akool_image_upscale.detail"
	config := testAccGridConfig(url, "a village on a hill, watercolor") +
		testAccButtonBlock("akool_image_variation", "second", "akool_generated_image.grid.id", 2, "") +
		testAccButtonBlock("akool_image_upscale", "detail", "akool_image_variation.second.id", 4, "")

	accTest(t, []tfresource.TestStep{
		{
			Config: config,
			ConfigPlanChecks: preApply(
				plansString(variation, "button", "V2"),
				plansUnknown(variation, "buttons"),
				plansUnknown(detail, "image_id"),
			),
			ConfigStateChecks: append(append(completedPressChecks(variation, "V2", 4), completedPressChecks(detail, "U4", 1)...),
				expectStrings(variation, "buttons", "U1", "U2", "U3", "U4", "V1", "V2", "V3", "V4"),
				expectListSize(variation, "upscaled_urls", 4),
				expectSameAs(variation, "image_id", testAccGridAddress, "id"),
				expectSameAs(detail, "image_id", variation, "id"),
			),
			Check: tfresource.ComposeTestCheckFunc(
				expectCreateCalls(e, 1, 2),
				expectPressedOnce(e, variation, detail),
			),
		},
		{
			// Nothing is pressed again; the refreshed variation lists the
			// button its upscale pressed.
			Config:           config,
			ConfigPlanChecks: emptyPlan(),
			ConfigStateChecks: []statecheck.StateCheck{
				expectStrings(variation, "used_buttons", "U4"),
				expectStrings(testAccGridAddress, "used_buttons", "V2"),
			},
			Check: expectCreateCalls(e, 1, 2),
		},
		{
			ResourceName:      variation,
			ImportState:       true,
			ImportStateVerify: true,
		},
		{
			ResourceName:      detail,
			ImportState:       true,
			ImportStateVerify: true,
		},
	})
	expectEmulatorCalls(t, e, 1, 2, "the grid and two presses")
}

// When Akool no longer knows a variation, refresh keeps it with a warning
// that explains how to get a new one; nothing is planned or pressed.
func TestAccImageVariation_goneKeepsState(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	h := newTFHarness(t)
	const address = "akool_image_variation.test"
	h.initWith(testAccGridConfig(url, "a quiet library at night") +
		testAccButtonBlock("akool_image_variation", "test", "akool_generated_image.grid.id", 1, ""))
	h.mustApply()
	kept := h.resource(address)
	if kept == nil {
		t.Fatal("the variation is not in state")
	}
	id, _ := kept.AttributeValues["id"].(string)
	e.Forget(id)

	res := h.run("plan", "-detailed-exitcode", "-input=false")
	if res.exitCode != 0 {
		t.Errorf("plan after Akool forgot the variation exited %d, want 0 (no changes):\n%s", res.exitCode, res.output())
	}
	for _, want := range []string{"Image No Longer Known to Akool", "code 1008 for variation " + id,
		"does not press a button, and pay, again", "a new variation needs a new parent image"} {
		if !res.mentions(want) {
			t.Errorf("plan output does not mention %q:\n%s", want, res.output())
		}
	}
	if h.resource(address) == nil {
		t.Error("the forgotten variation was removed from state")
	}
	expectEmulatorCalls(t, e, 1, 1, "the grid and one press")
}
