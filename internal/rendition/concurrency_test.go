package rendition

import (
	"bytes"
	"fmt"
	"sync"
	"testing"

	"github.com/akool-community/terraform-provider-akool/internal/imagetest"
)

// Many renditions of several sources at once, as terraform -parallelism=10
// asks for them, through a cache that holds less than all the sources (so
// that sources are dropped while renditions still use them and their
// resampled pixels) and slots fewer than the renditions: every file is the
// one rendered alone, and the cache ends within its bound. Run with -race.
func TestManyRenditionsOfSeveralSourcesAtOnce(t *testing.T) {
	var paths []string
	var datas [][]byte
	for i, alpha := range []bool{false, true, false, true} {
		data := imagetest.EncodePNG(t, imagetest.Photo(120+10*i, 90, alpha))
		paths, datas = append(paths, writeTemp(t, fmt.Sprintf("s%d.png", i), data)), append(datas, data)
	}
	one := decodeSource(t, datas[0]).Bytes()
	c, slots := NewCache(one+one/2), NewSlots(2)
	specs := []Spec{
		{Width: 40, Height: 30, Format: JPEG}, {Width: 40, Height: 30, Format: WebP},
		{Width: 60, Height: 60, Format: PNG}, {Width: 17, Height: 5, Format: WebP, Lossless: true},
		{Width: 1, Height: 1, Format: WebP}, {Width: 50, Height: 40, Fit: Contain, Format: JPEG, Focus: Detail},
	}
	type job struct{ src, spec int }
	var jobs []job
	for round := range 3 {
		for s := range paths {
			for k := range specs {
				jobs = append(jobs, job{(s + round) % len(paths), k})
			}
		}
	}
	results := make([][]byte, len(jobs))
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Go(func() {
			defer slots.Acquire(specs[j.spec].Cost())()
			src, err := c.Load(paths[j.src])
			if err != nil {
				t.Error(err)
				return
			}
			r, err := Render(src, specs[j.spec])
			if err != nil {
				t.Error(err)
				return
			}
			results[i] = r.Data
		})
	}
	wg.Wait()
	for i, j := range jobs {
		alone, err := Render(decodeSource(t, datas[j.src]), specs[j.spec])
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(alone.Data, results[i]) {
			t.Errorf("source %d, %+v: the file differs from the one rendered alone", j.src, specs[j.spec])
		}
	}
	if c.Decodes() <= len(paths) {
		t.Errorf("%d decodes of %d sources: none was dropped and decoded again, the test checks less than it says", c.Decodes(), len(paths))
	}
	if c.Used() > one+one/2 {
		t.Errorf("the cache holds %d bytes, over its bound of %d", c.Used(), one+one/2)
	}
}
