package provider

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/akool-community/terraform-provider-akool/internal/emulator"
)

// The reliability suite: what a flaky network, a busy or refusing Akool, an
// interrupted run and hostile answers do to an unattended terraform apply.
// Each test drives the real terraform CLI against the emulator and reports
// its figures as "FIGURE" lines (go test -v shows them).

// figure logs one of the suite's measurements in a form easy to collect.
func figure(t *testing.T, name string, value any) {
	t.Helper()
	t.Logf("FIGURE %s: %s = %v", t.Name(), name, value)
}

// faultBurst is the longest run of faults the suite serves in a row: as
// many as the client's default retries (six) absorb.
const faultBurst = 6

// transientFaults is the fault mix of the suite, the same on every run:
// every request, read or create, walks the schedule below on its own (a
// request and its retries, or the status reads of one image). Its first
// attempt fails, the next one is served, then six in a row fail, and after
// that every fifth: about 30% in all. Reads get HTTP 500, HTTP 503 with an
// HTML page and code 1005 in turn ('x'), or a dropped connection ('d');
// creates are refused with code 1005 before Akool acts. The burst holds no
// dropped connection: Go's transport may resend a dropped GET by itself,
// and the client would then see fewer than six failures.
var transientFaults = emulator.Faults{
	Schedule:  "x." + strings.Repeat("x", faultBurst) + "." + strings.Repeat("....x....d", 4),
	ReadKinds: []emulator.FaultKind{emulator.FaultHTTP500, emulator.FaultHTTP503, emulator.FaultCode1005},
}

const faultImages = 6

// faultConfig is six v3 images and an upscale of each.
func faultConfig(url string) string {
	return testAccProviderConfig(url) + fmt.Sprintf(`
resource "akool_generated_image" "img" {
  count  = %d
  prompt = "a lighthouse in rough weather, study number ${count.index}"
}

resource "akool_image_upscale" "up" {
  count    = %[1]d
  image_id = akool_generated_image.img[count.index].id
  index    = count.index %% 4 + 1
}
`, faultImages)
}

// stateResources returns the managed resources of the harness's state by
// address.
func stateResources(h *tfHarness) map[string]*tfjson.StateResource {
	h.t.Helper()
	out := map[string]*tfjson.StateResource{}
	state := h.state()
	if state.Values == nil || state.Values.RootModule == nil {
		return out
	}
	for _, r := range state.Values.RootModule.Resources {
		if r.Mode == tfjson.ManagedResourceMode {
			out[r.Address] = r
		}
	}
	return out
}

// With about 30% of requests failing transiently, in bursts as long as the
// client's retries absorb, one apply makes six images and an upscale of
// each, sending exactly one accepted create per image and one press per
// button. Plans then refresh the twelve resources under the same faults
// without an error and without planning a change; an image Akool no longer
// knows (code 1008) is kept, with a warning. The faults follow a schedule,
// so the outcome never depends on luck.
func TestAccReliability_transientFaults(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t, func(o *emulator.Options) {
		o.Faults = transientFaults
		o.Seed = 20240425
	})
	h := newHarness(t, faultConfig(url))
	// A quarter of the requests are refused (every create's first attempt,
	// and the 1005s among the read faults), so the request budget often
	// paces the apply at one or two requests a second: 25-65 s alone, up
	// to twice that beside the rest of the suite under -race.
	h.timeout = 6 * time.Minute

	started := time.Now()
	res := h.apply()
	if res.exitCode != 0 {
		t.Fatalf("apply under transient faults failed (counters %+v):\n%s", e.Counters(), res.output())
	}
	figure(t, "apply duration", time.Since(started).Round(time.Millisecond))
	applied := e.Counters()

	resources := stateResources(h)
	if len(resources) != 2*faultImages {
		t.Fatalf("state holds %d resources, want %d", len(resources), 2*faultImages)
	}
	for i := range faultImages {
		img := resources[fmt.Sprintf("akool_generated_image.img[%d]", i)]
		up := resources[fmt.Sprintf("akool_image_upscale.up[%d]", i)]
		if img == nil || up == nil {
			t.Fatalf("image %d or its upscale is missing from state", i)
		}
		for _, r := range []*tfjson.StateResource{img, up} {
			if r.AttributeValues["status"] != "completed" || r.AttributeValues["image_url"] == nil || r.Tainted {
				t.Errorf("%s: status %v, image_url %v, tainted %v; want a completed job with a picture",
					r.Address, r.AttributeValues["status"], r.AttributeValues["image_url"], r.Tainted)
			}
		}
		if up.AttributeValues["image_id"] != img.AttributeValues["id"] || up.AttributeValues["button"] != fmt.Sprintf("U%d", i%4+1) {
			t.Errorf("%s presses %v of %v, want U%d of %v", up.Address, up.AttributeValues["button"],
				up.AttributeValues["image_id"], i%4+1, img.AttributeValues["id"])
		}
		key := fmt.Sprintf("%s/U%d", img.AttributeValues["id"], i%4+1)
		if n := applied.PressesByButton[key]; n != 1 {
			t.Errorf("Akool accepted %d presses of %s, want exactly 1", n, key)
		}
	}
	if applied.Creates != faultImages || applied.Presses != faultImages || len(applied.PressesByButton) != faultImages {
		t.Errorf("accepted creates = %d, presses = %d over %d buttons; want %d of each: nothing may be paid twice",
			applied.Creates, applied.Presses, len(applied.PressesByButton), faultImages)
	}
	if applied.Faults == 0 {
		t.Errorf("the emulator served no fault during the apply; the test proves nothing")
	}
	// Each create and press was refused once, then accepted. Each image's
	// reads met the burst during the apply: its second read (the parent
	// check at the latest) came after six faults in a row.
	if applied.CreateAttempts != 4*faultImages {
		t.Errorf("create requests sent = %d, want %d: each create and press refused once and sent again once",
			applied.CreateAttempts, 4*faultImages)
	}
	if n := applied.FaultRuns[faultBurst]; n < faultImages {
		t.Errorf("%d runs of %d faults in a row were served and then answered during the apply, want at least %d (one per image): %v",
			n, faultBurst, faultImages, applied.FaultRuns)
	}
	figure(t, "images and upscales made", applied.Jobs)
	figure(t, "accepted creates (images)", applied.Creates)
	figure(t, "accepted presses (upscales)", applied.Presses)
	figure(t, "create requests sent (creates and presses, refused ones included)", applied.CreateAttempts)
	figure(t, "status reads", applied.Reads)
	figure(t, "faults served during apply", applied.Faults)
	figure(t, "runs of faults in a row survived during apply, by length", applied.FaultRuns)

	// Refresh under the same faults: five plans, no error, no change.
	const plans = 5
	started = time.Now()
	for i := range plans {
		res := h.run("plan", "-detailed-exitcode", "-input=false")
		if res.exitCode != 0 {
			t.Fatalf("plan %d under transient faults exited %d, want 0 (no error, no change):\n%s", i+1, res.exitCode, res.output())
		}
	}
	refreshed := e.Counters()
	figure(t, "plan duration (each)", (time.Since(started) / plans).Round(time.Millisecond))
	figure(t, "status reads during plans", refreshed.Reads-applied.Reads)
	figure(t, "faults served during plans", refreshed.Faults-applied.Faults)
	if refreshed.Faults == applied.Faults {
		t.Errorf("the emulator served no fault during %d plans; the test proves nothing", plans)
	}
	if refreshed.CreateAttempts != applied.CreateAttempts {
		t.Errorf("plans sent %d create requests", refreshed.CreateAttempts-applied.CreateAttempts)
	}
	// By now the reads of every image and every upscale have met the burst.
	if n := refreshed.FaultRuns[faultBurst]; n < 2*faultImages {
		t.Errorf("%d runs of %d faults in a row were served and then answered, want at least %d (one per resource): %v",
			n, faultBurst, 2*faultImages, refreshed.FaultRuns)
	}
	for length := range refreshed.FaultRuns {
		if length > faultBurst {
			t.Errorf("a run of %d faults in a row was served, more than the schedule's %d: %v", length, faultBurst, refreshed.FaultRuns)
		}
	}
	if after := stateResources(h); !reflect.DeepEqual(after, resources) {
		t.Errorf("the plans changed the state")
	}

	// Akool forgets one image (code 1008): still no error and no change,
	// and a warning names it.
	gone := stateID(resources["akool_generated_image.img[0]"])
	if gone == "" {
		t.Fatal("akool_generated_image.img[0] has no id in state")
	}
	e.Forget(gone)
	res = h.run("plan", "-detailed-exitcode", "-input=false")
	if res.exitCode != 0 {
		t.Fatalf("plan with an image Akool no longer knows exited %d, want 0:\n%s", res.exitCode, res.output())
	}
	res.expectMentions(t, "plan", "Warning: Image No Longer Known to Akool", gone, "code 1008")
	final := e.Counters()
	if final.Creates != faultImages || final.Presses != faultImages {
		t.Errorf("after the plans: creates = %d, presses = %d; want %d and %d", final.Creates, final.Presses, faultImages, faultImages)
	}
	figure(t, "faults served in all", final.Faults)
	figure(t, "runs of faults in a row survived in all, by length", final.FaultRuns)
	figure(t, "requests in all", final.Requests)
}

// When the answer to a create is lost after Akool acted, the error says that
// a generation may have started, that its id is not known, and how to adopt
// it; the create is sent once. Adopting the job with terraform import, as the
// error says, then gives an empty plan, and nothing is sent again.
func TestAccReliability_ambiguousCreate(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t, func(o *emulator.Options) { o.Faults = emulator.Faults{CreateDropRate: 1} })
	h := newHarness(t, testAccImageConfig(url, "a message in a bottle, adrift"))

	res := h.apply()
	if res.exitCode == 0 {
		t.Fatalf("apply succeeded although the create's answer was lost:\n%s", res.output())
	}
	res.expectMentions(t, "terraform", "Image Generation Outcome Unknown", "Akool may have started the generation",
		"did not send the request again", "has no id to follow", "terraform import <address> <id>")
	if r := h.resource(testAccImageAddress); r != nil {
		t.Errorf("state holds %s although no id is known", r.Address)
	}
	c := e.Counters()
	if c.CreateAttempts != 1 || c.Creates != 1 {
		t.Fatalf("create requests = %d, accepted = %d; want the create sent exactly once", c.CreateAttempts, c.Creates)
	}

	// The Akool dashboard shows the job: adopt it.
	jobs := e.JobStats()
	if len(jobs) != 1 {
		t.Fatalf("Akool holds %d jobs, want 1", len(jobs))
	}
	e.SetFaults(emulator.Faults{})
	h.mustRun("import", "-input=false", testAccImageAddress, jobs[0].ID)
	res = h.run("apply", "-auto-approve", "-input=false")
	if res.exitCode != 0 || !res.mentions("0 added") || !res.mentions("0 destroyed") {
		t.Fatalf("apply after adopting the job: exit %d, want no new image:\n%s", res.exitCode, res.output())
	}
	adopted := h.resource(testAccImageAddress)
	if adopted == nil || adopted.AttributeValues["id"] != jobs[0].ID || adopted.AttributeValues["status"] != "completed" {
		t.Fatalf("adopted image in state: %+v; want job %s, completed", adopted, jobs[0].ID)
	}
	h.expectNoChanges("after adoption")
	expectEmulatorCalls(t, e, 1, 0, "no other request")
}

// businessErrorServer serves the emulator, except that while code is set,
// every create request (v3, v4 and createbybutton) is answered with that
// Akool code, as HTTP 200 and without acting, the way Akool answers business
// errors. It counts every request to a create path, whoever answers it.
type businessErrorServer struct {
	e        *emulator.Emulator
	mu       sync.Mutex
	code     int
	msg      string
	attempts int
}

func (s *businessErrorServer) set(code int, msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.code, s.msg = code, msg
}

func (s *businessErrorServer) createAttempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts
}

func (s *businessErrorServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	create := strings.HasSuffix(r.URL.Path, "/createbyprompt") || strings.HasSuffix(r.URL.Path, "/createBySourcePrompt") ||
		strings.HasSuffix(r.URL.Path, "/createbybutton")
	s.mu.Lock()
	code, msg := s.code, s.msg
	if create {
		s.attempts++
	}
	s.mu.Unlock()
	if code == 0 || !create {
		s.e.ServeHTTP(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	body, _ := json.Marshal(map[string]any{"code": code, "msg": msg})
	_, _ = w.Write(body)
}

// Every business error Akool can answer a create with gives its own message
// naming Akool's code and what to do; nothing is left in state, and the
// create is not sent again.
func TestAccReliability_businessErrors(t *testing.T) {
	t.Parallel()
	e, url, srv := newEmulatorBehind(t, func(e *emulator.Emulator) *businessErrorServer { return &businessErrorServer{e: e} })

	// What each code's message must say: a phrase only that kind of error
	// uses.
	advice := map[string]string{
		"parameter": "rejected a parameter as missing or invalid; check the arguments",
		"credit":    "does not have enough credit; top it up and apply again",
		"generator": "could not generate the image; try again later",
		"banned":    "this account is banned; contact Akool support",
	}
	image := func(body string) string {
		return testAccProviderConfig(url) + "resource \"akool_generated_image\" \"test\" {\n" + body + "\n}\n"
	}
	grid := image(`prompt = "a grid to press buttons on"`)
	press := grid + testAccButtonBlock("akool_image_upscale", "up", "akool_generated_image.test.id", 1, "")
	cases := []struct {
		name     string
		config   string
		address  string
		prepare  func()
		code     int
		summary  string
		adviceOf string
	}{
		{name: "1003 from Akool's own check", address: testAccImageAddress, code: 1003, summary: "Unable to Generate Image", adviceOf: "parameter",
			config: image(`
prompt      = "x"
api_version = "v4"
model_name  = "no-such-model"`)},
		{name: "1006 out of credit", address: testAccImageAddress, code: 1006, summary: "Unable to Generate Image", adviceOf: "credit",
			prepare: func() { e.SetCredit(0) }, config: image(`prompt = "a costly picture"`)},
		{name: "1104 out of quota", address: testAccImageAddress, code: 1104, summary: "Unable to Generate Image", adviceOf: "credit",
			prepare: func() { srv.set(1104, "Insufficient quota") }, config: image(`prompt = "a costly picture"`)},
		{name: "1108 generation error", address: testAccImageAddress, code: 1108, summary: "Unable to Generate Image", adviceOf: "generator",
			prepare: func() { srv.set(1108, "Image generation error, please try again later") }, config: image(`prompt = "a hard picture"`)},
		{name: "1200 banned", address: testAccImageAddress, code: 1200, summary: "Unable to Generate Image", adviceOf: "banned",
			prepare: func() { srv.set(1200, "The account has been banned") }, config: image(`prompt = "a picture"`)},
		{name: "1006 on a press", address: "akool_image_upscale.up", code: 1006, summary: "Unable to Upscale Image", adviceOf: "credit",
			prepare: func() { e.SetCredit(0) }, config: press},
		{name: "1108 on a press", address: "akool_image_upscale.up", code: 1108, summary: "Unable to Upscale Image", adviceOf: "generator",
			prepare: func() { srv.set(1108, "Image generation error, please try again later") }, config: press},
		{name: "1200 on a press", address: "akool_image_upscale.up", code: 1200, summary: "Unable to Upscale Image", adviceOf: "banned",
			prepare: func() { srv.set(1200, "The account has been banned") }, config: press},
	}

	h := newHarness(t, grid)
	tried := 0
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv.set(0, "")
			e.SetCredit(1000)
			h.writeConfig(tc.config)
			if tc.address != testAccImageAddress {
				// The press needs its grid: make it first, without faults.
				if res := h.run("apply", "-auto-approve", "-input=false", "-target=akool_generated_image.test"); res.exitCode != 0 {
					t.Fatalf("creating the grid failed:\n%s", res.output())
				}
			} else if res := h.run("apply", "-auto-approve", "-input=false", "-destroy"); res.exitCode != 0 {
				t.Fatalf("clearing the state failed:\n%s", res.output())
			}
			if tc.prepare != nil {
				tc.prepare()
			}
			before, attemptsBefore := e.Counters(), srv.createAttempts()
			res := h.apply()
			tried++
			after, attempts := e.Counters(), srv.createAttempts()-attemptsBefore
			if res.exitCode == 0 {
				t.Fatalf("apply succeeded although Akool answered %d:\n%s", tc.code, res.output())
			}
			res.expectMentions(t, "terraform", tc.summary, fmt.Sprintf("Akool answered code %d", tc.code), advice[tc.adviceOf])
			for kind, text := range advice {
				if kind != tc.adviceOf && res.mentions(text) {
					t.Errorf("output gives the advice for %s errors too (%q):\n%s", kind, text, res.output())
				}
			}
			if r := h.resource(tc.address); r != nil {
				t.Errorf("state holds %s (status %v) after Akool refused the request", r.Address, r.AttributeValues["status"])
			}
			if attempts != 1 {
				t.Errorf("%d create requests sent; a refused create must be sent once and not again", attempts)
			}
			if after.Creates != before.Creates || after.Presses != before.Presses {
				t.Errorf("Akool accepted %d creates and %d presses; want none", after.Creates-before.Creates, after.Presses-before.Presses)
			}
		})
	}
	figure(t, "business errors tried", tried)
}

// Ctrl-C (SIGINT to the terraform process) while waiting keeps the jobs in
// state, untainted; the next plain terraform apply, with the same
// configuration, finishes the SAME jobs: no second create and no second
// press, for an image and for an upscale.
func TestAccReliability_interruptRecovery(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	h, grid := newGridHarness(t, url, "a quiet harbor before the storm")

	// From now on, jobs only finish when the test moves the emulator's clock.
	e.SetJobTime(0, time.Hour)
	config := grid + testAccButtonBlock("akool_image_upscale", "slow", "akool_generated_image.grid.id", 2, "") + `
resource "akool_generated_image" "slow" {
  prompt = "a very slow aurora over the harbor"
}
`
	h.writeConfig(config)
	const imageAddress, upscaleAddress = "akool_generated_image.slow", "akool_image_upscale.slow"
	before := e.Counters()

	run := h.start("apply", "-auto-approve", "-input=false")
	deadline := time.Now().Add(30 * time.Second)
	for c := e.Counters(); c.Creates == before.Creates || c.Presses == before.Presses; c = e.Counters() {
		if time.Now().After(deadline) {
			_ = run.cmd.Process.Kill()
			run.wait()
			t.Fatalf("Akool never received both the create and the press (%+v)", c)
		}
		time.Sleep(20 * time.Millisecond)
	}
	interrupted := time.Now()
	if err := run.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	res := run.wait()
	figure(t, "time to stop after SIGINT", time.Since(interrupted).Round(time.Millisecond))
	if !res.mentions("Warning: Image Generation Not Finished") || !res.mentions("Warning: Upscale Not Finished") ||
		!res.mentions("Terraform interrupted the wait") {
		t.Fatalf("interrupted apply: exit %d, want warnings saying the waits were interrupted:\n%s", res.exitCode, res.output())
	}
	ids := map[string]string{}
	for _, address := range []string{imageAddress, upscaleAddress} {
		_, ids[address] = h.expectKeptJob(res, address)
	}
	interruptedCounters := e.Counters()

	// A plain apply of the same configuration; the jobs finish while it waits.
	h.mustApplyFinishingJobs(e, "0 added, 2 changed, 0 destroyed", ids[imageAddress], ids[upscaleAddress])
	for address, id := range ids {
		h.expectFinishedJob(address, id)
	}
	after := e.Counters()
	if after.CreateAttempts != interruptedCounters.CreateAttempts || after.Creates != 2 || after.Presses != 1 {
		t.Errorf("create requests %d -> %d, creates %d, presses %d; the recovery must send nothing new",
			interruptedCounters.CreateAttempts, after.CreateAttempts, after.Creates, after.Presses)
	}
	figure(t, "create requests in all (grid, image, press)", after.CreateAttempts)
	h.expectNoChanges("after recovery")
}
