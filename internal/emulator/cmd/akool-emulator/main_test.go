package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/akool-community/terraform-provider-akool/internal/emulator"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestParseFlags(t *testing.T) {
	cases := []struct {
		name    string
		args    []string
		env     map[string]string
		wantErr bool
		check   func(t *testing.T, c config)
	}{
		{name: "no key", args: nil, wantErr: true},
		{name: "key from the environment", env: map[string]string{"AKOOL_API_KEY": "from-env"}, check: func(t *testing.T, c config) {
			if c.opts.APIKey != "from-env" || c.listen != "127.0.0.1:8787" {
				t.Errorf("key %q listen %q", c.opts.APIKey, c.listen)
			}
		}},
		{name: "flag wins over the environment", args: []string{"-api-key", "flag"}, env: map[string]string{"AKOOL_API_KEY": "env"}, check: func(t *testing.T, c config) {
			if c.opts.APIKey != "flag" {
				t.Errorf("key %q", c.opts.APIKey)
			}
		}},
		{name: "all knobs", args: []string{"-api-key", "k", "-listen", "localhost:0", "-client-id", "cid", "-queue-time", "10ms", "-process-time", "2s", "-credit", "50", "-latency", "5ms", "-jitter", "2ms", "-rate-limit", "3", "-read-fault-rate", "0.1", "-create-refuse-rate", "0.2", "-create-drop-rate", "0.05", "-seed", "9", "-v"}, check: func(t *testing.T, c config) {
			o := c.opts
			if o.ClientID != "cid" || c.queue != 10*time.Millisecond || c.process != 2*time.Second || c.credit != 50 || o.Latency != 5*time.Millisecond || o.Jitter != 2*time.Millisecond || o.RateLimit != 3 || o.Faults.ReadRate != 0.1 || o.Faults.CreateRefuseRate != 0.2 || o.Faults.CreateDropRate != 0.05 || o.Seed != 9 || !c.verbose {
				t.Errorf("options %+v verbose %v", o, c.verbose)
			}
		}},
		{name: "shapes", args: []string{"-api-key", "k", "-singles-delay", "4s", "-singles-never", "-external-img", "-not-found-for", "3s", "-hide-parent", "-v4-upscaled-url"}, check: func(t *testing.T, c config) {
			want := emulator.Shapes{SinglesDelay: 4 * time.Second, SinglesNever: true, ExternalImage: true, NotFoundFor: 3 * time.Second, HideParent: true, V4UpscaledURL: true}
			if c.opts.Shapes != want {
				t.Errorf("shapes %+v, want %+v", c.opts.Shapes, want)
			}
		}},
		{name: "default shapes", args: []string{"-api-key", "k"}, check: func(t *testing.T, c config) {
			if want := (emulator.Shapes{SinglesDelay: emulator.DefaultSinglesDelay}); c.opts.Shapes != want {
				t.Errorf("shapes %+v, want %+v", c.opts.Shapes, want)
			}
		}},
		{name: "single images with status 3", args: []string{"-api-key", "k", "-singles-delay", "0"}, check: func(t *testing.T, c config) {
			if c.opts.Shapes.SinglesDelay >= 0 {
				t.Errorf("singles delay %v, want negative (with status 3) in Options", c.opts.Shapes.SinglesDelay)
			}
		}},
		{name: "picture format", args: []string{"-api-key", "k", "-format", "webp"}, check: func(t *testing.T, c config) {
			if c.opts.PictureFormat != emulator.FormatWebP {
				t.Errorf("picture format %q, want webp", c.opts.PictureFormat)
			}
		}},
		{name: "unknown picture format", args: []string{"-api-key", "k", "-format", "gif"}, wantErr: true},
		{name: "negative duration", args: []string{"-api-key", "k", "-queue-time", "-1s"}, wantErr: true},
		{name: "negative jitter", args: []string{"-api-key", "k", "-jitter", "-1ms"}, wantErr: true},
		{name: "IPv6 loopback", args: []string{"-api-key", "k", "-listen", "[::1]:0"}},
		{name: "all interfaces refused", args: []string{"-api-key", "k", "-listen", "0.0.0.0:8787"}, wantErr: true},
		{name: "empty host refused", args: []string{"-api-key", "k", "-listen", ":8787"}, wantErr: true},
		{name: "remote name refused", args: []string{"-api-key", "k", "-listen", "example.com:8787"}, wantErr: true},
		{name: "remote allowed", args: []string{"-api-key", "k", "-listen", "0.0.0.0:8787", "-allow-remote"}},
		{name: "no port", args: []string{"-api-key", "k", "-listen", "127.0.0.1"}, wantErr: true},
		{name: "unknown flag", args: []string{"-api-key", "k", "-colour"}, wantErr: true},
		{name: "stray argument", args: []string{"-api-key", "k", "serve"}, wantErr: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var stderr strings.Builder
			cfg, err := parseFlags(c.args, &stderr, env(c.env))
			if c.wantErr {
				if !errors.Is(err, errUsage) {
					t.Fatalf("err %v, want a usage error", err)
				}
				if stderr.Len() == 0 {
					t.Error("nothing said on stderr")
				}
				return
			}
			if err != nil {
				t.Fatalf("err %v: %s", err, stderr.String())
			}
			if c.check != nil {
				c.check(t, cfg)
			}
		})
	}
}

func TestRun_printsURLServesAndStops(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	out, w := io.Pipe()
	var stderr strings.Builder
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-listen", "127.0.0.1:0", "-credit", "4", "-queue-time", "0", "-process-time", "0"}, w, &stderr, env(map[string]string{"AKOOL_API_KEY": "secret-key"}))
		w.Close()
	}()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the first line: %v (stderr %q)", err, stderr.String())
	}
	const prefix = "akool emulator listening on "
	if !strings.HasPrefix(line, prefix) {
		t.Fatalf("first line %q", line)
	}
	base := strings.TrimSpace(strings.TrimPrefix(line, prefix))
	if !strings.HasPrefix(base, "http://127.0.0.1:") || strings.HasSuffix(base, ":0") {
		t.Fatalf("base URL %q does not name the real port", base)
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()

	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	call := func(method, path, body string) (code int, data map[string]any) {
		t.Helper()
		req, _ := http.NewRequestWithContext(t.Context(), method, base+path, strings.NewReader(body))
		req.Header.Set("x-api-key", "secret-key")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var a struct {
			Code int            `json:"code"`
			Data map[string]any `json:"data"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		return a.Code, a.Data
	}
	// -credit 4 pays for exactly one grid; -queue-time 0 and -process-time 0
	// finish it at once.
	code, job := call(http.MethodPost, "/api/open/v3/content/image/createbyprompt", `{"prompt":"a field"}`)
	if code != 1000 {
		t.Fatalf("create: code %d", code)
	}
	id, ok := job["_id"].(string)
	if !ok {
		t.Fatalf("create answered no _id: %v", job)
	}
	if code, info := call(http.MethodGet, "/api/open/v3/content/image/infobymodelid?image_model_id="+id, ""); code != 1000 || info["image_status"] != 3.0 {
		t.Errorf("infobymodelid: code %d status %v, want a finished job", code, info["image_status"])
	}
	if code, quota := call(http.MethodGet, "/api/open/v3/faceswap/quota/info", ""); code != 1000 || quota["credit"] != 0.0 {
		t.Errorf("quota: code %d credit %v, want 0", code, quota["credit"])
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run returned %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not stop after the context ended")
	}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, base+"/api/open/v3/faceswap/quota/info", nil)
	if resp, err := client.Do(req); err == nil {
		resp.Body.Close()
		t.Error("still serving after shutdown")
	}
}

// -h explains the emulator, how to install it, and every flag: each flag
// PrintDefaults lists has a description.
func TestUsage_documentsEveryFlag(t *testing.T) {
	var out strings.Builder
	if _, err := parseFlags([]string{"-h"}, &out, env(nil)); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("-h: err %v, want flag.ErrHelp", err)
	}
	text := out.String()
	for _, want := range []string{"go install github.com/akool-community/terraform-provider-akool/internal/emulator/cmd/akool-emulator@latest", "AKOOL_ENDPOINT", "[fail]"} {
		if !strings.Contains(text, want) {
			t.Errorf("-h does not mention %q:\n%s", want, text)
		}
	}
	lines := strings.Split(text, "\n")
	flags := 0
	for i, line := range lines {
		if !strings.HasPrefix(line, "  -") {
			continue
		}
		flags++
		// A one-letter boolean flag has its description on its own line.
		if _, inline, ok := strings.Cut(line, "\t"); ok && strings.TrimSpace(inline) != "" {
			continue
		}
		if i+1 >= len(lines) || !strings.HasPrefix(lines[i+1], "    \t") || strings.TrimSpace(lines[i+1]) == "" {
			t.Errorf("flag %q has no description", strings.Fields(line)[0])
		}
	}
	if flags < 14 {
		t.Errorf("-h lists %d flags, want every one of them:\n%s", flags, text)
	}
}
