// Package bench holds the measuring side of `make bench`: the synthetic job
// times, the statistics and the performance targets. The command in
// cmd/akool-bench runs the real terraform CLI against the emulator and
// reports with these functions; they are pure, so they are unit tested.
package bench

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Job is the time one synthetic job spends queueing, then processing.
type Job struct {
	Queue, Process time.Duration
}

// Total is the job's time from creation to its end.
func (j Job) Total() time.Duration { return j.Queue + j.Process }

// JobTimes draws n jobs whose total time is uniform in [lo, hi], of which
// 10-30% is spent queueing. The same seed always gives the same jobs.
func JobTimes(seed uint64, n int, lo, hi time.Duration) []Job {
	rng := rand.New(rand.NewPCG(seed, seed^0x5bd1e995))
	jobs := make([]Job, n)
	for i := range jobs {
		total := lo + time.Duration(rng.Float64()*float64(hi-lo))
		queue := time.Duration((0.1 + 0.2*rng.Float64()) * float64(total))
		jobs[i] = Job{Queue: queue, Process: total - queue}
	}
	return jobs
}

// FloorAddress is the floor provider's source address, which the
// benchmark maps to the built binary with a dev_overrides CLI configuration.
const FloorAddress = "registry.terraform.io/akool-community/benchfloor"

// FloorOpenTofuAddress is the address OpenTofu resolves the floor's source
// to; the benchmark maps it too, so that it runs with tofu as with terraform.
const FloorOpenTofuAddress = "registry.opentofu.org/akool-community/benchfloor"

// FloorTuneGC, set in its environment, makes the floor provider collect
// garbage as the akool provider does (serve.TuneGC), so that the floor with
// the image schema runs as the akool provider would.
const FloorTuneGC = "BENCHFLOOR_TUNE_GC"

// PromptPrefix starts the prompt of every benchmark image; the image's
// index follows it.
const PromptPrefix = "bench-"

// Prompt is the prompt of the benchmark image with index i.
func Prompt(i int) string { return PromptPrefix + strconv.Itoa(i) }

// PromptIndex returns the index in a benchmark prompt, and false for any
// other prompt.
func PromptIndex(prompt string) (int, bool) {
	rest, ok := strings.CutPrefix(prompt, PromptPrefix)
	if !ok || rest == "" {
		return 0, false
	}
	i, err := strconv.Atoi(rest)
	if err != nil || i < 0 || strconv.Itoa(i) != rest {
		return 0, false
	}
	return i, true
}

// LowerBound is the least time parallelism workers need for jobs, whatever
// the order: the longest job, or the total work shared evenly.
func LowerBound(jobs []Job, parallelism int) time.Duration {
	if len(jobs) == 0 || parallelism < 1 {
		return 0
	}
	var sum, longest time.Duration
	for _, j := range jobs {
		sum += j.Total()
		longest = max(longest, j.Total())
	}
	return max(longest, sum/time.Duration(parallelism))
}

// OrderBound is the time parallelism workers need for jobs taken in the
// given order, each starting as soon as a worker is free: what an apply in
// that order would take if every end were noticed at once and nothing
// else cost time. It is at least LowerBound; Terraform picks the order.
func OrderBound(jobs []Job, parallelism int) time.Duration {
	if len(jobs) == 0 || parallelism < 1 {
		return 0
	}
	free := make([]time.Duration, min(parallelism, len(jobs))) // when each worker is free
	var end time.Duration
	for _, j := range jobs {
		w := 0
		for i := range free {
			if free[i] < free[w] {
				w = i
			}
		}
		free[w] += j.Total()
		end = max(end, free[w])
	}
	return end
}

// Percentile returns the q-quantile (0 < q <= 1) of ds by the nearest-rank
// method: the smallest value with at least q of the values at or below it.
// It returns 0 for no values.
func Percentile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := int(math.Ceil(q*float64(len(s)))) - 1
	return s[min(max(rank, 0), len(s)-1)]
}

// ProcStatus reads the peak (VmHWM) and current (VmRSS) resident memory, in
// bytes, from the text of a Linux /proc/<pid>/status file.
func ProcStatus(r io.Reader) (peak, current int64, err error) {
	sc := bufio.NewScanner(r)
	found := 0
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok || (name != "VmHWM" && name != "VmRSS") {
			continue
		}
		fields := strings.Fields(value)
		if len(fields) != 2 || fields[1] != "kB" {
			return 0, 0, fmt.Errorf("unexpected %s line %q", name, sc.Text())
		}
		kb, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("unexpected %s line %q: %w", name, sc.Text(), err)
		}
		if name == "VmHWM" {
			peak = kb << 10
		} else {
			current = kb << 10
		}
		found++
	}
	if err := sc.Err(); err != nil {
		return 0, 0, err
	}
	if found < 2 {
		return 0, 0, fmt.Errorf("no VmHWM and VmRSS lines (a kernel thread, or not Linux)")
	}
	return peak, current, nil
}

// Apply is what one terraform apply of n images measured.
type Apply struct {
	Profile, Strategy string
	Images, Parallel  int
	Lags              []time.Duration // per image: from its end to the first read that saw it
	Reads             int             // status reads of the images, all together
	Wall              time.Duration   // the terraform apply command, start to exit
	Span              time.Duration   // from the first create to the last read that saw an image end
	Bound             time.Duration   // LowerBound of the images' job times
	OrderBound        time.Duration   // OrderBound of the images in the order Terraform created them
	Requests, Refused int             // API requests the emulator received, and refused as too frequent
	Failed            string          // why the apply did not produce every image; "" when it did
}

// ReadsPerImage is the average number of status reads per image.
func (a Apply) ReadsPerImage() float64 {
	if a.Images == 0 {
		return 0
	}
	return float64(a.Reads) / float64(a.Images)
}

// Ratio is the wall time over the lower bound.
func (a Apply) Ratio() float64 {
	if a.Bound <= 0 {
		return math.Inf(1)
	}
	return a.Wall.Seconds() / a.Bound.Seconds()
}

// RefusedShare is the share of requests refused as too frequent.
func (a Apply) RefusedShare() float64 { return Share(a.Refused, a.Requests) }

// Check is one target and whether it was met.
type Check struct {
	Name string
	Got  string
	Want string
	OK   bool
}

func (c Check) String() string {
	verdict := "PASS"
	if !c.OK {
		verdict = "FAIL"
	}
	return fmt.Sprintf("[%s] %-40s %s (target %s)", verdict, c.Name, c.Got, c.Want)
}

// LagTargets checks an apply against the lag, read and wall targets of a
// profile: the median and (when p95 > 0) 95th percentile lag, the reads per
// image and the wall time over the lower bound.
func LagTargets(a Apply, p50, p95 time.Duration, reads, ratio float64) []Check {
	name := a.Profile + "/" + a.Strategy
	checks := []Check{ok(name+": all images created", a.Failed == "", yesOr(a.Failed), "yes")}
	med := Percentile(a.Lags, 0.5)
	checks = append(checks, ok(name+": median lag", med <= p50 && len(a.Lags) > 0, secs(med), "<= "+secs(p50)))
	if p95 > 0 {
		q := Percentile(a.Lags, 0.95)
		checks = append(checks, ok(name+": p95 lag", q <= p95 && len(a.Lags) > 0, secs(q), "<= "+secs(p95)))
	}
	checks = append(checks,
		ok(name+": reads per image", a.ReadsPerImage() <= reads, fmt.Sprintf("%.1f", a.ReadsPerImage()), fmt.Sprintf("<= %g", reads)),
		ok(name+": wall / lower bound", a.Ratio() <= ratio, fmt.Sprintf("%.2f", a.Ratio()), fmt.Sprintf("<= %g", ratio)))
	return checks
}

// RateTargets checks the rate-limited apply: every image created, and at
// most maxRefused of the requests refused.
func RateTargets(a Apply, maxRefused float64) []Check {
	name := a.Profile + "/" + a.Strategy
	return []Check{
		ok(name+": all images created", a.Failed == "", yesOr(a.Failed), "yes"),
		ok(name+": refused requests", a.RefusedShare() <= maxRefused,
			fmt.Sprintf("%s (%d of %d)", Percent(a.RefusedShare()), a.Refused, a.Requests), "<= "+Percent(maxRefused)),
	}
}

func ok(name string, pass bool, got, want string) Check {
	return Check{Name: name, Got: got, Want: want, OK: pass}
}

// yesOr is "yes" for no failure, else "failed: " and the failure.
func yesOr(failure string) string {
	if failure == "" {
		return "yes"
	}
	return "failed: " + failure
}

func secs(d time.Duration) string { return fmt.Sprintf("%.2fs", d.Seconds()) }

// Median is the middle of ds (the lower middle for an even count); 0 for none.
func Median(ds []time.Duration) time.Duration { return Percentile(ds, 0.5) }

// Plans is what the plan benchmark measured in one run: the same number of
// images and of the floor provider's resources, each kind planned Runs
// times.
type Plans struct {
	Images    int
	Floor     []time.Duration // terraform plan over the floor provider's resources
	NoRefresh []time.Duration // terraform plan -refresh=false over the images
	Refresh   []time.Duration // terraform plan over the images, reading each from Akool
	// SchemaFloor is terraform plan -refresh=false over the floor
	// provider's resources with the image resource's schema: what that
	// schema costs the framework and Terraform by themselves.
	SchemaFloor []time.Duration
	Reads       time.Duration // the least time the refresh's reads need: images × latency / parallelism
	// ReadsPerImage is the status reads per image of one refreshing plan
	// (the most of all runs).
	ReadsPerImage float64
	Failed        string // why a plan, or the apply before them, failed; "" when none did
}

// NoRefreshRatio is the median plan -refresh=false over the median floor.
func (p Plans) NoRefreshRatio() float64 { return ratio(Median(p.NoRefresh), Median(p.Floor)) }

// SchemaFloorRatio is the median plan over the floor provider's resources
// with the image schema over the median floor.
func (p Plans) SchemaFloorRatio() float64 { return ratio(Median(p.SchemaFloor), Median(p.Floor)) }

// RefreshRatio is the median refreshing plan over the median floor plus the
// time the reads need.
func (p Plans) RefreshRatio() float64 { return ratio(Median(p.Refresh), Median(p.Floor)+p.Reads) }

// PlanTargets checks the plan benchmark: plan -refresh=false within
// maxNoRefresh times the floor, the refreshing plan within maxRefresh times
// the floor plus its reads, and exactly one read per image. A failed run
// has one check, its failure: what it measured before is incomplete.
func PlanTargets(p Plans, maxNoRefresh, maxRefresh float64) []Check {
	name := fmt.Sprintf("plan %d: ", p.Images)
	if p.Failed != "" {
		return []Check{ok(name+"plans succeeded", false, yesOr(p.Failed), "yes")}
	}
	return []Check{
		ok(name+"-refresh=false / floor", p.NoRefreshRatio() <= maxNoRefresh && len(p.Floor) > 0,
			fmt.Sprintf("%.2f (%s / %s)", p.NoRefreshRatio(), secs(Median(p.NoRefresh)), secs(Median(p.Floor))), fmt.Sprintf("<= %g", maxNoRefresh)),
		ok(name+"refresh / (floor + reads)", p.RefreshRatio() <= maxRefresh && len(p.Floor) > 0,
			fmt.Sprintf("%.2f (%s / (%s + %s))", p.RefreshRatio(), secs(Median(p.Refresh)), secs(Median(p.Floor)), secs(p.Reads)), fmt.Sprintf("<= %g", maxRefresh)),
		ok(name+"reads per image", p.ReadsPerImage == 1, fmt.Sprintf("%.2f", p.ReadsPerImage), "1"),
	}
}

// Thousand is what the large benchmark measured: an apply of many images
// under a rate limit with transient read faults, then a plan over them
// beside the floor provider's plan of as many resources.
type Thousand struct {
	Images            int
	Failed            string // why the apply did not succeed; "" when it did
	Creates           int    // create calls Akool accepted
	Requests, Refused int    // API requests of the apply, and those refused as too frequent
	ApplyPeak         int64  // the provider's peak resident memory during the apply, bytes
	PlanFailed        string
	Plans             []time.Duration // each plan over the images, in turn
	Plan, Floor       time.Duration   // the plan over the images (median), and over the floor's resources (median)
	Reads             time.Duration   // the least time the plan's reads need at Akool's rate
	PlanPeak          int64           // the provider's peak resident memory during the plan, bytes
}

// RefusedShare is the share of the apply's requests refused as too frequent.
func (t Thousand) RefusedShare() float64 { return Share(t.Refused, t.Requests) }

// ThousandTargets checks the large benchmark: exactly one create per image,
// at most maxRefused of the requests refused, peak memory below maxPeak in
// the apply and in the plan, and the plan within maxPlan times the floor
// plus its reads.
func ThousandTargets(t Thousand, maxRefused float64, maxPeak int64, maxPlan float64) []Check {
	name := fmt.Sprintf("thousand %d: ", t.Images)
	planRatio := ratio(t.Plan, t.Floor+t.Reads)
	return []Check{
		ok(name+"apply succeeded", t.Failed == "", yesOr(t.Failed), "yes"),
		ok(name+"creates", t.Creates == t.Images, strconv.Itoa(t.Creates), strconv.Itoa(t.Images)),
		ok(name+"refused requests", t.RefusedShare() <= maxRefused && t.Requests > 0,
			fmt.Sprintf("%s (%d of %d)", Percent(t.RefusedShare()), t.Refused, t.Requests), "<= "+Percent(maxRefused)),
		ok(name+"provider peak memory, apply", t.ApplyPeak > 0 && t.ApplyPeak < maxPeak, MiB(t.ApplyPeak), "< "+MiB(maxPeak)),
		ok(name+"plan succeeded", t.PlanFailed == "", yesOr(t.PlanFailed), "yes"),
		ok(name+"provider peak memory, refresh", t.PlanPeak > 0 && t.PlanPeak < maxPeak, MiB(t.PlanPeak), "< "+MiB(maxPeak)),
		ok(name+"plan / (floor + reads)", t.PlanFailed == "" && planRatio <= maxPlan,
			fmt.Sprintf("%.2f (%s / (%s + %s))", planRatio, secs(t.Plan), secs(t.Floor), secs(t.Reads)), fmt.Sprintf("<= %g", maxPlan)),
	}
}

// Spread is the slowest of the plans over the images over the fastest: how
// steady the plan's time is from one run to the next (the faults and the
// refusals differ each time).
func (t Thousand) Spread() float64 {
	if len(t.Plans) == 0 {
		return math.Inf(1)
	}
	return ratio(slices.Max(t.Plans), slices.Min(t.Plans))
}

// SpreadTarget checks that the plans over the images took within maxSpread
// times the fastest of them; nothing to check with one plan or none.
func SpreadTarget(t Thousand, maxSpread float64) []Check {
	if len(t.Plans) < 2 {
		return nil
	}
	return []Check{ok(fmt.Sprintf("thousand %d: plan, slowest / fastest", t.Images), t.Spread() <= maxSpread,
		fmt.Sprintf("%.2f (%s / %s)", t.Spread(), secs(slices.Max(t.Plans)), secs(slices.Min(t.Plans))), fmt.Sprintf("<= %g", maxSpread))}
}

func ratio(a, b time.Duration) float64 {
	if b <= 0 {
		return math.Inf(1)
	}
	return a.Seconds() / b.Seconds()
}

// Share is part over whole; 0 when whole is 0.
func Share(part, whole int) float64 {
	if whole == 0 {
		return 0
	}
	return float64(part) / float64(whole)
}

// Percent prints a share as a percentage with one decimal, as "4.2%".
func Percent(share float64) string { return fmt.Sprintf("%.1f%%", 100*share) }

// MiB prints a number of bytes in mebibytes with one decimal, as "96.3 MiB".
func MiB(bytes int64) string { return fmt.Sprintf("%.1f MiB", float64(bytes)/(1<<20)) }
