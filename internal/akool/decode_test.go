package akool

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

const fuzzSecret = "FUZZSECRET"

func redactFuzz(s string) string { return strings.ReplaceAll(s, fuzzSecret, "[redacted]") }

func TestDecodeEnvelope_hostileBodies(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		body     string
		wantCode int    // -1 = success
		wantMsg  string // substring of the APIError message
	}{
		{"success", 200, ok(`{"credit":1}`), -1, ""},
		{"code as string", 200, `{"code":"1000","msg":"OK","data":{}}`, -1, ""},
		{"code as float", 200, `{"code":1000.0,"data":{}}`, -1, ""},
		{"code as exponent", 200, `{"code":1e3,"data":{}}`, -1, ""},
		{"unknown fields", 200, `{"code":1000,"msg":"OK","data":{},"trace":{"x":[1,2]},"extra":null}`, -1, ""},
		{"business error at 200", 200, `{"code":1003,"msg":"prompt is required"}`, 1003, "prompt is required"},
		{"business error at 404", 404, `{"code":1008,"msg":"The content does not exist"}`, 1008, "does not exist"},
		{"business error at 500", 500, `{"code":1108,"msg":"generation error"}`, 1108, "generation error"},
		{"code as numeric string", 200, `{"code":"1101","msg":"expired"}`, 1101, "expired"},
		{"msg missing", 200, `{"code":1006}`, 1006, "no message"},
		{"msg an object", 200, `{"code":1003,"msg":{"field":"scale"}}`, 1003, `{"field":"scale"}`},
		{"msg a number", 200, `{"code":1003,"msg":42}`, 1003, "42"},
		{"msg with control characters", 200, "{\"code\":1003,\"msg\":\"bad\\u0000\\u001b[31m\\nvalue\"}", 1003, "bad??[31m value"},
		{"explicit code 0", 200, `{"code":0,"msg":"weird"}`, 0, "weird"},
		{"empty body", 200, ``, 0, "empty body"},
		{"blank body", 502, " \n\t", 0, "Bad Gateway; the answer has an empty body"},
		{"HTML", 502, `<html><body>502 Bad Gateway</body></html>`, 0, `Bad Gateway; the answer is not a JSON object: "<html><body>502 Bad Gateway</body></html>"`},
		{"plain text at 200", 200, `OK`, 0, "not a JSON object"},
		{"truncated", 200, `{"code":1000,"msg":"OK","data":{"_id":"66`, 0, "not a JSON object"},
		{"null", 200, `null`, 0, "not a JSON object"},
		{"array", 200, `[{"code":1000}]`, 0, "not a JSON object"},
		{"string", 200, `"code"`, 0, "not a JSON object"},
		{"number", 200, `1000`, 0, "not a JSON object"},
		{"trailing garbage", 200, `{"code":1000}{"code":1000}`, 0, "not a JSON object"},
		{"no code", 200, `{"msg":"OK","data":{}}`, 0, "no numeric code"},
		{"code null", 200, `{"code":null}`, 0, "no numeric code"},
		{"code bool", 200, `{"code":true}`, 0, "no numeric code"},
		{"code word", 200, `{"code":"ok"}`, 0, "no numeric code"},
		{"code fraction", 200, `{"code":1000.5}`, 0, "no numeric code"},
		{"code huge", 200, `{"code":1e400}`, 0, "no numeric code"},
		{"code out of int32", 200, `{"code":9007199254740992}`, 0, "out of range"},
		{"code object", 200, `{"code":{"value":1000}}`, 0, "no numeric code"},
		{"unknown status", 299, `nope`, 0, "not a JSON object"},
		{"odd status", 599, `nope`, 0, "unexpected HTTP status; the answer is not a JSON object"},
		{"binary", 500, "\x00\x01\xff\xfe{\x7f", 0, `Internal Server Error; the answer is not a JSON object: "????{?"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, err := decodeEnvelope("/p", tt.status, []byte(tt.body), redactFuzz)
			if tt.wantCode == -1 {
				if err != nil || env == nil || env.Status != tt.status {
					t.Fatalf("env = %+v, err = %v; want success", env, err)
				}
				return
			}
			if env != nil {
				t.Fatalf("env = %+v, want an error", env)
			}
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %T %v, want *APIError", err, err)
			}
			if apiErr.Code != tt.wantCode || apiErr.HTTPStatus != tt.status || apiErr.Endpoint != "/p" {
				t.Errorf("APIError = %+v, want code %d, HTTP %d", apiErr, tt.wantCode, tt.status)
			}
			if !strings.Contains(apiErr.Message, tt.wantMsg) {
				t.Errorf("message = %q, want it to contain %q", apiErr.Message, tt.wantMsg)
			}
		})
	}
}

func TestDecodeEnvelope_boundsAndRedactsText(t *testing.T) {
	long := strings.Repeat("é", 5000)
	_, err := decodeEnvelope("/p", 200, []byte(`{"code":1003,"msg":"`+long+`"}`), nil)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || len(apiErr.Message) > messageBytes+len("…") || !utf8.ValidString(apiErr.Message) ||
		!strings.HasSuffix(apiErr.Message, "…") {
		t.Errorf("message of %d bytes, valid UTF-8 %v: want at most %d bytes, cut at a rune", len(apiErr.Message), utf8.ValidString(apiErr.Message), messageBytes)
	}

	body := "<html>" + strings.Repeat("x", 10000) + "</html>"
	_, err = decodeEnvelope("/p", 502, []byte(body), nil)
	if !errors.As(err, &apiErr) || len(apiErr.Message) > 300 {
		t.Errorf("a 10 kB body gave a %d-byte message", len(apiErr.Message))
	}

	_, err = decodeEnvelope("/p", 502, []byte("proxy error for key "+fuzzSecret+" at upstream"), redactFuzz)
	if err == nil || strings.Contains(err.Error(), fuzzSecret) || !strings.Contains(err.Error(), "[redacted]") {
		t.Errorf("err = %v, want the secret redacted", err)
	}
	_, err = decodeEnvelope("/p", 200, []byte(`{"code":1101,"msg":"token `+fuzzSecret+` expired"}`), redactFuzz)
	if err == nil || strings.Contains(err.Error(), fuzzSecret) {
		t.Errorf("err = %v, want the secret redacted", err)
	}
	// A secret straddling the end of the quoted window is not cut in half.
	body = strings.Repeat("y", snippetBytes-4) + fuzzSecret + strings.Repeat("z", 100)
	_, err = decodeEnvelope("/p", 502, []byte(body), redactFuzz)
	if err == nil || strings.Contains(err.Error(), fuzzSecret[:4]) {
		t.Errorf("err = %v leaks part of the secret", err)
	}
}

func TestDecodeImage(t *testing.T) {
	created := time.Date(2024, 4, 25, 8, 14, 23, 272e6, time.UTC)
	tests := []struct {
		name    string
		data    string
		want    *Image
		wantErr string
	}{
		{"documented v3 create", v3CreateData, &Image{ID: testID, Prompt: "a cat on a mat", OriginPrompt: "a cat on a mat",
			Status: StatusQueueing, DeductionCredit: 2, CreatedAt: created}, ""},
		{"button answer", `{"_id":"b","image_content_model_id":"p","op_button":"V3","image_status":1}`,
			&Image{ID: "b", ParentID: "p", Button: "V3", Status: StatusQueueing}, ""},
		{"array takes the first", `[{"_id":"a","image_status":2},{"_id":"b"}]`, &Image{ID: "a", Status: StatusProcessing}, ""},
		{"status as string", `{"_id":"a","image_status":"3"}`, &Image{ID: "a", Status: StatusCompleted}, ""},
		{"status as name", `{"_id":"a","image_status":"Failed"}`, &Image{ID: "a", Status: StatusFailed}, ""},
		{"status as float", `{"_id":"a","image_status":2.0}`, &Image{ID: "a", Status: StatusProcessing}, ""},
		{"status unknown number", `{"_id":"a","image_status":7}`, &Image{ID: "a", Status: 7}, ""},
		{"status missing", `{"_id":"a"}`, &Image{ID: "a"}, ""},
		{"status null", `{"_id":"a","image_status":null}`, &Image{ID: "a"}, ""},
		{"id as number", `{"_id":12345}`, &Image{ID: "12345"}, ""},
		{"time as string", `{"_id":"a","create_time":"1714032863272"}`, &Image{ID: "a", CreatedAt: created}, ""},
		{"time in seconds", `{"_id":"a","create_time":1714032863.272}`, &Image{ID: "a", CreatedAt: created}, ""},
		{"time negative", `{"_id":"a","create_time":-5}`, nil, "create_time is not a time"},
		{"time absurd", `{"_id":"a","create_time":1e300}`, nil, "create_time is not a time"},
		{"time an object", `{"_id":"a","create_time":{"$date":1}}`, nil, "create_time is not a time"},
		{"time null", `{"_id":"a","create_time":null}`, &Image{ID: "a"}, ""},
		{"credit as string", `{"_id":"a","deduction_credit":"2.5"}`, &Image{ID: "a", DeductionCredit: 2.5}, ""},
		{"credit garbage", `{"_id":"a","deduction_credit":"NaN"}`, nil, "deduction_credit is not a number"},
		{"credit an object", `{"_id":"a","deduction_credit":{"v":1}}`, nil, "deduction_credit is not a number"},
		{"list an object", `{"_id":"a","upscaled_urls":{"a":1}}`, nil, "upscaled_urls is not a list"},
		{"list a number", `{"_id":"a","buttons":8}`, nil, "buttons is not a list"},
		{"lists tolerant", `{"_id":"a","buttons":[1,"U1",null,{"x":1},"V2"],"used_buttons":"U1","upscaled_urls":null}`,
			&Image{ID: "a", Buttons: []string{"U1", "V2"}, UsedButtons: []string{"U1"}}, ""},
		{"strings of other types", `{"_id":"a","image":["u"],"prompt":{"t":1},"op_button":7}`, &Image{ID: "a", Button: "7"}, ""},
		{"status word", `{"_id":"a","image_status":"done"}`, nil, "not a number"},
		{"status object", `{"_id":"a","image_status":{"v":3}}`, nil, "not a number"},
		{"status fraction", `{"_id":"a","image_status":2.5}`, nil, "not a number"},
		{"status huge", `{"_id":"a","image_status":1e15}`, nil, "out of range"},
		{"id an object", `{"_id":{"$oid":"662a"}}`, nil, "_id is not a string"},
		{"null", `null`, nil, "no data"},
		{"absent", ``, nil, "no data"},
		{"empty array", `[]`, nil, "empty list"},
		{"array of strings", `["a"]`, nil, "not an image object"},
		{"string", `"662a10df4197b3af58532e89"`, nil, "not an image object"},
		{"number", `5`, nil, "not an image object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img, err := decodeImage([]byte(tt.data))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("img = %+v, err = %v; want an error containing %q", img, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(img, tt.want) {
				t.Errorf("image = %+v\nwant    %+v", img, tt.want)
			}
		})
	}
}

func TestDecodeToken(t *testing.T) {
	for body, want := range map[string]string{
		`{"code":1000,"token":"t1"}`:                     "t1",
		`{"code":"1000","msg":"OK","token":"t2"}`:        "t2",
		`{"code":1000,"data":{"token":"t3"}}`:            "t3",
		`{"code":1000,"token":12}`:                       "",
		`{"code":1000,"data":["t"]}`:                     "",
		`{"code":1000,"token":"","data":{"token":"t4"}}`: "t4",
	} {
		env, err := decodeEnvelope(epGetToken.path, 200, []byte(body), nil)
		if err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		if got := decodeToken(env); got != want {
			t.Errorf("%s: token = %q, want %q", body, got, want)
		}
	}
}

// FuzzDecodeEnvelope feeds arbitrary answers through the envelope decoder and
// the data decoders behind it. Beyond not panicking, it checks that a success
// is exactly code 1000 and that every error is an *APIError with a bounded,
// printable, redacted message.
func FuzzDecodeEnvelope(f *testing.F) {
	seeds := []struct {
		status int
		body   string
	}{
		{200, ok(v3CreateData)},
		{200, ok(finishedData)},
		{200, ok(`[` + statusData(1) + `,` + statusData(2) + `]`)},
		{200, ok(`{"_id":"662a10df4197b3af58532e99","image_content_model_id":"662a10df4197b3af58532e89","op_button":"U2","op_buttonMessageId":"m","image_status":1}`)},
		{200, ok(`{"_id":"x","team_id":"t","image_status":1,"image_sub_status":1,"model_name":"wavespeed-ai/flux-krea-dev-lora","provider":"w","sub_type":40001,"file_name":"f.png"}`)},
		{200, ok(`{"credit":1234.5}`)},
		{200, `{"code":1000,"token":"eyJhbGciOiJIUzI1NiJ9.e30.sig"}`},
		{200, `{"code":1003,"msg":"Parameter error"}`},
		{200, `{"code":1005,"msg":"Operation is too frequent"}`},
		{200, `{"code":1101,"msg":"Invalid authorization or The request token has expired"}`},
		{404, `{"code":1008,"msg":"The content does not exist"}`},
		{502, `<html>502 Bad Gateway</html>`},
		{200, `{"code":"1000","data":{"credit":"12.5","image_status":"3"}}`},
		{200, `{"code":1000,"data":null}`},
		{500, ``},
		{200, `{"code":1101,"msg":"` + fuzzSecret + `"}`},
	}
	for _, s := range seeds {
		f.Add(s.status, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		status = 100 + (status%500+500)%500 // 100..599
		env, err := decodeEnvelope("/p", status, body, redactFuzz)
		if (env == nil) == (err == nil) {
			t.Fatalf("env = %v, err = %v: want exactly one", env, err)
		}
		if err != nil {
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %T, want *APIError", err)
			}
			if apiErr.Code == CodeOK || apiErr.HTTPStatus != status || apiErr.Endpoint != "/p" {
				t.Fatalf("APIError = %+v", apiErr)
			}
			checkText(t, apiErr.Message, messageBytes+100)
			checkText(t, err.Error(), messageBytes+200)
			return
		}
		if env.Status != status {
			t.Fatalf("status = %d, want %d", env.Status, status)
		}
		if img, err := decodeImage(env.Data); err == nil {
			if !img.CreatedAt.IsZero() && img.CreatedAt.Location() != time.UTC {
				t.Fatalf("CreatedAt %v is not UTC", img.CreatedAt)
			}
			if img.CreatedAt.Year() > 33658 {
				t.Fatalf("CreatedAt %v out of range", img.CreatedAt)
			}
		}
		_, _ = decodeCredit(env.Data)
		_ = decodeToken(env)
	})
}

// checkText asserts an error text is bounded, valid UTF-8, printable and free
// of the fuzz secret.
func checkText(t *testing.T, s string, limit int) {
	t.Helper()
	if len(s) > limit {
		t.Fatalf("text of %d bytes exceeds %d: %q", len(s), limit, s)
	}
	if !utf8.ValidString(s) {
		t.Fatalf("text is not valid UTF-8: %q", s)
	}
	if strings.Contains(s, fuzzSecret) {
		t.Fatalf("text leaks the secret: %q", s)
	}
	for _, r := range s {
		if !unicode.IsPrint(r) && r != ' ' {
			t.Fatalf("text has unprintable %U: %q", r, s)
		}
	}
}
