package store_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/mastery"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/store"
)

// testModels covers the knowledge tracing model in the store: every state
// with evidence of its own carries the model's estimate, written with the
// evidence; the district decides whether Mastered follows it; FitModels
// fits the parameters to the district's evidence and rebuilds with them.
func testModels(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	x := newDistrict(t, e, "models")
	id := x.d.ID
	defaults := mastery.Tracer{Params: mastery.DefaultBKTParams()}

	// Eight scores at 4 and a slip to 2 on s1: the decaying average falls
	// below the cut, the model stays sure of mastery.
	var evs []evidence.Evidence
	for i := range 9 {
		v := 4.0
		if i == 8 {
			v = 2
		}
		evs = append(evs, x.ev(x.alice, 20-i, level(x.s1, v)))
	}
	ok(t, s.RecordEvidenceBatch(ctx, evs))
	one := x.ev(x.alice, 1, level(x.s2, 3))
	ok(t, s.RecordEvidence(ctx, &one))

	ms, err := s.MasteryOf(ctx, id, x.alice.ID, x.s1.ID)
	ok(t, err)
	if ms.Model == nil || ms.Explanation.Model == nil {
		t.Fatalf("state of s1 has no model estimate: %+v", ms.State)
	}
	want := mastery.DefaultBKTParams().Estimate(mastery.DefaultBKTParams().Replay(
		[]bool{true, true, true, true, true, true, true, true, false}), mastery.EstimateOptions{})
	if *ms.Model != want {
		t.Errorf("stored estimate %+v, want %+v", *ms.Model, want)
	}
	if ms.Model.Verdict != mastery.VerdictMastered || ms.Mastered {
		t.Fatalf("s1: model verdict %s, mastered %v; the test needs the model sure and the method not", ms.Model.Verdict, ms.Mastered)
	}
	in := ms.Explanation.Model
	if in.Model != "bkt" || in.Fitted || in.Responses != 9 || in.Right != 8 || in.MasteredBy != mastery.MasteredByMethod {
		t.Errorf("explanation's model inputs %+v", in)
	}
	cluster, err := s.MasteryOf(ctx, id, x.alice.ID, x.cluster.ID)
	ok(t, err)
	if cluster.Model != nil {
		t.Errorf("the rolled-up cluster has a model estimate %+v; it has no evidence of its own", cluster.Model)
	}
	// The class matrix carries the estimate too, without the explanation.
	cm, err := s.ClassMastery(ctx, id, x.class.ID)
	ok(t, err)
	found := false
	for i, p := range cm.Students {
		for j, st := range cm.Standards {
			if c := cm.Cells[i][j]; p.ID == x.alice.ID && st.ID == x.s1.ID {
				found = true
				if c == nil || c.Model == nil || *c.Model != want {
					t.Errorf("matrix cell of Alice on s1 = %+v, want the estimate %+v", c, want)
				}
			}
		}
	}
	if !found {
		t.Fatal("Alice on s1 is not in the class matrix")
	}

	// The district lets the model decide: s1 becomes mastered, every
	// state recomputed in the same transaction as the change.
	admin := roster.Person{DistrictID: id, GivenName: "Ada", FamilyName: "Ward", Roles: []roster.Role{roster.RoleDistrictAdmin}}
	ok(t, s.CreatePerson(ctx, &admin))
	for _, c := range []struct {
		by   mastery.MasteredBy
		want bool
	}{{mastery.MasteredByModel, true}, {mastery.MasteredByBoth, false}, {mastery.MasteredByMethod, false}} {
		pol := mastery.DefaultPolicy()
		pol.MasteredBy = c.by
		ok(t, s.SetPolicy(ctx, id, nil, pol, admin.ID, "mastered by "+string(c.by)))
		ms, err := s.MasteryOf(ctx, id, x.alice.ID, x.s1.ID)
		ok(t, err)
		if ms.Mastered != c.want || ms.Explanation.Model.MasteredBy != c.by {
			t.Errorf("mastered by %s: s1 mastered = %v (explanation says %s), want %v", c.by, ms.Mastered, ms.Explanation.Model.MasteredBy, c.want)
		}
		all := append(append([]evidence.Evidence{}, evs...), one)
		if diff := cmp.Diff(expected(x, pol, all, x.alice.ID), statesOf(t, e, id, x.alice.ID), equateEmpty); diff != "" {
			t.Errorf("mastered by %s: Alice's states (-computed +stored):\n%s", c.by, diff)
		}
	}
	// A course cannot choose for itself.
	pol := mastery.DefaultPolicy()
	pol.MasteredBy = mastery.MasteredByModel
	wantInvalid(t, s.SetPolicy(ctx, id, &x.course.ID, pol, admin.ID, ""), -1, "masteredBy", "district's choice")

	// Fitting: forty more students answer s3 as BKT with known parameters
	// would have them; s2 has too little evidence to fit.
	truth := mastery.BKTParams{Prior: 0.25, Learn: 0.2, Guess: 0.15, Slip: 0.08}
	rng := rand.New(rand.NewPCG(7, 11))
	var batch []evidence.Evidence
	for i := range 40 {
		p := roster.Person{DistrictID: id, GivenName: "Student", FamilyName: fmt.Sprint(i), Roles: []roster.Role{roster.RoleStudent},
			SchoolIDs: []int64{x.school.ID}}
		ok(t, s.CreatePerson(ctx, &p))
		ok(t, s.CreateEnrollment(ctx, &roster.Enrollment{DistrictID: id, ClassID: x.class.ID, PersonID: p.ID, Role: roster.EnrolledStudent}))
		known := rng.Float64() < truth.Prior
		for j := range 12 {
			right := rng.Float64() < truth.Guess
			if known {
				right = rng.Float64() >= truth.Slip
			}
			v := 1.0
			if right {
				v = 4
			}
			batch = append(batch, x.ev(p, 60-j, level(x.s3, v)))
			known = known || rng.Float64() < truth.Learn
		}
	}
	ok(t, s.RecordEvidenceBatch(ctx, batch))
	n, at, err := s.FittedModels(ctx, id)
	ok(t, err)
	if n != 0 || !at.IsZero() {
		t.Fatalf("before any fit: %d fitted standards at %v", n, at)
	}
	var stages []string
	rep, err := s.FitModels(ctx, id, store.FitOptions{BKT: mastery.BKTFitOptions{Seed: 1}, Progress: func(stage string, done, total int) {
		if len(stages) == 0 || stages[len(stages)-1] != stage {
			stages = append(stages, stage)
		}
	}})
	ok(t, err)
	if fmt.Sprint(stages) != "[reading fitting rebuilding]" {
		t.Errorf("progress stages %v", stages)
	}
	if rep.Responses != 9+1+480 || len(rep.Standards) != 3 || rep.Kept() != 1 {
		t.Fatalf("fit report: %d responses, %d standards, %d kept; want 490, 3 (s1, s2, s3), 1 (s3)", rep.Responses, len(rep.Standards), rep.Kept())
	}
	var s3 store.StandardFit
	for _, f := range rep.Standards {
		if f.StandardID == x.s3.ID {
			s3 = f
		}
	}
	if !s3.Kept || s3.Responses != 480 || s3.Students != 40 {
		t.Fatalf("s3's fit %+v", s3)
	}
	// 480 responses pin guess and slip to within a few points.
	if math.Abs(s3.Params.Guess-truth.Guess) > 0.08 || math.Abs(s3.Params.Slip-truth.Slip) > 0.08 {
		t.Errorf("fitted %+v, far from the parameters the data came from %+v", s3.Params, truth)
	}
	n, at, err = s.FittedModels(ctx, id)
	ok(t, err)
	if n != 1 || at.IsZero() {
		t.Errorf("after the fit: %d fitted standards at %v, want 1", n, at)
	}
	// Every state now rests on the fitted parameters: the rebuilt state
	// of a student on s3 is the replay of their responses under them.
	fitted := mastery.Tracer{Params: s3.Params, Fitted: true}
	first := batch[0].StudentID
	got, err := s.MasteryOf(ctx, id, first, x.s3.ID)
	ok(t, err)
	var obs []mastery.Observation
	for _, ev := range batch {
		if ev.StudentID == first {
			obs = append(obs, mastery.Observation{EvidenceID: ev.ID, Value: ev.Scores[0].Value, AssessedAt: ev.AssessedAt, RecordedAt: ev.RecordedAt})
		}
	}
	wantState := mastery.DefaultPolicy().Decide(x.scale, obs, fitted)
	if *got.Model != *wantState.Model || !got.Explanation.Model.Fitted || got.Explanation.Model.Params != s3.Params {
		t.Errorf("after the fit, state on s3 = %+v (%+v), want %+v", *got.Model, *got.Explanation.Model, *wantState.Model)
	}
	// Standards left with the defaults say so.
	got, err = s.MasteryOf(ctx, id, x.alice.ID, x.s2.ID)
	ok(t, err)
	if got.Explanation.Model.Fitted || got.Explanation.Model.Params != defaults.Params {
		t.Errorf("s2 kept no fit, yet its state says %+v", *got.Explanation.Model)
	}
	// New evidence after the fit is traced with the fitted parameters,
	// and a rebuild gives what recording did.
	more := x.ev(x.bob, 0, level(x.s3, 4))
	ok(t, s.RecordEvidence(ctx, &more))
	got, err = s.MasteryOf(ctx, id, x.bob.ID, x.s3.ID)
	ok(t, err)
	if !got.Explanation.Model.Fitted || got.Explanation.Model.Params != s3.Params {
		t.Errorf("evidence recorded after the fit traced with %+v", *got.Explanation.Model)
	}
	before := statesOf(t, e, id, x.bob.ID)
	_, err = s.RebuildMastery(ctx, id, nil)
	ok(t, err)
	if diff := cmp.Diff(before, statesOf(t, e, id, x.bob.ID), equateEmpty); diff != "" {
		t.Errorf("rebuild after the fit changed Bob's states (-recorded +rebuilt):\n%s", diff)
	}
	// Voided evidence leaves the fit.
	ok(t, s.VoidEvidence(ctx, id, batch[0].ID, x.teacher.ID, "scored the wrong student"))
	rep, err = s.FitModels(ctx, id, store.FitOptions{BKT: mastery.BKTFitOptions{Seed: 1}})
	ok(t, err)
	if rep.Responses != 490 {
		t.Errorf("after voiding one and adding one: %d responses read, want 490", rep.Responses)
	}
	// The same data and seed give the same parameters.
	again, err := s.FitModels(ctx, id, store.FitOptions{BKT: mastery.BKTFitOptions{Seed: 1}})
	ok(t, err)
	for i := range again.Standards {
		if again.Standards[i].Params != rep.Standards[i].Params {
			t.Errorf("refit of standard %d gave %+v, then %+v", rep.Standards[i].StandardID, rep.Standards[i].Params, again.Standards[i].Params)
		}
	}
}

// testTwoServers has two stores on one database, as two servers (or a
// server and `cairn fit`) are: what one changes in the district's
// policies, hierarchy or model parameters, the other uses at its next
// write, although it had them cached.
func testTwoServers(t *testing.T, e *env) {
	ctx := e.ctx
	x := newDistrict(t, e, "two")
	id := x.d.ID
	b, err := store.Open(ctx, store.Config{URL: e.url})
	ok(t, err)
	defer b.Close()
	admin := roster.Person{DistrictID: id, GivenName: "Ada", FamilyName: "Ward", Roles: []roster.Role{roster.RoleDistrictAdmin}}
	ok(t, e.s.CreatePerson(ctx, &admin))

	// A caches the district's model and policies by recording.
	first := x.ev(x.alice, 9, level(x.s1, 4))
	ok(t, e.s.RecordEvidence(ctx, &first))

	// B lets the model decide, and fits the parameters.
	pol := mastery.DefaultPolicy()
	pol.MasteredBy = mastery.MasteredByModel
	ok(t, b.SetPolicy(ctx, id, nil, pol, admin.ID, "pilot"))
	var evs []evidence.Evidence
	for i := range 30 {
		v := float64(1 + 3*(i%2))
		evs = append(evs, x.ev(x.bob, 40-i, level(x.s1, v)))
	}
	ok(t, b.RecordEvidenceBatch(ctx, evs))
	rep, err := b.FitModels(ctx, id, store.FitOptions{MinResponses: 5})
	ok(t, err)
	if rep.Kept() == 0 {
		t.Fatal("B's fit kept nothing")
	}

	// A's next write uses both.
	next := x.ev(x.alice, 1, level(x.s1, 4))
	ok(t, e.s.RecordEvidence(ctx, &next))
	ms, err := e.s.MasteryOf(ctx, id, x.alice.ID, x.s1.ID)
	ok(t, err)
	in := ms.Explanation.Model
	if in == nil || !in.Fitted || in.MasteredBy != mastery.MasteredByModel {
		t.Fatalf("A recorded with %+v after B's fit and policy change", in)
	}

	// B retires s2; A's next write rolls the cluster up without it.
	ok(t, e.s.RecordEvidenceBatch(ctx, []evidence.Evidence{x.ev(x.cleo, 5, level(x.s2, 1)), x.ev(x.cleo, 4, level(x.s1, 4))}))
	s2, err := b.Standard(ctx, id, x.s2.ID)
	ok(t, err)
	s2.Retired = true
	ok(t, b.UpdateStandard(ctx, &s2))
	more := x.ev(x.cleo, 0, level(x.s1, 4))
	ok(t, e.s.RecordEvidence(ctx, &more))
	cl, err := e.s.MasteryOf(ctx, id, x.cleo.ID, x.cluster.ID)
	ok(t, err)
	for _, c := range cl.Explanation.Children {
		if c.StandardID == x.s2.ID {
			t.Errorf("A rolled the cluster up with s2, which B retired: %+v", cl.Explanation.Children)
		}
	}
}
