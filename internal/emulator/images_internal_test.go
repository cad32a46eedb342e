package emulator

import (
	"bytes"
	"image"
	"image/png"
	"testing"
)

func TestPictureSize(t *testing.T) {
	cases := []struct {
		scale      string
		long, w, h int
	}{
		{"1:1", 512, 512, 512},
		{"16:9", 512, 512, 288},
		{"9:16", 512, 288, 512},
		{"4:3", 1024, 1024, 768},
		{"3:2", 512, 512, 341},
		{"2:3", 1024, 683, 1024},
		{"Original", 1024, 1024, 1024},
		{"", 768, 768, 768},
	}
	for _, c := range cases {
		if w, h := pictureSize(c.scale, c.long); w != c.w || h != c.h {
			t.Errorf("pictureSize(%q, %d) = %dx%d, want %dx%d", c.scale, c.long, w, h, c.w, c.h)
		}
	}
}

func TestDrawing_deterministic(t *testing.T) {
	a := encodePNG(drawGrid(gridScenes("662a10df4197b3af58532e89", "a lake", ""), 128, 72, "a lake"))
	b := encodePNG(drawGrid(gridScenes("662a10df4197b3af58532e89", "a lake", ""), 128, 72, "a lake"))
	if !bytes.Equal(a, b) {
		t.Error("the same id and prompt drew different grids")
	}
	c := encodePNG(drawGrid(gridScenes("662a10df4197b3af58532e8a", "a lake", ""), 128, 72, "a lake"))
	d := encodePNG(drawGrid(gridScenes("662a10df4197b3af58532e89", "a forest", ""), 128, 72, "a forest"))
	if bytes.Equal(a, c) || bytes.Equal(a, d) {
		t.Error("another id or prompt drew the same grid")
	}
	img, err := png.Decode(bytes.NewReader(a))
	if err != nil || img.Bounds().Dx() != 256 || img.Bounds().Dy() != 144 {
		t.Errorf("decoded %v, %v; want a 256x144 PNG", err, img.Bounds())
	}
}

func TestImageCache_drawsOnceAndEvicts(t *testing.T) {
	c := newImageCache(3000, encodePNG)
	draws := 0
	draw := func() *image.RGBA {
		draws++
		return drawSingle(singleScene("662a10df4197b3af58532e89", "x", ""), 32, 32, "x")
	}
	first := c.get("a", draw)
	if again := c.get("a", draw); !bytes.Equal(first, again) || draws != 1 {
		t.Errorf("second get drew again (%d draws)", draws)
	}
	for _, k := range []string{"b", "c", "d", "e"} {
		c.get(k, draw)
	}
	c.mu.Lock()
	size, n := c.size, len(c.entries)
	_, hasA := c.entries["a"]
	c.mu.Unlock()
	if size > 3000 || hasA || n == 0 {
		t.Errorf("after 5 pictures of %d bytes: size %d, %d entries, oldest kept %v", len(first), size, n, hasA)
	}
}

func BenchmarkDrawGrid1024(b *testing.B) {
	scenes := gridScenes("662a10df4197b3af58532e89", "a lake", "")
	for b.Loop() {
		encodePNG(drawGrid(scenes, 512, 512, "a lake"))
	}
}
