package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// pastRetention moves a clock past Akool's 7 days.
const pastRetention = 8 * 24 * time.Hour

// expectExpiresAt asserts that expires_at is created_at plus 7 days, in
// RFC 3339, for the resource or data source at address.
func expectExpiresAt(address string) tfresource.TestCheckFunc {
	return func(s *terraform.State) error {
		r, ok := s.RootModule().Resources[address]
		if !ok {
			return fmt.Errorf("%s is not in state", address)
		}
		created, err := time.Parse(time.RFC3339, r.Primary.Attributes["created_at"])
		if err != nil {
			return fmt.Errorf("%s: created_at: %w", address, err)
		}
		expiresAt := r.Primary.Attributes["expires_at"]
		if want := created.Add(7 * 24 * time.Hour).UTC().Format(time.RFC3339); expiresAt != want {
			return fmt.Errorf("%s: expires_at = %q, want %q (created_at %s plus 7 days)", address, expiresAt, want, r.Primary.Attributes["created_at"])
		}
		return nil
	}
}

// expectNoUnknownValues fails when the plan leaves any attribute of address
// unknown ("known after apply").
func expectNoUnknownValues(address string) plancheck.PlanCheck { return noUnknownValues{address} }

type noUnknownValues struct{ address string }

func (c noUnknownValues) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != c.address {
			continue
		}
		if unknown := unknownPaths("", rc.Change.AfterUnknown); len(unknown) > 0 {
			resp.Error = fmt.Errorf("%s: the plan shows known after apply for %s", c.address, strings.Join(unknown, ", "))
		}
		return
	}
	resp.Error = fmt.Errorf("%s is not in the plan", c.address)
}

// unknownPaths lists the paths that Terraform's after_unknown marks true.
func unknownPaths(prefix string, v any) []string {
	var paths []string
	switch v := v.(type) {
	case bool:
		if v {
			paths = append(paths, prefix)
		}
	case map[string]any:
		for k, e := range v {
			paths = append(paths, unknownPaths(strings.TrimPrefix(prefix+"."+k, "."), e)...)
		}
	case []any:
		for i, e := range v {
			paths = append(paths, unknownPaths(fmt.Sprintf("%s[%d]", prefix, i), e)...)
		}
	}
	return paths
}

// Before expiry, expires_at is created_at plus 7 days and expired is false,
// and an in-place change plans neither as unknown. Past the 7 days (Akool
// answers 1008), refresh sets expired, keeps every last known value, and
// nothing is planned or generated; an in-place change still works and keeps
// them.
func TestAccGeneratedImage_expiry(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	config := func(webhook string) string {
		c := testAccProviderConfig(url) + `
resource "akool_generated_image" "test" {
  prompt = "a harbor crane at first light"
`
		if webhook != "" {
			c += fmt.Sprintf("  webhook_url = %q\n", webhook)
		}
		return c + "}\n"
	}
	sameID := sameValue(testAccImageAddress, "id")
	sameURL := sameValue(testAccImageAddress, "image_url")
	sameGrid := sameValue(testAccImageAddress, "upscaled_urls")
	sameExpiry := sameValue(testAccImageAddress, "expires_at")
	kept := func(expired bool) []statecheck.StateCheck {
		return []statecheck.StateCheck{
			sameID(),
			sameURL(),
			sameGrid(),
			sameExpiry(),
			expectExpired(testAccImageAddress, expired),
			expectString(testAccImageAddress, "status", "completed"),
			expectListSize(testAccImageAddress, "upscaled_urls", 4),
		}
	}

	accTestOnClock(t, e, []tfresource.TestStep{
		{
			Config:            config(""),
			ConfigPlanChecks:  settledPlan(),
			ConfigStateChecks: append(kept(false), completedImageChecks(testAccImageAddress)...),
			Check:             tfresource.ComposeTestCheckFunc(expectExpiresAt(testAccImageAddress), expectCreates(e, 1)),
		},
		{
			// An in-place change plans the expiry attributes as they are.
			Config: config("https://hooks.example.com/a"),
			ConfigPlanChecks: preApply(
				plansUpdate(testAccImageAddress),
				plansValue(testAccImageAddress, "expires_at", knownvalue.StringRegexp(rfc3339Pattern)),
				plansValue(testAccImageAddress, "expired", knownvalue.Bool(false)),
				expectNoUnknownValues(testAccImageAddress),
			),
			ConfigStateChecks: kept(false),
			Check:             expectCreates(e, 1),
		},
		{
			// Past Akool's 7 days: nothing planned, everything kept.
			PreConfig:         func() { e.Clock().Advance(pastRetention) },
			Config:            config("https://hooks.example.com/a"),
			ConfigPlanChecks:  settledPlan(plansNothing()),
			ConfigStateChecks: kept(true),
			Check: tfresource.ComposeTestCheckFunc(
				expectExpiresAt(testAccImageAddress),
				expectCreates(e, 1),
				expectCreateAttempts(e, 1),
			),
		},
		{
			// An expired image still changes in place, without unknowns.
			Config: config("https://hooks.example.com/b"),
			ConfigPlanChecks: settledPlan(
				plansUpdate(testAccImageAddress),
				plansValue(testAccImageAddress, "expired", knownvalue.Bool(true)),
				expectNoUnknownValues(testAccImageAddress),
			),
			ConfigStateChecks: append(kept(true),
				expectString(testAccImageAddress, "webhook_url", "https://hooks.example.com/b")),
			Check: tfresource.ComposeTestCheckFunc(expectCreates(e, 1), expectCreateAttempts(e, 1)),
		},
	})
}

// The plan after expiry warns about each expired image, naming its id and
// resource type and saying that its URLs no longer serve, and exits without
// changes; an apply then records expired = true and keeps the last known
// values.
func TestAccImageResources_expiredPlanWarning(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	h := appliedOnClock(t, e, testAccGridUpscaleVariation(url, "a rope bridge over a gorge", 2, 3))
	addresses := []string{testAccGridAddress, testAccUpscaleAddress, testAccVariationAddress}
	before := expectExpiredFlags(t, h, false, "before expiry", addresses)

	e.Clock().Advance(pastRetention)
	res := h.expectNoChanges("after expiry")
	if res.mentions("known after apply") || res.mentions("similar warnings") {
		t.Errorf("plan after expiry shows values known after apply, or hides warnings:\n%s", res.output())
	}
	res.expectMentions(t, "plan", fmt.Sprintf("Warning: Image Expired: akool_image_upscale %s", before[testAccUpscaleAddress]["id"]),
		fmt.Sprintf("Image %s (akool_generated_image) expired at", before[testAccGridAddress]["id"]),
		fmt.Sprintf("Upscale %s (akool_image_upscale) expired at", before[testAccUpscaleAddress]["id"]),
		fmt.Sprintf("Variation %s (akool_image_variation) expired at", before[testAccVariationAddress]["id"]),
		"its URLs (image_url and upscaled_urls) no longer serve",
		"its URLs (image_url) no longer serve",
		"expired = true",
		"change a value in its triggers")

	if res := h.apply(); res.exitCode != 0 || !res.mentions("No changes") {
		t.Fatalf("apply after expiry: exit %d, want no changes:\n%s", res.exitCode, res.output())
	}
	for address, after := range expectExpiredFlags(t, h, true, "after expiry", addresses) {
		for _, name := range []string{"id", "status", "image_url", "created_at", "expires_at", "deduction_credit"} {
			if got, want := after[name], before[address][name]; got != want || got == nil {
				t.Errorf("%s: %s = %v after expiry, want the last known %v", address, name, got, want)
			}
		}
	}
	expectEmulatorCalls(t, e, 1, 2, "the grid and its two presses, and nothing after expiry")
}

// expectExpiredFlags asserts that the resources at addresses are in state
// with expired = want (when says at what point), and returns their
// attribute values by address.
func expectExpiredFlags(t *testing.T, h *tfHarness, want bool, when string, addresses []string) map[string]map[string]any {
	t.Helper()
	values := map[string]map[string]any{}
	for _, address := range addresses {
		r := h.resource(address)
		if r == nil {
			t.Fatalf("%s is not in state %s", address, when)
		}
		if r.AttributeValues["expired"] != want {
			t.Errorf("%s: expired = %v %s, want %v", address, r.AttributeValues["expired"], when, want)
		}
		values[address] = r.AttributeValues
	}
	return values
}

// When Akool still reports a job whose 7 days are over (the date is the
// fallback), the image counts as expired too: expired = true with a warning
// on the resources and on the data source, and nothing is planned.
func TestAccImageResources_expiredByDate(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	h := newTFHarness(t)
	// The provider's clock runs 8 days ahead of Akool's: Akool still serves
	// the jobs created now, while by the provider's clock their 7 days are over.
	h.clock = clockAhead(pastRetention)
	h.initWith(testAccGridConfig(url, "a snow plough at night") +
		testAccButtonBlock("akool_image_upscale", "test", "akool_generated_image.grid.id", 1, "") +
		testAccImageDataBlock("grid", "akool_generated_image.grid.id"))
	h.mustApply()

	res := h.expectNoChanges("past the 7 days")
	grid, upscale := h.resource(testAccGridAddress), h.resource("akool_image_upscale.test")
	if grid == nil || upscale == nil {
		t.Fatal("the images are not in state")
	}
	res.expectMentions(t, "plan", fmt.Sprintf("Warning: Image Expired: akool_generated_image %s", grid.AttributeValues["id"]),
		fmt.Sprintf("Image %s (akool_generated_image) expired at %s", grid.AttributeValues["id"], grid.AttributeValues["expires_at"]),
		fmt.Sprintf("Upscale %s (akool_image_upscale) expired at", upscale.AttributeValues["id"]),
		fmt.Sprintf("Image %s (data source akool_image) expired at", grid.AttributeValues["id"]),
		"no longer serve")
	for _, r := range []map[string]any{grid.AttributeValues, upscale.AttributeValues} {
		if r["expired"] != true || r["status"] != "completed" || r["image_url"] == nil {
			t.Errorf("%s: expired = %v, status = %v, image_url = %v; want expired with what Akool reports", r["id"], r["expired"], r["status"], r["image_url"])
		}
	}
	if c := e.Counters(); c.CreateAttempts != 2 {
		t.Errorf("create attempts = %d, want 2 (one generation, one press)", c.CreateAttempts)
	}
}

// The upscale and the variation: expires_at before expiry; past it, expired
// with their last known values, an empty plan, and nothing pressed again.
func TestAccImageButtons_expiry(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	const upscale, variation = testAccUpscaleAddress, testAccVariationAddress
	config := testAccGridUpscaleVariation(url, "a glasshouse in the rain", 4, 1)
	var same []func() statecheck.StateCheck
	for _, c := range []struct{ address, attribute string }{
		{upscale, "id"}, {upscale, "image_url"}, {upscale, "expires_at"},
		{variation, "id"}, {variation, "image_url"}, {variation, "upscaled_urls"}, {variation, "buttons"}, {variation, "expires_at"},
	} {
		same = append(same, sameValue(c.address, c.attribute))
	}
	checks := func(expired bool) []statecheck.StateCheck {
		var checks []statecheck.StateCheck
		for _, s := range same {
			checks = append(checks, s())
		}
		for _, address := range []string{testAccGridAddress, upscale, variation} {
			checks = append(checks, expectExpired(address, expired))
		}
		return checks
	}

	accTestOnClock(t, e, []tfresource.TestStep{
		{
			Config:            config,
			ConfigStateChecks: checks(false),
			Check: tfresource.ComposeTestCheckFunc(
				expectExpiresAt(upscale), expectExpiresAt(variation), expectPresses(e, 2)),
		},
		{
			PreConfig:        func() { e.Clock().Advance(pastRetention) },
			Config:           config,
			ConfigPlanChecks: settledPlan(plansNothing()),
			ConfigStateChecks: append(checks(true),
				expectString(upscale, "status", "completed"),
				expectListSize(variation, "upscaled_urls", 4)),
			Check: tfresource.ComposeTestCheckFunc(
				expectExpiresAt(upscale), expectExpiresAt(variation),
				expectPresses(e, 2), expectCreates(e, 1), expectCreateAttempts(e, 3)),
		},
	})
}

// The data source reports expires_at and expired. An id Akool no longer
// knows whose own timestamp is younger than 7 days (here the emulator's clock
// moved on, the id's did not) is an error that says the image may have
// expired; TestAccImageDataSource_expiredID covers an old id.
func TestAccImageDataSource_expiry(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	config := testAccImageConfig(url, "a lamplit alley") + testAccImageDataBlock("test", "akool_generated_image.test.id")
	accTest(t, []tfresource.TestStep{
		{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				expectExpired("data.akool_image.test", false),
				expectSameAs("data.akool_image.test", "expires_at", testAccImageAddress, "expires_at"),
			},
			Check: expectExpiresAt("data.akool_image.test"),
		},
		{
			PreConfig:   func() { e.Clock().Advance(pastRetention) },
			Config:      config,
			ExpectError: errorPattern("Image Not Found", "code 1008", "expired", "7 days after generation"),
		},
	})
}

func TestExpiry(t *testing.T) {
	created := time.Date(2025, 3, 1, 9, 30, 15, 500_000_000, time.UTC)
	expiresAt := created.Add(7 * 24 * time.Hour)
	tests := []struct {
		name        string
		created     time.Time
		now         time.Time
		wantExpires types.String
		wantExpired bool
	}{
		{"no creation time", time.Time{}, expiresAt, types.StringNull(), false},
		{"fresh", created, created.Add(time.Hour), types.StringValue("2025-03-08T09:30:15Z"), false},
		{"a moment before", created, expiresAt.Add(-time.Millisecond), types.StringValue("2025-03-08T09:30:15Z"), false},
		{"at expiry", created, expiresAt, types.StringValue("2025-03-08T09:30:15Z"), true},
		{"long after", created, expiresAt.Add(90 * 24 * time.Hour), types.StringValue("2025-03-08T09:30:15Z"), true},
		{"another zone", created.In(time.FixedZone("UTC+9", 9*3600)), created, types.StringValue("2025-03-08T09:30:15Z"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gotExpires, gotExpired := expiry(tt.created, tt.now)
			if !gotExpires.Equal(tt.wantExpires) || gotExpired.IsNull() || gotExpired.ValueBool() != tt.wantExpired {
				t.Errorf("expiry = %s, %s; want %s, %t", gotExpires, gotExpired, tt.wantExpires, tt.wantExpired)
			}
		})
	}
}

// markExpired keeps every last known value and only sets expired (and
// expires_at, for a state written before it existed).
func TestMarkExpired(t *testing.T) {
	base := jobResultModel{
		ID:              types.StringValue("662a10df4197b3af58532e89"),
		Status:          types.StringValue("completed"),
		ImageURL:        types.StringValue("https://cdn.example.com/a.png"),
		DeductionCredit: types.Float64Value(4),
		CreatedAt:       types.StringValue("2025-03-01T09:30:15Z"),
		ExpiresAt:       types.StringNull(),
		Expired:         types.BoolNull(),
	}
	m := base
	m.markExpired()
	want := base
	want.ExpiresAt, want.Expired = types.StringValue("2025-03-08T09:30:15Z"), types.BoolValue(true)
	if m != want {
		t.Errorf("markExpired: %+v, want %+v", m, want)
	}

	noTime := base
	noTime.CreatedAt = types.StringNull()
	noTime.markExpired()
	if !noTime.ExpiresAt.IsNull() || !noTime.Expired.ValueBool() || noTime.ImageURL != base.ImageURL {
		t.Errorf("markExpired without created_at: %+v; want expired, expires_at null, values kept", noTime)
	}
}

func TestRefreshExpiryByDate(t *testing.T) {
	created := time.Date(2025, 3, 1, 9, 30, 15, 0, time.UTC)
	model := func(expiresAt types.String, expired types.Bool) jobResultModel {
		return jobResultModel{
			ID:        types.StringValue("662a10df4197b3af58532e89"),
			CreatedAt: types.StringValue(created.Format(time.RFC3339)),
			ExpiresAt: expiresAt,
			Expired:   expired,
		}
	}
	expiresAt := types.StringValue("2025-03-08T09:30:15Z")
	tests := []struct {
		name        string
		m           jobResultModel
		now         time.Time
		wantChanged bool
		wantExpired bool
	}{
		{"fresh, nothing to change", model(expiresAt, types.BoolValue(false)), created.Add(time.Hour), false, false},
		{"the date has passed", model(expiresAt, types.BoolValue(false)), created.Add(8 * 24 * time.Hour), true, true},
		{"already expired stays so", model(expiresAt, types.BoolValue(true)), created, false, true},
		{"a state without the attributes", model(types.StringNull(), types.BoolNull()), created.Add(time.Hour), true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := tt.m
			changed := m.refreshExpiryByDate(tt.now)
			if changed != tt.wantChanged || m.Expired.ValueBool() != tt.wantExpired || !m.ExpiresAt.Equal(expiresAt) {
				t.Errorf("refreshExpiryByDate = %t, expired %s, expires_at %s; want %t, %t, %s",
					changed, m.Expired, m.ExpiresAt, tt.wantChanged, tt.wantExpired, expiresAt)
			}
		})
	}

	noTime := jobResultModel{CreatedAt: types.StringNull(), ExpiresAt: types.StringNull(), Expired: types.BoolNull()}
	if noTime.refreshExpiryByDate(created) || !noTime.Expired.IsNull() {
		t.Errorf("without created_at: changed the model to %+v", noTime)
	}
}

// Each warning names the job, its resource type and the URLs that stopped
// serving, and says how to regenerate deliberately.
func TestExpiryWarnings(t *testing.T) {
	m := &jobResultModel{
		ID:        types.StringValue("662a10df4197b3af58532e89"),
		ExpiresAt: types.StringValue("2025-03-08T09:30:15Z"),
		Expired:   types.BoolValue(true),
	}
	tests := []struct {
		name     string
		diags    diag.Diagnostics
		summary  string
		mentions []string
	}{
		{"gone image", diag.Diagnostics{goneWarning(generatedImageExpiry, m)}, "Image No Longer Known to Akool",
			[]string{"code 1008 (not found) for image 662a10df4197b3af58532e89 (akool_generated_image)", "until 2025-03-08T09:30:15Z",
				"image_url and upscaled_urls", "no longer serve", "expired = true", "triggers", "-replace"}},
		{"gone upscale", diag.Diagnostics{goneWarning(upscaleKind.expiryWords(), m)}, "Image No Longer Known to Akool",
			[]string{"upscale 662a10df4197b3af58532e89 (akool_image_upscale)", "URLs (image_url) no longer serve",
				"a new upscale needs a new parent image", "parent's triggers"}},
		{"expired variation", expiredWarning(variationKind.expiryWords(), m), "Image Expired",
			[]string{"Variation 662a10df4197b3af58532e89 (akool_image_variation) expired at 2025-03-08T09:30:15Z",
				"image_url and upscaled_urls", "no longer serve"}},
		{"expired data source", expiredWarning(imageDataSourceExpiry, m), "Image Expired",
			[]string{"(data source akool_image)", "no longer serve"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.diags) != 1 || tt.diags[0].Severity() != diag.SeverityWarning || !strings.HasPrefix(tt.diags[0].Summary(), tt.summary+": ") ||
				!strings.HasSuffix(tt.diags[0].Summary(), " 662a10df4197b3af58532e89") {
				t.Fatalf("diagnostics = %v, want one warning %q naming the type and id", tt.diags, tt.summary)
			}
			for _, want := range tt.mentions {
				if !strings.Contains(tt.diags[0].Detail(), want) {
					t.Errorf("detail does not mention %q: %s", want, tt.diags[0].Detail())
				}
			}
		})
	}

	fresh := *m
	fresh.Expired = types.BoolValue(false)
	if diags := expiredWarning(generatedImageExpiry, &fresh); len(diags) != 0 {
		t.Errorf("a fresh image warned: %v", diags)
	}
}

// When the provider cannot ask Akool (not configured yet while planning),
// refresh still applies the date: an image past its 7 days becomes expired,
// with a warning, and keeps its values.
func TestGeneratedImageRead_expiredByDateWithoutClient(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2025, 3, 1, 9, 30, 15, 0, time.UTC)
	r := &generatedImageResource{configuredResource{data: &providerData{unconfigured: "the provider argument(s) api_key were not known yet", clock: fixedClock(now)}}}
	created := now.Add(-pastRetention)

	for _, tt := range []struct {
		name        string
		created     time.Time
		wantExpired bool
	}{{"past the 7 days", created, true}, {"fresh", now, false}} {
		t.Run(tt.name, func(t *testing.T) {
			resp := readResource(ctx, r, testState(t, r, map[string]any{
				"id": "662a10df4197b3af58532e89", "status": "completed", "image_url": "https://cdn.example.com/a.png",
				"created_at": tt.created.Format(time.RFC3339),
			}))

			var m generatedImageModel
			if diags := resp.State.Get(ctx, &m); diags.HasError() || resp.Diagnostics.HasError() {
				t.Fatalf("read: %v %v", resp.Diagnostics, diags)
			}
			if m.Expired.ValueBool() != tt.wantExpired || m.ExpiresAt.ValueString() != tt.created.Add(7*24*time.Hour).Format(time.RFC3339) {
				t.Errorf("expired = %s, expires_at = %s; want %t, created_at plus 7 days", m.Expired, m.ExpiresAt, tt.wantExpired)
			}
			if m.ImageURL.ValueString() != "https://cdn.example.com/a.png" || m.Status.ValueString() != "completed" {
				t.Errorf("values not kept: image_url = %s, status = %s", m.ImageURL, m.Status)
			}
			warned := false
			for _, d := range resp.Diagnostics.Warnings() {
				warned = warned || strings.HasPrefix(d.Summary(), "Image Expired: akool_generated_image 662a10df4197b3af58532e89")
			}
			if warned != tt.wantExpired {
				t.Errorf("expiry warning given = %t, want %t: %v", warned, tt.wantExpired, resp.Diagnostics)
			}
		})
	}
}

// An image whose 7 days have passed is not read again: the refresh that
// learns it by the date (on the emulator's clock, where Akool answers 1008
// by then) asks Akool nothing, and every later plan keeps its state and
// warning without asking either.
func TestAccGeneratedImage_expiredNotReadAgain_emulatorCounters(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	h := appliedOnClock(t, e, testAccImageConfig(url, "a lamp post in fog"))
	img := h.resource(testAccImageAddress)
	if img == nil {
		t.Fatal("the image is not in state")
	}
	id, _ := img.AttributeValues["id"].(string)
	reads := func() int { return e.Counters().ReadsByID[id] }

	e.Clock().Advance(pastRetention)
	before := reads()
	if res := h.run("apply", "-refresh-only", "-auto-approve", "-input=false"); res.exitCode != 0 {
		t.Fatalf("refresh failed:\n%s", res.output())
	}
	if got := reads() - before; got != 0 {
		t.Errorf("the refresh past the 7 days read the image %d times, want 0: the date says it expired", got)
	}
	if img := h.resource(testAccImageAddress); img == nil || img.AttributeValues["expired"] != true {
		t.Fatalf("after the refresh the image is not expired in state")
	}
	before = reads()
	for range 2 {
		res := h.run("plan", "-detailed-exitcode", "-input=false")
		if res.exitCode != 0 || !res.mentions("Image Expired: akool_generated_image "+id) {
			t.Errorf("plan exited %d, want 0 with the expiry warning:\n%s", res.exitCode, res.output())
		}
	}
	if got := reads() - before; got != 0 {
		t.Errorf("two plans over the expired image read it %d times, want 0", got)
	}
}
