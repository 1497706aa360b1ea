package demo

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/standards"
)

// The demo's playlists: for each standard of the featured class's course,
// one playlist by its teacher (watch, practise, a small group, a project
// to show mastery) and, for every other standard, one by the co-teacher
// shared to the school's library (read, inquire, out of school), so that
// the library has something to find and copy. The featured student has
// chosen how to learn the first standards. Links go to the standard's page
// on thecorestandards.org and to a search of Khan Academy for its code.

// mathCode is the code of a Common Core mathematics standard: grade,
// domain, cluster, number and an optional component letter.
var mathCode = regexp.MustCompile(`^(\d)\.([A-Z]+)\.([A-Z])\.(\d+)([a-z]?)$`)

// standardLinks returns the addresses of a standard's page and of a video
// search for it, or "" for a code that is not a mathematics standard's.
func standardLinks(code string) (page, videos string) {
	m := mathCode.FindStringSubmatch(code)
	if m == nil {
		return "", ""
	}
	page = fmt.Sprintf("https://www.thecorestandards.org/Math/Content/%s/%s/%s/%s/", m[1], m[2], m[3], m[4])
	if m[5] != "" {
		page += m[5] + "/"
	}
	return page, "https://www.khanacademy.org/search?page_search_query=" + code
}

// demoPlaylists returns the playlists for the standards sts of the
// featured class, made by teacher and co-teacher (0: none) at school.
func demoPlaylists(district, teacher, coTeacher int64, school *int64, sts []standards.Standard) []pathways.Playlist {
	var out []pathways.Playlist
	for i, st := range sts {
		page, videos := standardLinks(st.Code)
		brief := st.Code
		watch := pathways.Activity{Title: "Watch: a short lesson on " + brief, Link: videos, Modality: pathways.Video, Minutes: 10,
			Interests: []string{"videos"}, Language: "en"}
		if videos == "" {
			watch = pathways.Activity{Title: "Mini-lesson with the class on " + brief, Modality: pathways.DirectInstruction, Minutes: 15}
		}
		out = append(out, pathways.Playlist{DistrictID: district, StandardID: st.ID, OwnerID: teacher, SchoolID: school,
			Title:       brief + ": your way in",
			Description: "Pick at least two activities, then choose how you will show me what you learned.",
			WaysToShow:  []evidence.Kind{evidence.PerformanceTask, evidence.Summative, evidence.Portfolio},
			Activities: []pathways.Activity{
				watch,
				{Title: "Practice set: " + brief, Modality: pathways.Practice, Minutes: 20, Description: "Ten problems; check your answers with a partner."},
				{Title: "Small group with your teacher", Modality: pathways.SmallGroup, Minutes: 15, Description: "Sign up on the board; bring your questions."},
				{Title: "Project: " + brief + " in real life", Modality: pathways.Project, Minutes: 90, Interests: []string{"cooking", "sports", "music"},
					Description: "Find an example at home or in a sport you like, and explain it with numbers.", Assessment: true},
			}})
		if coTeacher == 0 || i%2 == 1 {
			continue
		}
		read := pathways.Activity{Title: "Read the standard and its examples", Link: page, Modality: pathways.Reading, Minutes: 10, Language: "en"}
		if page == "" {
			read = pathways.Activity{Title: "Read the standard and its examples", Modality: pathways.Reading, Minutes: 10}
		}
		out = append(out, pathways.Playlist{DistrictID: district, StandardID: st.ID, OwnerID: coTeacher, SchoolID: school, Shared: true,
			Title:       brief + ": explore and explain",
			Description: "For students who like to find things out for themselves.",
			WaysToShow:  []evidence.Kind{evidence.PerformanceTask, evidence.Observation},
			Activities: []pathways.Activity{
				read,
				{Title: "Inquiry: what do you notice, what do you wonder?", Modality: pathways.Inquiry, Minutes: 25},
				{Title: "Flipped: watch at home, solve in class", Link: videos, Modality: pathways.Flipped, Minutes: 30},
				{Title: "Out of school: find it at the store", Modality: pathways.OutOfSchool, Minutes: 30, Interests: []string{"shopping"},
					Description: "Take a photo of prices or a recipe and bring it to class.", Language: "es"},
			}})
	}
	return out
}

// playlists writes the demo's playlists and the featured student's
// choices, in one transaction each.
func (l *loader) playlists(sum Summary) error {
	ctx, st := l.ctx, l.st
	cat, err := st.Catalog(ctx, l.district)
	if err != nil {
		return err
	}
	var sts []standards.Standard
	for _, s := range cat.CourseStandards(sum.Class.CourseID) {
		if strings.EqualFold(s.Type, "Standard") && !s.Retired {
			sts = append(sts, s)
		}
	}
	var coTeacher int64
	for _, e := range l.ds.Enrollments {
		if e.Class == l.ds.Featured.Class && e.Role == roster.EnrolledTeacher && e.Person != l.ds.Featured.Teacher {
			if coTeacher, err = l.id("co-teacher", e.Person); err != nil {
				return err
			}
		}
	}
	school := sum.Class.SchoolID
	ps := demoPlaylists(l.district, sum.Teacher.ID, coTeacher, &school, sts)
	if len(ps) == 0 {
		return nil
	}
	if err := st.CreatePlaylists(ctx, ps); err != nil {
		return err
	}
	// The featured student chose for the first three standards: a video
	// and the project, shown as a performance task; practice and the
	// small group, shown on the summative; the project, in a portfolio.
	picks := []struct {
		activities []int
		way        evidence.Kind
		note       string
	}{
		{[]int{0, 3}, evidence.PerformanceTask, "I want to do the project about soccer."},
		{[]int{1, 2}, evidence.Summative, ""},
		{[]int{3}, evidence.Portfolio, "Can I use my cooking photos?"},
	}
	n := 0
	for _, p := range ps {
		if p.OwnerID != sum.Teacher.ID || n >= len(picks) {
			continue
		}
		c := pathways.Choice{DistrictID: l.district, StudentID: sum.Student.ID, StandardID: p.StandardID, WayToShow: picks[n].way, Note: picks[n].note}
		for _, i := range picks[n].activities {
			c.ActivityIDs = append(c.ActivityIDs, p.Activities[i].ID)
		}
		if err := st.SaveChoice(ctx, &c); err != nil {
			return err
		}
		n++
	}
	return nil
}
