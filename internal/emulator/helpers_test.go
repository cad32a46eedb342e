package emulator_test

// The tests talk to the emulator the way a client that only read Akool's
// documentation would: raw HTTP and JSON.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"io"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/akool-community/terraform-provider-akool/internal/emulator"
)

const (
	testKey = "test-api-key-5f1c"

	pathV3     = "/api/open/v3/content/image/createbyprompt"
	pathV4     = "/api/open/v4/content/image/createBySourcePrompt"
	pathButton = "/api/open/v3/content/image/createbybutton"
	pathInfo   = "/api/open/v3/content/image/infobymodelid"
	pathToken  = "/api/open/v3/getToken"
	pathQuota  = "/api/open/v3/faceswap/quota/info"
)

// answer is Akool's envelope.
type answer struct {
	Code  int             `json:"code"`
	Msg   string          `json:"msg"`
	Data  json.RawMessage `json:"data"`
	Token string          `json:"token"`
}

// imageJob is a job as the documentation describes it.
type imageJob struct {
	ID                  string   `json:"_id"`
	UID                 int      `json:"uid"`
	CreateTime          int64    `json:"create_time"`
	Type                int      `json:"type"`
	ImageStatus         int      `json:"image_status"`
	Image               string   `json:"image"`
	DeductionCredit     float64  `json:"deduction_credit"`
	Buttons             []string `json:"buttons"`
	UsedButtons         []string `json:"used_buttons"`
	UpscaledURLs        []string `json:"upscaled_urls"`
	FaceswapQuality     int      `json:"faceswap_quality"`
	Prompt              string   `json:"prompt"`
	OriginPrompt        string   `json:"origin_prompt"`
	SourceImage         string   `json:"source_image"`
	ImageContentModelID string   `json:"image_content_model_id"`
	OpButton            string   `json:"op_button"`
	OpButtonMessageID   string   `json:"op_buttonMessageId"`
	ModelName           string   `json:"model_name"`
	SubType             int      `json:"sub_type"`
	TeamID              string   `json:"team_id"`
	Provider            string   `json:"provider"`
	FileName            string   `json:"file_name"`
}

// env is one emulator under test with a client for it.
type env struct {
	t    *testing.T
	emu  *emulator.Emulator
	base string
	hc   *http.Client
}

// start runs an emulator with short job times unless opts says otherwise.
func start(t *testing.T, opts emulator.Options) *env {
	t.Helper()
	if opts.APIKey == "" {
		opts.APIKey = testKey
	}
	if opts.QueueTime == 0 {
		opts.QueueTime = 20 * time.Millisecond
	}
	if opts.ProcessTime == 0 {
		opts.ProcessTime = 20 * time.Millisecond
	}
	emu, base := emulator.NewServer(t, opts)
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &env{t: t, emu: emu, base: base, hc: &http.Client{Transport: tr, Timeout: 10 * time.Second}}
}

// finish moves the clock past every pending job's queue and process times.
func (e *env) finish() { e.emu.Clock().Advance(time.Minute) }

// reply is an HTTP answer, its body already read and closed.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// request sends a request; body is a string sent as is, or a value sent as
// JSON, or nil. headers are name, value pairs. A transport error (such as a
// dropped connection) is returned, not fatal.
func (e *env) request(method, path string, body any, headers ...string) (reply, error) {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(e.t.Context(), method, e.base+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return e.do(req)
}

func (e *env) do(req *http.Request) (reply, error) {
	resp, err := e.hc.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, header: resp.Header, body: raw}, err
}

// call sends a request with the given headers and decodes the envelope; the
// transport must succeed.
func (e *env) call(method, path string, body any, headers ...string) (int, answer) {
	e.t.Helper()
	rep, err := e.request(method, path, body, headers...)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	var a answer
	if err := json.Unmarshal(rep.body, &a); err != nil {
		e.t.Fatalf("%s %s: HTTP %d, body is not an envelope: %v: %q", method, path, rep.status, err, rep.body)
	}
	return rep.status, a
}

// api calls with the API key and expects HTTP 200.
func (e *env) api(method, path string, body any) answer {
	e.t.Helper()
	status, a := e.call(method, path, body, "x-api-key", testKey)
	if status != http.StatusOK {
		e.t.Fatalf("%s %s: HTTP %d, want 200 (code %d %q)", method, path, status, a.Code, a.Msg)
	}
	return a
}

// wantCode calls with the API key and expects HTTP 200 with code.
func (e *env) wantCode(code int, method, path string, body any) answer {
	e.t.Helper()
	a := e.api(method, path, body)
	if a.Code != code {
		e.t.Fatalf("%s %s %v: code %d (%q), want %d", method, path, body, a.Code, a.Msg, code)
	}
	return a
}

func decode[T any](t *testing.T, raw json.RawMessage) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("decoding %s: %v", raw, err)
	}
	return v
}

func (e *env) createV3(body any) imageJob {
	e.t.Helper()
	return decode[imageJob](e.t, e.wantCode(1000, http.MethodPost, pathV3, body).Data)
}

// finishedGrid creates a v3 job and moves the clock until it has finished;
// it returns the create answer.
func (e *env) finishedGrid() imageJob {
	j := e.createV3(map[string]string{"prompt": "x"})
	e.finish()
	return j
}

func (e *env) createV4(body any) imageJob {
	e.t.Helper()
	return decode[imageJob](e.t, e.wantCode(1000, http.MethodPost, pathV4, body).Data)
}

func (e *env) press(id, button string) imageJob {
	e.t.Helper()
	return decode[imageJob](e.t, e.wantCode(1000, http.MethodPost, pathButton, map[string]string{"_id": id, "button": button}).Data)
}

func (e *env) info(id string) answer {
	e.t.Helper()
	return e.api(http.MethodGet, pathInfo+"?image_model_id="+id, nil)
}

func (e *env) job(id string) imageJob {
	e.t.Helper()
	a := e.info(id)
	if a.Code != 1000 {
		e.t.Fatalf("infobymodelid %s: code %d (%q)", id, a.Code, a.Msg)
	}
	return decode[imageJob](e.t, a.Data)
}

func (e *env) credit() float64 {
	e.t.Helper()
	a := e.wantCode(1000, http.MethodGet, pathQuota, nil)
	return decode[struct {
		Credit float64 `json:"credit"`
	}](e.t, a.Data).Credit
}

// get fetches an absolute URL without credentials.
func (e *env) get(url string) reply {
	e.t.Helper()
	req, err := http.NewRequestWithContext(e.t.Context(), http.MethodGet, url, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	rep, err := e.do(req)
	if err != nil {
		e.t.Fatalf("GET %s: %v", url, err)
	}
	return rep
}

// picture downloads a URL that must serve a PNG, and decodes it.
func (e *env) picture(url string) (image.Image, []byte) {
	e.t.Helper()
	rep := e.get(url)
	raw := rep.body
	if rep.status != http.StatusOK {
		e.t.Fatalf("GET %s: HTTP %d", url, rep.status)
	}
	if ct := rep.header.Get("Content-Type"); ct != "image/png" {
		e.t.Errorf("GET %s: Content-Type %q, want image/png", url, ct)
	}
	if cl := rep.header.Get("Content-Length"); cl != fmt.Sprint(len(raw)) {
		e.t.Errorf("GET %s: Content-Length %q for %d bytes", url, cl, len(raw))
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		e.t.Fatalf("GET %s: not a PNG: %v", url, err)
	}
	return img, raw
}

func (e *env) wantStatus(url string, status int) {
	e.t.Helper()
	if rep := e.get(url); rep.status != status {
		e.t.Errorf("GET %s: HTTP %d, want %d", url, rep.status, status)
	}
}

// rgba gives img as *image.RGBA (what png.Decode returns for these files),
// converting only when needed, so comparisons can read pixels directly.
func rgba(img image.Image) *image.RGBA {
	if r, ok := img.(*image.RGBA); ok {
		return r
	}
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(out, out.Rect, img, b.Min, draw.Src)
	return out
}

// meanDiff is the mean absolute difference per channel (0-255) between the
// region r of a and the whole of b, which must have r's size.
func meanDiff(a image.Image, r image.Rectangle, b image.Image) float64 {
	ra, rb := rgba(a), rgba(b)
	bb := rb.Bounds()
	var sum float64
	for y := 0; y < r.Dy(); y++ {
		pa := ra.Pix[ra.PixOffset(r.Min.X, r.Min.Y+y):]
		pb := rb.Pix[rb.PixOffset(bb.Min.X, bb.Min.Y+y):]
		for i := 0; i < 4*r.Dx(); i++ {
			if i%4 != 3 {
				sum += math.Abs(float64(pa[i]) - float64(pb[i]))
			}
		}
	}
	return sum / float64(3*r.Dx()*r.Dy())
}

// halve averages 2x2 blocks.
func halve(img image.Image) image.Image {
	src := rgba(img)
	b := src.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx()/2, b.Dy()/2))
	for y := 0; y < b.Dy()/2; y++ {
		for x := 0; x < b.Dx()/2; x++ {
			o := out.PixOffset(x, y)
			for c := range 3 {
				s := 0
				for _, d := range [4][2]int{{0, 0}, {1, 0}, {0, 1}, {1, 1}} {
					s += int(src.Pix[src.PixOffset(b.Min.X+2*x+d[0], b.Min.Y+2*y+d[1])+c])
				}
				out.Pix[o+c] = uint8(s / 4)
			}
			out.Pix[o+3] = 255
		}
	}
	return out
}

// meanColour is the average colour of an image.
func meanColour(img image.Image) [3]float64 {
	src := rgba(img)
	var s [3]float64
	n := 0
	for i := 0; i+3 < len(src.Pix); i += 4 {
		s[0] += float64(src.Pix[i])
		s[1] += float64(src.Pix[i+1])
		s[2] += float64(src.Pix[i+2])
		n++
	}
	return [3]float64{s[0] / float64(n), s[1] / float64(n), s[2] / float64(n)}
}

func colourDistance(a, b [3]float64) float64 {
	return math.Sqrt((a[0]-b[0])*(a[0]-b[0]) + (a[1]-b[1])*(a[1]-b[1]) + (a[2]-b[2])*(a[2]-b[2]))
}
