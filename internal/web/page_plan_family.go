package web

import (
	"context"

	"github.com/cairn-learning/cairn/internal/i18n"
	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/standards"
)

// familyNext is one line of "what comes next" on a guardian's page, from
// the child's plan, in plain words.
type familyNext struct {
	StandardID int64
	// Class names the class; Statement is the standard's, in the
	// language Lang.
	Class, Statement, Lang string
	// WhyKey is the catalog key of why it comes next; For, in ForLang,
	// is the later target a prerequisite is for ("" for the others).
	WhyKey, For, ForLang string
	// Due says when the class plans to start it, "" without a date.
	Due string
}

// familyNextPerClass is how many next targets a guardian reads per class:
// a short answer to "what comes next".
const familyNextPerClass = 2

// familyPathOf says what comes next for a child from their plans: the
// recommended targets of each class, with why in a family's words. The
// caller has checked and logged the access to the plan.
func (s *Server) familyPathOf(ctx context.Context, pr *i18n.Printer, cat *standards.Catalog, districtID, studentID int64) ([]familyNext, error) {
	plans, states, err := s.store.StudentPlans(ctx, districtID, studentID)
	if err != nil {
		return nil, err
	}
	interests, err := s.store.StudentInterests(ctx, districtID, studentID)
	if err != nil {
		return nil, err
	}
	tags, err := s.plansTags(ctx, districtID, plans)
	if err != nil {
		return nil, err
	}
	var out []familyNext
	for _, sp := range plans {
		recs := pathways.Recommend(sp.Plan, standingOf(cat, states), interestsOf(tags, interests), familyNextPerClass)
		for _, rec := range recs {
			st, ok := cat.Standard(rec.StandardID)
			if !ok {
				continue
			}
			n := familyNext{StandardID: st.ID, Class: sp.Class.Title, Statement: st.Statement, Lang: cat.LangOf(st),
				WhyKey: "plan.family.why.next"}
			switch rec.Reason.Code {
			case pathways.ReasonPrerequisite:
				if target, ok := cat.Standard(rec.Reason.For); ok {
					n.WhyKey, n.For, n.ForLang = "plan.family.why.prerequisite", target.Statement, cat.LangOf(target)
				}
			case pathways.ReasonAlmost:
				n.WhyKey = "plan.family.why.almost"
			case pathways.ReasonBeyond:
				n.WhyKey = "plan.family.why.beyond"
			}
			if t := sp.Targets; rec.Position >= 0 && rec.Position < len(t) && t[rec.Position].Due != nil {
				n.Due = pr.T("plan.family.due", pr.Date(*t[rec.Position].Due))
			}
			out = append(out, n)
		}
	}
	return out, nil
}
