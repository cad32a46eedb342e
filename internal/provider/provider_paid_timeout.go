package provider

import (
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/akool-community/terraform-provider-akool/internal/akool"
)

// envPaidTimeout is the environment variable paid_request_timeout falls
// back to.
const envPaidTimeout = "AKOOL_PAID_REQUEST_TIMEOUT"

// minPaidRequestTimeout is the shortest paid_request_timeout: a wait
// shorter than a request's round trip would give up on every paid request
// after sending it, and lose each job it paid for.
const minPaidRequestTimeout = 10 * time.Second

// paidRequestTimeoutDescription documents paid_request_timeout.
var paidRequestTimeoutDescription = "How long the provider waits for Akool's answer to a paid request (a " +
	"generation, a button press) once it has been sent, as a duration such as `2m` or `150s`. Defaults to `" +
	inWords(akool.DefaultPaidRequestTimeout) + "`, longer than an HTTP gateway in front of an API usually keeps a " +
	"request open (Cloudflare's default is 100 seconds), because the answer carries the id of a job Akool has " +
	"charged for: an answer that comes later than this is lost, and the apply fails with \"Outcome Unknown\" " +
	"without sending the request again. At least `" + minPaidRequestTimeout.String() + "`. Neither an interrupt nor the resource's `timeouts.create` cuts such a " +
	"request short. Requests that spend nothing (status reads, the credit balance) are bounded by 30 seconds " +
	"and retried. Falls back to the `" + envPaidTimeout + "` environment variable."

// paidRequestTimeout resolves paid_request_timeout, v, with the environment
// fallback; 0 means the client's default. A value in the configuration is
// checked at plan time by paidTimeout.
func paidRequestTimeout(v types.String, getenv func(string) string, diags *diag.Diagnostics) time.Duration {
	raw, from := strings.TrimSpace(v.ValueString()), "paid_request_timeout"
	if v.IsNull() {
		raw, from = strings.TrimSpace(getenv(envPaidTimeout)), "The "+envPaidTimeout+" environment variable"
	}
	if raw == "" {
		return 0
	}
	d, err := paidDuration(raw)
	if err != nil {
		diags.AddAttributeError(path.Root("paid_request_timeout"), "Invalid Paid Request Timeout",
			fmt.Sprintf("%s is %q, which %s. Set it to a duration such as 2m or 150s, or unset it to wait %s.",
				from, raw, err, inWords(akool.DefaultPaidRequestTimeout)))
		return 0
	}
	return d
}

// paidDuration parses a Go duration ("2m", "150s") of at least
// minPaidRequestTimeout, or says why raw is not one.
func paidDuration(raw string) (time.Duration, error) {
	d, err := time.ParseDuration(raw)
	switch {
	case err != nil:
		return 0, fmt.Errorf("is not a duration")
	case d < minPaidRequestTimeout:
		return 0, fmt.Errorf("is shorter than %s: a paid request given up before its answer arrives loses the job it paid for", inWords(minPaidRequestTimeout))
	}
	return d, nil
}

// paidTimeout is paid_request_timeout's validator: the value parses as a
// duration of at least minPaidRequestTimeout.
var paidTimeout = positiveValidator{
	description: "value must be a duration of at least " + minPaidRequestTimeout.String() + ", such as 2m or 150s",
	summary:     "Invalid Paid Request Timeout",
	problem: func(p path.Path, raw string) string {
		_, err := paidDuration(strings.TrimSpace(raw))
		if err == nil {
			return ""
		}
		return fmt.Sprintf("%s is %q, which %s. Set it to a duration such as 2m or 150s, or remove it to wait %s.",
			p, raw, err, inWords(akool.DefaultPaidRequestTimeout))
	},
}
