package main

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/akool-community/terraform-provider-akool/internal/bench"
	"github.com/akool-community/terraform-provider-akool/internal/emulator"
	"github.com/akool-community/terraform-provider-akool/internal/serve"
)

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
	a.Wall, err = b.timed(dir, env, nil, "apply", "-auto-approve", "-input=false", "-no-color", "-parallelism="+strconv.Itoa(p.par))
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
// planRuns times, in turn. A failed command ends the profile with its
// reason in Failed, as in runThousand.
func (b *benchmark) runPlans() (*bench.Plans, error) {
	p := &bench.Plans{Images: planImages, Reads: time.Duration(planImages) * planLatency / planParallel}
	fail := func(what string, err error) (*bench.Plans, error) {
		p.Failed = what + ": " + err.Error()
		return p, nil
	}
	srv, err := b.serve(emulator.Options{JobTime: func(string) (time.Duration, time.Duration) { return 0, 0 }})
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	dirs, err := b.workdirs("plan", planImages, imagesConfig, floorConfig, floorImageConfig)
	if err != nil {
		return nil, err
	}
	akoolDir, floorDir, schemaDir := dirs[0], dirs[1], dirs[2]
	env := b.env(srv.url, "", 0)
	quiet := servedAsProvider(env)

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
	for i := range b.opts.planRuns {
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
		b.logf("%-24s run %d: floor %.2fs, images -refresh=false %.2fs (%.2fx), images with reads %.2fs (%.2fx floor + %.2fs), %.2f reads per image, provider peak RSS %s, load %s",
			"plan", i+1, p.Floor[i].Seconds(), p.NoRefresh[i].Seconds(), p.NoRefresh[i].Seconds()/p.Floor[i].Seconds(),
			took.Seconds(), took.Seconds()/(p.Floor[i]+p.Reads).Seconds(), p.Reads.Seconds(), reads, bench.MiB(sampler.peak()), loadAverage())
	}
	return p, nil
}

// runThousand applies thousandImages images at -parallelism=thousandParallel
// against an Akool that accepts thousandRate requests a second and fails
// thousandFaults of the reads transiently, then plans over them (no
// changes) planRuns times, beside the floor provider's plan of as many
// resources.
func (b *benchmark) runThousand() (*bench.Thousand, error) {
	t := &bench.Thousand{Images: thousandImages, Reads: time.Duration(thousandImages) * time.Second / thousandRate}
	jobs := bench.JobTimes(b.opts.seed, thousandImages, 2*time.Second, 6*time.Second)
	srv, err := b.serve(emulator.Options{JobTime: jobTimes(jobs), RateLimit: thousandRate, RateWindow: true,
		Faults: emulator.Faults{ReadRate: thousandFaults}})
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	dirs, err := b.workdirs("thousand", thousandImages, imagesConfig, floorConfig)
	if err != nil {
		return nil, err
	}
	akoolDir, floorDir := dirs[0], dirs[1]
	env := b.env(srv.url, "", 0)

	b.logf("%-24s applying %d images, -parallelism=%d, Akool accepting %d requests/s and failing %s of reads",
		"thousand", thousandImages, thousandParallel, thousandRate, bench.Percent(thousandFaults))
	sampler := newMemorySampler(b.opts.provider)
	took, err := b.timed(akoolDir, env, sampler, "apply", "-auto-approve", "-input=false", "-no-color", "-parallelism="+strconv.Itoa(thousandParallel))
	if err != nil {
		t.Failed = err.Error()
	}
	t.ApplyPeak = sampler.peak()
	c := srv.emu.Counters()
	t.Creates, t.Requests, t.Refused = c.Creates, c.Requests, c.RateLimited
	b.logf("%-24s apply %.1fs: %d creates, %d requests, %d refused (%s), %d faults, provider peak RSS %s, load %s",
		"thousand", took.Seconds(), t.Creates, t.Requests, t.Refused, bench.Percent(t.RefusedShare()), c.Faults,
		bench.MiB(t.ApplyPeak), loadAverage())
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
	for range b.opts.planRuns {
		took, err := b.timed(floorDir, env, nil, plan...)
		if err != nil {
			t.PlanFailed = "terraform plan over the floor's resources: " + err.Error()
			return t, nil
		}
		floors = append(floors, took)
	}
	t.Floor = bench.Median(floors)
	for i := range b.opts.planRuns {
		before := srv.emu.Counters()
		sampler = newMemorySampler(b.opts.provider)
		took, err := b.timed(akoolDir, env, sampler, plan...)
		t.PlanPeak = max(t.PlanPeak, sampler.peak())
		if err != nil {
			t.PlanFailed = "terraform plan over the images: " + err.Error()
			break
		}
		t.Plans = append(t.Plans, took)
		after := srv.emu.Counters()
		b.logf("%-24s plan run %d: %.1fs (floor %.1fs + %.1fs of reads), %d reads, %d refused, %d faults, provider peak RSS %s, load %s",
			"thousand", i+1, took.Seconds(), t.Floor.Seconds(), t.Reads.Seconds(), after.Reads-before.Reads, after.RateLimited-before.RateLimited,
			after.Faults-before.Faults, bench.MiB(sampler.peak()), loadAverage())
	}
	t.Plan = bench.Median(t.Plans)
	return t, nil
}

// servedAsProvider is env for the floor with the image schema, served as the
// akool provider serves itself: the SDK's loggers off when nobody asked for
// logs, and garbage collected less often (Terraform itself reads none of
// these variables). Otherwise the bound would count costs the provider does
// not pay.
func servedAsProvider(env []string) []string {
	out := append(slices.Clone(env), bench.FloorTuneGC+"=1")
	for _, name := range serve.QuietLogLevels(bench.FloorAddress) {
		out = append(out, name+"=OFF")
	}
	return out
}
