package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/akool-community/terraform-provider-akool/internal/akool"
)

// setting is one provider argument after the environment fallback.
type setting struct {
	value   string
	attr    string // the argument's name
	env     string // the environment variable it falls back to
	fromEnv bool
	// inConfig says that the value is set in the provider block.
	inConfig bool
	// ignoredEnv says that env is set but ignored, because the provider
	// block sets another way of authenticating.
	ignoredEnv bool
}

func (s setting) set() bool { return strings.TrimSpace(s.value) != "" }

// describe names where the value came from, never the value itself.
func (s setting) describe() string {
	if s.fromEnv {
		return "the " + s.env + " environment variable"
	}
	return "the " + s.attr + " argument"
}

type providerSettings struct {
	endpoint, apiKey, clientID, clientSecret, token setting
}

// resolveSettings applies the environment fallback: a non-empty value in the
// configuration wins, otherwise the environment variable is used. When the
// configuration sets one way of authenticating, the environment variables of
// the other ways are ignored: a provider block (or alias) that says how to
// authenticate is not overridden by credentials a runner exports globally.
func resolveSettings(config providerModel, getenv func(string) string) providerSettings {
	inConfig := func(v types.String) bool { return strings.TrimSpace(v.ValueString()) != "" }
	configAPIKey := inConfig(config.APIKey)
	configClient := inConfig(config.ClientID) || inConfig(config.ClientSecret)
	configToken := inConfig(config.Token)
	configured := configAPIKey || configClient || configToken

	resolve := func(v types.String, attr, env string, method bool) setting {
		s := setting{attr: attr, env: env}
		if value := v.ValueString(); value != "" {
			s.value = value
			s.inConfig = true
			return s
		}
		if configured && !method {
			if getenv(env) != "" {
				s.ignoredEnv = true
			}
			return s
		}
		if value := getenv(env); value != "" {
			s.value = value
			s.fromEnv = true
		}
		return s
	}
	s := providerSettings{
		endpoint:     resolve(config.Endpoint, "endpoint", envEndpoint, true),
		apiKey:       resolve(config.APIKey, "api_key", envAPIKey, configAPIKey),
		clientID:     resolve(config.ClientID, "client_id", envClientID, configClient),
		clientSecret: resolve(config.ClientSecret, "client_secret", envClientSecret, configClient),
		token:        resolve(config.Token, "token", envToken, configToken),
	}
	if !s.endpoint.set() {
		s.endpoint.value = akool.DefaultBaseURL
	}
	return s
}

// ignoredEnv names the environment variables that resolveSettings ignored
// because the configuration chose another way of authenticating.
func (s providerSettings) ignoredEnv() []string {
	var out []string
	for _, v := range []setting{s.apiKey, s.clientID, s.clientSecret, s.token} {
		if v.ignoredEnv {
			out = append(out, v.env)
		}
	}
	return out
}

// secrets lists the non-empty secret values, for log masking and redaction.
func (s providerSettings) secrets() []string {
	var out []string
	for _, v := range []setting{s.apiKey, s.clientSecret, s.token} {
		if v.set() {
			out = append(out, v.value)
		}
	}
	return out
}

// authMethod names the way of authenticating, for logs.
func (s providerSettings) authMethod() string {
	switch {
	case s.apiKey.set():
		return "api_key"
	case s.clientID.set():
		return "client_id/client_secret"
	case s.token.set():
		return "token"
	default:
		return "none"
	}
}

// credentialsTokenPrefix starts the name of a ready token as credentials.
const credentialsTokenPrefix = "the token from "

// credentialsInUse names the credentials the provider sends to Akool and
// where they came from, for diagnostics; never their values. It is "" when
// no way of authenticating is set.
func (s providerSettings) credentialsInUse() string {
	switch {
	case s.apiKey.set():
		return "the API key from " + s.apiKey.describe()
	case s.clientID.set():
		from := fmt.Sprintf("%s and %s", s.clientID.describe(), s.clientSecret.describe())
		if s.clientID.fromEnv == s.clientSecret.fromEnv {
			from = "the client_id and client_secret arguments"
			if s.clientID.fromEnv {
				from = "the " + envClientID + " and " + envClientSecret + " environment variables"
			}
		}
		return "the client id and client secret from " + from + " (exchanged for a token through Akool's getToken)"
	case s.token.set():
		return credentialsTokenPrefix + s.token.describe()
	default:
		return ""
	}
}

// fingerprint identifies the endpoint and credentials without keeping them.
func (s providerSettings) fingerprint() string {
	h := sha256.New()
	for _, v := range []string{s.endpoint.value, s.apiKey.value, s.clientID.value, s.clientSecret.value, s.token.value} {
		h.Write([]byte(v))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// configProblem is a configuration error, tied to one provider argument
// unless path is empty.
type configProblem struct {
	path    path.Path
	summary string
	detail  string
	// missing says that no credentials are set at all: not an error until
	// something needs Akool (see providerData.missingCredentials).
	missing bool
}

// add reports the problem in diags, on its argument when it has one.
func (p *configProblem) add(diags *diag.Diagnostics) {
	if len(p.path.Steps()) == 0 {
		diags.AddError(p.summary, p.detail)
		return
	}
	diags.AddAttributeError(p.path, p.summary, p.detail)
}

const authChoices = "Set exactly one of: api_key (or the " + envAPIKey + " environment variable); " +
	"client_id and client_secret together (or " + envClientID + " and " + envClientSecret + "); " +
	"token (or " + envToken + ")."

// checkAuth verifies that exactly one way of authenticating is complete. Its
// messages name arguments and environment variables, never values.
func checkAuth(s providerSettings) *configProblem {
	if s.clientID.set() != s.clientSecret.set() {
		have, missing, missingEnv := s.clientID, "client_secret", envClientSecret
		if s.clientSecret.set() {
			have, missing, missingEnv = s.clientSecret, "client_id", envClientID
		}
		return &configProblem{
			path:    path.Root(missing),
			summary: "Incomplete Akool Credentials",
			detail: fmt.Sprintf("%s is set (by %s) but %s is not: the client id and secret only work together. "+
				"Set %s (or the %s environment variable) as well, or authenticate with api_key or token instead.",
				have.attr, have.describe(), missing, missing, missingEnv),
		}
	}

	var methods []string
	var first path.Path // the first method set in the configuration, if any
	note := func(v setting, words string) {
		methods = append(methods, words)
		if v.inConfig && len(first.Steps()) == 0 {
			first = path.Root(v.attr)
		}
	}
	if s.apiKey.set() {
		note(s.apiKey, "api_key (from "+s.apiKey.describe()+")")
	}
	if s.clientID.set() {
		v := s.clientID
		if !v.inConfig {
			v = s.clientSecret
		}
		note(v, "client_id and client_secret (from "+s.clientID.describe()+" and "+s.clientSecret.describe()+")")
	}
	if s.token.set() {
		note(s.token, "token (from "+s.token.describe()+")")
	}

	switch len(methods) {
	case 1:
		return nil
	case 0:
		return &configProblem{
			path:    path.Root("api_key"),
			summary: "Missing Akool Credentials",
			detail:  "The provider has no credentials for Akool. " + authChoices,
			missing: true,
		}
	default:
		// Only the configuration can set two ways (it makes the environment
		// of the other ways ignored), unless it sets none and the
		// environment sets several.
		remedy := " Remove all but one from the provider block."
		if len(first.Steps()) == 0 {
			remedy = " Unset all but one of the environment variables, or choose one way in the provider block, " +
				"which makes the provider ignore the environment variables of the other ways."
		}
		return &configProblem{
			path:    first,
			summary: "Conflicting Akool Credentials",
			detail: "More than one way of authenticating with Akool is set: " + strings.Join(methods, "; ") + ". " +
				authChoices + remedy,
		}
	}
}

// endpointForm is the shape of a usable endpoint, for error messages.
const endpointForm = "https://host[:port][/base], such as " + akool.DefaultBaseURL

// checkEndpoint accepts an absolute https URL, or an http URL whose host is a
// loopback address (a local emulator), without query string or fragment.
func checkEndpoint(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("it is not a valid URL")
	}
	if u.Host == "" || u.Hostname() == "" {
		return fmt.Errorf("it must be an absolute URL")
	}
	if u.User != nil {
		return fmt.Errorf("it must not contain user information; configure credentials with the provider's arguments")
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(raw, "#") {
		return fmt.Errorf("it must not contain a query string (?...) or a fragment (#...): the provider appends " +
			"Akool's API paths to the endpoint, and a query or fragment would swallow them")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if isLoopbackHost(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("plain http is only accepted for a loopback host (localhost, 127.0.0.0/8, ::1); use https so that credentials are not sent in clear text")
	default:
		return fmt.Errorf("its scheme must be https")
	}
}

// endpointError is the detail of an unusable endpoint: the value (without
// any password in it), why it is refused and the expected form.
func endpointError(raw, source string, err error) string {
	shown := raw
	if u, parseErr := url.Parse(raw); parseErr == nil {
		shown = u.Redacted()
	} else if at := strings.LastIndex(raw, "@"); at >= 0 {
		shown = "..." + raw[at:]
	}
	return fmt.Sprintf("The endpoint %q, from %s, is not usable: %s. Expected the form %s (http only for a "+
		"loopback host, such as a local emulator).", shown, source, err, endpointForm)
}

func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// endpointValidator checks the endpoint argument at plan time when it is known.
type endpointValidator struct{}

var _ validator.String = endpointValidator{}

func (endpointValidator) Description(context.Context) string {
	return "value must be an https URL of the form https://host[:port][/base], or an http URL on a loopback host"
}

func (v endpointValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (endpointValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() || req.ConfigValue.ValueString() == "" {
		return
	}
	if err := checkEndpoint(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Akool Endpoint",
			endpointError(req.ConfigValue.ValueString(), "the endpoint argument", err))
	}
}

// requestRate resolves max_requests_per_second with its environment
// fallback; 0 means not set (the client adapts on its own).
func requestRate(v types.Float64, getenv func(string) string, diags *diag.Diagnostics) float64 {
	if !v.IsNull() {
		return v.ValueFloat64() // checked > 0 by positiveRate
	}
	raw := strings.TrimSpace(getenv(envMaxRate))
	if raw == "" {
		return 0
	}
	rate, err := strconv.ParseFloat(raw, 64)
	if err != nil || !(rate > 0) || math.IsInf(rate, 0) {
		diags.AddAttributeError(path.Root("max_requests_per_second"), "Invalid Akool Request Rate",
			fmt.Sprintf("The %s environment variable is %q, which is not a number greater than 0. "+
				"Set it to the most requests per second to send to Akool, such as 5, or unset it.", envMaxRate, raw))
		return 0
	}
	return rate
}

// positiveValidator checks a setting at plan time: greater than 0 for
// a number (max_requests_per_second), at least 10s for a duration written
// as a string (paid_request_timeout). problem says what is wrong with the value as
// written, or "" when it is fine.
type positiveValidator struct {
	description string
	summary     string
	problem     func(p path.Path, raw string) string
}

var (
	_ validator.Float64 = positiveValidator{}
	_ validator.String  = positiveValidator{}
)

func (v positiveValidator) Description(context.Context) string {
	return v.description
}

func (v positiveValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v positiveValidator) ValidateFloat64(_ context.Context, req validator.Float64Request, resp *validator.Float64Response) {
	if !req.ConfigValue.IsNull() && !req.ConfigValue.IsUnknown() {
		v.check(req.Path, fmt.Sprint(req.ConfigValue.ValueFloat64()), &resp.Diagnostics)
	}
}

func (v positiveValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if !req.ConfigValue.IsNull() && !req.ConfigValue.IsUnknown() {
		v.check(req.Path, req.ConfigValue.ValueString(), &resp.Diagnostics)
	}
}

func (v positiveValidator) check(p path.Path, raw string, diags *diag.Diagnostics) {
	if detail := v.problem(p, raw); detail != "" {
		diags.AddAttributeError(p, v.summary, detail)
	}
}

// positiveRate is max_requests_per_second's validator.
var positiveRate = positiveValidator{
	description: "value must be greater than 0",
	summary:     "Invalid Akool Request Rate",
	problem: func(_ path.Path, raw string) string {
		if rate, err := strconv.ParseFloat(raw, 64); err == nil && rate > 0 && !math.IsInf(rate, 0) {
			return ""
		}
		return fmt.Sprintf("max_requests_per_second is %s; it must be a number greater than 0, such as 5. "+
			"Remove it to let the provider adapt to Akool on its own.", raw)
	},
}
