package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/akool-community/terraform-provider-akool/internal/emulator"
)

// A create that times out keeps the paid job in state, untainted, with a
// warning; what depends on the unfinished image stops with errors of its own
// (nothing downloaded, nothing pressed). The next plain apply waits for the
// same job in place and then creates the dependents: one generation in all.
func TestAccGeneratedImage_timeoutRecovery(t *testing.T) {
	t.Parallel()
	// The job only finishes when the test moves the emulator's clock.
	e, url := newTestEmulator(t, func(o *emulator.Options) { o.ProcessTime = time.Hour })
	h := newTFHarness(t)
	file := filepath.Join(t.TempDir(), "slow.png")
	config := func(timeout string) string {
		return testAccProviderConfig(url) + slowImageBlock("slow", "a slow sunrise over the fjord", timeout) + fmt.Sprintf(`
resource "akool_image_file" "slow" {
  url  = akool_generated_image.slow.image_url
  path = %q
}
`, file) + testAccButtonBlock("akool_image_upscale", "slow", "akool_generated_image.slow.id", 1, "")
	}
	const address = "akool_generated_image.slow"
	h.initWith(config("1s"))

	res := h.apply()
	if res.exitCode == 0 {
		t.Errorf("apply succeeded although the resources that use the unfinished image could not be created:\n%s", res.output())
	}
	res.expectMentions(t, "apply", "Warning: Image Generation Not Finished", "credits spent", "within the create timeout (1s)",
		"not tainted", "continues waiting for the same job for free",
		"Error: Image URL Not Set", "Error: Parent Image Not Finished", "Nothing was sent to Akool")
	for _, confusing := range []string{"Missing Configuration for Required Attribute", "Missing required argument", "Invalid value"} {
		if res.mentions(confusing) {
			t.Errorf("apply output mentions %q instead of the provider's own errors:\n%s", confusing, res.output())
		}
	}
	first, id := h.expectKeptJob(res, address)
	if status := first.AttributeValues["status"]; status != "queueing" && status != "processing" {
		t.Fatalf("after the timeout: status = %v; want an unfinished status", status)
	}
	if h.resource("akool_image_file.slow") != nil || h.resource("akool_image_upscale.slow") != nil {
		t.Error("a resource that uses the unfinished image is in state")
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("a file was written for the unfinished image (stat: %v)", err)
	}
	if c := e.Counters(); c.Creates != 1 || c.Presses != 0 || c.CreateAttempts != 1 {
		t.Fatalf("creates = %d, presses = %d, create attempts = %d; want 1, 0, 1", c.Creates, c.Presses, c.CreateAttempts)
	}

	// What the documentation tells a pipeline: while the job is unfinished,
	// plan -detailed-exitcode exits 2 with an in-place update, no replacement.
	res = h.run("plan", "-detailed-exitcode", "-input=false")
	if res.exitCode != 2 || !res.mentions(address+" will be updated in-place") || res.mentions("must be replaced") {
		t.Errorf("plan with an unfinished image: exit %d, want 2 and an in-place update of %s:\n%s", res.exitCode, address, res.output())
	}

	// A plain apply (a longer wait, as the warning suggests; no untaint).
	// The job is still processing, so the apply is an in-place update that
	// waits for it; once the apply has refreshed and started waiting, the
	// job finishes. New jobs (the upscale) are quick again.
	e.SetJobTime(100*time.Millisecond, 300*time.Millisecond)
	h.writeConfig(config("2m"))
	// An in-place wait, plus the two dependents.
	res = h.mustApplyFinishingJobs(e, "2 added, 1 changed, 0 destroyed", id)
	done := h.expectFinishedJob(address, id)
	if saved := h.resource("akool_image_file.slow"); saved == nil || saved.AttributeValues["url"] != done.AttributeValues["image_url"] {
		t.Errorf("the local copy is %+v; want the finished image_url downloaded", saved)
	}
	expectEmulatorCalls(t, e, 1, 1, "one generation and one press in all")
	h.expectNoChanges("after the image finished")
}

// The documented pipeline guard: a postcondition on status fails the apply
// at an image that did not finish in time, without tainting it, and stops
// what depends on it; the next plain apply finishes the same job.
func TestAccGeneratedImage_postconditionOnStatus(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t, func(o *emulator.Options) { o.ProcessTime = time.Hour })
	h := newTFHarness(t)
	file := filepath.Join(t.TempDir(), "guarded.png")
	h.initWith(testAccProviderConfig(url) + fmt.Sprintf(`
resource "akool_generated_image" "guarded" {
  prompt = "a lighthouse on a cliff at sunrise"
  timeouts {
    create = "1s"
  }

  lifecycle {
    postcondition {
      condition     = self.status == "completed"
      error_message = "Akool has not finished the image yet: run terraform apply again to keep waiting for the same job."
    }
  }
}

resource "akool_image_file" "guarded" {
  url  = akool_generated_image.guarded.image_url
  path = %q
}
`, file))
	const address = "akool_generated_image.guarded"

	res := h.apply()
	if res.exitCode == 0 || !res.mentions("Resource postcondition failed") || !res.mentions("Akool has not finished the image yet") {
		t.Fatalf("apply: exit %d, want the postcondition to fail it:\n%s", res.exitCode, res.output())
	}
	if res.mentions("Image URL Not Set") {
		t.Errorf("the postcondition did not stop the dependent download:\n%s", res.output())
	}
	kept := h.resource(address)
	if kept == nil || kept.Tainted || kept.AttributeValues["status"] == "completed" {
		t.Fatalf("after the failed postcondition: %+v; want the unfinished image kept, not tainted", kept)
	}
	if h.resource("akool_image_file.guarded") != nil {
		t.Error("the dependent file resource was created")
	}

	// The plan still works (the postcondition waits for the unknown status)
	// and says there is work left.
	if res := h.run("plan", "-detailed-exitcode", "-input=false"); res.exitCode != 2 || res.mentions("must be replaced") {
		t.Errorf("plan with an unfinished image: exit %d, want 2 without a replacement:\n%s", res.exitCode, res.output())
	}

	e.Clock().Advance(2 * time.Hour)
	h.mustApply()
	done := h.resource(address)
	if done == nil || done.AttributeValues["id"] != kept.AttributeValues["id"] || done.AttributeValues["status"] != "completed" {
		t.Errorf("after the second apply: %+v; want job %v completed", done, kept.AttributeValues["id"])
	}
	if h.resource("akool_image_file.guarded") == nil {
		t.Error("the dependent file resource was not created once the image finished")
	}
	expectEmulatorCalls(t, e, 1, 0, "one generation in all")
}

// url is optional in akool_image_file's schema only so that a null url gets
// the provider's own message. A null url cannot fail the plan (it is also
// what the image_url of a failed press gives, and other resources must
// still apply): the plan warns and the create fails, writing nothing.
func TestAccImageFile_urlRequired(t *testing.T) {
	t.Parallel()
	accTestCase(t, tfresource.TestCase{
		IsUnitTest:               true,
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []tfresource.TestStep{
			{
				Config: fmt.Sprintf(`
resource "akool_image_file" "test" {
  path = %q
}
`, filepath.Join(t.TempDir(), "x.png")),
				ExpectError: errorPattern("Image URL Not Set", "url is null", "Nothing was downloaded"),
			},
		},
	})
}

// Ctrl-C while waiting stops promptly and keeps the paid job in state,
// untainted, with a warning that names it.
func TestAccGeneratedImage_interruptKeepsJob(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t, func(o *emulator.Options) { o.ProcessTime = 2 * time.Minute })
	h := newHarness(t, testAccImageConfig(url, "a very slow aurora"))

	run := h.start("apply", "-auto-approve", "-input=false")
	deadline := time.Now().Add(30 * time.Second)
	for e.Counters().Creates == 0 {
		if time.Now().After(deadline) {
			_ = run.cmd.Process.Kill()
			run.wait()
			t.Fatal("Akool never received the create")
		}
		time.Sleep(20 * time.Millisecond)
	}
	interrupted := time.Now()
	if err := run.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	res := run.wait()
	if waited := time.Since(interrupted); waited > 15*time.Second {
		t.Errorf("terraform took %s to stop after the interrupt", waited)
	}
	if !res.mentions("Warning: Image Generation Not Finished") || !res.mentions("Terraform interrupted the wait") {
		t.Errorf("interrupted apply: exit %d, want a warning saying the wait was interrupted:\n%s", res.exitCode, res.output())
	}
	kept := h.resource(testAccImageAddress)
	if kept == nil {
		t.Fatal("the interrupted image is not in state; the paid job would be lost")
	}
	id, _ := kept.AttributeValues["id"].(string)
	if !imageIDPattern.MatchString(id) || !res.mentions(id) || kept.Tainted {
		t.Errorf("state id = %q, tainted = %v; want the job's id, named in the warning, not tainted:\n%s", id, kept.Tainted, res.output())
	}
	expectEmulatorCalls(t, e, 1, 0, "no other request")
}

// A failed job stays in state as failed; after untaint, the plan replaces it
// (a failed job has no picture) rather than keeping it.
func TestAccGeneratedImage_failedJobReplaced(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	const address = "akool_generated_image.test"
	h := newHarness(t, testAccImageConfig(url, "a storm [fail]"))

	res := h.apply()
	if res.exitCode == 0 || !res.mentions("Image Generation Failed") {
		t.Fatalf("apply of a failing job: exit %d, want the failure reported:\n%s", res.exitCode, res.output())
	}
	failed := h.resource(address)
	if failed == nil || failed.AttributeValues["status"] != "failed" || !imageIDPattern.MatchString(stateID(failed)) {
		t.Fatalf("failed job in state: %+v; want its id with status failed", failed)
	}

	h.mustRun("untaint", address)
	res = h.run("plan", "-detailed-exitcode", "-input=false")
	if res.exitCode != 2 || !res.mentions("must be replaced") {
		t.Errorf("plan for an untainted failed job: exit %d, want a replacement (exit 2):\n%s", res.exitCode, res.output())
	}
	expectEmulatorCalls(t, e, 1, 0, "no other request")
}

// Past Akool's 7 days, refresh warns and keeps the image; nothing is planned.
func TestAccGeneratedImage_expiredWarning(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	h := appliedOnClock(t, e, testAccImageConfig(url, "a harbor in the mist"))

	e.Clock().Advance(8 * 24 * time.Hour)
	res := h.expectNoChanges("after expiry")
	res.expectMentions(t, "plan", "Image Expired", "no longer serve", "terraform apply -replace=")
	if h.resource(testAccImageAddress) == nil {
		t.Error("the expired image was removed from state")
	}
	expectEmulatorCalls(t, e, 1, 0, "no other request")
}

// With credentials unknown at plan time, refresh keeps the state with a
// warning instead of failing the plan; an import cannot proceed and says why.
func TestGeneratedImageRead_unconfiguredProvider(t *testing.T) {
	ctx := context.Background()
	r := &generatedImageResource{configuredResource{data: &providerData{unconfigured: "the provider argument(s) api_key were not known yet"}}}
	known := testState(t, r, map[string]any{"id": "662a10df4197b3af58532e89", "status": "completed"})
	resp := readResource(ctx, r, known)
	if resp.Diagnostics.HasError() || resp.Diagnostics.WarningsCount() != 1 {
		t.Errorf("refresh without a client: %v; want one warning and no error", resp.Diagnostics)
	}
	if !resp.State.Raw.Equal(known.Raw) {
		t.Error("refresh without a client changed the state")
	}

	resp = readResource(ctx, r, testState(t, r, map[string]any{"id": "662a10df4197b3af58532e89"}))
	if !resp.Diagnostics.HasError() || !strings.Contains(resp.Diagnostics.Errors()[0].Detail(), "api_key were not known yet") {
		t.Errorf("import without a client: %v; want an error that gives the reason", resp.Diagnostics)
	}
}
