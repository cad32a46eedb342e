package provider

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/akool-community/terraform-provider-akool/internal/emulator"
)

// webhookToken is the token in the query of the webhook URLs below.
const webhookToken = "hook-token-5e1f27c9"

// echoingRefusal serves an emulator, except that it refuses every create
// call with code 1003, echoing the request's body in its message, as a
// service that names the parameter it refuses may.
type echoingRefusal struct{ e *emulator.Emulator }

func (s echoingRefusal) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || !strings.Contains(r.URL.Path, "/content/image/create") {
		s.e.ServeHTTP(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	msg := strings.NewReplacer(`"`, `'`, "\n", " ").Replace(string(bytes.TrimSpace(body)))
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"code":1003,"msg":"webhook not reachable: `+msg+`"}`)
}

// webhook_url may carry a token in its query: plans show it as sensitive,
// for an image and for a press, and an error whose Akool message echoes
// the request does not show the token either.
func TestAccImageResources_webhookSecret(t *testing.T) {
	t.Parallel()
	_, url := newTestEmulator(t)
	webhook := "  webhook_url = \"https://hooks.example.com/akool?token=" + webhookToken + "\"\n"
	config := testAccProviderConfig(url) + `
resource "akool_generated_image" "grid" {
  prompt = "a signal lamp on a quay"
` + webhook + "}\n" + testAccButtonBlock("akool_image_upscale", "up", testAccGridAddress+".id", 1, webhook)
	h := newHarness(t, config)
	res := h.run("plan", "-input=false")
	if res.exitCode != 0 || res.mentions(webhookToken) || strings.Count(res.output(), "webhook_url") != 2 ||
		!res.mentions("webhook_url = (sensitive value)") {
		t.Errorf("plan: exit %d; want both webhook_url shown as (sensitive value), the token nowhere:\n%s", res.exitCode, res.output())
	}

	_, refusing, _ := newEmulatorBehind(t, func(e *emulator.Emulator) echoingRefusal { return echoingRefusal{e} })
	h = newHarness(t, strings.Replace(config, url, refusing, 1))
	res = h.apply()
	res.expectMentions(t, "apply", "1003", "webhook not reachable", "[redacted]")
	if res.exitCode == 0 || res.mentions(webhookToken) {
		t.Errorf("apply refused by Akool: exit %d; want an error without the token:\n%s", res.exitCode, res.output())
	}
}
