package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/akool-community/terraform-provider-akool/internal/akool"
	"github.com/akool-community/terraform-provider-akool/internal/emulator"
)

// The main life cycle: two upscales of different sub-images of one grid in
// one apply, a re-apply that presses nothing, import (verified, then
// persisted and planned empty), an in-place change of webhook_url, and a new
// parent that replaces both upscales.
func TestAccImageUpscale_lifecycle(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	const first, third = "akool_image_upscale.first", "akool_image_upscale.third"
	config := func(prompt, webhook string) string {
		extra := ""
		if webhook != "" {
			extra = fmt.Sprintf("  webhook_url = %q\n", webhook)
		}
		return testAccGridConfig(url, prompt) +
			testAccButtonBlock("akool_image_upscale", "first", "akool_generated_image.grid.id", 1, extra) +
			testAccButtonBlock("akool_image_upscale", "third", "akool_generated_image.grid.id", 3, "")
	}
	imported := &reimport{address: first}
	keepIDs := sameIDs(first, third)
	replaced := newIDs(testAccGridAddress, first, third)
	accTest(t, []tfresource.TestStep{
		{
			Config: config("a lighthouse in a storm", ""),
			ConfigPlanChecks: preApply(
				plansCreate(first),
				plansCreate(third),
				plansString(first, "button", "U1"),
				plansString(third, "button", "U3"),
				plansUnknown(first, "image_id"),
			),
			ConfigStateChecks: slices.Concat(completedPressChecks(first, "U1", 1), completedPressChecks(third, "U3", 1),
				keepIDs(), replaced(), []statecheck.StateCheck{
					expectInt(first, "index", 1),
					expectInt(third, "index", 3),
					expectSameAs(first, "image_id", testAccGridAddress, "id"),
					expectSameAs(third, "image_id", testAccGridAddress, "id"),
					expectDifferent(first, "id", third, "id"),
				}),
			Check: tfresource.ComposeTestCheckFunc(
				expectCreateCalls(e, 1, 2),
				expectPressedOnce(e, first, third),
				imported.captureID(),
			),
		},
		{
			// Applying the same configuration again presses nothing; the
			// refreshed grid lists both buttons as used.
			Config:           config("a lighthouse in a storm", ""),
			ConfigPlanChecks: emptyPlan(),
			ConfigStateChecks: append(keepIDs(),
				expectListSize(testAccGridAddress, "used_buttons", 2),
			),
			Check: expectCreateCalls(e, 1, 2),
		},
		{
			// image_id and index are read back from Akool.
			ResourceName:      first,
			ImportState:       true,
			ImportStateVerify: true,
		},
		// Forget the upscale in Terraform (not in Akool), then import it.
		imported.forgetStep(testAccGridConfig(url, "a lighthouse in a storm") +
			testAccButtonBlock("akool_image_upscale", "third", "akool_generated_image.grid.id", 3, "")),
		imported.importStep(config("a lighthouse in a storm", "")),
		{
			// After import, the same configuration plans no change.
			Config:            config("a lighthouse in a storm", ""),
			ConfigPlanChecks:  emptyPlan(),
			ConfigStateChecks: append(completedPressChecks(first, "U1", 1), keepIDs()...),
			Check:             expectCreateCalls(e, 1, 2),
		},
		{
			Config: config("a lighthouse in a storm", "https://hooks.example.com/akool"),
			ConfigPlanChecks: preApply(
				plansUpdate(first),
				plansNoop(third),
			),
			ConfigStateChecks: append(keepIDs(),
				expectString(first, "webhook_url", "https://hooks.example.com/akool"),
				expectString(first, "status", "completed"),
			),
			Check: expectCreateCalls(e, 1, 2),
		},
		{
			// A new parent (its prompt changed) replaces its upscales: the
			// buttons are pressed on the new grid.
			Config: config("a lighthouse after the storm", "https://hooks.example.com/akool"),
			ConfigPlanChecks: preApply(
				plansReplace(testAccGridAddress),
				plansReplace(first),
				plansReplace(third),
			),
			ConfigStateChecks: slices.Concat(completedPressChecks(first, "U1", 1), completedPressChecks(third, "U3", 1),
				replaced(), []statecheck.StateCheck{
					expectSameAs(first, "image_id", testAccGridAddress, "id"),
					expectSameAs(third, "image_id", testAccGridAddress, "id"),
				}),
			Check: tfresource.ComposeTestCheckFunc(expectCreateCalls(e, 2, 4), expectPressedOnce(e, first, third)),
		},
	})
}

// A second resource for a button that is already pressed fails before
// anything is sent. The first press is made by an earlier apply, so the
// second resource reads a parent that lists the button as used: the order is
// certain, unlike two such resources created in parallel in one apply.
func TestAccImageUpscale_usedButtonRefused(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	const a = "akool_image_upscale.a"
	config := testAccGridConfig(url, "a red bicycle against a wall") +
		testAccButtonBlock("akool_image_upscale", "a", "akool_generated_image.grid.id", 2, "")
	var attempts int
	accTest(t, []tfresource.TestStep{
		{
			Config: config,
			Check: tfresource.ComposeTestCheckFunc(
				expectPressedOnce(e, a),
				checkCounters(e, func(c emulator.Counters) error { attempts = c.CreateAttempts; return nil }),
			),
		},
		{
			Config:   config + testAccButtonBlock("akool_image_upscale", "b", "akool_generated_image.grid.id", 2, ""),
			PlanOnly: true, // the parent is known: the plan itself fails
			ExpectError: errorPattern("Button Already Pressed", "Button U2 of image", "has already been pressed",
				"by this or another configuration", "Akool refuses to press the same button twice",
				"Nothing was sent to Akool", "terraform import <address> <id of that job>"),
		},
		{
			// The refused resource left nothing behind.
			Config:           config,
			ConfigPlanChecks: emptyPlan(),
			Check: tfresource.ComposeTestCheckFunc(
				expectNotInState("akool_image_upscale.b"),
				expectPressedOnce(e, a),
				expectPresses(e, 1),
				checkCounters(e, func(c emulator.Counters) error {
					if c.CreateAttempts != attempts {
						return fmt.Errorf("create attempts went from %d to %d; the refused press must not be sent", attempts, c.CreateAttempts)
					}
					return nil
				}),
			),
		},
	})
}

// Two resources for the same button in one apply: both read the parent
// before either presses, so either the provider or Akool (code 1011) refuses
// one of them; Akool accepts exactly one press.
func TestAccImageUpscale_sameButtonTwiceInOneApply(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	accTest(t, []tfresource.TestStep{{
		Config: testAccGridConfig(url, "twin sailboats at anchor") +
			testAccButtonBlock("akool_image_upscale", "a", "akool_generated_image.grid.id", 4, "") +
			testAccButtonBlock("akool_image_upscale", "b", "akool_generated_image.grid.id", 4, ""),
		ExpectError: regexp.MustCompile(`(?s)(Button\s+Already\s+Pressed|Button\s+Pressed\s+Twice\s+in\s+One\s+Plan|Unable\s+to\s+Upscale\s+Image.*code\s+1011)`),
	}})
	expectAfterSteps(t, expectPresses(e, 1))
}

// Parents that cannot be pressed are refused at plan time with an
// explanation, and no press is sent: an unfinished, a failed and an unknown image, a v4 image and
// an upscale (no buttons), and a button pressed outside Terraform.
func TestAccImageUpscale_parentRefused(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	jobs := newJobsOutside(t, url)
	grid := jobs.v3("a grid of tulips").ID
	single := jobs.v4(akool.CreateV4Request{Prompt: "one tulip"}).ID
	failed := jobs.v3("tulips [fail]").ID
	e.Clock().Advance(time.Hour)
	upscale := jobs.press(grid, "U1").ID
	e.Clock().Advance(time.Hour)
	e.SetJobTime(time.Hour, time.Hour)
	unfinished := jobs.v3("slow tulips").ID
	before := e.Counters()

	cases := []struct {
		typ, parent string
		index       int
		want        []string
	}{
		{"akool_image_upscale", unfinished, 1, []string{"Parent Image Not Finished", "Image " + unfinished + " is queueing at Akool",
			"button U1 cannot be pressed until it has finished", "Nothing was sent"}},
		{"akool_image_variation", failed, 2, []string{"Parent Image Failed", failed, "V2"}},
		{"akool_image_upscale", single, 1, []string{"Button Not Offered", "Image " + single + " does not offer button U1",
			"it offers no buttons", "v4 images and upscales are single pictures"}},
		{"akool_image_variation", upscale, 1, []string{"Button Not Offered", "result of button U1 of image " + grid}},
		{"akool_image_upscale", grid, 1, []string{"Button Already Pressed", "Button U1 of image " + grid, "terraform import"}},
		{"akool_image_upscale", "0123456789abcdef01234567", 1, []string{"Parent Image Not Found", "code 1008", "Check image_id"}},
	}
	var steps []tfresource.TestStep
	for _, c := range cases {
		steps = append(steps, tfresource.TestStep{
			Config: testAccProviderConfig(url) + testAccButtonBlock(c.typ, "test", fmt.Sprintf("%q", c.parent), c.index, ""),
			// The parent is known at plan time, so the plan itself fails.
			PlanOnly:    true,
			ExpectError: errorPattern(c.want...),
		})
	}
	accTest(t, steps)
	if c := e.Counters(); c.Presses != before.Presses || c.CreateAttempts != before.CreateAttempts {
		t.Errorf("presses %d → %d, create attempts %d → %d; a refused press must not be sent",
			before.Presses, c.Presses, before.CreateAttempts, c.CreateAttempts)
	}
}

// Every input check fails at plan time, names the attribute, and nothing is
// sent to Akool.
func TestAccImageUpscale_validation(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	cases := []struct {
		body string
		want []string
	}{
		{"image_id = \"662a10df4197b3af58532e89\"\nindex = 0", []string{"index", "must be between 1 and 4, got: 0"}},
		{"image_id = \"662a10df4197b3af58532e89\"\nindex = 5", []string{"index", "must be between 1 and 4, got: 5"}},
		{"image_id = \"662a10df4197b3af58532e8\"\nindex = 1", []string{"image_id", "24 hexadecimal digits"}},
		{"image_id = \"my-grid\"\nindex = 1", []string{"image_id", "24 hexadecimal digits"}},
		{"image_id = \"662a10df4197b3af58532e89\"\nindex = 1\nwebhook_url = \"hooks.example.com\"", []string{"Invalid URL", "webhook_url"}},
		{"image_id = \"662a10df4197b3af58532e89\"", []string{`The argument "index" is required`}},
		{"image_id = \"662a10df4197b3af58532e89\"\nindex = 1\ntimeouts {\n  create = \"soon\"\n}", []string{"soon"}},
	}
	var steps []tfresource.TestStep
	for _, typ := range []string{"akool_image_upscale", "akool_image_variation"} {
		for _, c := range cases {
			steps = append(steps, tfresource.TestStep{
				Config:      testAccProviderConfig(url) + fmt.Sprintf("resource %q \"test\" {\n%s\n}\n", typ, c.body),
				PlanOnly:    true,
				ExpectError: errorPattern(c.want...),
			})
		}
	}
	accTest(t, steps)
	expectNoRequests(t, e)
}

// When the press's answer is lost after Akool acted, the provider never
// sends the press again, reads the parent, says that Akool registered the
// press, and explains how to adopt the job.
func TestAccImageUpscale_uncertainPress(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	grid := testAccGridConfig(url, "a message in a bottle, washed ashore")
	accTest(t, []tfresource.TestStep{
		{Config: grid, Check: expectCreates(e, 1)},
		{
			PreConfig: func() { e.SetFaults(emulator.Faults{CreateDropRate: 1}) },
			Config:    grid + testAccButtonBlock("akool_image_upscale", "lost", "akool_generated_image.grid.id", 2, ""),
			ExpectError: errorPattern("Upscale Outcome Unknown", "button U2 of image", "the connection closed before any answer arrived",
				"did not send the request again", "lists U2 in used_buttons", "Akool registered the press",
				"terraform import <address> <id>"),
		},
	})
	expectEmulatorCalls(t, e, 1, 1, "exactly one press sent after the grid's create")
}

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
		return testAccProviderConfig(url) + slowImageBlock("grid", "a slow grid of chess pieces", timeout)
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
	const address = "akool_image_variation.test"
	h := newAppliedHarness(t, testAccGridButtonConfig(url, "a quiet library at night", "akool_image_variation", "test", 1))
	kept := h.resource(address)
	if kept == nil {
		t.Fatal("the variation is not in state")
	}
	id, _ := kept.AttributeValues["id"].(string)
	e.Forget(id)

	res := h.expectNoChanges("after Akool forgot the variation")
	res.expectMentions(t, "plan", "Image No Longer Known to Akool", "code 1008 for variation "+id,
		"does not press a button, and pay, again", "a new variation needs a new parent image")
	if h.resource(address) == nil {
		t.Error("the forgotten variation was removed from state")
	}
	expectEmulatorCalls(t, e, 1, 1, "the grid and one press")
}

// Only variations carry the grid attributes; both kinds share the rest.
func TestImageButtonSchema(t *testing.T) {
	ctx := context.Background()
	grid := []string{"upscaled_urls", "buttons", "used_buttons"}
	shared := []string{"id", "image_id", "index", "button", "webhook_url", "triggers", "status", "image_url", "deduction_credit",
		"created_at", "expires_at", "expired"}
	for _, tt := range []struct {
		kind     *buttonKind
		typeName string
		hasGrid  bool
	}{{upscaleKind, "akool_image_upscale", false}, {variationKind, "akool_image_variation", true}} {
		r := &imageButtonResource{kind: tt.kind}
		meta := &resource.MetadataResponse{}
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "akool"}, meta)
		if meta.TypeName != tt.typeName {
			t.Errorf("type name = %s, want %s", meta.TypeName, tt.typeName)
		}
		s := resourceSchema(t, r)
		if diags := s.ValidateImplementation(ctx); diags.HasError() {
			t.Errorf("%s: invalid schema: %v", tt.typeName, diags)
		}
		attributes := s.GetAttributes()
		for _, name := range shared {
			if _, ok := attributes[name]; !ok {
				t.Errorf("%s has no attribute %s", tt.typeName, name)
			}
		}
		for _, name := range grid {
			if _, ok := attributes[name]; ok != tt.hasGrid {
				t.Errorf("%s: attribute %s present = %v, want %v", tt.typeName, name, ok, tt.hasGrid)
			}
		}
		if len(attributes) != len(shared)+map[bool]int{true: len(grid)}[tt.hasGrid] {
			t.Errorf("%s has %d attributes, want only the listed ones", tt.typeName, len(attributes))
		}
		// The model matches the schema in both directions.
		state := testState(t, r, nil)
		m := tt.kind.newModel()
		if diags := state.Get(ctx, m); diags.HasError() {
			t.Errorf("%s: reading state into the model: %v", tt.typeName, diags)
		}
		m.applyImage(&akool.Image{ID: "662a10df4197b3af58532e89", Status: akool.StatusCompleted, Buttons: []string{"U1"}}, time.Now())
		if diags := state.Set(ctx, m); diags.HasError() {
			t.Errorf("%s: writing the model to state: %v", tt.typeName, diags)
		}
	}
}
