package provider

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// jobTypes are the resource types that follow one Akool job, and so have an
// identity.
var jobTypes = []string{"akool_generated_image", "akool_image_upscale", "akool_image_variation"}

// The job resources, and only they, declare an identity: akool_image_file
// names a local file whose path moves in place (see identity.go).
func TestIdentitySchemas_jobResourcesOnly(t *testing.T) {
	server := providerserver.NewProtocol6(newProvider("test", nil))()
	resp, err := server.GetResourceIdentitySchemas(context.Background(), &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Diagnostics) > 0 {
		t.Fatalf("diagnostics: %+v", resp.Diagnostics[0])
	}
	var types []string
	for name, s := range resp.IdentitySchemas {
		types = append(types, name)
		if len(s.IdentityAttributes) != 1 || s.IdentityAttributes[0].Name != "id" || !s.IdentityAttributes[0].RequiredForImport {
			t.Errorf("%s: identity attributes %+v, want only id, required for import", name, s.IdentityAttributes)
		}
	}
	slices.Sort(types)
	if !slices.Equal(types, jobTypes) {
		t.Errorf("resource types with an identity: %v, want %v", types, jobTypes)
	}
}

// importJobVia sends an import of typeName to the provider server, without
// Terraform: by an identity whose id is id, or, when byIdentity is false, by
// the id string.
func importJobVia(t *testing.T, typeName, id string, byIdentity bool) *tfprotov6.ImportResourceStateResponse {
	t.Helper()
	req := &tfprotov6.ImportResourceStateRequest{TypeName: typeName, ID: id}
	if byIdentity {
		value, err := tfprotov6.NewDynamicValue(jobIdentityType, tftypes.NewValue(jobIdentityType, map[string]tftypes.Value{
			"id": tftypes.NewValue(tftypes.String, id),
		}))
		if err != nil {
			t.Fatal(err)
		}
		req.ID, req.Identity = "", &tfprotov6.ResourceIdentityData{IdentityData: &value}
	}
	resp, err := providerserver.NewProtocol6(newProvider("test", nil))().ImportResourceState(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

var jobIdentityType = tftypes.Object{AttributeTypes: map[string]tftypes.Type{"id": tftypes.String}}

// An import takes the id from the identity or from the id string, checks it
// either way, and answers with the identity: Terraform keeps it in state.
func TestImportJob_identityEitherWay(t *testing.T) {
	const id = "0123456789abcdef01234567"
	for _, typeName := range jobTypes {
		for _, byIdentity := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/byIdentity=%v", typeName, byIdentity), func(t *testing.T) {
				resp := importJobVia(t, typeName, id, byIdentity)
				if len(resp.Diagnostics) > 0 {
					t.Fatalf("import: %s: %s", resp.Diagnostics[0].Summary, resp.Diagnostics[0].Detail)
				}
				if len(resp.ImportedResources) != 1 || resp.ImportedResources[0].State == nil {
					t.Fatalf("imported %+v, want one resource with state", resp.ImportedResources)
				}
				imported := resp.ImportedResources[0]
				if imported.Identity == nil || imported.Identity.IdentityData == nil {
					t.Fatal("the imported resource has no identity")
				}
				got, err := imported.Identity.IdentityData.Unmarshal(jobIdentityType)
				if err != nil {
					t.Fatal(err)
				}
				var attrs map[string]tftypes.Value
				var gotID string
				if err := got.As(&attrs); err != nil || attrs["id"].As(&gotID) != nil || gotID != id {
					t.Errorf("identity %v, want id %s", got, id)
				}

				want := "Invalid Import ID"
				if byIdentity {
					want = "Invalid Import Identity"
				}
				resp = importJobVia(t, typeName, "not-an-id", byIdentity)
				if len(resp.Diagnostics) != 1 || resp.Diagnostics[0].Summary != want {
					t.Errorf("import of a malformed id: diagnostics %+v, want one %s", resp.Diagnostics, want)
				}
			})
		}
	}
}

// createdValues records the values of the resource at address once
// created and refreshed, and checks that an import plans exactly those
// values back.
type createdValues struct {
	address string
	values  map[string]any
}

// record is a state check that records the values.
func (c *createdValues) record() statecheck.StateCheck { return recordValues{c} }

type recordValues struct{ c *createdValues }

func (r recordValues) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	if req.State == nil || req.State.Values == nil || req.State.Values.RootModule == nil {
		resp.Error = fmt.Errorf("no state to record %s from", r.c.address)
		return
	}
	for _, res := range req.State.Values.RootModule.Resources {
		if res.Address == r.c.address {
			r.c.values = withoutTimeouts(res.AttributeValues)
			return
		}
	}
	resp.Error = fmt.Errorf("%s is not in state", r.c.address)
}

// importedSame is a plan check: the planned import of the resource reads
// back the values recorded.
func (c *createdValues) importedSame() plancheck.PlanCheck { return importedSame{c} }

type importedSame struct{ c *createdValues }

func (i importedSame) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != i.c.address {
			continue
		}
		after, _ := rc.Change.After.(map[string]any)
		if got := withoutTimeouts(after); !reflect.DeepEqual(got, i.c.values) {
			resp.Error = fmt.Errorf("%s: the import reads back\n%v\nwant the values in state before it\n%v", i.c.address, got, i.c.values)
		}
		return
	}
	resp.Error = fmt.Errorf("the plan does not import %s", i.c.address)
}

// withoutTimeouts is values without timeouts, which an import cannot read.
func withoutTimeouts(values map[string]any) map[string]any {
	out := make(map[string]any, len(values))
	for k, v := range values {
		if k != "timeouts" {
			out[k] = v
		}
	}
	return out
}

// Each job resource, created with an identity (its job id), is imported back
// by an import block with id and by one with identity: both read back the
// state it had, and plan nothing else (terraform-plugin-testing
// fails an import block step whose plan is not a no-op import). Terraform
// and OpenTofu before 1.12 skip the test.
func TestAccJobResources_importByIdentity(t *testing.T) {
	t.Parallel()
	_, url := newTestEmulator(t)
	config := testAccGridUpscaleVariation(url, "a kite above the dunes", 2, 3)
	// The grid's used_buttons change after its create, with the presses:
	// the values to read back are those of the refresh that follows.
	settled := tfresource.TestStep{Config: config, ConfigPlanChecks: emptyPlan()}
	var imports []tfresource.TestStep
	for _, address := range []string{testAccGridAddress, testAccUpscaleAddress, testAccVariationAddress} {
		created := &createdValues{address: address}
		settled.ConfigStateChecks = append(settled.ConfigStateChecks,
			created.record(),
			statecheck.ExpectIdentity(address, map[string]knownvalue.Check{"id": knownvalue.StringRegexp(imageIDPattern)}),
			statecheck.ExpectIdentityValueMatchesState(address, tfjsonpath.New("id")))
		for _, kind := range []tfresource.ImportStateKind{tfresource.ImportBlockWithID, tfresource.ImportBlockWithResourceIdentity} {
			imports = append(imports, tfresource.TestStep{
				Config:           config,
				ResourceName:     address,
				ImportState:      true,
				ImportStateKind:  kind,
				ImportPlanChecks: tfresource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{created.importedSame()}},
			})
		}
	}
	accTest(t, append([]tfresource.TestStep{{Config: config}, settled}, imports...))
}

// stripIdentities rewrites the harness's state as a provider without
// identities wrote it: without identity and identity_schema_version. It
// returns how many identities it removed.
func stripIdentities(t *testing.T, h *tfHarness) int {
	t.Helper()
	removed := 0
	editStateInstances(t, h, func(_ string, instance map[string]any) {
		if _, ok := instance["identity"]; ok {
			removed++
		}
		delete(instance, "identity")
		delete(instance, "identity_schema_version")
	})
	return removed
}

// State written before the resources had an identity (here: the state of
// an apply, with its identities removed) upgrades silently: the plan is
// empty, it asks Akool exactly what the plan of the same state with
// identities asks, and the next apply stores each job's identity.
func TestAccJobResources_stateWithoutIdentity_emulatorCounters(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	h := newTFHarness(t)
	requireCLI(t, featureResourceIdentity)
	h.initWith(testAccGridUpscaleVariation(url, "a tram in the rain", 1, 4))
	h.mustApply()
	addresses := []string{testAccGridAddress, testAccUpscaleAddress, testAccVariationAddress}

	before := e.Counters().Requests
	h.expectNoChanges("the apply")
	withIdentities := e.Counters().Requests - before
	if withIdentities == 0 {
		t.Fatal("the plan sent no request to Akool; the comparison below would prove nothing")
	}

	if removed := stripIdentities(t, h); removed != len(addresses) {
		t.Fatalf("removed %d identities from state, want %d (one a job resource)", removed, len(addresses))
	}
	for _, address := range addresses {
		if r := h.resource(address); r == nil || len(r.IdentityValues) != 0 {
			t.Fatalf("%s still has an identity after stripping it: %+v", address, r)
		}
	}
	before = e.Counters().Requests
	h.expectNoChanges("removing the identities")
	if got := e.Counters().Requests - before; got != withIdentities {
		t.Errorf("the plan of state without identities sent %d requests to Akool, want %d, as with identities", got, withIdentities)
	}

	before = e.Counters().Requests
	h.mustApply()
	if got := e.Counters().Requests - before; got != withIdentities {
		t.Errorf("the apply that stores the identities sent %d requests to Akool, want %d, as a plan does", got, withIdentities)
	}
	expectIdentities(h, "the apply", addresses...)

	// An apply without refresh that updates old state in place (a new
	// webhook_url) stores the identity too.
	withHook := func(hook string) string {
		return testAccGridUpscaleVariation(url, "a tram in the rain", 1, 4) + testAccButtonBlock("akool_image_upscale", "other",
			"akool_generated_image.grid.id", 2, fmt.Sprintf("  webhook_url = %q\n", hook))
	}
	h.writeConfig(withHook("https://hooks.example.com/akool"))
	h.mustApply()
	stripIdentities(t, h)
	h.writeConfig(withHook("https://hooks.example.com/akool/2"))
	h.mustRun("apply", "-auto-approve", "-input=false", "-refresh=false")
	expectIdentities(h, "an apply without refresh", "akool_image_upscale.other")
}

// expectIdentities fails the test unless each resource at addresses has
// its id as its identity, after what.
func expectIdentities(h *tfHarness, after string, addresses ...string) {
	h.t.Helper()
	for _, address := range addresses {
		r := h.resource(address)
		if r == nil || r.IdentityValues["id"] != stateID(r) || stateID(r) == "" {
			h.t.Errorf("%s: identity %v after %s, want its id", address, r, after)
		}
	}
}

// A test with an import by identity skips itself on a CLI without
// identities, through the same version checks as a removed block.
func TestFeatureChecks_findIdentityImports(t *testing.T) {
	t.Parallel()
	byID := tfresource.TestStep{ResourceName: testAccImageAddress, ImportState: true, ImportStateKind: tfresource.ImportBlockWithID}
	if checks := featureChecks([]tfresource.TestStep{byID}); len(checks) != 0 {
		t.Errorf("an import block with id gets version checks %v, want none", checks)
	}
	byIdentity := byID
	byIdentity.ImportStateKind = tfresource.ImportBlockWithResourceIdentity
	if checks := featureChecks([]tfresource.TestStep{byID, byIdentity}); len(checks) != 1 || checks[0] != featureResourceIdentity {
		t.Errorf("an import block with identity gets version checks %v, want resource identity's", checks)
	}
	for _, c := range []struct {
		openTofu bool
		version  string
		missing  bool
	}{{false, "1.11.4", true}, {false, "1.12.0", false}, {true, "1.6.3", true}, {true, "1.12.6", false}} {
		if got := featureResourceIdentity.missingFrom(c.openTofu, version.Must(version.NewVersion(c.version))); (got != "") != c.missing {
			t.Errorf("OpenTofu %v %s: %q, want missing %v", c.openTofu, c.version, got, c.missing)
		}
	}
}

// The Import section of each job resource's page shows the identity form
// beside the id form, with the CLI versions that accept each; the file
// resource's page, whose resource has no identity, does not offer one.
func TestDocs_importByIdentity(t *testing.T) {
	t.Parallel()
	pages := docsPages(t)
	for _, typeName := range jobTypes {
		page := pages["resources/"+strings.TrimPrefix(typeName, "akool_")+".md"]
		_, imports, _ := strings.Cut(page, "\n## Import\n")
		for _, want := range []string{"identity = {", "to = " + typeName + ".", "id = \"", "Terraform 1.12 and later and OpenTofu 1.12 and later",
			"Terraform 1.5 and later and OpenTofu 1.6 and later", "`id` (String)"} {
			if !strings.Contains(imports, want) {
				t.Errorf("%s: the Import section does not show %q", typeName, want)
			}
		}
	}
	if strings.Contains(pages["resources/image_file.md"], "identity = {") {
		t.Error("akool_image_file has no identity, but its page shows an import by identity")
	}
}

// identityImportExample is each job resource's example of an import by
// identity, beside its resource.tf.
const identityImportExample = "import-with-identity.tf"

// The examples of an import by identity are valid on the CLIs that take them
// (TestAccExamples_validate checks the other examples on every CLI): each
// with its resource's resource.tf, which declares the resource it imports to.
func TestAccExamples_importWithIdentity(t *testing.T) {
	t.Parallel()
	for _, typeName := range jobTypes {
		t.Run(typeName, func(t *testing.T) {
			t.Parallel()
			h := newTFHarness(t)
			requireCLI(t, featureResourceIdentity)
			config := ""
			for _, name := range []string{"resource.tf", identityImportExample} {
				config += readExample(t, "resources", typeName, name) + "\n"
			}
			if !strings.Contains(config, "identity = {") {
				t.Fatalf("examples/resources/%s/%s imports by no identity", typeName, identityImportExample)
			}
			h.initWith(config)
			if res := h.run("validate"); res.exitCode != 0 {
				t.Errorf("validate of examples/resources/%s/%s failed:\n%s", typeName, identityImportExample, res.output())
			}
		})
	}
}
