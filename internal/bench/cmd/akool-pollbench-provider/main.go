// Command akool-pollbench-provider is the Akool provider with a peer
// provider's poll strategy, for make bench only: it compares the provider's
// own policy with a fixed 5 s poll and an exponential backoff. Terraform's
// dev_overrides runs the binary named terraform-provider-akool in a
// directory, so make bench builds it as bin/bench-poll/terraform-provider-akool.
//
// The strategy comes from AKOOL_BENCH_POLL (fixed5s or exponential), which
// the benchmark sets for terraform and Terraform passes on to the provider.
// It is served as the released binary is (internal/serve), so that the
// strategies' figures compare.
package main

import (
	"fmt"
	"log"
	"os"
	"time"

	"github.com/akool-community/terraform-provider-akool/internal/akool"
	"github.com/akool-community/terraform-provider-akool/internal/provider"
	"github.com/akool-community/terraform-provider-akool/internal/serve"
)

// envStrategy names the poll strategy to serve the provider with.
const envStrategy = "AKOOL_BENCH_POLL"

func main() {
	newPoll, err := strategy(os.Getenv(envStrategy))
	if err != nil {
		log.Fatal(err)
	}
	if err := serve.Provider(provider.NewWithPollPolicy("dev", newPoll), false); err != nil {
		log.Fatal(err)
	}
}

// strategy returns the constructor of the named peer poll policy.
func strategy(name string) (func() akool.PollPolicy, error) {
	switch name {
	case "fixed5s":
		return func() akool.PollPolicy { return akool.FixedPoll(5 * time.Second) }, nil
	case "exponential":
		return func() akool.PollPolicy { return akool.ExponentialPoll(500*time.Millisecond, 10*time.Second) }, nil
	default:
		return nil, fmt.Errorf("%s is %q; set it to fixed5s or exponential (the provider's own strategy is the released binary's)", envStrategy, name)
	}
}
