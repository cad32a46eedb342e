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
	"time"
)

const (
	secretKey     = "SECRET-API-KEY-7f3a9c"
	secretClient  = "SECRET-CLIENT-SECRET-b21e44"
	secretToken   = "SECRET-READY-TOKEN-e94c01"
	secretFetched = "SECRET-FETCHED-TOKEN-0d6f7a"
	clientIDValue = "client-id-5c8d"
)

var allSecrets = []string{secretKey, secretClient, secretToken, secretFetched}

// TestRedaction runs every authentication method through success and
// failure paths against a server that echoes every credential it receives
// back into its answers, and checks that no error text and no logged field
// carries a secret.
func TestRedaction(t *testing.T) {
	url, mode := echoServer(t, []string{"X-Api-Key", "Authorization"}, func(w http.ResponseWriter, r *http.Request, m, echo string) {
		if r.URL.Path == epGetToken.path {
			switch m {
			case "getToken refused":
				writeJSON(w, 200, `{"code":1101,"msg":"bad credentials: `+echo+`"}`)
			case "getToken HTML":
				writeHTML(w, 500, "proxy error: "+echo)
			default:
				writeJSON(w, 200, `{"code":1000,"token":"`+secretFetched+`"}`)
			}
			return
		}
		switch m {
		case "ok":
			switch r.URL.Path {
			case epCredit.path:
				writeJSON(w, 200, ok(`{"credit":10}`))
			case epImage.path:
				writeJSON(w, 200, ok(finishedData))
			default:
				writeJSON(w, 200, ok(v3CreateData))
			}
		case "refused":
			writeJSON(w, 200, `{"code":1101,"msg":"invalid token: `+echo+`"}`)
		case "HTML":
			writeHTML(w, 502, "upstream said: "+echo)
		case "malformed":
			conn, buf, err := http.NewResponseController(w).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			_, _ = fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Length: %s\r\n\r\n", echo)
			_ = buf.Flush()
			conn.Close()
		case "wrong id":
			writeJSON(w, 200, ok(`{"_id":"`+echo+`","image_status":3}`))
		}
	})

	methods := map[string]func(*Config){
		"api key": func(cfg *Config) { cfg.APIKey = secretKey },
		"client credentials": func(cfg *Config) {
			cfg.ClientID, cfg.ClientSecret = clientIDValue, secretClient
		},
		"token": func(cfg *Config) { cfg.Token = secretToken },
	}
	modes := []string{"ok", "refused", "HTML", "malformed", "wrong id", "getToken refused", "getToken HTML"}

	redactedSeen := 0
	for name, auth := range methods {
		for _, m := range modes {
			t.Run(name+"/"+m, func(t *testing.T) {
				mode.Store(m)
				log := &recordingLogger{}
				c, _ := newClient(t, url, func(cfg *Config) {
					cfg.APIKey = ""
					auth(cfg)
					cfg.Logger = log
					cfg.RetryMax = 1
					cfg.RequestTimeout = time.Second
				})
				var texts []string
				_, err := c.Credit(context.Background())
				texts = append(texts, errText(err))
				_, err = c.CreateV3(context.Background(), CreateV3Request{Prompt: "p"})
				texts = append(texts, errText(err))
				_, err = c.GetImage(context.Background(), testID)
				texts = append(texts, errText(err))
				_, err = c.Wait(context.Background(), testID, nil)
				texts = append(texts, errText(err))
				for _, l := range log.all() {
					texts = append(texts, l.msg, fmt.Sprint(l.fields))
				}

				for _, text := range texts {
					for _, s := range allSecrets {
						if strings.Contains(text, s) {
							t.Errorf("secret %q leaked in %q", s, text)
						}
					}
					if strings.Contains(text, "[redacted]") {
						redactedSeen++
					}
				}
				if m != "ok" && !strings.Contains(texts[0]+texts[1]+texts[2], "akool") {
					t.Errorf("mode %s produced no error: %q", m, texts)
				}
			})
		}
	}
	// The echoes did reach the client: redaction, not luck, kept them out.
	if redactedSeen < 10 {
		t.Errorf("only %d texts carried a redacted secret; the echo server did not work as intended", redactedSeen)
	}
}

// echoServer starts a server at url that answers every request with answer,
// given the mode last stored in the returned value and echo: the values of
// the named headers and the body, with quotes and newlines flattened so that
// they fit into a JSON string. It stands for an Akool or a gateway that
// repeats what it received.
func echoServer(t *testing.T, headers []string, answer func(w http.ResponseWriter, r *http.Request, mode, echo string)) (url string, mode *atomic.Value) {
	t.Helper()
	mode = &atomic.Value{}
	srv, _ := server(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		body, _ := io.ReadAll(r.Body)
		var parts []string
		for _, h := range headers {
			parts = append(parts, r.Header.Get(h))
		}
		echo := strings.Join(append(parts, string(body)), " ")
		m, _ := mode.Load().(string) // set before every request
		answer(w, r, m, strings.NewReplacer(`"`, `'`, "\n", " ").Replace(echo))
	})
	return srv.URL, mode
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error() + fmt.Sprintf(" | %v | %+v", err, err)
}

func TestRedaction_configErrors(t *testing.T) {
	for _, cfg := range []Config{
		{APIKey: secretKey, Token: secretToken},
		{APIKey: secretKey, ClientID: clientIDValue, ClientSecret: secretClient},
		{ClientSecret: secretClient},
		{Token: secretToken + "\n"},
		{APIKey: secretKey, BaseURL: "https://user:" + secretClient + "@a.example"},
		{APIKey: secretKey, BaseURL: "ftp://" + secretToken},
	} {
		_, err := New(cfg)
		if err == nil {
			t.Fatalf("New(%d fields) accepted a bad config", len(allSecrets))
		}
		for _, s := range allSecrets {
			if strings.Contains(err.Error(), s) {
				t.Errorf("New error %q carries a secret", err)
			}
		}
	}
}

// A webhook URL may carry a token in its query: when Akool echoes the
// request in its answer (a refusal, a gateway's HTML page, a success whose
// data cannot be used), no error text, APIError message or log field of a
// create or press carries the token.
func TestRedaction_webhookURL(t *testing.T) {
	const token = "SECRET-HOOK-TOKEN-91ab"
	webhook := "https://hooks.example.com/akool?token=" + token + "&v=1"
	url, mode := echoServer(t, nil, func(w http.ResponseWriter, _ *http.Request, m, echo string) {
		switch m {
		case "refused":
			writeJSON(w, 200, `{"code":1003,"msg":"webhook not reachable: `+echo+`"}`)
		case "HTML":
			writeHTML(w, 502, "upstream said: "+echo)
		case "unusable":
			writeJSON(w, 200, ok(`"`+echo+`"`))
		}
	})
	for _, m := range []string{"refused", "HTML", "unusable"} {
		t.Run(m, func(t *testing.T) {
			mode.Store(m)
			log := &recordingLogger{}
			c, _ := newClient(t, url, func(cfg *Config) { cfg.Logger = log; cfg.RetryMax = 0 })
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
