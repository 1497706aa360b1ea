package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
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
		{"unknown benchmark", []string{"speed"}, true, `unknown benchmark "speed"`},
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
