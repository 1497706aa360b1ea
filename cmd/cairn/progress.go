package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// progress shows how far a long job has got on a terminal: one line per
// stage, redrawn at most ten times a second. On anything but a terminal
// (a log file, CI) it writes one line when each stage ends.
type progress struct {
	w        io.Writer
	tty      bool
	stage    string
	done     int
	total    int
	started  time.Time
	lastDraw time.Time
}

func newProgress(w io.Writer) *progress {
	tty := false
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	return &progress{w: w, tty: tty}
}

// update is called by the job with its stage and how much of it is done.
func (p *progress) update(stage string, done, total int) {
	now := time.Now()
	if stage != p.stage {
		p.finishStage()
		p.stage, p.started = stage, now
	}
	p.done, p.total = done, total
	if p.tty && (now.Sub(p.lastDraw) >= 100*time.Millisecond || done == total) {
		p.lastDraw = now
		fmt.Fprintf(p.w, "\r%s", p.line())
	}
}

func (p *progress) line() string {
	const width = 30
	frac := 1.0
	if p.total > 0 {
		frac = float64(p.done) / float64(p.total)
	}
	n := int(frac * width)
	return fmt.Sprintf("%-12s [%s%s] %3.0f%% %d/%d", p.stage, strings.Repeat("#", n), strings.Repeat(" ", width-n), frac*100, p.done, p.total)
}

func (p *progress) finishStage() {
	if p.stage == "" {
		return
	}
	elapsed := time.Since(p.started).Round(time.Millisecond)
	if p.tty {
		fmt.Fprintf(p.w, "\r%s %s\n", p.line(), elapsed)
	} else {
		fmt.Fprintf(p.w, "%s: %d/%d in %s\n", p.stage, p.done, p.total, elapsed)
	}
}

// finish ends the last stage.
func (p *progress) finish() {
	p.finishStage()
	p.stage = ""
}
