package web

import (
	"reflect"
	"strings"

	"fmt"
	"github.com/cairn-learning/cairn/internal/limits"
	"net/http"
	"strconv"
	"time"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/store"
)

// summativeJSON is a student's standing for the summative on one
// standard: whether the district's bar proposes them as ready (model and
// method), whether another attempt is open under the reassessment policy,
// the summative result so far, the teacher's decision in force, and all
// of it in sentences in the caller's language.
type summativeJSON struct {
	StudentID  int64 `json:"studentId"`
	StandardID int64 `json:"standardId"`
	pathways.SummativeProposal
	Decision *summativeDecisionJSON `json:"decision,omitempty"`
	// Explanation says the standing in words a student or a family can
	// read: readiness (or the teacher's decision), then the retake.
	Explanation string `json:"explanation"`
}

// classSummativeJSON is a class's standings for the summative: one item
// per student the caller may see and standard of the course where the
// student has evidence.
type classSummativeJSON struct {
	ClassID   int64                    `json:"classId"`
	Policy    pathways.SummativePolicy `json:"policy"`
	Standings []summativeJSON          `json:"standings"`
}

func (s *Server) summativeJSONOf(r *http.Request, it summativeItem, name string) summativeJSON {
	w := wordsFor(s.printerOf(r), it, name, actorOf(r).PersonID == it.Student)
	j := summativeJSON{StudentID: it.Student, StandardID: it.Standard, SummativeProposal: it.SummativeProposal, Explanation: w.Status + " " + w.Retake}
	if w.Left != "" {
		j.Explanation += " " + w.Left
	}
	if it.Decision != nil {
		j.Decision = newDecisionJSON(*it.Decision)
	}
	return j
}

func (s *Server) classSummative(w http.ResponseWriter, r *http.Request) error {
	c, err := s.classAccess(r, access.View)
	if err != nil {
		return err
	}
	ctx := r.Context()
	d := s.districtOf(r)
	cat, err := s.store.Catalog(ctx, d)
	if err != nil {
		return err
	}
	students, rels, err := s.classRoster(r, c.ID, access.View, access.Mastery)
	if err != nil {
		return err
	}
	if err := s.auditClass(r, students, rels, access.View, access.Mastery, "summative readiness of class "+strconv.FormatInt(c.ID, 10)); err != nil {
		return err
	}
	course := cat.CourseStandards(c.CourseID)
	ids, stds := make([]int64, len(students)), make([]int64, len(course))
	for i, p := range students {
		ids[i] = p.ID
	}
	for j, st := range course {
		stds[j] = st.ID
	}
	in, err := s.store.SummativeInputs(ctx, d, ids, stds)
	if err != nil {
		return err
	}
	out := classSummativeJSON{ClassID: c.ID, Policy: in.Policy, Standings: []summativeJSON{}}
	for _, p := range students {
		for _, std := range course {
			if it, ok := summativeOf(in, cat, p.ID, std); ok {
				out.Standings = append(out.Standings, s.summativeJSONOf(r, it, p.GivenName))
			}
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) studentStandardSummative(w http.ResponseWriter, r *http.Request) error {
	stu, err := s.pathStudent(r, access.View, access.Mastery)
	if err != nil {
		return err
	}
	std, err := s.pathStandard(r, "standardId")
	if err != nil {
		return err
	}
	ctx := r.Context()
	d := s.districtOf(r)
	cat, err := s.store.Catalog(ctx, d)
	if err != nil {
		return err
	}
	in, err := s.store.SummativeInputs(ctx, d, []int64{stu.ID}, []int64{std.ID})
	if err != nil {
		return err
	}
	it, ok := summativeOf(in, cat, stu.ID, std)
	if !ok {
		// No evidence yet: the bar says so, and the first attempt is open.
		it = summativeItem{Student: stu.ID, Standard: std.ID,
			SummativeProposal: in.Policy.Propose(pathways.SummativeStanding{}, pathways.History{}, cat.ScaleOf(std))}
	}
	writeJSON(w, http.StatusOK, s.summativeJSONOf(r, it, stu.GivenName))
	return nil
}

// summativeDecisionInput is a teacher's decision on a proposal.
type summativeDecisionInput struct {
	// Decision is confirmed or declined; a decline needs a reason.
	Decision string `json:"decision"`
	Reason   string `json:"reason,omitempty"`
}

func (s *Server) decideSummative(w http.ResponseWriter, r *http.Request) error {
	stu, entry, err := s.pathStudentChange(r, access.Evidence)
	if err != nil {
		return err
	}
	std, err := s.pathStandard(r, "standardId")
	if err != nil {
		return err
	}
	var in summativeDecisionInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	a := actorOf(r)
	d := store.SummativeDecision{DistrictID: a.DistrictID, StudentID: stu.ID, StandardID: std.ID,
		Decision: in.Decision, Reason: in.Reason, DecidedBy: a.PersonID}
	if err := s.store.DecideSummative(r.Context(), &d, entry); err != nil {
		return err
	}
	writeCreated(w, fmt.Sprintf("/api/v1/students/%d/standards/%d/summative", stu.ID, std.ID), newDecisionJSON(d))
	return nil
}

// summativePolicyInput is a new summative policy and why it changes.
type summativePolicyInput struct {
	pathways.SummativePolicy
	Reason string `json:"reason"`
}

func (s *Server) getSummativePolicy(w http.ResponseWriter, r *http.Request) error {
	p, err := s.store.SummativePolicy(r.Context(), s.districtOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *Server) putSummativePolicy(w http.ResponseWriter, r *http.Request) error {
	var in summativePolicyInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.Reason == "" {
		return problem.Invalid("reason", "say why the policy changes")
	}
	a := actorOf(r)
	if err := s.store.SetSummativePolicy(r.Context(), a.DistrictID, in.SummativePolicy, a.PersonID, in.Reason); err != nil {
		return err
	}
	return s.getSummativePolicy(w, r)
}

// summativePolicyChangeJSON is one recorded change of the summative
// policy; old is null when the district followed the defaults.
type summativePolicyChangeJSON struct {
	ID        int64                     `json:"id"`
	Old       *pathways.SummativePolicy `json:"old"`
	New       pathways.SummativePolicy  `json:"new"`
	ChangedBy int64                     `json:"changedBy"`
	ChangedAt time.Time                 `json:"changedAt"`
	Reason    string                    `json:"reason"`
}

func (s *Server) summativePolicyChanges(w http.ResponseWriter, r *http.Request) error {
	changes, err := s.store.SummativePolicyChanges(r.Context(), s.districtOf(r))
	if err != nil {
		return err
	}
	items := make([]summativePolicyChangeJSON, len(changes))
	for i, c := range changes {
		items[i] = summativePolicyChangeJSON{ID: c.ID, Old: c.Old, New: c.New, ChangedBy: c.ChangedBy, ChangedAt: c.ChangedAt, Reason: c.Reason}
	}
	writeJSON(w, http.StatusOK, newList(items, 0))
	return nil
}

// The OpenAPI description of the summative's routes, and the names and
// values of its types.
func init() {
	for pattern, op := range map[string]operation{
		"GET /api/v1/classes/{id}/summative": {Tag: "summative", Summary: "Who in a class is ready for the summative, standard by standard",
			Description: "One item per student of the class whom the caller may see and standard of the course where the student has evidence or attempts: whether the district's bar proposes the student as ready (the model's probability and the low end of its interval, and the method's level), whether another attempt is open under the reassessment policy, the summative result so far, the teacher's decision in force, and an explanation in the caller's language.",
			Response:    classSummativeJSON{}},
		"GET /api/v1/students/{id}/standards/{standardId}/summative": {Tag: "summative", Summary: "Whether a student is ready for the summative on a standard, and what a retake needs",
			Response: summativeJSON{}},
		"POST /api/v1/students/{id}/standards/{standardId}/summative/decisions": {Tag: "summative", Summary: "Confirm or decline that a student is ready for the summative",
			Description: "A decline needs a reason, which the student and the family read. The latest decision is in force until the next attempt is recorded.",
			Body:        summativeDecisionInput{}, Status: 201, Response: summativeDecisionJSON{}, Location: true},
		"GET /api/v1/summative/policy": {Tag: "summative", Summary: "The district's readiness bar and reassessment policy",
			Response: pathways.SummativePolicy{}},
		"PUT /api/v1/summative/policy": {Tag: "summative", Summary: "Change the district's readiness bar and reassessment policy",
			Description: "The change is recorded with who made it and why. From then on a summative attempt that breaks the reassessment policy is refused with 409 naming the rule (practice_before_retake, max_attempts), unless recorded with an overrideReason.",
			Body:        summativePolicyInput{}, Response: pathways.SummativePolicy{}},
		"GET /api/v1/summative/policy/changes": {Tag: "summative", Summary: "Every recorded change of the summative policy",
			Response: summativePolicyChangeJSON{}, List: true},
	} {
		operations[pattern] = op
	}
	enums[reflect.TypeFor[pathways.Counting]()] = stringsOf(pathways.Countings)
	enums[reflect.TypeFor[pathways.Rule]()] = []string{string(pathways.RulePractice), string(pathways.RuleCap)}
	enums[reflect.TypeFor[pathways.SummativeReasonCode]()] = []string{"ready", "no_evidence", "no_model", "model_below", "model_unsure",
		"method_below", "first_attempt", "retake_open", "practice_first", "no_attempts_left"}
	componentNames[reflect.TypeFor[pathways.SummativeReason]()] = "SummativeReason"
	componentNames[reflect.TypeFor[pathways.Result]()] = "SummativeResult"
	componentNames[reflect.TypeFor[pathways.SummativeProposal]()] = "SummativeProposal"
	componentNames[reflect.TypeFor[pathways.SummativeReadiness]()] = "SummativeReadiness"
	componentNames[reflect.TypeFor[pathways.Retake]()] = "SummativeRetake"
	componentNames[reflect.TypeFor[pathways.Attempt]()] = "SummativeAttempt"
	maxLengths[textField{reflect.TypeFor[summativeDecisionInput](), "reason"}] = limits.Reason
	maxLengths[textField{reflect.TypeFor[summativePolicyInput](), "reason"}] = limits.Reason
	maxLengths[textField{reflect.TypeFor[evidenceInput](), "overrideReason"}] = limits.Reason
}

// The evidence API may now answer 409: a summative attempt the
// reassessment policy refuses.
func init() {
	for _, pattern := range []string{"POST /api/v1/evidence", "POST /api/v1/evidence/batch"} {
		op := operations[pattern]
		op.Conflict = true
		op.Description = strings.TrimSpace(op.Description + " A summative attempt the district's reassessment policy refuses (no practice since the last attempt: rule practice_before_retake; the cap reached: rule max_attempts) answers 409 naming the rule and the standard; a single record may carry an overrideReason to record it anyway.")
		operations[pattern] = op
	}
}
