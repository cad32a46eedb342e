package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/akool-community/terraform-provider-akool/internal/akool"
	"github.com/akool-community/terraform-provider-akool/internal/emulator"
)

// The helpers the acceptance tests share: the emulator, the provider and
// resource configurations, checks of state and of what Akool received (the
// emulator's counters), step builders (forget and import a job, compare ids
// across steps), and the terraform CLI harness's recovery of unfinished
// jobs.

// The emulator: Akool as the tests see it.

// newTestEmulator starts an emulator with fast jobs (queue ~100ms, process
// ~300ms, single images of grids 300ms later) and the test key; opts tweak
// Options.
func newTestEmulator(t *testing.T, opts ...func(*emulator.Options)) (*emulator.Emulator, string) {
	t.Helper()
	o := emulator.Options{
		APIKey:      testAccAPIKey,
		QueueTime:   100 * time.Millisecond,
		ProcessTime: 300 * time.Millisecond,
		// A grid's single images come after status 3, as with Akool.
		Shapes: emulator.Shapes{SinglesDelay: 300 * time.Millisecond},
	}
	for _, opt := range opts {
		opt(&o)
	}
	return emulator.NewServer(t, o)
}

// withShapes sets the shapes the test emulator plays.
func withShapes(s emulator.Shapes) func(*emulator.Options) {
	return func(o *emulator.Options) { o.Shapes = s }
}

// newEmulatorBehind starts an emulator with fast jobs and the test key, and
// serves it through the handler that handler makes of it instead of
// directly; it returns the emulator, the handler's URL and the handler.
func newEmulatorBehind[H http.Handler](t *testing.T, handler func(*emulator.Emulator) H) (*emulator.Emulator, string, H) {
	t.Helper()
	e, err := emulator.New(emulator.Options{APIKey: testAccAPIKey, QueueTime: 100 * time.Millisecond, ProcessTime: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	h := handler(e)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return e, srv.URL, h
}

// newEditingEmulator is newEmulatorBehind with a proxy that lets edit change
// the data object of every answer to a request whose path contains pathPart.
func newEditingEmulator(t *testing.T, pathPart string, edit func(data map[string]any)) (*emulator.Emulator, string) {
	t.Helper()
	e, url, _ := newEmulatorBehind(t, func(e *emulator.Emulator) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !strings.Contains(r.URL.Path, pathPart) {
				e.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, r)
			body := rec.Body.Bytes()
			var answer map[string]any
			if json.Unmarshal(body, &answer) == nil {
				if data, ok := answer["data"].(map[string]any); ok {
					edit(data)
					body, _ = json.Marshal(answer)
				}
			}
			for name, values := range rec.Header() {
				if name != "Content-Length" {
					w.Header()[name] = values
				}
			}
			w.WriteHeader(rec.Code)
			_, _ = w.Write(body)
		})
	})
	return e, url
}

// jobsOutside makes jobs at the emulator outside Terraform, as a user of
// Akool's site or API would; a call that fails fails the test.
type jobsOutside struct {
	t      *testing.T
	client *akool.Client
}

func newJobsOutside(t *testing.T, url string) jobsOutside {
	t.Helper()
	client, err := akool.New(akool.Config{BaseURL: url, APIKey: testAccAPIKey})
	if err != nil {
		t.Fatal(err)
	}
	return jobsOutside{t: t, client: client}
}

func (j jobsOutside) v3(prompt string) *akool.Image {
	j.t.Helper()
	return j.made(j.client.CreateV3(context.Background(), akool.CreateV3Request{Prompt: prompt}))
}

func (j jobsOutside) v4(req akool.CreateV4Request) *akool.Image {
	j.t.Helper()
	return j.made(j.client.CreateV4(context.Background(), req))
}

func (j jobsOutside) press(parent, button string) *akool.Image {
	j.t.Helper()
	return j.made(j.client.PressButton(context.Background(), akool.ButtonRequest{ParentID: parent, Button: button}))
}

func (j jobsOutside) made(img *akool.Image, err error) *akool.Image {
	j.t.Helper()
	if err != nil {
		j.t.Fatal(err)
	}
	return img
}

// Configurations.

// testAccProviderConfig returns a provider block using the emulator with
// api_key auth.
func testAccProviderConfig(baseURL string) string {
	return fmt.Sprintf(`
provider "akool" {
  endpoint = %q
  api_key  = %q
}
`, baseURL, testAccAPIKey)
}

const testAccImageAddress = "akool_generated_image.test"

// testAccImageConfig is a provider block plus one v3 image at
// testAccImageAddress.
func testAccImageConfig(baseURL, prompt string) string {
	return testAccProviderConfig(baseURL) + testAccPromptBlock("test", prompt)
}

// testAccPromptBlock is one v3 akool_generated_image named name.
func testAccPromptBlock(name, prompt string) string {
	return fmt.Sprintf(`
resource "akool_generated_image" %q {
  prompt = %q
}
`, name, prompt)
}

// The parent grid of the button tests' configurations.
const testAccGridAddress = "akool_generated_image.grid"

// testAccGridConfig is a provider block plus one v3 grid at testAccGridAddress.
func testAccGridConfig(baseURL, prompt string) string {
	return testAccProviderConfig(baseURL) + testAccPromptBlock("grid", prompt)
}

// testAccButtonBlock is one akool_image_upscale or akool_image_variation
// (typ) pressing button index of the image whose id is the expression parent;
// extra is added inside the block.
func testAccButtonBlock(typ, name, parent string, index int, extra string) string {
	return fmt.Sprintf(`
resource %q %q {
  image_id = %s
  index    = %d
%s}
`, typ, name, parent, index, extra)
}

// testAccGridButtonConfig is a grid (testAccGridConfig) with one button
// resource of type typ, named name, that presses button index of it.
func testAccGridButtonConfig(baseURL, prompt, typ, name string, index int) string {
	return testAccGridConfig(baseURL, prompt) + testAccButtonBlock(typ, name, "akool_generated_image.grid.id", index, "")
}

// testAccGridUpscaleVariation is a grid (testAccGridConfig) with an upscale
// (testAccUpscaleAddress) of sub-image u and a variation
// (testAccVariationAddress) of sub-image v.
func testAccGridUpscaleVariation(baseURL, prompt string, u, v int) string {
	return testAccGridConfig(baseURL, prompt) +
		testAccButtonBlock("akool_image_upscale", "up", "akool_generated_image.grid.id", u, "") +
		testAccButtonBlock("akool_image_variation", "var", "akool_generated_image.grid.id", v, "")
}

const (
	testAccUpscaleAddress   = "akool_image_upscale.up"
	testAccVariationAddress = "akool_image_variation.var"
)

// testAccImageDataBlock is one akool_image data source named name that
// reads the image whose id is the expression id.
func testAccImageDataBlock(name, id string) string {
	return fmt.Sprintf(`
data "akool_image" %q {
  id = %s
}
`, name, id)
}

// removedBlock makes Terraform forget a resource without destroying it.
func removedBlock(address string) string {
	return fmt.Sprintf(`
removed {
  from = %s
  lifecycle {
    destroy = false
  }
}
`, address)
}

// Checks of state and of what Akool received (the emulator's counters).

// rfc3339Pattern matches the timestamps the provider writes, in UTC.
var rfc3339Pattern = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)

// completedImageChecks asserts a finished v3 image in state.
func completedImageChecks(address string) []statecheck.StateCheck {
	return []statecheck.StateCheck{
		expectMatch(address, "id", imageIDPattern),
		expectString(address, "status", "completed"),
		expectMatch(address, "image_url", regexp.MustCompile(`^http://127\.0\.0\.1:\d+/images/[0-9a-f]{24}\.png$`)),
	}
}

// completedPressChecks asserts a finished press of button in state.
func completedPressChecks(address, button string, credit float64) []statecheck.StateCheck {
	return append(completedImageChecks(address),
		expectString(address, "button", button),
		expectFloat(address, "deduction_credit", credit),
		expectMatch(address, "created_at", rfc3339Pattern),
	)
}

// Checks of one attribute in state, by name: the expected value says what
// is checked, without the path and value types around it.

// expectValue asserts the value of attribute attr of the resource at address.
func expectValue(address, attr string, value knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(address, tfjsonpath.New(attr), value)
}

func expectString(address, attr, value string) statecheck.StateCheck {
	return expectValue(address, attr, knownvalue.StringExact(value))
}

func expectMatch(address, attr string, pattern *regexp.Regexp) statecheck.StateCheck {
	return expectValue(address, attr, knownvalue.StringRegexp(pattern))
}

// expectExpired asserts whether the image at address is past Akool's 7 days.
func expectExpired(address string, expired bool) statecheck.StateCheck {
	return expectValue(address, "expired", knownvalue.Bool(expired))
}

func expectInt(address, attr string, value int64) statecheck.StateCheck {
	return expectValue(address, attr, knownvalue.Int64Exact(value))
}

func expectFloat(address, attr string, value float64) statecheck.StateCheck {
	return expectValue(address, attr, knownvalue.Float64Exact(value))
}

func expectNull(address, attr string) statecheck.StateCheck {
	return expectValue(address, attr, knownvalue.Null())
}

func expectNotNull(address, attr string) statecheck.StateCheck {
	return expectValue(address, attr, knownvalue.NotNull())
}

func expectListSize(address, attr string, size int) statecheck.StateCheck {
	return expectValue(address, attr, knownvalue.ListSizeExact(size))
}

// expectOutputMatch asserts a string output.
func expectOutputMatch(name string, pattern *regexp.Regexp) statecheck.StateCheck {
	return statecheck.ExpectKnownOutputValue(name, knownvalue.StringRegexp(pattern))
}

// expectStrings asserts a list of strings, in order.
func expectStrings(address, attr string, values ...string) statecheck.StateCheck {
	checks := make([]knownvalue.Check, len(values))
	for i, v := range values {
		checks[i] = knownvalue.StringExact(v)
	}
	return expectValue(address, attr, knownvalue.ListExact(checks))
}

// stringMap is a map of strings, exactly.
func stringMap(values map[string]string) knownvalue.Check {
	checks := make(map[string]knownvalue.Check, len(values))
	for k, v := range values {
		checks[k] = knownvalue.StringExact(v)
	}
	return knownvalue.MapExact(checks)
}

// expectSameAs asserts that attribute attr of the resource at address has
// the value of attribute otherAttr of the resource at other.
func expectSameAs(address, attr, other, otherAttr string) statecheck.StateCheck {
	return statecheck.CompareValuePairs(address, tfjsonpath.New(attr), other, tfjsonpath.New(otherAttr), compare.ValuesSame())
}

// expectDifferent asserts that the two attributes have different values.
func expectDifferent(address, attr, other, otherAttr string) statecheck.StateCheck {
	return statecheck.CompareValuePairs(address, tfjsonpath.New(attr), other, tfjsonpath.New(otherAttr), compare.ValuesDiffer())
}

// Checks of a plan, before it is applied.

// preApply runs checks on the plan before it is applied.
func preApply(checks ...plancheck.PlanCheck) tfresource.ConfigPlanChecks {
	return tfresource.ConfigPlanChecks{PreApply: checks}
}

// emptyPlan asserts that the plan changes nothing.
func emptyPlan() tfresource.ConfigPlanChecks {
	return preApply(plansNothing())
}

// settledPlan runs checks on the plan before it is applied, and asserts
// that once applied and refreshed the configuration plans nothing more.
func settledPlan(checks ...plancheck.PlanCheck) tfresource.ConfigPlanChecks {
	return tfresource.ConfigPlanChecks{PreApply: checks, PostApplyPostRefresh: []plancheck.PlanCheck{plansNothing()}}
}

func plansNothing() plancheck.PlanCheck {
	return plancheck.ExpectEmptyPlan()
}

func plansCreate(address string) plancheck.PlanCheck {
	return plancheck.ExpectResourceAction(address, plancheck.ResourceActionCreate)
}

func plansUpdate(address string) plancheck.PlanCheck {
	return plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate)
}

func plansNoop(address string) plancheck.PlanCheck {
	return plancheck.ExpectResourceAction(address, plancheck.ResourceActionNoop)
}

// plansReplace asserts a replacement that destroys the old object first
// (Terraform's default).
func plansReplace(address string) plancheck.PlanCheck {
	return plancheck.ExpectResourceAction(address, plancheck.ResourceActionDestroyBeforeCreate)
}

// plansValue asserts a value that is known at plan time.
func plansValue(address, attr string, value knownvalue.Check) plancheck.PlanCheck {
	return plancheck.ExpectKnownValue(address, tfjsonpath.New(attr), value)
}

func plansString(address, attr, value string) plancheck.PlanCheck {
	return plansValue(address, attr, knownvalue.StringExact(value))
}

// plansUnknown asserts a value that is only known after apply.
func plansUnknown(address, attr string) plancheck.PlanCheck {
	return plancheck.ExpectUnknownValue(address, tfjsonpath.New(attr))
}

// sameIDs returns a maker of state checks: the checks made at each step
// assert that the resources at addresses keep the ids they had at the first.
func sameIDs(addresses ...string) func() []statecheck.StateCheck {
	return compareIDs(compare.ValuesSame(), addresses)
}

// newIDs returns a maker of state checks: the checks made at each step
// assert that the resources at addresses have other ids than at the step
// before.
func newIDs(addresses ...string) func() []statecheck.StateCheck {
	return compareIDs(compare.ValuesDiffer(), addresses)
}

func compareIDs(comparer compare.ValueComparer, addresses []string) func() []statecheck.StateCheck {
	each := make([]func() statecheck.StateCheck, len(addresses))
	for i, address := range addresses {
		each[i] = acrossSteps(comparer, address, "id")
	}
	return func() []statecheck.StateCheck {
		checks := make([]statecheck.StateCheck, len(each))
		for i, check := range each {
			checks[i] = check()
		}
		return checks
	}
}

// sameValue returns a maker of state checks: the checks made at each step
// assert that attribute attr of the resource at address keeps the value it
// had at the first.
func sameValue(address, attr string) func() statecheck.StateCheck {
	return acrossSteps(compare.ValuesSame(), address, attr)
}

// changedID returns a maker of state checks: the checks made at each step
// assert that the resource at address has another id than at the step
// before.
func changedID(address string) func() statecheck.StateCheck {
	return acrossSteps(compare.ValuesDiffer(), address, "id")
}

func acrossSteps(comparer compare.ValueComparer, address, attr string) func() statecheck.StateCheck {
	comparison := statecheck.CompareValue(comparer)
	return func() statecheck.StateCheck { return comparison.AddStateValue(address, tfjsonpath.New(attr)) }
}

// errorPattern matches text in Terraform's output, which wraps long lines:
// every space of each part matches any run of white space, and the parts
// must appear in order.
func errorPattern(parts ...string) *regexp.Regexp {
	quoted := make([]string, len(parts))
	for i, part := range parts {
		words := strings.Fields(part)
		for j, w := range words {
			words[j] = regexp.QuoteMeta(w)
		}
		quoted[i] = strings.Join(words, `\s+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(quoted, ".*"))
}

// Steps.

// accTest runs steps against the provider served in-process.
func accTest(t *testing.T, steps []tfresource.TestStep) {
	t.Helper()
	accTestCase(t, tfresource.TestCase{ProtoV6ProviderFactories: testAccProtoV6ProviderFactories, Steps: steps})
}

// accTestCase is tfresource.Test (tfresource.UnitTest with IsUnitTest) that
// skips the test on a CLI without a feature its steps use. Every
// terraform-plugin-testing test goes through it.
func accTestCase(t *testing.T, tc tfresource.TestCase) {
	t.Helper()
	tc.TerraformVersionChecks = append(tc.TerraformVersionChecks, featureChecks(tc.Steps)...)
	tfresource.Test(t, tc)
}

// reimport makes Terraform forget the resource at address without
// destroying its job, then imports that job back: captureID records the id
// in an earlier step, forgetStep adds a removed block to config, importStep
// imports the recorded id under config and keeps it in state.
type reimport struct {
	address string
	id      string
}

func (r *reimport) captureID() tfresource.TestCheckFunc {
	return func(s *terraform.State) error {
		res, ok := s.RootModule().Resources[r.address]
		if !ok {
			return fmt.Errorf("%s is not in state", r.address)
		}
		r.id = res.Primary.ID
		return nil
	}
}

// forgetStep makes Terraform forget the resources at addresses, which config
// leaves out, without destroying their jobs. Its removed blocks need
// Terraform 1.7 or OpenTofu 1.10: accTestCase skips the test on an older CLI.
func forgetStep(config string, addresses ...string) tfresource.TestStep {
	checks := make([]tfresource.TestCheckFunc, len(addresses))
	for i, address := range addresses {
		config += removedBlock(address)
		checks[i] = expectNotInState(address)
	}
	return tfresource.TestStep{Config: config, Check: tfresource.ComposeTestCheckFunc(checks...)}
}

func (r *reimport) forgetStep(config string) tfresource.TestStep {
	return forgetStep(config, r.address)
}

func (r *reimport) importStep(config string) tfresource.TestStep {
	return tfresource.TestStep{
		Config:             config,
		ResourceName:       r.address,
		ImportState:        true,
		ImportStatePersist: true,
		ImportStateIdFunc:  func(*terraform.State) (string, error) { return r.id, nil },
	}
}

// stateIDOf imports the id that the resource at address has in state.
func stateIDOf(address string) tfresource.ImportStateIdFunc {
	return func(s *terraform.State) (string, error) {
		r, ok := s.RootModule().Resources[address]
		if !ok {
			return "", fmt.Errorf("%s is not in state", address)
		}
		return r.Primary.ID, nil
	}
}

// importErrorStep imports the job of the resource at from as the resource at
// address, and expects the import to fail with an error matching parts.
func importErrorStep(config, address, from string, parts ...string) tfresource.TestStep {
	return tfresource.TestStep{
		Config:            config,
		ResourceName:      address,
		ImportState:       true,
		ImportStateIdFunc: stateIDOf(from),
		ExpectError:       errorPattern(parts...),
	}
}

// Resources called directly, without Terraform.

// resourceSchema returns the schema of r.
func resourceSchema(t *testing.T, r resource.Resource) schema.Schema {
	t.Helper()
	var resp resource.SchemaResponse
	r.Schema(context.Background(), resource.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	return resp.Schema
}

// testState is a state of r's schema with attributes set and every other
// attribute null.
func testState(t *testing.T, r resource.Resource, attributes map[string]any) tfsdk.State {
	t.Helper()
	s := resourceSchema(t, r)
	state := tfsdk.State{Schema: s, Raw: nullObject(s.Type().TerraformType(context.Background()))}
	for name, value := range attributes {
		if diags := state.SetAttribute(context.Background(), path.Root(name), value); diags.HasError() {
			t.Fatal(diags)
		}
	}
	return state
}

// nullObject is an object of typ whose attributes are all null.
func nullObject(typ tftypes.Type) tftypes.Value {
	obj, ok := typ.(tftypes.Object)
	if !ok {
		panic(fmt.Sprintf("nullObject: %s is not an object type", typ))
	}
	values := make(map[string]tftypes.Value, len(obj.AttributeTypes))
	for name, attrType := range obj.AttributeTypes {
		values[name] = tftypes.NewValue(attrType, nil)
	}
	return tftypes.NewValue(typ, values)
}

// readResource refreshes state through r's Read.
func readResource(ctx context.Context, r resource.Resource, state tfsdk.State) *resource.ReadResponse {
	resp := &resource.ReadResponse{State: state}
	r.Read(ctx, resource.ReadRequest{State: state}, resp)
	return resp
}
