package rendition

import (
	"os"
	"sync"
	"testing"

	"github.com/akool-community/terraform-provider-akool/internal/imagetest"
)

func TestCacheDecodesASourceOnceForManyRenditions(t *testing.T) {
	path := writeTemp(t, "hero.png", imagetest.EncodePNG(t, imagetest.Photo(300, 200, false)))
	c := NewCache(DefaultCacheBytes)
	var wg sync.WaitGroup
	sources := make([]*Source, 6)
	for i := range sources {
		wg.Go(func() {
			src, err := c.Load(path)
			if err != nil {
				t.Error(err)
				return
			}
			sources[i] = src
		})
	}
	wg.Wait()
	if c.Decodes() != 1 {
		t.Errorf("six loads at once decoded %d times, want 1", c.Decodes())
	}
	for _, s := range sources[1:] {
		if s != sources[0] {
			t.Fatal("loads of one source returned different copies")
		}
	}
	if want := 2 * 300 * 200 * 3; c.Used() != int64(want) {
		t.Errorf("Used = %d, want %d (RGB, and as much again for what it is resampled to)", c.Used(), want)
	}

	// The same path with other bytes is another source.
	if err := os.WriteFile(path, imagetest.EncodePNG(t, imagetest.Photo(310, 200, false)), 0o644); err != nil {
		t.Fatal(err)
	}
	src, err := c.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if src.Width != 310 || c.Decodes() != 2 {
		t.Errorf("after the file changed: width %d, %d decodes; want 310 and 2", src.Width, c.Decodes())
	}
}

func TestCacheStaysWithinItsBound(t *testing.T) {
	one := int64(100*100*3) * 2 // a source's pixels, and as much again for what it is resampled to
	c := NewCache(2*one + one/2)
	for i := range 4 {
		path := writeTemp(t, string(rune('a'+i))+".png", imagetest.EncodePNG(t, imagetest.Photo(100, 100, false)))
		if _, err := c.Load(path); err != nil {
			t.Fatal(err)
		}
		if c.Used() > 2*one+one/2 {
			t.Fatalf("after %d sources the cache holds %d bytes, over its bound", i+1, c.Used())
		}
	}
	if c.Used() != 2*one {
		t.Errorf("Used = %d, want the two latest sources, %d", c.Used(), 2*one)
	}
	// A source larger than the bound is decoded and returned, not kept.
	small := NewCache(10)
	path := writeTemp(t, "big.png", imagetest.EncodePNG(t, imagetest.Photo(50, 50, false)))
	for range 2 {
		if _, err := small.Load(path); err != nil {
			t.Fatal(err)
		}
	}
	if small.Used() != 0 || small.Decodes() != 2 {
		t.Errorf("over-bound source: Used %d, %d decodes; want 0 and 2", small.Used(), small.Decodes())
	}
}

func TestCacheDoesNotKeepFailures(t *testing.T) {
	path := writeTemp(t, "x.png", []byte("not an image"))
	c := NewCache(DefaultCacheBytes)
	if _, err := c.Load(path); err == nil {
		t.Fatal("no error for a file that is not an image")
	}
	if err := os.WriteFile(path, imagetest.EncodePNG(t, imagetest.Photo(10, 10, false)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Load(path); err != nil {
		t.Errorf("the file, now an image: %v", err)
	}
}
