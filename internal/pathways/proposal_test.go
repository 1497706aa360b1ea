package pathways

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/problem"
)

var monday = time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC)

// wantField checks that err is invalid input naming field with a reason
// containing reason.
func wantField(t *testing.T, err error, field, reason string) {
	t.Helper()
	var ie *problem.InvalidError
	if !errors.As(err, &ie) {
		t.Fatalf("got %v, want invalid input naming %s", err, field)
	}
	for _, f := range ie.Fields {
		if f.Field == field && strings.Contains(f.Reason, reason) {
			return
		}
	}
	t.Errorf("%v does not name %s with %q", err, field, reason)
}

func TestProposalRefused(t *testing.T) {
	good := ProposalDraft{Title: "Unit rates at the grocery store", Plan: "Compare prices per ounce of five cereals", Link: "https://example.org/cereal"}
	tests := []struct {
		name          string
		edit          func(d *ProposalDraft)
		field, reason string
	}{
		{"no title", func(d *ProposalDraft) { d.Title = "  " }, "title", "required"},
		{"long title", func(d *ProposalDraft) { d.Title = strings.Repeat("x", 201) }, "title", "200 characters"},
		{"no plan", func(d *ProposalDraft) { d.Plan = "" }, "plan", "required"},
		{"long plan", func(d *ProposalDraft) { d.Plan = strings.Repeat("é", 4001) }, "plan", "4000 characters"},
		{"javascript link", func(d *ProposalDraft) { d.Link = "javascript:alert(1)" }, "link", "http or https"},
		{"relative link", func(d *ProposalDraft) { d.Link = "/etc/passwd" }, "link", "http or https"},
		{"no host", func(d *ProposalDraft) { d.Link = "https://" }, "link", "http or https"},
		{"long link", func(d *ProposalDraft) { d.Link = "https://a.org/" + strings.Repeat("a", 2048) }, "link", "2048 characters"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := good
			tc.edit(&d)
			_, err := NewProposal(1, 2, 3, 4, d, monday)
			wantField(t, err, tc.field, tc.reason)
		})
	}
	_, err := NewProposal(1, 0, 0, 0, good, monday)
	wantField(t, err, "standardId", "target")
	wantField(t, err, "classId", "required")
}

func TestProposalLifecycle(t *testing.T) {
	p, err := NewProposal(1, 2, 3, 4, ProposalDraft{Title: " Cereal ", Plan: "Compare prices"}, monday)
	if err != nil {
		t.Fatal(err)
	}
	if p.State != ProposalProposed || p.Title != "Cereal" || len(p.History) != 1 {
		t.Fatalf("new proposal %+v", p)
	}
	if _, err := p.Revise(ProposalDraft{Title: "x", Plan: "y"}, monday); !errors.Is(err, problem.ErrConflict) {
		t.Errorf("revising a proposal waiting for a decision: %v, want a conflict", err)
	}
	_, err = p.Decide(9, Decision{}, monday)
	wantField(t, err, "comment", "say what to change")
	step, err := p.Decide(9, Decision{Comment: "Add how you will show the unit rate"}, monday.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if p.State != ProposalReturned || step.Action != ActionReturned || p.LastComment() != "Add how you will show the unit rate" {
		t.Errorf("returned: %+v, step %+v", p, step)
	}
	if _, err := p.Decide(9, Decision{Approve: true}, monday); !errors.Is(err, problem.ErrConflict) {
		t.Errorf("deciding a returned proposal: %v, want a conflict", err)
	}
	if _, err := p.Revise(ProposalDraft{Title: "Cereal", Plan: "Compare prices and make a poster", Link: "http://example.org"}, monday.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if p.State != ProposalProposed || p.DecidedAt != nil || p.Plan != "Compare prices and make a poster" {
		t.Errorf("revised: %+v", p)
	}
	if _, err := p.Decide(9, Decision{Approve: true}, monday.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if p.State != ProposalApproved || *p.DecidedBy != 9 {
		t.Errorf("approved: %+v", p)
	}
	var actions []ProposalAction
	for _, s := range p.History {
		actions = append(actions, s.Action)
	}
	want := []ProposalAction{ActionProposed, ActionReturned, ActionProposed, ActionApproved}
	if strings.Join(toStrings(actions), ",") != strings.Join(toStrings(want), ",") {
		t.Errorf("history %v, want %v", actions, want)
	}
	if p.History[0].Plan != "Compare prices" {
		t.Errorf("the history lost the first words: %+v", p.History[0])
	}
	if _, err := p.Revise(ProposalDraft{Title: "x", Plan: "y"}, monday); !errors.Is(err, problem.ErrConflict) {
		t.Errorf("revising an approved proposal: %v, want a conflict", err)
	}
}

func toStrings[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}
