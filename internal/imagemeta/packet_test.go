package imagemeta

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/akool-community/terraform-provider-akool/internal/exiftooltest"
)

var fullMarking = Marking{
	DigitalSourceType: CompositeWithTrainedAlgorithmicMedia,
	CreatorTool:       "Akool via terraform-provider-akool 1.2.3",
	AISystem:          "Akool",
	CreateDate:        time.Date(2026, 5, 1, 12, 30, 15, 250e6, time.UTC),
	JobID:             "662a10df4197b3af58532e89",
	AltText:           "A lighthouse on a cliff at sunrise",
	Description:       "Hero image <for> the \"spring\" campaign & more",
	Headline:          "Spring lighthouse",
	Credit:            "Example Co. / Akool",
	Copyright:         "© 2026 Example Co.",
	Prompt:            "A lighthouse, warm light\nwide shot",
}

// xmlTexts reads the character data of an XML document, one string per
// element name.
func xmlTexts(t *testing.T, packet []byte) map[string]string {
	t.Helper()
	body := packet[bytes.Index(packet, []byte("<x:xmpmeta")):bytes.LastIndex(packet, []byte("<?xpacket end"))]
	dec := xml.NewDecoder(bytes.NewReader(body))
	texts := map[string]string{}
	var stack []string
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return texts
		}
		if err != nil {
			t.Fatalf("the packet is not well-formed XML: %v\n%s", err, packet)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			stack = append(stack, tok.Name.Space+" "+tok.Name.Local)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if s := strings.TrimSpace(string(tok)); s != "" && len(stack) > 0 {
				texts[stack[len(stack)-1]] += string(tok)
			}
		}
	}
}

func TestPacketIsWellFormedAndEscaped(t *testing.T) {
	texts := xmlTexts(t, Packet(fullMarking))
	for key, want := range map[string]string{
		"http://iptc.org/std/Iptc4xmpExt/2008-02-29/ DigitalSourceType":   CompositeWithTrainedAlgorithmicMedia,
		"http://ns.adobe.com/xap/1.0/ CreateDate":                         "2026-05-01T12:30:15.250Z",
		"http://ns.adobe.com/photoshop/1.0/ Headline":                     "Spring lighthouse",
		Namespace + " JobID":                                              "662a10df4197b3af58532e89",
		"http://iptc.org/std/Iptc4xmpExt/2008-02-29/ AIPromptInformation": "A lighthouse, warm light\nwide shot",
	} {
		if texts[key] != want {
			t.Errorf("%s = %q, want %q", key, texts[key], want)
		}
	}
	// Language alternatives keep their text in rdf:li.
	if got := texts["http://www.w3.org/1999/02/22-rdf-syntax-ns# li"]; !strings.Contains(got, `Hero image <for> the "spring" campaign & more`) {
		t.Errorf("rdf:li texts %q lack the escaped description", got)
	}
}

func TestPacketLeavesOutEmptyFields(t *testing.T) {
	packet := string(Packet(Marking{DigitalSourceType: TrainedAlgorithmicMedia}))
	for _, absent := range []string{"CreateDate", "Headline", "AltText", "rights", "AIPromptInformation", "JobID", "CreatorTool"} {
		if strings.Contains(packet, absent) {
			t.Errorf("packet holds %s although it is empty:\n%s", absent, packet)
		}
	}
	if !strings.Contains(packet, TrainedAlgorithmicMedia) {
		t.Errorf("packet lacks the digital source type")
	}
}

// TestEmbedReadByExiftool writes a fully marked file of every format and
// reads it back with exiftool.
func TestEmbedReadByExiftool(t *testing.T) {
	packet := Packet(fullMarking)
	for _, f := range fixtures(t) {
		t.Run(f.name, func(t *testing.T) {
			marked, err := Embed(f.data, packet)
			if err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(t.TempDir(), "marked")
			if err := os.WriteFile(file, marked, 0o644); err != nil {
				t.Fatal(err)
			}
			tags := exiftooltest.Read(t, file)
			if w, ok := tags["ExifTool:Warning"]; ok && !strings.Contains(f.name, "exif") {
				t.Errorf("exiftool warns: %v", w)
			}
			for tag, want := range map[string]any{
				"XMP-iptcExt:DigitalSourceType":     CompositeWithTrainedAlgorithmicMedia,
				"XMP-xmp:CreatorTool":               "Akool via terraform-provider-akool 1.2.3",
				"XMP-xmp:CreateDate":                "2026:05:01 12:30:15.250Z",
				"XMP-iptcCore:AltTextAccessibility": "A lighthouse on a cliff at sunrise",
				"XMP-dc:Description":                `Hero image <for> the "spring" campaign & more`,
				"XMP-photoshop:Headline":            "Spring lighthouse",
				"XMP-photoshop:Credit":              "Example Co. / Akool",
				"XMP-dc:Rights":                     "© 2026 Example Co.",
				"XMP-akool:JobID":                   "662a10df4197b3af58532e89",
			} {
				if tags[tag] != want {
					t.Errorf("%s = %v, want %v", tag, tags[tag], want)
				}
			}
			if _, ok := tags["XMP-dc:Format"]; ok {
				t.Errorf("exiftool still reads the packet the file had before")
			}
		})
	}
}
