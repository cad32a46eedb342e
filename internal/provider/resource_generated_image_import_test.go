package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/akool-community/terraform-provider-akool/internal/akool"
	"github.com/akool-community/terraform-provider-akool/internal/emulator"
)

// Importing a v4 job that has not finished: the import cannot tell the
// api_version or the scale yet, so it records neither, and a configuration
// that matches the job plans an in-place update (the wait), never a new,
// paid image. Once the job finishes, the same configuration is adopted.
func TestAccGeneratedImage_importUnfinishedV4(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t, func(o *emulator.Options) { o.ProcessTime = time.Hour })
	id := newJobsOutside(t, url).v4(akool.CreateV4Request{Prompt: "a lantern in the snow", Scale: "16:9", Resolution: "1080p"}).ID
	config := testAccProviderConfig(url) + `
resource "akool_generated_image" "test" {
  api_version = "v4"
  prompt      = "a lantern in the snow"
  scale       = "16:9"
  resolution  = "1080p"
}
`
	noReplacement := []plancheck.PlanCheck{plansUpdate(testAccImageAddress)}
	accTest(t, []tfresource.TestStep{
		{
			Config:             config,
			ResourceName:       testAccImageAddress,
			ImportState:        true,
			ImportStatePersist: true,
			ImportStateId:      id,
			ImportStateCheck: func(states []*terraform.InstanceState) error {
				if len(states) != 1 {
					return fmt.Errorf("imported %d resources, want 1", len(states))
				}
				a := states[0].Attributes
				if a["status"] != "queueing" && a["status"] != "processing" {
					return fmt.Errorf("status = %q, want an unfinished job", a["status"])
				}
				if a["prompt"] != "a lantern in the snow" {
					return fmt.Errorf("prompt = %q, want Akool's echo", a["prompt"])
				}
				// Nothing in Akool's answer tells these yet: no guess.
				for _, name := range []string{"api_version", "scale", "model_name", "resolution"} {
					if v, ok := a[name]; ok && v != "" {
						return fmt.Errorf("%s = %q after importing an unfinished job; want it left unset", name, v)
					}
				}
				return nil
			},
		},
		{
			// Both the plan without refresh and the one with it.
			Config:             config,
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks: tfresource.ConfigPlanChecks{
				PostApplyPreRefresh:  noReplacement,
				PostApplyPostRefresh: noReplacement,
			},
		},
		{
			PreConfig:        func() { e.Clock().Advance(2 * time.Hour) },
			Config:           config,
			ConfigPlanChecks: settledPlan(noReplacement...),
			ConfigStateChecks: []statecheck.StateCheck{
				expectString(testAccImageAddress, "id", id),
				expectString(testAccImageAddress, "status", "completed"),
				expectString(testAccImageAddress, "api_version", "v4"),
				expectString(testAccImageAddress, "scale", "16:9"),
				expectString(testAccImageAddress, "resolution", "1080p"),
			},
			Check: expectCreateCalls(e, 1, 0),
		},
	})
}

// testAccPaperBoatConfig is one v4 image at testAccImageAddress; extra is
// added inside its block.
func testAccPaperBoatConfig(baseURL, extra string) string {
	return testAccProviderConfig(baseURL) + fmt.Sprintf(`
resource "akool_generated_image" "test" {
  api_version = "v4"
  prompt      = "a paper boat on a pond"
%s}
`, extra)
}

// The adoption after an import is scoped and ends: an input Akool never
// reports (resolution) is adopted, but one it does report (source_image,
// absent for a text-to-image job) is not. An apply with nothing to adopt
// keeps the window open; the apply that adopts closes it, and from then on
// setting any input plans a new image.
func TestAccGeneratedImage_importAdoptionEnds(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	config := func(extra string) string { return testAccPaperBoatConfig(url, extra) }
	const sourceImage = `  source_image = "https://images.example.com/pond.png"` + "\n"
	const resolution = `  resolution = "1080p"` + "\n"
	replaced := []plancheck.PlanCheck{plansReplace(testAccImageAddress)}
	updated := []plancheck.PlanCheck{plansUpdate(testAccImageAddress)}
	imported := &reimport{address: testAccImageAddress}
	sameID := sameValue(testAccImageAddress, "id")
	newID := changedID(testAccImageAddress)
	accTest(t, []tfresource.TestStep{
		{
			Config: config(""),
			ConfigStateChecks: []statecheck.StateCheck{
				sameID(),
				newID(),
			},
			Check: imported.captureID(),
		},
		imported.forgetStep(testAccProviderConfig(url)),
		imported.importStep(config("")),
		{
			// Akool echoes the prompt and no source_image: the job was
			// text-to-image, so a source_image is a different picture.
			Config:             config(sourceImage),
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks:   tfresource.ConfigPlanChecks{PostApplyPreRefresh: replaced, PostApplyPostRefresh: replaced},
		},
		{
			// Akool never reports resolution: the plan adopts it.
			Config:             config(resolution),
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks:   tfresource.ConfigPlanChecks{PostApplyPostRefresh: updated},
		},
		{
			// An apply with nothing to adopt changes nothing...
			Config:           config(""),
			ConfigPlanChecks: emptyPlan(),
		},
		{
			// ...and leaves the window open.
			Config:           config(resolution),
			ConfigPlanChecks: settledPlan(updated...),
			ConfigStateChecks: []statecheck.StateCheck{
				expectString(testAccImageAddress, "resolution", "1080p"),
				// The imported job is kept.
				sameID(),
			},
			Check: expectCreateCalls(e, 1, 0),
		},
		// That apply adopted the configuration: from now on, setting an
		// input Akool does not report is a real change, a new image.
		{
			Config:             config(resolution + `  negative_prompt = "rain"` + "\n"),
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks:   tfresource.ConfigPlanChecks{PostApplyPostRefresh: replaced},
		},
		{
			Config:             config(resolution + sourceImage),
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks:   tfresource.ConfigPlanChecks{PostApplyPostRefresh: replaced},
		},
		{
			Config:           config(resolution + `  negative_prompt = "rain"` + "\n"),
			ConfigPlanChecks: preApply(replaced...),
			ConfigStateChecks: []statecheck.StateCheck{
				expectString(testAccImageAddress, "negative_prompt", "rain"),
				// A negative_prompt change is a new image.
				newID(),
			},
			Check: expectCreateCalls(e, 2, 0),
		},
	})
}

// Saved refreshes after terraform import (apply -refresh-only, refresh) do
// not end the adoption: the plan after them still takes resolution, which
// Akool never reports, in place instead of replacing the imported, paid
// image. The apply that adopts it ends the window.
func TestAccGeneratedImage_importAdoptionSurvivesRefresh(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	h := newTFHarness(t)
	config := func(extra string) string { return testAccPaperBoatConfig(url, extra) }
	const resolution = `  resolution = "1080p"` + "\n"
	// A job made outside Terraform, at 1080p, then imported.
	id := newJobsOutside(t, url).v4(akool.CreateV4Request{Prompt: "a paper boat on a pond", Resolution: "1080p"}).ID
	e.Clock().Advance(time.Hour) // finished before the import
	h.initWith(config(resolution))
	h.mustRun("import", "-input=false", testAccImageAddress, id)
	h.mustRun("apply", "-refresh-only", "-auto-approve", "-input=false")
	h.mustRun("refresh", "-input=false")
	h.mustRun("apply", "-refresh-only", "-auto-approve", "-input=false")

	res := h.run("plan", "-detailed-exitcode", "-input=false")
	if res.exitCode != 2 || !res.mentions(testAccImageAddress+" will be updated in-place") || res.mentions("forces replacement") {
		t.Fatalf("plan after saved refreshes: exit %d, want resolution adopted in place:\n%s", res.exitCode, res.output())
	}
	res = h.mustRun("apply", "-auto-approve", "-input=false")
	if !res.mentions("0 added, 1 changed, 0 destroyed") {
		t.Errorf("apply after saved refreshes was not one in-place update:\n%s", res.output())
	}
	adopted := h.resource(testAccImageAddress)
	if adopted == nil || adopted.AttributeValues["id"] != id || adopted.AttributeValues["resolution"] != "1080p" {
		t.Fatalf("after the apply: %+v; want image %s with resolution 1080p", adopted, id)
	}
	expectEmulatorCalls(t, e, 1, 0, "the import must not pay again")

	// The apply adopted the configuration: a new input is a new image now.
	h.writeConfig(config(resolution + `  negative_prompt = "rain"` + "\n"))
	if res := h.run("plan", "-input=false"); !res.mentions("forces replacement") {
		t.Errorf("plan after the adopting apply: want negative_prompt to force a new image:\n%s", res.output())
	}
}

// Writing out Akool's documented default where the state holds null, or
// removing it, keeps the image: Akool made it with that value. Another value
// makes a new image.
func TestAccGeneratedImage_defaultsKeepImage(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	const text, remix = "akool_generated_image.text", "akool_generated_image.remix"
	config := func(resolution, similarity string) string {
		c := testAccProviderConfig(url) + `
resource "akool_generated_image" "text" {
  api_version = "v4"
  prompt      = "a brass telescope"
`
		if resolution != "" {
			c += fmt.Sprintf("  resolution  = %q\n", resolution)
		}
		c += `}

resource "akool_generated_image" "remix" {
  api_version  = "v4"
  prompt       = "the telescope at night"
  source_image = akool_generated_image.text.image_url
`
		if similarity != "" {
			c += "  similarity   = " + similarity + "\n"
		}
		return c + "}\n"
	}
	keepIDs := sameIDs(text, remix)
	inPlace := []plancheck.PlanCheck{
		plansUpdate(text),
		plansUpdate(remix),
	}
	accTest(t, []tfresource.TestStep{
		{Config: config("", ""), ConfigStateChecks: keepIDs()},
		{
			Config:           config("4k", "0.5"),
			ConfigPlanChecks: preApply(inPlace...),
			ConfigStateChecks: append(keepIDs(),
				expectString(text, "resolution", "4k"),
				expectFloat(remix, "similarity", 0.5),
			),
			Check: expectCreateCalls(e, 2, 0),
		},
		{
			Config:           config("", ""),
			ConfigPlanChecks: preApply(inPlace...),
			ConfigStateChecks: append(keepIDs(),
				expectNull(text, "resolution"),
				expectNull(remix, "similarity"),
			),
			Check: expectCreateCalls(e, 2, 0),
		},
		{
			Config: config("", "0.7"),
			ConfigPlanChecks: preApply(
				plansNoop(text),
				plansReplace(remix),
			),
			Check: expectCreateCalls(e, 3, 0),
		},
	})
}

// The image-to-image model without a source image fails at plan, and a job
// made by a button cannot be imported as akool_generated_image.
func TestAccGeneratedImage_modelAndImportKindChecks(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	grid := testAccGridUpscaleVariation(url, "a row of beach huts", 2, 3)
	withImported := grid + `
resource "akool_generated_image" "imported" {
  prompt = "a row of beach huts"
}
`
	accTest(t, []tfresource.TestStep{
		{
			Config: testAccProviderConfig(url) + `
resource "akool_generated_image" "test" {
  api_version = "v4"
  prompt      = "x"
  model_name  = "wavespeed-ai/flux-kontext-dev"
}
`,
			PlanOnly:    true,
			ExpectError: errorPattern("Model Needs a Source Image", "model_name", "image-to-image model", "Set source_image"),
		},
		{Config: grid, Check: expectCreateCalls(e, 1, 2)},
		importErrorStep(withImported, "akool_generated_image.imported", testAccUpscaleAddress,
			"Cannot Import Image", "result of button U2 of image", "not an image generated from a prompt", "Import it as akool_image_upscale instead"),
		importErrorStep(withImported, "akool_generated_image.imported", testAccVariationAddress,
			"Cannot Import Image", "result of button V3", "Import it as akool_image_variation instead"),
	})
	expectEmulatorCalls(t, e, 1, 2, "an import must never create or press")
}

// A create whose answer arrives after the create timeout has passed is not
// cut short: the timeout bounds the wait, so the paid job's id is saved and
// the warning is about the wait.
func TestAccGeneratedImage_createOutlivesTimeout(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t, func(o *emulator.Options) { o.Latency = 1500 * time.Millisecond })
	h := newHarness(t, testAccProviderConfig(url)+`
resource "akool_generated_image" "test" {
  prompt = "a slow answer from a far server"
  timeouts {
    create = "1s"
  }
}
`)
	res := h.apply()
	res.expectMentions(t, "apply", "Warning: Image Generation Not Finished", "credits spent", "within the create timeout (1s)")
	if res.mentions("Outcome Unknown") {
		t.Errorf("the create request was cut short by the create timeout:\n%s", res.output())
	}
	h.expectKeptJob(res, testAccImageAddress)
	expectEmulatorCalls(t, e, 1, 0, "one create sent")
}

// The same for a button press.
func TestAccImageUpscale_pressOutlivesTimeout(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	h, grid := newGridHarness(t, url, "a lighthouse seen from a ferry")

	e.SetLatency(1500 * time.Millisecond)
	const address = "akool_image_upscale.slow"
	h.writeConfig(grid + testAccButtonBlock("akool_image_upscale", "slow", "akool_generated_image.grid.id", 1,
		"  timeouts {\n    create = \"1s\"\n  }\n"))
	res := h.run("apply", "-auto-approve", "-input=false", "-refresh=false")
	if !res.mentions("Warning: Upscale Not Finished") || !res.mentions("within the create timeout (1s)") || res.mentions("Outcome Unknown") {
		t.Errorf("apply output does not report a wait cut by the timeout after an accepted press:\n%s", res.output())
	}
	h.expectKeptJob(res, address)
	expectEmulatorCalls(t, e, 1, 1, "the grid and one press")
}

// What an import reads back, what it infers, and what it leaves to the
// configuration.
func TestFillFromImport(t *testing.T) {
	r := &generatedImageResource{} // no HTTP client: the scale is never inferred here
	tests := []struct {
		name        string
		img         akool.Image
		wantVersion types.String
		wantUnread  []string
	}{
		{
			name:        "finished v4 with echoes",
			img:         akool.Image{Status: akool.StatusCompleted, ImageURL: "https://x/a.png", Prompt: "p"},
			wantVersion: types.StringValue(apiV4),
			wantUnread:  []string{"resolution", "negative_prompt", "similarity", "model_name", "scale"},
		},
		{
			name:        "unfinished with echoes",
			img:         akool.Image{Status: akool.StatusQueueing, Prompt: "p", SourceImage: "https://x/s.png"},
			wantVersion: types.StringNull(),
			wantUnread:  []string{"resolution", "negative_prompt", "similarity", "model_name", "api_version", "scale"},
		},
		{
			name:        "no echoes at all",
			img:         akool.Image{Status: akool.StatusCompleted, Buttons: []string{"U1"}, UpscaledURLs: []string{"u"}},
			wantVersion: types.StringValue(apiV3),
			wantUnread:  []string{"resolution", "negative_prompt", "similarity", "prompt", "source_image", "model_name", "scale"},
		},
	}
	for _, tt := range tests {
		var m generatedImageModel
		unread := r.fillFromImport(context.Background(), &m, &tt.img)
		if !m.APIVersion.Equal(tt.wantVersion) {
			t.Errorf("%s: api_version = %s, want %s", tt.name, m.APIVersion, tt.wantVersion)
		}
		if strings.Join(unread, ",") != strings.Join(tt.wantUnread, ",") {
			t.Errorf("%s: unread = %v, want %v", tt.name, unread, tt.wantUnread)
		}
	}
}

// The import refuses a job made by a button and names the resource to use.
func TestRefuseButtonResult(t *testing.T) {
	const id, parent = "662a10df4197b3af58532e90", "662a10df4197b3af58532e89"
	tests := []struct {
		img  akool.Image
		want string // "" means accepted
	}{
		{akool.Image{}, ""},
		{akool.Image{ParentID: parent, Button: "U2"}, "Import it as akool_image_upscale instead"},
		{akool.Image{ParentID: parent, Button: "v1"}, "Import it as akool_image_variation instead"},
		{akool.Image{ParentID: parent, Button: "X9"}, "akool_image_upscale (buttons U1-U4) or akool_image_variation"},
	}
	for _, tt := range tests {
		var diags diag.Diagnostics
		ok := refuseButtonResult(id, &tt.img, &diags)
		if tt.want == "" {
			if !ok || diags.HasError() {
				t.Errorf("%+v: refused: %v", tt.img, diags)
			}
			continue
		}
		if ok || !diags.HasError() || !strings.Contains(diags.Errors()[0].Detail(), tt.want) {
			t.Errorf("%+v: ok = %v, diags = %v; want a refusal mentioning %q", tt.img, ok, diags, tt.want)
		}
	}
}
