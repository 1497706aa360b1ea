package store_test

import (
	"strings"
	"testing"

	"github.com/cairn-learning/cairn/internal/limits"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/store"
)

// TestLimits runs, on every engine, the store's refusal of text past the
// limits of internal/limits, whatever way the record comes in: an import
// that did not go through a parser, a call of the store, the API.
func TestLimits(t *testing.T) {
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			e := open(t, eng.url(t))
			ctx, s := e.ctx, e.s

			t.Run("CASE import", func(t *testing.T) {
				d := emptyDistrict(t, e, "case")
				pkg := parseCASE(t, "fractions-prerequisites-v1p1.json")
				pkg.Framework.Standards[2].Statement = strings.Repeat("s", limits.Statement+1)
				_, err := s.ImportCASE(ctx, d.ID, pkg, store.ImportOptions{})
				wantKind(t, err, problem.ErrInvalid, "statement: longer than the 10000 characters a statement may have")
				if !strings.Contains(err.Error(), pkg.Framework.Standards[2].SourcedID) {
					t.Errorf("error %q does not name the item", err)
				}
				fws, err := s.Frameworks(ctx, d.ID)
				ok(t, err)
				if len(fws) != 0 {
					t.Errorf("%d frameworks after a refused import, want none", len(fws))
				}
			})

			t.Run("OneRoster import", func(t *testing.T) {
				d := emptyDistrict(t, e, "oneroster")
				ro := deepCopyRoster(openRoster(t, e, d.ID, "bulk-v1p2"))
				for i := range ro.Users {
					if ro.Users[i].SourcedID == "usr-s2" {
						ro.Users[i].PreferredGivenName = strings.Repeat("B", 100<<20)
					}
				}
				_, err := s.ImportOneRoster(ctx, d.ID, ro, store.ImportOptions{})
				wantBadInput(t, err, "users.csv", `"usr-s2"`, "givenName", "longer than the 200 characters a name may have")
				ps, _, err := s.People(ctx, d.ID, store.PersonFilter{IncludeRetired: true})
				ok(t, err)
				if len(ps) != 0 {
					t.Errorf("a refused import wrote %d people", len(ps))
				}
			})

			t.Run("records", func(t *testing.T) {
				long := strings.Repeat("é", 1000000)
				err := s.CreateDistrict(ctx, &roster.District{Name: long})
				wantKind(t, err, problem.ErrInvalid, "name: longer than the 200 characters a name may have")
				x := newDistrict(t, e, "records")
				err = s.CreateSchool(ctx, &roster.School{DistrictID: x.d.ID, Name: long})
				wantKind(t, err, problem.ErrInvalid, "name: longer than the 200 characters a name may have")
				err = s.LinkGuardian(ctx, roster.GuardianLink{DistrictID: x.d.ID, GuardianID: x.guardian.ID, StudentID: x.alice.ID, Relationship: long})
				wantKind(t, err, problem.ErrInvalid, "relationship: longer than the 256 characters a relationship may have")
				ev := x.ev(x.alice, 1, level(x.s1, 3))
				ev.Title = long
				err = s.RecordEvidence(ctx, &ev)
				wantKind(t, err, problem.ErrInvalid, "title: longer than the 200 characters a title may have")
				ev.Title = strings.Repeat("é", limits.Title)
				ok(t, s.RecordEvidence(ctx, &ev))
				err = s.VoidEvidence(ctx, x.d.ID, ev.ID, x.teacher.ID, long)
				wantKind(t, err, problem.ErrInvalid, "reason: longer than the 1000 characters a reason may have")
			})
		})
	}
}
