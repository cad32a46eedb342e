package rendition

import (
	"container/list"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"sync"
)

// DefaultCacheBytes is the Cache bound the provider uses: 256 MiB of
// decoded pixels, about ten 2048x2048 RGB sources.
const DefaultCacheBytes = 256 << 20

// Cache keeps decoded sources, keyed by path and the SHA-256 of the
// file's bytes, so that many renditions of one source decode it once,
// also when they ask at the same time. It keeps at most max bytes of
// pixels, dropping the least recently used; a source larger than that is
// shared by the renditions waiting for it and then dropped.
type Cache struct {
	max int64

	mu      sync.Mutex
	used    int64
	entries map[cacheKey]*list.Element
	order   *list.List // of *cacheEntry, most recently used first
	decodes int        // sources decoded, for tests
}

type cacheKey struct{ path, sha256 string }

type cacheEntry struct {
	key   cacheKey
	ready chan struct{} // closed once src or err is set
	src   *Source
	err   error
}

// NewCache makes a cache bounded to max bytes of pixels.
func NewCache(max int64) *Cache {
	return &Cache{max: max, entries: map[cacheKey]*list.Element{}, order: list.New()}
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
	if el, ok := c.entries[key]; ok {
		c.order.MoveToFront(el)
		e := el.Value.(*cacheEntry)
		c.mu.Unlock()
		<-e.ready
		return e.src, e.err
	}
	e := &cacheEntry{key: key, ready: make(chan struct{})}
	c.entries[key] = c.order.PushFront(e)
	c.decodes++
	c.mu.Unlock()

	e.src, e.err = Decode(data)
	close(e.ready)

	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok || el.Value.(*cacheEntry) != e {
		return e.src, e.err // evicted while decoding
	}
	if e.err != nil {
		// A file that does not decode is not kept: it may be fixed.
		c.remove(el)
		return nil, e.err
	}
	c.used += e.src.Bytes()
	for el := c.order.Back(); el != nil && c.used > c.max; {
		prev := el.Prev()
		if el.Value.(*cacheEntry).src != nil {
			c.remove(el)
		}
		el = prev
	}
	return e.src, nil
}

// remove drops an entry; renditions already holding its source keep it.
func (c *Cache) remove(el *list.Element) {
	e := el.Value.(*cacheEntry)
	delete(c.entries, e.key)
	c.order.Remove(el)
	if e.src != nil {
		c.used -= e.src.Bytes()
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
