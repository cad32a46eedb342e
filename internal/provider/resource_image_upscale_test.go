package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"testing"
	"time"

	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

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
	ctx := context.Background()
	client, err := akool.New(akool.Config{BaseURL: url, APIKey: testAccAPIKey})
	if err != nil {
		t.Fatal(err)
	}
	create := func(f func() (*akool.Image, error)) string {
		t.Helper()
		img, err := f()
		if err != nil {
			t.Fatal(err)
		}
		return img.ID
	}
	grid := create(func() (*akool.Image, error) {
		return client.CreateV3(ctx, akool.CreateV3Request{Prompt: "a grid of tulips"})
	})
	single := create(func() (*akool.Image, error) { return client.CreateV4(ctx, akool.CreateV4Request{Prompt: "one tulip"}) })
	failed := create(func() (*akool.Image, error) {
		return client.CreateV3(ctx, akool.CreateV3Request{Prompt: "tulips [fail]"})
	})
	e.Clock().Advance(time.Hour)
	upscale := create(func() (*akool.Image, error) {
		return client.PressButton(ctx, akool.ButtonRequest{ParentID: grid, Button: "U1"})
	})
	e.Clock().Advance(time.Hour)
	e.SetJobTime(time.Hour, time.Hour)
	unfinished := create(func() (*akool.Image, error) {
		return client.CreateV3(ctx, akool.CreateV3Request{Prompt: "slow tulips"})
	})
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

// When the press's answer is lost, the provider says a paid job may exist,
// never sends the press again, and explains how to adopt the job.
func TestAccImageUpscale_uncertainPress(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	grid := testAccGridConfig(url, "a message in a bottle, washed ashore")
	accTest(t, []tfresource.TestStep{
		{Config: grid, Check: expectCreates(e, 1)},
		{
			PreConfig: func() { e.SetFaults(emulator.Faults{CreateDropRate: 1}) },
			Config:    grid + testAccButtonBlock("akool_image_upscale", "lost", "akool_generated_image.grid.id", 2, ""),
			ExpectError: errorPattern("Upscale Outcome Unknown", "button U2 of image", "may have started the upscale",
				"did not send the request again", "terraform import <address> <id>"),
		},
	})
	expectEmulatorCalls(t, e, 1, 1, "exactly one press sent after the grid's create")
}
