package provider

import (
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// testAccProtoV6ProviderFactoriesWithClock serves the provider as
// testAccProtoV6ProviderFactories does, reading its time from now: a test
// sets the provider's "now" without moving the emulator's clock.
func testAccProtoV6ProviderFactoriesWithClock(now clock) map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"akool": providerserver.NewProtocol6WithError(newProvider("test", now)),
	}
}

// clockAhead is the system's time plus d.
func clockAhead(d time.Duration) clock {
	return func() time.Time { return time.Now().Add(d) }
}

// fixedClock always reads at.
func fixedClock(at time.Time) clock {
	return func() time.Time { return at }
}
