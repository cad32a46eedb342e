package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/akool-community/terraform-provider-akool/internal/bench"
	"github.com/akool-community/terraform-provider-akool/internal/emulator"
	"github.com/akool-community/terraform-provider-akool/internal/serve"
)

// The scale curve's targets: the -refresh=false plan within scaleMaxPlan
// times the schema floor's at every size, the apply of the largest size
// within scaleMaxApply times the floor's, and the provider's peak memory
// below scaleMaxPeak.
const (
	scaleMaxPlan  = 1.0
	scaleMaxApply = 1.3
	// scaleParallel is Terraform's default -parallelism, used by every
	// command of the curve.
	scaleParallel = 10
)

// scaleMaxPeak is the memory the provider may use for a run of images:
// 160 MiB, and 250 kB more for each image (what the provider's docs tell
// a large workspace to allow).
func scaleMaxPeak(images int) int64 { return 160<<20 + int64(images)*250<<10 }

// runScale measures the scale curve: at each size, a fresh apply of the
// images and of as many benchfloor_image, then plans over them in turn,
// -refresh=false and with the refresh. Akool answers at once and its jobs
// take no time, so what is measured is the provider's own cost beside
// the framework's and Terraform's.
//
// The schema floor runs with the SDK's loggers off, as the provider
// serves itself, but collects garbage at Go's default pace: the target
// holds the provider's garbage collector settings to doing no worse than
// Go's own at every size.
func (b *benchmark) runScale() ([]bench.ScalePoint, error) {
	srv, err := b.serve(emulator.Options{JobTime: func(string) (time.Duration, time.Duration) { return 0, 0 }})
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	env := b.env(srv.url, "", 0)
	floorEnv := env
	for _, name := range serve.QuietLogLevels(bench.FloorAddress) {
		floorEnv = append(floorEnv[:len(floorEnv):len(floorEnv)], name+"=OFF")
	}
	var points []bench.ScalePoint
	for _, n := range b.opts.scaleSizes {
		p, err := b.scalePoint(n, env, floorEnv)
		if err != nil {
			return nil, err
		}
		points = append(points, p)
	}
	return points, nil
}

// scalePoint measures one size of the curve. A failed command ends the
// size with its reason in Failed; the next size still runs.
func (b *benchmark) scalePoint(n int, env, floorEnv []string) (bench.ScalePoint, error) {
	p := bench.ScalePoint{Images: n}
	fail := func(what string, err error) (bench.ScalePoint, error) {
		p.Failed = what + ": " + err.Error()
		return p, nil
	}
	label := fmt.Sprintf("scale %d", n)
	akoolDir, err := b.workdir(label+" akool", fmt.Sprintf(imagesConfig, n, bench.PromptPrefix))
	if err != nil {
		return p, err
	}
	floorDir, err := b.workdir(label+" floor", fmt.Sprintf(floorImageConfig, n, bench.PromptPrefix))
	if err != nil {
		return p, err
	}
	par := "-parallelism=" + strconv.Itoa(scaleParallel)

	apply := []string{"apply", "-auto-approve", "-input=false", "-no-color", par}
	sampler := newMemorySampler(b.opts.provider)
	if p.Apply, err = b.timed(akoolDir, env, sampler, apply...); err != nil {
		return fail("applying the images", err)
	}
	p.ApplyPeak = sampler.peak()
	if p.FloorApply, err = b.timed(floorDir, floorEnv, nil, apply...); err != nil {
		return fail("applying the schema floor's resources", err)
	}
	b.logf("%-24s apply %.1fs (provider peak RSS %s), schema floor's apply %.1fs: %.2fx, load %s",
		label, p.Apply.Seconds(), bench.MiB(p.ApplyPeak), p.FloorApply.Seconds(), p.ApplyRatio(), loadAverage())

	plan := []string{"plan", "-input=false", "-no-color", "-detailed-exitcode", par}
	noRefresh := slices.Concat(plan, []string{"-refresh=false"})
	for i := range b.opts.planRuns {
		// Each kind in turn, the floor first, so that a drift of the
		// machine's speed touches both sides alike.
		for _, run := range []struct {
			dir   string
			env   []string
			args  []string
			bin   string
			into  *[]time.Duration
			peak  *int64
			label string
		}{
			{floorDir, floorEnv, noRefresh, b.opts.floor, &p.Floor, &p.FloorPeak, "terraform plan -refresh=false over the schema floor's resources"},
			{akoolDir, env, noRefresh, b.opts.provider, &p.NoRefresh, &p.Peak, "terraform plan -refresh=false over the images"},
			{floorDir, floorEnv, plan, b.opts.floor, &p.FloorRefresh, &p.FloorPeak, "terraform plan over the schema floor's resources"},
			{akoolDir, env, plan, b.opts.provider, &p.Refresh, &p.Peak, "terraform plan over the images"},
		} {
			sampler := newMemorySampler(run.bin)
			took, err := b.timed(run.dir, run.env, sampler, run.args...)
			*run.peak = max(*run.peak, sampler.peak())
			if err != nil {
				return fail(run.label, err)
			}
			*run.into = append(*run.into, took)
		}
		b.logf("%-24s run %d: -refresh=false %.2fs / floor %.2fs = %.2fx; with reads %.2fs / floor %.2fs = %.2fx; provider peak RSS %s, floor %s, load %s",
			label, i+1, p.NoRefresh[i].Seconds(), p.Floor[i].Seconds(), p.NoRefresh[i].Seconds()/p.Floor[i].Seconds(),
			p.Refresh[i].Seconds(), p.FloorRefresh[i].Seconds(), p.Refresh[i].Seconds()/p.FloorRefresh[i].Seconds(),
			bench.MiB(p.Peak), bench.MiB(p.FloorPeak), loadAverage())
	}
	return p, nil
}

// parseSizes reads a comma-separated list of sizes, each at least 1.
func parseSizes(list string) ([]int, error) {
	var sizes []int
	for _, f := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a number of images of at least 1", strings.TrimSpace(f))
		}
		sizes = append(sizes, n)
	}
	return sizes, nil
}

// scaleReport prints the curve.
func (b *benchmark) scaleReport(points []bench.ScalePoint) {
	fmt.Fprintln(b.out)
	fmt.Fprintf(b.out, "scale: plans and applies beside the schema floor (benchfloor_image: the image schema, reading nothing, SDK logs off, "+
		"Go's default garbage collection), medians of %d, -parallelism=%d, Akool answering at once\n", b.opts.planRuns, scaleParallel)
	w := tabwriter.NewWriter(b.out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "images\t-refresh=false\tfloor\tratio\twith reads\tfloor\tratio\tpeak RSS\tfloor's\tapply\tfloor's\tratio\tapply peak RSS\t")
	var failed []string
	for _, p := range points {
		if p.Failed != "" {
			failed = append(failed, fmt.Sprintf("scale %d failed: %s", p.Images, firstLine(p.Failed)))
			continue
		}
		fmt.Fprintf(w, "%d\t%.2fs\t%.2fs\t%.2f\t%.2fs\t%.2fs\t%.2f\t%s\t%s\t%.1fs\t%.1fs\t%.2f\t%s\t\n",
			p.Images, bench.Median(p.NoRefresh).Seconds(), bench.Median(p.Floor).Seconds(), p.NoRefreshRatio(),
			bench.Median(p.Refresh).Seconds(), bench.Median(p.FloorRefresh).Seconds(), p.RefreshRatio(),
			bench.MiB(p.Peak), bench.MiB(p.FloorPeak), p.Apply.Seconds(), p.FloorApply.Seconds(), p.ApplyRatio(), bench.MiB(p.ApplyPeak))
	}
	_ = w.Flush()
	for _, f := range failed {
		fmt.Fprintln(b.out, f)
	}
	fmt.Fprintln(b.out, "peak RSS: the provider's (and the floor's) over all the plans of a size; apply peak RSS: the provider's during the apply.")
}
