package provider

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/akool-community/terraform-provider-akool/internal/imagemeta"
	"github.com/akool-community/terraform-provider-akool/internal/imagetest"
	"github.com/akool-community/terraform-provider-akool/internal/localcopy/localcopytest"
)

// xmpOf is the XMP that the file at filePath carries.
func xmpOf(t *testing.T, filePath string) string {
	t.Helper()
	data := mustReadFile(t, filePath)
	packet, err := imagemeta.Find(data)
	if err != nil {
		t.Fatal(err)
	}
	return string(packet)
}

// An imported PNG that carries XMP of its own keeps it when it is marked:
// the marking merges into the packet, the plan names the property it
// changes, and turning the marking off gives the file's own XMP back.
func TestAccImageFile_importKeepsOwnXMP(t *testing.T) {
	t.Parallel()
	body := localcopytest.Picture(t, "png", 16, 12)
	_, srvURL := newImageFileCountingServer(t, map[string][]byte{"/a.png": body})
	dest := filepath.Join(t.TempDir(), "harbour.png")
	h, config := importWithPacket(t, srvURL, dest, body, imagetest.ForeignXMP,
		`{ headline = "Boats", copyright_notice = "© Akool Demo" }`)
	plan := h.run("plan", "-input=false")
	plan.expectMentions(t, "plan", "Image File Metadata Will Change", `dc:rights from "© Alice" to "© Akool Demo"`)
	h.mustApply()
	merged := xmpOf(t, dest)
	for _, want := range []string{"<rdf:li>harbour</rdf:li>", "<rdf:li>boats</rdf:li>", "© Akool Demo", "Boats", imagemeta.TrainedAlgorithmicMedia} {
		if !strings.Contains(merged, want) {
			t.Errorf("after marking, the file's XMP lacks %q:\n%s", want, merged)
		}
	}
	if strings.Contains(merged, "Alice") {
		t.Errorf("after marking, the file's XMP still names the old copyright:\n%s", merged)
	}
	h.expectNoChanges("after marking an imported file")

	h.writeConfig(config(`{ enabled = false }`))
	h.mustApply()
	unmarked := xmpOf(t, dest)
	if !strings.Contains(unmarked, "<rdf:li>harbour</rdf:li>") || strings.Contains(unmarked, imagemeta.Namespace) ||
		strings.Contains(unmarked, "Boats") {
		t.Errorf("after turning the marking off, the file's XMP is:\n%s", unmarked)
	}
	onDisk, _ := os.ReadFile(dest)
	if bytes.Equal(onDisk, body) {
		t.Errorf("turning the marking off removed the file's own XMP")
	}
	h.expectNoChanges("after turning the marking off")
}
