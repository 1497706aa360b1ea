package web

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/store"
)

// classesPage lists the classes a person teaches, coaches or leads.
type classesPage struct {
	pageBase
	// Title is "My classes" for a teacher, "Classes" for anyone who also
	// sees classes they do not teach.
	Title   string
	Classes []classItem
	// SchoolPace links to the pace of each school the person leads.
	SchoolPace []navLink
}

type classItem struct {
	roster.Class
	Course string
	// School is the class's school, named only when the list holds classes
	// of more than one school: both may have a "Math 6, Period 1".
	School    string
	URL       string
	RecordURL string
	Teaches   bool
}

// maxListedClasses bounds the list of a district administrator, who could
// otherwise be shown every class of a large district at once.
const maxListedClasses = 500

func (s *Server) classesPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	a := actorOf(r)
	pr := s.printerOf(r)
	// A district administrator sees the district's classes (the first
	// maxListedClasses of them); school leaders and coaches their schools';
	// teachers the classes they teach.
	var classes []roster.Class
	var err error
	switch {
	case a.Has(roster.RoleDistrictAdmin):
		classes, _, err = s.store.Classes(ctx, a.DistrictID, store.RosterFilter{Page: store.Page{Limit: maxListedClasses}})
	case a.Has(roster.RoleSchoolAdmin) || a.Has(roster.RoleCoach):
		classes, err = s.store.SchoolClasses(ctx, a.DistrictID, a.SchoolIDs)
		if err == nil && a.Has(roster.RoleTeacher) {
			var own []roster.Class
			own, err = s.store.PersonClasses(ctx, a.DistrictID, a.PersonID)
			for _, c := range own {
				if !slices.ContainsFunc(classes, func(x roster.Class) bool { return x.ID == c.ID }) {
					classes = append(classes, c)
				}
			}
		}
	default:
		classes, err = s.store.PersonClasses(ctx, a.DistrictID, a.PersonID)
	}
	if err != nil {
		return err
	}
	ids := make([]int64, len(classes))
	for i, c := range classes {
		ids[i] = c.ID
	}
	listings, err := s.store.ClassListings(ctx, a, ids)
	if err != nil {
		return err
	}
	title := pr.T("classes.title")
	if seesOthersClasses(a) {
		title = pr.T("classes.title_all")
	}
	data := &classesPage{pageBase: s.newBase(w, r, title), Title: title}
	schools := map[int64]bool{}
	for _, c := range classes {
		l, ok := listings[c.ID]
		if !ok {
			continue
		}
		scope := access.Scope{SchoolID: l.SchoolID, ClassTaught: l.Teaches}
		if access.Allow(a, access.View, access.Class, scope) != nil {
			continue
		}
		if !schools[l.SchoolID] && access.Allow(a, access.View, access.Roster, access.Scope{SchoolID: l.SchoolID}) == nil {
			data.SchoolPace = append(data.SchoolPace, navLink{Label: pr.T("pace.school.link", l.SchoolName), URL: fmt.Sprintf("/schools/%d/pace", l.SchoolID)})
		}
		schools[l.SchoolID] = true
		item := classItem{Class: c, Course: l.CourseTitle, School: l.SchoolName, URL: fmt.Sprintf("/classes/%d", c.ID), Teaches: l.Teaches}
		if access.Allow(a, access.Change, access.Class, scope) == nil {
			item.RecordURL = fmt.Sprintf("/classes/%d/record", c.ID)
		}
		data.Classes = append(data.Classes, item)
	}
	if len(schools) < 2 {
		for i := range data.Classes {
			data.Classes[i].School = ""
		}
	}
	// The classes a person teaches come first, then by school, period and
	// title.
	slices.SortStableFunc(data.Classes, func(x, y classItem) int {
		if x.Teaches != y.Teaches {
			if x.Teaches {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(x.School, y.School), cmp.Compare(x.Period, y.Period), cmp.Compare(x.Title, y.Title))
	})
	return s.renderPage(w, r, http.StatusOK, "classes", data)
}
