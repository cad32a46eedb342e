package provider

import (
	"fmt"
	"testing"

	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/akool-community/terraform-provider-akool/internal/emulator"
)

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
