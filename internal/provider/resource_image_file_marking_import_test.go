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

// Imported copies that already carry the marking: its properties are
// taken out of the file's XMP, and nothing else.

// importWithPacket writes body carrying the XMP packet at dest and returns
// a harness whose configuration imports it as testImageFileAddr with the
// marking block marking, and the configuration for another marking block.
func importWithPacket(t *testing.T, srvURL, dest string, body []byte, packet, marking string) (*tfHarness, func(marking string) string) {
	t.Helper()
	withXMP, err := imagemeta.Embed(body, []byte(packet))
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
	return newHarness(t, config(marking)+
		fmt.Sprintf("\nimport {\n  to = %s\n  id = %q\n}\n", testImageFileAddr, dest)), config
}

// An imported copy that this provider marked, whose keywords an editor
// then wrote into the marking's own description (as editors that keep one
// rdf:Description do), keeps them when the marking is written again and
// when it is turned off: only the marking's properties are taken out.
func TestAccImageFile_importKeepsXMPAddedToMarking(t *testing.T) {
	t.Parallel()
	body := localcopytest.Picture(t, "png", 16, 12)
	_, srvURL := newImageFileCountingServer(t, map[string][]byte{"/a.png": body})
	dest := filepath.Join(t.TempDir(), "edited.png")
	packet := string(imagemeta.Packet(imagemeta.Marking{DigitalSourceType: imagemeta.TrainedAlgorithmicMedia,
		CreatorTool: "Akool via terraform-provider-akool 0.9.0", JobID: "662a10df4197b3af58532e89"}))
	end := strings.LastIndex(packet, "</rdf:Description>")
	edited := packet[:end] + "<dc:subject><rdf:Bag><rdf:li>lighthouse</rdf:li></rdf:Bag></dc:subject>\n  " + packet[end:]
	h, config := importWithPacket(t, srvURL, dest, body, edited, `{ headline = "Beacon" }`)
	h.mustApply()
	if got := xmpOf(t, dest); !strings.Contains(got, "<rdf:li>lighthouse</rdf:li>") || !strings.Contains(got, "Beacon") ||
		strings.Count(got, imagemeta.Namespace) != 1 || strings.Contains(got, "0.9.0") {
		t.Errorf("after marking again, the file's XMP is:\n%s", got)
	}
	h.expectNoChanges("after marking again")

	h.writeConfig(config(`{ enabled = false }`))
	h.mustApply()
	if got := xmpOf(t, dest); !strings.Contains(got, "<rdf:li>lighthouse</rdf:li>") || strings.Contains(got, imagemeta.Namespace) ||
		strings.Contains(got, "Beacon") || strings.Contains(got, "DigitalSourceType") {
		t.Errorf("after turning the marking off, the file's XMP is:\n%s", got)
	}
	h.expectNoChanges("after turning the marking off")
}

// An imported copy that already carries the marking can have it turned
// off in place once its URL no longer serves: the import records no
// download checksum, and the file without the marking is the download.
func TestAccImageFile_importMarkedThenUnmarkAfterExpiry(t *testing.T) {
	t.Parallel()
	body := localcopytest.Picture(t, "png", 16, 12)
	_, srvURL := newImageFileCountingServer(t, map[string][]byte{}) // the URL no longer serves
	dest := filepath.Join(t.TempDir(), "marked.png")
	h, config := importWithPacket(t, srvURL, dest, body, string(imagemeta.Packet(imagemeta.Marking{
		DigitalSourceType: imagemeta.TrainedAlgorithmicMedia, CreatorTool: "Akool"})), `{ headline = "Beacon" }`)
	h.mustApply()
	h.writeConfig(config(`{ enabled = false }`))
	h.mustApply()
	if onDisk, _ := os.ReadFile(dest); !bytes.Equal(onDisk, body) {
		t.Errorf("after turning the marking off, the file is not the picture without it (%d bytes, want %d)", len(onDisk), len(body))
	}
	h.expectNoChanges("after turning the marking off")
}
