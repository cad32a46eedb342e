package main

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/akool-community/terraform-provider-akool/internal/bench"
	"github.com/akool-community/terraform-provider-akool/internal/emulator"
)

// The shared-account profile: the same images applied by one workspace,
// then split between sharedWorkspaces applying at once, against an account
// that accepts sharedRate requests in any second and fails sharedFaults of
// the reads transiently.
const (
	sharedImages     = 600
	sharedWorkspaces = 4
	sharedRate       = 50
	sharedFaults     = 0.03
	// sharedCeiling is each workspace's max_requests_per_second in the
	// third run: the account's rate split between them with a margin, as
	// the pipelines guide advises.
	sharedCeiling = 11
	// The small-limit side: one apply of smallImages at
	// -parallelism=smallParallelism against an account of its own that
	// accepts smallRate requests in any second.
	smallImages, smallParallelism, smallRate = 30, 10, 8
)

// sharedRoundTrips are the round trips the profile runs at: loopback, and
// a runner on another continent from Akool. At the long one it measures
// only the sides a round trip changes: the saturated workspace,
// the four workspaces and the small limit.
var sharedRoundTrips = []time.Duration{0, 250 * time.Millisecond}

// sharedConfig is imagesConfig with the images' indices starting at an
// offset (its third verb), so that each workspace applies its own part of
// the images.
var sharedConfig = strings.Replace(imagesConfig, "${count.index}", "${count.index + %d}", 1)

// runShared measures the profile at each of sharedRoundTrips.
func (b *benchmark) runShared() ([]bench.Shared, error) {
	var all []bench.Shared
	for _, rt := range sharedRoundTrips {
		s, err := b.runSharedAt(rt)
		if err != nil {
			return nil, err
		}
		all = append(all, s)
	}
	return all, nil
}

// runSharedAt measures one workspace, then several, each against a fresh
// account with the same job times answering rt after each request; then
// the small limit.
func (b *benchmark) runSharedAt(rt time.Duration) (bench.Shared, error) {
	s := bench.Shared{Rate: sharedRate, RoundTrip: rt}
	runs := []struct {
		run            *bench.SharedRun
		n, parallel    int
		ceiling        float64
		onlyOnLoopback bool
	}{
		{&s.One, 1, bench.SharedParallelism, 0, true},
		{&s.Saturated, 1, sharedWorkspaces * bench.SharedParallelism, 0, false},
		{&s.Several, sharedWorkspaces, bench.SharedParallelism, 0, false},
		{&s.Capped, sharedWorkspaces, bench.SharedParallelism, sharedCeiling, true},
	}
	for _, r := range runs {
		if r.onlyOnLoopback && rt > 0 {
			continue
		}
		side := bench.SharedRun{Workspaces: r.n, Images: sharedImages, Parallelism: r.parallel, Ceiling: r.ceiling}
		var err error
		if *r.run, err = b.sharedRun(side, rt, sharedRate, sharedFaults); err != nil {
			return s, err
		}
	}
	small := bench.SharedRun{Workspaces: 1, Images: smallImages, Parallelism: smallParallelism, Limit: smallRate}
	var err error
	s.Small, err = b.sharedRun(small, rt, smallRate, 0)
	return s, err
}

// sharedRun applies r.Images images split between r.Workspaces
// workspaces, each a terraform apply of its own at r.Parallelism, all
// started together, with r.Ceiling as their max_requests_per_second (0:
// unset), against an account accepting rate requests in any second,
// failing faults of reads and answering rt after each request.
func (b *benchmark) sharedRun(r bench.SharedRun, rt time.Duration, rate, faults float64) (bench.SharedRun, error) {
	n, parallel, ceiling := r.Workspaces, r.Parallelism, r.Ceiling
	r.Walls = make([]time.Duration, n)
	jobs := bench.JobTimes(b.opts.seed, r.Images, time.Second, 3*time.Second)
	if r.Limit > 0 {
		// The rate profile's jobs, as its target was set with.
		jobs = bench.JobTimes(b.opts.seed, r.Images, 2*time.Second, 6*time.Second)
	}
	srv, err := b.serve(emulator.Options{JobTime: jobTimes(jobs), RateLimit: rate, RateWindow: true,
		Faults: emulator.Faults{ReadRate: faults}, Latency: rt})
	if err != nil {
		return r, err
	}
	defer srv.stop()
	per := r.Images / n
	dirs := make([]string, n)
	for w := range n {
		label := fmt.Sprintf("shared-%d-of-%d-x%d-at-%g-limit-%g-rt-%d", w+1, n, parallel, ceiling, rate, rt.Milliseconds())
		if dirs[w], err = b.workdir(label, fmt.Sprintf(sharedConfig, per, bench.PromptPrefix, w*per)); err != nil {
			return r, err
		}
	}
	b.logf("%-24s %s at once, %d images each, -parallelism=%d, Akool accepting %g requests in any second, failing %s of reads, %d ms round trip",
		"shared", r.Label(), per, parallel, rate, bench.Percent(faults), rt.Milliseconds())
	env := b.env(srv.url, "", ceiling)
	failures := make([]error, n)
	var wg sync.WaitGroup
	for w := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.Walls[w], failures[w] = b.timed(dirs[w], env, nil, "apply", "-auto-approve", "-input=false", "-no-color",
				"-parallelism="+strconv.Itoa(parallel))
		}()
	}
	wg.Wait()
	for w, err := range failures {
		if err != nil && r.Failed == "" {
			r.Failed = fmt.Sprintf("workspace %d: %v", w+1, err)
		}
	}
	c := srv.emu.Counters()
	r.Requests, r.Refused = c.Requests, c.RateLimited
	if r.Failed == "" && c.Creates != r.Images {
		r.Failed = fmt.Sprintf("%d creates, want %d", c.Creates, r.Images)
	}
	b.logf("%-24s %s: wall %.1fs (each: %s), %d requests (%.2f per image), %d refused (%s), %d faults, load %s",
		"shared", r.Label(), r.Wall().Seconds(), r.WallsString(), r.Requests, r.RequestsPerImage(), r.Refused, bench.Percent(r.RefusedShare()),
		c.Faults, loadAverage())
	return r, nil
}

// sharedReport prints the sides of the shared-account profile side by
// side, at each round trip, and returns their targets.
func (b *benchmark) sharedReport(all []bench.Shared) []bench.Check {
	var checks []bench.Check
	for _, s := range all {
		fmt.Fprintln(b.out)
		fmt.Fprintf(b.out, "shared at %d ms round trip: %d images, Akool accepting %d requests in any second for the whole account and failing %s of reads; "+
			"the bound is %d requests per image at %d/s = %.1fs\n",
			s.RoundTrip.Milliseconds(), sharedImages, sharedRate, bench.Percent(sharedFaults), bench.BoundPerImage, sharedRate, s.Bound().Seconds())
		for _, r := range append(s.Runs(), s.Small) {
			if r.Workspaces == 0 {
				continue
			}
			fmt.Fprintf(b.out, "  %-27s x %3d images   wall %5.1fs (each: %s)   refused %5s   requests per image %.2f",
				r.Label(), r.Images/r.Workspaces, r.Wall().Seconds(), r.WallsString(), bench.Percent(r.RefusedShare()), r.RequestsPerImage())
			if r.Workspaces > 1 {
				fmt.Fprintf(b.out, "   wall / bound %.2f   last / first %.2f", r.Wall().Seconds()/s.Bound().Seconds(), r.Spread())
			}
			fmt.Fprintln(b.out)
		}
		checks = append(checks, bench.SharedTargets(s, 0.05, 1.4, 1.15)...)
		if s.RoundTrip > 0 {
			checks = append(checks, bench.FarTargets(s, 0.03, 1.3, 1.2)...)
		}
		checks = append(checks, bench.SmallTargets(s, 0.05)...)
	}
	return checks
}
