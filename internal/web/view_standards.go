package web

import (
	"context"
	"strconv"

	"github.com/cairn-learning/cairn/internal/standards"
	"github.com/cairn-learning/cairn/internal/store"
)

// districtStandards is what pages need to show standards against their
// scales: each framework and its scale.
type districtStandards struct {
	frameworks map[int64]standards.Framework
	scales     map[int64]standards.Scale
	// order lists the framework ids by id.
	order []int64
	// lang is the language the district writes its own text in, such as
	// evidence titles (frameworks carry their own).
	lang string
}

// loadDistrictStandards reads the district's frameworks and scales.
func (s *Server) loadDistrictStandards(ctx context.Context, districtID int64) (*districtStandards, error) {
	fws, err := s.store.Frameworks(ctx, districtID)
	if err != nil {
		return nil, err
	}
	scs, err := s.store.Scales(ctx, districtID)
	if err != nil {
		return nil, err
	}
	district, err := s.store.District(ctx, districtID)
	if err != nil {
		return nil, err
	}
	d := &districtStandards{frameworks: map[int64]standards.Framework{}, scales: map[int64]standards.Scale{}, lang: district.Language}
	for _, f := range fws {
		d.frameworks[f.ID] = f
		d.order = append(d.order, f.ID)
	}
	for _, sc := range scs {
		d.scales[sc.ID] = sc
	}
	return d, nil
}

// scaleOf returns the scale of a standard's framework.
func (d *districtStandards) scaleOf(st standards.Standard) standards.Scale {
	if f, ok := d.frameworks[st.FrameworkID]; ok {
		if sc, ok := d.scales[f.ScaleID]; ok {
			return sc
		}
	}
	return standards.DefaultScale()
}

// langOf is the language tag a standard's framework is written in.
func (d *districtStandards) langOf(st standards.Standard) string {
	if f, ok := d.frameworks[st.FrameworkID]; ok {
		return f.Lang()
	}
	return standards.DefaultLanguage
}

// levelClass is the CSS class that colours a level: l1 for a scale's
// lowest level, l2 for the next, and so on; l0 for no evidence.
func levelClass(sc standards.Scale, level float64) string {
	for i, l := range sc.Levels {
		if l.Value == level {
			return "l" + strconv.Itoa(min(i+1, 6))
		}
	}
	return "l0"
}

// shortLabel is how a standard is named where space is short: its code,
// or the start of its statement.
func shortLabel(st standards.Standard) string {
	if st.Code != "" {
		return st.Code
	}
	return truncateWords(st.Statement, 24)
}

// truncateWords cuts s to about n characters at a word boundary, adding
// an ellipsis when it cut.
func truncateWords(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := n
	for cut > n/2 && r[cut] != ' ' {
		cut--
	}
	return string(r[:cut]) + "…"
}

// stateMap indexes mastery states by student and standard.
type stateKey struct{ student, standard int64 }

func indexStates(states []store.MasteryState) map[stateKey]*store.MasteryState {
	m := make(map[stateKey]*store.MasteryState, len(states))
	for i := range states {
		m[stateKey{states[i].StudentID, states[i].StandardID}] = &states[i]
	}
	return m
}
