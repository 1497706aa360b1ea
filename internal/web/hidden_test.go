package web

import (
	"context"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/store"
)

// TestHiddenReadsLikeMissing asks every route and page that takes an id
// of a person, student, guardian, class, enrollment list, evidence or
// mastery once with an id the asker may not see and once with an id that
// does not exist: the two answers must have the same status and the same
// words, apart from the id itself.
func TestHiddenReadsLikeMissing(t *testing.T) {
	f := newFixture(t)
	o := f.otherClass()
	f.linkFamily()
	ctx := context.Background()
	lv := 3.0
	hiddenEv := evidence.Evidence{DistrictID: f.district, StudentID: o.student, ClassID: &o.class, Kind: evidence.Formative,
		Title: "Quiz", AssessedAt: testNow.Add(-time.Hour), RecordedBy: o.teacher, Scores: []evidence.Score{{StandardID: f.childA, Level: &lv}}}
	if err := f.st.RecordEvidence(ctx, &hiddenEv); err != nil {
		t.Fatal(err)
	}
	otherGuardian := roster.Person{DistrictID: f.district, GivenName: "Ola", FamilyName: "Park", Roles: []roster.Role{roster.RoleGuardian},
		SchoolIDs: []int64{f.school}, Username: "ola.park"}
	if err := f.st.CreatePerson(ctx, &otherGuardian); err != nil {
		t.Fatal(err)
	}
	if err := f.st.LinkGuardian(ctx, roster.GuardianLink{DistrictID: f.district, GuardianID: otherGuardian.ID, StudentID: o.student}); err != nil {
		t.Fatal(err)
	}
	// Rules and alerts: an alert raised for the other class's teacher,
	// by two formative scores below the cut.
	for i := range 2 {
		low := 1.0
		ev := evidence.Evidence{DistrictID: f.district, StudentID: o.student, ClassID: &o.class, Kind: evidence.Formative,
			Title: "Exit ticket", AssessedAt: testNow.Add(-time.Duration(30-i) * time.Minute), RecordedBy: o.teacher,
			Scores: []evidence.Score{{StandardID: f.childB, Level: &low}}}
		if err := f.st.RecordEvidence(ctx, &ev); err != nil {
			t.Fatal(err)
		}
	}
	hiddenAlerts, _, err := f.st.Alerts(ctx, f.district, store.AlertFilter{TeacherID: o.teacher})
	if err != nil || len(hiddenAlerts) == 0 {
		t.Fatalf("the other class's alerts: %v, %v", hiddenAlerts, err)
	}
	hiddenAlert := hiddenAlerts[0].ID
	const missing = 999999

	type who struct {
		name   string
		person int64
	}
	teacher := who{"teacher", f.teacher}
	guardian := who{"guardian", f.guardian}
	student := who{"student", f.students[0]}
	std := f.childA
	record := func(student, class any) map[string]any {
		return map[string]any{"studentId": student, "classId": class, "kind": "formative",
			"assessedAt": testNow.Add(-time.Hour).Format(time.RFC3339), "scores": []any{level(std, 3)}}
	}
	void := func(int64) any { return map[string]any{"reason": "entered twice"} }
	tests := []struct {
		as     who
		method string
		path   string // %d is the id
		hidden int64
		body   func(id int64) any
		page   bool
		// noun is the word before the id in the answer, when another
		// record's id could be the same number.
		noun string
	}{
		// People, students and guardians.
		{as: teacher, method: "GET", path: "/api/v1/people/%d", hidden: o.student},
		{as: teacher, method: "GET", path: "/api/v1/people/%d", hidden: o.teacher},
		{as: teacher, method: "GET", path: "/api/v1/people/%d/classes", hidden: o.student},
		{as: guardian, method: "GET", path: "/api/v1/people/%d", hidden: f.students[1]},
		{as: teacher, method: "GET", path: "/api/v1/guardians/%d/children", hidden: otherGuardian.ID},
		{as: guardian, method: "GET", path: "/api/v1/guardians/%d/children", hidden: otherGuardian.ID},
		{as: teacher, method: "GET", path: "/api/v1/students/%d/guardians", hidden: o.student},
		{as: student, method: "GET", path: "/api/v1/students/%d/guardians", hidden: f.students[1]},
		{as: teacher, method: "GET", path: "/api/v1/students/%d/evidence", hidden: o.student},
		{as: teacher, method: "GET", path: "/api/v1/students/%d/mastery", hidden: o.student},
		{as: guardian, method: "GET", path: "/api/v1/students/%d/mastery", hidden: f.students[1]},
		{as: teacher, method: "GET", path: "/api/v1/students/%d/standards/" + fmt.Sprint(std) + "/mastery", hidden: o.student},
		// Classes, their students, enrollments and mastery.
		{as: teacher, method: "GET", path: "/api/v1/classes/%d", hidden: o.class},
		{as: teacher, method: "GET", path: "/api/v1/classes/%d/students", hidden: o.class},
		{as: teacher, method: "GET", path: "/api/v1/classes/%d/enrollments", hidden: o.class},
		{as: teacher, method: "GET", path: "/api/v1/classes/%d/mastery", hidden: o.class},
		{as: teacher, method: "GET", path: "/api/v1/classes/%d/standards/" + fmt.Sprint(std) + "/mastery", hidden: o.class},
		{as: guardian, method: "GET", path: "/api/v1/classes/%d", hidden: f.class},
		{as: guardian, method: "GET", path: "/api/v1/classes/%d/mastery", hidden: f.class},
		{as: guardian, method: "GET", path: "/api/v1/classes/%d/enrollments", hidden: f.class},
		// Evidence.
		{as: teacher, method: "GET", path: "/api/v1/evidence/%d", hidden: hiddenEv.ID},
		{as: guardian, method: "GET", path: "/api/v1/evidence/%d", hidden: hiddenEv.ID},
		{as: teacher, method: "POST", path: "/api/v1/evidence/%d/void", hidden: hiddenEv.ID, body: void},
		{as: guardian, method: "POST", path: "/api/v1/evidence/%d/void", hidden: hiddenEv.ID, body: void},
		{as: guardian, method: "POST", path: "/api/v1/evidence/%d/void", hidden: f.record(f.students[0], "Quiz", testNow.Add(-time.Hour), map[int64]float64{std: 2}), body: void},
		{as: teacher, method: "POST", path: "/api/v1/evidence", hidden: o.student, body: func(id int64) any { return record(id, nil) }},
		{as: teacher, method: "POST", path: "/api/v1/evidence", hidden: o.class, noun: "class", body: func(id int64) any { return record(f.students[0], id) }},
		{as: teacher, method: "POST", path: "/api/v1/evidence/batch", hidden: o.student, body: func(id int64) any { return []any{record(id, nil)} }},
		// Rules and alerts.
		{as: teacher, method: "GET", path: "/api/v1/alerts/%d", hidden: hiddenAlert, noun: "alert"},
		{as: teacher, method: "POST", path: "/api/v1/alerts/%d/dismissal", hidden: hiddenAlert, noun: "alert", body: func(int64) any { return map[string]any{"note": "seen"} }},
		{as: teacher, method: "POST", path: "/alerts/%d/dismiss", hidden: hiddenAlert, page: true, noun: "alert"},
		// Pages.
		{as: teacher, method: "GET", path: "/students/%d", hidden: o.student, page: true},
		{as: teacher, method: "GET", path: "/students/%d/standards/" + fmt.Sprint(std), hidden: o.student, page: true},
		{as: student, method: "GET", path: "/students/%d/standards/" + fmt.Sprint(std), hidden: f.students[1], page: true},
		{as: guardian, method: "GET", path: "/family/%d", hidden: f.students[1], page: true},
		{as: teacher, method: "GET", path: "/classes/%d", hidden: o.class, page: true},
		{as: teacher, method: "GET", path: "/classes/%d/record", hidden: o.class, page: true},
		{as: teacher, method: "POST", path: "/classes/%d/record", hidden: o.class, page: true},
		{as: teacher, method: "GET", path: fmt.Sprintf("/classes/%d/record?student=%%d", f.class), hidden: o.student, page: true},
		{as: teacher, method: "GET", path: "/evidence/%d", hidden: hiddenEv.ID, page: true},
		{as: guardian, method: "GET", path: "/evidence/%d", hidden: hiddenEv.ID, page: true},
		{as: teacher, method: "POST", path: "/evidence/%d/void", hidden: hiddenEv.ID, page: true},
	}
	tokens := map[int64]string{}
	for _, tc := range tests {
		name := fmt.Sprintf("%s %s %s", tc.as.name, tc.method, tc.path)
		t.Run(name, func(t *testing.T) {
			ask := func(id int64) response {
				t.Helper()
				path := tc.path
				if strings.Contains(path, "%d") {
					path = fmt.Sprintf(tc.path, id)
				}
				if tc.page {
					b := f.signedIn(tc.as.person)
					if tc.method == "POST" {
						return b.post(path, url.Values{"reason": {"entered twice"}})
					}
					return b.get(path)
				}
				var body any
				if tc.body != nil {
					body = tc.body(id)
				}
				if tokens[tc.as.person] == "" {
					tokens[tc.as.person] = f.newToken(tc.as.person, access.TokenWrite)
				}
				return f.as(tokens[tc.as.person]).do(tc.method, path, body)
			}
			hidden, absent := ask(tc.hidden), ask(missing)
			if hidden.Status < 400 {
				t.Fatalf("the hidden id %d answers %d:\n%s", tc.hidden, hidden.Status, hidden.Body)
			}
			h := sameWords(string(hidden.Body), tc.path, tc.noun, tc.hidden)
			a := sameWords(string(absent.Body), tc.path, tc.noun, missing)
			if hidden.Status != absent.Status || h != a {
				t.Errorf("hidden id %d: %d\n%s\nmissing id: %d\n%s", tc.hidden, hidden.Status, h, absent.Status, a)
			}
		})
	}
}

// What differs from one answer to the next whatever was asked: request
// ids, nonces, form tokens.
var (
	requestIDs = regexp.MustCompile(`"requestId":"[^"]*"|[a-z0-9]{8}-[0-9]+`)
	nonces     = regexp.MustCompile(`nonce="[^"]*"|name="csrf" value="[^"]*"`)
)

// sameWords is an answer with its id written as N where it names the
// record asked for (after noun, or any kind of record), and what differs
// between any two answers left out.
func sameWords(body, path, noun string, id int64) string {
	body = requestIDs.ReplaceAllString(body, "")
	body = nonces.ReplaceAllString(body, "")
	if strings.Contains(path, "%d") {
		p := fmt.Sprintf(path, id)
		body = strings.ReplaceAll(body, p, "PATH")
		body = strings.ReplaceAll(body, html.EscapeString(p), "PATH")
		body = strings.ReplaceAll(body, url.QueryEscape(p), "PATH")
	}
	if noun == "" {
		noun = "student|person|class|guardian|evidence"
	}
	named := regexp.MustCompile(`\b(` + noun + `) ` + fmt.Sprint(id) + `\b`)
	return named.ReplaceAllString(body, "$1 N")
}
