package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/akool-community/terraform-provider-akool/internal/akool"
	"github.com/akool-community/terraform-provider-akool/internal/emulator"
)

// The main life cycle: create and wait, an empty plan, a re-apply that sends
// nothing, import (verified, then persisted and planned empty), an in-place
// change of webhook_url, and a prompt change that replaces the image.
func TestAccGeneratedImage_lifecycle(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	config := func(prompt, webhook string) string {
		c := testAccProviderConfig(url) + fmt.Sprintf(`
resource "akool_generated_image" "test" {
  prompt = %q
  scale  = "16:9"
`, prompt)
		if webhook != "" {
			c += fmt.Sprintf("  webhook_url = %q\n", webhook)
		}
		return c + "}\n"
	}
	imported := &reimport{address: testAccImageAddress}
	sameID := sameValue(testAccImageAddress, "id")
	newID := changedID(testAccImageAddress)
	accTest(t, []tfresource.TestStep{
		{
			Config: config("a lighthouse at dusk", ""),
			ConfigPlanChecks: settledPlan(
				plansCreate(testAccImageAddress),
				plansString(testAccImageAddress, "api_version", "v3"),
			),
			ConfigStateChecks: append(completedImageChecks(testAccImageAddress),
				expectString(testAccImageAddress, "api_version", "v3"),
				expectString(testAccImageAddress, "scale", "16:9"),
				expectListSize(testAccImageAddress, "upscaled_urls", 4),
				expectStrings(testAccImageAddress, "buttons", "U1", "U2", "U3", "U4", "V1", "V2", "V3", "V4"),
				expectListSize(testAccImageAddress, "used_buttons", 0),
				expectFloat(testAccImageAddress, "deduction_credit", 4),
				expectMatch(testAccImageAddress, "created_at", regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)),
				expectNull(testAccImageAddress, "model_name"),
				sameID(),
				newID(),
			),
			Check: tfresource.ComposeTestCheckFunc(expectCreateCalls(e, 1, 0), imported.captureID()),
		},
		{
			// Applying the same configuration again changes and sends nothing.
			Config:           config("a lighthouse at dusk", ""),
			ConfigPlanChecks: emptyPlan(),
			Check:            expectCreateCalls(e, 1, 0),
		},
		{
			// Everything Akool reports, echoes or lets the provider infer
			// reads back identically.
			ResourceName:      testAccImageAddress,
			ImportState:       true,
			ImportStateVerify: true,
		},
		// Forget the image in Terraform (not in Akool), then import it.
		imported.forgetStep(testAccProviderConfig(url)),
		imported.importStep(config("a lighthouse at dusk", "")),
		{
			// After import, the same configuration plans no change.
			Config:           config("a lighthouse at dusk", ""),
			ConfigPlanChecks: emptyPlan(),
			Check:            expectCreateCalls(e, 1, 0),
		},
		{
			Config: config("a lighthouse at dusk", "https://hooks.example.com/akool"),
			ConfigPlanChecks: preApply(
				plansUpdate(testAccImageAddress),
			),
			ConfigStateChecks: []statecheck.StateCheck{
				expectString(testAccImageAddress, "webhook_url", "https://hooks.example.com/akool"),
				expectString(testAccImageAddress, "status", "completed"),
				// An in-place update keeps the job.
				sameID(),
			},
			Check: expectCreateCalls(e, 1, 0),
		},
		{
			Config: config("a lighthouse at dawn", "https://hooks.example.com/akool"),
			ConfigPlanChecks: preApply(
				plansReplace(testAccImageAddress),
			),
			// A prompt change is a new image.
			ConfigStateChecks: append(completedImageChecks(testAccImageAddress),
				newID()),
			Check: expectCreateCalls(e, 2, 0),
		},
	})
}

// v4: Akool's model choice is recorded; image-to-image with scale Original
// and similarity; import adopts what Akool does not echo in place.
func TestAccGeneratedImage_v4(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	config := testAccProviderConfig(url) + `
resource "akool_generated_image" "text" {
  api_version     = "v4"
  prompt          = "a glass greenhouse in fog"
  scale           = "3:2"
  resolution      = "1080p"
  negative_prompt = "people"
}

resource "akool_generated_image" "remix" {
  api_version  = "v4"
  prompt       = "the same greenhouse in winter"
  source_image = akool_generated_image.text.image_url
  scale        = "Original"
  similarity   = 0.7
}
`
	const text, remix = "akool_generated_image.text", "akool_generated_image.remix"
	importedText, importedRemix := &reimport{address: text}, &reimport{address: remix}
	accTest(t, []tfresource.TestStep{
		{
			Config:           config,
			ConfigPlanChecks: preApply(plansUnknown(text, "model_name")),
			ConfigStateChecks: append(completedImageChecks(text),
				expectString(text, "model_name", "wavespeed-ai/flux-krea-dev-lora"),
				expectListSize(text, "buttons", 0),
				expectListSize(text, "upscaled_urls", 0),
				expectFloat(text, "deduction_credit", 2),
				expectString(remix, "status", "completed"),
				expectString(remix, "model_name", "wavespeed-ai/flux-kontext-dev"),
				expectSameAs(remix, "source_image", text, "image_url"),
			),
			Check: tfresource.ComposeTestCheckFunc(
				checkCounters(e, func(c emulator.Counters) error {
					if c.CreatesV4 != 2 || c.Creates != 2 || c.CreateAttempts != 2 {
						return fmt.Errorf("v4 creates = %d, creates = %d, create attempts = %d; want 2, 2 and 2", c.CreatesV4, c.Creates, c.CreateAttempts)
					}
					return nil
				}),
				importedText.captureID(),
				importedRemix.captureID(),
			),
		},
		{
			// resolution and negative_prompt are not reported by Akool,
			// and model_name only in the create answer.
			ResourceName:            text,
			ImportState:             true,
			ImportStateVerify:       true,
			ImportStateVerifyIgnore: []string{"resolution", "negative_prompt", "model_name"},
		},
		{
			// similarity is not reported by Akool, model_name only in the
			// create answer, and "Original" cannot be told from the
			// picture (it is inferred as the picture's ratio).
			ResourceName:            remix,
			ImportState:             true,
			ImportStateVerify:       true,
			ImportStateVerifyIgnore: []string{"similarity", "scale", "model_name"},
		},
		// Forget both images in Terraform (not in Akool), then import them.
		forgetStep(testAccProviderConfig(url), text, remix),
		importedText.importStep(config),
		importedRemix.importStep(config),
		{
			// The imported resources adopt the configuration's values in
			// place: no replacement, nothing generated.
			Config: config,
			ConfigPlanChecks: settledPlan(
				plansUpdate(text),
				plansUpdate(remix),
			),
			ConfigStateChecks: []statecheck.StateCheck{
				expectString(text, "resolution", "1080p"),
				expectString(text, "negative_prompt", "people"),
				expectFloat(remix, "similarity", 0.7),
				expectString(remix, "scale", "Original"),
			},
			Check: expectCreateCalls(e, 2, 0),
		},
		{
			// Once adopted, a change to a value that shapes the picture
			// replaces it again.
			Config: strings.Replace(config, `resolution      = "1080p"`, `resolution      = "4k"`, 1),
			ConfigPlanChecks: preApply(
				plansReplace(text),
			),
			Check: expectCreateCalls(e, 4, 0), // text, and remix whose source_image follows it
		},
	})
}

// Every input check fails at plan time, names the attribute, and nothing is
// sent to Akool.
func TestAccGeneratedImage_validation(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	cases := []struct {
		body string
		want string
	}{
		{`prompt = ""`, `(?s)prompt.*must not be empty`},
		{`prompt = "   "`, `(?s)prompt.*must not be empty`},
		{`
prompt      = "x"
api_version = "v5"`, `(?s)api_version.*v3.*v4.*v5`},
		{`
prompt = "x"
scale  = "5:4"`, `(?s)scale.*must be one of`},
		{`
prompt = "x"
scale  = "Original"`, `(?s)Invalid Scale for api_version.*scale = "Original"`},
		{`
prompt      = "x"
api_version = "v4"
scale       = "Original"`, `(?s)Scale Original Needs a Source Image.*source_image`},
		{`
prompt       = "x"
source_image = "ftp://files.example.com/a.png"`, `(?s)Invalid URL.*source_image`},
		{`
prompt       = "x"
source_image = "just words"`, `(?s)Invalid URL.*source_image`},
		{`
prompt      = "x"
webhook_url = "hooks.example.com/akool"`, `(?s)Invalid URL.*webhook_url`},
		{`
prompt     = "x"
model_name = "wavespeed-ai/flux-krea-dev-lora"`, `(?s)Argument Requires api_version v4.*model_name`},
		{`
prompt     = "x"
resolution = "4k"`, `(?s)Argument Requires api_version v4.*resolution`},
		{`
prompt          = "x"
negative_prompt = "dogs"`, `(?s)Argument Requires api_version v4.*negative_prompt`},
		{`
prompt     = "x"
similarity = 0.5`, `(?s)Argument Requires api_version v4.*similarity`},
		{`
prompt      = "x"
api_version = "v4"
resolution  = "8k"`, `(?s)resolution.*1080p.*4k.*8k`},
		{`
prompt          = "x"
api_version     = "v4"
negative_prompt = ""`, `(?s)negative_prompt.*must not be empty`},
		{`
prompt       = "x"
api_version  = "v4"
source_image = "https://example.com/a.png"
similarity   = 1.5`, `(?s)similarity.*between 0\.0+ and 1\.0+`},
		{`
prompt      = "x"
api_version = "v4"
similarity  = 0.5`, `(?s)Similarity Needs a Source Image`},
		{`
prompt = "x"
timeouts {
  create = "soon"
}`, `(?s)Invalid Attribute Value Time Duration.*soon`},
	}
	var steps []tfresource.TestStep
	for _, c := range cases {
		steps = append(steps, tfresource.TestStep{
			Config:      testAccProviderConfig(url) + "resource \"akool_generated_image\" \"test\" {\n" + c.body + "\n}\n",
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(c.want),
		})
	}
	accTest(t, steps)
	expectNoRequests(t, e)
}

// A job Akool fails is an error naming the job; the next plan replaces it.
func TestAccGeneratedImage_failedJob(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	config := testAccImageConfig(url, "a forbidden picture [fail]")
	accTest(t, []tfresource.TestStep{
		{
			Config:      config,
			ExpectError: regexp.MustCompile(`(?s)Image Generation Failed.*[0-9a-f]{24}.*image_status\s+4.*Change\s+the\s+prompt`),
		},
		{
			Config:             config,
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks: tfresource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{
					plansReplace(testAccImageAddress),
				},
			},
		},
	})
	expectEmulatorCalls(t, e, 1, 0, "no other request")
}

// When Akool no longer knows an image (expired or removed), refresh keeps the
// resource: no replacement is planned and nothing is generated.
func TestAccGeneratedImage_goneKeepsState(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	config := testAccImageConfig(url, "a tide pool at noon")
	sameID := sameValue(testAccImageAddress, "id")
	accTest(t, []tfresource.TestStep{
		{
			Config:            config,
			ConfigStateChecks: []statecheck.StateCheck{sameID()},
			Check: func(s *terraform.State) error {
				e.Forget(s.RootModule().Resources[testAccImageAddress].Primary.ID)
				return nil
			},
		},
		{
			Config:           config,
			ConfigPlanChecks: emptyPlan(),
			// The forgotten image is kept.
			ConfigStateChecks: append(completedImageChecks(testAccImageAddress),
				sameID()),
			Check: expectCreateCalls(e, 1, 0),
		},
	})
}

// When the create's answer is lost, the provider says a paid job may exist,
// never sends the create again, and explains how to adopt the job.
func TestAccGeneratedImage_uncertainCreate(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t, func(o *emulator.Options) { o.Faults = emulator.Faults{CreateDropRate: 1} })
	accTest(t, []tfresource.TestStep{{
		Config: testAccImageConfig(url, "a message in a bottle"),
		ExpectError: errorPattern("Image Generation Outcome Unknown", "the connection closed before any answer arrived",
			"did not send the request again", "charged", "terraform import"),
	}})
	expectEmulatorCalls(t, e, 1, 0, "exactly one create sent")
}

func TestAccGeneratedImage_importInvalidID(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	config := testAccImageConfig(url, "never imported")
	accTest(t, []tfresource.TestStep{
		{
			Config:        config,
			ResourceName:  testAccImageAddress,
			ImportState:   true,
			ImportStateId: "not-an-id",
			ExpectError:   regexp.MustCompile(`(?s)Invalid Import ID.*24\s+hexadecimal\s+digits`),
		},
		{
			Config:        config,
			ResourceName:  testAccImageAddress,
			ImportState:   true,
			ImportStateId: "0123456789abcdef01234567",
			ExpectError:   regexp.MustCompile(`(?s)Cannot Import Image.*1008`),
		},
	})
	if c := e.Counters(); c.Creates != 0 {
		t.Errorf("creates = %d, want 0", c.Creates)
	}
}

func TestInferAPIVersion(t *testing.T) {
	tests := []struct {
		name string
		img  akool.Image
		want types.String
	}{
		{"v4 model", akool.Image{Status: akool.StatusQueueing, ModelName: "wavespeed-ai/flux-krea-dev-lora"}, types.StringValue(apiV4)},
		{"finished single image", akool.Image{Status: akool.StatusCompleted, ImageURL: "https://x/a.png"}, types.StringValue(apiV4)},
		{"finished grid", akool.Image{Status: akool.StatusCompleted, Buttons: []string{"U1"}, UpscaledURLs: []string{"u"}}, types.StringValue(apiV3)},
		{"finished grid without buttons", akool.Image{Status: akool.StatusCompleted, UpscaledURLs: []string{"u1", "u2", "u3", "u4"}}, types.StringValue(apiV3)},
		{"v4 listing itself as its one upscaled URL", akool.Image{Status: akool.StatusCompleted, ImageURL: "u", UpscaledURLs: []string{"u"}}, types.StringValue(apiV4)},
		// No result yet, or none at all: nothing to tell by, so no guess.
		{"unfinished without model", akool.Image{Status: akool.StatusProcessing}, types.StringNull()},
		{"queueing without model", akool.Image{Status: akool.StatusQueueing}, types.StringNull()},
		{"failed without model", akool.Image{Status: akool.StatusFailed}, types.StringNull()},
	}
	for _, tt := range tests {
		if got := inferAPIVersion(&tt.img); !got.Equal(tt.want) {
			t.Errorf("%s: inferAPIVersion = %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestImageResultFromImage(t *testing.T) {
	created := time.Date(2025, 3, 4, 5, 6, 7, 0, time.FixedZone("CET", 3600))
	var m generatedImageModel
	m.ModelName = types.StringUnknown()
	m.applyImage(&akool.Image{
		ID:              "662a10df4197b3af58532e89",
		Status:          akool.StatusCompleted,
		ImageURL:        "https://cdn.example.com/a.png",
		UpscaledURLs:    []string{"https://cdn.example.com/1.png"},
		Buttons:         nil,
		UsedButtons:     []string{"U1"},
		DeductionCredit: 4,
		CreatedAt:       created,
		ModelName:       "m",
	}, time.Now())
	if m.ID.ValueString() != "662a10df4197b3af58532e89" || m.Status.ValueString() != "completed" {
		t.Errorf("id/status = %s/%s", m.ID, m.Status)
	}
	if m.CreatedAt.ValueString() != "2025-03-04T04:06:07Z" {
		t.Errorf("created_at = %s, want RFC 3339 in UTC", m.CreatedAt)
	}
	if m.Buttons.IsNull() || len(m.Buttons.Elements()) != 0 {
		t.Errorf("buttons = %s, want a known empty list", m.Buttons)
	}
	if len(m.UsedButtons.Elements()) != 1 || m.DeductionCredit.ValueFloat64() != 4 {
		t.Errorf("used_buttons = %s, deduction_credit = %s", m.UsedButtons, m.DeductionCredit)
	}
	if m.ModelName.ValueString() != "m" {
		t.Errorf("model_name = %s, want Akool's choice recorded", m.ModelName)
	}

	// A configured model name is kept; an unfinished job has no URL yet.
	m.ModelName = types.StringValue("configured")
	m.applyImage(&akool.Image{ID: "662a10df4197b3af58532e89", Status: akool.StatusQueueing, ModelName: "other"}, time.Now())
	if m.ModelName.ValueString() != "configured" || !m.ImageURL.IsNull() || !m.CreatedAt.IsNull() {
		t.Errorf("model_name = %s, image_url = %s, created_at = %s", m.ModelName, m.ImageURL, m.CreatedAt)
	}
}

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
		return testAccProviderConfig(url) + fmt.Sprintf(`
resource "akool_generated_image" "slow" {
  prompt = "a slow sunrise over the fjord"
  timeouts {
    create = %q
  }
}

resource "akool_image_file" "slow" {
  url  = akool_generated_image.slow.image_url
  path = %q
}
`, timeout, file) + testAccButtonBlock("akool_image_upscale", "slow", "akool_generated_image.slow.id", 1, "")
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
	res = applyFinishingJobsByClock(h, e, id)
	if res.exitCode != 0 {
		t.Fatalf("second apply failed:\n%s", res.output())
	}
	if !res.mentions("2 added, 1 changed, 0 destroyed") {
		t.Errorf("second apply was not an in-place wait plus the two dependents:\n%s", res.output())
	}
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
// the provider's own error; leaving it out still fails at plan time.
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
				PlanOnly:    true,
				ExpectError: errorPattern("Image URL Not Set", "url is null", "nothing was downloaded"),
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
	h := newAppliedHarness(t, testAccImageConfig(url, "a harbor in the mist"))

	e.Clock().Advance(8 * 24 * time.Hour)
	res := h.expectNoChanges("after expiry")
	res.expectMentions(t, "plan", "Image No Longer Known to Akool", "code 1008", "terraform apply -replace=")
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

// A wait's finish saves what the wait learnt and explains each way a wait ends.
func TestFinishWait(t *testing.T) {
	ctx := context.Background()
	const id = "662a10df4197b3af58532e89"
	processing := &akool.Image{ID: id, Status: akool.StatusProcessing}
	tests := []struct {
		name       string
		final      *akool.Image
		err        error
		parentErr  error
		resumed    bool
		summary    string // "" means no error
		warning    string // the summary of the one warning expected instead of an error
		mentions   []string
		wantStatus string
	}{
		{name: "completed", final: &akool.Image{ID: id, Status: akool.StatusCompleted, ImageURL: "https://x/a.png"}, wantStatus: "completed"},
		{name: "failed", final: &akool.Image{ID: id, Status: akool.StatusFailed}, err: &akool.JobFailedError{Image: &akool.Image{ID: id}},
			summary: "Image Generation Failed", mentions: []string{id, "image_status 4", "Change the prompt"}, wantStatus: "failed"},
		{name: "timeout", final: processing, err: fmt.Errorf("stopped: %w", context.DeadlineExceeded),
			warning: "Image Generation Not Finished", mentions: []string{id, "credits spent", "create timeout (1m0s)", "not tainted", "for free", "postcondition"}, wantStatus: "processing"},
		{name: "interrupted", final: processing, err: context.Canceled, parentErr: context.Canceled,
			warning: "Image Generation Not Finished", mentions: []string{"Terraform interrupted the wait", "continues waiting for the same job"}, wantStatus: "processing"},
		{name: "resumed timeout", final: processing, err: context.DeadlineExceeded, resumed: true,
			warning: "Image Generation Not Finished", mentions: []string{"Akool job " + id + " is still running", "without generating a new image or spending credits"}, wantStatus: "processing"},
		{name: "read error", final: nil, err: &akool.APIError{Code: akool.CodeNoPermission, Message: "No permission", Endpoint: "/info"},
			warning: "Image Generation Not Finished", mentions: []string{"code 1009", "No permission", "last status: queueing", "not tainted"}, wantStatus: "queueing"},
		{name: "lost", final: nil, err: &akool.LostError{ID: id, Err: &akool.APIError{Code: akool.CodeNotFound, Message: "not exist", Endpoint: "/info"}}, resumed: true,
			warning: "Image Generation Lost: Job " + id, mentions: []string{"1008", "never delivered a picture", "replaces this resource",
				"generates a new image", "max_new_images"}, wantStatus: "queueing"},
		{name: "1008 as the context ends", final: processing, err: fmt.Errorf("%w: %w", context.Canceled,
			&akool.APIError{Code: akool.CodeNotFound, Message: "not exist", Endpoint: "/info"}), parentErr: context.Canceled,
			warning: "Image Generation Not Finished", mentions: []string{"Terraform interrupted the wait", "continues waiting for the same job"}, wantStatus: "processing"},
		{name: "not shown yet", final: processing, err: fmt.Errorf("%w: %w", &akool.NotShownError{ID: id, Reads: 4, Since: 75 * time.Second},
			context.DeadlineExceeded), warning: "Image Generation Not Finished",
			mentions: []string{"create timeout", "does not show the job yet", "code 1008", "1m15s after it accepted", "not tainted"}, wantStatus: "processing"},
		{name: "no URL", final: &akool.Image{ID: id, Status: akool.StatusCompleted}, err: &akool.URLMissingError{Image: &akool.Image{ID: id}, Waited: 2 * time.Minute},
			warning: "Image URL Not Listed Yet: Job " + id, mentions: []string{id, "image_status 3", "neither image nor external_img", "reads it again for free"}, wantStatus: "completed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state := testState(t, NewGeneratedImageResource(), nil)
			var m generatedImageModel
			diags := state.Get(ctx, &m)
			m.applyImage(&akool.Image{ID: id, Status: akool.StatusQueueing}, time.Now())
			wait := jobWait{m: &m, timeout: time.Minute, resumed: tt.resumed, state: &state, diags: &diags}
			wait.finish(ctx, waitEnd{final: tt.final, err: tt.err, parentErr: tt.parentErr, now: time.Now()})

			var status types.String
			state.GetAttribute(ctx, path.Root("status"), &status)
			if status.ValueString() != tt.wantStatus {
				t.Errorf("saved status = %s, want %s", status, tt.wantStatus)
			}
			var expired types.Bool
			state.GetAttribute(ctx, path.Root("expired"), &expired)
			if wantExpired := tt.name == "lost"; expired.ValueBool() != wantExpired {
				t.Errorf("saved expired = %s, want %v: only a final 1008 marks the job lost", expired, wantExpired)
			}
			var got diag.Diagnostic
			switch {
			case tt.warning != "":
				// A wait that ends before the job does must not fail Create:
				// an error would taint the resource and the next apply pay again.
				if diags.HasError() || len(diags.Warnings()) != 1 || diags.Warnings()[0].Summary() != tt.warning {
					t.Fatalf("diagnostics = %v, want one warning %q and no error", diags, tt.warning)
				}
				got = diags.Warnings()[0]
			case tt.summary != "":
				if len(diags.Errors()) != 1 || diags.Errors()[0].Summary() != tt.summary {
					t.Fatalf("diagnostics = %v, want one error %q", diags, tt.summary)
				}
				got = diags.Errors()[0]
			default:
				if diags.HasError() || len(diags) != 0 {
					t.Fatalf("unexpected diagnostics: %v", diags)
				}
				return
			}
			for _, want := range tt.mentions {
				if !strings.Contains(got.Detail(), want) {
					t.Errorf("detail does not mention %q: %s", want, got.Detail())
				}
			}
			if tt.name == "not shown yet" && strings.Contains(got.Detail(), "expire") {
				t.Errorf("a job Akool does not show yet is not expired: %s", got.Detail())
			}
		})
	}
}
