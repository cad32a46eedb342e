package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/akool-community/terraform-provider-akool/internal/bench"
	"github.com/akool-community/terraform-provider-akool/internal/serve"
)

// benchmark is one run of the whole benchmark.
type benchmark struct {
	ctx  context.Context // ends on SIGINT or SIGTERM
	opts options
	out  io.Writer
	root string // working directory for everything
	tfrc string // the CLI configuration that runs the released provider
	// pollTfrc runs the variant with a peer's poll strategy instead; set
	// only when a peer strategy is measured.
	pollTfrc string
	apiKey   string
	started  time.Time

	applies  []bench.Apply
	checks   []bench.Check
	plans    *bench.Plans
	thousand *bench.Thousand
	shared   []bench.Shared // one for each round trip
	scale    []bench.ScalePoint
}

func newBench(ctx context.Context, opts options, out io.Writer) (*benchmark, error) {
	provider, err := filepath.Abs(opts.provider)
	if err != nil {
		return nil, err
	}
	if st, err := os.Stat(provider); err != nil || st.IsDir() {
		return nil, fmt.Errorf("provider binary %s not found (build it with: go build -o %s)", provider, opts.provider)
	}
	opts.provider = provider
	if slices.ContainsFunc(opts.strategies, isPeer) {
		poll, err := filepath.Abs(opts.pollProvider)
		if err != nil {
			return nil, err
		}
		// dev_overrides runs the binary named terraform-provider-akool in the
		// directory it maps the provider to: the variant needs its own.
		if st, err := os.Stat(poll); err != nil || st.IsDir() || filepath.Base(poll) != "terraform-provider-akool" || filepath.Dir(poll) == filepath.Dir(provider) {
			return nil, fmt.Errorf("the peers' poll strategies need the provider variant at %s, named terraform-provider-akool in a directory of its own "+
				"(build it with: go build -o bin/bench-poll/terraform-provider-akool ./internal/bench/cmd/akool-pollbench-provider)", poll)
		}
		opts.pollProvider = poll
	} else {
		opts.pollProvider = ""
	}
	floor, err := filepath.Abs(opts.floor)
	if err != nil {
		return nil, err
	}
	if st, err := os.Stat(floor); err != nil || st.IsDir() || filepath.Base(floor) != "terraform-provider-benchfloor" {
		return nil, fmt.Errorf("floor provider binary %s not found (build it with: go build -o bin/benchfloor/ ./internal/bench/cmd/terraform-provider-benchfloor)", floor)
	}
	opts.floor = floor // absolute, as the memory sampler finds the binary
	if _, err := exec.LookPath(opts.terraform); err != nil {
		return nil, fmt.Errorf("terraform CLI %q not found: %w", opts.terraform, err)
	}
	root, err := os.MkdirTemp("", "akool-bench-")
	if err != nil {
		return nil, err
	}
	b := &benchmark{ctx: ctx, opts: opts, out: out, root: root, tfrc: filepath.Join(root, "dev.tfrc"), started: time.Now()}
	if err := writeCLIConfig(b.tfrc, provider, floor); err != nil {
		return nil, err
	}
	if opts.pollProvider != "" {
		b.pollTfrc = filepath.Join(root, "dev-poll.tfrc")
		if err := writeCLIConfig(b.pollTfrc, opts.pollProvider, floor); err != nil {
			return nil, err
		}
	}
	key := make([]byte, 8)
	_, _ = rand.Read(key)
	b.apiKey = "bench-" + hex.EncodeToString(key)
	return b, nil
}

// writeCLIConfig writes a CLI configuration that runs the akool and
// benchfloor providers from the directories of the given binaries, under
// the addresses of both Terraform and OpenTofu: each CLI ignores the other's.
func writeCLIConfig(path, akool, floor string) error {
	tfrc := "provider_installation {\n  dev_overrides {\n"
	for _, o := range [][2]string{
		{serve.Address, akool}, {serve.OpenTofuAddress, akool},
		{bench.FloorAddress, floor}, {bench.FloorOpenTofuAddress, floor},
	} {
		tfrc += fmt.Sprintf("    %q = %q\n", o[0], filepath.Dir(o[1]))
	}
	tfrc += "  }\n  direct {}\n}\n"
	return os.WriteFile(path, []byte(tfrc), 0o600)
}

func (b *benchmark) cleanup() {
	if b.opts.keep {
		fmt.Fprintf(b.out, "working directories kept in %s\n", b.root)
		return
	}
	_ = os.RemoveAll(b.root)
}

func (b *benchmark) logf(format string, args ...any) {
	fmt.Fprintf(b.out, "%6.1fs  %s\n", time.Since(b.started).Seconds(), fmt.Sprintf(format, args...))
}

// cliVersion is the line of `terraform version` or `tofu version` that names
// the CLI, such as "OpenTofu v1.12.6": OpenTofu may print a warning about the
// CLI configuration before it.
func cliVersion(out string) string {
	for _, line := range strings.Split(out, "\n") {
		if line = strings.TrimSpace(line); strings.HasPrefix(line, "Terraform v") || strings.HasPrefix(line, "OpenTofu v") {
			return line
		}
	}
	return "terraform CLI of unknown version"
}

func (b *benchmark) all() error {
	version, _ := exec.CommandContext(b.ctx, b.opts.terraform, "version").Output()
	b.logf("%s, %s, %d CPUs, load average %s", cliVersion(string(version)), runtime.Version(), runtime.NumCPU(), loadAverage())
	b.logf("provider %s, job seed %d", b.opts.provider, b.opts.seed)
	if b.pollTfrc != "" {
		b.logf("peers' poll strategies: %s", b.opts.pollProvider)
	}

	var profiles []profile
	for _, s := range b.opts.strategies {
		for _, p := range applyProfiles(s) {
			if b.opts.profiles[p.name] {
				profiles = append(profiles, p)
			}
		}
	}
	if b.opts.profiles["rate"] {
		profiles = append(profiles, rateProfiles()...)
	}
	for _, p := range profiles {
		a, err := b.apply(p)
		if err != nil {
			return err
		}
		b.applies = append(b.applies, a)
		switch {
		case p.maxRefusedShare > 0:
			b.checks = append(b.checks, bench.RateTargets(a, p.maxRefusedShare)...)
		case p.p50 > 0:
			b.checks = append(b.checks, bench.LagTargets(a, p.p50, p.p95, p.reads, p.ratio)...)
		}
	}
	for _, run := range []func() error{
		runProfile(b, "plan", b.runPlans, &b.plans),
		runProfile(b, "thousand", b.runThousand, &b.thousand),
		runProfile(b, "shared", b.runShared, &b.shared),
		runProfile(b, "scale", b.runScale, &b.scale),
	} {
		if err := run(); err != nil {
			return err
		}
	}
	b.logf("done, load average %s", loadAverage())
	return nil
}

// runProfile runs the profile name, when it was asked for, with run and keeps
// its figures in figures.
func runProfile[T any](b *benchmark, name string, run func() (T, error), figures *T) func() error {
	return func() error {
		if !b.opts.profiles[name] {
			return nil
		}
		v, err := run()
		if err != nil {
			return err
		}
		*figures = v
		return nil
	}
}
