// Command akool-bench is `make bench`: it measures how quickly the provider
// notices finished images, how many reads it spends, how it copes with a
// rate limit, and how fast a refresh is, by running the real terraform CLI
// against the local Akool emulator.
//
//	go run ./internal/bench/cmd/akool-bench -provider bin/terraform-provider-akool
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
//	rate     30 images of 2-6 s, -parallelism=10, Akool accepting 8 requests/s and answering 1005 above
//	refresh  terraform plan over 200 existing images with 50 ms latency, beside 200 terraform_data
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
	rateLimit       float64       // requests per second Akool accepts; 0 = unlimited
	maxRate         float64       // the provider's max_requests_per_second; 0 = unset
	strategy        string        // AKOOL_POLL_STRATEGY; "" = the provider's own
	p50, p95        time.Duration // targets; 0 = none
	reads, ratio    float64       // targets; 0 = none
	maxRefusedShare float64       // target for rate-limited profiles
}

var (
	strategies   = []string{"learned", "fixed5s", "exponential"}
	profileNames = []string{"short", "long", "rate", "refresh"}
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
	only := fs.String("only", "short,long,rate,refresh", "comma-separated profiles to run")
	strats := fs.String("strategies", strings.Join(strategies, ","), "comma-separated poll strategies for short and long")
	quick := fs.Bool("quick", false, "a quicker subset: only the provider's own strategy, one refresh run")
	fs.Uint64Var(&opts.seed, "seed", 6, "seed of the job times")
	fs.IntVar(&opts.refreshRuns, "refresh-runs", 3, "plans of each kind in the refresh profile (the median counts)")
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

	applies []bench.Apply
	checks  []bench.Check
	refresh *refreshResult
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
	if _, err := exec.LookPath(opts.terraform); err != nil {
		return nil, fmt.Errorf("terraform CLI %q not found: %w", opts.terraform, err)
	}
	root, err := os.MkdirTemp("", "akool-bench-")
	if err != nil {
		return nil, err
	}
	b := &benchmark{ctx: ctx, opts: opts, out: out, root: root, tfrc: filepath.Join(root, "dev.tfrc"), started: time.Now()}
	tfrc := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n  }\n  direct {}\n}\n",
		"registry.terraform.io/akool-community/akool", filepath.Dir(provider))
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
	if b.opts.profiles["refresh"] {
		r, err := b.runRefresh()
		if err != nil {
			return err
		}
		b.refresh = r
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

const dataConfig = `resource "terraform_data" "bench" {
  count = %d
  input = "%s${count.index}"
}
`

func (b *benchmark) apply(p profile) (bench.Apply, error) {
	label := p.name + "/" + p.strategy
	jobs := bench.JobTimes(b.opts.seed, p.images, p.lo, p.hi)
	a := bench.Apply{Profile: p.name, Strategy: p.strategy, Images: p.images, Parallel: p.par, Bound: bench.LowerBound(jobs, p.par)}

	srv, err := b.serve(emulator.Options{JobTime: jobTimes(jobs), RateLimit: p.rateLimit})
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

// refreshResult is what the refresh profile measured.
type refreshResult struct {
	images       int
	akool, data  []time.Duration // each plan's wall time
	noRefresh    []time.Duration // plan -refresh=false over the images: Terraform and the provider, no reads
	peak         int64           // the provider process's peak resident memory, bytes
	readsPerPlan float64         // status reads per image in one plan
	failed       string
}

const (
	refreshImages  = 200
	refreshLatency = 50 * time.Millisecond
)

func (b *benchmark) runRefresh() (*refreshResult, error) {
	r := &refreshResult{images: refreshImages}
	srv, err := b.serve(emulator.Options{JobTime: func(string) (time.Duration, time.Duration) { return 0, 0 }})
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	akoolDir, err := b.workdir("refresh-akool", fmt.Sprintf(imagesConfig, refreshImages, bench.PromptPrefix))
	if err != nil {
		return nil, err
	}
	dataDir, err := b.workdir("refresh-data", fmt.Sprintf(dataConfig, refreshImages, bench.PromptPrefix))
	if err != nil {
		return nil, err
	}
	env := b.env(srv.url, "", 0)

	b.logf("%-24s creating %d images and %d terraform_data", "refresh", refreshImages, refreshImages)
	if err := b.terraform(akoolDir, env, nil, "apply", "-auto-approve", "-input=false", "-no-color", "-parallelism=50"); err != nil {
		r.failed = "creating the images: " + err.Error()
		return r, nil
	}
	if err := b.terraform(dataDir, env, nil, "apply", "-auto-approve", "-input=false", "-no-color"); err != nil {
		r.failed = "creating terraform_data: " + err.Error()
		return r, nil
	}
	srv.emu.SetLatency(refreshLatency)

	for i := range b.opts.refreshRuns {
		readsBefore := srv.emu.Counters().Reads
		sampler := newMemorySampler(b.opts.provider)
		start := time.Now()
		err := b.terraform(akoolDir, env, sampler, "plan", "-input=false", "-no-color", "-detailed-exitcode")
		took := time.Since(start)
		sampler.stop()
		if err != nil {
			r.failed = "terraform plan over the images: " + err.Error()
			return r, nil
		}
		r.akool = append(r.akool, took)
		r.peak = max(r.peak, sampler.peak())
		r.readsPerPlan = float64(srv.emu.Counters().Reads-readsBefore) / refreshImages

		start = time.Now()
		if err := b.terraform(dataDir, env, nil, "plan", "-input=false", "-no-color", "-detailed-exitcode"); err != nil {
			r.failed = "terraform plan over terraform_data: " + err.Error()
			return r, nil
		}
		r.data = append(r.data, time.Since(start))

		start = time.Now()
		if err := b.terraform(akoolDir, env, nil, "plan", "-input=false", "-no-color", "-detailed-exitcode", "-refresh=false"); err != nil {
			r.failed = "terraform plan -refresh=false over the images: " + err.Error()
			return r, nil
		}
		r.noRefresh = append(r.noRefresh, time.Since(start))
		b.logf("%-24s run %d: plan over images %.2fs, over terraform_data %.2fs, over images without refresh %.2fs, provider peak RSS %.1f MiB, load %s",
			"refresh", i+1, took.Seconds(), r.data[i].Seconds(), r.noRefresh[i].Seconds(), float64(sampler.peak())/(1<<20), loadAverage())
	}
	return r, nil
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

	checks := slices.Clone(b.checks)
	if r := b.refresh; r != nil {
		fmt.Fprintln(b.out)
		if r.failed != "" {
			checks = append(checks, bench.Check{Name: "refresh: plan ran", Got: r.failed, Want: "yes"})
		} else {
			ak, data := bench.Median(r.akool), bench.Median(r.data)
			ratio := ak.Seconds() / data.Seconds()
			fmt.Fprintf(b.out, "refresh: terraform plan over %d images (50 ms latency) %.2fs, over %d terraform_data %.2fs (medians of %d), ratio %.2f; %.1f reads per image per plan\n",
				r.images, ak.Seconds(), r.images, data.Seconds(), len(r.akool), ratio, r.readsPerPlan)
			fmt.Fprintf(b.out, "refresh: for scale: the same plan with -refresh=false (Terraform and the provider, no reads) %.2fs; "+
				"%d reads of %v at Terraform's default -parallelism=10 need at least %.2fs\n",
				bench.Median(r.noRefresh).Seconds(), r.images, refreshLatency, (time.Duration(r.images) * refreshLatency / 10).Seconds())
			fmt.Fprintf(b.out, "refresh: provider peak resident memory (VmHWM) %.1f MiB\n", float64(r.peak)/(1<<20))
			checks = append(checks,
				bench.Check{Name: "refresh: plan / terraform_data plan", Got: fmt.Sprintf("%.2f", ratio), Want: "<= 2", OK: ratio <= 2},
				bench.Check{Name: "refresh: provider peak memory", Got: fmt.Sprintf("%.1f MiB", float64(r.peak)/(1<<20)), Want: "< 100 MiB",
					OK: r.peak > 0 && r.peak < 100<<20})
		}
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
