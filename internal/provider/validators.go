package provider

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// nonBlankPattern matches a string with at least one non-space character.
var nonBlankPattern = regexp.MustCompile(`\S`)

// httpURLValidator accepts an absolute http or https URL: a webhook, a
// source image, an image to download. summary names the kind of URL in the
// error ("Invalid URL" when empty), and advice, when set, ends its detail.
type httpURLValidator struct {
	summary string
	advice  string
}

var _ validator.String = httpURLValidator{}

func (httpURLValidator) Description(context.Context) string {
	return "value must be an absolute http or https URL"
}

func (v httpURLValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v httpURLValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := checkHTTPURL(req.ConfigValue.ValueString()); err != nil {
		summary := v.summary
		if summary == "" {
			summary = "Invalid URL"
		}
		detail := fmt.Sprintf("The value of %s is not usable: %s.", req.Path, err)
		if v.advice != "" {
			detail += " " + v.advice
		}
		resp.Diagnostics.AddAttributeError(req.Path, summary, detail)
	}
}

// webhookSecretNote ends the description of webhook_url: the URL may carry
// a token in its query, so it is handled as a secret.
const webhookSecretNote = "It is sensitive, as a token in its query would be: plans show `(sensitive value)`, " +
	"and the provider's errors and logs never show it. Like every value, it is stored in the state as it is."

// checkHTTPURL reports why raw is not an absolute http(s) URL, or nil.
func checkHTTPURL(raw string) error {
	if strings.TrimSpace(raw) != raw || raw == "" {
		return fmt.Errorf("it must be a URL without surrounding spaces, such as https://example.com/picture.png")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("it is not a valid URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("it must start with http:// or https://")
	}
	if u.Hostname() == "" {
		return fmt.Errorf("it has no host name")
	}
	return nil
}
