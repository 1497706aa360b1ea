package web

import (
	"fmt"
	"net/http"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/store"
	"github.com/cairn-learning/cairn/internal/supports"
)

// supportPlanInput is a plan as a client writes it: its days written as
// 2026-12-04.
type supportPlanInput struct {
	ClassID     *int64        `json:"classId,omitempty"`
	Tier        supports.Tier `json:"tier"`
	Kind        supports.Kind `json:"kind"`
	StandardIDs []int64       `json:"standardIds"`
	ProviderID  int64         `json:"providerId"`
	Schedule    string        `json:"schedule,omitempty"`
	StartsOn    string        `json:"startsOn"`
	EndsOn      string        `json:"endsOn,omitempty"`
	Goal        string        `json:"goal"`
}

// supportPlanPatch changes some of an open plan's fields; those left out
// keep their value. endsOn "" removes the end.
type supportPlanPatch struct {
	ClassID     *int64         `json:"classId,omitempty"`
	Tier        *supports.Tier `json:"tier,omitempty"`
	Kind        *supports.Kind `json:"kind,omitempty"`
	StandardIDs []int64        `json:"standardIds,omitempty"`
	ProviderID  *int64         `json:"providerId,omitempty"`
	Schedule    *string        `json:"schedule,omitempty"`
	StartsOn    *string        `json:"startsOn,omitempty"`
	EndsOn      *string        `json:"endsOn,omitempty"`
	Goal        *string        `json:"goal,omitempty"`
}

// supportCloseInput closes a plan.
type supportCloseInput struct {
	Outcome supports.Outcome `json:"outcome"`
	Note    string           `json:"note,omitempty"`
}

// noteInput is a teacher's note as a client writes it.
type noteInput struct {
	ClassID *int64            `json:"classId,omitempty"`
	Kind    supports.NoteKind `json:"kind"`
	Text    string            `json:"text"`
}

// supportPlanJSON is a plan with, when asked for one plan, its progress
// monitoring.
type supportPlanJSON struct {
	supports.Plan
	Progress *supports.Progress `json:"progress,omitempty"`
}

// planDays parses a plan's days, naming each that does not parse.
func planDays(starts, ends string, d *supports.PlanDraft, errs *problem.Fields) {
	if starts != "" {
		day, err := supports.ParseDay("startsOn", starts)
		if err != nil {
			errs.Add("startsOn", "not a date written as 2026-12-04")
		}
		d.StartsOn = day
	}
	d.EndsOn = nil
	if ends != "" {
		day, err := supports.ParseDay("endsOn", ends)
		if err != nil {
			errs.Add("endsOn", "not a date written as 2026-12-04")
		} else {
			d.EndsOn = &day
		}
	}
}

func (s *Server) studentSupportPlans(w http.ResponseWriter, r *http.Request) error {
	st, err := s.pathStudent(r, access.View, access.Supports)
	if err != nil {
		return err
	}
	ps, err := s.store.SupportPlans(r.Context(), s.districtOf(r), store.SupportPlanFilter{StudentIDs: []int64{st.ID}})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(ps, 0))
	return nil
}

func (s *Server) createSupportPlanAPI(w http.ResponseWriter, r *http.Request) error {
	st, audit, err := s.pathStudentChange(r, access.Supports)
	if err != nil {
		return err
	}
	var in supportPlanInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	d := supports.PlanDraft{StudentID: st.ID, ClassID: in.ClassID, Tier: in.Tier, Kind: in.Kind, StandardIDs: in.StandardIDs,
		ProviderID: in.ProviderID, Schedule: in.Schedule, Goal: in.Goal}
	var parse problem.Fields
	planDays(in.StartsOn, in.EndsOn, &d, &parse)
	if err := checkDraft(d, parse, s.now()); err != nil {
		return err
	}
	p := supports.Plan{DistrictID: s.districtOf(r), CreatedBy: actorOf(r).PersonID, PlanDraft: d}
	if err := s.store.CreateSupportPlan(r.Context(), &p, audit); err != nil {
		return err
	}
	writeCreated(w, fmt.Sprintf("/api/v1/supports/%d", p.ID), supportPlanJSON{Plan: p})
	return nil
}

func (s *Server) getSupportPlan(w http.ResponseWriter, r *http.Request) error {
	p, _, err := s.planAccess(r, access.View)
	if err != nil {
		return err
	}
	out := supportPlanJSON{Plan: p}
	cat, err := s.store.Catalog(r.Context(), p.DistrictID)
	if err != nil {
		return err
	}
	if goal, _, ok := supportGoalLevel(cat, p); ok {
		pts, err := s.store.SupportProgress(r.Context(), p)
		if err != nil {
			return err
		}
		pg := supports.Monitor(p, goal, pts)
		if pg.Points == nil {
			pg.Points = []supports.ProgressPoint{}
		}
		out.Progress = &pg
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) patchSupportPlan(w http.ResponseWriter, r *http.Request) error {
	p, audit, err := s.planAccess(r, access.Change)
	if err != nil {
		return err
	}
	var in supportPlanPatch
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	d := p.PlanDraft
	if in.ClassID != nil {
		d.ClassID = in.ClassID
	}
	if in.Tier != nil {
		d.Tier = *in.Tier
	}
	if in.Kind != nil {
		d.Kind = *in.Kind
	}
	if in.StandardIDs != nil {
		d.StandardIDs = in.StandardIDs
	}
	if in.ProviderID != nil {
		d.ProviderID = *in.ProviderID
	}
	if in.Schedule != nil {
		d.Schedule = *in.Schedule
	}
	if in.Goal != nil {
		d.Goal = *in.Goal
	}
	var parse problem.Fields
	if in.StartsOn != nil {
		day, err := supports.ParseDay("startsOn", *in.StartsOn)
		if err != nil {
			parse.Add("startsOn", "not a date written as 2026-12-04")
		}
		d.StartsOn = day
	}
	if in.EndsOn != nil {
		d.EndsOn = nil
		if *in.EndsOn != "" {
			day, err := supports.ParseDay("endsOn", *in.EndsOn)
			if err != nil {
				parse.Add("endsOn", "not a date written as 2026-12-04")
			}
			d.EndsOn = &day
		}
	}
	if err := parse.Err(); err != nil {
		return err
	}
	out, err := s.store.ReviseSupportPlan(r.Context(), p.DistrictID, p.ID, d, audit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, supportPlanJSON{Plan: out})
	return nil
}

func (s *Server) closeSupportPlanAPI(w http.ResponseWriter, r *http.Request) error {
	p, audit, err := s.planAccess(r, access.Change)
	if err != nil {
		return err
	}
	var in supportCloseInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	out, err := s.store.CloseSupportPlan(r.Context(), p.DistrictID, p.ID, in.Outcome, in.Note, audit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, supportPlanJSON{Plan: out})
	return nil
}

func (s *Server) studentNotesAPI(w http.ResponseWriter, r *http.Request) error {
	st, err := s.pathStudent(r, access.View, access.Notes)
	if err != nil {
		return err
	}
	ns, err := s.store.StudentNotes(r.Context(), s.districtOf(r), st.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(ns, 0))
	return nil
}

func (s *Server) createNoteAPI(w http.ResponseWriter, r *http.Request) error {
	st, audit, err := s.pathStudentChange(r, access.Notes)
	if err != nil {
		return err
	}
	var in noteInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	n := supports.Note{DistrictID: s.districtOf(r), StudentID: st.ID, ClassID: in.ClassID, AuthorID: actorOf(r).PersonID, Kind: in.Kind, Text: in.Text}
	if err := s.store.RecordNote(r.Context(), &n, audit); err != nil {
		return err
	}
	writeCreated(w, "", n)
	return nil
}
