package store

import (
	"github.com/cairn-learning/cairn/internal/mastery"
	"github.com/cairn-learning/cairn/internal/standards"
)

// districtView is a cached model and policies seen as the
// mastery.District the engine decides with.
type districtView struct {
	m   *model
	pol *policies
}

// Children implements mastery.District.
func (d *districtView) Children(id int64) []int64 { return d.m.graph.Children(id) }

// Ancestors implements mastery.District.
func (d *districtView) Ancestors(id int64) []int64 { return d.m.graph.Ancestors(id) }

// Depth implements mastery.District.
func (d *districtView) Depth(id int64) int { return d.m.std[id].depth }

// Scale implements mastery.District.
func (d *districtView) Scale(id int64) (standards.Scale, bool) { return d.m.scaleOf(id) }

// Tracer implements mastery.District.
func (d *districtView) Tracer(id int64) mastery.Tracer { return d.m.tracer(id) }

// Policy implements mastery.District.
func (d *districtView) Policy(id int64) mastery.Policy { return d.pol.of(id) }

// studentView is the district as the engine decides one student's states
// with: the estimates come from the ability model inside the district's
// fitted logistic model, from the student's state kept online.
type studentView struct {
	*districtView
	kt *ktFit
	st *ktStudent
}

// Tracer implements mastery.District.
func (v *studentView) Tracer(id int64) mastery.Tracer {
	t := v.districtView.Tracer(id)
	// The belief as it stood just after the student's latest response on
	// the standard: responses on other standards since move the overall
	// ability, but do not rewrite this standard's state.
	a := &mastery.AbilityTrace{Params: v.kt.model.Ability}
	if tr := v.st.state.Standards[id]; tr != nil {
		a.Student, a.Standard = tr.StudentAbility, tr.Ability
	}
	if w := v.kt.standards[id]; w != nil {
		a.Rating = w.Rating
	}
	t.Ability, t.Fitted = a, true
	return t
}

// studentDistrict returns d as the engine decides student's states with:
// d itself while the district has no fitted logistic model (BKT gives
// the estimates), else a view whose tracers give the ability model's.
func (e *engine) studentDistrict(d mastery.District, student int64) mastery.District {
	f := e.m.kt
	if f == nil || !f.fitted {
		return d
	}
	st := e.ktStates[student]
	if st == nil {
		st = &ktStudent{id: student}
	}
	return &studentView{districtView: d.(*districtView), kt: f, st: st}
}

// district returns the engine's model and policies as the mastery
// engine sees them.
func (e *engine) district() mastery.District { return &districtView{m: e.m, pol: e.pol} }

// targetsOf returns stds with all their ancestors, deepest first
// (mastery.Targets).
func (e *engine) targetsOf(stds []int64) []int64 { return mastery.Targets(e.district(), stds) }
