package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/cairn-learning/cairn/internal/access"

	"github.com/cairn-learning/cairn/internal/mastery"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/standards"
	"github.com/cairn-learning/cairn/internal/store"
)

// masteryJSON is a student's mastery of one standard as the API shows it.
// Lists leave the explanation out; the single state carries it with a
// plain-words summary.
type masteryJSON struct {
	StudentID     int64     `json:"studentId"`
	StandardID    int64     `json:"standardId"`
	Value         float64   `json:"value"`
	Level         float64   `json:"level"`
	LevelLabel    string    `json:"levelLabel"`
	Mastered      bool      `json:"mastered"`
	EvidenceCount int       `json:"evidenceCount"`
	LastAssessed  time.Time `json:"lastAssessed"`
	Trend         float64   `json:"trend"`
	UpdatedAt     time.Time `json:"updatedAt"`
	// Model is the knowledge tracing model's estimate from the standard's
	// own evidence; absent for a standard rolled up from others alone.
	Model *mastery.MasteryEstimate `json:"model,omitempty"`
	// Explanation says how the value was reached (single state only).
	Explanation *mastery.Explanation `json:"explanation,omitempty"`
	// StalledBelow lists, in a student's list of mastery, the
	// prerequisites of the standard the student has worked on and not
	// mastered while not mastering this one either (mastery.Stall):
	// what to master first. Absent when the student is not stalled.
	StalledBelow []int64 `json:"stalledBelow,omitempty"`
}

func newMasteryJSON(m store.MasteryState, explain bool) masteryJSON {
	j := masteryJSON{
		StudentID: m.StudentID, StandardID: m.StandardID,
		Value: m.Value, Level: m.Level, LevelLabel: m.LevelLabel, Mastered: m.Mastered,
		EvidenceCount: m.EvidenceCount, LastAssessed: m.LastAssessed, Trend: m.Trend,
		UpdatedAt: m.UpdatedAt, Model: m.Model,
	}
	if explain {
		e := m.Explanation
		j.Explanation = &e
	}
	return j
}

func masteryList(states []store.MasteryState) []masteryJSON {
	out := make([]masteryJSON, len(states))
	for i, m := range states {
		out[i] = newMasteryJSON(m, false)
	}
	return out
}

// studentMastery lists a student's mastery of every standard that has
// evidence, each with the prerequisites the student is stalled below on
// it.
func (s *Server) studentMastery(w http.ResponseWriter, r *http.Request) error {
	st, err := s.pathStudent(r, access.View, access.Mastery)
	if err != nil {
		return err
	}
	ctx := r.Context()
	states, err := s.store.StudentMastery(ctx, s.districtOf(r), st.ID)
	if err != nil {
		return err
	}
	cat, err := s.store.Catalog(ctx, s.districtOf(r))
	if err != nil {
		return err
	}
	byStandard := make(map[int64]*store.MasteryState, len(states))
	for i := range states {
		byStandard[states[i].StandardID] = &states[i]
	}
	state := func(id int64) (mastery.State, bool) {
		if ms := byStandard[id]; ms != nil {
			return ms.State, true
		}
		return mastery.State{}, false
	}
	list := masteryList(states)
	for i := range list {
		list[i].StalledBelow = mastery.StalledBelow(list[i].StandardID, cat.Prerequisites, state)
	}
	writeJSON(w, http.StatusOK, newList(list, 0))
	return nil
}

// standardMasteryJSON is one student's mastery of one standard, with the
// explanation in plain words. State is null until there is evidence.
type standardMasteryJSON struct {
	StudentID int64              `json:"studentId"`
	Standard  standards.Standard `json:"standard"`
	// Scale is the standard's scale, to show the value against its levels.
	Scale    standards.Scale `json:"scale"`
	Assessed bool            `json:"assessed"`
	State    *masteryJSON    `json:"state"`
	// Summary tells how the state was reached in a sentence or two.
	Summary string `json:"summary"`
}

// studentStandardMastery answers where a student stands on one standard
// and why.
func (s *Server) studentStandardMastery(w http.ResponseWriter, r *http.Request) error {
	stu, err := s.pathStudent(r, access.View, access.Mastery)
	if err != nil {
		return err
	}
	std, err := s.pathStandard(r, "standardId")
	if err != nil {
		return err
	}
	ctx := r.Context()
	fw, err := s.store.Framework(ctx, s.districtOf(r), std.FrameworkID)
	if err != nil {
		return err
	}
	scale, err := s.store.Scale(ctx, s.districtOf(r), fw.ScaleID)
	if err != nil {
		return err
	}
	out := standardMasteryJSON{StudentID: stu.ID, Standard: std, Scale: scale}
	m, err := s.store.MasteryOf(ctx, s.districtOf(r), stu.ID, std.ID)
	switch {
	case errors.Is(err, problem.ErrNotFound):
		out.Summary = mastery.Explanation{}.Summary(scale, mastery.State{})
	case err != nil:
		return err
	default:
		j := newMasteryJSON(m, true)
		out.Assessed, out.State = true, &j
		out.Summary = m.Explanation.Summary(scale, m.State)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// classMatrixJSON is a class's students against its course's standards in
// a compact shape for a heatmap: Cells[i][j] is Students[i] on
// Standards[j], or null when there is no evidence yet.
type classMatrixJSON struct {
	Class     roster.Class     `json:"class"`
	Students  []matrixStudent  `json:"students"`
	Standards []matrixStandard `json:"standards"`
	Cells     [][]*matrixCell  `json:"cells"`
}

type matrixStudent struct {
	ID         int64  `json:"id"`
	GivenName  string `json:"givenName"`
	FamilyName string `json:"familyName"`
}

type matrixStandard struct {
	ID        int64  `json:"id"`
	Code      string `json:"code,omitempty"`
	Statement string `json:"statement"`
	ParentID  *int64 `json:"parentId,omitempty"`
}

// matrixCell is one student's state on one standard, without its
// explanation (ask for the single state for that).
type matrixCell struct {
	Value    float64 `json:"value"`
	Level    float64 `json:"level"`
	Label    string  `json:"label"`
	Mastered bool    `json:"mastered"`
	Count    int     `json:"count"`
	// PMastered is the model's probability of mastery and Verdict its
	// verdict, when the standard has evidence of its own.
	PMastered *float64        `json:"pMastered,omitempty"`
	Verdict   mastery.Verdict `json:"verdict,omitempty"`
}

func (s *Server) classMastery(w http.ResponseWriter, r *http.Request) error {
	c, err := s.classAccess(r, access.View)
	if err != nil {
		return err
	}
	cat, err := s.store.Catalog(r.Context(), c.DistrictID)
	if err != nil {
		return err
	}
	m, rels, _, err := s.classMatrix(r, c, cat, nil)
	if err != nil {
		return err
	}
	if err := s.auditClass(r, m.Students, rels, access.View, access.Mastery, "mastery matrix of class "+strconv.FormatInt(c.ID, 10)); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newClassMatrixJSON(m))
	return nil
}

// classMatrix is the class's matrix of mastery: the students the actor
// may see the mastery of (classRoster, by name) against the standards of
// the class's course (from the catalog, in hierarchy order), and the
// relation that allows each student. The cells carry no explanation. The
// states of the students on the standards extra names, outside the
// course, are read in the same query and returned by student and
// standard.
func (s *Server) classMatrix(r *http.Request, c roster.Class, cat *standards.Catalog, extra []int64) (store.ClassMatrix, map[int64]access.Relation, map[stateKey]*store.MasteryState, error) {
	students, rels, err := s.classRoster(r, c.ID, access.View, access.Mastery)
	if err != nil {
		return store.ClassMatrix{}, nil, nil, err
	}
	m := store.ClassMatrix{Class: c, Students: students, Standards: cat.CourseStandards(c.CourseID)}
	ids := make([]int64, len(students))
	for i, p := range students {
		ids[i] = p.ID
	}
	stds := make([]int64, 0, len(m.Standards)+len(extra))
	for _, st := range m.Standards {
		stds = append(stds, st.ID)
	}
	stds = append(stds, extra...)
	states, err := s.store.MatrixStates(r.Context(), c.DistrictID, ids, stds)
	if err != nil {
		return m, nil, nil, err
	}
	index := indexStates(states)
	// One allocation for the rows of the whole class.
	m.Cells = make([][]*store.MasteryState, len(students))
	cells := make([]*store.MasteryState, len(students)*len(m.Standards))
	for i, p := range students {
		m.Cells[i] = cells[i*len(m.Standards) : (i+1)*len(m.Standards) : (i+1)*len(m.Standards)]
		for j, st := range m.Standards {
			m.Cells[i][j] = index[stateKey{p.ID, st.ID}]
		}
	}
	return m, rels, index, nil
}

// newClassMatrixJSON turns the store's matrix into the API's shape.
func newClassMatrixJSON(m store.ClassMatrix) classMatrixJSON {
	out := classMatrixJSON{
		Class:     m.Class,
		Students:  make([]matrixStudent, len(m.Students)),
		Standards: make([]matrixStandard, len(m.Standards)),
		Cells:     make([][]*matrixCell, len(m.Cells)),
	}
	for i, p := range m.Students {
		out.Students[i] = matrixStudent{ID: p.ID, GivenName: p.GivenName, FamilyName: p.FamilyName}
	}
	for j, st := range m.Standards {
		out.Standards[j] = matrixStandard{ID: st.ID, Code: st.Code, Statement: st.Statement, ParentID: st.ParentID}
	}
	// One allocation for all the cells of the class.
	n := 0
	for _, row := range m.Cells {
		for _, c := range row {
			if c != nil {
				n++
			}
		}
	}
	cells := make([]matrixCell, 0, n)
	for i, row := range m.Cells {
		out.Cells[i] = make([]*matrixCell, len(row))
		for j, c := range row {
			if c == nil {
				continue
			}
			cell := matrixCell{Value: c.Value, Level: c.Level, Label: c.LevelLabel, Mastered: c.Mastered, Count: c.EvidenceCount}
			if est := c.Model; est != nil {
				cell.PMastered, cell.Verdict = &est.PMastered, est.Verdict
			}
			cells = append(cells, cell)
			out.Cells[i][j] = &cells[len(cells)-1]
		}
	}
	return out
}

// classStandardMasteryJSON is a class's students' states on one standard.
type classStandardMasteryJSON struct {
	ClassID  int64              `json:"classId"`
	Standard standards.Standard `json:"standard"`
	Items    []masteryJSON      `json:"items"`
}

func (s *Server) classStandardMastery(w http.ResponseWriter, r *http.Request) error {
	c, err := s.classAccess(r, access.View)
	if err != nil {
		return err
	}
	std, err := s.pathStandard(r, "standardId")
	if err != nil {
		return err
	}
	_, rels, err := s.classRoster(r, c.ID, access.View, access.Mastery)
	if err != nil {
		return err
	}
	all, err := s.store.StandardMastery(r.Context(), s.districtOf(r), c.ID, std.ID)
	if err != nil {
		return err
	}
	var states []store.MasteryState
	var students []roster.Person
	for _, m := range all {
		if _, ok := rels[m.StudentID]; ok {
			states = append(states, m)
			students = append(students, roster.Person{ID: m.StudentID})
		}
	}
	if err := s.auditClass(r, students, rels, access.View, access.Mastery, "mastery of class "+strconv.FormatInt(c.ID, 10)+" on standard "+strconv.FormatInt(std.ID, 10)); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, classStandardMasteryJSON{ClassID: c.ID, Standard: std, Items: masteryList(states)})
	return nil
}
