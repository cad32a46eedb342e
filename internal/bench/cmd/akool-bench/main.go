package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// profile is one apply benchmark.
type profile struct {
	name            string
	images, par     int
	lo, hi          time.Duration // job times, uniform
	rateLimit       float64       // requests per second Akool accepts over any one-second window; 0 = unlimited
	maxRate         float64       // the provider's max_requests_per_second; 0 = unset
	strategy        string        // poll strategy: learned (the provider's own) or a peer's
	p50, p95        time.Duration // targets; 0 = none
	reads, ratio    float64       // targets; 0 = none
	maxRefusedShare float64       // target for rate-limited profiles
}

var (
	strategies   = []string{"learned", "fixed5s", "exponential"}
	profileNames = []string{"short", "long", "rate", "plan", "thousand", "shared", "scale"}
)

// isPeer says whether a strategy is a peer provider's, served by the
// variant binary rather than the released one.
func isPeer(strategy string) bool { return strategy != "learned" }

func applyProfiles(strategy string) []profile {
	short := profile{name: "short", images: 40, par: 10, lo: 2 * time.Second, hi: 6 * time.Second, strategy: strategy}
	long := profile{name: "long", images: 20, par: 20, lo: 8 * time.Second, hi: 20 * time.Second, strategy: strategy}
	if strategy == "learned" {
		short.p50, short.p95, short.reads, short.ratio = 500*time.Millisecond, time.Second, 8, 1.3
		long.p50, long.reads, long.ratio = 1200*time.Millisecond, 8, 1.2
	}
	return []profile{short, long}
}

func rateProfiles() []profile {
	base := profile{name: "rate", images: 30, par: 10, lo: 2 * time.Second, hi: 6 * time.Second, rateLimit: 8, strategy: "learned", maxRefusedShare: 0.05}
	explicit := base
	explicit.name, explicit.maxRate = "rate max=8/s", 8
	return []profile{base, explicit}
}

type options struct {
	terraform, provider string
	floor               string // the floor provider's binary
	pollProvider        string // the variant serving the peers' poll strategies
	profiles            map[string]bool
	strategies          []string
	seed                uint64
	planRuns            int // plans of each kind; at least 1
	scaleSizes          []int
	commandTimeout      time.Duration // the longest one terraform command may take
	keep                bool
}

func run(args []string, stdout, stderr io.Writer) int {
	var opts options
	fs := flag.NewFlagSet("akool-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&opts.terraform, "terraform", "terraform", "the terraform CLI to run")
	fs.StringVar(&opts.provider, "provider", "bin/terraform-provider-akool", "the provider binary (built with go build)")
	fs.StringVar(&opts.pollProvider, "poll-provider", "bin/bench-poll/terraform-provider-akool",
		"the provider variant with the peers' poll strategies, for fixed5s and exponential (built from ./internal/bench/cmd/akool-pollbench-provider)")
	fs.StringVar(&opts.floor, "floor", "bin/benchfloor/terraform-provider-benchfloor", "the floor provider binary (built from ./internal/bench/cmd/terraform-provider-benchfloor)")
	only := fs.String("only", strings.Join(profileNames, ","), "comma-separated profiles to run")
	strats := fs.String("strategies", strings.Join(strategies, ","), "comma-separated poll strategies for short and long: learned runs -provider, fixed5s and exponential run -poll-provider")
	quick := fs.Bool("quick", false, "a quicker subset: only the provider's own strategy, one plan of each kind, no thousand, shared or scale profile")
	fs.Uint64Var(&opts.seed, "seed", 6, "seed of the job times")
	fs.IntVar(&opts.planRuns, "plan-runs", 3, "plans of each kind in the plan profile, and of the floor and of the images in the thousand profile; at least 1 (the median counts)")
	fs.DurationVar(&opts.commandTimeout, "command-timeout", 10*time.Minute,
		"the longest one terraform command may take; raise it on a busy machine, where the scale profile's apply of 3,000 images can take longer")
	sizes := fs.String("scale-sizes", "200,1000,3000", "comma-separated sizes of the scale profile, in images")
	fs.BoolVar(&opts.keep, "keep", false, "keep the working directories (their path is printed)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if opts.planRuns < 1 {
		fmt.Fprintf(stderr, "akool-bench: -plan-runs must be at least 1, got %d: a plan profile needs a plan of each kind to compare\n", opts.planRuns)
		return 2
	}
	scaleSizes, err := parseSizes(*sizes)
	if err != nil {
		fmt.Fprintf(stderr, "akool-bench: -scale-sizes: %v\n", err)
		return 2
	}
	opts.scaleSizes = scaleSizes
	opts.profiles = map[string]bool{}
	for _, p := range strings.Split(*only, ",") {
		p = strings.TrimSpace(p)
		if !slices.Contains(profileNames, p) {
			fmt.Fprintf(stderr, "akool-bench: unknown profile %q (known: %s)\n", p, strings.Join(profileNames, ", "))
			return 2
		}
		opts.profiles[p] = true
	}
	opts.strategies = strings.Split(*strats, ",")
	if *quick {
		opts.strategies, opts.planRuns = []string{"learned"}, 1
		delete(opts.profiles, "thousand")
		delete(opts.profiles, "shared")
		delete(opts.profiles, "scale")
	}
	for _, s := range opts.strategies {
		if !slices.Contains(strategies, s) {
			fmt.Fprintf(stderr, "akool-bench: unknown strategy %q (known: %s)\n", s, strings.Join(strategies, ", "))
			return 2
		}
	}
	if !opts.profiles["short"] && !opts.profiles["long"] {
		// Only those profiles compare poll strategies; the others need no variant.
		opts.strategies = []string{"learned"}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	b, err := newBench(ctx, opts, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "akool-bench: %v\n", err)
		return 1
	}
	defer b.cleanup()
	if err := b.all(); err != nil {
		fmt.Fprintf(stderr, "akool-bench: %v\n", err)
		return 1
	}
	return b.report()
}
