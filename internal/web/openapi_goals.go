package web

import (
	"reflect"

	"github.com/cairn-learning/cairn/internal/limits"
	"github.com/cairn-learning/cairn/internal/pathways"
)

// goalsDescription says who may read and change goals and proposals.
const goalsDescription = "Goals and proposals are part of a student's goals record: the student, their guardians and their teachers read them; " +
	"only the student sets a goal, reflects on it and proposes an activity; a teacher of the student comments on goals and decides proposals. " +
	"A goal or proposal of a student the caller may not see is answered like one that does not exist."

// The goals and proposals operations, added to operations.
var goalOperations = map[string]operation{
	"GET /api/v1/students/{id}/goals": {Tag: "goals", Summary: "A student's goals",
		Description: "The open goals first, soonest due first, then the closed ones; each with its reflection and the teachers' comments. " + goalsDescription,
		Response:    pathways.Goal{}, List: true},
	"POST /api/v1/students/{id}/goals": {Tag: "goals", Summary: "Set a goal",
		Description: "The student sets a goal, after an assessment when evidenceId names one of their own. due is a day written as 2026-12-04, from today to a year ahead. " + goalsDescription,
		Body:        goalInput{}, Status: 201, Response: pathways.Goal{}, Location: true},
	"GET /api/v1/goals/{id}": {Tag: "goals", Summary: "Get a goal", Description: goalsDescription, Response: pathways.Goal{}},
	"POST /api/v1/goals/{id}/reflection": {Tag: "goals", Summary: "Reflect on a goal",
		Description: "The student says whether the goal was met, what happened, what they learned and what comes next; the goal closes as met or not met. Before the day it is due, a goal can be closed only as met. at is set by the server. " + goalsDescription,
		Body:        pathways.Reflection{}, Response: pathways.Goal{}, Conflict: true},
	"POST /api/v1/goals/{id}/comments": {Tag: "goals", Summary: "Comment on a goal",
		Description: "A teacher of the student comments; the answer is the goal with every comment. " + goalsDescription,
		Body:        commentInput{}, Status: 201, Response: pathways.Goal{}},
	"GET /api/v1/students/{id}/proposals": {Tag: "goals", Summary: "A student's proposals",
		Description: "Those waiting for a decision first, then the most recent; each with its history. " + goalsDescription,
		Response:    pathways.Proposal{}, List: true},
	"POST /api/v1/students/{id}/proposals": {Tag: "goals", Summary: "Propose an activity",
		Description: "The student proposes an activity of their own for a target: a standard of the course of one of their classes. link, when given, is an http or https address. " + goalsDescription,
		Body:        proposalInput{}, Status: 201, Response: pathways.Proposal{}, Location: true},
	"GET /api/v1/proposals/{id}": {Tag: "goals", Summary: "Get a proposal", Description: goalsDescription, Response: pathways.Proposal{}},
	"POST /api/v1/proposals/{id}/revision": {Tag: "goals", Summary: "Propose a returned proposal again",
		Description: "The student revises a proposal a teacher sent back; it waits for a decision again, its history kept. " + goalsDescription,
		Body:        pathways.ProposalDraft{}, Response: pathways.Proposal{}, Conflict: true},
	"POST /api/v1/proposals/{id}/decision": {Tag: "goals", Summary: "Approve or return a proposal",
		Description: "A teacher of the student approves the proposal, or sends it back with a comment saying what to change (required then). Only a proposal waiting for a decision can be decided. " + goalsDescription,
		Body:        pathways.Decision{}, Response: pathways.Proposal{}, Conflict: true},
	"GET /api/v1/classes/{id}/proposals": {Tag: "goals", Summary: "A class's proposals",
		Description: "The proposals made in the class by the students the caller may see, those waiting for a decision first.",
		Response:    pathways.Proposal{}, List: true},
}

func init() {
	for k, v := range goalOperations {
		operations[k] = v
	}
	for t, fields := range map[reflect.Type]map[string]int{
		reflect.TypeFor[goalInput]():              {"what": limits.Title, "plan": limits.Comment, "need": limits.Comment},
		reflect.TypeFor[pathways.GoalDraft]():     {"what": limits.Title, "plan": limits.Comment, "need": limits.Comment},
		reflect.TypeFor[pathways.Reflection]():    {"happened": limits.Comment, "learned": limits.Comment, "next": limits.Comment},
		reflect.TypeFor[commentInput]():           {"text": limits.Comment},
		reflect.TypeFor[pathways.GoalComment]():   {"text": limits.Comment},
		reflect.TypeFor[pathways.ProposalDraft](): {"title": limits.Title, "plan": limits.Comment, "link": limits.URL},
		reflect.TypeFor[pathways.ProposalStep]():  {"title": limits.Title, "plan": limits.Comment, "link": limits.URL, "comment": limits.Comment},
		reflect.TypeFor[pathways.Decision]():      {"comment": limits.Comment},
	} {
		for name, n := range fields {
			maxLengths[textField{t, name}] = n
		}
	}
	enums[reflect.TypeFor[pathways.GoalState]()] = []string{"open", "met", "not_met"}
	enums[reflect.TypeFor[pathways.ProposalState]()] = []string{"proposed", "approved", "returned"}
	enums[reflect.TypeFor[pathways.ProposalAction]()] = []string{"proposed", "approved", "returned"}
}
