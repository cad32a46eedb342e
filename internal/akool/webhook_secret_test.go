package akool

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// A webhook URL may carry a token in its query: when Akool echoes the
// request in its answer (a refusal, a gateway's HTML page, a success whose
// data cannot be used), no error text, APIError message or log field of a
// create or press carries the token.
func TestRedaction_webhookURL(t *testing.T) {
	const token = "SECRET-HOOK-TOKEN-91ab"
	webhook := "https://hooks.example.com/akool?token=" + token + "&v=1"
	var mode atomic.Value
	srv, _ := server(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		body, _ := io.ReadAll(r.Body)
		echo := strings.NewReplacer(`"`, `'`, "\n", " ").Replace(string(body))
		m, _ := mode.Load().(string) // set before every request
		switch m {
		case "refused":
			writeJSON(w, 200, `{"code":1003,"msg":"webhook not reachable: `+echo+`"}`)
		case "HTML":
			w.WriteHeader(502)
			_, _ = io.WriteString(w, "<html>upstream said: "+echo+"</html>")
		case "unusable":
			writeJSON(w, 200, ok(`"`+echo+`"`))
		}
	})
	for _, m := range []string{"refused", "HTML", "unusable"} {
		t.Run(m, func(t *testing.T) {
			mode.Store(m)
			log := &recordingLogger{}
			c, _ := newClient(t, srv.URL, func(cfg *Config) { cfg.Logger = log; cfg.RetryMax = 0 })
			ctx := context.Background()
			var errs []error
			_, err := c.CreateV3(ctx, CreateV3Request{Prompt: "p", WebhookURL: webhook})
			errs = append(errs, err)
			_, err = c.CreateV4(ctx, CreateV4Request{Prompt: "p", WebhookURL: webhook})
			errs = append(errs, err)
			_, err = c.PressButton(ctx, ButtonRequest{ParentID: testID, Button: "U1", WebhookURL: webhook})
			errs = append(errs, err)

			var texts []string
			redacted := 0
			for _, err := range errs {
				if err == nil {
					t.Fatal("a create got no error; the echo server did not work as intended")
				}
				texts = append(texts, errText(err))
				var apiErr *APIError
				if errors.As(err, &apiErr) {
					texts = append(texts, apiErr.Message)
				}
				if strings.Contains(errText(err), "[redacted]") {
					redacted++
				}
			}
			for _, l := range log.all() {
				texts = append(texts, l.msg, fmt.Sprint(l.fields))
			}
			for _, text := range texts {
				if strings.Contains(text, token) {
					t.Errorf("the webhook's token leaked in %q", text)
				}
			}
			if m != "unusable" && redacted == 0 {
				t.Errorf("no error carried a redacted webhook: %q", texts)
			}
		})
	}
}
