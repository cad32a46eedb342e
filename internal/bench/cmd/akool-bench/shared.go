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
)

// sharedConfig is imagesConfig with the images' indices starting at an
// offset (its third verb), so that each workspace applies its own part of
// the images.
var sharedConfig = strings.Replace(imagesConfig, "${count.index}", "${count.index + %d}", 1)

// runShared measures one workspace, then several, each against a fresh
// account with the same job times.
func (b *benchmark) runShared() (*bench.Shared, error) {
	s := &bench.Shared{Rate: sharedRate}
	var err error
	if s.One, err = b.sharedRun(1, bench.SharedParallelism, 0); err != nil {
		return nil, err
	}
	if s.Saturated, err = b.sharedRun(1, sharedWorkspaces*bench.SharedParallelism, 0); err != nil {
		return nil, err
	}
	if s.Several, err = b.sharedRun(sharedWorkspaces, bench.SharedParallelism, 0); err != nil {
		return nil, err
	}
	if s.Capped, err = b.sharedRun(sharedWorkspaces, bench.SharedParallelism, sharedCeiling); err != nil {
		return nil, err
	}
	return s, nil
}

// sharedRun applies sharedImages images split between n workspaces, each a
// terraform apply of its own at -parallelism=parallel, all started
// together, with ceiling as their max_requests_per_second (0: unset).
func (b *benchmark) sharedRun(n, parallel int, ceiling float64) (bench.SharedRun, error) {
	r := bench.SharedRun{Workspaces: n, Images: sharedImages, Parallelism: parallel, Ceiling: ceiling, Walls: make([]time.Duration, n)}
	jobs := bench.JobTimes(b.opts.seed, sharedImages, time.Second, 3*time.Second)
	srv, err := b.serve(emulator.Options{JobTime: jobTimes(jobs), RateLimit: sharedRate, RateWindow: true,
		Faults: emulator.Faults{ReadRate: sharedFaults}})
	if err != nil {
		return r, err
	}
	defer srv.stop()
	per := sharedImages / n
	dirs := make([]string, n)
	for w := range n {
		label := fmt.Sprintf("shared-%d-of-%d-x%d-at-%g", w+1, n, parallel, ceiling)
		if dirs[w], err = b.workdir(label, fmt.Sprintf(sharedConfig, per, bench.PromptPrefix, w*per)); err != nil {
			return r, err
		}
	}
	b.logf("%-24s %s at once, %d images each, -parallelism=%d, Akool accepting %d requests in any second and failing %s of reads",
		"shared", r.Label(), per, parallel, sharedRate, bench.Percent(sharedFaults))
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
	if r.Failed == "" && c.Creates != sharedImages {
		r.Failed = fmt.Sprintf("%d creates, want %d", c.Creates, sharedImages)
	}
	b.logf("%-24s %s: wall %.1fs (each: %s), %d requests (%.2f per image), %d refused (%s), %d faults, load %s",
		"shared", r.Label(), r.Wall().Seconds(), r.WallsString(), r.Requests, r.RequestsPerImage(), r.Refused, bench.Percent(r.RefusedShare()),
		c.Faults, loadAverage())
	return r, nil
}

// sharedReport prints the two sides of the shared-account profile side by
// side.
func (b *benchmark) sharedReport(s *bench.Shared) {
	fmt.Fprintln(b.out)
	fmt.Fprintf(b.out, "shared: %d images, Akool accepting %d requests in any second for the whole account and failing %s of reads; "+
		"the bound is %d requests per image at %d/s = %.1fs\n",
		sharedImages, sharedRate, bench.Percent(sharedFaults), bench.BoundPerImage, sharedRate, s.Bound().Seconds())
	for _, r := range s.Runs() {
		fmt.Fprintf(b.out, "  %-27s x %3d images   wall %5.1fs (each: %s)   refused %5s   requests per image %.2f\n",
			r.Label(), r.Images/r.Workspaces, r.Wall().Seconds(), r.WallsString(), bench.Percent(r.RefusedShare()), r.RequestsPerImage())
	}
}
