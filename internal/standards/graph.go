package standards

import (
	"github.com/cairn-learning/cairn/internal/problem"
)

// Graph is the shape of a district's standards: who is whose parent, and
// which standards are prerequisites of which. It answers the questions the
// mastery engine and pathways ask without touching a database.
type Graph struct {
	parent   map[int64]int64   // child -> parent (0: none)
	children map[int64][]int64 // parent -> children, in order
	prereqs  map[int64][]int64 // standard -> its prerequisites
}

// NewGraph builds a graph from standards (any order) and prerequisite edges.
func NewGraph(all []Standard, prereqs []Prerequisite) *Graph {
	g := &Graph{
		parent:   make(map[int64]int64, len(all)),
		children: make(map[int64][]int64),
		prereqs:  make(map[int64][]int64),
	}
	byPos := make(map[int64]int, len(all))
	for _, s := range all {
		byPos[s.ID] = s.Position
		if s.ParentID != nil {
			g.parent[s.ID] = *s.ParentID
			g.children[*s.ParentID] = append(g.children[*s.ParentID], s.ID)
		}
	}
	for p, kids := range g.children {
		sortByPosition(kids, byPos)
		g.children[p] = kids
	}
	for _, e := range prereqs {
		g.prereqs[e.StandardID] = append(g.prereqs[e.StandardID], e.PrerequisiteID)
	}
	return g
}

func sortByPosition(ids []int64, pos map[int64]int) {
	for i := 1; i < len(ids); i++ {
		for j := i; j > 0 && (pos[ids[j]] < pos[ids[j-1]] || pos[ids[j]] == pos[ids[j-1]] && ids[j] < ids[j-1]); j-- {
			ids[j], ids[j-1] = ids[j-1], ids[j]
		}
	}
}

// Parent returns the parent of id, and false when id is a root.
func (g *Graph) Parent(id int64) (int64, bool) {
	p, ok := g.parent[id]
	return p, ok && p != 0
}

// Children returns id's children in order.
func (g *Graph) Children(id int64) []int64 { return g.children[id] }

// Ancestors returns id's parent, grandparent and so on, nearest first.
func (g *Graph) Ancestors(id int64) []int64 {
	var out []int64
	seen := map[int64]bool{id: true}
	for p, ok := g.Parent(id); ok && !seen[p]; p, ok = g.Parent(p) {
		seen[p] = true
		out = append(out, p)
	}
	return out
}

// Prerequisites returns the standards that must be mastered before id.
func (g *Graph) Prerequisites(id int64) []int64 { return g.prereqs[id] }

// CheckPrerequisite returns an error when adding "pre must be mastered
// before std" would make a standard its own prerequisite, directly or
// through a chain.
func (g *Graph) CheckPrerequisite(std, pre int64) error {
	if std == pre {
		return problem.Invalid("prerequisiteId", "a standard cannot be its own prerequisite")
	}
	// A cycle appears when std is already (transitively) a prerequisite of pre.
	seen := map[int64]bool{}
	stack := []int64{pre}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n == std {
			return problem.Invalid("prerequisiteId", "standard %d already depends on standard %d: the prerequisite would make a cycle", pre, std)
		}
		if seen[n] {
			continue
		}
		seen[n] = true
		stack = append(stack, g.prereqs[n]...)
	}
	return nil
}

// CheckParent returns an error when making parent the parent of child would
// put child above itself in the hierarchy.
func (g *Graph) CheckParent(child, parent int64) error {
	if child == parent {
		return problem.Invalid("parentId", "a standard cannot be its own parent")
	}
	for _, a := range append([]int64{parent}, g.Ancestors(parent)...) {
		if a == child {
			return problem.Invalid("parentId", "standard %d is below standard %d: the hierarchy would loop", parent, child)
		}
	}
	return nil
}
