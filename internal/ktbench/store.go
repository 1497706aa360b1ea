package ktbench

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"time"

	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/mastery"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/standards"
	"github.com/cairn-learning/cairn/internal/store"
)

// StoreConfig is what RunThroughStore measures.
type StoreConfig struct {
	// Train and Test are response files: the logistic model is fitted on
	// Train, and Test's students are replayed through a store.
	Train, Test string
	Seed        uint64
	// URL is the store to replay through; empty means a new SQLite
	// database in a temporary directory, removed afterwards. A PostgreSQL
	// URL must name an empty, migrated or new database.
	URL string
	// Students, when above 0, replays only the first Students test
	// students.
	Students int
	// Open opens a file by name; nil means os.Open.
	Open func(name string) (io.ReadCloser, error)
	// Now tells the time, for latencies; nil means time.Now.
	Now func() time.Time
}

// StoreResult is what RunThroughStore measured.
type StoreResult struct {
	Engine string
	// Responses is how many responses were replayed.
	Responses int
	// Store are the scores of the predictions read back from the store
	// before each response was recorded; Memory those of the same model
	// followed in memory over the same responses (the plain bench).
	Store, Memory mastery.Scores
	// BKT are the scores of BKT, fitted on the training students and
	// followed in memory over the same responses.
	BKT mastery.Scores
	// State are the scores of the stored mastery state's chance of a
	// right answer to the next question on the standard (the model's
	// estimate kept with the state), read before each response; StateBKT
	// those of BKT fitted on the training students, which is what the
	// state holds when BKT gives the estimate. Both leave out each
	// student's first response on a standard, which no state predicts.
	State, StateBKT mastery.Scores
	// RecordAndPredict are the latencies of reading a prediction and
	// recording the response, together; Predict and Record each alone.
	RecordAndPredict, Predict, Record Latencies
	Fit                               time.Duration
}

// Latencies are percentiles of a set of durations.
type Latencies struct{ P50, P95, P99, Max time.Duration }

func latencies(d []time.Duration) Latencies {
	if len(d) == 0 {
		return Latencies{}
	}
	s := slices.Clone(d)
	slices.Sort(s)
	at := func(q float64) time.Duration { return s[min(len(s)-1, int(q*float64(len(s))))] }
	return Latencies{at(0.50), at(0.95), at(0.99), s[len(s)-1]}
}

// RunThroughStore fits the logistic model on the training students, puts
// it in a real store, then replays each test student through the store
// one response at a time, as the product runs: it reads the store's
// prediction for the response (Store.PredictResponse) and the student's
// stored mastery state of the standard, then records the response as a
// piece of evidence naming its item (Store.RecordEvidence), which updates
// the model online in the evidence's transaction. It writes the AUC of the
// predictions read back and the latencies, and returns them.
//
// Every skill_id is one standard (multi-skill ids are not split), and
// every item one item of the store, keyed by its id in the file; a right
// answer is recorded as level 4 of the four-level scale, a wrong one as 1.
func RunThroughStore(ctx context.Context, cfg StoreConfig, stdout, progress io.Writer) (*StoreResult, error) {
	if cfg.Open == nil {
		cfg.Open = openFile
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Train == "" || cfg.Test == "" {
		return nil, problem.Invalid("train", "give --train and --test files")
	}
	bar := newBar(progress, cfg.Now)
	vocab := NewVocab("")
	read := func(name string) (*Dataset, error) {
		f, err := cfg.Open(name)
		if err != nil {
			return nil, fmt.Errorf("opening response file: %w", err)
		}
		defer f.Close()
		return Read(f, name, vocab)
	}
	train, err := read(cfg.Train)
	if err != nil {
		return nil, err
	}
	test, err := read(cfg.Test)
	if err != nil {
		return nil, err
	}
	if cfg.Students > 0 && cfg.Students < len(test.Students) {
		idx := make([]int, cfg.Students)
		for i := range idx {
			idx[i] = i
		}
		test = test.Subset(test.Name, idx)
	}

	res := &StoreResult{}
	m := &logisticModel{opt: mastery.LogisticOptions{Features: mastery.FeaturesFull}}
	bar.start("logistic fit", 0)
	t0 := cfg.Now()
	if _, err := m.fit(ctx, train, cfg.Seed); err != nil {
		bar.done()
		return nil, err
	}
	res.Fit = cfg.Now().Sub(t0)
	bar.done()
	memPreds, _, err := evaluate(ctx, m, test, bar, "logistic in memory")
	if err != nil {
		return nil, err
	}
	y := outcomesOf(test)
	res.Memory = mastery.Score(memPreds, y)
	bkt := &bktModel{}
	bar.start("bkt fit", 0)
	_, err = bkt.fit(ctx, train, cfg.Seed)
	bar.done()
	if err != nil {
		return nil, err
	}
	bktPreds, _, err := evaluate(ctx, bkt, test, bar, "bkt in memory")
	if err != nil {
		return nil, err
	}

	url := cfg.URL
	if url == "" {
		dir, err := os.MkdirTemp("", "cairn-bench-kt-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		url = filepath.Join(dir, "bench.db")
	}
	now := cfg.Now().UTC().Truncate(time.Second)
	st, err := store.Open(ctx, store.Config{URL: url, Now: func() time.Time { return now }})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	res.Engine = st.Engine()
	x, err := newBenchStore(ctx, st, vocab, test)
	if err != nil {
		return nil, err
	}
	bar.start("putting the model in the store", 0)
	err = st.PutLogisticModel(ctx, x.district, store.LogisticFitFrom(m.res, x.standards, x.items, nil, len(train.Responses)))
	bar.done()
	if err != nil {
		return nil, err
	}

	preds := make([]float64, len(test.Responses))
	statePreds := make([]float64, len(test.Responses))
	both := make([]time.Duration, len(test.Responses))
	pred := make([]time.Duration, len(test.Responses))
	rec := make([]time.Duration, len(test.Responses))
	// Each response is assessed a second after the one before, all in the
	// past, so that the store reads them in file order.
	at := now.Add(-time.Duration(len(test.Responses)+1) * time.Second)
	bar.start("replaying through the store", len(test.Responses))
	for i, s := range test.Students {
		if err := ctx.Err(); err != nil {
			bar.done()
			return nil, err
		}
		bar.set(s.Start)
		student := x.students[i]
		for j := s.Start; j < s.End; j++ {
			r := &test.Responses[j]
			std := x.standards[test.Skills(r)[0]]
			item := x.items[r.Item]
			a := cfg.Now()
			p, err := st.PredictResponse(ctx, x.district, student, std, item)
			if err != nil {
				bar.done()
				return nil, err
			}
			b := cfg.Now()
			preds[j] = p
			level := 1.0
			if r.Correct {
				level = 4
			}
			at = at.Add(time.Second)
			ev := evidence.Evidence{DistrictID: x.district, StudentID: student, Kind: evidence.Formative, AssessedAt: at,
				RecordedBy: x.teacher, Scores: []evidence.Score{{StandardID: std, Level: &level, ItemID: item}}}
			if err := st.RecordEvidence(ctx, &ev); err != nil {
				bar.done()
				return nil, fmt.Errorf("recording response %d: %w", j, err)
			}
			c := cfg.Now()
			pred[j], rec[j], both[j] = b.Sub(a), c.Sub(b), c.Sub(a)
			// Not timed: the state's own estimate, for the record of which
			// model serves the states best.
			statePreds[j] = 0.5
			if ms, err := st.MasteryOf(ctx, x.district, student, std); err == nil && ms.Model != nil {
				statePreds[j] = ms.Model.PCorrectNext
			}
		}
	}
	bar.set(len(test.Responses))
	bar.done()
	res.Responses = len(test.Responses)
	res.Store = mastery.Score(preds, y)
	res.State, res.StateBKT = stateScores(statePreds, bktPreds, test)
	res.BKT = mastery.Score(bktPreds, y)
	res.RecordAndPredict, res.Predict, res.Record = latencies(both), latencies(pred), latencies(rec)
	writeStoreResult(stdout, cfg, train, test, res)
	return res, nil
}

// stateScores scores the state's predictions, which are read after the
// response (after[j] is the state after response j, which predicts the
// same student's next response on the same standard), and BKT's
// predictions bkt (bkt[j] predicts response j), over the responses that
// are not a student's first on their standard.
func stateScores(after, bkt []float64, d *Dataset) (state, bktScores mastery.Scores) {
	var p, q []float64
	var y []bool
	for _, s := range d.Students {
		last := map[int32]float64{}
		for j := s.Start; j < s.End; j++ {
			r := &d.Responses[j]
			if prev, ok := last[r.SkillSet]; ok {
				p = append(p, prev)
				q = append(q, bkt[j])
				y = append(y, r.Correct)
			}
			last[r.SkillSet] = after[j]
		}
	}
	return mastery.Score(p, y), mastery.Score(q, y)
}

// benchStore is a district made for the replay.
type benchStore struct {
	district, teacher int64
	standards         []int64 // by skill set
	items             []int64 // by item
	students          []int64 // by test student
}

func newBenchStore(ctx context.Context, st *store.Store, v *Vocab, test *Dataset) (*benchStore, error) {
	x := &benchStore{}
	d := roster.District{Name: "Knowledge tracing bench"}
	if err := st.CreateDistrict(ctx, &d); err != nil {
		return nil, err
	}
	x.district = d.ID
	teacher := roster.Person{DistrictID: d.ID, GivenName: "Bench", FamilyName: "Teacher", Roles: []roster.Role{roster.RoleTeacher}}
	if err := st.CreatePerson(ctx, &teacher); err != nil {
		return nil, err
	}
	x.teacher = teacher.ID
	scale := standards.DefaultScale()
	scale.DistrictID = d.ID
	if err := st.CreateScale(ctx, &scale); err != nil {
		return nil, err
	}
	fw := standards.Framework{DistrictID: d.ID, Title: "Skills", Kind: standards.Academic, ScaleID: scale.ID}
	if err := st.CreateFramework(ctx, &fw); err != nil {
		return nil, err
	}
	for k, name := range v.Skills {
		s := standards.Standard{DistrictID: d.ID, FrameworkID: fw.ID, Statement: "Skill " + name, Position: k}
		if err := st.CreateStandard(ctx, &s); err != nil {
			return nil, err
		}
		x.standards = append(x.standards, s.ID)
	}
	// Each item's standard is the skill it first appears with.
	itemSkill := make([]int32, len(v.Items))
	for i := range itemSkill {
		itemSkill[i] = -1
	}
	for _, d := range []*Dataset{test} {
		for _, r := range d.Responses {
			if itemSkill[r.Item] < 0 {
				itemSkill[r.Item] = d.Skills(&r)[0]
			}
		}
	}
	var stds []int64
	var keys []string
	var which []int
	for i, k := range itemSkill {
		if k >= 0 {
			stds = append(stds, x.standards[k])
			keys = append(keys, v.Items[i])
			which = append(which, i)
		}
	}
	x.items = make([]int64, len(v.Items))
	for lo := 0; lo < len(keys); lo += 5000 {
		hi := min(lo+5000, len(keys))
		ids, err := st.EnsureItems(ctx, d.ID, stds[lo:hi], keys[lo:hi])
		if err != nil {
			return nil, err
		}
		for j, id := range ids {
			x.items[which[lo+j]] = id
		}
	}
	for _, s := range test.Students {
		p := roster.Person{DistrictID: d.ID, GivenName: "Student", FamilyName: strconv.Itoa(int(s.User)), Roles: []roster.Role{roster.RoleStudent}}
		if err := st.CreatePerson(ctx, &p); err != nil {
			return nil, err
		}
		x.students = append(x.students, p.ID)
	}
	return x, nil
}

func writeStoreResult(w io.Writer, cfg StoreConfig, train, test *Dataset, r *StoreResult) {
	fmt.Fprintf(w, "train %s: %d responses; test %s: %d responses of %d students, replayed through %s one at a time; seed %d\n",
		cfg.Train, len(train.Responses), cfg.Test, len(test.Responses), len(test.Students), r.Engine, cfg.Seed)
	fmt.Fprintf(w, "machine: %d CPU(s), %s/%s, %s\n\n", runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version())
	fmt.Fprintf(w, "logistic, predictions read back from the store: AUC %.4f  RMSE %.4f  accuracy %.4f  log-loss %.4f\n",
		r.Store.AUC, r.Store.RMSE, r.Store.Accuracy, r.Store.LogLoss)
	fmt.Fprintf(w, "logistic, followed in memory (the same responses):  AUC %.4f  RMSE %.4f  accuracy %.4f  log-loss %.4f\n",
		r.Memory.AUC, r.Memory.RMSE, r.Memory.Accuracy, r.Memory.LogLoss)
	fmt.Fprintf(w, "bkt, followed in memory (the same responses):       AUC %.4f  RMSE %.4f  accuracy %.4f  log-loss %.4f\n",
		r.BKT.AUC, r.BKT.RMSE, r.BKT.Accuracy, r.BKT.LogLoss)
	fmt.Fprintf(w, "mastery state's estimate of the next answer on the standard (every response but a student's first on it):\n")
	fmt.Fprintf(w, "  ability model, read back from the store:       AUC %.4f  RMSE %.4f  log-loss %.4f\n",
		r.State.AUC, r.State.RMSE, r.State.LogLoss)
	fmt.Fprintf(w, "  BKT fitted on the training students, in memory: AUC %.4f  RMSE %.4f  log-loss %.4f\n",
		r.StateBKT.AUC, r.StateBKT.RMSE, r.StateBKT.LogLoss)
	fmt.Fprintf(w, "fit %s\n\n", r.Fit.Round(time.Millisecond))
	fmt.Fprintln(w, "latency (ms)        p50     p95     p99     max")
	for _, l := range []struct {
		name string
		l    Latencies
	}{{"record and predict", r.RecordAndPredict}, {"predict (read)", r.Predict}, {"record (write)", r.Record}} {
		fmt.Fprintf(w, "%-18s %6.3f  %6.3f  %6.3f  %6.2f\n", l.name, ms(l.l.P50), ms(l.l.P95), ms(l.l.P99), ms(l.l.Max))
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
