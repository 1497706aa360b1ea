package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/store"
)

// outcomesStaff returns the first person of the demo district holding role at
// school.
func outcomesStaff(t *testing.T, d *demoDistrict, role roster.Role, school int64) roster.Person {
	t.Helper()
	ps, _, err := d.st.People(context.Background(), d.sum.DistrictID, store.PersonFilter{Role: role, SchoolID: school, Page: store.Page{Limit: 50}})
	if err != nil || len(ps) == 0 {
		t.Fatalf("no %s at school %d: %v", role, school, err)
	}
	return ps[0]
}

var outcomesSuppressedCell = regexp.MustCompile(`data-suppressed="(too_few|complementary)"`)

// TestDemoOutcomes: the district's and a school's outcomes of supports
// show every kind of support with figures, hide small groups saying why,
// weigh under 100 KB in English and Spanish, and the API, the CSV and the
// page hide the same cells. Teachers and other schools' coaches are kept
// out.
func TestDemoOutcomes(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the demo district")
	}
	d := loadDemo(t)
	school := d.sum.Class.SchoolID
	lead := newSessionCookie(t, d.st, d.sum.DistrictID, outcomesStaff(t, d, roster.RoleSchoolAdmin, school).ID)
	// A coach of this school only, and an administrator, who read
	// Spanish.
	person := func(given string, role roster.Role, schools ...int64) *http.Cookie {
		p := roster.Person{DistrictID: d.sum.DistrictID, GivenName: given, FamilyName: "Ríos", Roles: []roster.Role{role},
			SchoolIDs: schools, Language: "es"}
		if err := d.st.CreatePerson(context.Background(), &p); err != nil {
			t.Fatal(err)
		}
		return newSessionCookie(t, d.st, d.sum.DistrictID, p.ID)
	}
	coach := person("Cora", roster.RoleCoach, school)
	adminEs := person("Ada", roster.RoleDistrictAdmin)

	for _, c := range []struct {
		who    string
		cookie *http.Cookie
		page   string
		api    string
	}{
		{"admin", d.admin, "/admin/outcomes", "/api/v1/outcomes"},
		{"coach", coach, fmt.Sprintf("/schools/%d/outcomes", school), fmt.Sprintf("/api/v1/schools/%d/outcomes", school)},
		{"school admin", lead, fmt.Sprintf("/schools/%d/outcomes", school), fmt.Sprintf("/api/v1/schools/%d/outcomes", school)},
		{"Spanish-reading admin", adminEs, "/admin/outcomes", "/api/v1/outcomes"},
		{"Spanish-reading admin", adminEs, fmt.Sprintf("/schools/%d/outcomes", school), fmt.Sprintf("/api/v1/schools/%d/outcomes", school)},
	} {
		{
			res := d.get(t, c.cookie, c.page)
			body := res.Body.String()
			lang := "en"
			if strings.Contains(body, `<html lang="es">`) {
				lang = "es"
			}
			if (c.cookie == coach || c.cookie == adminEs) != (lang == "es") {
				t.Errorf("%s reads %s in %s", c.who, c.page, lang)
			}
			if res.Code != http.StatusOK {
				t.Fatalf("%s %s (%s): status %d", c.who, c.page, lang, res.Code)
			}
			if res.Body.Len() >= maxPageWeight {
				t.Errorf("%s (%s) weighs %d bytes, want under %d", c.page, lang, res.Body.Len(), maxPageWeight)
			}
			for _, k := range []string{"reteach", "tutoring", "extension", "referral"} {
				if !strings.Contains(body, `id="outcomes-`+k+`"`) {
					t.Errorf("%s (%s): no table of %s", c.page, lang, k)
				}
			}
			if !strings.Contains(body, `id="outcomes-caveat"`) {
				t.Errorf("%s (%s): no caveat", c.page, lang)
			}
			if lang == "es" && !strings.Contains(body, "no muestran que un apoyo haya funcionado") {
				t.Errorf("%s: the caveat is not in Spanish", c.page)
			}
			hidden := len(outcomesSuppressedCell.FindAllString(body, -1))
			if hidden == 0 {
				t.Errorf("%s (%s): no hidden cell", c.page, lang)
			}

			// The API hides exactly the cells the page hides, and gives
			// no figure for them.
			api := d.get(t, c.cookie, c.api)
			if api.Code != http.StatusOK {
				t.Fatalf("%s %s: status %d %s", c.who, c.api, api.Code, api.Body.String())
			}
			var got outcomesJSON
			if err := json.Unmarshal(api.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			n, shown := 0, 0
			for _, k := range got.Kinds {
				for i, cells := range [][]outcomeCellJSON{k.Supported, k.Compared} {
					if cells[0].Suppressed != "" {
						t.Errorf("%s: %s (%d): all students hidden", c.api, k.Kind, i)
					}
					for _, cell := range cells {
						if cell.Suppressed != "" {
							n++
							if cell.Students != nil || cell.Reached != nil || cell.MedianDays != nil || cell.MedianOver {
								t.Errorf("%s: hidden cell %+v carries figures", c.api, cell)
							}
						} else {
							shown++
							if cell.Students == nil || *cell.Students < got.MinStudents {
								t.Errorf("%s: cell %+v shown", c.api, cell)
							}
						}
					}
				}
			}
			if n != hidden {
				t.Errorf("%s hides %d cells, %s %d", c.api, n, c.page, hidden)
			}
			if shown == 0 {
				t.Errorf("%s shows nothing", c.api)
			}
		}
	}

	csv := d.get(t, d.admin, "/admin/outcomes.csv")
	if csv.Code != http.StatusOK || !strings.HasPrefix(csv.Header().Get("Content-Type"), "text/csv") ||
		!strings.Contains(csv.Body.String(), "reteach,supported,,,,,") || !strings.Contains(csv.Body.String(), ",too_few,") {
		t.Errorf("district CSV: %d %q\n%s", csv.Code, csv.Header().Get("Content-Type"), csv.Body.String())
	}
	scsv := d.get(t, coach, fmt.Sprintf("/schools/%d/outcomes.csv", school))
	if scsv.Code != http.StatusOK || strings.Count(scsv.Body.String(), "\n") < 10 {
		t.Errorf("school CSV: %d\n%s", scsv.Code, scsv.Body.String())
	}

	// The school's pace links to its outcomes; the admin page to the
	// district's.
	if res := d.get(t, lead, fmt.Sprintf("/schools/%d/pace", school)); !strings.Contains(res.Body.String(), fmt.Sprintf(`href="/schools/%d/outcomes"`, school)) {
		t.Errorf("the school's pace does not link to its outcomes")
	}
	if res := d.get(t, d.admin, "/admin"); !strings.Contains(res.Body.String(), `href="/admin/outcomes"`) {
		t.Errorf("the admin page does not link to the outcomes")
	}

	// Teachers see no school's outcomes; a coach sees no other school's,
	// which answers as a school that does not exist; the district's are
	// the administrators'.
	other := int64(0)
	for _, sc := range outcomesSchools(t, d) {
		if sc != school {
			other = sc
		}
	}
	for _, c := range []struct {
		who    string
		cookie *http.Cookie
		path   string
		want   int
	}{
		{"teacher", d.teacher, fmt.Sprintf("/schools/%d/outcomes", school), http.StatusForbidden},
		{"teacher", d.teacher, fmt.Sprintf("/api/v1/schools/%d/outcomes", school), http.StatusForbidden},
		{"coach", coach, fmt.Sprintf("/schools/%d/outcomes", other), http.StatusNotFound},
		{"coach", coach, fmt.Sprintf("/api/v1/schools/%d/outcomes", other), http.StatusNotFound},
		{"coach", coach, fmt.Sprintf("/schools/%d/outcomes", 999999), http.StatusNotFound},
		{"admin", d.admin, fmt.Sprintf("/api/v1/schools/%d/outcomes", 999999), http.StatusNotFound},
		{"coach", coach, "/admin/outcomes", http.StatusForbidden},
		{"coach", coach, "/api/v1/outcomes", http.StatusForbidden},
		{"student", d.student, "/api/v1/outcomes", http.StatusForbidden},
	} {
		if res := d.get(t, c.cookie, c.path); res.Code != c.want {
			t.Errorf("%s %s: status %d, want %d", c.who, c.path, res.Code, c.want)
		}
	}
	// Another school reads, word for word, as one that does not exist.
	for _, path := range []string{"/schools/%d/outcomes", "/api/v1/schools/%d/outcomes", "/schools/%d/outcomes.csv"} {
		hidden := d.get(t, coach, fmt.Sprintf(path, other)).Body.String()
		missing := d.get(t, coach, fmt.Sprintf(path, 999999)).Body.String()
		norm := func(s string, id int64) string {
			s = strings.ReplaceAll(s, fmt.Sprintf("/schools/%d/", id), "/schools/ID/")
			s = strings.ReplaceAll(s, fmt.Sprintf("school %d", id), "school ID")
			return nonces.ReplaceAllString(requestIDs.ReplaceAllString(s, ""), "")
		}
		hidden, missing = norm(hidden, other), norm(missing, 999999)
		if hidden != missing {
			t.Errorf("%s: another school answers\n%s\nand a missing one\n%s", path, hidden, missing)
		}
	}
	// And in the words a district administrator reads of a missing school.
	hidden := d.get(t, coach, fmt.Sprintf("/api/v1/schools/%d/outcomes", other)).Body.String()
	if !strings.Contains(hidden, fmt.Sprintf("school %d", other)) || strings.Contains(hidden, "roster") {
		t.Errorf("another school's outcomes through the API: %s, want it named as a school not found", hidden)
	}
}

func outcomesSchools(t *testing.T, d *demoDistrict) []int64 {
	t.Helper()
	ss, _, err := d.st.Schools(context.Background(), d.sum.DistrictID, store.RosterFilter{Page: store.Page{Limit: 50}})
	if err != nil {
		t.Fatal(err)
	}
	var out []int64
	for _, s := range ss {
		out = append(out, s.ID)
	}
	return out
}
