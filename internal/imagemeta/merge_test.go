package imagemeta

import (
	"bytes"
	"strings"
	"testing"

	"github.com/akool-community/terraform-provider-akool/internal/imagetest"
)

func TestMergeKeepsTheFilesOwnProperties(t *testing.T) {
	m := Marking{DigitalSourceType: TrainedAlgorithmicMedia, CreatorTool: "Akool", Copyright: "© Bob"}
	merged, conflicts, err := Merge([]byte(imagetest.ForeignXMP), m)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<rdf:li>harbour</rdf:li>", "© Bob", "trainedAlgorithmicMedia", Namespace} {
		if !bytes.Contains(merged, []byte(want)) {
			t.Errorf("merged packet lacks %q:\n%s", want, merged)
		}
	}
	for _, gone := range []string{"© Alice", "Camera 1.0"} {
		if bytes.Contains(merged, []byte(gone)) {
			t.Errorf("merged packet still holds %q, which the marking sets:\n%s", gone, merged)
		}
	}
	got := map[string]string{}
	for _, c := range conflicts {
		got[c.Property] = c.Old + " -> " + c.New
	}
	if got["dc:rights"] != "© Alice -> © Bob" || got["xmp:CreatorTool"] != "Camera 1.0 -> Akool" || len(got) != 2 {
		t.Errorf("conflicts = %v", got)
	}

	// Merging again (a new marking) gives the same as merging once.
	m.Headline = "Harbour"
	again, _, err := Merge(merged, m)
	if err != nil {
		t.Fatal(err)
	}
	once, _, _ := Merge([]byte(imagetest.ForeignXMP), m)
	if !bytes.Equal(again, once) {
		t.Errorf("merging twice:\n%s\nmerging once:\n%s", again, once)
	}

	// Unmerge gives back the file's own part.
	own, err := Unmerge(merged)
	if err != nil || !strings.Contains(string(own), "<rdf:li>boats</rdf:li>") || bytes.Contains(own, []byte(Namespace)) {
		t.Errorf("Unmerge = %s, %v", own, err)
	}
	if own, err := Unmerge(Packet(m)); own != nil || err != nil {
		t.Errorf("Unmerge of a packet of this package = %q, %v; want nil", own, err)
	}
	if p, c, err := Merge(nil, m); !bytes.Equal(p, Packet(m)) || c != nil || err != nil {
		t.Errorf("Merge without XMP of the file's own is not Packet")
	}
}
