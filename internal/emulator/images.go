package emulator

import (
	"hash/fnv"
	"image"
	"math"
	mrand "math/rand/v2"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Picture sizes, in pixels on the long side.
const (
	subImageLongSide = 512  // one sub-image of a grid; the grid is twice that
	upscaleLongSide  = 1024 // an upscale: its sub-image drawn at twice the size
	v4LongSide4k     = 1024
	v4LongSide1080p  = 768
	gridGap          = 2 // half the width of the line between grid sub-images
)

// pictureSize gives width and height for scale ("W:H"; "Original" is drawn
// square) with the given long side.
func pictureSize(scale string, long int) (w, h int) {
	a, b := 1, 1
	if x, y, found := strings.Cut(scale, ":"); found {
		if xa, err := strconv.Atoi(x); err == nil && xa > 0 {
			if yb, err := strconv.Atoi(y); err == nil && yb > 0 {
				a, b = xa, yb
			}
		}
	}
	if a >= b {
		return long, int(math.Round(float64(long) * float64(b) / float64(a)))
	}
	return int(math.Round(float64(long) * float64(a) / float64(b))), long
}

// scene describes a landscape picture in coordinates relative to its size,
// so the same scene can be drawn at any size: a sky gradient, a sun with a
// glow, clouds and layers of hills.
type scene struct {
	hue    float64  // base hue in degrees
	warmth float64  // 0..1: from a yellow to an orange sun
	sunX   float64  // sun centre, relative to the width
	sunY   float64  // sun centre, relative to the height
	sunR   float64  // sun radius, relative to the shorter side
	clouds []circle // puffs, centre relative to the size, radius relative to the shorter side
	hills  []hill   // back to front
}

// circle is one cloud puff: its cloud's centre (cx, cy) is relative to the
// picture's size; the puff's offset from it (dx, dy), its radius and the flat
// base of the cloud (floor, below the centre) are relative to the shorter side,
// so clouds keep their shape at any aspect ratio.
type circle struct{ cx, cy, dx, dy, r, floor float64 }

// hill is a band whose top edge is the sum of two sine waves across the width.
type hill struct {
	base, amp1, freq1, phase1, amp2, freq2, phase2 float64 // relative to the height; frequencies in waves per width
	hueShift, light                                float64
}

func seedOf(parts ...string) *mrand.Rand {
	h := fnv.New64a()
	for _, p := range parts {
		_, _ = h.Write([]byte(p))
		_, _ = h.Write([]byte{0})
	}
	s := h.Sum64()
	return mrand.New(mrand.NewPCG(s, s^0xda942042e4dd58b5))
}

func between(r *mrand.Rand, lo, hi float64) float64 { return lo + r.Float64()*(hi-lo) }

// promptHue is the base hue a prompt (and source image) gives its pictures.
func promptHue(prompt, source string) float64 {
	return seedOf("hue", processPrompt(prompt), source).Float64() * 360
}

// newScene draws a fresh layout with colours around hue.
func newScene(r *mrand.Rand, hue float64) scene {
	s := scene{
		hue:    hue,
		warmth: r.Float64(),
		sunX:   between(r, 0.15, 0.85),
		sunY:   between(r, 0.14, 0.42),
		sunR:   between(r, 0.06, 0.12),
	}
	s.clouds = newClouds(r)
	layers := 3 + r.IntN(2)
	for k := range layers {
		depth := float64(k) / float64(layers-1)
		s.hills = append(s.hills, hill{
			base:     0.52 + depth*0.3 + between(r, -0.03, 0.03),
			amp1:     between(r, 0.025, 0.07),
			freq1:    between(r, 0.6, 1.8),
			phase1:   r.Float64(),
			amp2:     between(r, 0.005, 0.02),
			freq2:    between(r, 3, 7),
			phase2:   r.Float64(),
			hueShift: between(r, 100, 160),
			light:    0.62 - depth*0.42,
		})
	}
	return s
}

func newClouds(r *mrand.Rand) []circle {
	var puffs []circle
	for range 1 + r.IntN(3) {
		cx, cy, size := r.Float64(), between(r, 0.1, 0.36), between(r, 0.035, 0.07)
		count := 3 + r.IntN(3)
		for p := range count {
			// Puffs are biggest in the middle of the cloud and share a flat base.
			mid := 1 - math.Abs(float64(p)-float64(count-1)/2)/float64(count)
			puffs = append(puffs, circle{
				cx:    cx,
				cy:    cy,
				dx:    (float64(p) - float64(count-1)/2) * size * 0.75,
				dy:    -mid*size*0.5 + between(r, -0.1, 0.1)*size,
				r:     size * (0.6 + 0.6*mid) * between(r, 0.9, 1.1),
				floor: size * 0.35,
			})
		}
	}
	return puffs
}

// gridScenes gives the four sub-images of a v3 grid: colours from the prompt,
// each with its own layout and a shifted hue so the four are told apart.
func gridScenes(id, prompt, source string) [4]scene {
	hue := promptHue(prompt, source)
	var out [4]scene
	for n := range out {
		r := seedOf("grid", id, strconv.Itoa(n))
		out[n] = newScene(r, hue+float64(n)*24-36+between(r, -4, 4))
	}
	return out
}

// singleScene gives a v4 picture.
func singleScene(id, prompt, source string) scene {
	r := seedOf("single", id)
	return newScene(r, promptHue(prompt, source)+between(r, -15, 15))
}

// variationScenes gives the four sub-images of a variation of base: the same
// colours and composition, moved a little, with new clouds.
func variationScenes(base scene, id string) [4]scene {
	var out [4]scene
	for n := range out {
		r := seedOf("variation", id, strconv.Itoa(n))
		s := base
		s.hue += between(r, -10, 10)
		s.warmth = min(max(s.warmth+between(r, -0.2, 0.2), 0), 1)
		s.sunX = min(max(s.sunX+between(r, -0.1, 0.1), 0.08), 0.92)
		s.sunY = min(max(s.sunY+between(r, -0.05, 0.05), 0.1), 0.45)
		s.sunR *= between(r, 0.85, 1.15)
		s.clouds = newClouds(r)
		s.hills = make([]hill, len(base.hills))
		for k, h := range base.hills {
			h.phase1 += between(r, -0.12, 0.12)
			h.phase2 = r.Float64()
			h.amp1 *= between(r, 0.8, 1.2)
			h.base += between(r, -0.02, 0.02)
			s.hills[k] = h
		}
		out[n] = s
	}
	return out
}

type rgb struct{ r, g, b float64 }

func hsl(h, s, l float64) rgb {
	h = math.Mod(h, 360)
	if h < 0 {
		h += 360
	}
	c := (1 - math.Abs(2*l-1)) * s
	x := c * (1 - math.Abs(math.Mod(h/60, 2)-1))
	m := l - c/2
	var r, g, b float64
	switch {
	case h < 60:
		r, g, b = c, x, 0
	case h < 120:
		r, g, b = x, c, 0
	case h < 180:
		r, g, b = 0, c, x
	case h < 240:
		r, g, b = 0, x, c
	case h < 300:
		r, g, b = x, 0, c
	default:
		r, g, b = c, 0, x
	}
	return rgb{r + m, g + m, b + m}
}

func mix(a, b rgb, t float64) rgb {
	return rgb{a.r + (b.r-a.r)*t, a.g + (b.g-a.g)*t, a.b + (b.b-a.b)*t}
}

func clamp01(v float64) float64 {
	switch {
	case v <= 0:
		return 0
	case v >= 1:
		return 1
	default:
		return v
	}
}

func to8(v float64) uint8 { return uint8(clamp01(v)*255 + 0.5) }

// draw paints s into rect of img.
func (s scene) draw(img *image.RGBA, rect image.Rectangle) {
	w, h := rect.Dx(), rect.Dy()
	fw, fh := float64(w), float64(h)
	short := math.Min(fw, fh)
	skyTop := hsl(s.hue, 0.55, 0.30)
	skyBottom := hsl(s.hue+40, 0.70, 0.82)
	sun := hsl(28+s.warmth*30, 0.95, 0.68)
	cloud := hsl(s.hue+20, 0.35, 0.96)
	sunX, sunY, sunR := s.sunX*fw, s.sunY*fh, s.sunR*short
	glowR := sunR * 3.2

	type puff struct{ x, y, r, floor float64 }
	puffs := make([]puff, len(s.clouds))
	cloudTop, cloudBottom := fh, 0.0
	for i, c := range s.clouds {
		p := puff{c.cx*fw + c.dx*short, c.cy*fh + c.dy*short, c.r * short, c.cy*fh + c.floor*short}
		puffs[i] = p
		cloudTop = math.Min(cloudTop, p.y-p.r-1)
		cloudBottom = math.Max(cloudBottom, p.y+p.r+1)
	}

	hillColors := make([]rgb, len(s.hills))
	edges := make([][]float64, len(s.hills))
	for k, hl := range s.hills {
		hillColors[k] = hsl(s.hue+hl.hueShift, 0.38, hl.light)
		edges[k] = make([]float64, w)
		for x := range w {
			fx := (float64(x) + 0.5) / fw
			edges[k][x] = fh * (hl.base +
				hl.amp1*math.Sin(2*math.Pi*(hl.freq1*fx+hl.phase1)) +
				hl.amp2*math.Sin(2*math.Pi*(hl.freq2*fx+hl.phase2)))
		}
	}

	for y := range h {
		py := float64(y) + 0.5
		sky := mix(skyTop, skyBottom, py/fh)
		row := img.Pix[img.PixOffset(rect.Min.X, rect.Min.Y+y):]
		for x := range w {
			px := float64(x) + 0.5
			c := sky
			dx, dy := px-sunX, py-sunY
			if d := math.Sqrt(dx*dx + dy*dy); d < glowR {
				g := 1 - d/glowR
				c = mix(c, sun, 0.45*g*g)
				c = mix(c, sun, clamp01(sunR-d+0.5))
			}
			if py >= cloudTop && py <= cloudBottom {
				cover := 0.0
				for _, p := range puffs {
					dx, dy := px-p.x, py-p.y
					if v := clamp01(p.r-math.Sqrt(dx*dx+dy*dy)+0.5) * clamp01(p.floor-py+0.5); v > cover {
						cover = v
					}
				}
				c = mix(c, cloud, 0.85*cover)
			}
			for k, hc := range hillColors {
				edge := edges[k][x]
				if py < edge-0.5 {
					continue
				}
				if a := clamp01(py - edge + 0.5); a > 0 {
					shade := mix(hc, rgb{}, 0.35*clamp01((py/fh-s.hills[k].base)*2.5))
					c = mix(c, shade, a)
				}
			}
			i := 4 * x
			row[i], row[i+1], row[i+2], row[i+3] = to8(c.r), to8(c.g), to8(c.b), 255
		}
	}
}

// drawSingle draws one scene at w x h, captioned with text.
func drawSingle(s scene, w, h int, text string) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	s.draw(img, img.Rect)
	drawCaption(img, img.Rect, text)
	return img
}

// drawGrid draws four scenes as a 2x2 grid of sw x sh sub-images (1 2 / 3 4),
// with a light line between them, each captioned with text.
func drawGrid(scenes [4]scene, sw, sh int, text string) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, 2*sw, 2*sh))
	for n, s := range scenes {
		x, y := (n%2)*sw, (n/2)*sh
		s.draw(img, image.Rect(x, y, x+sw, y+sh))
		drawCaption(img, image.Rect(x, y, x+sw, y+sh), text)
	}
	line := [4]uint8{245, 245, 240, 255}
	for y := range 2 * sh {
		for x := range 2 * sw {
			if abs(x-sw) < gridGap || abs(y-sh) < gridGap {
				copy(img.Pix[img.PixOffset(x, y):], line[:])
			}
		}
	}
	return img
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// imageCache keeps encoded pictures, oldest out first above maxBytes, and
// draws each picture once even when it is asked for concurrently.
type imageCache struct {
	maxBytes int
	encode   func(image.Image) []byte
	mu       sync.Mutex
	entries  map[string]*cacheEntry
	order    []string
	size     int
}

type cacheEntry struct {
	once sync.Once
	data []byte
	size int // counted in imageCache.size; 0 while being drawn
}

func newImageCache(maxBytes int, encode func(image.Image) []byte) *imageCache {
	return &imageCache{maxBytes: maxBytes, encode: encode, entries: make(map[string]*cacheEntry)}
}

func (c *imageCache) get(key string, draw func() *image.RGBA) []byte {
	c.mu.Lock()
	ent, found := c.entries[key]
	if !found {
		ent = &cacheEntry{}
		c.entries[key] = ent
		c.order = append(c.order, key)
	}
	c.mu.Unlock()
	ent.once.Do(func() { ent.data = c.encode(draw()) })
	if found {
		return ent.data
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries[key] == ent {
		ent.size = len(ent.data)
		c.size += ent.size
	}
	// Evict the oldest finished pictures until under the limit.
	kept := c.order[:0]
	for _, k := range c.order {
		e := c.entries[k]
		if c.size > c.maxBytes && e.size > 0 && k != key {
			c.size -= e.size
			delete(c.entries, k)
			continue
		}
		kept = append(kept, k)
	}
	c.order = kept
	return ent.data
}

var imagePath = regexp.MustCompile(`^/images/([0-9a-f]{24})(?:/([1-4]))?\.(png|jpg|webp)$`)

// serveImage answers a picture URL. Like a CDN it needs no credentials, and
// it is not subject to faults, latency or the rate limit.
func (e *Emulator) serveImage(w http.ResponseWriter, r *http.Request, start time.Time) {
	if r.Method == http.MethodGet {
		e.mu.Lock()
		e.counters.ImageDownloads++
		e.mu.Unlock()
	}
	status := e.writeImage(w, r)
	if e.logf != nil {
		e.logf("%s %s -> HTTP %d in %s", r.Method, r.URL.Path, status, time.Since(start).Round(time.Millisecond))
	}
}

func (e *Emulator) writeImage(w http.ResponseWriter, r *http.Request) int {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return http.StatusMethodNotAllowed
	}
	var (
		key   string
		draw  func() *image.RGBA
		found bool
	)
	if m := imagePath.FindStringSubmatch(r.URL.Path); m != nil && m[3] == e.format.ext {
		n := 0
		if m[2] != "" {
			n = int(m[2][0] - '0')
		}
		now := e.clock.Now()
		e.mu.Lock()
		if j := e.jobs[m[1]]; j != nil && !j.expired(now) && j.status(now) == 3 {
			key, draw, found = j.picture(n)
		}
		e.mu.Unlock()
	}
	if !found {
		http.Error(w, "not found", http.StatusNotFound)
		return http.StatusNotFound
	}
	data := e.images.get(key, draw)
	w.Header().Set("Content-Type", e.format.contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Header().Set("Cache-Control", "public, max-age=604800")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		_, _ = w.Write(data)
	}
	return http.StatusOK
}
