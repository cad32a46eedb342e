// Package serve serves the Akool provider to Terraform the way the released
// binary does: quiet unless logs were asked for, and with a garbage
// collector tuned for plans. The released binary and the benchmark's
// variant of it both use it, so that their figures compare.
package serve

import (
	"fmt"
	"os"
	"runtime/debug"
	"strings"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
)

// Address is the provider's source address, as Terraform resolves
// akool-community/akool.
const Address = "registry.terraform.io/akool-community/akool"

// OpenTofuAddress is the address OpenTofu resolves akool-community/akool to.
const OpenTofuAddress = "registry.opentofu.org/akool-community/akool"

// DevOverrides is a CLI configuration that makes Terraform and OpenTofu both
// run the provider binary in dir (as terraform-provider-akool) instead of
// installing it: each CLI reads its own address and ignores the other's.
func DevOverrides(dir string) string {
	return fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n    %q = %q\n  }\n  direct {}\n}\n",
		Address, dir, OpenTofuAddress, dir)
}

// Provider serves the provider that newProvider returns until Terraform
// stops it; debugger starts it with support for debuggers such as delve.
func Provider(newProvider func() provider.Provider, debugger bool) error {
	var opts []tf6server.ServeOpt
	if debugger {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	if !logsRequested(os.Environ()) {
		for _, name := range QuietLogLevels(Address) {
			if err := os.Setenv(name, "OFF"); err != nil {
				return err
			}
		}
		opts = append(opts, tf6server.WithGoPluginLogger(hclog.NewNullLogger()))
	}
	TuneGC(os.Getenv)
	return tf6server.Serve(Address, providerserver.NewProtocol6(newProvider()), opts...)
}

// QuietLogLevels returns the logger levels to turn OFF when nobody asked for
// logs: the SDK's root logger, its protocol and framework subsystems, and
// the logger of the provider at address, which the SDK names after the
// last part of the address.
//
// Terraform shows a provider's logs only when a TF_LOG variable asks for
// them. The SDK's loggers do not know that: unset, their levels default to
// TRACE, and every line of every request is formatted as JSON, sent to
// Terraform and parsed there, only to be dropped; that was the largest part
// of a plan's cost beside the framework's own work. The SDK reads these
// levels from the environment at every request; with any TF_LOG variable
// set, they are left alone and the logs are what the SDK gives by default.
func QuietLogLevels(address string) []string {
	name := address[strings.LastIndex(address, "/")+1:]
	return []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK",
		"TF_LOG_PROVIDER_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))}
}

// logsRequested reports whether the environment asks Terraform or the SDK
// for logs: any non-empty TF_LOG, TF_LOG_PATH, TF_LOG_PROVIDER*, TF_LOG_SDK*
// or other TF_LOG* variable.
func logsRequested(environ []string) bool {
	for _, kv := range environ {
		name, value, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "TF_LOG") && value != "" {
			return true
		}
	}
	return false
}

// TuneGC trades memory for CPU unless the user set GOGC or GOMEMLIMIT.
// Every request of a plan leaves garbage behind (the framework's values
// and paths), and collecting it at Go's default pace took about a third
// of the provider's CPU in a plan; so the collector runs less often
// (GOGC=400, a heap of five times what is alive). A soft memory limit of
// max(96 MiB, three times the live heap), set again after every
// collection, keeps a small workspace's heap below 96 MiB, and a large
// one's below three times what is alive.
//
// The live heap grows with the resources of a run, by about 50 kB each
// (in a framework provider that does nothing as much as in this one: the
// framework's requests leave it behind), so a fixed limit would not do:
// once the live heap nears it, the collector runs almost without a pause.
func TuneGC(getenv func(string) string) { tuneGC(getenv) }

// tuneGC is TuneGC; stop ends the following of the live heap, for tests.
func tuneGC(getenv func(string) string) (stop func()) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	return followLiveHeap(func(live uint64) { debug.SetMemoryLimit(softLimit(live)) })
}

const (
	gcPercent = 400
	// minSoftLimit and liveHeapShare make the soft memory limit: the
	// larger of minSoftLimit and liveHeapShare times the live heap. In a
	// -refresh=false plan of 3,000 images (one plan each, on a busy
	// machine) the provider spent 9 s of CPU and peaked at 790 MiB with
	// no limit, 12 s and 500 MiB with three times the live heap, 15 s and
	// 330 MiB at Go's default pace, and 31-33 s and 200 MiB under a fixed
	// 96 MiB.
	minSoftLimit  = 96 << 20
	liveHeapShare = 3
)

// softLimit is the soft memory limit for a live heap of live bytes.
func softLimit(live uint64) int64 {
	return int64(max(minSoftLimit, liveHeapShare*live))
}
