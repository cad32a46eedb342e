package main

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/akool-community/terraform-provider-akool/internal/bench"
)

// report prints the tables and the targets, and returns the exit status.
func (b *benchmark) report() int {
	if len(b.applies) > 0 {
		b.applyTable()
	}
	checks := slices.Clone(b.checks)
	if p := b.plans; p != nil {
		fmt.Fprintln(b.out)
		if p.Failed != "" {
			fmt.Fprintf(b.out, "plan: %d images beside %d benchfloor_item, failed: %s\n", p.Images, p.Images, firstLine(p.Failed))
		} else {
			fmt.Fprintf(b.out, "plan: %d images beside %d benchfloor_item (a framework provider that reads nothing: the floor), medians of %d, -parallelism=%d\n",
				p.Images, p.Images, len(p.Floor), planParallel)
			fmt.Fprintf(b.out, "  floor                          %s\n", medianOf(p.Floor))
			fmt.Fprintf(b.out, "  images, -refresh=false         %s  = %.2fx the floor\n", medianOf(p.NoRefresh), p.NoRefreshRatio())
			fmt.Fprintf(b.out, "  floor with the image schema    %s  = %.2fx the floor: the schema's own cost in Terraform and the framework, served as the provider is\n",
				medianOf(p.SchemaFloor), p.SchemaFloorRatio())
			fmt.Fprintf(b.out, "  images, %v reads             %s  = %.2fx (floor + %d reads x %v / %d = %.2fs); %.2f reads per image\n",
				planLatency, medianOf(p.Refresh), p.RefreshRatio(), p.Images, planLatency, planParallel, p.Reads.Seconds(), p.ReadsPerImage)
		}
		checks = append(checks, bench.PlanTargets(*p, 1.15, 1.25)...)
	}
	if t := b.thousand; t != nil {
		fmt.Fprintln(b.out)
		fmt.Fprintf(b.out, "thousand: %d images, -parallelism=%d, Akool accepting %d requests in any second and failing %s of reads: "+
			"%d creates, %d requests, %d refused; provider peak RSS %s\n",
			t.Images, thousandParallel, thousandRate, bench.Percent(thousandFaults), t.Creates, t.Requests, t.Refused, bench.MiB(t.ApplyPeak))
		if t.PlanFailed != "" {
			fmt.Fprintf(b.out, "thousand: the plan after it failed: %s\n", firstLine(t.PlanFailed))
		} else {
			fmt.Fprintf(b.out, "thousand: the plans after it %s, floor %.2fs + %d reads at %d/s = %.2fs; provider peak RSS during the refresh %s\n",
				medianOf(t.Plans), t.Floor.Seconds(), t.Images, thousandRate, (t.Floor + t.Reads).Seconds(), bench.MiB(t.PlanPeak))
		}
		checks = append(checks, bench.ThousandTargets(*t, 0.05, maxPeakMemory, 1.25)...)
		checks = append(checks, bench.SpreadTarget(*t, 1.5)...)
	}
	checks = append(checks, b.sharedReport(b.shared)...)
	if len(b.scale) > 0 {
		b.scaleReport(b.scale)
		checks = append(checks, bench.ScaleTargets(b.scale, scaleMaxPlan, scaleMaxApply, scaleMaxPeak)...)
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
	return strings.TrimSpace(line)
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
		fmt.Fprintf(w, "%s\t%s\t%d\t%d\t%.2fs\t%.2fs\t%.1f\t%.1fs\t%.1fs\t%.1fs\t%.1fs\t%.2f\t%d\t%s\t\n",
			a.Profile, a.Strategy, a.Images, a.Parallel, bench.Median(a.Lags).Seconds(), bench.Percentile(a.Lags, 0.95).Seconds(),
			a.ReadsPerImage(), a.Wall.Seconds(), a.Span.Seconds(), a.OrderBound.Seconds(), a.Bound.Seconds(), a.Ratio(), a.Requests, bench.Percent(a.RefusedShare()))
	}
	_ = w.Flush()
	fmt.Fprintln(b.out, "wall: the terraform apply command. jobs span: from the first create to the last read that saw an image end.\n"+
		"order bound: the time the images need in the order Terraform created them, had every end been noticed at once.\n"+
		"bound: max(longest job, sum of job times / parallelism). requests, refused: API requests Akool received, and refused as too frequent.")
	b.compare()
}
