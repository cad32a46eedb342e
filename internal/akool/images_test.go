package akool

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

// requestBody serves one answer and records the body and query of the request.
func requestBody(t *testing.T, answer string) (*Client, func() (path string, body map[string]any, query string)) {
	t.Helper()
	type seen struct {
		path, query string
		body        map[string]any
	}
	got := make(chan seen, 1)
	srv, _ := server(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		s := seen{path: r.URL.Path, query: r.URL.RawQuery}
		if r.Method == http.MethodPost {
			s.body = decodeBody(t, r)
		}
		got <- s
		writeJSON(w, 200, answer)
	})
	c, _ := newClient(t, srv.URL, nil)
	return c, func() (string, map[string]any, string) {
		select {
		case s := <-got:
			return s.path, s.body, s.query
		default:
			t.Fatal("no request arrived")
			return "", nil, ""
		}
	}
}

func TestCreateV3_body(t *testing.T) {
	c, seen := requestBody(t, ok(v3CreateData))
	img, err := c.CreateV3(context.Background(), CreateV3Request{Prompt: "a cat on a mat"})
	if err != nil {
		t.Fatal(err)
	}
	path, body, _ := seen()
	if path != "/api/open/v3/content/image/createbyprompt" {
		t.Errorf("path = %q", path)
	}
	if want := map[string]any{"prompt": "a cat on a mat"}; !reflect.DeepEqual(body, want) {
		t.Errorf("body = %v, want %v (empty optional fields omitted)", body, want)
	}
	want := &Image{
		ID: testID, Prompt: "a cat on a mat", OriginPrompt: "a cat on a mat", Status: StatusQueueing,
		DeductionCredit: 2, CreatedAt: time.Date(2024, 4, 25, 8, 14, 23, 272e6, time.UTC),
	}
	if !reflect.DeepEqual(img, want) {
		t.Errorf("image = %+v\nwant    %+v", img, want)
	}

	c, seen = requestBody(t, ok(v3CreateData))
	if _, err := c.CreateV3(context.Background(), CreateV3Request{Prompt: "p", Scale: "16:9", SourceImage: "https://x.example/a.png", WebhookURL: "https://hook.example/"}); err != nil {
		t.Fatal(err)
	}
	_, body, _ = seen()
	if want := map[string]any{"prompt": "p", "scale": "16:9", "source_image": "https://x.example/a.png", "webhookUrl": "https://hook.example/"}; !reflect.DeepEqual(body, want) {
		t.Errorf("body = %v, want %v", body, want)
	}
}

func TestCreateV4_body(t *testing.T) {
	v4 := `{"_id":"662a10df4197b3af58532e90","team_id":"t","image_status":1,"image_sub_status":1,` +
		`"model_name":"wavespeed-ai/flux-kontext-dev","provider":"wavespeed","sub_type":40002,` +
		`"create_time":1714032863272,"deduction_credit":4}`
	c, seen := requestBody(t, ok(v4))
	similar := 0.7
	img, err := c.CreateV4(context.Background(), CreateV4Request{
		Prompt: "p", ModelName: "wavespeed-ai/flux-kontext-dev", SourceImages: []string{"https://x.example/a.png"},
		Scale: "Original", Resolution: "1080p", Similar: &similar, NegativePrompt: "blur", WebhookURL: "https://hook.example/",
	})
	if err != nil {
		t.Fatal(err)
	}
	path, body, _ := seen()
	if path != "/api/open/v4/content/image/createBySourcePrompt" {
		t.Errorf("path = %q", path)
	}
	want := map[string]any{
		"prompt": "p", "model_name": "wavespeed-ai/flux-kontext-dev", "source_images": []any{"https://x.example/a.png"},
		"scale": "Original", "resolution": "1080p", "batch_quantity": float64(1), "similar": 0.7,
		"negative_prompt": "blur", "webhookurl": "https://hook.example/",
	}
	if !reflect.DeepEqual(body, want) {
		t.Errorf("body = %v\nwant   %v", body, want)
	}
	if img.ID != "662a10df4197b3af58532e90" || img.ModelName != "wavespeed-ai/flux-kontext-dev" || img.DeductionCredit != 4 {
		t.Errorf("image = %+v", img)
	}

	// Minimal request, and data as an array (Akool's batch form): first element.
	c, seen = requestBody(t, ok(`[`+v4+`,{"_id":"662a10df4197b3af58532e91"}]`))
	img, err = c.CreateV4(context.Background(), CreateV4Request{Prompt: "p"})
	if err != nil {
		t.Fatal(err)
	}
	_, body, _ = seen()
	if want := map[string]any{"prompt": "p", "batch_quantity": float64(1)}; !reflect.DeepEqual(body, want) {
		t.Errorf("body = %v, want %v", body, want)
	}
	if img.ID != "662a10df4197b3af58532e90" {
		t.Errorf("id = %q, want the first element's", img.ID)
	}
}

func TestPressButton_body(t *testing.T) {
	answer := ok(`{"_id":"662a10df4197b3af58532e99","image_content_model_id":"662a10df4197b3af58532e89",` +
		`"op_button":"U2","op_buttonMessageId":"m","image_status":1,"deduction_credit":1,"create_time":1714032900000}`)
	c, seen := requestBody(t, answer)
	img, err := c.PressButton(context.Background(), ButtonRequest{ParentID: testID, Button: "U2"})
	if err != nil {
		t.Fatal(err)
	}
	path, body, _ := seen()
	if path != "/api/open/v3/content/image/createbybutton" {
		t.Errorf("path = %q", path)
	}
	if want := map[string]any{"_id": testID, "button": "U2"}; !reflect.DeepEqual(body, want) {
		t.Errorf("body = %v, want %v", body, want)
	}
	if img.ID != "662a10df4197b3af58532e99" || img.ParentID != testID || img.Button != "U2" || img.Status != StatusQueueing {
		t.Errorf("image = %+v", img)
	}
}

func TestGetImage(t *testing.T) {
	c, seen := requestBody(t, ok(finishedData))
	img, err := c.GetImage(context.Background(), testID)
	if err != nil {
		t.Fatal(err)
	}
	path, _, query := seen()
	if path != "/api/open/v3/content/image/infobymodelid" || query != "image_model_id="+testID {
		t.Errorf("request = %s?%s", path, query)
	}
	if img.Status != StatusCompleted || img.ImageURL != "https://d2.example/grid.png" || len(img.Buttons) != 8 ||
		!reflect.DeepEqual(img.UsedButtons, []string{"U2"}) || len(img.UpscaledURLs) != 4 || img.CreatedAt.Location() != time.UTC {
		t.Errorf("image = %+v", img)
	}

	// Without _id in the answer, the asked id is kept.
	c, _ = requestBody(t, ok(`{"image_status":"2"}`))
	img, err = c.GetImage(context.Background(), testID)
	if err != nil || img.ID != testID || img.Status != StatusProcessing {
		t.Errorf("image = %+v, err = %v", img, err)
	}

	// Another image's answer is an error.
	c, _ = requestBody(t, ok(`{"_id":"aaaaaaaaaaaaaaaaaaaaaaaa","image_status":3}`))
	if _, err := c.GetImage(context.Background(), testID); err == nil || !strings.Contains(err.Error(), "aaaaaaaaaaaaaaaaaaaaaaaa") {
		t.Errorf("err = %v, want a mismatch error", err)
	}

	// An undecodable job is a Code 0 APIError.
	c, _ = requestBody(t, ok(`{"_id":"662a10df4197b3af58532e89","image_status":"done"}`))
	_, err = c.GetImage(context.Background(), testID)
	var decodeErr *APIError
	if !errors.As(err, &decodeErr) || decodeErr.Code != 0 || !strings.Contains(decodeErr.Message, "image_status") {
		t.Errorf("err = %v, want a Code 0 APIError about image_status", err)
	}

	// 1008 is IsNotFound.
	c, _ = requestBody(t, `{"code":1008,"msg":"The content does not exist"}`)
	_, err = c.GetImage(context.Background(), testID)
	if !IsNotFound(err) {
		t.Errorf("err = %v, want IsNotFound", err)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Message != "The content does not exist" || apiErr.HTTPStatus != 200 || apiErr.Endpoint != epImage.path {
		t.Errorf("APIError = %+v", apiErr)
	}

	c, _ = requestBody(t, ok(finishedData))
	if _, err := c.GetImage(context.Background(), " "); !errors.Is(err, errNoID) {
		t.Errorf("empty id: err = %v", err)
	}
}

func TestCredit(t *testing.T) {
	for _, tc := range []struct {
		answer string
		want   float64
		ok     bool
	}{
		{ok(`{"credit":1234.5}`), 1234.5, true},
		{ok(`{"credit":"12.5"}`), 12.5, true},
		{ok(`{"credit":0}`), 0, true},
		{ok(`{"credit":null}`), 0, false},
		{ok(`{}`), 0, false},
		{ok(`[]`), 0, false},
		{ok(`null`), 0, false},
		{ok(`{"credit":"lots"}`), 0, false},
	} {
		c, seen := requestBody(t, tc.answer)
		got, err := c.Credit(context.Background())
		if path, _, _ := seen(); path != "/api/open/v3/faceswap/quota/info" {
			t.Errorf("path = %q", path)
		}
		if tc.ok {
			if err != nil || got != tc.want {
				t.Errorf("%s: credit = %v, %v; want %v", tc.answer, got, err, tc.want)
			}
			continue
		}
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.Code != 0 {
			t.Errorf("%s: err = %v, want a Code 0 *APIError", tc.answer, err)
		}
	}
}

func TestCreate_successWithoutIDIsUncertain(t *testing.T) {
	for _, answer := range []string{
		ok(`{"image_status":1}`),
		ok(`{"_id":""}`),
		ok(`null`),
		ok(`[]`),
		`{"code":1000,"msg":"OK"}`,
		ok(`"662a10df4197b3af58532e89"`),
	} {
		c, _ := requestBody(t, answer)
		_, err := c.CreateV3(context.Background(), CreateV3Request{Prompt: "p"})
		var uncertain *UncertainError
		if !errors.As(err, &uncertain) || uncertain.Endpoint != epCreateV3.path {
			t.Errorf("%s: err = %v, want *UncertainError", answer, err)
			continue
		}
		if !strings.Contains(err.Error(), "Akool reported success") {
			t.Errorf("%s: err = %v", answer, err)
		}
	}
}
