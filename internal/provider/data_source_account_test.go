package provider

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/akool-community/terraform-provider-akool/internal/akool"
)

const testAccountAddr = "data.akool_account.this"

func TestAccAccount_credit(t *testing.T) {
	e, baseURL := newTestEmulator(t)
	config := testAccProviderConfig(baseURL) + `
data "akool_account" "this" {}
`
	initial := e.Credit()

	accTest(t, []tfresource.TestStep{
		{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				expectFloat(testAccountAddr, "credit", initial),
			},
		},
		{
			PreConfig: func() { e.SetCredit(12.5) },
			Config:    config,
			ConfigStateChecks: []statecheck.StateCheck{
				expectFloat(testAccountAddr, "credit", 12.5),
			},
		},
	})
}

// testAccAccountGuardConfig is the precondition example of the docs: an
// image is generated only while the balance is at least 20.
func testAccAccountGuardConfig(t *testing.T, baseURL string) string {
	t.Helper()
	return testAccProviderConfig(baseURL) + readExample(t, "data-sources", "akool_account", "data-source.tf")
}

func TestAccAccount_precondition(t *testing.T) {
	e, baseURL := newTestEmulator(t)
	e.SetCredit(12.5)
	oneCreate := 1
	countCreates := func() int { return e.Counters().Creates }

	accTest(t, []tfresource.TestStep{
		{
			Config:      testAccAccountGuardConfig(t, baseURL),
			ExpectError: regexp.MustCompile(`fewer than 20 credits left; top it up`),
		},
		{
			// The refused plan spent nothing; with enough credit the same
			// configuration generates the image.
			PreConfig: func() {
				if c := countCreates(); c != 0 {
					t.Errorf("the refused plan still sent %d create(s) to Akool", c)
				}
				e.SetCredit(100)
			},
			Config: testAccAccountGuardConfig(t, baseURL),
			ConfigPlanChecks: preApply(
				plansCreate(testGeneratedImageAddr),
			),
			ConfigStateChecks: []statecheck.StateCheck{
				expectNotNull(testGeneratedImageAddr, "id"),
				expectCountStateCheck("emulator creates", countCreates, &oneCreate),
			},
		},
	})
}

func TestAccAccount_rejectedCredentials(t *testing.T) {
	_, baseURL := newTestEmulator(t)
	const wrongKey = "not-the-emulator-key"
	config := fmt.Sprintf(`
provider "akool" {
  endpoint = %q
  api_key  = %q
}

data "akool_account" "this" {}
`, baseURL, wrongKey)

	accTest(t, []tfresource.TestStep{{
		Config:      config,
		ExpectError: regexp.MustCompile(`(?s)Unable to Read Akool Credit.*code 1101.*rejected\s+the\s+API\s+key\s+from\s+the\s+api_key\s+argument`),
	}})
}

func TestAccountCreditErrorDetail(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want []string
	}{
		{
			name: "business code",
			err:  &akool.APIError{Code: akool.CodeBanned, Message: "account banned", HTTPStatus: 200, Endpoint: "/api/open/v3/faceswap/quota/info"},
			want: []string{"code 1200", `"account banned"`, "/api/open/v3/faceswap/quota/info", "contact Akool support"},
		},
		{
			name: "unreadable answer",
			err:  fmt.Errorf("wrapped: %w", &akool.APIError{Message: "the body is not JSON", HTTPStatus: 502, Endpoint: "/api/open/v3/faceswap/quota/info"}),
			want: []string{"HTTP 502", "the body is not JSON", "could not be understood"},
		},
		{
			name: "transport",
			err:  errors.New("dial tcp 127.0.0.1:1: connection refused"),
			want: []string{"connection refused", "Check the network connection"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := accountCreditErrorDetail(tc.err)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("detail %q does not contain %q", got, w)
				}
			}
		})
	}
}
