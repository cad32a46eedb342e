package imagemeta

import (
	"bytes"
	"encoding/xml"
	"time"
)

// Digital Source Types from the IPTC NewsCodes vocabulary
// (http://cv.iptc.org/newscodes/digitalsourcetype/).
const (
	// TrainedAlgorithmicMedia is media created by a model trained on
	// sampled content: a picture generated from a prompt, and an upscale or
	// variation of one.
	TrainedAlgorithmicMedia = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
	// CompositeWithTrainedAlgorithmicMedia is media that combines generated
	// content with other content: a picture generated from a source image
	// supplied by the user (which may be a photograph).
	CompositeWithTrainedAlgorithmicMedia = "http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia"
)

// Namespace of the properties that have no standard home: the Akool job id.
const Namespace = "https://registry.terraform.io/providers/akool-community/akool/xmp/1.0/"

// Marking is what a packet says. Empty fields are left out.
type Marking struct {
	DigitalSourceType string    // an IPTC Digital Source Type URI
	CreatorTool       string    // xmp:CreatorTool, e.g. "Akool via terraform-provider-akool 1.2.3"
	AISystem          string    // Iptc4xmpExt:AISystemUsed
	CreateDate        time.Time // xmp:CreateDate: when the job was created
	JobID             string    // akool:JobID
	AltText           string    // Iptc4xmpCore:AltTextAccessibility
	Description       string    // dc:description
	Headline          string    // photoshop:Headline
	Credit            string    // photoshop:Credit (credit line)
	Copyright         string    // dc:rights (copyright notice)
	Prompt            string    // Iptc4xmpExt:AIPromptInformation
}

// property is one XMP property: a simple value, or a language alternative
// (rdf:Alt with an x-default item), as the standards define each.
type property struct {
	name    string
	value   string
	langAlt bool
}

func (m Marking) properties() []property {
	var date string
	if !m.CreateDate.IsZero() {
		date = m.CreateDate.UTC().Format("2006-01-02T15:04:05.000Z07:00")
	}
	all := []property{
		{"Iptc4xmpExt:DigitalSourceType", m.DigitalSourceType, false},
		{"Iptc4xmpExt:AISystemUsed", m.AISystem, false},
		{"Iptc4xmpExt:AIPromptInformation", m.Prompt, false},
		{"xmp:CreatorTool", m.CreatorTool, false},
		{"xmp:CreateDate", date, false},
		{"akool:JobID", m.JobID, false},
		{"Iptc4xmpCore:AltTextAccessibility", m.AltText, true},
		{"dc:description", m.Description, true},
		{"photoshop:Headline", m.Headline, false},
		{"photoshop:Credit", m.Credit, false},
		{"dc:rights", m.Copyright, true},
	}
	kept := all[:0]
	for _, p := range all {
		if p.value != "" {
			kept = append(kept, p)
		}
	}
	return kept
}

const packetHeader = "<?xpacket begin=\"\uFEFF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n" +
	"<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n" +
	" <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n" +
	"  <rdf:Description rdf:about=\"\"\n" +
	"    xmlns:Iptc4xmpCore=\"http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/\"\n" +
	"    xmlns:Iptc4xmpExt=\"http://iptc.org/std/Iptc4xmpExt/2008-02-29/\"\n" +
	"    xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n" +
	"    xmlns:photoshop=\"http://ns.adobe.com/photoshop/1.0/\"\n" +
	"    xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\"\n" +
	"    xmlns:akool=\"" + Namespace + "\">\n"

const packetTrailer = "  </rdf:Description>\n </rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"r\"?>"

// Packet returns the XMP packet for m: UTF-8, without padding, read-only
// ("end=r": editors should rewrite it rather than edit it in place).
func Packet(m Marking) []byte {
	var b bytes.Buffer
	b.WriteString(packetHeader)
	for _, p := range m.properties() {
		b.WriteString("   <" + p.name + ">")
		if p.langAlt {
			b.WriteString("<rdf:Alt><rdf:li xml:lang=\"x-default\">")
		}
		escapeText(&b, p.value)
		if p.langAlt {
			b.WriteString("</rdf:li></rdf:Alt>")
		}
		b.WriteString("</" + p.name + ">\n")
	}
	b.WriteString(packetTrailer)
	return b.Bytes()
}

// escapeText writes s as XML character data. Characters XML 1.0 cannot
// carry (most control characters) are replaced by U+FFFD, as
// xml.EscapeText does.
func escapeText(b *bytes.Buffer, s string) {
	_ = xml.EscapeText(b, []byte(s)) // writing to a bytes.Buffer does not fail
}
