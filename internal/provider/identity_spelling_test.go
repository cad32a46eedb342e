package provider

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	neturl "net/url"
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
