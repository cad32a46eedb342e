package imagemeta

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"regexp"
	"strings"
	"time"
)

// Conflict is a property that a file's own XMP already holds and that a
// merged marking changes.
type Conflict struct {
	Property string // its name as this package writes it, such as "dc:rights"
	Old, New string
}

// namespaces maps the prefixes that Packet writes to their URIs.
var namespaces = map[string]string{
	"Iptc4xmpCore": "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/",
	"Iptc4xmpExt":  "http://iptc.org/std/Iptc4xmpExt/2008-02-29/",
	"dc":           "http://purl.org/dc/elements/1.1/",
	"photoshop":    "http://ns.adobe.com/photoshop/1.0/",
	"xmp":          "http://ns.adobe.com/xap/1.0/",
	"akool":        Namespace,
}

const rdfNamespace = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

// Merge returns the packet that marks a file whose own XMP is existing
// (nil when it has none): existing as it is, with every rdf:Description
// that this package wrote taken out, the properties that m sets taken out
// of the file's own descriptions (they are the conflicts it returns), and
// m's description added. A file without XMP of its own gets Packet(m).
// Unmerge gives back the file's own part.
func Merge(existing []byte, m Marking) ([]byte, []Conflict, error) {
	own, err := foreign(xmlStart(existing))
	if err != nil || own == nil {
		return Packet(m), nil, err
	}
	set := map[string]string{}
	for _, p := range m.properties() {
		set[namespaces[strings.SplitN(p.name, ":", 2)[0]]+" "+strings.SplitN(p.name, ":", 2)[1]] = p.name
	}
	values := map[string]string{}
	for _, p := range m.properties() {
		values[p.name] = p.value
	}
	scan, err := scanPacket(own.packet, set)
	if err != nil {
		return Packet(m), nil, err
	}
	var conflicts []Conflict
	var b bytes.Buffer
	last := 0
	for _, c := range scan.cuts {
		b.Write(own.packet[last:c.start])
		last = c.end
		conflicts = append(conflicts, Conflict{Property: c.property, Old: c.old, New: values[c.property]})
	}
	b.Write(own.packet[last:scan.rdfEnd])
	full := Packet(m)
	b.Write(full[bytes.Index(full, []byte("<rdf:Description")):bytes.LastIndex(full, []byte("</rdf:Description>"))])
	b.WriteString("</rdf:Description>\n ")
	b.Write(own.packet[scan.rdfEnd:])
	return b.Bytes(), conflicts, nil
}

// Unmerge returns the file's own part of packet: packet without the
// rdf:Description that this package wrote, or nil when nothing else is
// left (a packet that Packet made, or none).
func Unmerge(packet []byte) ([]byte, error) {
	own, err := foreign(xmlStart(packet))
	if err != nil || own == nil {
		return nil, err
	}
	return own.packet, nil
}

// xmlStart is packet from its first '<': what Find returns of a PNG's iTXt
// chunk starts with the chunk's language and flag fields.
func xmlStart(packet []byte) []byte {
	if i := bytes.IndexByte(packet, '<'); i > 0 {
		return packet[i:]
	}
	return packet
}

// ownPart is a packet's own part: the packet without this package's
// descriptions, with at least one description left.
type ownPart struct{ packet []byte }

// foreign takes this package's descriptions out of packet and returns what
// is left, or nil when no description of the file's own is left.
func foreign(packet []byte) (*ownPart, error) {
	if len(bytes.TrimSpace(packet)) == 0 {
		return nil, nil
	}
	scan, err := scanPacket(packet, nil)
	if err != nil {
		return nil, err
	}
	if scan.foreignDescriptions == 0 {
		return nil, nil
	}
	var b bytes.Buffer
	last := 0
	for _, c := range scan.ours {
		b.Write(packet[last:c.start])
		last = c.end
	}
	b.Write(packet[last:])
	return &ownPart{packet: b.Bytes()}, nil
}

type cut struct {
	start, end int
	property   string
	old        string
}

type packetScan struct {
	rdfEnd              int   // offset of </rdf:RDF>
	ours                []cut // this package's descriptions, with the whitespace after them
	cuts                []cut // properties in set, in the file's own descriptions
	foreignDescriptions int
}

// scanPacket finds, by byte offsets, the parts of packet that Merge and
// Unmerge cut: this package's descriptions (a description that declares
// Namespace), and in the others the properties whose expanded names are
// keys of set (as elements, or as attributes of the description).
func scanPacket(packet []byte, set map[string]string) (*packetScan, error) {
	d := xml.NewDecoder(bytes.NewReader(packet))
	d.Strict = false
	scan := &packetScan{rdfEnd: -1}
	var stack []map[string]string // prefix -> URI per open element
	resolve := func(prefix string) string {
		for i := len(stack) - 1; i >= 0; i-- {
			if uri, ok := stack[i][prefix]; ok {
				return uri
			}
		}
		return ""
	}
	inDescription, ours := false, false
	// A description that declares Namespace is this package's, unless an
	// editor that writes every property into one description (as Adobe's
	// XMP toolkit does) added properties of the file's own to it: then only
	// this package's properties and the namespace declaration are ours.
	var descStart, descDepth int
	var pending []cut
	mixed := false
	for {
		start := int(d.InputOffset())
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			ns := map[string]string{}
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" {
					ns[a.Name.Local] = a.Value
				}
			}
			stack = append(stack, ns)
			uri := resolve(t.Name.Space)
			switch {
			case uri == rdfNamespace && t.Name.Local == "Description" && !inDescription:
				inDescription = true
				ours = false
				for _, v := range ns {
					ours = ours || v == Namespace
				}
				if ours {
					descStart, descDepth, pending, mixed = start, len(stack), nil, false
					for _, a := range t.Attr {
						switch {
						case a.Name.Space == "xmlns" && a.Value == Namespace:
							pending = append(pending, attributeCut(packet, start, int(d.InputOffset()), a, ""))
						case a.Name.Space == "xmlns" || a.Name.Space == "" || resolve(a.Name.Space) == rdfNamespace:
						case ownedNames[resolve(a.Name.Space)+" "+a.Name.Local] || resolve(a.Name.Space) == Namespace:
							pending = append(pending, attributeCut(packet, start, int(d.InputOffset()), a, ""))
						default:
							mixed = true
						}
					}
					continue
				}
				scan.foreignDescriptions++
				for _, a := range t.Attr {
					if a.Name.Space == "xmlns" || a.Name.Space == "" {
						continue
					}
					name, ok := set[resolve(a.Name.Space)+" "+a.Name.Local]
					if !ok {
						continue
					}
					if c := attributeCut(packet, start, int(d.InputOffset()), a, name); c.end > c.start {
						scan.cuts = append(scan.cuts, c)
					}
				}
			case inDescription && ours && len(stack) == descDepth+1:
				if !ownedNames[uri+" "+t.Name.Local] && uri != Namespace {
					mixed = true
					continue
				}
				_, end, err := textTo(d, packet)
				if err != nil {
					return nil, err
				}
				stack = stack[:len(stack)-1]
				pending = append(pending, cut{start: start, end: skipSpace(packet, end)})
			case inDescription && !ours && len(stack) >= 1:
				name, ok := set[uri+" "+t.Name.Local]
				if !ok || !directChild(stack) {
					continue
				}
				old, end, err := textTo(d, packet)
				if err != nil {
					return nil, err
				}
				stack = stack[:len(stack)-1]
				scan.cuts = append(scan.cuts, cut{start: start, end: end, property: name, old: old})
			}
		case xml.EndElement:
			if resolve(t.Name.Space) == rdfNamespace && t.Name.Local == "Description" && inDescription &&
				(!ours || len(stack) == descDepth) {
				inDescription = false
				switch {
				case ours && mixed:
					scan.ours = append(scan.ours, pending...)
					scan.foreignDescriptions++
				case ours:
					scan.ours = append(scan.ours, cut{start: descStart, end: skipSpace(packet, int(d.InputOffset()))})
				}
			}
			if resolve(t.Name.Space) == rdfNamespace && t.Name.Local == "RDF" {
				scan.rdfEnd = start
			}
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
	}
	if scan.rdfEnd < 0 {
		return nil, errors.New("the XMP packet has no rdf:RDF element")
	}
	// Cuts in offset order, as Merge writes them.
	sortCuts(scan.cuts)
	return scan, nil
}

// directChild reports whether the element just opened is a property: a
// child of an rdf:Description (x:xmpmeta, rdf:RDF, rdf:Description, it).
func directChild(stack []map[string]string) bool { return len(stack) == 4 || len(stack) == 3 }

// skipSpace is the offset of the first byte at or after end that is not
// whitespace.
func skipSpace(packet []byte, end int) int {
	for end < len(packet) && (packet[end] == ' ' || packet[end] == '\n' || packet[end] == '\t' || packet[end] == '\r') {
		end++
	}
	return end
}

// attributeCut is the cut of attribute a, with the whitespace before it,
// from the start tag at packet[start:end]; a cut that finds nothing is
// empty.
func attributeCut(packet []byte, start, end int, a xml.Attr, property string) cut {
	raw := packet[start:end]
	loc := regexp.MustCompile(`\s+` + regexp.QuoteMeta(a.Name.Space+":"+a.Name.Local) +
		`\s*=\s*("[^"]*"|'[^']*')`).FindIndex(raw)
	if loc == nil {
		return cut{start: start, end: start, property: property, old: a.Value}
	}
	return cut{start: start + loc[0], end: start + loc[1], property: property, old: a.Value}
}

// ownedNames are the expanded names ("URI local") of every property that
// Packet may write.
var ownedNames = func() map[string]bool {
	all := Marking{DigitalSourceType: "-", CreatorTool: "-", AISystem: "-", CreateDate: time.Unix(1, 0), JobID: "-",
		AltText: "-", Description: "-", Headline: "-", Credit: "-", Copyright: "-", Prompt: "-"}
	names := map[string]bool{}
	for _, p := range all.properties() {
		prefix, local, _ := strings.Cut(p.name, ":")
		names[namespaces[prefix]+" "+local] = true
	}
	return names
}()

// textTo reads to the end of the element just opened and returns its text.
func textTo(d *xml.Decoder, _ []byte) (string, int, error) {
	var text strings.Builder
	for depth := 1; depth > 0; {
		tok, err := d.RawToken()
		if err != nil {
			return "", 0, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		case xml.CharData:
			text.Write(bytes.TrimSpace(t))
		}
	}
	return text.String(), int(d.InputOffset()), nil
}

func sortCuts(cuts []cut) {
	for i := 1; i < len(cuts); i++ {
		for j := i; j > 0 && cuts[j].start < cuts[j-1].start; j-- {
			cuts[j], cuts[j-1] = cuts[j-1], cuts[j]
		}
	}
}
