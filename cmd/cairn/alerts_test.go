package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// TestAlertsSweepCommand runs 'cairn alerts sweep' on a copy of the demo,
// whose loader swept already: nothing more is raised; and the server's
// daily loop sweeps at once, then waits for the next day.
func TestAlertsSweepCommand(t *testing.T) {
	db := demoCopy(t)
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"alerts", "sweep", "--db", db}, noEnv, &out, &errOut); err != nil {
		t.Fatalf("alerts sweep: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "firings, 0 alerts raised on ") {
		t.Errorf("output %q", out.String())
	}
	if err := run(context.Background(), []string{"alerts"}, noEnv, &out, &errOut); !errors.Is(err, errUsage) {
		t.Errorf("alerts without sweep: %v", err)
	}

	st, err := openQuiet(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	id, err := chooseDistrict(context.Background(), st, "")
	if err != nil {
		t.Fatal(err)
	}
	var logs lockedBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		sweepDaily(ctx, slog.New(slog.NewTextHandler(&logs, nil)), st, id, 10*time.Millisecond)
		close(done)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(logs.String(), "rules swept") {
		if time.Now().After(deadline) {
			t.Fatalf("no sweep within 30 s; log:\n%s", logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	cancel()
	<-done
	if n := strings.Count(logs.String(), "rules swept"); n != 1 {
		t.Errorf("%d sweeps on one day; log:\n%s", n, logs.String())
	}
}
