package rendition

import "sync"

// resampled keeps what a source was resampled to, by geometry, so that
// renditions of one box in two formats (a JPEG and a WebP of the same
// card, as a <picture> element serves them) resample once, also when they
// render at the same time. It keeps at most budget bytes; a render past
// that resamples on its own.
type resampled struct {
	budget int64

	mu      sync.Mutex
	used    int64
	entries map[[2]axis]*resampledEntry
	made    int // resamples computed, for tests
}

type resampledEntry struct {
	ready chan struct{} // closed once px is set
	px    pixels
}

// newResampled keeps up to as many bytes as the source's decoded pixels:
// the boxes renditions usually ask for (1200x630, 1080x1080, 400x400 of a
// 4-megapixel photograph) fit together.
func newResampled(sourceBytes int64) *resampled {
	return &resampled{budget: sourceBytes, entries: map[[2]axis]*resampledEntry{}}
}

// get resamples src along x and y, or returns what an earlier render of
// the same geometry made. The pixels are shared: nothing may change them.
func (m *resampled) get(src pixels, x, y axis) pixels {
	key := [2]axis{x, y}
	size := int64(x.out) * int64(y.out) * int64(src.c)
	m.mu.Lock()
	if e, ok := m.entries[key]; ok {
		m.mu.Unlock()
		<-e.ready
		return e.px
	}
	m.made++
	if m.used+size > m.budget {
		m.mu.Unlock()
		return resample(src, x, y)
	}
	e := &resampledEntry{ready: make(chan struct{})}
	m.entries[key] = e
	m.used += size
	m.mu.Unlock()
	e.px = resample(src, x, y)
	close(e.ready)
	return e.px
}
