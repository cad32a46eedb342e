package emulator_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/akool-community/terraform-provider-akool/internal/emulator"
)

// noReuse makes every request use a fresh connection, so Go's transport never
// replays a request whose connection was dropped and each request reaches the
// emulator exactly once.
func (e *env) noReuse() {
	e.hc = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
}

// outcome classifies an answer: "ok", a fault kind, or "other".
func (e *env) outcome(method, path string, body any) string {
	e.t.Helper()
	rep, err := e.request(method, path, body, "x-api-key", testKey)
	if err != nil {
		return string(emulator.FaultDrop)
	}
	var a answer
	jsonErr := json.Unmarshal(rep.body, &a)
	switch {
	case rep.status == http.StatusInternalServerError && jsonErr != nil:
		return string(emulator.FaultHTTP500)
	case rep.status == http.StatusServiceUnavailable && jsonErr != nil:
		return string(emulator.FaultHTTP503)
	case rep.status == http.StatusTooManyRequests && a.Code == 1005:
		return string(emulator.FaultHTTP429)
	case rep.status == http.StatusOK && a.Code == 1005:
		return string(emulator.FaultCode1005)
	case rep.status == http.StatusOK && a.Code == 1000:
		return "ok"
	}
	return fmt.Sprintf("other: HTTP %d %q", rep.status, rep.body)
}

func TestFaults_readsAtRate(t *testing.T) {
	e := start(t, emulator.Options{Seed: 42, Faults: emulator.Faults{ReadRate: 0.3}})
	j := e.createV3(map[string]string{"prompt": "x"})
	e.noReuse()
	const n = 400
	seen := map[string]int{}
	for range n {
		seen[e.outcome(http.MethodGet, pathInfo+"?image_model_id="+j.ID, nil)]++
	}
	faults := n - seen["ok"]
	if frac := float64(faults) / n; frac < 0.22 || frac > 0.38 {
		t.Errorf("%d of %d reads faulted (%.2f), want about 0.3: %v", faults, n, frac, seen)
	}
	for _, k := range []emulator.FaultKind{emulator.FaultHTTP500, emulator.FaultHTTP503, emulator.FaultCode1005, emulator.FaultHTTP429, emulator.FaultDrop} {
		if seen[string(k)] == 0 {
			t.Errorf("fault kind %s never served: %v", k, seen)
		}
	}
	c := e.emu.Counters()
	if c.Faults != faults || c.Reads != n || c.ReadsByID[j.ID] != n || c.Requests != n+1 {
		t.Errorf("counters: Faults %d Reads %d ReadsByID %d Requests %d; want %d, %d, %d, %d", c.Faults, c.Reads, c.ReadsByID[j.ID], c.Requests, faults, n, n, n+1)
	}
	if c.Creates != 1 {
		t.Errorf("read faults touched creates: %d", c.Creates)
	}
}

func TestFaults_readKindsAndScope(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	j := e.finishedGrid()
	img := e.job(j.ID).Image
	e.emu.SetFaults(emulator.Faults{ReadRate: 1, ReadKinds: []emulator.FaultKind{emulator.FaultHTTP503}})
	for _, r := range []struct{ method, path string }{{http.MethodGet, pathQuota}, {http.MethodGet, pathInfo + "?image_model_id=" + j.ID}, {http.MethodPost, pathToken}} {
		if got := e.outcome(r.method, r.path, map[string]string{}); got != string(emulator.FaultHTTP503) {
			t.Errorf("%s: %s, want http503", r.path, got)
		}
	}
	// Creates and image downloads do not get read faults.
	e.picture(img)
	e.createV3(map[string]string{"prompt": "x"})
	if c := e.emu.Counters(); c.Faults != 3 || c.TokenRequests != 1 {
		t.Errorf("Faults %d TokenRequests %d, want 3 and 1", c.Faults, c.TokenRequests)
	}
	e.emu.SetFaults(emulator.Faults{})
	if got := e.outcome(http.MethodGet, pathQuota, nil); got != "ok" {
		t.Errorf("after clearing faults: %s", got)
	}
}

func TestFaults_createRefusedWithoutActing(t *testing.T) {
	e := start(t, emulator.Options{})
	parent := e.finishedGrid()
	e.emu.SetFaults(emulator.Faults{CreateRefuseRate: 1})
	e.wantCode(1005, http.MethodPost, pathV3, map[string]string{"prompt": "x"})
	e.wantCode(1005, http.MethodPost, pathV4, map[string]string{"prompt": "x"})
	e.wantCode(1005, http.MethodPost, pathButton, map[string]string{"_id": parent.ID, "button": "U1"})
	c := e.emu.Counters()
	if c.Creates != 1 || c.Presses != 0 || c.Jobs != 1 || c.CreateAttempts != 4 || c.Faults != 3 {
		t.Errorf("counters after refusals %+v", c)
	}
	if e.emu.Credit() != 996 {
		t.Errorf("refusals spent credit: %v", e.emu.Credit())
	}
	if used := e.job(parent.ID).UsedButtons; len(used) != 0 {
		t.Errorf("a refused press was recorded: %v", used)
	}
}

func TestFaults_createActedThenDropped(t *testing.T) {
	e := start(t, emulator.Options{})
	parent := e.finishedGrid()
	e.emu.SetFaults(emulator.Faults{CreateDropRate: 1})
	for _, r := range []struct {
		path string
		body any
	}{
		{pathV3, map[string]string{"prompt": "x"}},
		{pathV4, map[string]any{"prompt": "x", "batch_quantity": 2, "resolution": "1080p"}},
		{pathButton, map[string]string{"_id": parent.ID, "button": "U3"}},
	} {
		rep, err := e.request(http.MethodPost, r.path, r.body, "x-api-key", testKey)
		if err == nil {
			t.Errorf("POST %s answered HTTP %d %q; want a dropped connection", r.path, rep.status, rep.body)
		}
	}
	// An invalid create is answered, not dropped: it was not acted on.
	e.wantCode(1003, http.MethodPost, pathV3, map[string]string{})
	c := e.emu.Counters()
	if c.Creates != 3 || c.CreatesV3 != 2 || c.CreatesV4 != 1 || c.Presses != 1 || c.Jobs != 5 || c.Faults != 3 || c.CreateAttempts != 5 {
		t.Errorf("counters after drops %+v", c)
	}
	if want := 1000.0 - 4 - 4 - 2*2 - 1; e.emu.Credit() != want {
		t.Errorf("credit %v, want %v: dropped creates were charged", e.emu.Credit(), want)
	}
	if used := e.job(parent.ID).UsedButtons; len(used) != 1 || used[0] != "U3" {
		t.Errorf("a dropped press was not recorded: %v", used)
	}
}

func TestFaults_createRatesAddUp(t *testing.T) {
	e := start(t, emulator.Options{Seed: 7, Faults: emulator.Faults{CreateRefuseRate: 0.2, CreateDropRate: 0.2}})
	e.noReuse()
	const n = 200
	seen := map[string]int{}
	for range n {
		seen[e.outcome(http.MethodPost, pathV3, map[string]string{"prompt": "x"})]++
	}
	refused, dropped, ok := seen[string(emulator.FaultCode1005)], seen[string(emulator.FaultDrop)], seen["ok"]
	if refused+dropped+ok != n {
		t.Fatalf("unexpected outcomes %v", seen)
	}
	for name, got := range map[string]int{"refused": refused, "dropped": dropped} {
		if got < 25 || got > 55 {
			t.Errorf("%s %d of %d, want about 40", name, got, n)
		}
	}
	c := e.emu.Counters()
	if c.Creates != ok+dropped || c.CreateAttempts != n || c.Faults != refused+dropped {
		t.Errorf("counters %+v for %v", c, seen)
	}
	if want := 1000 - 4*float64(ok+dropped); e.emu.Credit() != want {
		t.Errorf("credit %v, want %v", e.emu.Credit(), want)
	}
}

// A schedule faults each stream of identical requests the same way whatever
// other streams do: the reads of two images, interleaved, and a create and
// its retry each walk it from the start, and the runs of faults that ended
// in an answer are counted by length.
func TestFaults_schedulePerStream(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	a := e.createV3(map[string]string{"prompt": "a"})
	b := e.createV3(map[string]string{"prompt": "b"})
	e.noReuse()
	e.emu.SetFaults(emulator.Faults{Schedule: "x.xx.", ReadKinds: []emulator.FaultKind{emulator.FaultHTTP500, emulator.FaultHTTP503}})
	read := func(id string) string { return e.outcome(http.MethodGet, pathInfo+"?image_model_id="+id, nil) }

	// a and b read in an uneven interleaving; each gets the schedule on its
	// own, cyclically, with the kinds in turn.
	var gotA, gotB []string
	for _, id := range []string{a.ID, a.ID, b.ID, a.ID, b.ID, b.ID, a.ID, a.ID, a.ID, b.ID, b.ID, b.ID} {
		if id == a.ID {
			gotA = append(gotA, read(id))
		} else {
			gotB = append(gotB, read(id))
		}
	}
	wantA := []string{"http500", "ok", "http503", "http500", "ok", "http503"}
	wantB := []string{"http500", "ok", "http503", "http500", "ok", "http503"}
	if fmt.Sprint(gotA) != fmt.Sprint(wantA) || fmt.Sprint(gotB) != fmt.Sprint(wantB) {
		t.Errorf("reads of a: %v\nreads of b: %v\nwant each: %v", gotA, gotB, wantA)
	}
	// Each image: a run of 1 and a run of 2 ended by an answer; the last
	// fault has not been answered yet.
	if c := e.emu.Counters(); c.Faults != 8 || fmt.Sprint(c.FaultRuns) != "map[1:2 2:2]" {
		t.Errorf("Faults %d, FaultRuns %v; want 8 and map[1:2 2:2]", c.Faults, c.FaultRuns)
	}

	// A create and its retries are one stream: refused at 'x' and at 'd',
	// then accepted; another prompt is another stream, refused first. A
	// read's 'd' drops its connection. SetFaults starts every stream afresh.
	e.emu.SetFaults(emulator.Faults{Schedule: "xd."})
	create := func(prompt string) string {
		return e.outcome(http.MethodPost, pathV3, map[string]string{"prompt": prompt})
	}
	if got := []string{create("c"), create("c"), create("c"), create("d"), read(a.ID), read(a.ID), create("d"), read(a.ID)}; fmt.Sprint(got) != "[code1005 code1005 ok code1005 http500 drop code1005 ok]" {
		t.Errorf("creates and reads under xd.: %v", got)
	}
	if c := e.emu.Counters(); c.Creates != 3 || c.CreateAttempts != 7 {
		t.Errorf("Creates %d, CreateAttempts %d; want 3 and 7: a refused create is not acted on", c.Creates, c.CreateAttempts)
	}
}

func TestRateLimit(t *testing.T) {
	e := start(t, emulator.Options{RateLimit: 5})
	codes := map[int]int{}
	t0 := time.Now()
	for range 20 {
		status, a := e.call(http.MethodGet, pathQuota, nil, "x-api-key", testKey)
		if status != http.StatusOK {
			t.Fatalf("HTTP %d", status)
		}
		codes[a.Code]++
	}
	// The burst is 5, refilled at 5 a second: the requests usually take far
	// less than a second, but a busy machine may be slower.
	allowed := 5 + int(5*time.Since(t0).Seconds()) + 1
	if codes[1000] < 5 || codes[1000] > allowed || codes[1005] != 20-codes[1000] {
		t.Errorf("codes %v, want 5 to %d × 1000 and the rest 1005", codes, allowed)
	}
	if c := e.emu.Counters(); c.RateLimited != codes[1005] || c.Requests != 20 {
		t.Errorf("RateLimited %d Requests %d", c.RateLimited, c.Requests)
	}
	e.emu.Clock().Advance(time.Second)
	for i := range 5 {
		if _, a := e.call(http.MethodGet, pathQuota, nil, "x-api-key", testKey); a.Code != 1000 {
			t.Errorf("request %d after a second: code %d", i, a.Code)
		}
	}
	// Rate-limited creates are not acted on.
	e.wantCode(1005, http.MethodPost, pathV3, map[string]string{"prompt": "x"})
	if c := e.emu.Counters(); c.Creates != 0 || c.CreateAttempts != 1 {
		t.Errorf("rate-limited create: %+v", c)
	}
}

// TestRateLimit_windowClock checks the sliding window on the emulator's
// clock: half a second after a burst, the window still refuses everything
// (a token bucket would have refilled half its burst); a second after it,
// the window serves a whole burst again.
func TestRateLimit_windowClock(t *testing.T) {
	e := start(t, emulator.Options{RateLimit: 5, RateWindow: true})
	burst := func() map[int]int {
		codes := map[int]int{}
		for range 12 {
			_, a := e.call(http.MethodGet, pathQuota, nil, "x-api-key", testKey)
			codes[a.Code]++
		}
		return codes
	}
	if codes := burst(); codes[1000] != 5 || codes[1005] != 7 {
		t.Errorf("first burst: codes %v, want 5 × 1000 and 7 × 1005", codes)
	}
	e.emu.Clock().Advance(500 * time.Millisecond)
	if codes := burst(); codes[1005] != 12 {
		t.Errorf("half a second later: codes %v, want 12 × 1005", codes)
	}
	e.emu.Clock().Advance(600 * time.Millisecond)
	if codes := burst(); codes[1000] != 5 || codes[1005] != 7 {
		t.Errorf("a second after the first burst: codes %v, want 5 × 1000 and 7 × 1005", codes)
	}
	if c := e.emu.Counters(); c.RateLimited != 7+12+7 {
		t.Errorf("RateLimited %d, want %d", c.RateLimited, 7+12+7)
	}
}

func TestLatency_delaysAnswersAfterActing(t *testing.T) {
	e := start(t, emulator.Options{Latency: 150 * time.Millisecond})
	t0 := time.Now()
	e.createV3(map[string]string{"prompt": "x"})
	if d := time.Since(t0); d < 150*time.Millisecond {
		t.Errorf("answer after %v, want at least the latency", d)
	}
	// A client that gives up before the answer leaves a job behind.
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, e.base+pathV3, strings.NewReader(`{"prompt":"y"}`))
	req.Header.Set("x-api-key", testKey)
	if _, err := e.do(req); err == nil {
		t.Fatal("the request beat the latency")
	}
	// The emulator acts on a request as soon as it arrives; on a busy machine
	// it may arrive after the client gave up, so allow it a moment.
	deadline := time.Now().Add(2 * time.Second)
	for e.emu.Counters().Creates != 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if c := e.emu.Counters(); c.Creates != 2 {
		t.Errorf("Creates %d, want 2: the timed-out create was acted on", c.Creates)
	}
	e.emu.SetLatency(0)
	fastest := time.Hour
	for range 3 {
		t0 = time.Now()
		e.credit()
		fastest = min(fastest, time.Since(t0))
	}
	if fastest >= 150*time.Millisecond {
		t.Errorf("fastest answer after %v with no latency", fastest)
	}
}

func TestCounters_concurrentClients(t *testing.T) {
	e := start(t, emulator.Options{Faults: emulator.Faults{ReadRate: 0}})
	const workers, rounds = 8, 15
	ids := make(chan string, workers*rounds)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range rounds {
				_, a := e.call(http.MethodPost, pathV3, map[string]string{"prompt": "x"}, "x-api-key", testKey)
				var j imageJob
				if err := json.Unmarshal(a.Data, &j); err != nil || a.Code != 1000 {
					t.Errorf("create: code %d", a.Code)
					return
				}
				ids <- j.ID
				e.call(http.MethodGet, pathInfo+"?image_model_id="+j.ID, nil, "x-api-key", testKey)
				e.call(http.MethodGet, pathQuota, nil, "x-api-key", testKey)
				_ = e.emu.Counters()
			}
		})
	}
	wg.Wait()
	close(ids)
	e.finish()
	unique := map[string]bool{}
	var first string
	for id := range ids {
		unique[id] = true
		first = id
	}
	// Concurrent downloads of one picture.
	url := e.job(first).Image
	for range 4 {
		wg.Go(func() { e.get(url) })
	}
	wg.Wait()

	c := e.emu.Counters()
	total := workers * rounds
	if len(unique) != total || c.Creates != total || c.Jobs != total || c.Reads != total+1 || c.Requests != 3*total+1 || c.ImageDownloads != 4 {
		t.Errorf("ids %d, counters %+v; want %d creates, %d reads, %d requests", len(unique), c, total, total+1, 3*total+1)
	}
	for id := range unique {
		want := 1
		if id == first {
			want = 2 // read once more for its image URL
		}
		if c.ReadsByID[id] != want {
			t.Errorf("ReadsByID[%s] = %d, want %d", id, c.ReadsByID[id], want)
		}
	}
	if want := 1000 - 4*float64(total); e.emu.Credit() != want {
		t.Errorf("credit %v, want %v", e.emu.Credit(), want)
	}
	// The snapshot is a copy.
	c.ReadsByID[first] = 99
	if e.emu.Counters().ReadsByID[first] == 99 {
		t.Error("Counters shares its maps with the emulator")
	}
}

func TestLog_neverShowsCredentials(t *testing.T) {
	var mu sync.Mutex
	var lines []string
	e := start(t, emulator.Options{ClientID: "cid", Logf: func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		lines = append(lines, fmt.Sprintf(format, args...))
	}})
	e.createV3(map[string]string{"prompt": "x"})
	_, tok := e.call(http.MethodPost, pathToken, map[string]string{"clientId": "cid", "clientSecret": testKey})
	e.call(http.MethodGet, pathQuota, nil, "Authorization", "Bearer "+tok.Token)
	e.call(http.MethodGet, pathQuota, nil, "x-api-key", "wrong-key-0001")
	e.call(http.MethodGet, pathQuota, nil, "Authorization", "Bearer wrong-token-0002")
	e.call(http.MethodPost, pathToken, map[string]string{"clientId": "cid", "clientSecret": "wrong-secret-0003"})
	e.call(http.MethodGet, pathInfo+"?image_model_id=662a10df4197b3af58532e89", nil, "x-api-key", testKey)

	mu.Lock()
	defer mu.Unlock()
	if len(lines) != 7 {
		t.Errorf("%d log lines for 7 requests: %q", len(lines), lines)
	}
	all := strings.Join(lines, "\n")
	for _, secret := range []string{testKey, tok.Token, "wrong-key-0001", "wrong-token-0002", "wrong-secret-0003"} {
		if strings.Contains(all, secret) {
			t.Errorf("the log shows a credential %q:\n%s", secret, all)
		}
	}
	if !strings.Contains(all, "662a10df4197b3af58532e89") || !strings.Contains(all, "code 1101") {
		t.Errorf("the log lacks the id or the outcome:\n%s", all)
	}
}

func TestStart_servesUntilShutdown(t *testing.T) {
	base, shutdown, err := emulator.Start(t.Context(), "127.0.0.1:0", emulator.Options{APIKey: testKey})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(base, "http://127.0.0.1:") || strings.HasSuffix(base, ":0") {
		t.Fatalf("base URL %q", base)
	}
	e := &env{t: t, base: base, hc: &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}}
	if got := e.credit(); got != 1000 {
		t.Errorf("credit %v", got)
	}
	if err := shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := e.request(http.MethodGet, pathQuota, nil, "x-api-key", testKey); err == nil {
		t.Error("the server still answers after shutdown")
	}
	if _, _, err := emulator.Start(t.Context(), "127.0.0.1:0", emulator.Options{}); err == nil {
		t.Error("Start without an API key: no error")
	}
}

// TestRateLimit_sharedByTheAccountsClients checks that the limit is the
// account's, not a connection's or a credential's: two clients on
// connections of their own, one with the API key and one with a bearer
// token, as two provider processes of one account would be, share one
// window of 6 requests.
func TestRateLimit_sharedByTheAccountsClients(t *testing.T) {
	e := start(t, emulator.Options{RateLimit: 6, RateWindow: true})
	rep, err := e.request(http.MethodPost, pathToken, map[string]string{"clientId": "emulator-client", "clientSecret": testKey})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct{ Token string }
	if err := json.Unmarshal(rep.body, &tok); err != nil || tok.Token == "" {
		t.Fatalf("getToken: %v %q", err, rep.body)
	}
	e.emu.Clock().Advance(time.Second) // the token request leaves the window
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	other := &env{t: t, emu: e.emu, base: e.base, hc: &http.Client{Transport: tr, Timeout: 10 * time.Second}}

	served := map[string]int{}
	for range 6 {
		if _, a := e.call(http.MethodGet, pathQuota, nil, "x-api-key", testKey); a.Code == 1000 {
			served["api key"]++
		}
		if _, a := other.call(http.MethodGet, pathQuota, nil, "Authorization", "Bearer "+tok.Token); a.Code == 1000 {
			served["bearer"]++
		}
	}
	if served["api key"]+served["bearer"] != 6 || served["api key"] != 3 {
		t.Errorf("served %v in one second, want 3 each: 6 for the account, whoever asks", served)
	}
	if c := e.emu.Counters(); c.RateLimited != 6 {
		t.Errorf("RateLimited %d, want 6", c.RateLimited)
	}
}

func TestLatency_jitterSpreadsAnswers(t *testing.T) {
	// Answers wait the latency and up to the jitter more, each its own
	// share of it: 20 answers spread over the 100 ms of jitter.
	e := start(t, emulator.Options{Latency: 50 * time.Millisecond, Jitter: 100 * time.Millisecond, Seed: 3})
	fastest, slowest := time.Hour, time.Duration(0)
	for range 20 {
		t0 := time.Now()
		e.credit()
		d := time.Since(t0)
		fastest, slowest = min(fastest, d), max(slowest, d)
	}
	if fastest < 50*time.Millisecond {
		t.Errorf("fastest answer after %v, want at least the latency", fastest)
	}
	if slowest-fastest < 30*time.Millisecond {
		t.Errorf("answers took %v to %v: want them spread over the jitter", fastest, slowest)
	}
}
