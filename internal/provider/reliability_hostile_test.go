package provider

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/akool-community/terraform-provider-akool/internal/emulator"
)

// hostileServer serves the emulator, except that infobymodelid answers are
// passed through corrupt while it is set. corrupt gets the emulator's answer
// (status and body) and returns the status and body to send instead.
type hostileServer struct {
	e       *emulator.Emulator
	mu      sync.Mutex
	corrupt func(status int, body []byte) (int, []byte)
}

func (s *hostileServer) set(corrupt func(status int, body []byte) (int, []byte)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.corrupt = corrupt
}

func (s *hostileServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	corrupt := s.corrupt
	s.mu.Unlock()
	if corrupt == nil || !strings.HasSuffix(r.URL.Path, "/infobymodelid") {
		s.e.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	s.e.ServeHTTP(rec, r)
	status, body := corrupt(rec.Code, rec.Body.Bytes())
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// editData returns a corruption that decodes Akool's answer, lets edit change
// its data object, and encodes it again.
func editData(edit func(data map[string]any)) func(int, []byte) (int, []byte) {
	return func(status int, body []byte) (int, []byte) {
		var env map[string]any
		if err := json.Unmarshal(body, &env); err != nil {
			return status, body
		}
		if data, ok := env["data"].(map[string]any); ok {
			edit(data)
		}
		out, _ := json.Marshal(env)
		return status, out
	}
}

// replaceBody returns a corruption that answers status and body whatever
// Akool said.
func replaceBody(status int, body string) func(int, []byte) (int, []byte) {
	return func(int, []byte) (int, []byte) { return status, []byte(body) }
}

// hostileAnswers are answers to infobymodelid that the provider must refuse
// with a clear error rather than record: each with a phrase of the error.
var hostileAnswers = []struct {
	name    string
	corrupt func(int, []byte) (int, []byte)
	want    string
}{
	{"HTML page at HTTP 200", replaceBody(200, "<html><body><h1>Gateway maintenance</h1></body></html>"), "not a JSON object"},
	{"HTML page at HTTP 404", replaceBody(404, "<html><body>Not Found</body></html>"), "not a JSON object"},
	{"empty body", replaceBody(200, ""), "empty body"},
	{"truncated JSON", replaceBody(200, `{"code":1000,"msg":"OK","data":{"_id":"66`), "not a JSON object"},
	{"huge body", replaceBody(200, `{"code":1000,"msg":"`+strings.Repeat("x", 5<<20)+`"}`), "larger than 4 MiB"},
	{"missing data", replaceBody(200, `{"code":1000,"msg":"OK"}`), "no data"},
	{"null data", replaceBody(200, `{"code":1000,"msg":"OK","data":null}`), "no data"},
	{"data a string", replaceBody(200, `{"code":1000,"msg":"OK","data":"done"}`), "not an image object"},
	{"unknown code", replaceBody(200, `{"code":4242,"msg":"Something new"}`), "code 4242"},
	{"code of the wrong type", replaceBody(200, `{"code":true,"msg":"OK","data":{}}`), "no numeric code"},
	{"status a word", editData(func(d map[string]any) { d["image_status"] = "done" }), "image_status"},
	{"status an object", editData(func(d map[string]any) { d["image_status"] = map[string]any{"v": 3} }), "image_status"},
	{"unknown status 7", editData(func(d map[string]any) { d["image_status"] = 7 }), "image_status 7 in Akool's answer, which is none of the documented states"},
	{"negative status", editData(func(d map[string]any) { d["image_status"] = -1 }), "image_status -1 in Akool's answer"},
	{"another image's answer", editData(func(d map[string]any) { d["_id"] = "0123456789abcdef01234567" }), "0123456789abcdef01234567"},
	{"completed without a picture", editData(func(d map[string]any) { delete(d, "image") }), "completed in Akool's answer, but without a picture URL"},
	{"picture of the wrong type", editData(func(d map[string]any) { d["image"] = []any{"https://x.example/a.png"} }), "completed in Akool's answer, but without a picture URL"},
	{"id of the wrong type", editData(func(d map[string]any) { d["_id"] = map[string]any{"$oid": "662a"} }), "_id is not a string"},
	{"create time an object", editData(func(d map[string]any) { d["create_time"] = map[string]any{"$date": 1} }), "create_time is not a time"},
	{"credit not a number", editData(func(d map[string]any) { d["deduction_credit"] = "NaN" }), "deduction_credit is not a number"},
	{"buttons an object", editData(func(d map[string]any) { d["buttons"] = map[string]any{"U1": true} }), "buttons is not a list"},
}

// Hostile answers to infobymodelid during refresh each fail with a clear
// error, and never change what state holds about the image, its upscale or
// the data source that reads it.
func TestAccReliability_hostileReads(t *testing.T) {
	t.Parallel()
	e, url, srv := newEmulatorBehind(t, func(e *emulator.Emulator) *hostileServer { return &hostileServer{e: e} })

	h := newAppliedHarness(t, testAccGridConfig(url, "a harbor at dawn, seen from a boat")+
		testAccButtonBlock("akool_image_upscale", "up", "akool_generated_image.grid.id", 1, "")+
		testAccImageDataBlock("grid", "akool_generated_image.grid.id"))
	// The grid was saved before its button was pressed: a clean refresh
	// records used_buttons, and is what every hostile refresh must leave.
	h.mustRun("apply", "-refresh-only", "-auto-approve", "-input=false")
	goodValues := stateValues(h.state())
	if len(goodValues) != 3 {
		t.Fatalf("state holds %d resources, want the image, the upscale and the data source", len(goodValues))
	}

	for _, tc := range hostileAnswers {
		t.Run(tc.name, func(t *testing.T) {
			srv.set(tc.corrupt)
			defer srv.set(nil)
			res := h.run("apply", "-refresh-only", "-auto-approve", "-input=false")
			if res.exitCode == 0 {
				t.Errorf("refresh accepted a hostile answer:\n%s", res.output())
			}
			res.expectMentions(t, "terraform", "Unable to Read Image", tc.want)
			if strings.Contains(res.output(), "panic") {
				t.Errorf("the provider panicked:\n%s", res.output())
			}
			if got := stateValues(h.state()); !reflect.DeepEqual(got, goodValues) {
				t.Errorf("state changed after a hostile answer:\n got %v\nwant %v", got, goodValues)
				// Let the next case start from the good state.
				srv.set(nil)
				h.mustRun("apply", "-refresh-only", "-auto-approve", "-input=false")
			}
		})
	}
	figure(t, "hostile answers tried during refresh", len(hostileAnswers))

	// A new job that Akool reports with an undocumented status while the
	// apply waits: a clear warning, and state keeps the job's id with its
	// last documented status, untainted, so the next apply finishes the
	// same job.
	known := map[any]bool{}
	for _, r := range goodValues {
		known[r["id"]] = true
	}
	srv.set(editData(func(d map[string]any) {
		if !known[d["_id"]] {
			d["image_status"] = 7
		}
	}))
	h.writeConfig(testAccGridConfig(url, "a harbor at dawn, seen from a boat") +
		testAccButtonBlock("akool_image_upscale", "up", "akool_generated_image.grid.id", 1, "") +
		testAccImageDataBlock("grid", "akool_generated_image.grid.id") + `
resource "akool_generated_image" "odd" {
  prompt = "a job in an undocumented state"
}
`)
	res := h.apply()
	srv.set(nil)
	res.expectMentions(t, "terraform", "Warning: Image Generation Not Finished", "image_status 7", "continues waiting for the same job")
	odd := h.resource("akool_generated_image.odd")
	if odd == nil {
		t.Fatal("the job Akool accepted is not in state; the paid job would be lost")
	}
	if status := odd.AttributeValues["status"]; (status != "queueing" && status != "processing") || odd.Tainted {
		t.Errorf("status in state = %v, tainted = %v; want the last documented one (queueing or processing), not tainted", status, odd.Tainted)
	}
	if res := h.apply(); res.exitCode != 0 || !res.mentions("0 added") {
		t.Fatalf("recovery apply: exit %d, want the same job finished:\n%s", res.exitCode, res.output())
	}
	if done := h.resource("akool_generated_image.odd"); done == nil || done.AttributeValues["id"] != odd.AttributeValues["id"] ||
		done.AttributeValues["status"] != "completed" {
		t.Errorf("after recovery: %+v; want job %v completed", done, odd.AttributeValues["id"])
	}

	// After the hostile answers, the next refresh is clean and plans nothing.
	h.expectNoChanges("after the hostile answers")
	if c := e.Counters(); c.Creates != 2 || c.Presses != 1 {
		t.Errorf("creates = %d, presses = %d; want 2 and 1", c.Creates, c.Presses)
	}
}

// stateValues is every resource's and data source's attribute values by
// address.
func stateValues(s *tfjson.State) map[string]map[string]any {
	out := map[string]map[string]any{}
	if s.Values == nil || s.Values.RootModule == nil {
		return out
	}
	for _, r := range s.Values.RootModule.Resources {
		out[r.Address] = r.AttributeValues
	}
	return out
}
