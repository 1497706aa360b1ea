package ktbench

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/cairn-learning/cairn/internal/mastery"
	"github.com/cairn-learning/cairn/internal/testenv"
)

// assist09Dir returns the folder of the ASSISTments 2009 split: the
// CAIRN_KT_DATA folder if set, else ../shared/data/kt next to the
// repository. The data has no open licence, so it is never copied into the
// repository; without it the test is skipped (or fails under
// CAIRN_TEST_STRICT).
func assist09Dir(t testing.TB) string {
	t.Helper()
	root := os.Getenv("CAIRN_KT_DATA")
	if root == "" {
		dir, err := os.Getwd()
		if err != nil {
			t.Fatal(err)
		}
		for {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				break
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				t.Fatal("no go.mod above the test's folder")
			}
			dir = parent
		}
		root = filepath.Join(dir, "..", "shared", "data", "kt")
	}
	dir := filepath.Join(root, "assist09")
	if _, err := os.Stat(filepath.Join(dir, "preprocessed_data_train.csv")); err != nil {
		testenv.Skip(t, "the ASSISTments 2009 split is not in "+dir+" (set CAIRN_KT_DATA)")
	}
	return dir
}

// TestAssist09 checks the targets on the ASSISTments 2009 train/test split
// of Gervet et al. (2020): classic BKT at pyBKT's level (0.716, within the
// 0.001 that BKT's random restarts move it by over seeds), BKT with
// forgetting above it, the ability model above a plain Elo's 0.756 and the
// logistic model at least 0.78, above every published figure. It takes a
// few seconds; the logistic model is left out under the race detector,
// where its fit takes minutes.
func TestAssist09(t *testing.T) {
	if testing.Short() {
		t.Skip("reads and fits 278,000 responses")
	}
	dir := assist09Dir(t)
	targets := map[string]float64{"bkt": 0.715, "bkt-forget": 0.72, "elo": 0.756}
	if !raceEnabled {
		targets["logistic"] = 0.78
	}
	var models []string
	for _, m := range Models() {
		if _, ok := targets[m]; ok {
			models = append(models, m)
		}
	}
	cfg := Config{
		Train:  filepath.Join(dir, "preprocessed_data_train.csv"),
		Test:   filepath.Join(dir, "preprocessed_data_test.csv"),
		Seed:   1,
		Models: models,
	}
	results, desc, err := Measure(context.Background(), cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(desc)
	for _, r := range results {
		t.Logf("%-10s AUC %.4f RMSE %.4f fit %v", r.Model, r.Scores.AUC, r.Scores.RMSE, r.Fit)
		if r.Scores.N != 58266 {
			t.Errorf("%s scored %d test responses, want 58266", r.Model, r.Scores.N)
		}
		if r.Scores.AUC < targets[r.Model] {
			t.Errorf("%s AUC %.4f is below the target %.3f", r.Model, r.Scores.AUC, targets[r.Model])
		}
	}
}

// BenchmarkAssist09FitBKT fits BKT to every skill of the ASSISTments 2009
// training file (220,070 responses), from sequences gathered once.
func BenchmarkAssist09FitBKT(b *testing.B) {
	dir := assist09Dir(b)
	f, err := os.Open(filepath.Join(dir, "preprocessed_data_train.csv"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	train, err := Read(f, "train", NewVocab(DefaultSkillSeparators))
	if err != nil {
		b.Fatal(err)
	}
	seqs := bktSequences(train)
	for _, forget := range []bool{false, true} {
		name := "classic"
		if forget {
			name = "forget"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := mastery.FitBKTAll(context.Background(), seqs, mastery.BKTFitOptions{Forget: forget}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
