package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/gen2brain/webp"

	"github.com/akool-community/terraform-provider-akool/internal/rendition"
)

// render is the provider's side, in a process of its own as terraform
// runs the provider: every output asks the cache for the source at once,
// as resources of one apply do, so the source is decoded once, and
// renders in one of the provider's slots (one per CPU, the costliest
// waiting output first).
//
//	akool-rendition-bench -render source.png out.jpg:1200x630:82 out.webp:400x400:80
func render(args []string, stdout io.Writer) error {
	if len(args) < 2 {
		return fmt.Errorf("-render needs a source and at least one output")
	}
	cache := rendition.NewCache(rendition.DefaultCacheBytes)
	slots := rendition.NewSlots(runtime.GOMAXPROCS(0))
	errs := make([]error, len(args)-1)
	var wg sync.WaitGroup
	for i, out := range args[1:] {
		wg.Go(func() { errs[i] = renderOne(cache, slots, args[0], out) })
	}
	wg.Wait()
	mode := "WebAssembly libwebp"
	if webp.Dynamic() == nil {
		mode = "system libwebp through purego"
	}
	fmt.Fprintf(stdout, "decodes=%d webp=%s\n", cache.Decodes(), mode)
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func renderOne(cache *rendition.Cache, slots *rendition.Slots, source, out string) error {
	path, box, ok := strings.Cut(out, ":")
	size, q, ok2 := strings.Cut(box, ":")
	ws, hs, ok3 := strings.Cut(size, "x")
	w, err1 := strconv.Atoi(ws)
	h, err2 := strconv.Atoi(hs)
	quality, err3 := strconv.Atoi(q)
	format, ok4 := rendition.FormatOf(path)
	if !ok || !ok2 || !ok3 || !ok4 || err1 != nil || err2 != nil || err3 != nil {
		return fmt.Errorf("output %q is not path.(jpg|png|webp):WxH:quality", out)
	}
	rendition.Prepare(format)
	spec := rendition.Spec{Width: w, Height: h, Format: format, Quality: quality}
	defer slots.Acquire(spec.Cost())()
	src, err := cache.Load(source)
	if err != nil {
		return err
	}
	r, err := rendition.Render(src, spec)
	if err != nil {
		return err
	}
	return os.WriteFile(path, r.Data, 0o644)
}
