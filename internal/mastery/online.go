package mastery

// OnlineStudent is the logistic model's state of one student as a store
// keeps it between pieces of evidence: the trace across all standards and
// one trace per standard, keyed by the store's standard ids. Changed names
// the standards whose trace Observe changed, so that only those rows are
// written back.
type OnlineStudent struct {
	Student   StudentTrace
	Standards map[int64]*StandardTrace
	Changed   map[int64]bool
}

// OnlineResponse is one response as the online model reads it: the
// standard it assesses, the item's weights (nil for an item the model was
// not fitted on, or no item) and the standard's weights (nil when the
// model was not fitted on it). Related standards in Weights are named by
// the same ids as Standard.
type OnlineResponse struct {
	Standard int64
	Item     *ItemWeights
	Weights  *StandardWeights
	Correct  bool
}

// AbilityModel returns the logistic model that is the ability model
// alone: the log-odds of a right answer are the ability model's, for an
// item of rating 0 unless the item or standard weights say otherwise. It
// serves a district until a model is fitted to its evidence.
func AbilityModel(p AbilityParams) LogisticModel {
	m := LogisticModel{Features: FeatAbility, Ability: p, Decay: 0.7}
	m.Weights[dAbilityLogit] = 1
	return m
}

var emptyTrace StandardTrace

func (o *OnlineStudent) related(id int64) *StandardTrace {
	if t := o.Standards[id]; t != nil && t.N() > 0 {
		return t
	}
	return nil
}

// query builds the model's query for r, reading the student's trace on
// the standard through t.
func (o *OnlineStudent) query(r *OnlineResponse, t *StandardTrace, stds *[1]TracedStandard) LogisticQuery {
	stds[0] = TracedStandard{Weights: r.Weights, Trace: t}
	return LogisticQuery{Item: r.Item, Student: &o.Student, Standards: stds[:], Related: o.related}
}

// PredictOnline returns the probability that the student answers r right,
// from what was observed of them so far. It does not change o.
func (m *LogisticModel) PredictOnline(o *OnlineStudent, r OnlineResponse) float64 {
	t := o.Standards[r.Standard]
	if t == nil {
		cp := emptyTrace
		t = &cp
	}
	var stds [1]TracedStandard
	q := o.query(&r, t, &stds)
	return m.PredictCorrect(&q)
}

// Observe folds r into the student's traces: O(1), the online update.
func (m *LogisticModel) Observe(o *OnlineStudent, r OnlineResponse) {
	if o.Standards == nil {
		o.Standards = map[int64]*StandardTrace{}
	}
	if o.Changed == nil {
		o.Changed = map[int64]bool{}
	}
	t := o.Standards[r.Standard]
	if t == nil {
		t = &StandardTrace{}
		o.Standards[r.Standard] = t
	}
	var stds [1]TracedStandard
	q := o.query(&r, t, &stds)
	m.Update(&q, r.Correct)
	o.Changed[r.Standard] = true
}

// EstimateOnline returns the model's estimate of the student's mastery of
// a standard: the ability model's (AbilityParams.Estimate), for an item of
// the standard's typical rating (0 when the model was not fitted on it).
func (m *LogisticModel) EstimateOnline(o *OnlineStudent, standard int64, w *StandardWeights, opt EstimateOptions) MasteryEstimate {
	var rating float64
	if w != nil {
		rating = w.Rating
	}
	t := o.Standards[standard]
	var a *Ability
	if t != nil {
		a = &t.Ability
	}
	return m.Ability.Estimate(&o.Student.Ability, a, rating, opt)
}
