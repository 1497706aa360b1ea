package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/standards"
)

// TestStatesGainTheModelAfterUpgrade: a database upgraded to the
// migration that adds the model's estimate has states written before it,
// without one; the upgrade recomputes them, so every state with evidence
// of its own has an estimate from the start.
func TestStatesGainTheModelAfterUpgrade(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Config{URL: filepath.Join(t.TempDir(), "cairn.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	d := roster.District{Name: "Upgraded"}
	must(s.CreateDistrict(ctx, &d))
	teacher := roster.Person{DistrictID: d.ID, GivenName: "T", FamilyName: "T", Roles: []roster.Role{roster.RoleTeacher}}
	must(s.CreatePerson(ctx, &teacher))
	student := roster.Person{DistrictID: d.ID, GivenName: "S", FamilyName: "S", Roles: []roster.Role{roster.RoleStudent}}
	must(s.CreatePerson(ctx, &student))
	scale := standards.DefaultScale()
	scale.DistrictID = d.ID
	must(s.CreateScale(ctx, &scale))
	fw := standards.Framework{DistrictID: d.ID, Title: "F", Kind: standards.Academic, ScaleID: scale.ID}
	must(s.CreateFramework(ctx, &fw))
	std := standards.Standard{DistrictID: d.ID, FrameworkID: fw.ID, Statement: "S1"}
	must(s.CreateStandard(ctx, &std))
	v := 3.0
	ev := evidence.Evidence{DistrictID: d.ID, StudentID: student.ID, Kind: evidence.Formative, RecordedBy: teacher.ID,
		AssessedAt: time.Now().Add(-time.Hour), Scores: []evidence.Score{{StandardID: std.ID, Level: &v}}}
	must(s.RecordEvidence(ctx, &ev))

	// As the state was before the migration.
	must(s.inTx(ctx, func(r *runner) error {
		_, err := r.exec(ctx, `UPDATE mastery_states SET model_p = NULL, model_next = NULL, model_low = NULL,
    model_high = NULL, model_n = NULL, model_verdict = NULL`)
		return err
	}))
	ms, err := s.MasteryOf(ctx, d.ID, student.ID, std.ID)
	must(err)
	if ms.Model != nil {
		t.Fatal("the state still has an estimate")
	}
	must(s.afterMigrations(ctx, []string{"0005_speed.sql"}))
	if ms, _ = s.MasteryOf(ctx, d.ID, student.ID, std.ID); ms.Model != nil {
		t.Fatal("a migration that adds nothing to states recomputed them")
	}
	must(s.afterMigrations(ctx, []string{"0006_models.sql", "0007_config_version.sql"}))
	ms, err = s.MasteryOf(ctx, d.ID, student.ID, std.ID)
	must(err)
	if ms.Model == nil || ms.Model.Evidence != 1 {
		t.Fatalf("after the upgrade the state's estimate is %+v", ms.Model)
	}
}
