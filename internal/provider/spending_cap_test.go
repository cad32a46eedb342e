package provider

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/akool-community/terraform-provider-akool/internal/emulator"
)

// testAccCappedProvider is a provider block using the emulator with
// max_new_images set to limit.
func testAccCappedProvider(baseURL string, limit int) string {
	return fmt.Sprintf(`
provider "akool" {
  endpoint       = %q
  api_key        = %q
  max_new_images = %d
}
`, baseURL, testAccAPIKey, limit)
}

// testAccImages is n akool_generated_image blocks, named img0 to img(n-1),
// with extra inside each block.
func testAccImages(n int, promptPrefix, extra string) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "\nresource \"akool_generated_image\" \"img%d\" {\n  prompt = \"%s %d\"\n%s}\n", i, promptPrefix, i, extra)
	}
	return b.String()
}

// expectNothingSent fails the test when the emulator has seen any create or
// press request.
func expectNothingSent(t *testing.T, e *emulator.Emulator) func() {
	return func() {
		if c := e.Counters(); c.CreateAttempts != 0 {
			t.Fatalf("the failed plan sent %d create or press requests to the emulator, want none", c.CreateAttempts)
		}
	}
}

// A plan over the cap fails before anything is sent; at the cap it applies;
// images that already exist, in-place updates and a second plan count
// nothing; a replacement counts one.
func TestAccSpendingCap_imagesEmulatorCounts(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)

	accTest(t, []tfresource.TestStep{
		{
			Config:      testAccCappedProvider(url, 2) + testAccImages(3, "a red kite", ""),
			ExpectError: regexp.MustCompile(`(?s)Akool Spending Cap Exceeded.*at least 3 paid Akool jobs.*max_new_images\s+=\s+2.*max_new_images\s+argument`),
		},
		{
			PreConfig: expectNothingSent(t, e),
			Config:    testAccCappedProvider(url, 3) + testAccImages(3, "a red kite", ""),
			Check:     expectCreates(e, 3),
		},
		{
			// Three images exist; only the fourth is new.
			Config:           testAccCappedProvider(url, 1) + testAccImages(4, "a red kite", ""),
			ConfigPlanChecks: preApply(plansCreate("akool_generated_image.img3")),
			Check:            expectCreates(e, 4),
		},
		{
			// In-place updates spend nothing, so a cap of 0 allows them.
			Config:           testAccCappedProvider(url, 0) + testAccImages(4, "a red kite", "  webhook_url = \"https://hooks.example.com/akool\"\n"),
			ConfigPlanChecks: preApply(plansUpdate("akool_generated_image.img0")),
			Check:            expectCreates(e, 4),
		},
		{
			// A changed prompt replaces the image: a new paid job.
			Config:      testAccCappedProvider(url, 0) + testAccImages(4, "a blue kite", "  webhook_url = \"https://hooks.example.com/akool\"\n"),
			ExpectError: regexp.MustCompile(`(?s)Akool Spending Cap Exceeded.*at least 1 paid Akool job\b.*max_new_images\s+=\s+0`),
		},
		{
			PreConfig: func() {
				if c := e.Counters(); c.CreateAttempts != 4 {
					t.Fatalf("the emulator saw %d create requests, want the 4 of the earlier applies", c.CreateAttempts)
				}
			},
			Config:   testAccCappedProvider(url, 4) + testAccImages(4, "a blue kite", "  webhook_url = \"https://hooks.example.com/akool\"\n"),
			PlanOnly: true,
			// Four replacements fit a cap of 4: the plan succeeds.
			ExpectNonEmptyPlan: true,
		},
	})
}

// Presses of U and V buttons are paid jobs and count like new images.
func TestAccSpendingCap_pressesEmulatorCounts(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	config := func(limit int) string {
		return testAccCappedProvider(url, limit) + `
resource "akool_generated_image" "grid" {
  prompt = "a harbour at dawn"
}
` + testAccButtonBlock("akool_image_upscale", "up", "akool_generated_image.grid.id", 1, "") +
			testAccButtonBlock("akool_image_variation", "var", "akool_generated_image.grid.id", 2, "")
	}

	accTest(t, []tfresource.TestStep{
		{
			Config:      config(2),
			ExpectError: regexp.MustCompile(`(?s)Akool Spending Cap Exceeded.*at least 3 paid Akool jobs.*max_new_images\s+=\s+2`),
		},
		{
			PreConfig: expectNothingSent(t, e),
			Config:    config(3),
			Check:     expectCreateCalls(e, 1, 2),
		},
	})
}

// setEnvAtApply sets an environment variable once the plan is made, so that
// the apply that follows runs with another value than the plan did.
type setEnvAtApply struct {
	name, value string
}

func (s setEnvAtApply) CheckPlan(context.Context, plancheck.CheckPlanRequest, *plancheck.CheckPlanResponse) {
	os.Setenv(s.name, s.value)
}

// The environment variable sets the cap, and apply enforces it even when the
// plan was made without it. Not parallel: it changes the environment.
func TestAccSpendingCap_applyEnforcesEnvironmentEmulatorCounts(t *testing.T) {
	e, url := newTestEmulator(t)
	t.Setenv(envMaxNewImages, "")

	accTest(t, []tfresource.TestStep{
		{
			Config:           testAccProviderConfig(url) + testAccImages(3, "a paper boat", ""),
			ConfigPlanChecks: preApply(setEnvAtApply{envMaxNewImages, "1"}),
			ExpectError:      regexp.MustCompile(`(?s)Akool Spending Cap.*max_new_images\s+=\s+1.*` + envMaxNewImages),
		},
	})
	if c := e.Counters(); c.CreateAttempts > 1 {
		t.Errorf("the apply sent %d create requests with a cap of 1", c.CreateAttempts)
	}
}

func TestAccSpendingCap_invalidEnvironment(t *testing.T) {
	_, url := newTestEmulator(t)
	t.Setenv(envMaxNewImages, "ten")

	accTest(t, []tfresource.TestStep{
		{
			Config:      testAccImageConfig(url, "a kite"),
			ExpectError: regexp.MustCompile(`(?s)Invalid Akool Spending Cap.*` + envMaxNewImages + `.*"ten"`),
		},
	})
}

func TestAccSpendingCap_negativeArgument(t *testing.T) {
	t.Parallel()
	_, url := newTestEmulator(t)
	accTest(t, []tfresource.TestStep{
		{
			Config:      testAccCappedProvider(url, -1) + testAccImages(1, "a kite", ""),
			ExpectError: regexp.MustCompile(`(?s)Invalid Akool Spending Cap.*max_new_images is -1`),
		},
	})
}

// Create checks the cap itself: applying a change that was never planned by
// this provider (here sent straight through the plugin protocol, as a plan
// made elsewhere would be) starts no more jobs than the cap allows.
func TestSpendingCap_createEnforcesWithoutPlanEmulatorCounts(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	ctx := context.Background()
	server, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}

	providerConfig := objectValue(t, schemas.Provider, map[string]tftypes.Value{
		"endpoint":       tftypes.NewValue(tftypes.String, url),
		"api_key":        tftypes.NewValue(tftypes.String, testAccAPIKey),
		"max_new_images": tftypes.NewValue(tftypes.Number, 1),
	}, false)
	configured, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{TerraformVersion: "1.11.0", Config: providerConfig})
	if err != nil || len(configured.Diagnostics) > 0 {
		t.Fatalf("configure: %v %v", err, configured.Diagnostics)
	}

	imageSchema := schemas.ResourceSchemas["akool_generated_image"]
	apply := func(prompt string) []*tfprotov6.Diagnostic {
		inputs := map[string]tftypes.Value{
			"prompt":      tftypes.NewValue(tftypes.String, prompt),
			"api_version": tftypes.NewValue(tftypes.String, apiV3),
			"scale":       tftypes.NewValue(tftypes.String, scaleDefault),
		}
		prior, err := tfprotov6.NewDynamicValue(imageSchema.ValueType(), tftypes.NewValue(imageSchema.ValueType(), nil))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := server.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{
			TypeName:     "akool_generated_image",
			PriorState:   &prior,
			PlannedState: objectValue(t, imageSchema, inputs, true),
			Config:       objectValue(t, imageSchema, inputs, false),
		})
		if err != nil {
			t.Fatal(err)
		}
		return resp.Diagnostics
	}

	if diags := apply("a glass lantern"); len(diags) > 0 {
		t.Fatalf("the first job, within the cap, failed: %v", diags[0].Detail)
	}
	diags := apply("a paper lantern")
	if len(diags) != 1 || diags[0].Summary != "Akool Spending Cap Reached" ||
		!strings.Contains(diags[0].Detail, "max_new_images = 1") {
		t.Fatalf("the second job, over the cap, got %+v; want one \"Akool Spending Cap Reached\" error", diags)
	}
	if c := e.Counters(); c.CreateAttempts != 1 {
		t.Errorf("the emulator saw %d create requests with a cap of 1", c.CreateAttempts)
	}
}

// objectValue is a value of the schema's block with the given attributes;
// the others are null, or unknown when computed-only and unknownComputed.
func objectValue(t *testing.T, s *tfprotov6.Schema, set map[string]tftypes.Value, unknownComputed bool) *tfprotov6.DynamicValue {
	t.Helper()
	typ, ok := s.ValueType().(tftypes.Object)
	if !ok {
		t.Fatalf("the schema's value type is %T, not an object", s.ValueType())
	}
	values := map[string]tftypes.Value{}
	computedOnly := map[string]bool{}
	for _, a := range s.Block.Attributes {
		computedOnly[a.Name] = a.Computed && !a.Optional
	}
	for name, attrType := range typ.AttributeTypes {
		switch v, ok := set[name]; {
		case ok:
			values[name] = v
		case unknownComputed && computedOnly[name]:
			values[name] = tftypes.NewValue(attrType, tftypes.UnknownValue)
		default:
			values[name] = tftypes.NewValue(attrType, nil)
		}
	}
	dv, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, values))
	if err != nil {
		t.Fatal(err)
	}
	return &dv
}

// Concurrent starts never exceed the cap, and plans count only creations.
func TestSpendingCapStartJob(t *testing.T) {
	t.Parallel()
	c := &spendingCap{limit: 5, source: "the max_new_images argument"}
	var wg sync.WaitGroup
	var mu sync.Mutex
	started, refused := 0, 0
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var diags diag.Diagnostics
			ok := c.startJob(&diags)
			mu.Lock()
			defer mu.Unlock()
			if ok {
				started++
			} else if diags.HasError() {
				refused++
			}
		}()
	}
	wg.Wait()
	if started != 5 || refused != 15 {
		t.Errorf("20 concurrent starts with a cap of 5: %d started, %d refused with an error; want 5 and 15", started, refused)
	}

	var none *spendingCap
	var diags diag.Diagnostics
	if !none.startJob(&diags) || diags.HasError() {
		t.Error("without a cap, startJob refused a job")
	}
}

// oneVariable is a getenv in which only the variable named has a value.
func oneVariable(variable, value string) func(string) string {
	return func(name string) string {
		if name == variable {
			return value
		}
		return ""
	}
}

func TestNewSpendingCap(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		arg     types.Int64
		env     string
		want    int64 // -1: no cap
		wantErr bool
	}{
		{"unset", types.Int64Null(), "", -1, false},
		{"argument", types.Int64Value(3), "9", 3, false},
		{"zero", types.Int64Value(0), "", 0, false},
		{"environment", types.Int64Null(), " 7 ", 7, false},
		{"unknown", types.Int64Unknown(), "7", -1, false},
		{"not a number", types.Int64Null(), "7.5", -1, true},
		{"negative", types.Int64Null(), "-2", -1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var diags diag.Diagnostics
			c := newSpendingCap(tc.arg, oneVariable(envMaxNewImages, tc.env), &diags)
			got := int64(-1)
			if c != nil {
				got = c.limit
			}
			if got != tc.want || diags.HasError() != tc.wantErr {
				t.Errorf("limit %d, error %v; want %d, %v (%v)", got, diags.HasError(), tc.want, tc.wantErr, diags)
			}
		})
	}
}
