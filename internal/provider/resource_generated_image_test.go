package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

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
