package web

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cairn-learning/cairn/internal/interop/oneroster"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/store"
)

// TestRosterResources walks each roster resource through create, get,
// partial update and list.
func TestRosterResources(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name   string
		path   string
		create map[string]any
		patch  map[string]any
		// check compares the patched record with what was asked.
		field, want string
	}{
		{
			name:   "school",
			path:   "/api/v1/schools",
			create: map[string]any{"name": "Cedar Valley High", "sourcedId": "cvhs"},
			patch:  map[string]any{"name": "Cedar Valley High School"},
			field:  "name", want: "Cedar Valley High School",
		},
		{
			name: "term",
			path: "/api/v1/terms",
			create: map[string]any{"title": "Fall 2024", "type": "semester",
				"startDate": "2024-08-26T00:00:00Z", "endDate": "2024-12-20T00:00:00Z"},
			patch: map[string]any{"title": "Semester 1"},
			field: "title", want: "Semester 1",
		},
		{
			name:   "course",
			path:   "/api/v1/courses",
			create: map[string]any{"title": "Science 6", "code": "S6", "grades": []string{"06"}},
			patch:  map[string]any{"code": "SCI6"},
			field:  "code", want: "SCI6",
		},
		{
			name: "class",
			path: "/api/v1/classes",
			create: map[string]any{"title": "Math 6 (period 3)", "schoolId": f.school, "courseId": f.course,
				"termId": f.term, "period": "3"},
			patch: map[string]any{"period": "4"},
			field: "period", want: "4",
		},
		{
			name: "person",
			path: "/api/v1/people",
			create: map[string]any{"givenName": "Sam", "familyName": "Patel", "roles": []string{"student"},
				"grade": "06", "sourcedId": "stu-sam"},
			patch: map[string]any{"email": "sam@example.org"},
			field: "email", want: "sam@example.org",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := f.do("POST", tt.path, tt.create)
			wantStatus(t, res, http.StatusCreated)
			if ct := res.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q", ct)
			}
			id := idOf(t, res)
			loc := fmt.Sprintf("%s/%d", tt.path, id)
			if got := res.Header.Get("Location"); got != loc {
				t.Errorf("Location = %q, want %q", got, loc)
			}
			var created map[string]any
			res.json(t, &created)
			if got := created["districtId"]; got != float64(f.district) {
				t.Errorf("districtId = %v, want %d", got, f.district)
			}

			res = f.do("GET", loc, nil)
			wantStatus(t, res, http.StatusOK)
			var got map[string]any
			res.json(t, &got)
			if diff := cmp.Diff(created, got); diff != "" {
				t.Errorf("GET differs from what POST answered (-post +get):\n%s", diff)
			}

			res = f.do("PATCH", loc, tt.patch)
			wantStatus(t, res, http.StatusOK)
			var patched map[string]any
			res.json(t, &patched)
			if patched[tt.field] != tt.want {
				t.Errorf("after PATCH %s = %v, want %q", tt.field, patched[tt.field], tt.want)
			}
			// Everything not in the patch stays as it was.
			for k, v := range created {
				if _, changed := tt.patch[k]; changed {
					continue
				}
				if diff := cmp.Diff(v, patched[k]); diff != "" {
					t.Errorf("PATCH changed %s, which it did not send (-before +after):\n%s", k, diff)
				}
			}
			res = f.do("GET", loc, nil)
			var reread map[string]any
			res.json(t, &reread)
			if reread[tt.field] != tt.want {
				t.Errorf("the patch was not stored: %s = %v", tt.field, reread[tt.field])
			}

			res = f.do("GET", tt.path+"?limit=500", nil)
			wantStatus(t, res, http.StatusOK)
			var l struct {
				Items []map[string]any `json:"items"`
				Next  string           `json:"next"`
			}
			res.json(t, &l)
			found := false
			for _, it := range l.Items {
				if it["id"] == float64(id) {
					found = true
				}
			}
			if !found {
				t.Errorf("the list does not hold %d: %s", id, res.Body)
			}
		})
	}
}

// TestPagination pages through schools two at a time.
func TestPagination(t *testing.T) {
	f := newFixture(t)
	for i := range 4 {
		wantStatus(t, f.do("POST", "/api/v1/schools", map[string]any{"name": "School " + strconv.Itoa(i)}), http.StatusCreated)
	}
	var all []int64
	after := ""
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
		path := "/api/v1/schools?limit=2"
		if after != "" {
			path += "&after=" + after
		}
		res := f.do("GET", path, nil)
		wantStatus(t, res, http.StatusOK)
		var l list[roster.School]
		res.json(t, &l)
		if len(l.Items) > 2 {
			t.Fatalf("page of %d items, limit 2", len(l.Items))
		}
		for _, s := range l.Items {
			all = append(all, s.ID)
		}
		if l.Next == "" {
			break
		}
		after = l.Next
	}
	if len(all) != 5 { // the fixture's school and four more
		t.Fatalf("paged through %d schools, want 5: %v", len(all), all)
	}
	for i := 1; i < len(all); i++ {
		if all[i] <= all[i-1] {
			t.Fatalf("ids not increasing across pages: %v", all)
		}
	}
}

func TestPeopleFilterAndClasses(t *testing.T) {
	f := newFixture(t)
	res := f.do("GET", "/api/v1/people?role=student", nil)
	wantStatus(t, res, http.StatusOK)
	var l list[roster.Person]
	res.json(t, &l)
	var got []int64
	for _, p := range l.Items {
		got = append(got, p.ID)
	}
	if diff := cmp.Diff(f.students[:], got); diff != "" {
		t.Errorf("students (-want +got):\n%s", diff)
	}

	res = f.do("GET", fmt.Sprintf("/api/v1/people/%d/classes", f.teacher), nil)
	wantStatus(t, res, http.StatusOK)
	var classes list[roster.Class]
	res.json(t, &classes)
	if len(classes.Items) != 1 || classes.Items[0].ID != f.class {
		t.Errorf("teacher's classes = %+v, want class %d", classes.Items, f.class)
	}
}

func TestEnrollments(t *testing.T) {
	f := newFixture(t)
	res := f.do("POST", "/api/v1/people", map[string]any{"givenName": "Ava", "familyName": "Brooks", "roles": []string{"student"}})
	wantStatus(t, res, http.StatusCreated)
	ava := idOf(t, res)

	classPath := fmt.Sprintf("/api/v1/classes/%d", f.class)
	res = f.do("POST", classPath+"/enrollments", map[string]any{"personId": ava, "role": "student"})
	wantStatus(t, res, http.StatusCreated)
	var e roster.Enrollment
	res.json(t, &e)
	if e.ClassID != f.class || e.PersonID != ava || e.ID == 0 {
		t.Errorf("enrollment = %+v", e)
	}

	res = f.do("GET", classPath+"/enrollments", nil)
	wantStatus(t, res, http.StatusOK)
	var es list[roster.Enrollment]
	res.json(t, &es)
	if len(es.Items) != 5 { // teacher, three students, Ava
		t.Errorf("%d enrollments, want 5", len(es.Items))
	}

	res = f.do("GET", classPath+"/students", nil)
	wantStatus(t, res, http.StatusOK)
	var ps list[roster.Person]
	res.json(t, &ps)
	var names []string
	for _, p := range ps.Items {
		names = append(names, p.FamilyName)
	}
	// By family name: Brooks, Chen, Haddad, Okafor.
	if diff := cmp.Diff([]string{"Brooks", "Chen", "Haddad", "Okafor"}, names); diff != "" {
		t.Errorf("class students (-want +got):\n%s", diff)
	}
}

func TestGuardians(t *testing.T) {
	f := newFixture(t)
	path := fmt.Sprintf("/api/v1/students/%d/guardians", f.students[0])
	res := f.do("POST", path, map[string]any{"guardianId": f.guardian, "relationship": "father"})
	wantStatus(t, res, http.StatusCreated)
	var l roster.GuardianLink
	res.json(t, &l)
	want := roster.GuardianLink{DistrictID: f.district, GuardianID: f.guardian, StudentID: f.students[0], Relationship: "father"}
	if diff := cmp.Diff(want, l); diff != "" {
		t.Errorf("link (-want +got):\n%s", diff)
	}

	res = f.do("GET", path, nil)
	wantStatus(t, res, http.StatusOK)
	var gs list[roster.Person]
	res.json(t, &gs)
	if len(gs.Items) != 1 || gs.Items[0].ID != f.guardian {
		t.Errorf("guardians = %+v", gs.Items)
	}

	res = f.do("GET", fmt.Sprintf("/api/v1/guardians/%d/children", f.guardian), nil)
	wantStatus(t, res, http.StatusOK)
	var kids list[roster.Person]
	res.json(t, &kids)
	if len(kids.Items) != 1 || kids.Items[0].ID != f.students[0] {
		t.Errorf("children = %+v", kids.Items)
	}

	// A teacher is no guardian, and no student.
	res = f.do("GET", fmt.Sprintf("/api/v1/guardians/%d/children", f.teacher), nil)
	wantStatus(t, res, http.StatusNotFound)
	res.problem(t)
	res = f.do("GET", fmt.Sprintf("/api/v1/students/%d/guardians", f.teacher), nil)
	wantStatus(t, res, http.StatusNotFound)
}

// TestRetiredLeaveLists imports a OneRoster package into the district,
// then one without a class and a user: the lists leave them out, unless
// ?includeRetired=true, and each still answers by id with retiredAt.
func TestRetiredLeaveLists(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	open := func() *oneroster.Roster {
		t.Helper()
		known, err := f.st.OneRosterKnown(ctx, f.district)
		if err != nil {
			t.Fatal(err)
		}
		ro, err := oneroster.Open(filepath.Join("..", "interop", "oneroster", "testdata", "bulk-v1p2"), oneroster.ReadOptions{Known: oneroster.SnapshotOf(known)})
		if err != nil {
			t.Fatal(err)
		}
		return ro
	}
	if _, err := f.st.ImportOneRoster(ctx, f.district, open(), store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	without := open()
	without.Users = slices.DeleteFunc(without.Users, func(u oneroster.User) bool { return u.SourcedID == "usr-sys1" })
	without.Roles = slices.DeleteFunc(without.Roles, func(r oneroster.Role) bool { return r.UserSourcedID == "usr-sys1" })
	without.Classes = slices.DeleteFunc(without.Classes, func(c oneroster.Class) bool { return c.SourcedID == "cls-ela7-hr" })
	without.Enrollments = slices.DeleteFunc(without.Enrollments, func(e oneroster.Enrollment) bool { return e.ClassSourcedID == "cls-ela7-hr" })
	rep, err := f.st.ImportOneRoster(ctx, f.district, without, store.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Retired["people"] != 1 || rep.Retired["classes"] != 1 {
		t.Fatalf("retired %v, want one person and one class", rep.Retired)
	}

	// listed returns the records of a list by sourcedId, with retiredAt.
	type record struct {
		ID        int64      `json:"id"`
		SourcedID string     `json:"sourcedId"`
		RetiredAt *time.Time `json:"retiredAt"`
	}
	listed := func(path string) map[string]record {
		t.Helper()
		res := f.do("GET", path, nil)
		wantStatus(t, res, http.StatusOK)
		var l list[record]
		res.json(t, &l)
		out := map[string]record{}
		for _, r := range l.Items {
			out[r.SourcedID] = r
		}
		return out
	}
	for _, tt := range []struct{ kind, retired, current string }{
		{"people", "usr-sys1", "usr-t1"},
		{"classes", "cls-ela7-hr", "cls-alg1-p1"},
	} {
		path := "/api/v1/" + tt.kind + "?limit=500"
		current := listed(path)
		if r, ok := current[tt.retired]; ok {
			t.Errorf("GET %s lists the retired %s: %+v", path, tt.retired, r)
		}
		if r, ok := current[tt.current]; !ok || r.RetiredAt != nil {
			t.Errorf("GET %s: %s is %+v (listed %v), want it listed, not retired", path, tt.current, r, ok)
		}
		r, ok := listed(path + "&includeRetired=true")[tt.retired]
		if !ok || r.RetiredAt == nil {
			t.Fatalf("GET %s&includeRetired=true: %s is %+v (listed %v), want it with retiredAt", path, tt.retired, r, ok)
		}
		res := f.do("GET", fmt.Sprintf("/api/v1/%s/%d", tt.kind, r.ID), nil)
		wantStatus(t, res, http.StatusOK)
		var got record
		res.json(t, &got)
		if got.RetiredAt == nil || !got.RetiredAt.Equal(*r.RetiredAt) {
			t.Errorf("GET /api/v1/%s/%d: retiredAt %v, want %v", tt.kind, r.ID, got.RetiredAt, r.RetiredAt)
		}
	}
	for _, path := range []string{"/api/v1/schools", "/api/v1/terms", "/api/v1/courses", "/api/v1/classes", "/api/v1/people"} {
		res := f.do("GET", path+"?includeRetired=maybe", nil)
		wantStatus(t, res, http.StatusBadRequest)
		if p := res.problem(t); len(p.Errors) != 1 || p.Errors[0].Field != "includeRetired" {
			t.Errorf("GET %s?includeRetired=maybe: %+v, want a problem naming includeRetired", path, p)
		}
	}
}
