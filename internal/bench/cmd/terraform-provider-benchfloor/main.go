// Command terraform-provider-benchfloor is the yardstick of make bench: the
// smallest provider terraform-plugin-framework can serve, with two resources
// that never talk to anything. benchfloor_item has a few string attributes:
// a plan over it is the floor under which no framework provider can plan;
// the benchmark prints the akool provider's plans beside it, from the same
// run.
//
// benchfloor_image has akool_generated_image's schema, plan modifiers
// included, and does nothing else either: a plan over it is what the
// framework and Terraform cost for that schema alone, which tells the
// provider's own cost apart from its schema's.
//
// It is served the way a framework provider usually is (providerserver.Serve
// with its defaults), so the floor includes what the framework costs by
// itself; with bench.FloorTuneGC set, it collects garbage as the akool
// provider does, for the plans over benchfloor_image.
package main

import (
	"context"
	"log"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	pschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/akool-community/terraform-provider-akool/internal/bench"
	akool "github.com/akool-community/terraform-provider-akool/internal/provider"
	"github.com/akool-community/terraform-provider-akool/internal/serve"
)

func main() {
	if os.Getenv(bench.FloorTuneGC) != "" {
		serve.TuneGC(os.Getenv)
	}
	err := providerserver.Serve(context.Background(), func() provider.Provider { return floorProvider{} },
		providerserver.ServeOpts{Address: bench.FloorAddress, ProtocolVersion: 6})
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
	return []func() resource.Resource{
		func() resource.Resource { return itemResource{} },
		func() resource.Resource { return imageResource{} },
	}
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

// imageResource is benchfloor_image: akool_generated_image's schema, whose
// computed values Create and Update fill with made-up values of a finished
// grid's shape, and whose Read keeps the state as it is.
type imageResource struct{}

func (imageResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_image"
}

func (imageResource) Schema(ctx context.Context, req resource.SchemaRequest, resp *resource.SchemaResponse) {
	akool.NewGeneratedImageResource().Schema(ctx, req, resp)
}

func (imageResource) Create(_ context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	saveFilled(req.Plan, &resp.State, &resp.Diagnostics)
}

func (imageResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (imageResource) Update(_ context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	saveFilled(req.Plan, &resp.State, &resp.Diagnostics)
}

func (imageResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}

// saveFilled stores the plan as the state, its unknown values filled.
func saveFilled(plan tfsdk.Plan, state *tfsdk.State, diags *diag.Diagnostics) {
	raw, err := filled(plan.Raw)
	if err != nil {
		diags.AddError("Cannot Fill the Plan", err.Error())
		return
	}
	state.Raw = raw
}

// filled replaces every unknown value of a plan with a made-up known one:
// an id-like string, four URLs for a list, 4 for a number, false.
func filled(plan tftypes.Value) (tftypes.Value, error) {
	return tftypes.Transform(plan, func(_ *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
		if v.IsKnown() {
			return v, nil
		}
		switch t := v.Type(); {
		case t.Is(tftypes.String):
			return tftypes.NewValue(t, "https://cdn.example.com/images/662a10df4197b3af58532e89/1.png"), nil
		case t.Is(tftypes.Number):
			return tftypes.NewValue(t, 4), nil
		case t.Is(tftypes.Bool):
			return tftypes.NewValue(t, false), nil
		case t.Is(tftypes.List{ElementType: tftypes.String}):
			var urls []tftypes.Value
			for range 4 {
				urls = append(urls, tftypes.NewValue(tftypes.String, "https://cdn.example.com/images/662a10df4197b3af58532e89/1.png"))
			}
			return tftypes.NewValue(t, urls), nil
		default:
			return tftypes.NewValue(t, nil), nil
		}
	})
}
