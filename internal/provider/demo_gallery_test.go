package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/akool-community/terraform-provider-akool/internal/exiftooltest"
)

// The demo's configuration renders a gallery page from its local copies:
// every picture, with its prompt, scale, kind, id and expiry date, linked by
// a path where the picture is. Not parallel: the provider runs in this
// process, and the demo's relative paths and environment are the process's.
func TestAccDemo_gallery(t *testing.T) {
	_, url := newTestEmulator(t)
	h := newExampleHarness(t, url, "demo", "*.tf", "*.tftpl")
	t.Chdir(h.dir)
	h.mustApply()
	page := h.mustRun("output", "-raw", "gallery_html").stdout
	if got := strings.Count(page, "<figure>"); got != 6 {
		t.Errorf("the gallery shows %d pictures, want the demo's 6", got)
	}

	kinds := map[string]string{}
	renditions := 0
	for _, r := range h.state().Values.RootModule.Resources {
		switch r.Type {
		case "akool_generated_image":
			kinds[r.Address] = "grid"
			if r.AttributeValues["api_version"] == "v4" {
				kinds[r.Address] = "v4"
			}
		case "akool_image_upscale":
			kinds[r.Address] = "upscale U2"
		case "akool_image_variation":
			kinds[r.Address] = "variation V4"
		case "akool_image_file":
			path, _ := r.AttributeValues["path"].(string)
			if !strings.Contains(page, `src="`+path+`"`) {
				t.Errorf("the gallery does not show %s", path)
			}
			if _, err := os.Stat(filepath.Join(h.dir, path)); err != nil {
				t.Errorf("the gallery links %s, which is not there: %v", path, err)
			}
			// The marking, as written into the file and read back by exiftool.
			tags := exiftooltest.Read(t, filepath.Join(h.dir, path))
			dst, _ := tags["XMP-iptcExt:DigitalSourceType"].(string)
			if r.AttributeValues["marked"] != true || dst != r.AttributeValues["digital_source_type"] {
				t.Errorf("%s: marked %v, digital_source_type %v, exiftool reads %q", path, r.AttributeValues["marked"],
					r.AttributeValues["digital_source_type"], dst)
			}
			created, _ := r.AttributeValues["image_created_at"].(string)
			if _, short, _ := strings.Cut(dst, "digitalsourcetype/"); short == "" || !strings.Contains(page, "IPTC "+short) || created == "" || !strings.Contains(page, created) {
				t.Errorf("the gallery does not show the marking of %s (%q, created %q)", path, dst, created)
			}
			continue
		case "akool_image_rendition":
			// Shown beside its source, with its size in kilobytes.
			path, _ := r.AttributeValues["path"].(string)
			size, _ := r.AttributeValues["size"].(float64)
			kB := fmt.Sprintf("%.1f kB", size/1000)
			if !strings.Contains(page, `src="`+path+`"`) || !strings.Contains(page, kB) || r.AttributeValues["marked"] != true {
				t.Errorf("the gallery does not show the rendition %s with its %s (marked %v)", path, kB, r.AttributeValues["marked"])
			}
			renditions++
			continue
		default:
			continue
		}
		id, _ := r.AttributeValues["id"].(string)
		expiresAt, _ := r.AttributeValues["expires_at"].(string)
		if id == "" || expiresAt == "" {
			t.Errorf("%s has no id or expires_at in state: %v", r.Address, r.AttributeValues)
		}
		for _, want := range []string{id, expiresAt, kinds[r.Address]} {
			if !strings.Contains(page, want) {
				t.Errorf("the gallery does not show %q of %s", want, r.Address)
			}
		}
		if prompt, ok := r.AttributeValues["prompt"].(string); ok && !strings.Contains(page, prompt) {
			t.Errorf("the gallery does not show the prompt of %s, %q", r.Address, prompt)
		}
		if scale, ok := r.AttributeValues["scale"].(string); ok && !strings.Contains(page, "<dd>"+scale+"</dd>") {
			t.Errorf("the gallery does not show the scale of %s, %s", r.Address, scale)
		}
	}
	if renditions != 2 {
		t.Errorf("found %d renditions in the demo's state, want 2", renditions)
	}
	if len(kinds) != 6 {
		t.Errorf("found %d image resources in the demo's state, want 6", len(kinds))
	}
}
