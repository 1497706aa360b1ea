package web

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/store"
	"github.com/cairn-learning/cairn/internal/storetest"
)

// liveDial opens a raw event stream on addr, as a browser's EventSource
// does, and returns it once its ready event has come.
func liveDial(addr, query, token string) (net.Conn, *bufio.Reader, error) {
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return nil, nil, err
	}
	fmt.Fprintf(c, "GET /events?%s HTTP/1.1\r\nHost: %s\r\nAccept: text/event-stream\r\nAuthorization: Bearer %s\r\n\r\n", query, addr, token)
	r := bufio.NewReaderSize(c, 512)
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			c.Close()
			return nil, nil, err
		}
		if strings.HasPrefix(line, "HTTP/1.1 ") && !strings.HasPrefix(line, "HTTP/1.1 200") {
			c.Close()
			return nil, nil, fmt.Errorf("%s", strings.TrimSpace(line))
		}
		if line == "event: ready\n" {
			c.SetReadDeadline(time.Time{})
			return c, r, nil
		}
	}
}

// liveBenchServer serves the fixture with live updates limited only by
// the file descriptors.
func liveBenchServer(b *testing.B) (*fixture, *Server, *httptest.Server, string) {
	f := newFixture(b)
	srv, err := New(Config{Store: f.st, DistrictID: f.district, Now: f.clock.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		LiveConnections: 20000, LivePerPerson: 20000})
	if err != nil {
		b.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	b.Cleanup(hs.Close)
	b.Cleanup(srv.StopLive)
	return f, srv, hs, f.newToken(f.teacher, access.TokenRead)
}

// BenchmarkLiveFanOut measures how long after a write 500 dashboards
// following the class's heatmap hear of it: each iteration records one
// piece of evidence (store.RecordEvidence, SQLite) and waits until every
// dashboard, a separate loopback connection read by its own goroutine,
// has read the change event. It reports the p50, p99 and largest delay
// from the start of the write to each dashboard's read, over all
// iterations. Run with -benchtime=20x.
func BenchmarkLiveFanOut(b *testing.B) {
	f, _, hs, token := liveBenchServer(b)
	lv := []float64{1, 2, 3, 4}
	liveFanOut(b, strings.TrimPrefix(hs.URL, "http://"), fmt.Sprintf("class=%d", f.class), token, func(i int) error {
		ev := evidence.Evidence{DistrictID: f.district, StudentID: f.students[i%3], ClassID: &f.class, Kind: evidence.Formative,
			Title: "Exit ticket", AssessedAt: testNow.Add(-time.Hour), RecordedBy: f.teacher,
			Scores: []evidence.Score{{StandardID: f.childA, Level: &lv[i%4]}}}
		return f.st.RecordEvidence(context.Background(), &ev)
	})
}

// BenchmarkLiveFanOutAcrossServers is BenchmarkLiveFanOut with two servers
// on one PostgreSQL database: the 500 dashboards follow the heatmap on
// server B, and the evidence is recorded through server A's store, so
// that each change goes by NOTIFY to B's listening connection.
func BenchmarkLiveFanOutAcrossServers(b *testing.B) {
	url := storetest.Postgres(b)
	now := func() time.Time { return testNow }
	open := func() *store.Store {
		st, err := store.Open(context.Background(), store.Config{URL: url, Now: now, WallClock: now})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { st.Close() })
		return st
	}
	stA, stB := open(), open()
	x := newLiveDistrict(b, stA)
	token := x.token(b, stA, x.teacher)
	srv, err := New(Config{Store: stB, DistrictID: x.district, Now: now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		LiveConnections: 20000, LivePerPerson: 20000})
	if err != nil {
		b.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	b.Cleanup(hs.Close)
	b.Cleanup(srv.StopLive)
	lv := []float64{1, 2, 3, 4}
	record := func(i int) error {
		ev := evidence.Evidence{DistrictID: x.district, StudentID: x.student, ClassID: &x.class, Kind: evidence.Formative,
			Title: "Exit ticket", AssessedAt: testNow.Add(-time.Hour), RecordedBy: x.teacher,
			Scores: []evidence.Score{{StandardID: x.standard, Level: &lv[i%4]}}}
		return stA.RecordEvidence(context.Background(), &ev)
	}
	// B listens once its listening connection is up: wait for it with
	// one dashboard before the timing starts.
	addr := strings.TrimPrefix(hs.URL, "http://")
	query := fmt.Sprintf("class=%d", x.class)
	c, r, err := liveDial(addr, query, token)
	if err != nil {
		b.Fatal(err)
	}
	heard := make(chan struct{}, 100)
	go func() {
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			if line == "event: change\n" {
				heard <- struct{}{}
			}
		}
	}()
	for i := 0; ; i++ {
		if err := record(i); err != nil {
			b.Fatal(err)
		}
		select {
		case <-heard:
		case <-time.After(time.Second):
			if i < 15 {
				continue
			}
			b.Fatal("server B hears nothing of A's writes")
		}
		break
	}
	c.Close()
	liveFanOut(b, addr, query, token, record)
}

// liveFanOut opens 500 dashboards on addr and, for each iteration, writes
// with write and waits until every dashboard has heard of it.
func liveFanOut(b *testing.B, addr, query, token string, write func(i int) error) {
	const dashboards = 500
	var mu sync.Mutex
	var start time.Time
	var delays []time.Duration
	got := make(chan struct{}, dashboards)
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range dashboards {
		c, r, err := liveDial(addr, query, token)
		if err != nil {
			b.Fatal(err)
		}
		conns = append(conns, c)
		go func() {
			for {
				line, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if line == "event: change\n" {
					mu.Lock()
					delays = append(delays, time.Since(start))
					mu.Unlock()
					got <- struct{}{}
				}
			}
		}()
	}
	b.ResetTimer()
	for i := range b.N {
		mu.Lock()
		start = time.Now()
		mu.Unlock()
		if err := write(i); err != nil {
			b.Fatal(err)
		}
		timeout := time.After(10 * time.Second)
		for range dashboards {
			select {
			case <-got:
			case <-timeout:
				b.Fatalf("write %d: not every dashboard heard of it within 10 s", i)
			}
		}
		// Let the dashboards' refreshes settle, as between a teacher's
		// entries.
		time.Sleep(50 * time.Millisecond)
	}
	b.StopTimer()
	slices.Sort(delays)
	q := func(p float64) float64 {
		return float64(delays[min(len(delays)-1, int(p*float64(len(delays))))].Microseconds()) / 1000
	}
	b.ReportMetric(q(0.5), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
	b.ReportMetric(float64(delays[len(delays)-1].Microseconds())/1000, "max-ms")
	b.ReportMetric(float64(dashboards), "dashboards")
}

// liveClientsEnv carries the address, query and token to the process
// that holds the connections of BenchmarkLiveConnections.
const liveClientsEnv = "CAIRN_LIVE_BENCH_CLIENTS"

// TestLiveClientProcess is not a test: BenchmarkLiveConnections runs the
// test binary again with it, to hold the connections in a process of
// their own, so that what the server's process holds is the server's.
func TestLiveClientProcess(t *testing.T) {
	spec := os.Getenv(liveClientsEnv)
	if spec == "" {
		t.Skip("run by BenchmarkLiveConnections")
	}
	parts := strings.SplitN(spec, " ", 4)
	n, _ := strconv.Atoi(parts[0])
	var mu sync.Mutex
	var conns []net.Conn
	var wg sync.WaitGroup
	sem := make(chan struct{}, 64)
	var failed error
	for range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			c, _, err := liveDial(parts[1], parts[2], parts[3])
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failed = err
				return
			}
			conns = append(conns, c)
		})
	}
	wg.Wait()
	if failed != nil {
		fmt.Printf("failed %v\n", failed)
		return
	}
	fmt.Printf("open %d\n", len(conns))
	io.Copy(io.Discard, os.Stdin) // until the benchmark is done
	for _, c := range conns {
		c.Close()
	}
}

// BenchmarkLiveConnections measures what 5,000 open event streams cost the
// server's process: the growth of its resident memory (VmRSS) and of the
// Go heap in use plus goroutine stacks, after a collection, between no
// stream and 5,000 streams that have each had their ready event. The
// connections' other ends are held by a second process. Run with
// -benchtime=1x.
func BenchmarkLiveConnections(b *testing.B) {
	const streams = 5000
	f, srv, hs, token := liveBenchServer(b)
	addr := strings.TrimPrefix(hs.URL, "http://")
	// One stream first, so that what every stream shares (the hub, its
	// worker) is counted before.
	c, _, err := liveDial(addr, fmt.Sprintf("class=%d", f.class), token)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	rss0, go0 := liveMemory()
	var ms0 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	cmd := exec.Command(os.Args[0], "-test.run=^TestLiveClientProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d %s class=%d %s", liveClientsEnv, streams, addr, f.class, token))
	stdin, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer cmd.Wait()
	defer stdin.Close()
	sc := bufio.NewScanner(out)
	opened := false
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "open ") {
			opened = true
			break
		}
		if strings.HasPrefix(line, "failed ") {
			b.Fatalf("client process: %s", line)
		}
	}
	if !opened {
		b.Fatal("the client process did not open its streams")
	}
	go io.Copy(io.Discard, out)
	if n := srv.live.count.Load(); n != streams+1 {
		b.Fatalf("%d streams open, want %d", n, streams+1)
	}
	time.Sleep(time.Second)
	rss1, go1 := liveMemory()
	var ms1 runtime.MemStats
	runtime.ReadMemStats(&ms1)
	b.ReportMetric(float64(ms1.StackInuse-ms0.StackInuse)/(1<<20), "stacks-MB")
	b.ReportMetric(float64(rss1-rss0)/(1<<20), "rss-MB")
	b.ReportMetric(float64(go1-go0)/(1<<20), "heap+stacks-MB")
	b.ReportMetric(float64(rss1-rss0)/streams/1024, "rss-KB/stream")
	b.ReportMetric(float64(rss1)/(1<<20), "process-rss-MB")
	for range b.N {
	}
}

// liveMemory returns the process's resident memory (VmRSS) and the Go
// heap in use plus the goroutines' stacks, in bytes, after a collection.
func liveMemory() (rss, goMem uint64) {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	status, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			rss = kb * 1024
		}
	}
	return rss, m.HeapInuse + m.StackInuse
}
