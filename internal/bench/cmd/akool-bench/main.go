// Command akool-bench is `make bench`: it measures how quickly the provider
// notices finished images, how many reads it spends, how it copes with a
// rate limit, and how fast a plan is, by running the real terraform CLI
// against the local Akool emulator.
//
//	go run ./internal/bench/cmd/akool-bench -provider bin/terraform-provider-akool \
//		-floor bin/benchfloor/terraform-provider-benchfloor
//
// The emulator runs inside this process, so it knows both when each job
// ended and when a read first saw it end: the difference is the detection
// lag. Terraform runs the provider through a dev_overrides CLI
// configuration, without `terraform init` and without any download. Job
// times come from a fixed seed, so every run asks for the same work.
//
// Profiles and their targets:
//
//	short    40 images of 2-6 s, -parallelism=10
//	long     20 images of 8-20 s, -parallelism=20
//	rate     30 images of 2-6 s, -parallelism=10, Akool accepting 8 requests in any second and answering 1005 above
//	plan     terraform plan over 200 existing images, with -refresh=false and with 50 ms reads, beside
//	         the floor: a plan over 200 resources of terraform-provider-benchfloor, a framework provider
//	         that reads nothing
//	thousand 1,000 images of 2-6 s, -parallelism=100, Akool accepting 100 requests in any second and
//	         failing 5% of reads transiently; then a plan over them, beside the floor's plan of 1,000
//
// short and long run once per poll strategy: the provider's own (learned),
// a fixed 5 s poll and an exponential backoff from 0.5 s to 10 s, selected
// through AKOOL_POLL_STRATEGY. The exit status is 1 when a target is missed.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/akool-community/terraform-provider-akool/internal/bench"
	"github.com/akool-community/terraform-provider-akool/internal/emulator"
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
	strategy        string        // AKOOL_POLL_STRATEGY; "" = the provider's own
	p50, p95        time.Duration // targets; 0 = none
	reads, ratio    float64       // targets; 0 = none
	maxRefusedShare float64       // target for rate-limited profiles
}

var (
	strategies   = []string{"learned", "fixed5s", "exponential"}
	profileNames = []string{"short", "long", "rate", "plan", "thousand"}
)

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
	profiles            map[string]bool
	strategies          []string
	seed                uint64
	refreshRuns         int
	keep                bool
}

func run(args []string, stdout, stderr io.Writer) int {
	var opts options
	fs := flag.NewFlagSet("akool-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&opts.terraform, "terraform", "terraform", "the terraform CLI to run")
	fs.StringVar(&opts.provider, "provider", "bin/terraform-provider-akool", "the provider binary (built with go build)")
	fs.StringVar(&opts.floor, "floor", "bin/benchfloor/terraform-provider-benchfloor", "the floor provider binary (built from ./internal/bench/cmd/terraform-provider-benchfloor)")
	only := fs.String("only", strings.Join(profileNames, ","), "comma-separated profiles to run")
	strats := fs.String("strategies", strings.Join(strategies, ","), "comma-separated poll strategies for short and long")
	quick := fs.Bool("quick", false, "a quicker subset: only the provider's own strategy, one plan of each kind, no thousand profile")
	fs.Uint64Var(&opts.seed, "seed", 6, "seed of the job times")
	fs.IntVar(&opts.refreshRuns, "plan-runs", 3, "plans of each kind in the plan profile (the median counts)")
	fs.BoolVar(&opts.keep, "keep", false, "keep the working directories (their path is printed)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
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
		opts.strategies, opts.refreshRuns = []string{"learned"}, 1
		delete(opts.profiles, "thousand")
	}
	for _, s := range opts.strategies {
		if !slices.Contains(strategies, s) {
			fmt.Fprintf(stderr, "akool-bench: unknown strategy %q (known: %s)\n", s, strings.Join(strategies, ", "))
			return 2
		}
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

// benchmark is one run of the whole benchmark.
type benchmark struct {
	ctx     context.Context // ends on SIGINT or SIGTERM
	opts    options
	out     io.Writer
	root    string // working directory for everything
	tfrc    string
	apiKey  string
	started time.Time

	applies   []bench.Apply
	checks    []bench.Check
	plans     *bench.Plans
	thousand  *bench.Thousand
	planCheck []bench.Check
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
	floor, err := filepath.Abs(opts.floor)
	if err != nil {
		return nil, err
	}
	if st, err := os.Stat(floor); err != nil || st.IsDir() || filepath.Base(floor) != "terraform-provider-benchfloor" {
		return nil, fmt.Errorf("floor provider binary %s not found (build it with: go build -o bin/benchfloor/ ./internal/bench/cmd/terraform-provider-benchfloor)", floor)
	}
	if _, err := exec.LookPath(opts.terraform); err != nil {
		return nil, fmt.Errorf("terraform CLI %q not found: %w", opts.terraform, err)
	}
	root, err := os.MkdirTemp("", "akool-bench-")
	if err != nil {
		return nil, err
	}
	b := &benchmark{ctx: ctx, opts: opts, out: out, root: root, tfrc: filepath.Join(root, "dev.tfrc"), started: time.Now()}
	tfrc := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n    %q = %q\n  }\n  direct {}\n}\n",
		"registry.terraform.io/akool-community/akool", filepath.Dir(provider),
		"registry.terraform.io/akool-community/benchfloor", filepath.Dir(floor))
	if err := os.WriteFile(b.tfrc, []byte(tfrc), 0o600); err != nil {
		return nil, err
	}
	key := make([]byte, 8)
	_, _ = rand.Read(key)
	b.apiKey = "bench-" + hex.EncodeToString(key)
	return b, nil
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

func (b *benchmark) all() error {
	version, _ := exec.CommandContext(b.ctx, b.opts.terraform, "version").Output()
	b.logf("terraform %s, %s, %d CPUs, load average %s", firstLine(string(version)), runtime.Version(), runtime.NumCPU(), loadAverage())
	b.logf("provider %s, job seed %d", b.opts.provider, b.opts.seed)

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
	if b.opts.profiles["plan"] {
		p, checks, err := b.runPlans()
		if err != nil {
			return err
		}
		b.plans, b.planCheck = p, checks
	}
	if b.opts.profiles["thousand"] {
		t, err := b.runThousand()
		if err != nil {
			return err
		}
		b.thousand = t
	}
	b.logf("done, load average %s", loadAverage())
	return nil
}

// server is an emulator served on loopback.
type server struct {
	emu  *emulator.Emulator
	url  string
	stop func()
}

func (b *benchmark) serve(opts emulator.Options) (*server, error) {
	opts.APIKey = b.apiKey
	opts.InitialCredit = 1e9
	opts.Seed = 1
	// What is measured is how soon a job's end is noticed; single images
	// listed after it would add the same wait to every strategy.
	opts.Shapes.SinglesDelay = -1
	emu, err := emulator.New(opts)
	if err != nil {
		return nil, err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(b.ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: emu, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return &server{emu: emu, url: "http://" + ln.Addr().String(), stop: func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}}, nil
}

// jobTimes gives the emulator the benchmark's job times by prompt.
func jobTimes(jobs []bench.Job) func(string) (time.Duration, time.Duration) {
	return func(prompt string) (time.Duration, time.Duration) {
		if i, ok := bench.PromptIndex(prompt); ok && i < len(jobs) {
			return jobs[i].Queue, jobs[i].Process
		}
		return 0, 0
	}
}

const imagesConfig = `terraform {
  required_providers {
    akool = {
      source = "akool-community/akool"
    }
  }
}

provider "akool" {}

resource "akool_generated_image" "bench" {
  count  = %d
  prompt = "%s${count.index}"
}
`

const floorImageConfig = `terraform {
  required_providers {
    benchfloor = {
      source = "akool-community/benchfloor"
    }
  }
}

resource "benchfloor_image" "bench" {
  count  = %d
  prompt = "%s${count.index}"
}
`

const floorConfig = `terraform {
  required_providers {
    benchfloor = {
      source = "akool-community/benchfloor"
    }
  }
}

resource "benchfloor_item" "bench" {
  count  = %d
  name   = "%s${count.index}"
  prompt = "a picture"
}
`

func (b *benchmark) apply(p profile) (bench.Apply, error) {
	label := p.name + "/" + p.strategy
	jobs := bench.JobTimes(b.opts.seed, p.images, p.lo, p.hi)
	a := bench.Apply{Profile: p.name, Strategy: p.strategy, Images: p.images, Parallel: p.par, Bound: bench.LowerBound(jobs, p.par)}

	srv, err := b.serve(emulator.Options{JobTime: jobTimes(jobs), RateLimit: p.rateLimit, RateWindow: true})
	if err != nil {
		return a, err
	}
	defer srv.stop()
	dir, err := b.workdir(label, fmt.Sprintf(imagesConfig, p.images, bench.PromptPrefix))
	if err != nil {
		return a, err
	}
	env := b.env(srv.url, p.strategy, p.maxRate)
	b.logf("%-24s applying %d images, -parallelism=%d (lower bound %.1fs)", label, p.images, p.par, a.Bound.Seconds())
	start := time.Now()
	err = b.terraform(dir, env, nil, "apply", "-auto-approve", "-input=false", "-no-color", "-parallelism="+strconv.Itoa(p.par))
	a.Wall = time.Since(start)
	if err != nil {
		a.Failed = err.Error()
	}

	stats := srv.emu.JobStats()
	var last time.Time
	for _, s := range stats {
		a.Reads += s.Reads
		if lag, ok := s.Lag(); ok {
			a.Lags = append(a.Lags, lag)
			last = later(last, s.EndedRead)
		}
	}
	if len(stats) > 0 && !last.IsZero() {
		a.Span = last.Sub(stats[0].Created)
	}
	started := make([]bench.Job, 0, len(stats)) // in the order Terraform created them
	for _, s := range stats {
		started = append(started, bench.Job{Queue: s.Queue, Process: s.Process})
	}
	a.OrderBound = bench.OrderBound(started, p.par)
	if a.Failed == "" && (len(stats) != p.images || len(a.Lags) != p.images) {
		a.Failed = fmt.Sprintf("%d jobs created, %d seen finished, want %d", len(stats), len(a.Lags), p.images)
	}
	c := srv.emu.Counters()
	a.Requests, a.Refused = c.Requests, c.RateLimited
	b.logf("%-24s %.1fs, median lag %.2fs, %.1f reads per image, %d requests, %d refused, load %s",
		label, a.Wall.Seconds(), bench.Median(a.Lags).Seconds(), a.ReadsPerImage(), a.Requests, a.Refused, loadAverage())
	return a, nil
}

const (
	planImages   = 200
	planLatency  = 50 * time.Millisecond
	planParallel = 10 // Terraform's default -parallelism

	thousandImages   = 1000
	thousandParallel = 100
	thousandRate     = 100  // requests per second Akool accepts
	thousandFaults   = 0.05 // share of reads answered with a transient fault
	maxPeakMemory    = 150 << 20
)

// runPlans measures terraform plan over planImages images with planLatency
// on every read, beside the floor: the same number of resources of the
// benchmark's own trivial framework provider. Each kind is planned
// refreshRuns times, in turn.
func (b *benchmark) runPlans() (*bench.Plans, []bench.Check, error) {
	p := &bench.Plans{Images: planImages, Reads: time.Duration(planImages) * planLatency / planParallel}
	fail := func(what string, err error) (*bench.Plans, []bench.Check, error) {
		return p, []bench.Check{{Name: fmt.Sprintf("plan %d: %s", planImages, what), Got: err.Error(), Want: "success"}}, nil
	}
	srv, err := b.serve(emulator.Options{JobTime: func(string) (time.Duration, time.Duration) { return 0, 0 }})
	if err != nil {
		return nil, nil, err
	}
	defer srv.stop()
	akoolDir, err := b.workdir("plan-akool", fmt.Sprintf(imagesConfig, planImages, bench.PromptPrefix))
	if err != nil {
		return nil, nil, err
	}
	floorDir, err := b.workdir("plan-floor", fmt.Sprintf(floorConfig, planImages, bench.PromptPrefix))
	if err != nil {
		return nil, nil, err
	}
	schemaDir, err := b.workdir("plan-floor-image", fmt.Sprintf(floorImageConfig, planImages, bench.PromptPrefix))
	if err != nil {
		return nil, nil, err
	}
	env := b.env(srv.url, "", 0)
	// The SDK's loggers of the floor with the image schema are off, as the
	// akool provider turns them off when nobody asked for logs (Terraform
	// itself reads none of these variables).
	quiet := append(slices.Clone(env), "TF_LOG_SDK=OFF", "TF_LOG_SDK_PROTO=OFF", "TF_LOG_SDK_FRAMEWORK=OFF", "TF_LOG_PROVIDER_BENCHFLOOR=OFF")

	b.logf("%-24s creating %d images and %d benchfloor_item", "plan", planImages, planImages)
	if err := b.terraform(akoolDir, env, nil, "apply", "-auto-approve", "-input=false", "-no-color", "-parallelism=50"); err != nil {
		return fail("creating the images", err)
	}
	if err := b.terraform(floorDir, env, nil, "apply", "-auto-approve", "-input=false", "-no-color"); err != nil {
		return fail("creating the floor's resources", err)
	}
	if err := b.terraform(schemaDir, env, nil, "apply", "-auto-approve", "-input=false", "-no-color"); err != nil {
		return fail("creating the floor's resources with the image schema", err)
	}
	srv.emu.SetLatency(planLatency)

	plan := []string{"plan", "-input=false", "-no-color", "-detailed-exitcode", "-parallelism=" + strconv.Itoa(planParallel)}
	for i := range b.opts.refreshRuns {
		took, err := b.timed(floorDir, env, nil, plan...)
		if err != nil {
			return fail("terraform plan over the floor's resources", err)
		}
		p.Floor = append(p.Floor, took)

		if took, err = b.timed(akoolDir, env, nil, append(plan, "-refresh=false")...); err != nil {
			return fail("terraform plan -refresh=false over the images", err)
		}
		p.NoRefresh = append(p.NoRefresh, took)

		if took, err = b.timed(schemaDir, quiet, nil, append(plan, "-refresh=false")...); err != nil {
			return fail("terraform plan -refresh=false over the floor's resources with the image schema", err)
		}
		p.SchemaFloor = append(p.SchemaFloor, took)

		readsBefore := srv.emu.Counters().Reads
		sampler := newMemorySampler(b.opts.provider)
		took, err = b.timed(akoolDir, env, sampler, plan...)
		if err != nil {
			return fail("terraform plan over the images", err)
		}
		p.Refresh = append(p.Refresh, took)
		reads := float64(srv.emu.Counters().Reads-readsBefore) / planImages
		p.ReadsPerImage = max(p.ReadsPerImage, reads)
		b.logf("%-24s run %d: floor %.2fs, images -refresh=false %.2fs (%.2fx), images with reads %.2fs (%.2fx floor + %.2fs), %.2f reads per image, provider peak RSS %.1f MiB, load %s",
			"plan", i+1, p.Floor[i].Seconds(), p.NoRefresh[i].Seconds(), p.NoRefresh[i].Seconds()/p.Floor[i].Seconds(),
			took.Seconds(), took.Seconds()/(p.Floor[i]+p.Reads).Seconds(), p.Reads.Seconds(), reads, float64(sampler.peak())/(1<<20), loadAverage())
	}
	return p, bench.PlanTargets(*p, 1.15, 1.25), nil
}

// runThousand applies thousandImages images at -parallelism=thousandParallel
// against an Akool that accepts thousandRate requests a second and fails
// thousandFaults of the reads transiently, then plans over them (no
// changes) beside the floor provider's plan of as many resources.
func (b *benchmark) runThousand() (*bench.Thousand, error) {
	t := &bench.Thousand{Images: thousandImages, Reads: time.Duration(thousandImages) * time.Second / thousandRate}
	jobs := bench.JobTimes(b.opts.seed, thousandImages, 2*time.Second, 6*time.Second)
	srv, err := b.serve(emulator.Options{JobTime: jobTimes(jobs), RateLimit: thousandRate, RateWindow: true,
		Faults: emulator.Faults{ReadRate: thousandFaults}})
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	akoolDir, err := b.workdir("thousand-akool", fmt.Sprintf(imagesConfig, thousandImages, bench.PromptPrefix))
	if err != nil {
		return nil, err
	}
	floorDir, err := b.workdir("thousand-floor", fmt.Sprintf(floorConfig, thousandImages, bench.PromptPrefix))
	if err != nil {
		return nil, err
	}
	env := b.env(srv.url, "", 0)

	b.logf("%-24s applying %d images, -parallelism=%d, Akool accepting %d requests/s and failing %.0f%% of reads",
		"thousand", thousandImages, thousandParallel, thousandRate, 100*thousandFaults)
	sampler := newMemorySampler(b.opts.provider)
	took, err := b.timed(akoolDir, env, sampler, "apply", "-auto-approve", "-input=false", "-no-color", "-parallelism="+strconv.Itoa(thousandParallel))
	if err != nil {
		t.Failed = err.Error()
	}
	t.ApplyPeak = sampler.peak()
	c := srv.emu.Counters()
	t.Creates, t.Requests, t.Refused = c.Creates, c.Requests, c.RateLimited
	b.logf("%-24s apply %.1fs: %d creates, %d requests, %d refused (%.1f%%), %d faults, provider peak RSS %.1f MiB, load %s",
		"thousand", took.Seconds(), t.Creates, t.Requests, t.Refused, 100*float64(t.Refused)/float64(max(t.Requests, 1)), c.Faults,
		float64(t.ApplyPeak)/(1<<20), loadAverage())
	if t.Failed != "" {
		t.PlanFailed = "not run: the apply failed"
		return t, nil
	}

	if err := b.terraform(floorDir, env, nil, "apply", "-auto-approve", "-input=false", "-no-color", "-parallelism=50"); err != nil {
		t.PlanFailed = "creating the floor's resources: " + err.Error()
		return t, nil
	}
	plan := []string{"plan", "-input=false", "-no-color", "-detailed-exitcode"}
	var floors []time.Duration
	for range max(1, b.opts.refreshRuns) {
		took, err := b.timed(floorDir, env, nil, plan...)
		if err != nil {
			t.PlanFailed = "terraform plan over the floor's resources: " + err.Error()
			return t, nil
		}
		floors = append(floors, took)
	}
	t.Floor = bench.Median(floors)
	before := srv.emu.Counters()
	sampler = newMemorySampler(b.opts.provider)
	t.Plan, err = b.timed(akoolDir, env, sampler, plan...)
	if err != nil {
		t.PlanFailed = "terraform plan over the images: " + err.Error()
	}
	t.PlanPeak = sampler.peak()
	after := srv.emu.Counters()
	b.logf("%-24s plan %.1fs (floor %.1fs + %.1fs of reads), %d reads, %d refused, provider peak RSS %.1f MiB, load %s",
		"thousand", t.Plan.Seconds(), t.Floor.Seconds(), t.Reads.Seconds(), after.Reads-before.Reads, after.RateLimited-before.RateLimited,
		float64(t.PlanPeak)/(1<<20), loadAverage())
	return t, nil
}

// timed runs one terraform command and returns how long it took.
func (b *benchmark) timed(dir string, env []string, sampler *memorySampler, args ...string) (time.Duration, error) {
	start := time.Now()
	err := b.terraform(dir, env, sampler, args...)
	took := time.Since(start)
	if sampler != nil {
		sampler.stop()
	}
	return took, err
}

func (b *benchmark) workdir(label, config string) (string, error) {
	dir := filepath.Join(b.root, strings.NewReplacer("/", "-", " ", "-", "=", "").Replace(label))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	return dir, os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o600)
}

// env is the environment terraform runs in: this process's, without any
// Akool or Terraform setting that could change the measurement, plus the
// benchmark's.
func (b *benchmark) env(endpoint, strategy string, maxRate float64) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "AKOOL_") || strings.HasPrefix(kv, "TF_") {
			continue
		}
		env = append(env, kv)
	}
	env = append(env,
		"TF_CLI_CONFIG_FILE="+b.tfrc,
		"TF_IN_AUTOMATION=1",
		"CHECKPOINT_DISABLE=1",
		"AKOOL_ENDPOINT="+endpoint,
		"AKOOL_API_KEY="+b.apiKey,
	)
	if strategy != "" && strategy != "learned" {
		env = append(env, "AKOOL_POLL_STRATEGY="+strategy)
	}
	if maxRate > 0 {
		env = append(env, "AKOOL_MAX_REQUESTS_PER_SECOND="+strconv.FormatFloat(maxRate, 'f', -1, 64))
	}
	return env
}

// terraform runs one terraform command in dir, its output in a log file
// there. A sampler, when given, watches the provider processes meanwhile.
func (b *benchmark) terraform(dir string, env []string, sampler *memorySampler, args ...string) error {
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Minute)
	defer cancel()
	logPath := filepath.Join(dir, "terraform-"+args[0]+".log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer logFile.Close()
	cmd := exec.CommandContext(ctx, b.opts.terraform, args...)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = dir, env, logFile, logFile
	if err := cmd.Start(); err != nil {
		return err
	}
	if sampler != nil {
		sampler.start()
	}
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("terraform %s: %w; the end of %s:\n%s", args[0], err, logPath, tail(logPath, 15))
	}
	return nil
}

// memorySampler records the peak resident memory of the provider's
// processes: terraform starts the provider binary (found by its path) as a
// child process, possibly more than once per command.
type memorySampler struct {
	binary string
	done   chan struct{}
	wg     sync.WaitGroup
	mu     sync.Mutex
	max    int64
}

func newMemorySampler(binary string) *memorySampler {
	return &memorySampler{binary: binary, done: make(chan struct{})}
}

func (m *memorySampler) start() {
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			m.sample()
			select {
			case <-m.done:
				return
			case <-t.C:
			}
		}
	}()
}

func (m *memorySampler) stop() {
	close(m.done)
	m.wg.Wait()
}

func (m *memorySampler) peak() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.max
}

func (m *memorySampler) sample() {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return
	}
	const comm = "terraform-provi" // the kernel keeps 15 characters of a process name
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		dir := filepath.Join("/proc", e.Name())
		name, err := os.ReadFile(filepath.Join(dir, "comm"))
		if err != nil || !strings.HasPrefix(string(name), comm) {
			continue
		}
		if exe, err := os.Readlink(filepath.Join(dir, "exe")); err != nil || exe != m.binary {
			continue
		}
		f, err := os.Open(filepath.Join(dir, "status"))
		if err != nil {
			continue
		}
		peak, _, err := bench.ProcStatus(f)
		f.Close()
		if err == nil {
			m.mu.Lock()
			m.max = max(m.max, peak)
			m.mu.Unlock()
		}
	}
}

// report prints the tables and the targets, and returns the exit status.
func (b *benchmark) report() int {
	if len(b.applies) > 0 {
		b.applyTable()
	}
	checks := slices.Clone(b.checks)
	if p := b.plans; p != nil {
		fmt.Fprintln(b.out)
		fmt.Fprintf(b.out, "plan: %d images beside %d benchfloor_item (a framework provider that reads nothing: the floor), medians of %d, -parallelism=%d\n",
			p.Images, p.Images, len(p.Floor), planParallel)
		fmt.Fprintf(b.out, "  floor                          %s\n", medianOf(p.Floor))
		fmt.Fprintf(b.out, "  images, -refresh=false         %s  = %.2fx the floor\n", medianOf(p.NoRefresh), p.NoRefreshRatio())
		fmt.Fprintf(b.out, "  floor with the image schema    %s  = %.2fx the floor: the schema's own cost in Terraform and the framework, SDK logs off\n",
			medianOf(p.SchemaFloor), bench.Median(p.SchemaFloor).Seconds()/bench.Median(p.Floor).Seconds())
		fmt.Fprintf(b.out, "  images, %v reads             %s  = %.2fx (floor + %d reads x %v / %d = %.2fs); %.2f reads per image\n",
			planLatency, medianOf(p.Refresh), p.RefreshRatio(), p.Images, planLatency, planParallel, p.Reads.Seconds(), p.ReadsPerImage)
		checks = append(checks, b.planCheck...)
	}
	if t := b.thousand; t != nil {
		fmt.Fprintln(b.out)
		fmt.Fprintf(b.out, "thousand: %d images, -parallelism=%d, Akool accepting %d requests in any second and failing %.0f%% of reads: "+
			"%d creates, %d requests, %d refused; provider peak RSS %.1f MiB\n",
			t.Images, thousandParallel, thousandRate, 100*thousandFaults, t.Creates, t.Requests, t.Refused, float64(t.ApplyPeak)/(1<<20))
		fmt.Fprintf(b.out, "thousand: the plan after it %.2fs, floor %.2fs + %d reads at %d/s = %.2fs; provider peak RSS during the refresh %.1f MiB\n",
			t.Plan.Seconds(), t.Floor.Seconds(), t.Images, thousandRate, (t.Floor + t.Reads).Seconds(), float64(t.PlanPeak)/(1<<20))
		checks = append(checks, bench.ThousandTargets(*t, 0.05, maxPeakMemory, 1.25)...)
	}

	fmt.Fprintln(b.out)
	failed := 0
	for _, c := range checks {
		fmt.Fprintln(b.out, c)
		if !c.OK {
			failed++
		}
	}
	if failed > 0 {
		fmt.Fprintf(b.out, "\n%d of %d targets missed\n", failed, len(checks))
		return 1
	}
	fmt.Fprintf(b.out, "\nall %d targets met\n", len(checks))
	return 0
}

// compare prints, per profile, the peers' lag and wall time over the
// provider's own.
func (b *benchmark) compare() {
	own := map[string]bench.Apply{}
	for _, a := range b.applies {
		if a.Strategy == "learned" {
			own[a.Profile] = a
		}
	}
	first := true
	for _, a := range b.applies {
		o, found := own[a.Profile]
		if a.Strategy == "learned" || !found || len(o.Lags) == 0 {
			continue
		}
		if first {
			fmt.Fprintln(b.out)
			first = false
		}
		fmt.Fprintf(b.out, "%s: %s has %.1fx the median lag, %.2fx the reads and %.2fx the wall time of learned\n",
			a.Profile, a.Strategy, bench.Median(a.Lags).Seconds()/bench.Median(o.Lags).Seconds(),
			a.ReadsPerImage()/o.ReadsPerImage(), a.Wall.Seconds()/o.Wall.Seconds())
	}
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func loadAverage() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(raw))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// medianOf prints the median of ds beside every value.
func medianOf(ds []time.Duration) string {
	all := make([]string, len(ds))
	for i, d := range ds {
		all[i] = fmt.Sprintf("%.2f", d.Seconds())
	}
	return fmt.Sprintf("%5.2fs (runs: %s)", bench.Median(ds).Seconds(), strings.Join(all, ", "))
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return strings.TrimPrefix(strings.TrimSpace(line), "Terraform ")
}

// tail returns the last n lines of a file.
func tail(path string, n int) string {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// applyTable prints the apply profiles' figures.
func (b *benchmark) applyTable() {
	fmt.Fprintln(b.out)
	w := tabwriter.NewWriter(b.out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "profile\tstrategy\timages\tparallel\tlag p50\tlag p95\treads/image\twall\tjobs span\torder bound\tbound\twall/bound\trequests\trefused\t")
	for _, a := range b.applies {
		fmt.Fprintf(w, "%s\t%s\t%d\t%d\t%.2fs\t%.2fs\t%.1f\t%.1fs\t%.1fs\t%.1fs\t%.1fs\t%.2f\t%d\t%.1f%%\t\n",
			a.Profile, a.Strategy, a.Images, a.Parallel, bench.Median(a.Lags).Seconds(), bench.Percentile(a.Lags, 0.95).Seconds(),
			a.ReadsPerImage(), a.Wall.Seconds(), a.Span.Seconds(), a.OrderBound.Seconds(), a.Bound.Seconds(), a.Ratio(), a.Requests, 100*a.RefusedShare())
	}
	_ = w.Flush()
	fmt.Fprintln(b.out, "wall: the terraform apply command. jobs span: from the first create to the last read that saw an image end.\n"+
		"order bound: the time the images need in the order Terraform created them, had every end been noticed at once.\n"+
		"bound: max(longest job, sum of job times / parallelism). requests, refused: API requests Akool received, and refused as too frequent.")
	b.compare()
}
