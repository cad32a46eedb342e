package provider

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/akool-community/terraform-provider-akool/internal/imagemeta"
	"github.com/akool-community/terraform-provider-akool/internal/localcopy/localcopytest"
)

// ownXMP is XMP that another tool wrote into a picture: a copyright notice
// and keywords.
const ownXMP = `<?xpacket begin="` + "\uFEFF" + `" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
   <dc:rights><rdf:Alt><rdf:li xml:lang="x-default">© Alice Harbour Photos</rdf:li></rdf:Alt></dc:rights>
   <dc:subject><rdf:Bag><rdf:li>harbour</rdf:li><rdf:li>boats</rdf:li></rdf:Bag></dc:subject>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>`

// xmpOf is the XMP that the file at filePath carries.
func xmpOf(t *testing.T, filePath string) string {
	t.Helper()
	data, err := os.ReadFile(filePath)
	if err != nil {
		t.Fatal(err)
	}
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
	withXMP, err := imagemeta.Embed(body, []byte(ownXMP))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dest, withXMP, 0o644); err != nil {
		t.Fatal(err)
	}
	config := func(marking string) string {
		return strings.Replace(testAccImageFileConfig(srvURL+"/a.png", dest), "path = ",
			"marking = "+marking+"\n  path = ", 1)
	}
	h := newHarness(t, config(`{ headline = "Boats", copyright_notice = "© Akool Demo" }`)+
		fmt.Sprintf("\nimport {\n  to = %s\n  id = %q\n}\n", testImageFileAddr, dest))
	plan := h.run("plan", "-input=false")
	plan.expectMentions(t, "plan", "Image File Metadata Will Change", `dc:rights from "© Alice Harbour Photos" to "© Akool Demo"`)
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
