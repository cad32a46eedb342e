package emulator_test

import (
	"image"
	"math"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/akool-community/terraform-provider-akool/internal/emulator"
)

func ratio(img image.Image) float64 {
	b := img.Bounds()
	return float64(b.Dx()) / float64(b.Dy())
}

func TestImages_aspectRatioFollowsScale(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	want := map[string]float64{"1:1": 1, "4:3": 4.0 / 3, "3:4": 3.0 / 4, "16:9": 16.0 / 9, "9:16": 9.0 / 16, "3:2": 1.5, "2:3": 2.0 / 3}
	ids := map[string]string{}
	for scale := range want {
		ids[scale] = e.createV3(map[string]string{"prompt": "dunes", "scale": scale}).ID
	}
	v4 := map[string]string{}
	for _, scale := range []string{"16:9", "9:16", "3:2"} {
		v4[scale] = e.createV4(map[string]any{"prompt": "dunes", "scale": scale, "resolution": "1080p"}).ID
	}
	original := e.createV4(map[string]any{"prompt": "dunes", "scale": "Original", "source_images": []string{"https://example.com/a.png"}}).ID
	e.finish()

	for scale, id := range ids {
		j := e.job(id)
		sub, _ := e.picture(j.UpscaledURLs[0])
		if r := ratio(sub); math.Abs(r-want[scale])/want[scale] > 0.01 {
			t.Errorf("v3 %s: sub-image ratio %.3f, want %.3f", scale, r, want[scale])
		}
		if b := sub.Bounds(); max(b.Dx(), b.Dy()) > 1024 {
			t.Errorf("v3 %s: sub-image %v too large", scale, b)
		}
	}
	// Whole grids for two scales (drawing them all would only cost time).
	for _, scale := range []string{"16:9", "2:3"} {
		grid, _ := e.picture(e.job(ids[scale]).Image)
		if r := ratio(grid); math.Abs(r-want[scale])/want[scale] > 0.01 {
			t.Errorf("v3 %s: grid ratio %.3f, want %.3f", scale, r, want[scale])
		}
		if b := grid.Bounds(); max(b.Dx(), b.Dy()) != 1024 {
			t.Errorf("v3 %s: grid %v, want 1024 on the long side", scale, b)
		}
	}
	for scale, id := range v4 {
		img, _ := e.picture(e.job(id).Image)
		if r := ratio(img); math.Abs(r-want[scale])/want[scale] > 0.01 {
			t.Errorf("v4 %s: ratio %.3f, want %.3f", scale, r, want[scale])
		}
		if b := img.Bounds(); max(b.Dx(), b.Dy()) != 768 {
			t.Errorf("v4 1080p %s: %v, want 768 on the long side", scale, b)
		}
	}
	img, _ := e.picture(e.job(original).Image)
	if b := img.Bounds(); b.Dx() != b.Dy() || b.Dx() != 1024 {
		t.Errorf("v4 4k Original: %v, want a 1024 square", b)
	}
}

func TestImages_servedWithoutAuthAndNotFound(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	j := e.finishedGrid()
	got := e.job(j.ID)
	// No credentials: image URLs are public links.
	e.picture(got.Image)
	rep, err := e.request(http.MethodHead, strings.TrimPrefix(got.UpscaledURLs[1], e.base), nil)
	if err != nil || rep.status != http.StatusOK || len(rep.body) != 0 || rep.header.Get("Content-Length") == "" || rep.header.Get("Content-Type") != "image/png" {
		t.Errorf("HEAD: %v, HTTP %v, %d body bytes, headers %v", err, rep.status, len(rep.body), rep.header)
	}
	for _, p := range []string{
		"/images/" + j.ID + "/0.png",
		"/images/" + j.ID + "/5.png",
		"/images/" + j.ID + ".jpg",
		"/images/662a10df4197b3af58532e89.png",
		"/images/../" + j.ID + ".png",
		"/images/",
	} {
		e.wantStatus(e.base+p, http.StatusNotFound)
	}
	c := e.emu.Counters()
	if c.ImageDownloads != 7 {
		t.Errorf("ImageDownloads %d, want 7 (GETs only)", c.ImageDownloads)
	}
	if c.Requests != 2 {
		t.Errorf("Requests %d, want 2: image downloads are no API requests", c.Requests)
	}
}

func TestButtons_upscaleAndVariation(t *testing.T) {
	t.Parallel()
	// Jobs wait 30 s (on the clock) so pending states can be seen however
	// slow the machine; finish moves the clock past it.
	e := start(t, emulator.Options{QueueTime: 30 * time.Second})
	parent := e.createV3(map[string]string{"prompt": "a red barn", "scale": "3:2"})
	e.finish()
	p := e.job(parent.ID)

	up := e.press(parent.ID, "U2")
	if up.ID == parent.ID || up.ImageContentModelID != parent.ID || up.OpButton != "U2" || up.OpButtonMessageID == "" || up.ImageStatus != 1 || up.DeductionCredit != 1 {
		t.Errorf("upscale answer %+v", up)
	}
	after := e.job(parent.ID)
	if !slices.Equal(after.UsedButtons, []string{"U2"}) || len(after.Buttons) != 8 {
		t.Errorf("after U2: buttons %v used %v, want 8 buttons and [U2]", after.Buttons, after.UsedButtons)
	}
	e.wantCode(1011, http.MethodPost, pathButton, map[string]string{"_id": parent.ID, "button": "U2"})

	vr := e.press(parent.ID, "V3")
	if vr.OpButton != "V3" || vr.DeductionCredit != 4 || vr.ImageContentModelID != parent.ID {
		t.Errorf("variation answer %+v", vr)
	}
	if used := e.job(parent.ID).UsedButtons; !slices.Equal(used, []string{"U2", "V3"}) {
		t.Errorf("used_buttons %v, want [U2 V3]", used)
	}
	if c := e.emu.Counters(); c.Presses != 2 || c.PressesByButton[parent.ID+"/U2"] != 1 || c.PressesByButton[parent.ID+"/V3"] != 1 || c.Creates != 1 {
		t.Errorf("counters %+v", c)
	}

	// Button results are read like any job, and are empty until completed.
	if got := e.job(up.ID); got.ImageStatus != 1 || got.Image != "" || got.ImageContentModelID != parent.ID || got.OpButton != "U2" {
		t.Errorf("pending upscale %+v", got)
	}
	e.wantCode(1010, http.MethodPost, pathButton, map[string]string{"_id": up.ID, "button": "U1"})
	e.finish()

	// The upscale: one larger picture of sub-image 2, without buttons.
	u := e.job(up.ID)
	if u.ImageStatus != 3 || u.Image == "" || len(u.Buttons) != 0 || len(u.UpscaledURLs) != 0 {
		t.Fatalf("upscale result %+v", u)
	}
	big, _ := e.picture(u.Image)
	sub2, _ := e.picture(p.UpscaledURLs[1])
	sub1, _ := e.picture(p.UpscaledURLs[0])
	if big.Bounds().Dx() != 2*sub2.Bounds().Dx() || math.Abs(ratio(big)-1.5) > 0.01 {
		t.Errorf("upscale %v for a %v sub-image, want twice its size", big.Bounds(), sub2.Bounds())
	}
	small := halve(big)
	if d := meanDiff(small, small.Bounds(), sub2); d > 3 {
		t.Errorf("the upscale differs from its sub-image by %.1f per channel", d)
	}
	if d := meanDiff(small, small.Bounds(), sub1); d < 8 {
		t.Errorf("the upscale of sub-image 2 resembles sub-image 1 (%.1f per channel)", d)
	}
	e.wantCode(1010, http.MethodPost, pathButton, map[string]string{"_id": up.ID, "button": "U1"})
	e.wantCode(1010, http.MethodPost, pathButton, map[string]string{"_id": up.ID, "button": "V1"})

	// The variation: a new grid with its own buttons, related to sub-image 3.
	v := e.job(vr.ID)
	if v.ImageStatus != 3 || len(v.Buttons) != 8 || len(v.UpscaledURLs) != 4 || len(v.UsedButtons) != 0 {
		t.Fatalf("variation result %+v", v)
	}
	vgrid, _ := e.picture(v.Image)
	if math.Abs(ratio(vgrid)-1.5) > 0.01 {
		t.Errorf("variation grid %v keeps the parent's scale 3:2", vgrid.Bounds())
	}
	sub3, _ := e.picture(p.UpscaledURLs[2])
	for n, url := range v.UpscaledURLs {
		vs, _ := e.picture(url)
		if dist := colourDistance(meanColour(vs), meanColour(sub3)); dist > 30 {
			t.Errorf("variation sub-image %d: mean colour %.0f away from the parent's sub-image 3", n+1, dist)
		}
	}
	// Buttons work on the variation too, and not twice.
	e.press(vr.ID, "U1")
	e.wantCode(1011, http.MethodPost, pathButton, map[string]string{"_id": vr.ID, "button": "U1"})
}

func TestButtons_refused(t *testing.T) {
	e := start(t, emulator.Options{QueueTime: time.Hour})
	pending := e.createV3(map[string]string{"prompt": "x"})
	e.wantCode(1010, http.MethodPost, pathButton, map[string]string{"_id": pending.ID, "button": "U1"})
	e.finish()
	e.emu.SetJobTime(0, 0)
	failed := e.createV3(map[string]string{"prompt": "x [fail]"})
	single := e.createV4(map[string]any{"prompt": "x"})
	done := pending.ID

	cases := []struct {
		body any
		want int
	}{
		{map[string]string{"_id": failed.ID, "button": "U1"}, 1010},
		{map[string]string{"_id": single.ID, "button": "U1"}, 1010},
		{map[string]string{"_id": single.ID, "button": "V2"}, 1010},
		{map[string]string{"_id": "662a10df4197b3af58532e89", "button": "U1"}, 1008},
		{map[string]string{"_id": "nonsense", "button": "U1"}, 1008},
		{map[string]string{"button": "U1"}, 1003},
		{map[string]string{"_id": done}, 1003},
		{map[string]string{"_id": done, "button": "U5"}, 1003},
		{map[string]string{"_id": done, "button": "u1"}, 1003},
		{map[string]string{"_id": done, "button": "X1"}, 1003},
		{map[string]any{"_id": done, "button": 1}, 1003},
		{"[]", 1003},
	}
	for _, c := range cases {
		e.wantCode(c.want, http.MethodPost, pathButton, c.body)
	}
	if got := e.job(done); len(got.UsedButtons) != 0 {
		t.Errorf("refused presses recorded used_buttons %v", got.UsedButtons)
	}
	if c := e.emu.Counters(); c.Presses != 0 || len(c.PressesByButton) != 0 {
		t.Errorf("refused presses counted: %+v", c)
	}
	if want := 1000.0 - 4 - 4 - 4; e.emu.Credit() != want {
		t.Errorf("credit %v, want %v: refused presses cost nothing", e.emu.Credit(), want)
	}
}

func TestButtons_concurrentPressesOfOneButton(t *testing.T) {
	e := start(t, emulator.Options{})
	parent := e.finishedGrid()
	codes := make(chan int, 8)
	for range 8 {
		go func() {
			_, a := e.call(http.MethodPost, pathButton, map[string]string{"_id": parent.ID, "button": "V4"}, "x-api-key", testKey)
			codes <- a.Code
		}()
	}
	count := map[int]int{}
	for range 8 {
		count[<-codes]++
	}
	if count[1000] != 1 || count[1011] != 7 {
		t.Errorf("8 concurrent presses of V4: codes %v, want one 1000 and seven 1011", count)
	}
	if got := e.job(parent.ID).UsedButtons; !slices.Equal(got, []string{"V4"}) {
		t.Errorf("used_buttons %v", got)
	}
}

func TestV4_singleAndBatch(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	text := e.wantCode(1000, http.MethodPost, pathV4, map[string]any{"prompt": "a fox", "negative_prompt": "blur", "webhookurl": "https://example.com/h"})
	if strings.HasPrefix(strings.TrimSpace(string(text.Data)), "[") {
		t.Fatalf("batch_quantity 1 answered an array: %s", text.Data)
	}
	tj := decode[imageJob](t, text.Data)
	if tj.ModelName != "wavespeed-ai/flux-krea-dev-lora" || tj.SubType != 40001 || tj.TeamID == "" || tj.Provider == "" || tj.FileName == "" || tj.DeductionCredit != 4 || tj.ImageStatus != 1 {
		t.Errorf("text-to-image answer %+v", tj)
	}
	ij := e.createV4(map[string]any{"prompt": "a fox", "source_images": []string{"https://example.com/fox.png", "https://example.com/other.png"}, "similar": 0.8, "resolution": "1080p"})
	if ij.ModelName != "wavespeed-ai/flux-kontext-dev" || ij.SubType != 40002 || ij.SourceImage != "https://example.com/fox.png" || ij.DeductionCredit != 2 {
		t.Errorf("image-to-image answer %+v", ij)
	}

	batch := e.wantCode(1000, http.MethodPost, pathV4, map[string]any{"prompt": "a fox", "batch_quantity": 3, "resolution": "1080p"})
	jobs := decode[[]imageJob](t, batch.Data)
	if len(jobs) != 3 {
		t.Fatalf("batch of 3 answered %d jobs", len(jobs))
	}
	ids := map[string]bool{}
	for _, j := range jobs {
		ids[j.ID] = true
		if j.DeductionCredit != 2 || j.ImageStatus != 1 {
			t.Errorf("batch job %+v", j)
		}
	}
	if len(ids) != 3 {
		t.Errorf("batch ids not distinct: %v", ids)
	}
	if want := 1000.0 - 4 - 2 - 3*2; e.emu.Credit() != want {
		t.Errorf("credit %v, want %v", e.emu.Credit(), want)
	}
	if c := e.emu.Counters(); c.Creates != 3 || c.CreatesV4 != 3 || c.Jobs != 5 {
		t.Errorf("counters: Creates %d CreatesV4 %d Jobs %d, want 3, 3, 5", c.Creates, c.CreatesV4, c.Jobs)
	}

	e.finish()
	var bodies []string
	for _, j := range append(jobs, tj) {
		got := e.job(j.ID)
		if got.ImageStatus != 3 || got.Image == "" || len(got.Buttons) != 0 || len(got.UpscaledURLs) != 0 {
			t.Errorf("v4 result %+v: want one image, no buttons", got)
		}
		// Only the create answer carries the v4 fields: Akool does not
		// document model_name among infobymodelid's fields.
		if got.ModelName != "" || got.SubType != 0 || got.TeamID != "" {
			t.Errorf("v4 result %+v: infobymodelid must not report model_name, sub_type or team_id", got)
		}
		_, raw := e.picture(got.Image)
		if slices.Contains(bodies, string(raw)) {
			t.Errorf("%s serves the same bytes as another image", got.Image)
		}
		bodies = append(bodies, string(raw))
	}
}

func TestV4_invalidParameters(t *testing.T) {
	e := start(t, emulator.Options{})
	src := []string{"https://example.com/a.png"}
	bodies := []any{
		map[string]any{},
		map[string]any{"prompt": ""},
		map[string]any{"prompt": "x", "scale": "5:4"},
		map[string]any{"prompt": "x", "scale": "Original"},
		map[string]any{"prompt": "x", "resolution": "8k"},
		map[string]any{"prompt": "x", "resolution": "4K"},
		map[string]any{"prompt": "x", "batch_quantity": 0},
		map[string]any{"prompt": "x", "batch_quantity": 5},
		map[string]any{"prompt": "x", "batch_quantity": 2.5},
		map[string]any{"prompt": "x", "batch_quantity": "2"},
		map[string]any{"prompt": "x", "similar": -0.1, "source_images": src},
		map[string]any{"prompt": "x", "similar": 1.5, "source_images": src},
		map[string]any{"prompt": "x", "source_images": []string{"not a url"}},
		map[string]any{"prompt": "x", "source_images": "https://example.com/a.png"},
		map[string]any{"prompt": "x", "model_name": "dall-e"},
		map[string]any{"prompt": "x", "model_name": "wavespeed-ai/flux-kontext-dev"},
		map[string]any{"prompt": "x", "webhookurl": "nowhere"},
		"{",
	}
	for _, b := range bodies {
		e.wantCode(1003, http.MethodPost, pathV4, b)
	}
	if c := e.emu.Counters(); c.Creates != 0 || c.Jobs != 0 || e.emu.Credit() != 1000 {
		t.Errorf("invalid v4 creates acted: %+v credit %v", c, e.emu.Credit())
	}
	// The edges of the allowed ranges are accepted.
	e.createV4(map[string]any{"prompt": "x", "similar": 0, "source_images": src})
	e.createV4(map[string]any{"prompt": "x", "similar": 1, "source_images": src, "scale": "Original"})
	if got := len(decode[[]imageJob](t, e.wantCode(1000, http.MethodPost, pathV4, map[string]any{"prompt": "x", "batch_quantity": 4}).Data)); got != 4 {
		t.Errorf("batch_quantity 4 answered %d jobs", got)
	}
}

func TestCredit_deductedAndExhausted(t *testing.T) {
	e := start(t, emulator.Options{InitialCredit: 9})
	if got := e.credit(); got != 9 {
		t.Fatalf("quota/info credit %v, want 9", got)
	}
	j := e.createV3(map[string]string{"prompt": "x"})
	if got := e.credit(); got != 9-j.DeductionCredit {
		t.Errorf("credit %v after a job of %v", got, j.DeductionCredit)
	}
	e.createV3(map[string]string{"prompt": "x"})
	if got := e.credit(); got != 1 {
		t.Fatalf("credit %v, want 1", got)
	}
	e.wantCode(1006, http.MethodPost, pathV3, map[string]string{"prompt": "x"})
	e.wantCode(1006, http.MethodPost, pathV4, map[string]any{"prompt": "x", "resolution": "1080p"})
	e.finish()
	// An upscale costs 1: it still fits; then nothing does.
	e.press(j.ID, "U1")
	e.wantCode(1006, http.MethodPost, pathButton, map[string]string{"_id": j.ID, "button": "U2"})
	if used := e.job(j.ID).UsedButtons; !slices.Equal(used, []string{"U1"}) {
		t.Errorf("a press refused for credit was recorded: %v", used)
	}
	if c := e.emu.Counters(); c.Creates != 2 || c.Presses != 1 || c.Jobs != 3 {
		t.Errorf("counters %+v", c)
	}

	// A batch is accepted or refused as a whole.
	e.emu.SetCredit(5)
	e.wantCode(1006, http.MethodPost, pathV4, map[string]any{"prompt": "x", "batch_quantity": 3, "resolution": "1080p"})
	if e.emu.Credit() != 5 {
		t.Errorf("a refused batch spent credit: %v", e.emu.Credit())
	}
	e.wantCode(1000, http.MethodPost, pathV4, map[string]any{"prompt": "x", "batch_quantity": 2, "resolution": "1080p"})
	if e.emu.Credit() != 1 {
		t.Errorf("credit %v after a batch of 2 at 2, want 1", e.emu.Credit())
	}
}

func TestExpiry_afterSevenDays(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	j := e.finishedGrid()
	got := e.job(j.ID)
	urls := append([]string{got.Image}, got.UpscaledURLs...)
	e.picture(got.Image)

	e.emu.Clock().Advance(7*24*time.Hour - 2*time.Minute)
	if e.info(j.ID).Code != 1000 {
		t.Fatal("the record expired before 7 days")
	}
	e.wantStatus(got.UpscaledURLs[0], http.StatusOK)

	e.emu.Clock().Advance(2 * time.Minute)
	if a := e.info(j.ID); a.Code != 1008 {
		t.Errorf("after 7 days infobymodelid: code %d, want 1008", a.Code)
	}
	for _, u := range urls {
		e.wantStatus(u, http.StatusNotFound)
	}
	e.wantCode(1008, http.MethodPost, pathButton, map[string]string{"_id": j.ID, "button": "U1"})
}

func TestForget(t *testing.T) {
	e := start(t, emulator.Options{})
	j := e.createV3(map[string]string{"prompt": "x"})
	other := e.createV3(map[string]string{"prompt": "y"})
	e.finish()
	got := e.job(j.ID)
	e.emu.Forget(j.ID)
	if a := e.info(j.ID); a.Code != 1008 {
		t.Errorf("forgotten record: code %d, want 1008", a.Code)
	}
	e.wantStatus(got.Image, http.StatusNotFound)
	e.wantStatus(got.UpscaledURLs[3], http.StatusNotFound)
	e.wantCode(1008, http.MethodPost, pathButton, map[string]string{"_id": j.ID, "button": "U1"})
	if e.job(other.ID).ImageStatus != 3 {
		t.Error("Forget touched another record")
	}
	if a := e.wantCode(1003, http.MethodGet, pathInfo, nil); a.Msg == "" {
		t.Error("missing image_model_id: empty msg")
	}
}

// The jobs of the buttons of a grid made with "[fail-presses]" fail, and
// their buttons stay used.
func TestButtons_failedPress(t *testing.T) {
	e := start(t, emulator.Options{QueueTime: -1, ProcessTime: -1, Shapes: emulator.Shapes{SinglesDelay: -1}})
	grid := e.createV3(map[string]string{"prompt": "x [fail-presses]"})
	if got := e.job(grid.ID); got.ImageStatus != 3 {
		t.Fatalf("grid status = %d, want 3", got.ImageStatus)
	}
	up := e.press(grid.ID, "U2")
	if got := e.job(up.ID); got.ImageStatus != 4 || got.Image != "" {
		t.Errorf("press status = %d, image %q; want 4 and no image", got.ImageStatus, got.Image)
	}
	if got := e.job(grid.ID); len(got.UsedButtons) != 1 || got.UsedButtons[0] != "U2" {
		t.Errorf("used_buttons = %v, want [U2]", got.UsedButtons)
	}
	e.wantCode(1011, http.MethodPost, pathButton, map[string]string{"_id": grid.ID, "button": "U2"})
}
