package provider

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// envMaxNewImages is the environment fallback of max_new_images.
const envMaxNewImages = "AKOOL_MAX_NEW_IMAGES"

const maxNewImagesDescription = "The most paid Akool jobs one Terraform run may start: every planned creation or " +
	"replacement of `akool_generated_image`, `akool_image_upscale` and `akool_image_variation` counts one, while " +
	"in-place updates, resumed waits and resources that already exist count nothing. A plan that holds more fails " +
	"at `terraform plan`, before anything is sent to Akool; `terraform apply` checks again before each job it " +
	"starts, so a run never starts more, even when it applies a plan made with another limit. Must be `0` or more " +
	"(`0` allows no new images). Falls back to the `" + envMaxNewImages + "` environment variable; when neither is " +
	"set, there is no limit. The count is per provider configuration."

// spendingCap counts the paid Akool jobs of one Terraform run against
// max_new_images. Terraform configures the provider once per run (a plan, or
// an apply), so the counts start from zero in each. Its methods are safe for
// concurrent use: Terraform plans and applies resources in parallel.
type spendingCap struct {
	limit  int64  // the most jobs one run may start
	source string // where the limit came from, for diagnostics

	mu      sync.Mutex
	planned int64 // creations and replacements planned so far
	started int64 // jobs sent to Akool so far
}

// newSpendingCap resolves max_new_images with its environment fallback. It
// returns nil when there is no limit, or when the value is not known yet
// (apply configures the provider again with the known value).
func newSpendingCap(v types.Int64, getenv func(string) string, diags *diag.Diagnostics) *spendingCap {
	if v.IsUnknown() {
		return nil
	}
	if !v.IsNull() {
		// At least 0, checked by spendingCapValidator.
		return &spendingCap{limit: v.ValueInt64(), source: "the max_new_images argument"}
	}
	raw := strings.TrimSpace(getenv(envMaxNewImages))
	if raw == "" {
		return nil
	}
	limit, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || limit < 0 {
		diags.AddAttributeError(path.Root("max_new_images"), "Invalid Akool Spending Cap",
			fmt.Sprintf("The %s environment variable is %q, which is not a whole number of 0 or more. Set it to "+
				"the most new images one run may generate, such as 10, or unset it for no limit.", envMaxNewImages, raw))
		return nil
	}
	return &spendingCap{limit: limit, source: "the " + envMaxNewImages + " environment variable"}
}

// spendingCapValidator checks at plan time that max_new_images is 0 or more.
type spendingCapValidator struct{}

var _ validator.Int64 = spendingCapValidator{}

func (spendingCapValidator) Description(context.Context) string { return "value must be 0 or more" }

func (v spendingCapValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (spendingCapValidator) ValidateInt64(_ context.Context, req validator.Int64Request, resp *validator.Int64Response) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() || req.ConfigValue.ValueInt64() >= 0 {
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Invalid Akool Spending Cap",
		fmt.Sprintf("max_new_images is %d; it must be a whole number of 0 or more, such as 10 (0 allows no new "+
			"images). Remove it for no limit.", req.ConfigValue.ValueInt64()))
}

// spending returns the run's spending cap, or nil when there is none.
func (d *providerData) spending() *spendingCap {
	if d == nil {
		return nil
	}
	return d.spendingCap
}

// planJob is the ModifyPlan hook of every resource whose creation starts a
// paid job. Terraform plans a creation, and every replacement (forced,
// tainted, or required by a changed input), with a null prior state, so each
// paid job of the plan passes here exactly once with a null state.
func (c *spendingCap) planJob(ctx context.Context, req resource.ModifyPlanRequest, diags *diag.Diagnostics) {
	if c == nil || !req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	c.mu.Lock()
	c.planned++
	planned := c.planned
	c.mu.Unlock()
	tflog.Debug(ctx, "Planned a paid Akool job", map[string]any{"planned": planned, "max_new_images": c.limit})
	if planned <= c.limit {
		return
	}
	diags.AddError("Akool Spending Cap Exceeded",
		fmt.Sprintf("This plan holds at least %s (new images, upscales and variations, replacements "+
			"included), more than max_new_images = %d, set by %s. Nothing was sent to Akool and no credits were "+
			"spent. Generate fewer images in one run (for example with terraform apply -target=...), or raise "+
			"max_new_images if you mean to spend more.", paidJobs(planned), c.limit, c.source))
}

// startJob is called by Create right before it sends a request that starts
// a paid job. When the run has already started as many jobs as the cap
// allows, it adds an error and returns false: nothing may be sent. A started
// job stays counted even if Akool refuses it, since an unanswered request
// may still have started one.
func (c *spendingCap) startJob(diags *diag.Diagnostics) bool {
	if c == nil {
		return true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.started >= c.limit {
		diags.AddError("Akool Spending Cap Reached",
			fmt.Sprintf("This run has already started %s, the most that max_new_images = %d (set by %s) "+
				"allows, so this one was not sent and no credits were spent for it. Apply again in a later run to "+
				"start it, or raise max_new_images if you mean to spend more.",
				paidJobs(c.started), c.limit, c.source))
		return false
	}
	c.started++
	return true
}

// paidJobs is "1 paid Akool job" or "N paid Akool jobs".
func paidJobs(n int64) string {
	if n == 1 {
		return "1 paid Akool job"
	}
	return fmt.Sprintf("%d paid Akool jobs", n)
}
