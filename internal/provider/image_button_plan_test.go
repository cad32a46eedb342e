package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// Two resources that press the same button of a parent known at plan time
// fail the plan, before anything is sent.
func TestAccImageUpscale_sameButtonTwiceFailsPlan(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	grid := testAccGridConfig(url, "two kites on one string")
	accTest(t, []tfresource.TestStep{
		{Config: grid},
		{
			Config: grid +
				testAccButtonBlock("akool_image_upscale", "a", "akool_generated_image.grid.id", 3, "") +
				testAccButtonBlock("akool_image_upscale", "b", "akool_generated_image.grid.id", 3, ""),
			PlanOnly:    true,
			ExpectError: errorPattern("Button Pressed Twice in One Plan", "presses button U3 of image", "Nothing was sent to Akool"),
		},
		{
			// Different buttons of one parent in one plan are fine.
			Config: grid +
				testAccButtonBlock("akool_image_upscale", "a", "akool_generated_image.grid.id", 3, "") +
				testAccButtonBlock("akool_image_upscale", "b", "akool_generated_image.grid.id", 4, ""),
			Check: expectPressedOnce(e, "akool_image_upscale.a", "akool_image_upscale.b"),
		},
	})
	expectAfterSteps(t, expectPresses(e, 2))
}

// Changing index replaces the upscale: Terraform plans the replacement
// twice (the second time as a create), which is the same press, not two.
func TestAccImageUpscale_indexChangeReplaces(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	grid := testAccGridConfig(url, "a paper boat in a gutter")
	const address = "akool_image_upscale.test"
	accTest(t, []tfresource.TestStep{
		{Config: grid + testAccButtonBlock("akool_image_upscale", "test", "akool_generated_image.grid.id", 1, "")},
		{
			Config:           grid + testAccButtonBlock("akool_image_upscale", "test", "akool_generated_image.grid.id", 2, ""),
			ConfigPlanChecks: preApply(plansReplace(address)),
			Check:            expectPressedOnce(e, address),
		},
	})
	expectAfterSteps(t, expectPresses(e, 2)) // U1, then U2
}

// Changing index of an upscale whose parent Akool no longer knows fails the
// plan: nothing is destroyed, neither the upscale nor the local copy of its
// picture, and nothing is pressed.
func TestAccImageUpscale_goneParentFailsPlanBeforeDestroy(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "upscale.png")
	config := func(index int) string {
		return testAccGridConfig(url, "a snail on a wet stone") +
			testAccButtonBlock("akool_image_upscale", "test", "akool_generated_image.grid.id", index, "") +
			fmt.Sprintf(`
resource "akool_image_file" "copy" {
  url  = akool_image_upscale.test.image_url
  path = %q
}
`, file)
	}
	var gridID string
	var presses int
	accTest(t, []tfresource.TestStep{
		{
			Config: config(1),
			Check: func(s *terraform.State) error {
				gridID = s.RootModule().Resources[testAccGridAddress].Primary.ID
				presses = e.Counters().Presses
				return nil
			},
		},
		{
			PreConfig:   func() { e.Forget(gridID) },
			Config:      config(2),
			PlanOnly:    true,
			ExpectError: errorPattern("Parent Image Not Found", "code 1008", "Nothing was pressed"),
		},
		{
			// Nothing was destroyed: the configuration as it was plans no change.
			Config:           config(1),
			ConfigPlanChecks: emptyPlan(),
			Check: func(*terraform.State) error {
				if _, err := os.Stat(file); err != nil {
					return fmt.Errorf("the local copy is gone: %w", err)
				}
				if got := e.Counters().Presses; got != presses {
					return fmt.Errorf("presses went from %d to %d", presses, got)
				}
				return nil
			},
		},
	})
}

// A press planned on a parent whose unfinished job this same apply waits for
// (a create that timed out earlier) is not refused at plan time: the parent
// finishes before the press, and the press is made once.
func TestAccImageUpscale_parentResumedInSameApply(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	h := newTFHarness(t)
	grid := func(timeout string) string {
		return testAccProviderConfig(url) + fmt.Sprintf(`
resource "akool_generated_image" "grid" {
  prompt = "a slow grid of chess pieces"
  timeouts {
    create = %q
  }
}
`, timeout)
	}
	e.SetJobTime(0, time.Hour) // jobs finish only when the test moves the clock
	h.initWith(grid("1s"))
	if res := h.apply(); res.exitCode != 0 || !res.mentions("Image Generation Not Finished") {
		t.Fatalf("apply exited %d; want it to end with a warning that the job is not finished:\n%s", res.exitCode, res.output())
	}
	parent := h.resource(testAccGridAddress)
	if parent == nil || parent.AttributeValues["status"] == "completed" || parent.Tainted {
		t.Fatalf("after the timeout the grid is %+v; want it in state, unfinished and untainted", parent)
	}

	h.writeConfig(grid("2m") + testAccButtonBlock("akool_image_upscale", "one", "akool_generated_image.grid.id", 1, ""))
	if res := h.run("plan", "-input=false"); res.exitCode != 0 || !res.mentions("1 to add, 1 to change, 0 to destroy") {
		t.Fatalf("plan exited %d; want the grid's wait resumed and the upscale planned:\n%s", res.exitCode, res.output())
	}

	id, _ := parent.AttributeValues["id"].(string)
	readsBefore := e.Counters().ReadsByID[id]
	run := h.start("apply", "-auto-approve", "-input=false")
	deadline := time.Now().Add(time.Minute)
	for e.Counters().ReadsByID[id] < readsBefore+2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	e.SetJobTime(100*time.Millisecond, 300*time.Millisecond) // the press's own job is quick
	e.Clock().Advance(2 * time.Hour)
	if res := run.wait(); res.exitCode != 0 {
		t.Fatalf("apply failed:\n%s", res.output())
	}
	if c := e.Counters(); c.Presses != 1 || c.Creates != 1 {
		t.Errorf("presses = %d, creates = %d; want one of each", c.Presses, c.Creates)
	}
}
