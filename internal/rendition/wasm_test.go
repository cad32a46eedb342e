package rendition

import (
	"testing"

	"github.com/gen2brain/webp"
)

// The release encodes WebP with the WebAssembly libwebp (-tags nodynamic);
// a test build without the tag on a machine with libwebp-dev would test
// the system library instead, and its sizes and speed, not what ships.
func TestWebPRunsTheWebAssemblyEncoder(t *testing.T) {
	if webp.Dynamic() == nil {
		t.Fatal("WebP encodes with the system libwebp: build the tests with -tags nodynamic " +
			"(make test does) to test the WebAssembly encoder the release ships")
	}
}
