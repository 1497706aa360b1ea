package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/evidence"
)

// TestEvidenceNamesItems records scores that name items by key and by id,
// lists a standard's items, and refuses bad references with the field.
func TestEvidenceNamesItems(t *testing.T) {
	f := newFixture(t)
	day := testNow.Add(-48 * time.Hour)
	withItem := func(sc map[string]any, k string, v any) map[string]any { sc[k] = v; return sc }

	res := f.do("POST", "/api/v1/evidence", f.evidenceBody(f.students[0], day, withItem(level(f.childA, 3), "itemKey", "quiz-7/q3")))
	wantStatus(t, res, http.StatusCreated)
	var ev evidence.Evidence
	res.json(t, &ev)
	if len(ev.Scores) != 1 || ev.Scores[0].ItemID == 0 {
		t.Fatalf("scores = %+v, want one naming its item", ev.Scores)
	}
	item := ev.Scores[0].ItemID

	// The same question answered by another student, named by its id.
	res = f.do("POST", "/api/v1/evidence", f.evidenceBody(f.students[1], day, withItem(level(f.childA, 1), "itemId", item)))
	wantStatus(t, res, http.StatusCreated)

	res = f.do("GET", fmt.Sprintf("/api/v1/standards/%d/items", f.childA), nil)
	wantStatus(t, res, http.StatusOK)
	var items list[itemView]
	res.json(t, &items)
	if len(items.Items) != 1 || items.Items[0].ID != item || items.Items[0].Key != "quiz-7/q3" || items.Items[0].Responses != 2 || items.Items[0].Right != 1 {
		t.Errorf("items = %+v, want quiz-7/q3 with 2 responses, 1 right", items.Items)
	}

	for _, tc := range []struct {
		name  string
		score map[string]any
		field string
	}{
		{"key too long", withItem(level(f.childA, 3), "itemKey", strings.Repeat("k", 257)), "itemKey"},
		{"key with a line break", withItem(level(f.childA, 3), "itemKey", "a\nb"), "itemKey"},
		{"id and key", withItem(withItem(level(f.childA, 3), "itemKey", "x"), "itemId", item), "itemId"},
		{"unknown id", withItem(level(f.childA, 3), "itemId", item+1000), "itemId"},
		{"item of another standard", withItem(level(f.childB, 3), "itemId", item), "itemId"},
		{"key of another standard", withItem(level(f.childB, 3), "itemKey", "quiz-7/q3"), "itemKey"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := f.do("POST", "/api/v1/evidence", f.evidenceBody(f.students[2], day, tc.score))
			wantStatus(t, res, http.StatusUnprocessableEntity)
			if !strings.Contains(string(res.Body), tc.field) {
				t.Errorf("refusal does not name %s: %s", tc.field, res.Body)
			}
		})
	}
}
