package provider

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/akool-community/terraform-provider-akool/internal/akool"
)

// The credentials in use are named with their source, never their value.
func TestCredentialsInUse(t *testing.T) {
	const secret = "s3cr3t-value-7c1e"
	env := func(values map[string]string) func(string) string {
		return func(name string) string { return values[name] }
	}
	tests := []struct {
		name   string
		config providerModel
		getenv func(string) string
		want   string
	}{
		{"api key argument", providerModel{APIKey: types.StringValue(secret)}, env(nil),
			"the API key from the api_key argument"},
		{"api key variable", providerModel{}, env(map[string]string{envAPIKey: secret}),
			"the API key from the AKOOL_API_KEY environment variable"},
		{"client credentials arguments", providerModel{ClientID: types.StringValue("id"), ClientSecret: types.StringValue(secret)}, env(nil),
			"the client id and client secret from the client_id and client_secret arguments"},
		{"client credentials variables", providerModel{}, env(map[string]string{envClientID: "id", envClientSecret: secret}),
			"the client id and client secret from the AKOOL_CLIENT_ID and AKOOL_CLIENT_SECRET environment variables"},
		{"client credentials mixed", providerModel{ClientID: types.StringValue("id")}, env(map[string]string{envClientSecret: secret}),
			"the client id and client secret from the client_id argument and the AKOOL_CLIENT_SECRET environment variable"},
		{"token variable", providerModel{}, env(map[string]string{envToken: secret}),
			"the token from the AKOOL_TOKEN environment variable"},
		{"nothing", providerModel{}, env(nil), ""},
	}
	for _, tt := range tests {
		got := resolveSettings(tt.config, tt.getenv).credentialsInUse()
		if !strings.HasPrefix(got, tt.want) || (tt.want == "" && got != "") {
			t.Errorf("%s: credentialsInUse = %q, want it to start with %q", tt.name, got, tt.want)
		}
		if strings.Contains(got, secret) {
			t.Errorf("%s: credentialsInUse shows the secret: %q", tt.name, got)
		}
	}
}

// A refusal of the credentials names the ones in use in every diagnostic
// that reports an answer of Akool; other answers keep their meaning.
func TestCredentialsNote(t *testing.T) {
	data := &providerData{credentials: "the API key from the AKOOL_API_KEY environment variable"}
	rejected := &akool.APIError{Code: akool.CodeInvalidToken, Message: "Invalid authorization", HTTPStatus: 200, Endpoint: "/api/open/v3/content/image/createbyprompt"}

	err := data.credentialsNote(fmt.Errorf("creating: %w", rejected))
	var apiErr *akool.APIError
	if !errors.As(err, &apiErr) || apiErr != rejected || !akool.IsCode(err, akool.CodeInvalidToken) {
		t.Fatalf("the noted error no longer wraps Akool's answer: %v", err)
	}

	var diags diag.Diagnostics
	addGenerateError(&diags, err, false)
	detail := diags.Errors()[0].Detail()
	for _, want := range []string{"code 1101", "Akool rejected the API key from the AKOOL_API_KEY environment variable as invalid or expired"} {
		if !strings.Contains(detail, want) {
			t.Errorf("generate error %q does not contain %q", detail, want)
		}
	}
	if strings.Contains(detail, "client id and secret, or token") {
		t.Errorf("generate error lists every authentication method: %q", detail)
	}
	for name, text := range map[string]string{
		"read":    readErrorText(err),
		"account": accountCreditErrorDetail(err),
	} {
		if !strings.Contains(text, "the API key from the AKOOL_API_KEY environment variable") {
			t.Errorf("%s error %q does not name the credentials in use", name, text)
		}
	}

	token := (&providerData{credentials: "the token from the token argument"}).credentialsNote(rejected)
	if text := readErrorText(token); !strings.Contains(text, "Akool rejected the token from the token argument") ||
		!strings.Contains(text, "get a new one from Akool's getToken") {
		t.Errorf("1101 error for a token %q does not name it and say how to renew it", text)
	}

	missing := data.credentialsNote(&akool.APIError{Code: akool.CodeNoAuth, Message: "missing", Endpoint: "/x"})
	if text := readErrorText(missing); !strings.Contains(text, "received no credentials, although the provider sent the API key") {
		t.Errorf("1102 error %q does not name the credentials sent", text)
	}

	// Other answers, and a provider without credentials, are left alone.
	other := &akool.APIError{Code: akool.CodeNoCredit, Message: "quota", Endpoint: "/x"}
	for name, got := range map[string]error{
		"a 1006 answer":         data.credentialsNote(other),
		"without credentials":   (&providerData{}).credentialsNote(rejected),
		"without provider data": (*providerData)(nil).credentialsNote(rejected),
		"a transport failure":   data.credentialsNote(errors.New("connection refused")),
		"no error":              data.credentialsNote(nil),
	} {
		var noted *rejectedCredentialsError
		if errors.As(got, &noted) {
			t.Errorf("%s: credentialsNote named the credentials: %v", name, got)
		}
	}
	if got := data.credentialsNote(nil); got != nil {
		t.Errorf("credentialsNote(nil) = %v, want nil", got)
	}
}
