package provider

import (
	"fmt"
	"testing"
	"time"

	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// Importing a job as the wrong kind of resource, or a job that no button
// made, is refused with the resource type to use instead.
func TestAccImageButton_importWrongKind(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	config := testAccGridUpscaleVariation(url, "a kite festival on the beach", 1, 1)
	withImported := config +
		testAccButtonBlock("akool_image_upscale", "imported", "akool_generated_image.grid.id", 1, "") +
		testAccButtonBlock("akool_image_variation", "imported", "akool_generated_image.grid.id", 1, "")
	accTest(t, []tfresource.TestStep{
		{Config: config, Check: expectPresses(e, 2)},
		importErrorStep(withImported, "akool_image_upscale.imported", testAccVariationAddress,
			"Cannot Import Image", "is a variation (button V1 of image", "not an upscale", "Import it as akool_image_variation instead"),
		importErrorStep(withImported, "akool_image_variation.imported", testAccUpscaleAddress,
			"Cannot Import Image", "is an upscale (button U1 of image", "not a variation", "Import it as akool_image_upscale instead"),
		importErrorStep(withImported, "akool_image_upscale.imported", testAccGridAddress,
			"Cannot Import Image", "offers buttons of its own", "so it is a grid", "not an upscale", "as akool_generated_image"),
		{
			Config:        withImported,
			ResourceName:  "akool_image_upscale.imported",
			ImportState:   true,
			ImportStateId: "not-an-id",
			ExpectError:   errorPattern("Invalid Import ID", "24 hexadecimal digits"),
		},
	})
	expectEmulatorCalls(t, e, 1, 2, "an import must never press a button")
}

// A press that outlives its create timeout keeps the paid job in state,
// untainted, with a warning; the next plain apply waits for the same job and
// presses nothing.
func TestAccImageButton_timeoutRecovery(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	h, grid := newGridHarness(t, url, "a slow upscale of a harbor")

	// From now on, jobs only finish when the test moves the emulator's clock.
	e.SetJobTime(0, time.Hour)
	const address = "akool_image_upscale.slow"
	config := func(timeout string) string {
		return grid + testAccButtonBlock("akool_image_upscale", "slow", "akool_generated_image.grid.id", 3,
			fmt.Sprintf("  timeouts {\n    create = %q\n  }\n", timeout))
	}
	h.writeConfig(config("1s"))
	res := h.apply()
	if res.exitCode != 0 {
		t.Errorf("apply exited %d; an apply whose only problem is an unfinished job warns and exits 0:\n%s", res.exitCode, res.output())
	}
	res.expectMentions(t, "apply", "Warning: Upscale Not Finished", "credits spent", "within the create timeout (1s)",
		"not tainted", "continues waiting for the same job for free")
	first, id := h.expectKeptJob(res, address)
	if status := first.AttributeValues["status"]; status != "processing" {
		t.Fatalf("after the timeout: status = %v; want processing", status)
	}

	// A plain apply (no untaint) with a longer wait. Once the apply has
	// refreshed and started waiting, the job finishes.
	h.writeConfig(config("2m"))
	h.mustApplyFinishingJobs(e, "0 added, 1 changed, 0 destroyed", id)
	if done := h.expectFinishedJob(address, id); done.AttributeValues["button"] != "U3" {
		t.Fatalf("after recovery: button %v; want U3", done.AttributeValues["button"])
	}
	expectEmulatorCalls(t, e, 1, 1, "the recovery must not press the button again")
	h.expectNoChanges("after recovery")
}
