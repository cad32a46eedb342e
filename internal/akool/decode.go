package akool

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

const (
	snippetBytes = 200 // how much of a body an error quotes
	messageBytes = 500 // how much of Akool's msg an error keeps
)

// envelope is a code-1000 answer: {"code": 1000, "msg": "OK", "data": ...}.
// getToken alone puts its "token" beside code instead of inside data.
type envelope struct {
	Status int             // HTTP status
	Msg    string          // Akool's msg
	Data   json.RawMessage // nil when absent
	Token  string          // getToken's top-level token
}

// decodeEnvelope is the one decoder of every Akool answer. It returns the
// envelope when the code is 1000, whatever the HTTP status; otherwise an
// *APIError with Akool's code and message, or with Code 0 and a description
// of what was wrong with the body. Text taken from the body goes through
// redact and is shortened and stripped of unprintable characters.
func decodeEnvelope(endpoint string, status int, body []byte, redact func(string) string) (*envelope, error) {
	fail := func(format string, args ...any) error {
		msg := fmt.Sprintf(format, args...)
		if status < 200 || status > 299 {
			name := http.StatusText(status)
			if name == "" {
				name = "unexpected HTTP status"
			}
			msg = name + "; " + msg
		}
		return &APIError{Code: 0, Message: msg, HTTPStatus: status, Endpoint: endpoint}
	}

	if len(bytes.TrimSpace(body)) == 0 {
		return nil, fail("the answer has an empty body")
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil || fields == nil {
		return nil, fail("the answer is not a JSON object: %s", snippet(body, redact))
	}

	code, ok := flexInt(fields["code"])
	if !ok {
		return nil, fail("the answer has no numeric code: %s", snippet(body, redact))
	}
	msg := cleanText(flexText(fields["msg"]), messageBytes, redact)
	if code != CodeOK {
		if code < math.MinInt32 || code > math.MaxInt32 {
			return nil, fail("the answer's code is out of range: %s", snippet(body, redact))
		}
		if msg == "" {
			msg = "no message"
		}
		return nil, &APIError{Code: int(code), Message: msg, HTTPStatus: status, Endpoint: endpoint}
	}

	env := &envelope{Status: status, Msg: msg}
	if raw, ok := fields["data"]; ok && jsonKind(raw) != 'n' {
		env.Data = raw
	}
	env.Token, _ = flexString(fields["token"])
	return env, nil
}

// decodeImage maps Akool's job object to an Image. data may be the object or,
// as v4 does for batches, an array whose first element is the job. A field
// that is present but unusable is an error.
func decodeImage(data json.RawMessage) (*Image, error) {
	img, problems, err := decodeImageParts(data)
	if err != nil {
		return nil, err
	}
	if len(problems) > 0 {
		return nil, problems[0]
	}
	return img, nil
}

// decodeImageParts maps Akool's job object to an Image, leaving a field that
// is present but unusable at its zero value and listing it in problems. err
// is set when there is no job object at all, or its _id is not a string.
func decodeImageParts(data json.RawMessage) (img *Image, problems []error, err error) {
	switch jsonKind(data) {
	case 0, 'n':
		return nil, nil, errors.New("the answer has no data")
	case '[':
		var list []json.RawMessage
		if err := json.Unmarshal(data, &list); err != nil {
			return nil, nil, errors.New("the answer's data is not valid JSON")
		}
		if len(list) == 0 {
			return nil, nil, errors.New("the answer's data is an empty list")
		}
		data = list[0]
	}
	if jsonKind(data) != '{' {
		return nil, nil, errors.New("the answer's data is not an image object")
	}
	var f map[string]json.RawMessage
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, nil, errors.New("the answer's data is not a valid image object")
	}
	if kind := jsonKind(f["_id"]); kind != 0 && kind != 'n' && kind != '"' && kind != '-' && !isDigit(kind) {
		return nil, nil, errors.New("the image's _id is not a string")
	}

	img = &Image{
		ID:           text(f["_id"]),
		ParentID:     text(f["image_content_model_id"]),
		Button:       text(f["op_button"]),
		Prompt:       text(f["prompt"]),
		OriginPrompt: text(f["origin_prompt"]),
		SourceImage:  text(f["source_image"]),
		// Akool's own demo reads the result as image || external_img.
		ImageURL:     firstNonEmpty(text(f["image"]), text(f["external_img"])),
		UpscaledURLs: flexStrings(f["upscaled_urls"]),
		Buttons:      flexStrings(f["buttons"]),
		UsedButtons:  flexStrings(f["used_buttons"]),
		ModelName:    text(f["model_name"]),
	}

	// A field that is present but unusable is a problem, not a blank: a
	// blank would overwrite what state knows with a wrong value on refresh.
	status, err := decodeStatus(f["image_status"])
	if err != nil {
		problems = append(problems, err)
	}
	img.Status = status
	for _, name := range []string{"upscaled_urls", "buttons", "used_buttons"} {
		if k := jsonKind(f[name]); k != 0 && k != 'n' && k != '"' && k != '[' {
			problems = append(problems, fmt.Errorf("the image's %s is not a list", name))
		}
	}
	if raw := f["deduction_credit"]; present(raw) {
		if credit, ok := flexFloat(raw); ok {
			img.DeductionCredit = credit
		} else {
			problems = append(problems, errors.New("the image's deduction_credit is not a number"))
		}
	}
	if raw := f["create_time"]; present(raw) {
		if img.CreatedAt = decodeTime(raw); img.CreatedAt.IsZero() {
			problems = append(problems, errors.New("the image's create_time is not a time in epoch milliseconds"))
		}
	}
	return img, problems, nil
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// present reports whether a field is in the answer with a value other than null.
func present(raw json.RawMessage) bool {
	k := jsonKind(raw)
	return k != 0 && k != 'n'
}

// decodeStatus reads image_status: a number, a number in a string, or one of
// the state names. An absent status is 0, which no documented state uses.
func decodeStatus(raw json.RawMessage) (Status, error) {
	switch jsonKind(raw) {
	case 0, 'n':
		return 0, nil
	}
	if n, ok := flexInt(raw); ok {
		if n < math.MinInt32 || n > math.MaxInt32 {
			return 0, fmt.Errorf("the image_status %d is out of range", n)
		}
		return Status(n), nil
	}
	if s, ok := flexString(raw); ok {
		for _, st := range []Status{StatusQueueing, StatusProcessing, StatusCompleted, StatusFailed} {
			if strings.EqualFold(strings.TrimSpace(s), st.String()) {
				return st, nil
			}
		}
	}
	return 0, errors.New("the image_status is not a number")
}

// decodeTime reads create_time, epoch milliseconds. Values too small to be
// milliseconds of this era (below 1e11, i.e. 1973) are taken as seconds;
// negative or absurd values give the zero time.
func decodeTime(raw json.RawMessage) time.Time {
	v, ok := flexFloat(raw)
	if !ok || v <= 0 || v >= 1e15 {
		return time.Time{}
	}
	if v < 1e11 {
		v *= 1000
	}
	return time.UnixMilli(int64(v)).UTC()
}

// decodeCredit reads data.credit of the balance answer.
func decodeCredit(data json.RawMessage) (float64, error) {
	if jsonKind(data) != '{' {
		return 0, errors.New("the answer's data is not an object")
	}
	var f map[string]json.RawMessage
	if err := json.Unmarshal(data, &f); err != nil {
		return 0, errors.New("the answer's data is not a valid object")
	}
	credit, ok := flexFloat(f["credit"])
	if !ok {
		return 0, errors.New("the answer's data has no numeric credit")
	}
	return credit, nil
}

// decodeToken reads getToken's token: beside code, as documented, or inside
// data.
func decodeToken(env *envelope) string {
	if env.Token != "" {
		return env.Token
	}
	if jsonKind(env.Data) == '{' {
		var f map[string]json.RawMessage
		if json.Unmarshal(env.Data, &f) == nil {
			s, _ := flexString(f["token"])
			return s
		}
	}
	return ""
}

// jsonKind returns the first byte of a JSON value, or 0 when raw is empty.
func jsonKind(raw json.RawMessage) byte {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if len(raw) == 0 {
		return 0
	}
	return raw[0]
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// flexString reads a JSON string.
func flexString(raw json.RawMessage) (string, bool) {
	if jsonKind(raw) != '"' {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// text reads a string field tolerantly: a string as it is, a number as its
// literal, anything else as "".
func text(raw json.RawMessage) string {
	if s, ok := flexString(raw); ok {
		return s
	}
	if k := jsonKind(raw); k == '-' || isDigit(k) {
		var n json.Number
		if json.Unmarshal(raw, &n) == nil {
			return n.String()
		}
	}
	return ""
}

// flexText reads a message field: a string, or the raw JSON of anything else.
func flexText(raw json.RawMessage) string {
	if s, ok := flexString(raw); ok {
		return s
	}
	switch jsonKind(raw) {
	case 0, 'n':
		return ""
	}
	return string(bytes.TrimSpace(raw))
}

// flexFloat reads a JSON number or a string holding one ("12.5").
func flexFloat(raw json.RawMessage) (float64, bool) {
	var v float64
	switch k := jsonKind(raw); {
	case k == '-' || isDigit(k):
		if json.Unmarshal(raw, &v) != nil {
			return 0, false
		}
	case k == '"':
		s, ok := flexString(raw)
		if !ok {
			return 0, false
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return 0, false
		}
		v = f
	default:
		return 0, false
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}

// flexInt reads an integral JSON number (1000, 1000.0, 1e3) or a string
// holding one ("3").
func flexInt(raw json.RawMessage) (int64, bool) {
	v, ok := flexFloat(raw)
	if !ok || v != math.Trunc(v) || v < -(1<<53) || v > 1<<53 {
		return 0, false
	}
	return int64(v), true
}

// flexStrings reads a list of strings, skipping elements of other types; a
// lone string is a list of one.
func flexStrings(raw json.RawMessage) []string {
	switch jsonKind(raw) {
	case '"':
		if s, ok := flexString(raw); ok && s != "" {
			return []string{s}
		}
		return nil
	case '[':
	default:
		return nil
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		return nil
	}
	var out []string
	for _, el := range list {
		if s, ok := flexString(el); ok {
			out = append(out, s)
		}
	}
	return out
}

// snippet quotes the start of a body for an error message.
func snippet(body []byte, redact func(string) string) string {
	// Redact before shortening, so a secret cut in half cannot slip through.
	const window = 4096
	head := body
	if len(head) > window {
		head = head[:window]
	}
	s := cleanText(string(head), snippetBytes, redact)
	if len(body) > window && !strings.HasSuffix(s, "…") {
		s += "…"
	}
	return strconv.Quote(s)
}

// cleanText redacts s, keeps printable characters only, collapses runs of
// white space and bounds the length to limit bytes.
func cleanText(s string, limit int, redact func(string) string) string {
	if redact != nil {
		s = redact(s)
	}
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case r == utf8.RuneError:
			r = '?'
		case unicode.IsSpace(r):
			if !space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = true
			continue
		case !unicode.IsPrint(r):
			r = '?'
		}
		space = false
		if b.Len()+utf8.RuneLen(r) > limit {
			return strings.TrimSpace(b.String()) + "…"
		}
		b.WriteRune(r)
	}
	return strings.TrimSpace(b.String())
}
