package provider

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/akool-community/terraform-provider-akool/internal/emulator"
)

// How the provider recovers a job that has not delivered its picture: one
// Akool does not show yet, one it lost, one that failed between applies, a
// failed press, and one completed without a URL. The tests whose names end
// in _emulatorClock run the provider on the emulator's clock and move it.

// slowImageConfig is one v3 image at testAccImageAddress whose wait ends
// after createTimeout.
func slowImageConfig(url, prompt, createTimeout string) string {
	return testAccProviderConfig(url) + slowImageBlock("test", prompt, createTimeout)
}

// slowImageBlock is a v3 akool_generated_image named name whose wait ends
// after createTimeout.
func slowImageBlock(name, prompt, createTimeout string) string {
	return fmt.Sprintf(`
resource "akool_generated_image" %q {
  prompt = %q
  timeouts {
    create = %q
  }
}
`, name, prompt, createTimeout)
}

// clockHarness is a terraform CLI harness initialized with config, whose
// provider reads the emulator's clock.
func clockHarness(t *testing.T, e *emulator.Emulator, config string) *tfHarness {
	t.Helper()
	h := newTFHarness(t)
	h.clock = e.Clock().Now
	h.initWith(config)
	return h
}

// unfinishedImage applies one image at testAccImageAddress whose job does
// not finish before its 1-second create timeout, on the emulator's clock,
// and returns the emulator, its URL, the harness and the job's id.
func unfinishedImage(t *testing.T, prompt string) (*emulator.Emulator, string, *tfHarness, string) {
	t.Helper()
	e, url := newTestEmulator(t)
	e.SetJobTime(time.Hour, time.Hour)
	h := clockHarness(t, e, slowImageConfig(url, prompt, "1s"))
	_, id := h.expectKeptJob(h.apply(), testAccImageAddress)
	return e, url, h, id
}

// Akool answers 1008 for a new job for 75 seconds (its reads lag behind its
// writes): the apply, with a 3-minute create timeout, keeps reading and
// finishes the job it paid for. The emulator's clock, which the provider
// reads too, moves 30 seconds on each read, so the test takes seconds.
func TestAccGeneratedImage_notShownForMinutes_emulatorClock(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t, withShapes(emulator.Shapes{NotFoundFor: 75 * time.Second}))
	done := make(chan struct{})
	defer close(done)
	go func() {
		// Three moves: the reads at 0, 30 and 60 seconds answer 1008.
		for moved, seen := 0, 0; moved < 3; {
			select {
			case <-done:
				return
			case <-time.After(10 * time.Millisecond):
			}
			if reads := e.Counters().Reads; reads > seen {
				seen = reads
				e.Clock().Advance(30 * time.Second)
				moved++
			}
		}
	}()
	accTestCase(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactoriesWithClock(e.Clock().Now),
		Steps: []tfresource.TestStep{{
			Config:            slowImageConfig(url, "a lighthouse behind a lagging replica", "3m"),
			ConfigStateChecks: completedImageChecks(testAccImageAddress),
			Check: tfresource.ComposeTestCheckFunc(expectCreates(e, 1), checkCounters(e, func(c emulator.Counters) error {
				if c.Reads < 4 {
					return fmt.Errorf("%d reads; the job was not read past the minute it read 1008", c.Reads)
				}
				return nil
			})),
		}},
	})
}

// A wait that ends while Akool still does not show the new job says so,
// never that it expired; a refresh inside the grace marks nothing expired;
// once Akool shows the job, the next apply finishes it for free.
func TestAccGeneratedImage_notShownAtRefresh_emulatorClock(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t, withShapes(emulator.Shapes{NotFoundFor: 5 * time.Minute}))
	h := clockHarness(t, e, slowImageConfig(url, "a lighthouse nobody has seen yet", "4s"))

	res := h.apply()
	_, id := h.expectKeptJob(res, testAccImageAddress)
	res.expectMentions(t, "apply", "Warning: Image Generation Not Finished", "Akool does not show the job yet", "code 1008")
	if res.exitCode != 0 || res.mentions("7 days") || res.mentions("No Longer Known") {
		t.Errorf("apply: exit %d; want 0 and no word of expiry:\n%s", res.exitCode, res.output())
	}

	e.Clock().Advance(time.Minute)
	res = h.mustRun("apply", "-refresh-only", "-auto-approve", "-input=false")
	res.expectMentions(t, "refresh", "Job Not Shown by Akool Yet: akool_generated_image "+id, "nothing is marked expired or lost")
	if r := h.resource(testAccImageAddress); r.AttributeValues["expired"] != false || r.AttributeValues["status"] != "queueing" {
		t.Errorf("after a refresh inside the grace: expired %v, status %v; want false and queueing", r.AttributeValues["expired"], r.AttributeValues["status"])
	}

	e.Clock().Advance(5 * time.Minute)
	applyFinishesTheSameJob(t, h, e, id, "after the job showed up")
}

// An unfinished job that Akool no longer knows past the grace is lost: the
// plan says so, names it, and replaces it, counted by max_new_images; the
// next apply generates a new image.
func TestAccGeneratedImage_lostJobRegenerates_emulatorClock(t *testing.T) {
	t.Parallel()
	e, url, h, lost := unfinishedImage(t, "a lighthouse Akool will lose")

	e.Forget(lost)
	e.Clock().Advance(11 * time.Minute)
	res := h.run("plan", "-detailed-exitcode", "-input=false")
	res.expectMentions(t, "plan", "Warning: Image Generation Lost: Job "+lost, "no longer knows job "+lost,
		"This plan replaces the resource: applying generates a new image", "max_new_images", "must be replaced")
	if res.exitCode != 2 || res.mentions("nothing is planned") {
		t.Errorf("plan: exit %d; want a replacement (2) and no claim that nothing is planned:\n%s", res.exitCode, res.output())
	}

	config := slowImageConfig(url, "a lighthouse Akool will lose", "1s")
	h.writeConfig(strings.Replace(config, "api_key", "max_new_images = 0\n  api_key", 1))
	res = h.run("plan", "-input=false")
	h.writeConfig(config)
	if res.exitCode == 0 || !res.mentions("Akool Spending Cap Exceeded") {
		t.Errorf("plan with max_new_images = 0: exit %d; want the regeneration refused by the cap:\n%s", res.exitCode, res.output())
	}

	e.SetJobTime(0, 0)
	h.mustApply()
	if r := h.resource(testAccImageAddress); stateID(r) == lost || r.AttributeValues["status"] != "completed" {
		t.Errorf("after the apply: %+v; want a new, completed job", r.AttributeValues)
	}
	expectEmulatorCalls(t, e, 2, 0, "the lost job and its regeneration")
}

// An unfinished job that failed by the next refresh is named in a warning
// before the plan's replacement pays again.
func TestAccGeneratedImage_failedBetweenApplies_emulatorClock(t *testing.T) {
	t.Parallel()
	e, _, h, id := unfinishedImage(t, "a lighthouse that will fail [fail]")

	e.Clock().Advance(3 * time.Hour)
	res := h.run("plan", "-detailed-exitcode", "-input=false")
	res.expectMentions(t, "plan", "Warning: Image Generation Failed: Job "+id, "image_status 4",
		"applying generates a new image", "max_new_images", "must be replaced")
	if res.exitCode != 2 {
		t.Errorf("plan: exit %d, want a replacement (2):\n%s", res.exitCode, res.output())
	}
	expectEmulatorCalls(t, e, 1, 0, "no other request")
}

// A press whose job fails leaves its button used on the parent: the apply
// warns instead of tainting, later plans say what happened and what to do
// without an error, and the rest of the configuration still changes. It
// relies on the emulator's [fail-presses], whose failed presses stay listed
// in used_buttons.
func TestAccImageUpscale_failedPress_emulatorFailPresses(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	base := testAccGridConfig(url, "a harbour whose presses fail [fail-presses]") +
		testAccButtonBlock("akool_image_upscale", "up", "akool_generated_image.grid.id", 2, "")
	h := newHarness(t, base+testAccPromptBlock("other", "a lighthouse"))

	res := h.apply()
	_, id := h.expectKeptJob(res, testAccUpscaleAddress)
	res.expectMentions(t, "apply", "Warning: Upscale Failed", "image_status 4", "U2 of image")
	if res.exitCode != 0 {
		t.Fatalf("apply with a failed press: exit %d, want 0 (a warning, untainted):\n%s", res.exitCode, res.output())
	}

	res = h.expectNoChanges("after the failed press")
	res.expectMentions(t, "plan", "Warning: Upscale Failed: Job "+id, "used_buttons", "refuses to press it again",
		"index = 1 (U1)", "regenerate image")
	if res.mentions("another configuration") || res.mentions("Error") {
		t.Errorf("plan blames another configuration or fails:\n%s", res.output())
	}

	h.writeConfig(base + testAccPromptBlock("other", "a lighthouse at night"))
	res = h.mustRun("apply", "-auto-approve", "-input=false")
	if !res.mentions("1 added, 0 changed, 1 destroyed") {
		t.Errorf("apply of an unrelated change: want only the other image replaced:\n%s", res.output())
	}
	expectEmulatorCalls(t, e, 3, 1, "the grid, two other images, one press")
}

// A press whose job Akool lost before it finished keeps its button used:
// the plan names the lost job, plans nothing for it, and says what to do.
func TestAccImageUpscale_lostPress_emulatorClock(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	grid := testAccGridConfig(url, "a harbour whose upscale Akool loses")
	h := clockHarness(t, e, grid)
	h.mustApply()
	e.SetJobTime(time.Hour, time.Hour)
	h.writeConfig(grid + testAccButtonBlock("akool_image_upscale", "up", "akool_generated_image.grid.id", 2,
		"  timeouts {\n    create = \"1s\"\n  }\n"))
	_, lost := h.expectKeptJob(h.apply(), testAccUpscaleAddress)

	e.Forget(lost)
	e.Clock().Advance(11 * time.Minute)
	res := h.expectNoChanges("after Akool lost the press")
	res.expectMentions(t, "plan", "Warning: Upscale Lost: Job "+lost, "used_buttons", "nothing is planned for this resource",
		"index = 1 (U1)")
	expectEmulatorCalls(t, e, 1, 1, "the grid and one press")
}

// stripURLs serves the emulator with the picture URL (image and
// external_img) left out of completed answers while it is on, at most left
// times (negative: without end).
func stripURLs(t *testing.T, left int64) (*emulator.Emulator, string, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	n.Store(left)
	e, url := newEditingEmulator(t, "infobymodelid", func(data map[string]any) {
		if status, _ := data["image_status"].(float64); status == 3 && n.Load() != 0 {
			n.Add(-1)
			delete(data, "image")
			delete(data, "external_img")
		}
	})
	return e, url, &n
}

// A job Akool reports completed before it names the picture's URL is waited
// for until it does: image_url is never left null by an apply that succeeds.
func TestAccGeneratedImage_urlListedLate(t *testing.T) {
	t.Parallel()
	e, url, _ := stripURLs(t, 3)
	config := testAccProviderConfig(url) + `
resource "akool_generated_image" "test" {
  api_version = "v4"
  prompt      = "a lighthouse whose URL comes late"
}
`
	accTest(t, []tfresource.TestStep{{
		Config:            config,
		ConfigStateChecks: []statecheck.StateCheck{expectMatch(testAccImageAddress, "image_url", regexpImage)},
		Check:             expectCreates(e, 1),
	}})
}

// When the URL never comes within the wait, the apply says so and keeps the
// job untainted; refresh agrees (a warning, not an error); the next apply
// reads it again for free and records the URL once Akool names it.
func TestAccGeneratedImage_urlNeverListed(t *testing.T) {
	t.Parallel()
	e, url, strip := stripURLs(t, -1)
	h := newHarness(t, testAccProviderConfig(url)+`
resource "akool_generated_image" "test" {
  api_version = "v4"
  prompt      = "a lighthouse whose URL never comes"
  timeouts {
    create = "4s"
  }
}
`)
	res := h.apply()
	r, id := h.expectKeptJob(res, testAccImageAddress)
	res.expectMentions(t, "apply", "Warning: Image URL Not Listed Yet", "neither image nor external_img")
	if res.exitCode != 0 || r.AttributeValues["status"] != "completed" || r.AttributeValues["image_url"] != nil {
		t.Errorf("apply: exit %d, status %v, image_url %v; want 0, completed, no URL", res.exitCode, r.AttributeValues["status"], r.AttributeValues["image_url"])
	}

	res = h.run("plan", "-detailed-exitcode", "-input=false")
	if res.exitCode != 2 || !res.mentions("Image URL Not Listed Yet") || !res.mentions("updated in-place") {
		t.Errorf("plan: exit %d; want a warning and an in-place update that reads the job again:\n%s", res.exitCode, res.output())
	}

	strip.Store(0)
	applyFinishesTheSameJob(t, h, e, id, "once the URL is listed")
}

// A job completed without a URL that Akool then stops knowing never gets
// stuck: inside the replica-lag grace the refresh marks nothing expired;
// past it the job is lost, and the plan says so and generates again.
func TestAccGeneratedImage_lostWithoutURL_emulatorClock(t *testing.T) {
	t.Parallel()
	e, url, _ := stripURLs(t, -1)
	h := clockHarness(t, e, testAccProviderConfig(url)+`
resource "akool_generated_image" "test" {
  api_version = "v4"
  prompt      = "a lighthouse whose URL never comes and that Akool loses"
  timeouts {
    create = "2s"
  }
}
`)
	_, id := h.expectKeptJob(h.apply(), testAccImageAddress)

	e.Forget(id)
	e.Clock().Advance(time.Minute)
	res := h.mustRun("apply", "-refresh-only", "-auto-approve", "-input=false")
	res.expectMentions(t, "refresh", "Job Not Shown by Akool Yet", "nothing is marked expired or lost")
	if r := h.resource(testAccImageAddress); r.AttributeValues["expired"] != false {
		t.Errorf("after a refresh inside the grace: expired %v; want false", r.AttributeValues["expired"])
	}

	e.Clock().Advance(11 * time.Minute)
	res = h.run("plan", "-detailed-exitcode", "-input=false")
	res.expectMentions(t, "plan", "Warning: Image Generation Lost: Job "+id, "never delivered a picture",
		"applying generates a new image", "must be replaced")
	if res.exitCode != 2 || res.mentions("failed (image_status 4") || res.mentions("nothing is planned") {
		t.Errorf("plan: exit %d; want a replacement (2) of a lost, not failed, job:\n%s", res.exitCode, res.output())
	}
}

// applyFinishesTheSameJob runs a plain apply and checks that it finished job
// id, the only one ever created (the emulator's counters), leaving nothing
// to plan after.
func applyFinishesTheSameJob(t *testing.T, h *tfHarness, e *emulator.Emulator, id, after string) {
	t.Helper()
	h.mustApply()
	h.expectFinishedJob(testAccImageAddress, id)
	h.expectNoChanges(after)
	expectEmulatorCalls(t, e, 1, 0, "no other request")
}
