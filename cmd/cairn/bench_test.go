package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// writeResponses writes a small response file in which students get better
// with practice and some items are harder than others.
func writeResponses(t *testing.T, name string, students, first int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("user_id\titem_id\ttimestamp\tcorrect\tskill_id\n")
	for s := first; s < first+students; s++ {
		for n := range 12 {
			item, skill := n%6, n%3
			// Right from the student's (s%4)-th attempt at a skill on,
			// except on the hardest item.
			correct := 0
			if n/3 >= s%4 && item != 5 {
				correct = 1
			}
			fmt.Fprintf(&b, "u%d\tq%d\t%d\t%d\t%d\n", s, item, n, correct, skill)
		}
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func benchEnv() (*environment, *bytes.Buffer, *bytes.Buffer) {
	var stdout, stderr bytes.Buffer
	return &environment{getenv: noEnv, stdout: &stdout, stderr: &stderr}, &stdout, &stderr
}

func TestBenchKT(t *testing.T) {
	train := writeResponses(t, "train.tsv", 40, 0)
	test := writeResponses(t, "test.tsv", 12, 100)
	env, stdout, _ := benchEnv()
	err := runBench(context.Background(), env, []string{"kt", "--train", train, "--test", test, "--seed", "3", "--models", "bkt,elo,logistic"})
	if err != nil {
		t.Fatal(err)
	}
	out := stdout.String()
	for _, want := range []string{"AUC", "log-loss", "predictions/s", "bkt", "elo", "logistic", "seed 3", "144 responses, 12 students"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "pfa") {
		t.Errorf("output shows a model not asked for:\n%s", out)
	}

	env, stdout, _ = benchEnv()
	if err := runBench(context.Background(), env, []string{"kt", "--data", train, "--folds", "4", "--models", "pfa"}); err != nil {
		t.Fatal(err)
	}
	if out := stdout.String(); !strings.Contains(out, "4-fold student-level cross-validation") || !strings.Contains(out, "pfa") {
		t.Errorf("cross-validation output:\n%s", out)
	}
}

func TestBenchKTErrors(t *testing.T) {
	train := writeResponses(t, "train.tsv", 5, 0)
	bad := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(bad, []byte("u,i,0,1,s\nu,i,0,maybe,s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		args  []string
		usage bool
		want  string
	}{
		{"no benchmark", nil, true, "no benchmark"},
		{"unknown benchmark", []string{"speed"}, true, `unknown benchmark "speed" (want kt or load)`},
		{"no files", []string{"kt"}, true, "give --train and --test"},
		{"train without test", []string{"kt", "--train", train}, true, "give --train and --test"},
		{"both modes", []string{"kt", "--train", train, "--test", train, "--data", train}, true, "not both"},
		{"unknown model", []string{"kt", "--train", train, "--test", train, "--models", "bkt,dkt"}, true, `"dkt"`},
		{"stray argument", []string{"kt", "--train", train, "--test", train, "extra"}, true, "unexpected argument"},
		{"bad file", []string{"kt", "--train", train, "--test", bad}, false, "bad.csv, line 2: correct is \"maybe\", want 0 or 1"},
		{"missing file", []string{"kt", "--train", train, "--test", bad + ".gone"}, false, "bad.csv.gone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, _, _ := benchEnv()
			err := runBench(context.Background(), env, tt.args)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one containing %q", err, tt.want)
			}
			if got := errors.Is(err, errUsage); got != tt.usage {
				t.Errorf("usage error %v, want %v (%v)", got, tt.usage, err)
			}
		})
	}
}

func TestBenchKTHelp(t *testing.T) {
	env, _, stderr := benchEnv()
	err := runBench(context.Background(), env, []string{"kt", "--help"})
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err = %v, want flag.ErrHelp", err)
	}
	for _, want := range []string{"--train", "--folds", "bkt-forget", "logistic", "user_id, item_id, timestamp"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("help lacks %q:\n%s", want, stderr.String())
		}
	}
}

// TestBenchLoad loads a demo server, given by its URL as the lead of a
// comparison would give it, for a fraction of a second: the report has
// every route of both phases, with requests answered and none failed.
func TestBenchLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a demo district")
	}
	base, stop, stdout := startOut(t, []string{"demo", "--addr", "127.0.0.1:0", "--students", "30"}, `Serving on (http://\S+)`)
	defer stop()
	m := regexp.MustCompile(`(?m)^\s+Teacher\s+(\S+)\s+(\S+)`).FindStringSubmatch(stdout())
	if m == nil {
		t.Fatalf("the demo printed no sign-in for the teacher:\n%s", stdout())
	}
	env, out, errOut := benchEnv()
	err := runBench(context.Background(), env, []string{"load", "--url", base + "/", "--username", m[1], "--password", m[2],
		"--readers", "2", "--api-readers", "1", "--writers", "1", "--duration", "1s"})
	if err != nil {
		t.Fatalf("bench load: %v\n%s", err, errOut)
	}
	report := out.String()
	for _, want := range []string{"2 heatmap readers, 1 API readers, 1 writers", "p99", "the writers kept"} {
		if !strings.Contains(report, want) {
			t.Errorf("the report lacks %q:\n%s", want, report)
		}
	}
	// Each route of each phase has its line, and nothing failed. (A page
	// may take longer than the phase on a busy machine under the race
	// detector, so only the writers alone must have been answered.)
	for _, line := range []string{`writers alone\s+POST /api/v1/evidence\s+[1-9]\d*\s+0\s`, `all together\s+GET /classes/\{id\}\s+\d+\s+0\s`,
		`all together\s+GET /api/v1/classes/\{id\}/mastery\s+\d+\s+0\s`, `all together\s+POST /api/v1/evidence\s+\d+\s+0\s`} {
		if !regexp.MustCompile(line).MatchString(report) {
			t.Errorf("the report has no line matching %s:\n%s\nstderr:\n%s", line, report, errOut)
		}
	}
	if errOut.Len() > 0 {
		t.Errorf("bench load wrote to stderr:\n%s", errOut)
	}
}

// TestBenchLoadBuildsADemo runs the command as it runs by default: on a
// demo district it builds and serves in its own process.
func TestBenchLoadBuildsADemo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a demo district")
	}
	env, out, errOut := benchEnv()
	err := runBench(context.Background(), env, []string{"load", "--students", "30", "--readers", "1", "--writers", "1", "--duration", "500ms"})
	if err != nil {
		t.Fatalf("bench load: %v\n%s", err, errOut)
	}
	report := out.String()
	for _, line := range []string{`writers alone\s+POST /api/v1/evidence\s+[1-9]\d*\s+0\s`, `all together\s+GET /classes/\{id\}\s+\d+\s+0\s`,
		`all together\s+POST /api/v1/evidence\s+\d+\s+0\s`} {
		if !regexp.MustCompile(line).MatchString(report) {
			t.Errorf("the report has no line matching %s:\n%s\nstderr:\n%s", line, report, errOut)
		}
	}
	if !strings.Contains(errOut.String(), "building a demo district of 30 students") {
		t.Errorf("stderr does not say a demo is being built:\n%s", errOut)
	}
}

func TestBenchLoadRefuses(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"another machine", []string{"--url", "http://10.0.0.7:8080", "--username", "t", "--password", "p"}, "only loads a server on this machine"},
		{"a name", []string{"--url", "https://cairn.example.org", "--username", "t", "--password", "p"}, "cairn.example.org is not one"},
		{"not a base URL", []string{"--url", "http://127.0.0.1:8080/classes/3", "--username", "t", "--password", "p"}, "base URL only"},
		{"no scheme", []string{"--url", "127.0.0.1:8080", "--username", "t", "--password", "p"}, "want a base URL"},
		{"no account", []string{"--url", "http://localhost:8080"}, "needs --username and --password"},
		{"an account for the built demo", []string{"--username", "t"}, "are for a server given by --url"},
		{"too many readers", []string{"--readers", "201"}, "--readers 201: want between 0 and 200"},
		{"too many writers", []string{"--writers", "51"}, "--writers 51"},
		{"negative API readers", []string{"--api-readers", "-1"}, "--api-readers -1"},
		{"no clients", []string{"--readers", "0", "--writers", "0"}, "no clients"},
		{"too long", []string{"--duration", "11m"}, "--duration 11m0s: want between 100ms and 10m0s"},
		{"too short", []string{"--duration", "1ms"}, "--duration 1ms"},
		{"too small a demo", []string{"--students", "3"}, "--students 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, _, _ := benchEnv()
			err := runBench(context.Background(), env, append([]string{"load"}, tt.args...))
			if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want a usage error containing %q", err, tt.want)
			}
		})
	}
}

func TestBenchLoadHelp(t *testing.T) {
	env, _, stderr := benchEnv()
	if err := runBench(context.Background(), env, []string{"load", "--help"}); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err = %v, want flag.ErrHelp", err)
	}
	for _, want := range []string{"--readers", "--api-readers", "--writers", "-duration", "--url", "loopback", "p50, p95, p99"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("help lacks %q:\n%s", want, stderr.String())
		}
	}
}
