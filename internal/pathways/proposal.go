package pathways

import (
	"net/url"
	"strings"
	"time"

	"github.com/cairn-learning/cairn/internal/limits"
	"github.com/cairn-learning/cairn/internal/problem"
)

// ProposalState is where a student's proposal stands.
type ProposalState string

// The states of a proposal. A proposal is proposed, then approved or
// returned by a teacher; a returned one may be revised and proposed
// again, an approved one is settled.
const (
	ProposalProposed ProposalState = "proposed"
	ProposalApproved ProposalState = "approved"
	ProposalReturned ProposalState = "returned"
)

// ProposalStates are the states in the order a proposal moves through them.
var ProposalStates = []ProposalState{ProposalProposed, ProposalApproved, ProposalReturned}

// ProposalAction is one step in a proposal's history.
type ProposalAction string

// The steps of a proposal's history.
const (
	ActionProposed ProposalAction = "proposed" // the student proposed it, or proposed it again revised
	ActionApproved ProposalAction = "approved" // a teacher approved it
	ActionReturned ProposalAction = "returned" // a teacher sent it back with a comment
)

// Proposal is an activity a student proposes, of their own, for a target
// (a standard in one of their classes), for a teacher to approve or send
// back with a comment.
type Proposal struct {
	ID         int64 `json:"id"`
	DistrictID int64 `json:"districtId"`
	StudentID  int64 `json:"studentId"`
	ClassID    int64 `json:"classId"`
	StandardID int64 `json:"standardId"`
	ProposalDraft
	State      ProposalState `json:"state"`
	ProposedAt time.Time     `json:"proposedAt"`
	// DecidedAt and DecidedBy are the teacher's last decision, nil while
	// it waits for one.
	DecidedAt *time.Time `json:"decidedAt,omitempty"`
	DecidedBy *int64     `json:"decidedBy,omitempty"`
	// History lists every step, oldest first: each proposal with the
	// words proposed then, each decision with its comment.
	History []ProposalStep `json:"history,omitempty"`
}

// ProposalDraft is what a student writes: a title, what they will do, and
// optionally a link to what they will use.
type ProposalDraft struct {
	Title string `json:"title"`
	Plan  string `json:"plan"`
	Link  string `json:"link,omitempty"`
}

// ProposalStep is one step of a proposal's history.
type ProposalStep struct {
	At     time.Time      `json:"at"`
	By     int64          `json:"by"`
	Action ProposalAction `json:"action"`
	// Title, Plan and Link are the words proposed, on a proposed step.
	Title string `json:"title,omitempty"`
	Plan  string `json:"plan,omitempty"`
	Link  string `json:"link,omitempty"`
	// Comment is the teacher's, on a decision.
	Comment string `json:"comment,omitempty"`
}

// Normalize trims the draft's words.
func (d *ProposalDraft) Normalize() {
	d.Title = strings.TrimSpace(d.Title)
	d.Plan = strings.TrimSpace(d.Plan)
	d.Link = strings.TrimSpace(d.Link)
}

// Validate checks a draft, naming each field refused and why: a title and
// what the student will do are needed, each within its length, and a link,
// when given, must be an http(s) address.
func (d ProposalDraft) Validate() error {
	var errs problem.Fields
	d.check(&errs)
	return errs.Err()
}

func (d ProposalDraft) check(errs *problem.Fields) {
	required(errs, "title", d.Title, limits.Title, "a title")
	required(errs, "plan", d.Plan, limits.Comment, "what you will do")
	if d.Link != "" {
		if why := limits.TooLong(d.Link, limits.URL, "an address"); why != "" {
			errs.Add("link", why)
		} else if !webAddress(d.Link) {
			errs.Add("link", "must be an http or https address")
		}
	}
}

// NewProposal checks and returns the proposal a student makes at now for
// a target in one of their classes.
func NewProposal(districtID, studentID, classID, standardID int64, d ProposalDraft, now time.Time) (Proposal, error) {
	d.Normalize()
	var errs problem.Fields
	if studentID == 0 {
		errs.Add("studentId", "required")
	}
	if classID == 0 {
		errs.Add("classId", "required")
	}
	if standardID == 0 {
		errs.Add("standardId", "required: the target the activity is for")
	}
	d.check(&errs)
	if err := errs.Err(); err != nil {
		return Proposal{}, err
	}
	p := Proposal{DistrictID: districtID, StudentID: studentID, ClassID: classID, StandardID: standardID,
		ProposalDraft: d, State: ProposalProposed, ProposedAt: now}
	p.History = []ProposalStep{proposedStep(studentID, d, now)}
	return p, nil
}

func proposedStep(by int64, d ProposalDraft, at time.Time) ProposalStep {
	return ProposalStep{At: at, By: by, Action: ActionProposed, Title: d.Title, Plan: d.Plan, Link: d.Link}
}

// Decision is a teacher's decision on a proposal: approve it, or return
// it with a comment saying what to change.
type Decision struct {
	Approve bool   `json:"approve"`
	Comment string `json:"comment,omitempty"`
}

// Decide applies a teacher's decision at now and returns the step to add
// to the history. Only a proposal waiting for a decision can be decided
// (problem.ErrConflict otherwise); a proposal returned needs a comment.
func (p *Proposal) Decide(by int64, d Decision, now time.Time) (ProposalStep, error) {
	d.Comment = strings.TrimSpace(d.Comment)
	var errs problem.Fields
	if why := limits.TooLong(d.Comment, limits.Comment, "a comment"); why != "" {
		errs.Add("comment", why)
	}
	if !d.Approve && d.Comment == "" {
		errs.Add("comment", "say what to change when you send a proposal back")
	}
	if err := errs.Err(); err != nil {
		return ProposalStep{}, err
	}
	if p.State != ProposalProposed {
		return ProposalStep{}, problem.Conflict("state", "the proposal is %s, not waiting for a decision", p.State)
	}
	step := ProposalStep{At: now, By: by, Action: ActionReturned, Comment: d.Comment}
	p.State = ProposalReturned
	if d.Approve {
		step.Action = ActionApproved
		p.State = ProposalApproved
	}
	p.DecidedAt, p.DecidedBy = &now, &by
	p.History = append(p.History, step)
	return step, nil
}

// Revise proposes a returned proposal again with the student's new words
// at now, and returns the step to add to the history. Only a returned
// proposal can be revised (problem.ErrConflict otherwise).
func (p *Proposal) Revise(d ProposalDraft, now time.Time) (ProposalStep, error) {
	d.Normalize()
	if err := d.Validate(); err != nil {
		return ProposalStep{}, err
	}
	if p.State != ProposalReturned {
		return ProposalStep{}, problem.Conflict("state", "the proposal is %s: only one sent back can be revised", p.State)
	}
	p.ProposalDraft = d
	p.State = ProposalProposed
	p.ProposedAt = now
	p.DecidedAt, p.DecidedBy = nil, nil
	step := proposedStep(p.StudentID, d, now)
	p.History = append(p.History, step)
	return step, nil
}

// LastComment is the comment of the teacher's last decision, "" when none.
func (p Proposal) LastComment() string {
	for i := len(p.History) - 1; i >= 0; i-- {
		if p.History[i].Action != ActionProposed {
			return p.History[i].Comment
		}
	}
	return ""
}

// required adds a reason to errs when text is empty or longer than max.
func required(errs *problem.Fields, field, text string, max int, what string) {
	if strings.TrimSpace(text) == "" {
		errs.Add(field, "required")
		return
	}
	bounded(errs, field, text, max, what)
}

// bounded adds a reason to errs when text is longer than max.
func bounded(errs *problem.Fields, field, text string, max int, what string) {
	if why := limits.TooLong(text, max, what); why != "" {
		errs.Add(field, why)
	}
}

// webAddress reports whether s is an absolute http or https address with
// a host: the only links a page may offer a student to follow.
func webAddress(s string) bool {
	u, err := url.Parse(s)
	if err != nil {
		return false
	}
	return (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
