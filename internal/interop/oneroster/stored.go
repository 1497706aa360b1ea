package oneroster

import (
	"io"
	"time"

	"github.com/cairn-learning/cairn/internal/importplan"
	"github.com/cairn-learning/cairn/internal/interop/casepkg"
	"github.com/cairn-learning/cairn/internal/standards"
)

// FromStored builds the OneRoster 1.2 roster of a district as the store
// holds it (see FromDistrict), the records its imports kept decoded.
func FromStored(sr importplan.StoredRoster) (*Roster, error) {
	d := District{RosterRecords: sr.RosterRecords, Kept: &Kept{}}
	for _, k := range sr.Kept {
		if err := d.Kept.Add(Entity(k.Entity), k.Record); err != nil {
			return nil, err
		}
	}
	return FromDistrict(d)
}

// WriteStored writes a district's roster as the store holds it as a
// OneRoster 1.2 bulk CSV package (a zip) that an import reads back as the
// same records: importing it into the same district changes nothing, and
// a new district made from it exports the same files. Records the
// district's imports brought go out as they came, with what cairn holds of
// them put in (FromStored). opt.Now is required; opt.SourceSystemCode
// defaults to the district's sourcedId. It returns the roster written.
func WriteStored(w io.Writer, sr importplan.StoredRoster, opt WriteOptions) (*Roster, error) {
	ro, err := FromStored(sr)
	if err != nil {
		return nil, err
	}
	if opt.SourceSystemCode == "" {
		// The district is the system the records come from.
		opt.SourceSystemCode = ro.Orgs[0].SourcedID
	}
	return ro, Write(w, ro, opt)
}

// StoredMasteryResults names the results of m as a gradebook does: each
// standard by the CASE identifier its framework's export gives it
// (casepkg.ItemIdentifiers). It also returns the scale of each standard,
// by CASE identifier.
func StoredMasteryResults(m importplan.StoredMastery) ([]MasteryResult, map[string]standards.Scale, error) {
	caseIDs := map[int64]string{}
	for _, fw := range m.Frameworks {
		ids, err := casepkg.ItemIdentifiers(fw)
		if err != nil {
			return nil, nil, err
		}
		for id, caseID := range ids {
			caseIDs[id] = caseID
		}
	}
	out := make([]MasteryResult, 0, len(m.Results))
	scaleOf := map[string]standards.Scale{}
	for _, r := range m.Results {
		st := r.Standard
		st.SourcedID = caseIDs[st.ID]
		scaleOf[st.SourcedID] = r.Scale
		out = append(out, MasteryResult{
			ClassSourcedID:   r.ClassSourcedID,
			SchoolSourcedID:  r.SchoolSourcedID,
			TermSourcedID:    r.TermSourcedID,
			TermStart:        r.TermStart,
			TermEnd:          r.TermEnd,
			StudentSourcedID: r.StudentSourcedID,
			Standard:         st,
			Value:            r.Value,
			Level:            r.Level,
			Mastered:         r.Mastered,
			AssessedAt:       r.AssessedAt,
		})
	}
	return out, scaleOf, nil
}

// WriteMasteryGradebook writes per-standard mastery as the store holds it
// as a OneRoster 1.2 gradebook package (a zip): one line item per class
// and standard, one result per student, each tied to the standard's CASE
// identifier as its learning objective (StoredMasteryResults), scored on
// the standard's scale. Rows are dated by the data (terms, evidence: see
// MasteryGradebook); now dates the zip's files and is required. It
// returns the number of results written.
func WriteMasteryGradebook(w io.Writer, m importplan.StoredMastery, now time.Time) (int, error) {
	results, scales, err := StoredMasteryResults(m)
	if err != nil {
		return 0, err
	}
	// MasteryGradebook scores on one scale: one gradebook per scale, in
	// the order the scales first appear, put together.
	var order []int64
	groups := map[int64][]MasteryResult{}
	scaleByID := map[int64]standards.Scale{}
	for _, res := range results {
		sc := scales[res.Standard.SourcedID]
		if _, ok := groups[sc.ID]; !ok {
			order = append(order, sc.ID)
			scaleByID[sc.ID] = sc
		}
		groups[sc.ID] = append(groups[sc.ID], res)
	}
	var gb Gradebook
	for i, id := range order {
		part := MasteryGradebook(groups[id], scaleByID[id])
		if i == 0 {
			gb.Categories = part.Categories
		}
		gb.LineItems = append(gb.LineItems, part.LineItems...)
		gb.Results = append(gb.Results, part.Results...)
	}
	if len(order) == 0 {
		gb = MasteryGradebook(nil, standards.DefaultScale())
	}
	return len(results), WriteGradebook(w, gb, now)
}
