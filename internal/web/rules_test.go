package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/access"
)

// TestAlerts raises an alert from recorded evidence and follows it to the
// teacher's pages and the API: the list, the count on the heatmap, the
// student's page, a dismissal with a note, and who may see it.
func TestAlerts(t *testing.T) {
	f := newFixture(t)
	maya := f.students[0]
	f.record(maya, "Exit ticket 1", testNow.Add(-2*time.Hour), map[int64]float64{f.childA: 2})
	f.record(maya, "Exit ticket 2", testNow.Add(-time.Hour), map[int64]float64{f.childA: 1})

	teacher := f.signedIn(f.teacher)
	body := wantPage(t, teacher.get("/alerts"), http.StatusOK)
	for _, want := range []string{"2 formative scores in a row below 3.", "Maya Chen", fmt.Sprintf(`href="/students/%d/standards/%d"`, maya, f.childA), "6.RP.A.1", `class="stack dismiss-form"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the alerts page lacks %q:\n%s", want, body)
		}
	}
	if body := wantPage(t, teacher.get(fmt.Sprintf("/classes/%d", f.class)), http.StatusOK); !strings.Contains(body, "Alerts (1 open)") {
		t.Error("the heatmap does not count the open alert")
	}
	if body := wantPage(t, teacher.get(fmt.Sprintf("/students/%d", maya)), http.StatusOK); !strings.Contains(body, `id="student-alerts"`) || !strings.Contains(body, "below 3") {
		t.Error("the student's page does not list the open alert")
	}
	// Spanish.
	teacher.lang = "es"
	if body := wantPage(t, teacher.get("/alerts"), http.StatusOK); !strings.Contains(body, "2 notas formativas seguidas por debajo de 3.") {
		t.Errorf("the Spanish page:\n%s", body)
	}
	teacher.lang = ""

	api := f.as(f.newToken(f.teacher, access.TokenWrite))
	var l list[alertJSON]
	res := api.do("GET", "/api/v1/alerts", nil)
	wantStatus(t, res, http.StatusOK)
	res.json(t, &l)
	if len(l.Items) != 1 || l.Items[0].Kind != "below_cut" || len(l.Items[0].Data.Scores) != 2 {
		t.Fatalf("the teacher's alerts %+v", l.Items)
	}
	al := l.Items[0]
	wantStatus(t, api.do("GET", "/api/v1/alerts?classId=x", nil), http.StatusBadRequest)
	wantStatus(t, api.do("GET", fmt.Sprintf("/api/v1/alerts/%d", al.ID), nil), http.StatusOK)

	// Another class's teacher: the alert reads like one that does not
	// exist, and cannot be dismissed; a guardian's roles never see alerts.
	oc := f.otherClass()
	other := f.as(f.newToken(oc.teacher, access.TokenWrite))
	hidden := other.do("GET", fmt.Sprintf("/api/v1/alerts/%d", al.ID), nil)
	missing := other.do("GET", "/api/v1/alerts/999999", nil)
	wantStatus(t, hidden, http.StatusNotFound)
	wantStatus(t, missing, http.StatusNotFound)
	if a, b := strings.ReplaceAll(hidden.problem(t).Detail, fmt.Sprint(al.ID), "N"), strings.ReplaceAll(missing.problem(t).Detail, "999999", "N"); a != b {
		t.Errorf("a hidden alert and a missing one differ:\n%s\n%s", a, b)
	}
	wantStatus(t, other.do("POST", fmt.Sprintf("/api/v1/alerts/%d/dismissal", al.ID), dismissInput{Note: "x"}), http.StatusNotFound)
	var none list[alertJSON]
	res = other.do("GET", "/api/v1/alerts", nil)
	wantStatus(t, res, http.StatusOK)
	res.json(t, &none)
	if len(none.Items) != 0 {
		t.Errorf("another teacher lists %+v", none.Items)
	}
	f.linkFamily()
	wantStatus(t, f.as(f.newToken(f.guardian, access.TokenRead)).do("GET", "/api/v1/alerts", nil), http.StatusForbidden)

	// A note too long comes back to its form; a good one dismisses.
	long := strings.Repeat("x", 4001)
	to := location(t, teacher.post(fmt.Sprintf("/alerts/%d/dismiss", al.ID), url.Values{"note": {long}, "back": {"/alerts"}}))
	if body := wantPage(t, teacher.get(to), http.StatusOK); !strings.Contains(body, fmt.Sprintf(`id="note-%d-error"`, al.ID)) {
		t.Errorf("a long note is not refused beside its form:\n%s", body)
	}
	to = location(t, teacher.post(fmt.Sprintf("/alerts/%d/dismiss", al.ID), url.Values{"note": {"Reteach on Tuesday, table 2"}, "back": {"/alerts"}}))
	if body := wantPage(t, teacher.get(to), http.StatusOK); !strings.Contains(body, `id="dismissed-notice"`) || !strings.Contains(body, `id="no-alerts"`) {
		t.Errorf("after the dismissal:\n%s", body)
	}
	if body := wantPage(t, teacher.get("/alerts?dismissed=true"), http.StatusOK); !strings.Contains(body, "Reteach on Tuesday, table 2") {
		t.Errorf("the dismissed list lacks the note:\n%s", body)
	}
	res = api.do("POST", fmt.Sprintf("/api/v1/alerts/%d/dismissal", al.ID), dismissInput{})
	wantStatus(t, res, http.StatusConflict)

	// A new firing raises a new alert, dismissed through the API.
	f.record(maya, "Exit ticket 3", testNow.Add(-30*time.Minute), map[int64]float64{f.childA: 1})
	res = api.do("GET", "/api/v1/alerts", nil)
	res.json(t, &l)
	if len(l.Items) != 1 || l.Items[0].ID == al.ID {
		t.Fatalf("after a new low score %+v", l.Items)
	}
	res = api.do("POST", fmt.Sprintf("/api/v1/alerts/%d/dismissal", l.Items[0].ID), dismissInput{Note: "Small group"})
	wantStatus(t, res, http.StatusOK)
	var got alertJSON
	res.json(t, &got)
	if got.Note != "Small group" || got.DismissedAt == nil {
		t.Errorf("dismissed through the API %+v", got)
	}

	// The district administrator lists the district's.
	admin := f.as(f.adminToken)
	res = admin.do("GET", "/api/v1/alerts?dismissed=true", nil)
	wantStatus(t, res, http.StatusOK)
	res.json(t, &l)
	if len(l.Items) != 2 {
		t.Errorf("the administrator lists %d dismissed alerts, want 2", len(l.Items))
	}
	wantPage(t, f.signedIn(f.admin).get("/alerts"), http.StatusOK)
}

// TestRules reads and changes the district's rules through the API and
// the administrator's page; impossible thresholds are refused naming the
// field.
func TestRules(t *testing.T) {
	f := newFixture(t)
	admin := f.as(f.adminToken)
	var l list[ruleJSON]
	res := admin.do("GET", "/api/v1/rules", nil)
	wantStatus(t, res, http.StatusOK)
	res.json(t, &l)
	if len(l.Items) != 6 || l.Items[0].Kind != "below_cut" || l.Items[0].Params["cut"] != 3.0 || !l.Items[0].OnEvidence {
		t.Fatalf("rules %+v", l.Items)
	}
	wantStatus(t, admin.do("GET", "/api/v1/rules/no_evidence", nil), http.StatusOK)
	wantStatus(t, admin.do("GET", "/api/v1/rules/sometimes", nil), http.StatusNotFound)
	for _, tc := range []struct{ params, field string }{
		{`{"cut": 9, "count": 2}`, "params.cut"},
		{`{"cut": 3, "count": 1}`, "params.count"},
		{`{"cut": 3, "count": 2, "colour": "red"}`, "params.colour"},
		{`{"cut": 3}`, "params.count"},
	} {
		res := admin.do("PUT", "/api/v1/rules/below_cut", ruleInput{Enabled: true, Params: json.RawMessage(tc.params)})
		wantStatus(t, res, http.StatusUnprocessableEntity)
		if !strings.Contains(string(res.Body), `"`+tc.field+`"`) {
			t.Errorf("%s: the refusal does not name %s: %s", tc.params, tc.field, res.Body)
		}
	}
	res = admin.do("PUT", "/api/v1/rules/below_cut", map[string]any{"enabled": true, "params": map[string]any{"cut": 3, "count": 2}, "colour": 1})
	if res.Status != http.StatusBadRequest && res.Status != http.StatusUnprocessableEntity {
		t.Errorf("an unknown top-level field: %d", res.Status)
	}
	res = admin.do("PUT", "/api/v1/rules/below_cut", ruleInput{Enabled: true, Params: json.RawMessage(`{"cut": 2.5, "count": 3}`), Reason: "fewer alerts"})
	wantStatus(t, res, http.StatusOK)
	var r ruleJSON
	res.json(t, &r)
	if r.Params["cut"] != 2.5 || r.Params["count"] != 3.0 || r.UpdatedAt == nil {
		t.Errorf("changed %+v", r)
	}
	teacher := f.as(f.newToken(f.teacher, access.TokenWrite))
	wantStatus(t, teacher.do("PUT", "/api/v1/rules/below_cut", ruleInput{Enabled: false, Params: json.RawMessage(`{"cut": 3, "count": 2}`)}), http.StatusForbidden)
	wantStatus(t, teacher.do("GET", "/api/v1/rules", nil), http.StatusForbidden)

	// The page: the refusal beside its field, the value kept; then saved.
	page := f.signedIn(f.admin)
	body := wantPage(t, page.get("/admin/rules"), http.StatusOK)
	if !strings.Contains(body, `id="rule-below_cut"`) || !strings.Contains(body, "fewer alerts") || !strings.Contains(body, "/admin/rules") {
		t.Errorf("the rules page:\n%s", body)
	}
	if body := wantPage(t, page.get("/admin"), http.StatusOK); !strings.Contains(body, `href="/admin/rules"`) {
		t.Error("the administration page does not link the rules")
	}
	body = wantPage(t, page.post("/admin/rules/below_cut", url.Values{"enabled": {"on"}, "cut": {"9"}, "count": {"2"}}), http.StatusUnprocessableEntity)
	if !strings.Contains(body, `id="below_cut-cut-error"`) || !strings.Contains(body, `value="9"`) || strings.Contains(body, `id="below_cut-count-error"`) {
		t.Errorf("the refused cut:\n%s", body)
	}
	body = wantPage(t, page.post("/admin/rules/no_evidence", url.Values{"days": {"ten"}}), http.StatusUnprocessableEntity)
	if !strings.Contains(body, `id="no_evidence-days-error"`) {
		t.Error("a word for days is not refused beside its field")
	}
	to := location(t, page.post("/admin/rules/probability_falling", url.Values{"enabled": {"on"}, "drop": {"0,25"}}))
	if r, err := f.st.SupportRule(t.Context(), f.district, "probability_falling"); err != nil || r.Params.Drop != 0.25 {
		t.Errorf("a decimal comma: %+v, %v", r, err)
	}
	to = location(t, page.post("/admin/rules/no_evidence", url.Values{"days": {"10"}, "reason": {"two school weeks"}}))
	if !strings.HasPrefix(to, "/admin/rules?saved=no_evidence") {
		t.Errorf("saved went to %q", to)
	}
	rule, err := f.st.SupportRule(t.Context(), f.district, "no_evidence")
	if err != nil || rule.Enabled || rule.Params.Days != 10 {
		t.Errorf("the rule after the form %+v, %v (unchecked: off)", rule, err)
	}
	wantPage(t, f.signedIn(f.teacher).post("/admin/rules/no_evidence", url.Values{"days": {"3"}}), http.StatusForbidden)
}
