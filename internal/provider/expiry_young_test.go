package provider

import (
	"reflect"
	"testing"
	"time"

	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/akool-community/terraform-provider-akool/internal/emulator"
)

// A finished image that Akool answers 1008 for once, a day after it was
// made (a read served by a replica that has not caught up, or a run with
// another account's key), is not marked expired: its id says it is younger
// than Akool's 7 days. The refresh warns and keeps every value, nothing is
// planned, and the next refresh reads it again and warns no more. Jobs
// made by a button follow the same rule. It relies on the emulator's
// LagReads, and on its clock, which the provider reads too.
func TestAccImageResources_youngNotFound_emulatorLag(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	config := testAccGridConfig(url, "a quay that a replica has not seen") +
		testAccButtonBlock("akool_image_upscale", "up", testAccGridAddress+".id", 2, "")
	h := clockHarness(t, e, config)
	h.mustApply()
	addresses := []string{testAccGridAddress, testAccUpscaleAddress}
	before := stateValues(h.state())
	ids := make([]string, len(addresses))
	for i, address := range addresses {
		id, _ := before[address]["id"].(string)
		h.expectFinishedJob(address, id)
		ids[i] = id
	}

	e.Clock().Advance(24 * time.Hour)
	for _, id := range ids {
		e.LagReads(id, 1)
	}
	res := h.mustRun("apply", "-refresh-only", "-auto-approve", "-input=false")
	res.expectMentions(t, "refresh", "Warning: Image Not Found by Akool: akool_generated_image "+ids[0],
		"Warning: Image Not Found by Akool: akool_image_upscale "+ids[1], "cannot have expired yet",
		"the next refresh (terraform plan or terraform apply) reads it again")
	if res.mentions("No Longer Known") || res.mentions("Image Expired") {
		t.Errorf("refresh calls a one-day-old image expired:\n%s", res.output())
	}
	after := stateValues(h.state())
	for _, address := range addresses {
		for _, attr := range []string{"id", "image_url", "upscaled_urls", "expires_at", "expired", "status"} {
			if !reflect.DeepEqual(after[address][attr], before[address][attr]) {
				t.Errorf("%s.%s = %v after the lagging read, want %v as before", address, attr, after[address][attr], before[address][attr])
			}
		}
	}

	reads := e.Counters().ReadsByID
	res = h.expectNoChanges("after the lagging read")
	if res.mentions("Warning") {
		t.Errorf("plan once Akool shows the images again still warns:\n%s", res.output())
	}
	readsNow := e.Counters().ReadsByID
	for _, id := range ids {
		if readsNow[id] <= reads[id] {
			t.Errorf("job %s was not read again by the plan after the lagging read", id)
		}
	}
}

// Tests that move the emulator's clock past Akool's 7 days run the
// provider on that clock too, as a real provider and Akool agree on the
// date: with the provider's own, the images would still be young by their
// ids, and a 1008 would not expire them (see the test above).

// accTestOnClock is accTest with the provider on the emulator's clock.
func accTestOnClock(t *testing.T, e *emulator.Emulator, steps []tfresource.TestStep) {
	t.Helper()
	accTestCase(t, tfresource.TestCase{ProtoV6ProviderFactories: testAccProtoV6ProviderFactoriesWithClock(e.Clock().Now), Steps: steps})
}

// appliedOnClock is newAppliedHarness with the provider on the emulator's
// clock.
func appliedOnClock(t *testing.T, e *emulator.Emulator, config string) *tfHarness {
	t.Helper()
	h := clockHarness(t, e, config)
	h.mustApply()
	return h
}
