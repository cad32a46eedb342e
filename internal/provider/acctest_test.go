package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"
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

func expectNotInState(address string) tfresource.TestCheckFunc {
	return func(s *terraform.State) error {
		if _, ok := s.RootModule().Resources[address]; ok {
			return fmt.Errorf("%s is still in state", address)
		}
		return nil
	}
}

// checkCounters asserts on the emulator's counters inside a test step.
func checkCounters(e *emulator.Emulator, check func(emulator.Counters) error) tfresource.TestCheckFunc {
	return func(*terraform.State) error { return check(e.Counters()) }
}

// expectCount asserts one of the emulator's counters, which count reads
// and what names.
func expectCount(e *emulator.Emulator, what string, count func(emulator.Counters) int, want int) tfresource.TestCheckFunc {
	return checkCounters(e, func(c emulator.Counters) error {
		if got := count(c); got != want {
			return fmt.Errorf("emulator counted %d %s, want %d", got, what, want)
		}
		return nil
	})
}

// expectCreates asserts the number of generations Akool accepted in all.
func expectCreates(e *emulator.Emulator, want int) tfresource.TestCheckFunc {
	return expectCount(e, "accepted create calls", func(c emulator.Counters) int { return c.Creates }, want)
}

// expectPresses asserts the number of presses Akool accepted in all.
func expectPresses(e *emulator.Emulator, want int) tfresource.TestCheckFunc {
	return expectCount(e, "accepted button presses", func(c emulator.Counters) int { return c.Presses }, want)
}

// expectCreateAttempts asserts the number of requests to Akool's create
// paths (v3, v4, createbybutton), whatever became of them.
func expectCreateAttempts(e *emulator.Emulator, want int) tfresource.TestCheckFunc {
	return expectCount(e, "requests to create paths", func(c emulator.Counters) int { return c.CreateAttempts }, want)
}

// expectCreateCalls asserts what Akool received in all: creates accepted
// generations, presses accepted button presses, and no create request
// beyond those (a second create that Akool refused would count as an
// attempt, not as a create).
func expectCreateCalls(e *emulator.Emulator, creates, presses int) tfresource.TestCheckFunc {
	return checkCounters(e, func(c emulator.Counters) error {
		if c.Creates != creates || c.Presses != presses || c.CreateAttempts != creates+presses {
			return fmt.Errorf("emulator: %d creates, %d presses, %d create attempts; want %d, %d and %d",
				c.Creates, c.Presses, c.CreateAttempts, creates, presses, creates+presses)
		}
		return nil
	})
}

// expectPressedOnce asserts that Akool received exactly one press of the
// button each address records, on the parent it records.
func expectPressedOnce(e *emulator.Emulator, addresses ...string) tfresource.TestCheckFunc {
	return func(s *terraform.State) error {
		c := e.Counters()
		for _, address := range addresses {
			r, ok := s.RootModule().Resources[address]
			if !ok {
				return fmt.Errorf("%s is not in state", address)
			}
			key := r.Primary.Attributes["image_id"] + "/" + r.Primary.Attributes["button"]
			if got := c.PressesByButton[key]; got != 1 {
				return fmt.Errorf("%s: emulator received %d presses of %s, want 1 (all presses: %v)", address, got, key, c.PressesByButton)
			}
		}
		return nil
	}
}

// expectAfterSteps runs checks of the emulator's counters once the steps
// are over.
func expectAfterSteps(t *testing.T, checks ...tfresource.TestCheckFunc) {
	t.Helper()
	if err := tfresource.ComposeTestCheckFunc(checks...)(nil); err != nil {
		t.Error(err)
	}
}

// expectEmulatorCalls asserts, outside test steps, what Akool received in
// all (the emulator's counters): creates accepted generations, presses
// accepted button presses, and no other create request; why says what a
// difference would mean.
func expectEmulatorCalls(t *testing.T, e *emulator.Emulator, creates, presses int, why string) {
	t.Helper()
	if c := e.Counters(); c.Creates != creates || c.Presses != presses || c.CreateAttempts != creates+presses {
		t.Errorf("creates = %d, presses = %d, create attempts = %d; want %d, %d and %d: %s",
			c.Creates, c.Presses, c.CreateAttempts, creates, presses, creates+presses, why)
	}
}

// expectNoRequests asserts that Akool (the emulator) received no API request
// at all for configurations that must fail at plan time.
func expectNoRequests(t *testing.T, e *emulator.Emulator) {
	t.Helper()
	if c := e.Counters(); c.Requests != 0 {
		t.Errorf("emulator received %d API requests (%d creates) for configurations that must fail at plan", c.Requests, c.Creates)
	}
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

// The terraform CLI harness.

// newHarness is a terraform CLI harness initialized with config.
func newHarness(t *testing.T, config string) *tfHarness {
	t.Helper()
	h := newTFHarness(t)
	h.initWith(config)
	return h
}

// newAppliedHarness is newHarness once config is applied.
func newAppliedHarness(t *testing.T, config string) *tfHarness {
	t.Helper()
	h := newHarness(t, config)
	h.mustApply()
	return h
}

// newGridHarness is a terraform CLI harness whose state already holds a
// finished grid at testAccGridAddress; it returns the grid's configuration.
func newGridHarness(t *testing.T, url, prompt string) (*tfHarness, string) {
	t.Helper()
	grid := testAccGridConfig(url, prompt)
	return newAppliedHarness(t, grid), grid
}

// initWith writes config into the harness's working directory and runs
// terraform init.
func (h *tfHarness) initWith(config string) {
	h.t.Helper()
	h.writeConfig(config)
	h.init()
}

// mustApply is apply that fails the test unless terraform exits with 0.
func (h *tfHarness) mustApply() {
	h.t.Helper()
	h.mustRun("apply", "-auto-approve", "-input=false")
}

// examplesDir is the repository's examples folder, seen from this package.
var examplesDir = filepath.Join("..", "..", "examples")

// readExample reads the file at examples/<path>.
func readExample(t *testing.T, path ...string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(append([]string{examplesDir}, path...)...))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// newExampleHarness starts an initialized CLI test of the example at
// examples/<example> (see copyExample), with the emulator at url and the
// test key in the environment, as a user of the example runs it.
func newExampleHarness(t *testing.T, url, example string, patterns ...string) *tfHarness {
	t.Helper()
	h := newTFHarness(t)
	h.copyExample(example, patterns...)
	t.Setenv(envEndpoint, url)
	t.Setenv(envAPIKey, testAccAPIKey)
	h.init()
	return h
}

// copyExample copies the example at examples/<example> into the harness's
// working directory: every file below it, or, when patterns are given, only
// its top-level files whose names match one of them.
func (h *tfHarness) copyExample(example string, patterns ...string) {
	h.t.Helper()
	src := filepath.Join(examplesDir, example)
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			if rel != "." && len(patterns) > 0 {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(h.dir, rel), 0o755)
		}
		if len(patterns) > 0 && !slices.ContainsFunc(patterns, func(pattern string) bool {
			ok, _ := filepath.Match(pattern, d.Name())
			return ok
		}) {
			return nil
		}
		content, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(h.dir, rel), content, 0o644)
	})
	if err != nil {
		h.t.Fatal(err)
	}
}

// expectNoChanges fails the test unless terraform plan, after what, plans
// nothing; it returns the plan's result.
func (h *tfHarness) expectNoChanges(after string) tfResult {
	h.t.Helper()
	res := h.run("plan", "-detailed-exitcode", "-input=false")
	if res.exitCode != 0 {
		h.t.Errorf("plan %s exited %d (want 0, no changes):\n%s", after, res.exitCode, res.output())
	}
	return res
}

// expectKeptJob asserts that an apply (res) that stopped waiting kept the
// paid job at address in state: a job id that res names, not tainted. It
// returns the resource and its id.
func (h *tfHarness) expectKeptJob(res tfResult, address string) (*tfjson.StateResource, string) {
	h.t.Helper()
	r := h.resource(address)
	if r == nil {
		h.t.Fatalf("%s is not in state; the paid job would be lost:\n%s", address, res.output())
	}
	id := stateID(r)
	if !imageIDPattern.MatchString(id) || r.Tainted || !res.mentions(id) {
		h.t.Fatalf("%s: id %q, tainted %v; want the job's id, not tainted, named in the output:\n%s", address, id, r.Tainted, res.output())
	}
	return r, id
}

// expectFinishedJob asserts that address holds job id, completed with an
// image URL and not tainted, and returns it.
func (h *tfHarness) expectFinishedJob(address, id string) *tfjson.StateResource {
	h.t.Helper()
	r := h.resource(address)
	if r == nil || r.Tainted || r.AttributeValues["id"] != id || r.AttributeValues["status"] != "completed" ||
		!strings.HasPrefix(fmt.Sprint(r.AttributeValues["image_url"]), "http") {
		h.t.Fatalf("%s: %+v; want job %s completed, with an image_url", address, r, id)
	}
	return r
}

// applyFinishingJobsByClock runs terraform apply with the configuration as
// it is and, once the apply has read each of the jobs ids twice (it has
// refreshed and is waiting), moves the emulator's clock so that they finish.
func applyFinishingJobsByClock(h *tfHarness, e *emulator.Emulator, ids ...string) tfResult {
	h.t.Helper()
	readsBefore := e.Counters().ReadsByID
	run := h.start("apply", "-auto-approve", "-input=false")
	waiting := func() bool {
		reads := e.Counters().ReadsByID
		for _, id := range ids {
			if reads[id] < readsBefore[id]+2 {
				return false
			}
		}
		return true
	}
	// Past the deadline, the apply's own output tells what went wrong.
	for deadline := time.Now().Add(time.Minute); !waiting() && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	e.Clock().Advance(2 * time.Hour)
	return run.wait()
}

// expectMentions asserts that the output of a terraform command (what
// names it) mentions each of wants.
func (r tfResult) expectMentions(t *testing.T, what string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !r.mentions(want) {
			t.Errorf("%s output does not mention %q:\n%s", what, want, r.output())
		}
	}
}
