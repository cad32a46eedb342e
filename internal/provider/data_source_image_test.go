package provider

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/akool-community/terraform-provider-akool/internal/akool"
)

func TestAccImageDataSource_found(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	const data = "data.akool_image.test"
	var checks []statecheck.StateCheck
	for _, attr := range []string{"id", "status", "image_url", "upscaled_urls", "buttons", "used_buttons", "deduction_credit", "created_at", "prompt", "source_image", "model_name"} {
		checks = append(checks, expectSameAs(data, attr, testAccImageAddress, attr))
	}
	checks = append(checks,
		expectString(data, "status", "completed"),
		expectString(data, "prompt", "an orchard  in   bloom"),
		expectListSize(data, "upscaled_urls", 4),
		expectNull(data, "source_image"),
	)
	accTest(t, []tfresource.TestStep{{
		Config:            testAccImageConfig(url, "an orchard  in   bloom") + testAccImageDataBlock("test", "akool_generated_image.test.id"),
		ConfigStateChecks: checks,
		Check:             expectCreates(e, 1),
	}})
}

func TestAccImageDataSource_notFound(t *testing.T) {
	t.Parallel()
	_, url := newTestEmulator(t)
	accTest(t, []tfresource.TestStep{{
		Config:      testAccProviderConfig(url) + testAccImageDataBlock("test", `"0123456789abcdef01234567"`),
		ExpectError: regexp.MustCompile(`(?s)Image Not Found.*code 1008.*never\s+existed.*7\s+days`),
	}})
}

func TestAccImageDataSource_invalidID(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	accTest(t, []tfresource.TestStep{{
		Config:      testAccProviderConfig(url) + testAccImageDataBlock("test", `"662a10df4197b3af58532e8"`),
		ExpectError: regexp.MustCompile(`(?s)Attribute\s+id\s+must\s+be\s+an\s+Akool\s+image\s+id`),
	}})
	expectNoRequests(t, e)
}

// The data source reads through the same mapping as the resource. Akool
// reports a v4 job's model only in the create answer, not in infobymodelid,
// so the data source has none to show.
func TestAccImageDataSource_v4(t *testing.T) {
	t.Parallel()
	_, url := newTestEmulator(t)
	accTest(t, []tfresource.TestStep{{
		Config: testAccProviderConfig(url) + fmt.Sprintf(`
resource "akool_generated_image" "test" {
  api_version = "v4"
  prompt      = %q
}
`, "a copper kettle") + testAccImageDataBlock("test", "akool_generated_image.test.id"),
		ConfigStateChecks: []statecheck.StateCheck{
			expectNull("data.akool_image.test", "model_name"),
			expectString("akool_generated_image.test", "model_name", "wavespeed-ai/flux-krea-dev-lora"),
			expectListSize("data.akool_image.test", "buttons", 0),
		},
	}})
}

// An id Akool no longer knows (1008) and that was made more than 7 days ago
// reads as expired, with a warning, instead of failing every plan and
// terraform destroy (the post-test destroy runs with the data source).
func TestAccImageDataSource_expiredID(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	img := newJobsOutside(t, url).v3("a sandcastle at low tide")
	// 8 days later, by Akool's clock and the provider's: Akool has forgotten it.
	e.Clock().Advance(pastRetention + time.Hour)
	created := time.Unix(img.CreatedAt.Unix(), 0).UTC()
	const data = "data.akool_image.old"
	config := testAccProviderConfig(url) + testAccImageDataBlock("old", fmt.Sprintf("%q", img.ID))
	accTestCase(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactoriesWithClock(e.Clock().Now),
		Steps: []tfresource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				expectExpired(data, true),
				expectString(data, "id", img.ID),
				expectString(data, "created_at", created.Format(time.RFC3339)),
				expectString(data, "expires_at", created.Add(imageRetention).Format(time.RFC3339)),
				expectNull(data, "status"),
				expectNull(data, "image_url"),
			},
		}},
	})
}

// The warning for an expired id names it, and terraform destroy works.
func TestAccImageDataSource_expiredIDWarning(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	img := newJobsOutside(t, url).v4(akool.CreateV4Request{Prompt: "a footprint in wet sand"})
	e.Clock().Advance(pastRetention + time.Hour)
	h := newTFHarness(t)
	h.clock = e.Clock().Now
	h.initWith(testAccProviderConfig(url) + testAccImageDataBlock("old", fmt.Sprintf("%q", img.ID)) + `
resource "terraform_data" "uses" {
  input = data.akool_image.old.expired
}
`)
	res := h.mustRun("apply", "-auto-approve", "-input=false")
	res.expectMentions(t, "apply", "Image No Longer Known to Akool: data source akool_image "+img.ID, "code 1008", "expired = true")
	h.mustRun("destroy", "-auto-approve", "-input=false")
}

// Only an id Akool can have made more than 7 days ago counts as expired; a
// younger one, or one from before Akool or from the future, never existed.
func TestImageDataSource_unknownIDByAge(t *testing.T) {
	old := time.Now().Add(-pastRetention)
	young := time.Now().Add(-time.Hour)
	id := func(at time.Time) string { return fmt.Sprintf("%08x%s", uint32(at.Unix()), "0000000000000001") }
	for _, tt := range []struct {
		id      string
		expired bool
	}{
		{id(old), true},
		{id(young), false},
		{"0123456789abcdef01234567", false}, // 1970s: Akool cannot have made it
		{id(time.Now().Add(48 * time.Hour)), false},
	} {
		created, plausible := objectIDTime(tt.id, time.Now())
		if got := expiredByID(created, plausible, time.Now()); got != tt.expired {
			t.Errorf("%s: expired = %v, want %v", tt.id, got, tt.expired)
		}
	}
}
