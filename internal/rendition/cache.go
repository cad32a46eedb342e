package rendition

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"sync"
)

// DefaultCacheBytes is the Cache bound the provider uses: 256 MiB of
// decoded pixels and the resampled outputs kept with them (Source.Bytes),
// ten 2048x2048 RGB sources (24 MiB each, counted twice over), eight with
// alpha.
const DefaultCacheBytes = 256 << 20

// Cache keeps decoded sources, keyed by path and the SHA-256 of the
// file's bytes, so that many renditions of one source decode it once,
// also when they ask at the same time. It keeps at most limit bytes of
// pixels, dropping the least recently used; a source larger than that is
// shared by the renditions waiting for it and then dropped.
type Cache struct {
	limit int64

	mu      sync.Mutex
	used    int64
	tick    uint64 // counts loads, to tell the least recently used
	entries map[cacheKey]*cacheEntry
	decodes int // sources decoded, for tests
}

type cacheKey struct{ path, sha256 string }

type cacheEntry struct {
	ready   chan struct{} // closed once src or err is set
	src     *Source
	err     error
	lastUse uint64
}

// NewCache makes a cache bounded to limit bytes of pixels.
func NewCache(limit int64) *Cache {
	return &Cache{limit: limit, entries: map[cacheKey]*cacheEntry{}}
}

// Load reads the file at path and returns it decoded, from the cache when
// a source with the same path and bytes was decoded before.
func (c *Cache) Load(path string) (*Source, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	key := cacheKey{path, hex.EncodeToString(sum[:])}

	c.mu.Lock()
	c.tick++
	if e, ok := c.entries[key]; ok {
		e.lastUse = c.tick
		c.mu.Unlock()
		<-e.ready
		return e.src, e.err
	}
	e := &cacheEntry{ready: make(chan struct{}), lastUse: c.tick}
	c.entries[key] = e
	c.decodes++
	c.mu.Unlock()

	src, err := decodeSum(data, key.sha256)

	// Set under the lock: evict reads src to tell decoded entries from
	// those still decoding, and must not drop (and uncount) one that was
	// never counted.
	c.mu.Lock()
	defer c.mu.Unlock()
	e.src, e.err = src, err
	close(e.ready)
	if c.entries[key] != e {
		return e.src, e.err // evicted while decoding
	}
	if e.err != nil {
		// A file that does not decode is not kept: it may be fixed.
		delete(c.entries, key)
		return nil, e.err
	}
	c.used += e.src.Bytes()
	c.evict()
	return e.src, nil
}

// evict drops the least recently used decoded sources until the cache is
// within its bound; renditions already holding one keep it.
func (c *Cache) evict() {
	for c.used > c.limit {
		var oldest cacheKey
		var found *cacheEntry
		for k, e := range c.entries {
			if e.src != nil && (found == nil || e.lastUse < found.lastUse) {
				oldest, found = k, e
			}
		}
		if found == nil {
			return
		}
		delete(c.entries, oldest)
		c.used -= found.src.Bytes()
	}
}

// Used is the bytes of pixels the cache holds.
func (c *Cache) Used() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.used
}

// Decodes counts the sources the cache has decoded.
func (c *Cache) Decodes() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.decodes
}
