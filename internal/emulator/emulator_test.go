package emulator_test

import (
	"encoding/hex"
	"encoding/json"
	"image"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/akool-community/terraform-provider-akool/internal/emulator"
)

func TestNew_requiresAPIKeyAndValidRates(t *testing.T) {
	if _, err := emulator.New(emulator.Options{}); err == nil {
		t.Error("New without an API key: no error")
	}
	bad := []emulator.Options{
		{APIKey: "k", Faults: emulator.Faults{ReadRate: 1.5}},
		{APIKey: "k", Faults: emulator.Faults{CreateDropRate: -0.1}},
		{APIKey: "k", Faults: emulator.Faults{CreateRefuseRate: 0.6, CreateDropRate: 0.6}},
		{APIKey: "k", Faults: emulator.Faults{ReadKinds: []emulator.FaultKind{"teapot"}}},
		{APIKey: "k", RateLimit: -1},
	}
	for _, o := range bad {
		if _, err := emulator.New(o); err == nil {
			t.Errorf("New(%+v): no error", o)
		}
	}
	e, err := emulator.New(emulator.Options{APIKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	if e.Credit() != 1000 {
		t.Errorf("default credit %v, want 1000", e.Credit())
	}
}

func TestClock_advance(t *testing.T) {
	c := emulator.NewClock()
	before := c.Now()
	c.Advance(48 * time.Hour)
	if got := c.Now().Sub(before); got < 48*time.Hour || got > 48*time.Hour+time.Minute {
		t.Errorf("after Advance(48h) the clock moved %v", got)
	}
}

func TestAuth_apiKey(t *testing.T) {
	e := start(t, emulator.Options{})
	if _, a := e.call(http.MethodGet, pathQuota, nil, "x-api-key", testKey); a.Code != 1000 {
		t.Errorf("good x-api-key: code %d", a.Code)
	}
	if _, a := e.call(http.MethodGet, pathQuota, nil, "x-api-key", "wrong"); a.Code != 1101 {
		t.Errorf("bad x-api-key: code %d, want 1101", a.Code)
	}
	if status, a := e.call(http.MethodGet, pathQuota, nil); a.Code != 1102 || status != http.StatusOK {
		t.Errorf("no credentials: HTTP %d code %d, want 200 and 1102", status, a.Code)
	}
	// Every API path needs credentials.
	for _, p := range []string{pathV3, pathV4, pathButton} {
		if _, a := e.call(http.MethodPost, p, map[string]string{"prompt": "x"}); a.Code != 1102 {
			t.Errorf("POST %s without credentials: code %d, want 1102", p, a.Code)
		}
	}
	if _, a := e.call(http.MethodGet, pathInfo+"?image_model_id=662a10df4197b3af58532e89", nil, "x-api-key", "wrong"); a.Code != 1101 {
		t.Errorf("infobymodelid with a bad key: code %d, want 1101", a.Code)
	}
	if c := e.emu.Counters(); c.Creates != 0 || c.CreateAttempts != 3 {
		t.Errorf("unauthenticated creates: Creates %d CreateAttempts %d, want 0 and 3", c.Creates, c.CreateAttempts)
	}
}

func TestAuth_getTokenAndBearer(t *testing.T) {
	e := start(t, emulator.Options{ClientID: "client-7"})
	rep, err := e.request(http.MethodPost, pathToken, map[string]string{"clientId": "client-7", "clientSecret": testKey})
	if err != nil {
		t.Fatal(err)
	}
	raw := rep.body
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil || rep.status != http.StatusOK {
		t.Fatalf("getToken: HTTP %d %q", rep.status, raw)
	}
	if _, found := top["data"]; found {
		t.Errorf("getToken answer has a data wrapper: %s", raw)
	}
	var tok answer
	_ = json.Unmarshal(raw, &tok)
	if tok.Code != 1000 || tok.Token == "" || tok.Token != e.emu.Token() {
		t.Fatalf("getToken: code %d token %q, want 1000 and the emulator's token", tok.Code, tok.Token)
	}
	if strings.Contains(tok.Token, testKey) {
		t.Error("the token contains the client secret")
	}
	bearer := "Bearer " + tok.Token

	cases := []struct {
		name    string
		headers []string
		want    int
	}{
		{"bearer", []string{"Authorization", bearer}, 1000},
		{"lower-case scheme", []string{"Authorization", "bearer " + tok.Token}, 1000},
		{"bad bearer", []string{"Authorization", "Bearer nope"}, 1101},
		{"not bearer", []string{"Authorization", "Basic " + tok.Token}, 1101},
		{"bad bearer wins over a good key", []string{"Authorization", "Bearer nope", "x-api-key", testKey}, 1101},
		{"good bearer wins over a bad key", []string{"Authorization", bearer, "x-api-key", "wrong"}, 1000},
		{"the API key is no bearer token", []string{"Authorization", "Bearer " + testKey}, 1101},
	}
	for _, c := range cases {
		if _, a := e.call(http.MethodGet, pathQuota, nil, c.headers...); a.Code != c.want {
			t.Errorf("%s: code %d, want %d", c.name, a.Code, c.want)
		}
	}

	bad := []struct {
		body any
		want int
	}{
		{map[string]string{"clientId": "client-7", "clientSecret": "wrong"}, 1101},
		{map[string]string{"clientId": "other", "clientSecret": testKey}, 1101},
		{map[string]string{"clientId": "client-7"}, 1101},
		{map[string]string{}, 1102},
		{"{not json", 1003},
	}
	for _, b := range bad {
		_, a := e.call(http.MethodPost, pathToken, b.body)
		if a.Code != b.want || a.Token != "" {
			t.Errorf("getToken %v: code %d token %q, want %d and no token", b.body, a.Code, a.Token, b.want)
		}
		if strings.Contains(a.Msg, testKey) {
			t.Errorf("getToken error message shows the secret: %q", a.Msg)
		}
	}
	if got := e.emu.Counters().TokenRequests; got != 1+len(bad) {
		t.Errorf("TokenRequests %d, want %d", got, 1+len(bad))
	}

	// A revoked token answers 1101; getToken then hands out a new one.
	e.emu.RevokeToken()
	if _, a := e.call(http.MethodGet, pathQuota, nil, "Authorization", bearer); a.Code != 1101 {
		t.Errorf("revoked token: code %d, want 1101", a.Code)
	}
	_, again := e.call(http.MethodPost, pathToken, map[string]string{"clientId": "client-7", "clientSecret": testKey})
	if again.Token == "" || again.Token == tok.Token {
		t.Fatalf("getToken after revoke: %q", again.Token)
	}
	if _, a := e.call(http.MethodGet, pathQuota, nil, "Authorization", "Bearer "+again.Token); a.Code != 1000 {
		t.Errorf("new token: code %d", a.Code)
	}
}

func TestRoutes_unknownAndWrongMethod(t *testing.T) {
	e := start(t, emulator.Options{})
	cases := []struct{ method, path string }{
		{http.MethodGet, "/api/open/v3/nothing"},
		{http.MethodGet, "/"},
		{http.MethodPost, "/api/open/v3/content/image/createByPrompt"},
		{http.MethodGet, pathV3},
		{http.MethodPost, pathInfo},
		{http.MethodGet, pathToken},
	}
	for _, c := range cases {
		status, a := e.call(c.method, c.path, nil, "x-api-key", testKey)
		if status != http.StatusNotFound || a.Code != 1008 || a.Msg == "" {
			t.Errorf("%s %s: HTTP %d code %d %q, want 404 and 1008", c.method, c.path, status, a.Code, a.Msg)
		}
	}
	if got := e.emu.Counters().Requests; got != len(cases) {
		t.Errorf("Requests %d, want %d", got, len(cases))
	}
}

func TestCreateV3_answerAndIDs(t *testing.T) {
	e := start(t, emulator.Options{})
	before := e.emu.Clock().Now()
	a := e.wantCode(1000, http.MethodPost, pathV3, map[string]string{"prompt": "  a quiet   harbour  ", "scale": "16:9", "source_image": "https://example.com/in.png", "webhookUrl": "https://example.com/hook"})
	after := e.emu.Clock().Now()

	var raw map[string]json.RawMessage
	if err := json.Unmarshal(a.Data, &raw); err != nil {
		t.Fatalf("data is not an object: %s", a.Data)
	}
	for _, k := range []string{"_id", "uid", "create_time", "prompt", "origin_prompt", "source_image", "image_status", "deduction_credit", "type", "from", "faceswap_quality"} {
		if _, found := raw[k]; !found {
			t.Errorf("create answer lacks %q", k)
		}
	}
	for _, k := range []string{"buttons", "used_buttons", "upscaled_urls"} {
		if string(raw[k]) != "[]" {
			t.Errorf("create answer %s = %s, want []", k, raw[k])
		}
	}
	j := decode[imageJob](t, a.Data)
	if !regexp.MustCompile(`^[0-9a-f]{24}$`).MatchString(j.ID) {
		t.Errorf("_id %q is not 24 lowercase hex digits", j.ID)
	}
	idBytes, _ := hex.DecodeString(j.ID)
	ts := int64(idBytes[0])<<24 | int64(idBytes[1])<<16 | int64(idBytes[2])<<8 | int64(idBytes[3])
	if ts < before.Unix() || ts > after.Unix() {
		t.Errorf("_id timestamp %d outside [%d, %d]", ts, before.Unix(), after.Unix())
	}
	if j.CreateTime < before.UnixMilli() || j.CreateTime > after.UnixMilli() {
		t.Errorf("create_time %d outside [%d, %d]", j.CreateTime, before.UnixMilli(), after.UnixMilli())
	}
	if j.ImageStatus != 1 || j.DeductionCredit != 4 || j.UID == 0 || j.Type == 0 {
		t.Errorf("create answer %+v: want image_status 1, deduction_credit 4, uid and type set", j)
	}
	if j.OriginPrompt != "  a quiet   harbour  " || j.Prompt != "a quiet harbour" {
		t.Errorf("prompt %q origin_prompt %q", j.Prompt, j.OriginPrompt)
	}
	if j.SourceImage != "https://example.com/in.png" {
		t.Errorf("source_image %q", j.SourceImage)
	}

	// Ids are distinct and follow the Clock.
	e.emu.Clock().Advance(time.Hour)
	j2 := e.createV3(map[string]string{"prompt": "x"})
	if j2.ID == j.ID {
		t.Error("two jobs share an id")
	}
	if d := time.Duration(j2.CreateTime-j.CreateTime) * time.Millisecond; d < time.Hour {
		t.Errorf("create_time moved %v after Advance(1h)", d)
	}
	if c := e.emu.Counters(); c.Creates != 2 || c.CreatesV3 != 2 || c.Jobs != 2 || c.CreateAttempts != 2 {
		t.Errorf("counters %+v", c)
	}
}

func TestCreateV3_invalidParameters(t *testing.T) {
	e := start(t, emulator.Options{})
	bodies := []any{
		map[string]string{},
		map[string]string{"prompt": "   "},
		map[string]any{"prompt": 5},
		map[string]string{"prompt": "x", "scale": "5:4"},
		map[string]string{"prompt": "x", "scale": "Original"},
		map[string]string{"prompt": "x", "scale": "16:9 "},
		map[string]string{"prompt": "x", "source_image": "not a url"},
		map[string]string{"prompt": "x", "source_image": "ftp://example.com/a.png"},
		map[string]string{"prompt": "x", "webhookUrl": "nowhere"},
		"not json",
		`{"prompt":"x"} {"prompt":"y"}`,
		"",
	}
	for _, b := range bodies {
		a := e.wantCode(1003, http.MethodPost, pathV3, b)
		if a.Msg == "" {
			t.Errorf("%v: empty msg", b)
		}
	}
	if c := e.emu.Counters(); c.Creates != 0 || c.Jobs != 0 || c.CreateAttempts != len(bodies) {
		t.Errorf("after invalid creates: %+v", c)
	}
	if e.emu.Credit() != 1000 {
		t.Errorf("invalid creates spent credit: %v", e.emu.Credit())
	}
	for _, scale := range []string{"1:1", "4:3", "3:4", "16:9", "9:16", "3:2", "2:3"} {
		e.createV3(map[string]string{"prompt": "x", "scale": scale})
	}
}

func TestJobs_progressInRealTime(t *testing.T) {
	const queue, process = 60 * time.Millisecond, 60 * time.Millisecond
	e := start(t, emulator.Options{QueueTime: queue, ProcessTime: process})
	c0 := time.Now()
	ok := e.createV3(map[string]string{"prompt": "mountains"})
	c1 := time.Now()
	bad := e.createV3(map[string]string{"prompt": "mountains [FAIL]"})

	// Each answer must fit the time it was given at: the job was created
	// within [c0, c1] and the answer was made within [p0, p1]. This holds
	// however slow the machine is.
	var seen []int
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		p0 := time.Now()
		st := e.job(ok.ID).ImageStatus
		p1 := time.Now()
		earliest, latest := p0.Sub(c1), p1.Sub(c0)
		switch {
		case st == 1 && earliest >= queue,
			st == 2 && (latest < queue || earliest >= queue+process),
			st == 3 && latest < queue+process,
			st < 1 || st > 3:
			t.Fatalf("status %d between %v and %v after creation", st, earliest, latest)
		}
		if len(seen) > 0 && st < seen[len(seen)-1] {
			t.Fatalf("status went back from %d to %d", seen[len(seen)-1], st)
		}
		if len(seen) == 0 || seen[len(seen)-1] != st {
			seen = append(seen, st)
		}
		if st == 3 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if seen[len(seen)-1] != 3 {
		t.Fatalf("statuses seen %v, never completed", seen)
	}
	if !slices.Contains(seen, 2) {
		// Only a very busy machine polls less often than every 60 ms.
		t.Logf("status 2 was not observed: %v", seen)
	}
	// By default the single images come a while after status 3, as
	// Akool's own demo expects.
	p0 := time.Now()
	done := e.job(ok.ID)
	if early := p0.Sub(c0) < queue+process+emulator.DefaultSinglesDelay; done.Image == "" || len(done.Buttons) != 8 ||
		(early && len(done.UpscaledURLs) != 0) {
		t.Errorf("job just completed: %+v; want the grid and its buttons, without single images yet", done)
	}
	e.finish() // the second job may be a little behind the first
	if done = e.job(ok.ID); len(done.UpscaledURLs) != 4 {
		t.Errorf("completed job a minute later: %+v; want its four single images", done)
	}
	failed := e.job(bad.ID)
	if failed.ImageStatus != 4 || failed.Image != "" || len(failed.Buttons) != 0 || len(failed.UpscaledURLs) != 0 {
		t.Errorf("job with the failure trigger: status %d image %q buttons %v", failed.ImageStatus, failed.Image, failed.Buttons)
	}
}

func TestJobs_resultsStayEmptyUntilCompleted(t *testing.T) {
	e := start(t, emulator.Options{QueueTime: time.Hour, ProcessTime: time.Hour})
	j := e.createV3(map[string]string{"prompt": "x"})
	for _, step := range []struct {
		advance time.Duration
		status  int
	}{{0, 1}, {time.Hour, 2}, {time.Hour, 3}} {
		e.emu.Clock().Advance(step.advance)
		got := e.job(j.ID)
		if got.ImageStatus != step.status {
			t.Fatalf("status %d, want %d", got.ImageStatus, step.status)
		}
		if step.status < 3 && (got.Image != "" || len(got.Buttons)+len(got.UpscaledURLs) != 0) {
			t.Errorf("status %d shows results: %+v", step.status, got)
		}
		if step.status < 3 {
			e.wantStatus(e.base+"/images/"+j.ID+".png", http.StatusNotFound)
		}
	}
}

func TestJobs_jobTimeOverrides(t *testing.T) {
	e := start(t, emulator.Options{JobTime: func(prompt string) (time.Duration, time.Duration) {
		if strings.Contains(prompt, "slow") {
			return time.Hour, time.Hour
		}
		return 0, 0
	}})
	if st := e.job(e.createV3(map[string]string{"prompt": "fast"}).ID).ImageStatus; st != 3 {
		t.Errorf("fast job: status %d, want 3 at once", st)
	}
	if st := e.job(e.createV3(map[string]string{"prompt": "slow"}).ID).ImageStatus; st != 1 {
		t.Errorf("slow job: status %d, want 1", st)
	}

	e2 := start(t, emulator.Options{QueueTime: time.Hour, ProcessTime: time.Hour})
	e2.emu.SetJobTime(0, time.Hour)
	if st := e2.job(e2.createV3(map[string]string{"prompt": "x"}).ID).ImageStatus; st != 2 {
		t.Errorf("after SetJobTime(0, 1h): status %d, want 2", st)
	}
}

func TestV3_gridResult(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	j := e.createV3(map[string]string{"prompt": "a lighthouse", "scale": "4:3"})
	e.finish()
	got := e.job(j.ID)
	if got.ImageStatus != 3 {
		t.Fatalf("status %d", got.ImageStatus)
	}
	if want := []string{"U1", "U2", "U3", "U4", "V1", "V2", "V3", "V4"}; !slices.Equal(got.Buttons, want) {
		t.Errorf("buttons %v, want %v", got.Buttons, want)
	}
	if len(got.UsedButtons) != 0 {
		t.Errorf("used_buttons %v", got.UsedButtons)
	}
	if len(got.UpscaledURLs) != 4 || !strings.HasPrefix(got.Image, e.base+"/") {
		t.Fatalf("image %q upscaled_urls %v", got.Image, got.UpscaledURLs)
	}
	if got.Prompt != "a lighthouse" || got.OriginPrompt != "a lighthouse" || got.SourceImage != "" {
		t.Errorf("echo: prompt %q origin %q source %q", got.Prompt, got.OriginPrompt, got.SourceImage)
	}

	grid, gridBytes := e.picture(got.Image)
	gb := grid.Bounds()
	if gb.Dx() != 1024 || gb.Dy() != 768 {
		t.Errorf("4:3 grid is %dx%d, want 1024x768", gb.Dx(), gb.Dy())
	}
	seen := map[string]string{string(gridBytes): got.Image}
	subs := make([]image.Image, 4)
	for n, u := range got.UpscaledURLs {
		sub, raw := e.picture(u)
		if prev, dup := seen[string(raw)]; dup {
			t.Errorf("%s serves the same bytes as %s", u, prev)
		}
		seen[string(raw)] = u
		sb := sub.Bounds()
		if sb.Dx() != gb.Dx()/2 || sb.Dy() != gb.Dy()/2 {
			t.Fatalf("sub-image %d is %dx%d, want half the grid", n+1, sb.Dx(), sb.Dy())
		}
		// The grid's quadrant n is this sub-image (1 2 / 3 4), apart from the
		// dividing line.
		x0, y0 := (n%2)*sb.Dx(), (n/2)*sb.Dy()
		if d := meanDiff(grid, image.Rect(x0, y0, x0+sb.Dx(), y0+sb.Dy()), sub); d > 4 {
			t.Errorf("grid quadrant %d differs from upscaled_urls[%d] by %.1f per channel", n+1, n, d)
		}
		subs[n] = sub
	}
	// The four sub-images are visibly different pictures.
	for a := range 4 {
		for b := a + 1; b < 4; b++ {
			if d := meanDiff(subs[a], subs[a].Bounds(), subs[b]); d < 8 {
				t.Errorf("sub-images %d and %d differ by only %.1f per channel", a+1, b+1, d)
			}
		}
	}
}
