package provider

import "time"

// clock tells the time. The provider reads "now" only through the clock its
// providerData holds, as terraform-provider-time does, so that tests can set
// the provider's time without moving Akool's.
type clock func() time.Time

// systemClock is the real time.
var systemClock clock = time.Now

// now is the time on d's clock: the system's unless the provider was made
// with another.
func (d *providerData) now() time.Time {
	if d == nil || d.clock == nil {
		return systemClock()
	}
	return d.clock()
}
