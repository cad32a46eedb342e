package provider

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/akool-community/terraform-provider-akool/internal/akool"
	"github.com/akool-community/terraform-provider-akool/internal/emulator"
)

// countingPoll is a fixed poll that counts the jobs it follows.
type countingPoll struct{ follows *atomic.Int64 }

func (p countingPoll) Follow(id string, created time.Time) akool.PollTimer {
	p.follows.Add(1)
	return akool.FixedPoll(100*time.Millisecond).Follow(id, created)
}

// TestAccProvider_pollPolicyHook checks that the policy given to
// NewWithPollPolicy, which the benchmark serves the peers' strategies with,
// is the one that waits for the provider's jobs.
func TestAccProvider_pollPolicyHook(t *testing.T) {
	var policies, follows atomic.Int64
	newPoll := func() akool.PollPolicy {
		policies.Add(1)
		return countingPoll{follows: &follows}
	}
	_, endpoint := emulator.NewServer(t, emulator.Options{APIKey: testAccAPIKey, QueueTime: 100 * time.Millisecond, ProcessTime: 300 * time.Millisecond})
	accTestCase(t, tfresource.TestCase{
		ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
			"akool": providerserver.NewProtocol6WithError(NewWithPollPolicy("test", newPoll)()),
		},
		Steps: []tfresource.TestStep{{
			Config: testAccImageConfig(endpoint, "a lighthouse"),
			Check: func(*terraform.State) error {
				if policies.Load() == 0 {
					return fmt.Errorf("the provider never asked NewWithPollPolicy's constructor for a policy")
				}
				if follows.Load() == 0 {
					return fmt.Errorf("the provider waited for its job without the policy given to NewWithPollPolicy")
				}
				return nil
			},
		}},
	})
}
