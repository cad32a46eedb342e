package provider

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	neturl "net/url"
	"os/exec"
	"strings"
	"testing"
)

// capitalIDs serves the emulator as an Akool that takes a job id in either
// case and spells it in capitals in its answers about the job (the client
// accepts an answer whose id differs from the one asked for only in case).
func capitalIDs(t *testing.T) string {
	t.Helper()
	_, url := newEditingEmulator(t, "infobymodelid", func(data map[string]any) {
		if id, ok := data["_id"].(string); ok {
			data["_id"] = strings.ToUpper(id)
		}
	})
	target, err := neturl.Parse(url)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if id := q.Get("image_model_id"); id != "" {
			q.Set("image_model_id", strings.ToLower(id))
			r.URL.RawQuery = q.Encode()
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	return front.URL
}

// A job imported by the id Akool gave when it accepted the job keeps that id
// when Akool spells it in capitals afterwards: the identity stays the id in
// state, and the plans after the import neither fail nor change anything.
func TestAccJobResources_importIDSpelledOtherwise(t *testing.T) {
	t.Parallel()
	url := capitalIDs(t)
	grid := newJobsOutside(t, url).v3("a kite spelled in capitals")
	h := newTFHarness(t)
	requireCLI(t, featureResourceIdentity)
	h.initWith(testAccProviderConfig(url) + testAccPromptBlock("test", "a kite spelled in capitals") + `
import {
  to       = ` + testAccImageAddress + `
  identity = {
    id = "` + grid.ID + `"
  }
}
`)
	h.mustApply()
	expectIdentities(h, "the import", testAccImageAddress)
	if id := stateID(h.resource(testAccImageAddress)); id != grid.ID {
		t.Errorf("id %s in state after the import, want %s, as imported", id, grid.ID)
	}
	h.expectNoChanges("the import")
	h.expectNoChanges("a plan after the import")
}

// setIdentityInState rewrites the harness's state as a hand edit would: the
// resource at address gets identity { id = id }. The id in its attributes
// stays as it is.
func setIdentityInState(t *testing.T, h *tfHarness, address, id string) {
	t.Helper()
	edited := false
	editStateInstances(t, h, func(at string, instance map[string]any) {
		if at == address {
			instance["identity"] = map[string]any{"id": id}
			edited = true
		}
	})
	if !edited {
		t.Fatalf("%s is not in state", address)
	}
}

// State whose identity names another job than the resource's id (edited
// by hand) stops the plan with an error that names both and says how to
// recover, before any request to Akool; the recovery it names works.
func TestAccJobResources_identityDisagreesWithID_emulatorCounters(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	h := newTFHarness(t)
	requireCLI(t, featureResourceIdentity)
	config := testAccGridUpscaleVariation(url, "a kite edited by hand", 1, 2)
	h.initWith(config)
	h.mustApply()
	id := stateID(h.resource(testAccVariationAddress))
	other := stateID(h.resource(testAccUpscaleAddress))
	before := e.Counters().Requests
	h.expectNoChanges("the apply")
	plain := e.Counters().Requests - before
	setIdentityInState(t, h, testAccVariationAddress, other)

	before = e.Counters().Requests
	res := h.run("plan", "-input=false")
	if res.exitCode == 0 || !res.mentions("Error: Resource Identity Does Not Match Id") || !res.mentions(id) ||
		!res.mentions(other) || !res.mentions("terraform state rm") {
		t.Errorf("plan of state whose identity names another job: exit %d, want an error naming both ids and the recovery:\n%s", res.exitCode, res.output())
	}
	if got := e.Counters().Requests - before; got >= plain {
		t.Errorf("the plan sent %d requests to Akool, want fewer than the %d of a plain plan: the variation is not read", got, plain)
	}

	res = h.run("apply", "-auto-approve", "-input=false", "-refresh=false")
	if res.exitCode != 0 {
		t.Errorf("an apply without refresh that changes nothing: exit %d, want 0:\n%s", res.exitCode, res.output())
	}

	stateCmd := exec.CommandContext(context.Background(), h.tfPath, "state", "rm", testAccVariationAddress)
	stateCmd.Dir, stateCmd.Env = h.dir, h.env
	if out, err := stateCmd.CombinedOutput(); err != nil {
		t.Fatalf("terraform state rm: %v\n%s", err, out)
	}
	h.writeConfig(config + fmt.Sprintf("\nimport {\n  to       = %s\n  identity = {\n    id = %q\n  }\n}\n", testAccVariationAddress, id))
	h.mustApply()
	expectIdentities(h, "the import that recovers", testAccVariationAddress)
	h.writeConfig(config)
	h.expectNoChanges("the import that recovers")
}
