// Command terraform-provider-benchfloor is the yardstick of make bench: the
// smallest provider terraform-plugin-framework can serve, one resource with a
// few string attributes that never talks to anything. A plan over its
// resources is the floor under which no framework provider can plan; the
// benchmark prints the akool provider's plans beside it, from the same run.
//
// It is served the way a framework provider usually is (providerserver.Serve
// with its defaults), so the floor includes what the framework costs by
// itself.
package main

import (
	"context"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	pschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// address is the provider's source address; the benchmark maps it to the
// built binary with a dev_overrides CLI configuration.
const address = "registry.terraform.io/akool-community/benchfloor"

func main() {
	err := providerserver.Serve(context.Background(), func() provider.Provider { return floorProvider{} },
		providerserver.ServeOpts{Address: address, ProtocolVersion: 6})
	if err != nil {
		log.Fatal(err)
	}
}

type floorProvider struct{}

func (floorProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "benchfloor"
}

func (floorProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = pschema.Schema{}
}

func (floorProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (floorProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return itemResource{} }}
}

func (floorProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

// itemResource is benchfloor_item: its id is its name, and Read keeps the
// state as it is.
type itemResource struct{}

type itemModel struct {
	ID     types.String `tfsdk:"id"`
	Name   types.String `tfsdk:"name"`
	Prompt types.String `tfsdk:"prompt"`
	Scale  types.String `tfsdk:"scale"`
}

func (itemResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_item"
}

func (itemResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name":   schema.StringAttribute{Required: true},
			"prompt": schema.StringAttribute{Optional: true},
			"scale":  schema.StringAttribute{Optional: true},
		},
	}
}

func (itemResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m itemModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	m.ID = m.Name
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (itemResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (itemResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m itemModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (itemResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}
