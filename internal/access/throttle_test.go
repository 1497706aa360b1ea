package access

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestLimiter(t *testing.T) {
	clk := &fakeClock{t: t0}
	l := NewLimiter(10*time.Second, 3, clk.now)
	for i := range 3 {
		if ok, _ := l.Allow("10.0.0.1"); !ok {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	ok, retry := l.Allow("10.0.0.1")
	if ok || retry != 10*time.Second {
		t.Fatalf("fourth request: %v, retry %v; want refused, retry 10s", ok, retry)
	}
	// Another address has its own bucket.
	if ok, _ := l.Allow("10.0.0.2"); !ok {
		t.Error("another address was refused")
	}
	clk.add(4 * time.Second)
	if ok, retry := l.Allow("10.0.0.1"); ok || retry != 6*time.Second {
		t.Errorf("after 4s: %v, retry %v; want refused, retry 6s", ok, retry)
	}
	clk.add(6 * time.Second)
	if ok, _ := l.Allow("10.0.0.1"); !ok {
		t.Error("after 10s: refused, want one more request")
	}
	if ok, _ := l.Allow("10.0.0.1"); ok {
		t.Error("after 10s: two requests allowed, want one")
	}
	// A long wait refills the bucket to the burst, no more.
	clk.add(time.Hour)
	for i := range 4 {
		ok, _ := l.Allow("10.0.0.1")
		if ok != (i < 3) {
			t.Errorf("after an hour, request %d: %v", i+1, ok)
		}
	}
}

func TestLimiterForgetsFullBuckets(t *testing.T) {
	clk := &fakeClock{t: t0}
	l := NewLimiter(time.Second, 2, clk.now)
	for i := range 1000 {
		l.Allow(fmt.Sprintf("10.0.%d.%d", i/256, i%256))
	}
	// Once those buckets have refilled, they are forgotten when the map
	// next reaches the size that triggers a sweep (1024 keys); the 24
	// keys added since are still in use and stay.
	clk.add(2 * time.Second)
	for i := range 25 {
		l.Allow(fmt.Sprintf("192.168.0.%d", i))
	}
	if n := l.Keys(); n != 25 {
		t.Errorf("%d keys after the sweep, want 25", n)
	}
	// A forgotten key starts with a full bucket, as it would have had.
	for i := range 3 {
		ok, _ := l.Allow("10.0.0.1")
		if ok != (i < 2) {
			t.Errorf("forgotten key, request %d: %v", i+1, ok)
		}
	}
}

func TestLimiterAtCapacity(t *testing.T) {
	clk := &fakeClock{t: t0}
	l := NewLimiter(time.Minute, 1, clk.now)
	l.maxKeys, l.sweepAt = 10, 10
	for i := range 10 {
		if ok, _ := l.Allow(fmt.Sprint(i)); !ok {
			t.Fatalf("key %d refused below capacity", i)
		}
	}
	if ok, _ := l.Allow("new"); ok {
		t.Error("a new key was allowed while every bucket is in use")
	}
	if ok, _ := l.Allow("3"); ok {
		t.Error("a key at capacity got a second token")
	}
	clk.add(time.Minute)
	if ok, _ := l.Allow("new"); !ok {
		t.Error("a new key was refused after the buckets refilled")
	}
}

func TestLimiterConcurrent(t *testing.T) {
	clk := &fakeClock{t: t0}
	l := NewLimiter(time.Hour, 50, clk.now)
	var wg sync.WaitGroup
	var mu sync.Mutex
	allowed := 0
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				if ok, _ := l.Allow("10.0.0.1"); ok {
					mu.Lock()
					allowed++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if allowed != 50 {
		t.Errorf("%d requests allowed from one address, want the burst of 50", allowed)
	}
}
