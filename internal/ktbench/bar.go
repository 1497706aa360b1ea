package ktbench

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// bar shows progress on stderr. Nothing is drawn for a stage that ends
// within a second; after that, a terminal gets a line redrawn five times a
// second (a bar when the steps are counted, the time so far when they are
// not), and anything else (a log file) one line when the stage ends.
type bar struct {
	w   io.Writer
	now func() time.Time
	tty bool

	mu      sync.Mutex
	stage   string
	steps   int
	total   int
	started time.Time
	shown   bool
	stop    chan struct{}
	stopped chan struct{}
}

// quiet is how long a stage runs before it is shown.
const quiet = time.Second

func newBar(w io.Writer, now func() time.Time) *bar {
	tty := false
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	if w == nil {
		w = io.Discard
	}
	return &bar{w: w, now: now, tty: tty}
}

// start begins a stage of total steps (0 when the steps are not counted).
func (b *bar) start(stage string, total int) {
	b.mu.Lock()
	b.stage, b.total, b.steps = stage, total, 0
	b.started = b.now()
	b.shown = false
	b.mu.Unlock()
	if !b.tty {
		return
	}
	b.stop, b.stopped = make(chan struct{}), make(chan struct{})
	go func(stop, stopped chan struct{}) {
		defer close(stopped)
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				b.mu.Lock()
				if b.now().Sub(b.started) >= quiet {
					b.shown = true
					fmt.Fprintf(b.w, "\r%s", b.line())
				}
				b.mu.Unlock()
			}
		}
	}(b.stop, b.stopped)
}

// set records that steps of the stage are finished.
func (b *bar) set(steps int) {
	b.mu.Lock()
	b.steps = steps
	b.mu.Unlock()
}

func (b *bar) line() string {
	if b.total <= 0 {
		return fmt.Sprintf("%-28s %s", b.stage, b.now().Sub(b.started).Round(100*time.Millisecond))
	}
	const width = 30
	frac := float64(b.steps) / float64(b.total)
	n := min(int(frac*width), width)
	return fmt.Sprintf("%-28s [%s%s] %3.0f%%", b.stage, strings.Repeat("#", n), strings.Repeat(" ", width-n), frac*100)
}

// done ends the stage, showing it if it took a second or more.
func (b *bar) done() {
	if b.stop != nil {
		close(b.stop)
		<-b.stopped
		b.stop = nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	elapsed := b.now().Sub(b.started)
	switch {
	case b.tty && b.shown:
		fmt.Fprintf(b.w, "\r%s %s\n", b.line(), elapsed.Round(time.Millisecond))
	case elapsed >= quiet:
		fmt.Fprintf(b.w, "%s: done in %s\n", b.stage, elapsed.Round(time.Millisecond))
	}
	b.stage = ""
}
