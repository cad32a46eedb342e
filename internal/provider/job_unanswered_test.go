package provider

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/akool-community/terraform-provider-akool/internal/akool"
	"github.com/akool-community/terraform-provider-akool/internal/emulator"
)

// A press whose answer never came reads the parent, after an interrupt too,
// and says from its used_buttons whether Akool registered the press.
func TestUnansweredPress(t *testing.T) {
	dropped := &akool.UncertainError{Endpoint: "/createbybutton", Err: errors.New("EOF"),
		Reason: "the connection closed before any answer arrived"}
	interrupted, cancel := context.WithCancel(context.Background())
	cancel()
	gone := httptest.NewServer(nil)
	gone.Close()
	unreachable, err := akool.New(akool.Config{BaseURL: gone.URL, APIKey: testAccAPIKey, RetryMax: -1})
	if err != nil {
		t.Fatal(err)
	}

	e, url := newTestEmulator(t)
	jobs := newJobsOutside(t, url)
	grid := jobs.v3("a lighthouse keeper's cat")
	e.Clock().Advance(time.Minute)
	jobs.press(grid.ID, "U2")

	tests := []struct {
		name     string
		ctx      context.Context
		client   *akool.Client
		button   string
		mentions []string
	}{
		{"registered", context.Background(), jobs.client, "U2", []string{
			"press button U2 of image " + grid.ID + " was sent, but the connection closed before any answer arrived",
			"lists U2 in used_buttons", "registered the press and charged for the upscale", "Button Already Pressed",
			"terraform import <address> <id>", "-replace=<the parent's address>"}},
		{"not registered", context.Background(), jobs.client, "U3", []string{
			"does not list U3 in used_buttons", "has not registered the press", "charged nothing", "Apply again"}},
		{"registered, after an interrupt", interrupted, jobs.client, "U2", []string{
			"Terraform was interrupted while the request was on its way", "lists U2 in used_buttons"}},
		{"parent unreadable", context.Background(), unreachable, "U2", []string{
			"to see whether Akool registered the press, failed too", "run terraform plan", "Button Already Pressed",
			"Otherwise apply again"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := upscaleKind.unansweredPress(tt.ctx, tt.client, grid.ID, tt.button, dropped)
			if d.Summary() != "Upscale Outcome Unknown" {
				t.Errorf("summary = %q", d.Summary())
			}
			detail := strings.Join(strings.Fields(d.Detail()), " ")
			for _, want := range tt.mentions {
				if !strings.Contains(detail, want) {
					t.Errorf("detail does not mention %q: %s", want, detail)
				}
			}
		})
	}
	expectEmulatorCalls(t, e, 1, 1, "reading the parent presses nothing")
}

// pressDropper serves the emulator, except that while drop is set it closes
// the connection of every press once the request has arrived, without
// passing it on: a connection lost on the way, before Akool saw the press.
type pressDropper struct {
	e    *emulator.Emulator
	drop atomic.Bool
}

func (p *pressDropper) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !p.drop.Load() || !strings.HasSuffix(r.URL.Path, "/createbybutton") {
		p.e.ServeHTTP(w, r)
		return
	}
	_, _ = io.Copy(io.Discard, r.Body)
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		_ = conn.Close()
	}
}

// A press whose connection broke before Akool registered it: the error says
// that Akool does not list the button as used and to apply again, and the
// next apply presses it, once.
func TestAccImageUpscale_pressLostOnTheWay_proxyFault(t *testing.T) {
	t.Parallel()
	e, url, proxy := newEmulatorBehind(t, func(e *emulator.Emulator) *pressDropper { return &pressDropper{e: e} })
	grid := testAccGridConfig(url, "a paper boat in a gutter")
	config := grid + testAccButtonBlock("akool_image_upscale", "lost", testAccGridAddress+".id", 2, "")
	accTest(t, []tfresource.TestStep{
		{Config: grid},
		{
			PreConfig: func() { proxy.drop.Store(true) },
			Config:    config,
			ExpectError: errorPattern("Upscale Outcome Unknown", "the connection closed before any answer arrived",
				"does not list U2 in used_buttons", "has not registered the press", "Apply again to press the button"),
		},
		{
			PreConfig:         func() { proxy.drop.Store(false) },
			Config:            config,
			ConfigStateChecks: completedPressChecks("akool_image_upscale.lost", "U2", 1),
			Check:             expectPresses(e, 1),
		},
	})
}
