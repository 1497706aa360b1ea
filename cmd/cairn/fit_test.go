package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/storetest"
)

// demoDB is a demo district of 60 students built with 'cairn demo --db',
// once per test binary; each test that uses it gets its own copy of the
// file (demoCopy).
var demoDB = sync.OnceValues(func() ([]byte, error) {
	return storetest.Image(func(db string) error {
		var out, errOut bytes.Buffer
		if err := run(context.Background(), []string{"demo", "--db", db, "--students", "60", "--no-serve"}, noEnv, &out, &errOut); err != nil {
			return fmt.Errorf("demo: %w\n%s", err, errOut.String())
		}
		return nil
	})
})

// demoCopy returns the path of a copy of demoDB of the test's own.
func demoCopy(t *testing.T) string {
	t.Helper()
	image, err := demoDB()
	if err != nil {
		t.Fatal(err)
	}
	return storetest.Write(t, image)
}

func TestFitCommand(t *testing.T) {
	ctx := context.Background()
	db := demoCopy(t)
	var out, errOut bytes.Buffer
	fit := func(args ...string) (string, error) {
		out.Reset()
		errOut.Reset()
		err := run(ctx, append([]string{"fit", "--db", db}, args...), noEnv, &out, &errOut)
		return out.String(), err
	}
	got, err := fit("--show", "3", "--min-responses", "40")
	if err != nil {
		t.Fatalf("fit: %v\n%s", err, errOut.String())
	}
	m := regexp.MustCompile(`fitted (\d+) standards from (\d+) responses in \S+; kept (\d+), (\d+) with fewer than 40 responses keep the defaults`).FindStringSubmatch(got)
	if m == nil {
		t.Fatalf("fit printed no summary:\n%s", got)
	}
	if m[1] == "0" || m[3] == "0" {
		t.Errorf("fit kept nothing:\n%s", got)
	}
	if !strings.Contains(got, "recomputed ") || !strings.Contains(got, "the 3 standards with the most responses") {
		t.Errorf("fit output:\n%s", got)
	}
	if lines := strings.Count(got, "\n"); lines != 1+2+2+1+3 {
		t.Errorf("fit printed %d lines, want the logistic model's line, the summary, a blank line, the heading, the table's header and 3 rows:\n%s", lines, got)
	}
	if !strings.HasPrefix(got, "fitted the logistic model to ") {
		t.Errorf("fit did not fit the logistic model to the demo district's evidence:\n%s", got)
	}
	if !strings.Contains(errOut.String(), "rebuilding") {
		t.Errorf("no progress on stderr: %q", errOut.String())
	}
	// The same evidence and seed fit the same parameters.
	again, err := fit("--show", "3", "--min-responses", "40")
	if err != nil {
		t.Fatal(err)
	}
	table := func(s string) string { return s[strings.Index(s, "standard "):] }
	if table(again) != table(got) {
		t.Errorf("a second fit differs:\n%s\nthen\n%s", got, again)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--min-responses", "0"}, "--min-responses 0"},
		{[]string{"--district", "x"}, "not a district id"},
		{[]string{"--district", "999"}, "district 999"},
	} {
		_, err := fit(c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("fit %v: %v, want an error saying %q", c.args, err, c.want)
		}
		if strings.HasPrefix(c.want, "--") && !errors.Is(err, errUsage) {
			t.Errorf("fit %v: %v is not a usage error", c.args, err)
		}
	}
}

func TestRefitEvery(t *testing.T) {
	ctx := context.Background()
	db := demoCopy(t)
	var out, errOut bytes.Buffer
	st, err := openQuiet(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	id, err := chooseDistrict(ctx, st, "")
	if err != nil {
		t.Fatal(err)
	}
	_, first, err := st.FittedModels(ctx, id)
	if err != nil || first.IsZero() {
		t.Fatalf("the demo was not fitted: %v", err)
	}
	var logs lockedBuffer
	loopCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		refitEvery(loopCtx, slog.New(slog.NewTextHandler(&logs, nil)), st, id, 20*time.Millisecond)
		close(done)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, at, err := st.FittedModels(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if at.After(first) && strings.Contains(logs.String(), "knowledge-tracing model refitted") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no refit within 30 s; log:\n%s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	<-done

	err = run(ctx, []string{"serve", "--db", db, "--fit-every", "5s"}, noEnv, &out, &errOut)
	if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), "--fit-every") {
		t.Errorf("serve --fit-every 5s: %v, want a usage error", err)
	}
}
