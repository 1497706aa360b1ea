package demo

import (
	"github.com/cairn-learning/cairn/internal/store"
)

// demoDismissals are the notes the featured teacher left on the alerts
// she dealt with, oldest first.
var demoDismissals = []string{
	"Retaught in the small group at table 3; checking again Friday.",
	"Talked with him after class: he missed two days. Catch-up playlist assigned.",
	"",
}

// rules keeps the district's default rules (every new district has them)
// and lets them do their work on the demo's evidence: the alerts raised
// as the evidence was recorded are kept, the daily sweep runs once on the
// district's today as the server runs it each morning, and the featured
// teacher has dismissed a few of her class's alerts, with notes, so that
// both of her lists have something.
func (l *loader) rules(sum Summary) error {
	ctx, st, d := l.ctx, l.st, l.district
	if _, err := st.SweepAlerts(ctx, d); err != nil {
		return err
	}
	open, _, err := st.Alerts(ctx, d, store.AlertFilter{TeacherID: sum.Teacher.ID, ClassID: sum.Class.ID, Page: store.Page{Limit: 500}})
	if err != nil {
		return err
	}
	// The oldest first: what she dealt with earlier in the week.
	for i := range min(len(demoDismissals), len(open)) {
		al := open[len(open)-1-i]
		if _, err := st.DismissAlert(ctx, d, al.ID, sum.Teacher.ID, demoDismissals[i]); err != nil {
			return err
		}
	}
	return nil
}
