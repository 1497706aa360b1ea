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

// district returns the engine's model and policies as the mastery
// engine sees them.
func (e *engine) district() mastery.District { return &districtView{m: e.m, pol: e.pol} }

// targetsOf returns stds with all their ancestors, deepest first
// (mastery.Targets).
func (e *engine) targetsOf(stds []int64) []int64 { return mastery.Targets(e.district(), stds) }
