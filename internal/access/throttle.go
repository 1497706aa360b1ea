package access

import (
	"sync"
	"time"
)

// Limiter is a token bucket per key, such as a client's IP address, kept
// in memory: each key may make Burst requests at once and then one every
// Every. The sign-in form uses one so that a single address cannot spread
// guesses over many accounts faster than the per-account lockout notices.
// It is safe for concurrent use.
//
// A full bucket is the same as none, so buckets that have filled up are
// dropped from time to time and memory stays in proportion to the keys
// seen recently. When more than maxKeys keys are active at once (many
// addresses attacking together) new keys are refused until buckets fill
// again: refusing a sign-in attempt is safer than forgetting who made one.
type Limiter struct {
	every   time.Duration
	burst   float64
	now     func() time.Time
	maxKeys int

	mu      sync.Mutex
	buckets map[string]*bucket
	sweepAt int       // sweep when the map holds this many keys
	swept   time.Time // the last sweep
}

type bucket struct {
	tokens float64
	at     time.Time
}

// defaultMaxKeys is large enough for every address of a big district at
// once, and small enough (a few MB) not to matter.
const defaultMaxKeys = 100_000

// NewLimiter returns a Limiter allowing burst requests at once per key and
// one more each every; now is its clock.
func NewLimiter(every time.Duration, burst int, now func() time.Time) *Limiter {
	return &Limiter{every: every, burst: float64(max(burst, 1)), now: now, maxKeys: defaultMaxKeys,
		buckets: map[string]*bucket{}, sweepAt: 1024}
}

// Allow takes a token from key's bucket and reports whether there was
// one; when there was not, retry says how long until there is.
func (l *Limiter) Allow(key string) (ok bool, retry time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b, found := l.buckets[key]
	if !found {
		// At capacity, sweeping on every new key would cost the whole
		// map per request; once per interval is enough, since no bucket
		// fills up faster.
		if len(l.buckets) >= l.sweepAt && (len(l.buckets) < l.maxKeys || now.Sub(l.swept) >= l.every) {
			l.sweep(now)
		}
		if len(l.buckets) >= l.maxKeys {
			return false, l.every
		}
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[key] = b
	}
	l.fill(b, now)
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) * float64(l.every))
}

// fill adds the tokens earned since the bucket was last seen.
func (l *Limiter) fill(b *bucket, now time.Time) {
	if elapsed := now.Sub(b.at); elapsed > 0 && l.every > 0 {
		b.tokens = min(l.burst, b.tokens+float64(elapsed)/float64(l.every))
	} else if l.every <= 0 {
		b.tokens = l.burst
	}
	if now.After(b.at) {
		b.at = now
	}
}

// sweep drops the buckets that have filled up, and sets the size at which
// to sweep next to twice what is left, so that sweeping costs constant
// time per request on average.
func (l *Limiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		l.fill(b, now)
		if b.tokens >= l.burst {
			delete(l.buckets, k)
		}
	}
	l.sweepAt = min(max(1024, 2*len(l.buckets)), l.maxKeys)
	l.swept = now
}

// Keys returns how many keys the limiter is tracking.
func (l *Limiter) Keys() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}
