package provider

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"

	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
)

// An endpoint that answers HTTP 404 to every API path (another web server,
// a wrong host) is reported as a wrong endpoint with the full URL: never as
// an unknown id, and never by marking the images in state expired.
func TestAccMessages_wrongRoute(t *testing.T) {
	t.Parallel()
	_, url := newTestEmulator(t)
	other := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(other.Close)
	wrongRoute := func(path string) *regexp.Regexp {
		return regexp.MustCompile(`(?s)` + regexp.QuoteMeta(other.URL+path) + `\s+answered\s+HTTP\s+404.*endpoint\s+looks\s+wrong`)
	}

	accTest(t, []tfresource.TestStep{
		{
			Config:      testAccImageConfig(other.URL, "a lighthouse"),
			ExpectError: wrongRoute("/api/open/v3/content/image/createbyprompt"),
		},
		{
			Config: testAccImageConfig(url, "a lighthouse"),
		},
		{
			// Refreshing the image through the wrong endpoint fails
			// and keeps the image as it was.
			Config:      testAccImageConfig(other.URL, "a lighthouse"),
			ExpectError: wrongRoute("/api/open/v3/content/image/infobymodelid"),
		},
		{
			Config: testAccImageConfig(url, "a lighthouse"),
			ConfigStateChecks: []statecheck.StateCheck{
				expectExpired(testAccImageAddress, false),
			},
		},
		{
			Config: testAccProviderConfig(other.URL) + testAccImageDataBlock("missing", `"662a10df4197b3af58532e89"`) + `
data "akool_account" "this" {}
`,
			ExpectError: wrongRoute("/api/open/v3/faceswap/quota/info"),
		},
	})
}
