package localcopy

import (
	"bytes"
	"runtime"
	"testing"
)

// A download that declares its size is held in one buffer of that size,
// not in one grown by doubling: many downloads run at once (Terraform's
// parallelism), each up to MaxBytes.
func TestRead_holdsADeclaredDownloadOnce(t *testing.T) {
	const size = 8 << 20
	body := bytes.Repeat([]byte{0xab}, size)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	src, err := read(t.Context(), bytes.NewReader(body), "test", size, "")
	runtime.ReadMemStats(&after)
	if err != nil || len(src.Data) != size {
		t.Fatalf("read = %d bytes, %v", len(src.Data), err)
	}
	if allocated := after.TotalAlloc - before.TotalAlloc; allocated > size+size/4 {
		t.Errorf("reading %d declared bytes allocated %d bytes; want about one buffer of the size", size, allocated)
	}
}
