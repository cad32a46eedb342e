// Package provider implements the Terraform provider for Akool's image
// generation API: the provider itself, its resources and data sources.
package provider

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/akool-community/terraform-provider-akool/internal/akool"
	"github.com/akool-community/terraform-provider-akool/internal/localcopy"
)

var _ provider.Provider = (*akoolProvider)(nil)

// akoolProvider is the "akool" provider.
type akoolProvider struct {
	version string // the provider's release version, "dev" for local builds, "test" in tests
	// checks remembers the credential checks of this process, so that a
	// provider configured again (Terraform configures it for each walk of a
	// run) asks Akool only once.
	checks credentialChecks
	// imageClient reads image URLs (downloads, size reads) for every walk.
	imageClient *http.Client
	// clock is the provider's time, for expiry.
	clock clock
	// newPoll, when set, gives each configured client its poll policy;
	// nil leaves the client's own (akool.LearnedPoll).
	newPoll func() akool.PollPolicy
}

// New returns a constructor of the provider for providerserver.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return newProvider(version, systemClock)
	}
}

// NewWithPollPolicy is New with another poll policy for unfinished jobs:
// newPoll is called once per configured client, since a policy may learn
// from the jobs it follows. It exists so that the benchmark can compare the
// provider's own policy with those of peer providers; the released binary
// always uses New.
func NewWithPollPolicy(version string, newPoll func() akool.PollPolicy) func() provider.Provider {
	return func() provider.Provider {
		p := newProvider(version, systemClock)
		p.newPoll = newPoll
		return p
	}
}

// newProvider returns the provider reading the time from now.
func newProvider(version string, now clock) *akoolProvider {
	return &akoolProvider{version: version, imageClient: localcopy.NewHTTPClient(), clock: now}
}

// The environment variables each provider argument falls back to.
const (
	envAPIKey       = "AKOOL_API_KEY"
	envClientID     = "AKOOL_CLIENT_ID"
	envClientSecret = "AKOOL_CLIENT_SECRET"
	envToken        = "AKOOL_TOKEN"
	envEndpoint     = "AKOOL_ENDPOINT"
	envMaxRate      = "AKOOL_MAX_REQUESTS_PER_SECOND"
)

func (p *akoolProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "akool"
	resp.Version = p.version
}

func (p *akoolProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The Akool provider generates images with [Akool](https://akool.com)'s OpenAPI " +
			"and keeps track of them in Terraform state.\n\n" +
			"Authenticate in exactly one of three ways: an API key (`api_key`), a client id and client secret " +
			"(`client_id` and `client_secret`, exchanged for a token through Akool's `getToken`), or a token " +
			"obtained earlier (`token`). Every argument falls back to an environment variable when it is not set " +
			"in the configuration; a value in the configuration wins over the environment. When the provider block " +
			"sets one way of authenticating, the environment variables of the other ways are ignored: a provider " +
			"alias with `client_id` and `client_secret` works on a CI runner that exports `" + envAPIKey + "` for " +
			"everything else. Setting more than one way in the provider block (or, without any in the block, in the " +
			"environment), or only half of the client id and secret pair, is an error.\n\n" +
			"When a plan will call Akool for more than reading (to generate an image, press a button, or wait for " +
			"an unfinished job), the provider first checks its credentials with a request that spends nothing (the " +
			"credit balance, `quota/info`), once per run: credentials Akool refuses fail `terraform plan`, and the " +
			"error says which argument or environment variable they came from, never their value.\n\n" +
			"Without any credentials, the provider still refreshes from state (with a warning) and `terraform " +
			"destroy` works: Akool has no delete call, so destroying an image resource only removes it from state, " +
			"and the plan notes that the images stay in the Akool account until they expire. Anything that needs " +
			"Akool fails at plan time.\n\n" +
			"Every image generation spends Akool credits.",
		Attributes: map[string]schema.Attribute{
			"api_key": schema.StringAttribute{
				MarkdownDescription: "Akool API key, sent as the `x-api-key` header. " +
					"Falls back to the `" + envAPIKey + "` environment variable. " +
					"Conflicts with `client_id`/`client_secret` and `token`.",
				Optional:  true,
				Sensitive: true,
			},
			"client_id": schema.StringAttribute{
				MarkdownDescription: "Akool client id. Used together with `client_secret` to obtain a bearer token. " +
					"Falls back to the `" + envClientID + "` environment variable.",
				Optional:  true,
				Sensitive: true,
			},
			"client_secret": schema.StringAttribute{
				MarkdownDescription: "Akool client secret, used together with `client_id` to obtain a bearer token. " +
					"Falls back to the `" + envClientSecret + "` environment variable.",
				Optional:  true,
				Sensitive: true,
			},
			"token": schema.StringAttribute{
				MarkdownDescription: "A bearer token obtained from Akool's `getToken` call, sent as the " +
					"`Authorization` header. Falls back to the `" + envToken + "` environment variable. " +
					"Conflicts with `api_key` and `client_id`/`client_secret`.",
				Optional:  true,
				Sensitive: true,
			},
			"endpoint": schema.StringAttribute{
				MarkdownDescription: "Base URL of Akool's OpenAPI, of the form `https://host[:port][/base]`, without " +
					"query string or fragment. Defaults to `" + akool.DefaultBaseURL + "`. " +
					"Falls back to the `" + envEndpoint + "` environment variable. Must use `https`, " +
					"except for a loopback address (`localhost`, `127.0.0.0/8`, `::1`), such as a local emulator.",
				Optional:   true,
				Validators: []validator.String{endpointValidator{}},
			},
			"max_requests_per_second": schema.Float64Attribute{
				MarkdownDescription: "The most requests per second the provider sends to Akool, counting every " +
					"request of one Terraform run together (creates, status reads, retries) across all resources " +
					"and data sources. Must be greater than `0`. When not set, the provider sends freely until " +
					"Akool answers that requests are too frequent (code `1005` or HTTP `429`), then slows down and " +
					"adapts its pace to what Akool accepts; when set, it never exceeds this rate, and still slows " +
					"down below it while Akool refuses requests. Set it to split an account's budget between workspaces " +
					"that apply at the same time (see the pipelines guide). Falls back to the `" + envMaxRate + "` environment variable.",
				Optional:   true,
				Validators: []validator.Float64{positiveRate},
			},
			"paid_request_timeout": schema.StringAttribute{
				MarkdownDescription: paidRequestTimeoutDescription,
				Optional:            true,
				Validators:          []validator.String{paidTimeout},
			},
			"max_new_images": schema.Int64Attribute{
				MarkdownDescription: maxNewImagesDescription,
				Optional:            true,
				Validators:          []validator.Int64{spendingCapValidator{}},
			},
		},
	}
}

func (p *akoolProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var config providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}

	// The spending cap applies even while the client cannot be created yet.
	spending := newSpendingCap(config.MaxNewImages, os.Getenv, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	if unknown := config.unknownArguments(); len(unknown) > 0 {
		// Typical when credentials come from a resource that is not created
		// yet: planning must still work, and apply configures again with
		// known values.
		reason := fmt.Sprintf("the provider argument(s) %s were not known yet when Terraform configured the provider "+
			"(their values come from resources or data that Terraform has not created or read yet)",
			strings.Join(unknown, ", "))
		tflog.Debug(ctx, "Akool provider configuration has unknown values; no client is created", map[string]any{
			"unknown_arguments": unknown,
		})
		data := p.newData(&providerData{unconfigured: reason, spendingCap: spending})
		resp.DataSourceData = data
		resp.ResourceData = data
		return
	}

	settings := resolveSettings(config, os.Getenv)
	if err := checkEndpoint(settings.endpoint.value); err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("endpoint"), "Invalid Akool Endpoint",
			endpointError(settings.endpoint.value, settings.endpoint.describe(), err))
	}
	problem := checkAuth(settings)
	if problem != nil && !problem.missing {
		problem.add(&resp.Diagnostics)
	}
	maxRate := requestRate(config.MaxRequestsPerSecond, os.Getenv, &resp.Diagnostics)
	paidTimeout := paidRequestTimeout(config.PaidRequestTimeout, os.Getenv, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if ignored := settings.ignoredEnv(); len(ignored) > 0 {
		tflog.Debug(ctx, "The provider block chooses how to authenticate; other credentials in the environment are ignored",
			map[string]any{"ignored_environment_variables": ignored})
	}
	if problem != nil && problem.missing {
		// Nothing is refused yet: destroying state-only resources and
		// refreshing from state need no credentials. Plans that need Akool
		// report the problem (see providerData.missingCredentials).
		tflog.Debug(ctx, "Akool provider has no credentials; no client is created")
		data := p.newData(&providerData{unconfigured: "the provider has no credentials for Akool", missingCredentials: problem})
		resp.DataSourceData = data
		resp.ResourceData = data
		return
	}

	secrets := settings.secrets()
	ctx = tflog.MaskLogStrings(ctx, secrets...)

	// The transport is the provider's own, with net/http's defaults and the
	// proxy from the environment, so nothing that replaced
	// http.DefaultTransport affects it.
	httpClient := &http.Client{Transport: cleanhttp.DefaultPooledTransport()}
	var poll akool.PollPolicy // nil: the client's own
	if p.newPoll != nil {
		poll = p.newPoll()
	}
	client, err := akool.New(akool.Config{
		BaseURL:      settings.endpoint.value,
		APIKey:       settings.apiKey.value,
		ClientID:     settings.clientID.value,
		ClientSecret: settings.clientSecret.value,
		Token:        settings.token.value,
		UserAgent:    fmt.Sprintf("terraform-provider-akool/%s (+terraform %s)", p.version, req.TerraformVersion),
		HTTPClient:   httpClient,
		Logger:       tflogLogger{secrets: secrets},

		MaxRequestsPerSecond: maxRate,
		PaidRequestTimeout:   paidTimeout,
		Poll:                 poll,
		// The wait's bounds (how long a new job may go unseen) run on the
		// provider's clock too, so that a test can move both.
		Now: p.clock,
	})
	if err != nil {
		resp.Diagnostics.AddError("Unable to Create Akool Client",
			"The provider could not set up its Akool client: "+redact(err.Error(), secrets)+".")
		return
	}

	tflog.Debug(ctx, "Configured Akool client", map[string]any{
		"endpoint":    settings.endpoint.value,
		"auth_method": settings.authMethod(),
	})
	data := p.newData(&providerData{client: client, credentials: settings.credentialsInUse(),
		presses: newPressRegistry(), spendingCap: spending})
	data.checkCredentials = func(ctx context.Context) error { return p.checks.verify(ctx, settings, client) }
	resp.DataSourceData = data
	resp.ResourceData = data
}

func (p *akoolProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewGeneratedImageResource,
		NewImageUpscaleResource,
		NewImageVariationResource,
		NewImageFileResource,
		NewImageRenditionResource,
	}
}

func (p *akoolProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewImageDataSource,
		NewAccountDataSource,
	}
}

// providerData is what Configure hands to every resource and data source.
type providerData struct {
	client *akool.Client // nil when the provider could not be configured yet
	// imageClient reads image URLs: downloads and size reads. It is not the
	// Akool client's: image URLs are public links, often on a CDN, and no
	// credentials are ever sent to them.
	imageClient *http.Client
	// unconfigured says why client is nil, in words for a diagnostic.
	unconfigured string
	// credentials names the credentials the client sends and where they
	// came from, never their values (see credentialsInUse).
	credentials string
	// missingCredentials is set when no credentials are set at all: reading
	// from state and destroying still work, anything that needs Akool fails
	// with this problem.
	missingCredentials *configProblem
	// presses are the button presses planned in this walk of the run.
	presses *pressRegistry
	// written are the files image file resources wrote in this walk.
	written *localcopy.Written
	// paths are the files image file resources plan to write in this walk.
	paths *localcopy.Claims
	// checkCredentials asks Akool once per process whether it accepts the
	// credentials (see planCredentials); nil when there is no client.
	checkCredentials func(context.Context) error
	// credentialsReported makes a refusal reported once per walk, not by
	// every resource that plans to call Akool.
	credentialsReported sync.Once
	// spendingCap counts this run's paid jobs against max_new_images; nil
	// when there is no limit.
	spendingCap *spendingCap
	// clock is the provider's time (see now).
	clock clock
	// version is the provider's version, named in the marking of image files.
	version string
}

// newData completes d with what the provider data of every walk holds.
func (p *akoolProvider) newData(d *providerData) *providerData {
	d.written = localcopy.NewWritten()
	d.paths = &localcopy.Claims{}
	d.version = p.version
	d.imageClient = p.imageClient
	d.clock = p.clock
	return d
}

// configuredResource is embedded by every resource, and configuredDataSource
// by every data source: their Configure keeps the provider's data.
type configuredResource struct{ data *providerData }

func (r *configuredResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

type configuredDataSource struct{ data *providerData }

func (d *configuredDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// providerDataFrom accepts a nil ProviderData (Terraform calls Configure
// before the provider is configured) and reports an unexpected type.
func providerDataFrom(providerDataAny any, diags *diag.Diagnostics) *providerData {
	if providerDataAny == nil {
		return nil
	}
	data, ok := providerDataAny.(*providerData)
	if !ok {
		diags.AddError("Unexpected Provider Data",
			fmt.Sprintf("Expected *providerData, got %T. This is a bug in the provider; please report it.", providerDataAny))
		return nil
	}
	return data
}

// requireClient returns the Akool client, or adds an error saying why there
// is none and returns nil. operation completes "Cannot ..." (e.g. "generate the image").
func (d *providerData) requireClient(diags *diag.Diagnostics, operation string) *akool.Client {
	if d != nil && d.client != nil {
		return d.client
	}
	if d != nil && d.missingCredentials != nil {
		diags.AddError(d.missingCredentials.summary,
			fmt.Sprintf("Cannot %s: the provider has no credentials for Akool. %s", operation, authChoices))
		return nil
	}
	reason := "the provider has not been configured"
	if d != nil && d.unconfigured != "" {
		reason = d.unconfigured
	}
	diags.AddError("Unconfigured Akool Provider",
		fmt.Sprintf("Cannot %s because %s. Make sure the provider's credentials and endpoint are known "+
			"before this runs, for example by applying the resources they come from first (terraform apply -target=...).",
			operation, reason))
	return nil
}

// tflogLogger passes the client's debug logs to Terraform's logging, masking
// the secrets again in case one ever reaches a message or field.
type tflogLogger struct {
	secrets []string
}

func (l tflogLogger) Debug(ctx context.Context, msg string, fields map[string]any) {
	ctx = tflog.MaskLogStrings(ctx, l.secrets...)
	ctx = tflog.MaskFieldValuesWithFieldKeys(ctx, "api_key", "x-api-key", "authorization", "token", "client_secret", "clientSecret")
	tflog.Debug(ctx, msg, fields)
}

// redact replaces every secret in s, as defense in depth for error texts.
func redact(s string, secrets []string) string {
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "***")
		}
	}
	return s
}

// providerModel is the provider block.
type providerModel struct {
	APIKey       types.String `tfsdk:"api_key"`
	ClientID     types.String `tfsdk:"client_id"`
	ClientSecret types.String `tfsdk:"client_secret"`
	Token        types.String `tfsdk:"token"`
	Endpoint     types.String `tfsdk:"endpoint"`

	MaxRequestsPerSecond types.Float64 `tfsdk:"max_requests_per_second"`
	MaxNewImages         types.Int64   `tfsdk:"max_new_images"`
	PaidRequestTimeout   types.String  `tfsdk:"paid_request_timeout"`
}

// unknownArguments lists the arguments whose values are not known yet.
func (m providerModel) unknownArguments() []string {
	var unknown []string
	for _, a := range []struct {
		name  string
		value types.String
	}{
		{"api_key", m.APIKey},
		{"client_id", m.ClientID},
		{"client_secret", m.ClientSecret},
		{"token", m.Token},
		{"endpoint", m.Endpoint},
		{"paid_request_timeout", m.PaidRequestTimeout},
	} {
		if a.value.IsUnknown() {
			unknown = append(unknown, a.name)
		}
	}
	if m.MaxRequestsPerSecond.IsUnknown() {
		unknown = append(unknown, "max_requests_per_second")
	}
	return unknown
}
