package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"sync"
)

// DefaultCacheSize is the number of signing keys a Verifier caches when
// Verifier.CacheSize is zero: one per access key, day, region and service in
// use, so a few thousand active keys fit.
const DefaultCacheSize = 4096

// keyCacheKey names one derived signing key. It holds no secret material.
type keyCacheKey struct {
	accessKeyID, date, region, service string
}

// keyCacheEntry is a derived signing key and the fingerprint of the secret it
// was derived from. The key is secret material: it must never be logged.
type keyCacheEntry struct {
	fingerprint [sha256.Size]byte
	key         [sha256.Size]byte
}

// keyCache is a bounded, concurrency-safe map of derived signing keys. When it
// is full, inserting evicts an arbitrary entry (Go's map iteration order is
// randomised), which costs O(1) and needs no bookkeeping; a key evicted by
// mistake is simply derived again.
type keyCache struct {
	mu      sync.Mutex
	entries map[keyCacheKey]keyCacheEntry
	hits    uint64 // for tests and metrics
	misses  uint64
}

// secretFingerprint returns a domain-separated SHA-256 of secret. The cache
// compares it to tell whether an entry was derived from the secret the store
// holds now. It is one-way: the cache never holds the secret.
func secretFingerprint(secret []byte) [sha256.Size]byte {
	h := sha256.New()
	h.Write([]byte("coffer/auth signing-key cache v1\x00"))
	h.Write(secret)
	var out [sha256.Size]byte
	h.Sum(out[:0])
	return out
}

// get returns the cached signing key for k if it was derived from the secret
// with fingerprint fp.
func (c *keyCache) get(k keyCacheKey, fp *[sha256.Size]byte) ([sha256.Size]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if ok && subtle.ConstantTimeCompare(e.fingerprint[:], fp[:]) == 1 {
		c.hits++
		return e.key, true
	}
	c.misses++
	return [sha256.Size]byte{}, false
}

// put stores a signing key, replacing any entry for k (a stale one derived
// from an old secret included), and evicts an arbitrary entry when the cache
// holds max entries already.
func (c *keyCache) put(k keyCacheKey, fp *[sha256.Size]byte, key *[sha256.Size]byte, max int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = make(map[keyCacheKey]keyCacheEntry)
	}
	if _, ok := c.entries[k]; !ok && len(c.entries) >= max {
		for victim := range c.entries {
			delete(c.entries, victim)
			break
		}
	}
	c.entries[k] = keyCacheEntry{fingerprint: *fp, key: *key}
}
