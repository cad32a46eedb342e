package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccImageDataSource_found(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	const data = "data.akool_image.test"
	var checks []statecheck.StateCheck
	for _, attr := range []string{"id", "status", "image_url", "upscaled_urls", "buttons", "used_buttons", "deduction_credit", "created_at", "prompt", "source_image", "model_name"} {
		checks = append(checks, statecheck.CompareValuePairs(data, tfjsonpath.New(attr), testAccImageAddress, tfjsonpath.New(attr), compare.ValuesSame()))
	}
	checks = append(checks,
		statecheck.ExpectKnownValue(data, tfjsonpath.New("status"), knownvalue.StringExact("completed")),
		statecheck.ExpectKnownValue(data, tfjsonpath.New("prompt"), knownvalue.StringExact("an orchard  in   bloom")),
		statecheck.ExpectKnownValue(data, tfjsonpath.New("upscaled_urls"), knownvalue.ListSizeExact(4)),
		statecheck.ExpectKnownValue(data, tfjsonpath.New("source_image"), knownvalue.Null()),
	)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: testAccImageConfig(url, "an orchard  in   bloom") + `
data "akool_image" "test" {
  id = akool_generated_image.test.id
}
`,
			ConfigStateChecks: checks,
			Check:             expectCreates(e, 1),
		}},
	})
}

func TestAccImageDataSource_notFound(t *testing.T) {
	t.Parallel()
	_, url := newTestEmulator(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: testAccProviderConfig(url) + `
data "akool_image" "test" {
  id = "0123456789abcdef01234567"
}
`,
			ExpectError: regexp.MustCompile(`(?s)Image Not Found.*code 1008.*never\s+existed.*7\s+days`),
		}},
	})
}

func TestAccImageDataSource_invalidID(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: testAccProviderConfig(url) + `
data "akool_image" "test" {
  id = "662a10df4197b3af58532e8"
}
`,
			ExpectError: regexp.MustCompile(`(?s)Attribute\s+id\s+must\s+be\s+an\s+Akool\s+image\s+id`),
		}},
	})
	if c := e.Counters(); c.Requests != 0 {
		t.Errorf("emulator received %d requests for an id that must fail at plan", c.Requests)
	}
}

// The data source reads through the same mapping as the resource. Akool
// reports a v4 job's model only in the create answer, not in infobymodelid,
// so the data source has none to show.
func TestAccImageDataSource_v4(t *testing.T) {
	t.Parallel()
	_, url := newTestEmulator(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: testAccProviderConfig(url) + fmt.Sprintf(`
resource "akool_generated_image" "test" {
  api_version = "v4"
  prompt      = %q
}
data "akool_image" "test" {
  id = akool_generated_image.test.id
}
`, "a copper kettle"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.akool_image.test", tfjsonpath.New("model_name"), knownvalue.Null()),
				statecheck.ExpectKnownValue("akool_generated_image.test", tfjsonpath.New("model_name"), knownvalue.StringExact("wavespeed-ai/flux-krea-dev-lora")),
				statecheck.ExpectKnownValue("data.akool_image.test", tfjsonpath.New("buttons"), knownvalue.ListSizeExact(0)),
			},
		}},
	})
}
