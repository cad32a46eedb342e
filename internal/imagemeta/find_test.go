package imagemeta

import (
	"bytes"
	"testing"
)

func TestFindAndMarked(t *testing.T) {
	packet := Packet(testMarking)
	for _, f := range fixtures(t) {
		t.Run(f.name, func(t *testing.T) {
			found, err := Find(f.data)
			if err != nil || (found != nil) != f.hasXMP {
				t.Fatalf("Find in the original: %d bytes, %v; want a packet: %v", len(found), err, f.hasXMP)
			}
			if f.hasXMP && !bytes.Contains(found, []byte("<dc:format>old")) {
				t.Fatalf("Find returned %q, not the packet the file has", found)
			}
			if Marked(f.data) {
				t.Fatal("Marked says yes for a file this package did not mark")
			}
			marked, err := Embed(f.data, packet)
			if err != nil {
				t.Fatal(err)
			}
			found, err = Find(marked)
			if err != nil || !bytes.HasSuffix(found, packet) {
				t.Fatalf("Find in the marked file: %q, %v", found, err)
			}
			if !Marked(marked) {
				t.Fatal("Marked says no for a marked file")
			}
		})
	}
	if Marked([]byte("GIF89a")) {
		t.Fatal("Marked says yes for a GIF")
	}
}
