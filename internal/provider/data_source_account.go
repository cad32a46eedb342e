package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/akool-community/terraform-provider-akool/internal/akool"
)

var (
	_ datasource.DataSource              = (*accountDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*accountDataSource)(nil)
)

// accountDataSource reads the Akool account's credit balance.
type accountDataSource struct {
	configuredDataSource
}

// NewAccountDataSource returns the akool_account data source.
func NewAccountDataSource() datasource.DataSource {
	return &accountDataSource{}
}

func (d *accountDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_account"
}

func (d *accountDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The Akool account the provider is authenticated as: its credit balance, read from " +
			"Akool's `faceswap/quota/info` on every plan.\n\n" +
			"Every generation spends credits, so a configuration can refuse to start one when the balance is too low: " +
			"a `precondition` in the `lifecycle` of an image resource that refers to `credit` fails the plan with your " +
			"own message, before any credit is spent. Terraform checks a precondition on every plan, also for an image " +
			"that already exists, so pick a threshold you mean to keep.",
		Attributes: map[string]schema.Attribute{
			"credit": schema.Float64Attribute{
				MarkdownDescription: "The account's credit balance as Akool reports it. It can be fractional.",
				Computed:            true,
			},
		},
	}
}

func (d *accountDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	client := d.data.requireClient(&resp.Diagnostics, "read the Akool credit balance")
	if client == nil {
		return
	}

	credit, err := client.Credit(ctx)
	if err != nil {
		resp.Diagnostics.AddError("Unable to Read Akool Credit", accountCreditErrorDetail(d.data.credentialsNote(err)))
		return
	}

	resp.Diagnostics.Append(resp.State.Set(ctx, &accountDataSourceModel{
		Credit: types.Float64Value(credit),
	})...)
}

// accountCreditErrorDetail says what Akool answered to the balance request
// and what the user can do.
func accountCreditErrorDetail(err error) string {
	var apiErr *akool.APIError
	if errors.As(err, &apiErr) {
		if apiErr.WrongRoute() {
			return wrongRouteText(apiErr)
		}
		if apiErr.Code == 0 {
			return fmt.Sprintf("Akool's answer to the credit balance request (%s, HTTP %d) could not be used: %s. %s",
				apiErr.Endpoint, apiErr.HTTPStatus, apiErr.Message, answerMeaning(err, apiErr))
		}
		return fmt.Sprintf("Akool answered the credit balance request (%s) with code %d: %q. %s",
			apiErr.Endpoint, apiErr.Code, apiErr.Message, answerMeaning(err, apiErr))
	}
	return fmt.Sprintf("The credit balance request to Akool failed: %v. Check the network connection and the provider's endpoint, then try again.", err)
}

// accountDataSourceModel is the state of akool_account.
type accountDataSourceModel struct {
	Credit types.Float64 `tfsdk:"credit"`
}
