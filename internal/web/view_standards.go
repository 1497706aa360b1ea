package web

import (
	"strconv"

	"github.com/cairn-learning/cairn/internal/standards"
	"github.com/cairn-learning/cairn/internal/store"
)

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
