package demo

import (
	"context"
	"fmt"
	"sync"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/mastery"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/standards"
	"github.com/cairn-learning/cairn/internal/store"
)

// Summary says what Load stored and which people and class to open first.
type Summary struct {
	DistrictID                                                             int64
	Schools, Teachers, Students, Guardians, Classes, Frameworks, Standards int
	// Evidence counts the records written, the voided ones included.
	Evidence int
	// Teacher teaches Class, the sixth-grade math class of 28; Student is
	// in it; Guardian is his guardian, who prefers Spanish and has a
	// second child in the school; Admin is the district administrator.
	// All are as stored, with their ids.
	Teacher, Student, Guardian, Admin roster.Person
	Class                             roster.Class
	// SignIns are the accounts made for the people above and for the
	// school administrators and the coach, with their passwords.
	SignIns []SignIn
}

// SignIn is a demo account: who it is and how to sign in as them. The
// password is drawn at random each time the demo is loaded, never derived
// from the seed: a demo exposed on a network must not have passwords
// anyone can work out.
type SignIn struct {
	Role, Name, Username, Password string
}

// The stages Load reports to its progress function.
const (
	StageRoster    = "roster"
	StageStandards = "standards"
	StageEvidence  = "evidence"
	StageModel     = "model"
)

// evidenceBatch is how many records go to the store in one transaction.
const evidenceBatch = 1000

// Load writes the district into st, roster first, then the frameworks,
// then the evidence in batches, and voids the records that are mistakes.
// progress (which may be nil) is called as each stage advances. The store
// must not hold a district with the same SourcedID; nothing is undone if
// Load fails halfway, so load into a fresh database.
func Load(ctx context.Context, st *store.Store, ds *Dataset, progress func(stage string, done, total int)) (sum Summary, err error) {
	defer problem.Wrap(&err, "load the demo district")
	if progress == nil {
		progress = func(string, int, int) {}
	}
	l := &loader{ctx: ctx, st: st, ds: ds, progress: progress, ids: map[string]int64{}}
	if err := l.roster(); err != nil {
		return sum, err
	}
	if err := l.standards(); err != nil {
		return sum, err
	}
	if err := l.cartridge(); err != nil {
		return sum, err
	}
	if err := l.evidence(); err != nil {
		return sum, err
	}
	// The knowledge tracing model is fitted to the evidence, as a
	// district would after its first weeks, so that the demo shows
	// fitted parameters rather than the defaults.
	// The logistic model too: its ability model then gives every state's
	// estimate, as in a district that ran 'cairn fit'.
	_, err = st.FitModels(ctx, l.district, store.FitOptions{BKT: mastery.BKTFitOptions{Seed: 1},
		Logistic: &mastery.LogisticOptions{Features: mastery.FeaturesFull, Seed: 1},
		Progress: func(stage string, done, total int) {
			// Reading and fitting take a fraction of recomputing.
			if stage == "rebuilding" {
				progress(StageModel, done, total)
			}
		}})
	if err != nil {
		return sum, err
	}
	if err := l.summative(); err != nil {
		return sum, err
	}
	if sum, err = l.summary(); err != nil {
		return sum, err
	}
	if err := l.goals(sum); err != nil {
		return sum, err
	}
	if err := l.playlists(sum); err != nil {
		return sum, err
	}
	if err := l.plans(sum); err != nil {
		return sum, err
	}
	if err := l.pace(sum); err != nil {
		return sum, err
	}
	// Support plans running today and teachers' notes.
	if err := l.supportPlans(sum); err != nil {
		return sum, err
	}
	// Today's groups and schedule of the featured class (groups.go), after
	// the plans: the schedule gives tier 2 and 3 their places first.
	if err := l.groups(sum); err != nil {
		return sum, err
	}
	// Outcomes of supports: the closed plans of earlier in the term.
	if err := l.supportsHistory(); err != nil {
		return sum, err
	}
	// Rules and alerts.
	if err := l.rules(sum); err != nil {
		return sum, err
	}
	sum.SignIns, err = l.signIns(sum)
	return sum, err
}

// loader keeps the ids the store gave each SourcedID.
type loader struct {
	ctx         context.Context
	st          *store.Store
	ds          *Dataset
	progress    func(string, int, int)
	district    int64
	ids         map[string]int64
	written     int
	done, total int
	stage       string
}

func (l *loader) begin(stage string, total int) {
	l.stage, l.done, l.total = stage, 0, total
	l.progress(stage, 0, total)
}

func (l *loader) step(n int) {
	l.done += n
	l.progress(l.stage, l.done, l.total)
}

// id returns the database id of a SourcedID; the Dataset's references all
// resolve (the tests check it), so a miss is a broken Dataset.
func (l *loader) id(what, sourced string) (int64, error) {
	id, ok := l.ids[sourced]
	if !ok {
		return 0, problem.Invalid(what, "%q names nothing loaded before it", sourced)
	}
	return id, nil
}

func (l *loader) roster() error {
	ds, ctx, st := l.ds, l.ctx, l.st
	l.begin(StageRoster, 1+len(ds.Schools)+len(ds.Terms)+len(ds.Courses)+len(ds.People)+len(ds.Classes)+
		len(ds.Enrollments)+len(ds.Guardianship)+len(ds.Demographics))
	d := ds.District
	if err := st.CreateDistrict(ctx, &d); err != nil {
		return err
	}
	l.district = d.ID
	l.step(1)
	for _, s := range ds.Schools {
		s.DistrictID = l.district
		if err := st.CreateSchool(ctx, &s); err != nil {
			return fmt.Errorf("school %s: %w", s.SourcedID, err)
		}
		l.ids[s.SourcedID] = s.ID
		l.step(1)
	}
	for _, t := range ds.Terms {
		tm := t.Term
		tm.DistrictID = l.district
		if t.Parent != "" {
			p, err := l.id("parentId", t.Parent)
			if err != nil {
				return err
			}
			tm.ParentID = &p
		}
		if err := st.CreateTerm(ctx, &tm); err != nil {
			return fmt.Errorf("term %s: %w", tm.SourcedID, err)
		}
		l.ids[tm.SourcedID] = tm.ID
		l.step(1)
	}
	for _, c := range ds.Courses {
		co := c.Course
		co.DistrictID = l.district
		if c.School != "" {
			s, err := l.id("schoolId", c.School)
			if err != nil {
				return err
			}
			co.SchoolID = &s
		}
		if err := st.CreateCourse(ctx, &co); err != nil {
			return fmt.Errorf("course %s: %w", co.SourcedID, err)
		}
		l.ids[co.SourcedID] = co.ID
		l.step(1)
	}
	for _, p := range ds.People {
		pe := p.Person
		pe.DistrictID = l.district
		pe.SchoolIDs = nil
		for _, s := range p.Schools {
			id, err := l.id("schoolIds", s)
			if err != nil {
				return err
			}
			pe.SchoolIDs = append(pe.SchoolIDs, id)
		}
		if err := st.CreatePerson(ctx, &pe); err != nil {
			return fmt.Errorf("person %s: %w", pe.SourcedID, err)
		}
		l.ids[pe.SourcedID] = pe.ID
		l.step(1)
	}
	for _, c := range ds.Classes {
		cl := c.Class
		cl.DistrictID = l.district
		var err error
		if cl.SchoolID, err = l.id("schoolId", c.School); err != nil {
			return err
		}
		if cl.CourseID, err = l.id("courseId", c.Course); err != nil {
			return err
		}
		if cl.TermID, err = l.id("termId", c.Term); err != nil {
			return err
		}
		if err := st.CreateClass(ctx, &cl); err != nil {
			return fmt.Errorf("class %s: %w", cl.SourcedID, err)
		}
		l.ids[cl.SourcedID] = cl.ID
		l.step(1)
	}
	for _, e := range ds.Enrollments {
		en := e.Enrollment
		en.DistrictID = l.district
		var err error
		if en.ClassID, err = l.id("classId", e.Class); err != nil {
			return err
		}
		if en.PersonID, err = l.id("personId", e.Person); err != nil {
			return err
		}
		if err := st.CreateEnrollment(ctx, &en); err != nil {
			return fmt.Errorf("enrollment %s: %w", en.SourcedID, err)
		}
		l.step(1)
	}
	for _, g := range ds.Guardianship {
		link := roster.GuardianLink{DistrictID: l.district, Relationship: g.Relationship}
		var err error
		if link.GuardianID, err = l.id("guardianId", g.Guardian); err != nil {
			return err
		}
		if link.StudentID, err = l.id("studentId", g.Student); err != nil {
			return err
		}
		if err := st.LinkGuardian(ctx, link); err != nil {
			return fmt.Errorf("guardian %s of %s: %w", g.Guardian, g.Student, err)
		}
		l.step(1)
	}
	for _, d := range ds.Demographics {
		dm := d.Demographics
		dm.DistrictID = l.district
		var err error
		if dm.StudentID, err = l.id("studentId", d.Student); err != nil {
			return err
		}
		if err := st.SetDemographics(ctx, dm); err != nil {
			return fmt.Errorf("demographics of %s: %w", d.Student, err)
		}
		l.step(1)
	}
	return nil
}

func (l *loader) standards() error {
	ds, ctx, st := l.ds, l.ctx, l.st
	l.begin(StageStandards, 1+len(ds.Frameworks)+len(ds.Standards)+len(ds.Prerequisites)+len(ds.CourseStandards))
	sc := ds.Scale
	sc.DistrictID = l.district
	if err := st.CreateScale(ctx, &sc); err != nil {
		return fmt.Errorf("scale: %w", err)
	}
	l.step(1)
	for _, f := range ds.Frameworks {
		fw := f.Framework
		fw.DistrictID, fw.ScaleID = l.district, sc.ID
		if err := st.CreateFramework(ctx, &fw); err != nil {
			return fmt.Errorf("framework %s: %w", fw.SourcedID, err)
		}
		l.ids[fw.SourcedID] = fw.ID
		l.step(1)
	}
	for _, s := range ds.Standards {
		sd := s.Standard
		sd.DistrictID = l.district
		var err error
		if sd.FrameworkID, err = l.id("frameworkId", s.Framework); err != nil {
			return err
		}
		if s.Parent != "" {
			p, err := l.id("parentId", s.Parent)
			if err != nil {
				return err
			}
			sd.ParentID = &p
		}
		if err := st.CreateStandard(ctx, &sd); err != nil {
			return fmt.Errorf("standard %s %s: %w", sd.Code, sd.SourcedID, err)
		}
		l.ids[sd.SourcedID] = sd.ID
		l.step(1)
	}
	for _, p := range ds.Prerequisites {
		pr := standards.Prerequisite{DistrictID: l.district}
		var err error
		if pr.StandardID, err = l.id("standardId", p.Standard); err != nil {
			return err
		}
		if pr.PrerequisiteID, err = l.id("prerequisiteId", p.Prerequisite); err != nil {
			return err
		}
		if err := st.AddPrerequisite(ctx, pr); err != nil {
			return fmt.Errorf("prerequisite %s of %s: %w", p.Prerequisite, p.Standard, err)
		}
		l.step(1)
	}
	for _, cs := range ds.CourseStandards {
		course, err := l.id("courseId", cs.Course)
		if err != nil {
			return err
		}
		ids := make([]int64, 0, len(cs.Standards))
		for _, s := range cs.Standards {
			id, err := l.id("standardIds", s)
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		if err := st.SetCourseStandards(ctx, l.district, course, ids); err != nil {
			return fmt.Errorf("standards of course %s: %w", cs.Course, err)
		}
		l.step(1)
	}
	return nil
}

// evidence writes the simulated records in batches and voids the mistakes
// once their batch is stored.
func (l *loader) evidence() error {
	l.begin(StageEvidence, l.ds.CountEvidence())
	batch := make([]evidence.Evidence, 0, evidenceBatch)
	var voids []int // positions in batch
	var voiding []*Voiding
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := l.st.RecordEvidenceBatch(l.ctx, batch); err != nil {
			return err
		}
		for i, at := range voids {
			by, err := l.id("by", voiding[i].By)
			if err != nil {
				return err
			}
			if err := l.st.VoidEvidence(l.ctx, l.district, batch[at].ID, by, voiding[i].Reason); err != nil {
				return fmt.Errorf("void evidence %d: %w", batch[at].ID, err)
			}
		}
		l.written += len(batch)
		l.step(len(batch))
		batch, voids, voiding = batch[:0], voids[:0], voiding[:0]
		return nil
	}
	for ev := range l.ds.Evidence() {
		e := ev.Evidence
		e.DistrictID = l.district
		var err error
		if e.StudentID, err = l.id("studentId", ev.Student); err != nil {
			return err
		}
		if e.RecordedBy, err = l.id("recordedBy", ev.RecordedBy); err != nil {
			return err
		}
		if ev.Class != "" {
			c, err := l.id("classId", ev.Class)
			if err != nil {
				return err
			}
			e.ClassID = &c
		}
		e.Scores = make([]evidence.Score, len(ev.Scores))
		copy(e.Scores, ev.Scores)
		for i, s := range ev.Standards {
			if e.Scores[i].StandardID, err = l.id("standardId", s); err != nil {
				return err
			}
		}
		if ev.Voided != nil {
			voids = append(voids, len(batch))
			voiding = append(voiding, ev.Voided)
		}
		batch = append(batch, e)
		if len(batch) == evidenceBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

func (l *loader) summary() (Summary, error) {
	ds, ctx, st := l.ds, l.ctx, l.st
	sum := Summary{DistrictID: l.district, Schools: len(ds.Schools), Classes: len(ds.Classes),
		Frameworks: len(ds.Frameworks), Standards: len(ds.Standards), Evidence: l.written}
	for _, p := range ds.People {
		if p.Has(roster.RoleTeacher) {
			sum.Teachers++
		}
		if p.Has(roster.RoleStudent) {
			sum.Students++
		}
		if p.Has(roster.RoleGuardian) {
			sum.Guardians++
		}
	}
	for _, f := range []struct {
		sourced string
		into    *roster.Person
	}{{ds.Featured.Teacher, &sum.Teacher}, {ds.Featured.Student, &sum.Student},
		{ds.Featured.Guardian, &sum.Guardian}, {ds.Featured.Admin, &sum.Admin}} {
		id, err := l.id("featured", f.sourced)
		if err != nil {
			return sum, err
		}
		if *f.into, err = st.Person(ctx, l.district, id); err != nil {
			return sum, err
		}
	}
	id, err := l.id("featured", ds.Featured.Class)
	if err != nil {
		return sum, err
	}
	sum.Class, err = st.Class(ctx, l.district, id)
	return sum, err
}

// signIns gives accounts to the featured people, the school administrators
// and the coach. Only these few get one: each password hash costs about a
// tenth of a second on purpose.
func (l *loader) signIns(sum Summary) ([]SignIn, error) {
	type who struct {
		role string
		p    roster.Person
	}
	people := []who{{"Teacher", sum.Teacher}, {"Student", sum.Student}, {"Guardian", sum.Guardian}, {"District admin", sum.Admin}}
	for _, role := range []roster.Role{roster.RoleSchoolAdmin, roster.RoleCoach} {
		for _, p := range l.ds.People {
			if !p.Has(role) {
				continue
			}
			id, err := l.id("signIns", p.SourcedID)
			if err != nil {
				return nil, err
			}
			stored, err := l.st.Person(l.ctx, l.district, id)
			if err != nil {
				return nil, err
			}
			label := "School admin"
			if role == roster.RoleCoach {
				label = "Coach"
			}
			people = append(people, who{label, stored})
		}
	}
	out := make([]SignIn, len(people))
	hashes := make([]string, len(people))
	errs := make([]error, len(people))
	var wg sync.WaitGroup
	for i, w := range people {
		out[i] = SignIn{Role: w.role, Name: w.p.Name(), Username: store.NormalizeUsername(w.p.Username), Password: access.NewPassword()}
		wg.Add(1)
		go func() {
			defer wg.Done()
			hashes[i], errs[i] = access.HashPassword(out[i].Password, access.DefaultParams)
		}()
	}
	wg.Wait()
	for i, w := range people {
		if errs[i] != nil {
			return nil, errs[i]
		}
		if err := l.st.SetPassword(l.ctx, l.district, w.p.ID, hashes[i]); err != nil {
			return nil, fmt.Errorf("account of %s: %w", w.p.Name(), err)
		}
	}
	return out, nil
}
