package ktbench

import (
	"bytes"
	"context"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/cairn-learning/cairn/internal/storetest"
)

// TestRunThroughStore replays a small synthetic split through a real
// store, on each engine: the predictions read back from the store must
// score as the same model followed in memory does, since the store runs
// the same model on the same responses.
func TestRunThroughStore(t *testing.T) {
	if testing.Short() {
		t.Skip("replays through a database")
	}
	for _, eng := range []struct {
		name string
		url  func(testing.TB) string
	}{
		{"sqlite", func(testing.TB) string { return "" }},
		{"postgres", storetest.Postgres},
	} {
		t.Run(eng.name, func(t *testing.T) {
			var out bytes.Buffer
			res, err := RunThroughStore(context.Background(), StoreConfig{
				Train: "train.tsv", Test: "test.tsv", Seed: 1, URL: eng.url(t),
				Open: files(map[string]string{"train.tsv": synthetic(300, 1, true), "test.tsv": synthetic(40, 2, false)}),
			}, &out, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if res.Responses != 40*30 {
				t.Errorf("%d responses replayed, want %d", res.Responses, 40*30)
			}
			if d := math.Abs(res.Store.AUC - res.Memory.AUC); d > 1e-9 || res.Store.AUC < 0.6 {
				t.Errorf("AUC through the store %.6f, in memory %.6f: want the same, above 0.6", res.Store.AUC, res.Memory.AUC)
			}
			if d := math.Abs(res.Store.LogLoss - res.Memory.LogLoss); d > 1e-9 {
				t.Errorf("log-loss through the store %.6f, in memory %.6f", res.Store.LogLoss, res.Memory.LogLoss)
			}
			if res.RecordAndPredict.P99 <= 0 || res.RecordAndPredict.P50 > res.RecordAndPredict.P99 {
				t.Errorf("latencies %+v", res.RecordAndPredict)
			}
			for _, want := range []string{"predictions read back from the store: AUC", "record and predict"} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("output lacks %q:\n%s", want, out.String())
				}
			}
		})
	}
}
