package oneroster

import (
	"archive/zip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/cairn-learning/cairn/internal/standards"
)

// Gradebook is what cairn reports back to a student information system as
// OneRoster 1.2 gradebook files: a category, line items (one per class and
// standard) and results (one per student and line item), each tied to its
// standard as a CASE learning objective.
type Gradebook struct {
	Categories []Category
	LineItems  []LineItem
	Results    []Result
}

// Category is a row of categories.csv.
type Category struct {
	SourcedID string
	Title     string
}

// LearningObjective names a standard: source "case" and the standard's
// CASE identifier.
type LearningObjective struct {
	Source string
	ID     string
}

// LineItem is a row of lineItems.csv with its learning objectives
// (lineItemLearningObjectiveIds.csv).
type LineItem struct {
	SourcedID                string
	Title, Description       string
	AssignDate, DueDate      time.Time
	ClassSourcedID           string
	CategorySourcedID        string
	AcademicSessionSourcedID string
	SchoolSourcedID          string
	ResultValueMin           float64
	ResultValueMax           float64
	LearningObjectives       []LearningObjective
}

// ObjectiveResult is a row of resultLearningObjectiveIds.csv: the score on
// one learning objective.
type ObjectiveResult struct {
	LearningObjective
	Score     float64
	TextScore string
}

// Result is a row of results.csv with its per-objective scores.
type Result struct {
	SourcedID         string
	LineItemSourcedID string
	StudentSourcedID  string
	ClassSourcedID    string
	ScoreStatus       string // "fully graded"
	Score             float64
	TextScore         string
	ScoreDate         Date
	Comment           string
	Objectives        []ObjectiveResult
}

// The gradebook files' columns, in the order of the OneRoster 1.2 CSV
// binding.
var gradebookColumns = map[string][]string{
	"categories.csv":                   {"sourcedId", "status", "dateLastModified", "title", "weight"},
	"lineItems.csv":                    {"sourcedId", "status", "dateLastModified", "title", "description", "assignDate", "dueDate", "classSourcedId", "categorySourcedId", "academicSessionSourcedId", "resultValueMin", "resultValueMax", "schoolSourcedId"},
	"lineItemLearningObjectiveIds.csv": {"sourcedId", "status", "dateLastModified", "lineItemSourcedId", "source", "learningObjectiveId"},
	"results.csv":                      {"sourcedId", "status", "dateLastModified", "lineItemSourcedId", "studentSourcedId", "scoreStatus", "score", "scoreDate", "comment", "textScore", "classSourcedId", "inProgress", "incomplete", "late", "missing"},
	"resultLearningObjectiveIds.csv":   {"sourcedId", "status", "dateLastModified", "resultSourcedId", "source", "learningObjectiveId", "score", "textScore"},
}

// MasteryResult is one student's mastery of one standard in one class, as
// the gradebook export needs it: the sourcedIds of the class, its school
// and term and the student, the standard (its SourcedID is its CASE
// identifier), and the mastery value and level on the district's scale.
type MasteryResult struct {
	ClassSourcedID, SchoolSourcedID, TermSourcedID string
	StudentSourcedID                               string
	Standard                                       standards.Standard
	Value                                          float64
	Level                                          string
	Mastered                                       bool
	AssessedAt                                     time.Time
}

// masteryCategory is the category every mastery line item is in.
const masteryCategory = "cairn-standards-mastery"

// MasteryGradebook turns per-standard mastery into a gradebook: one line
// item per class and standard, scored on scale (min and max its lowest and
// highest levels), learning objective the standard's CASE identifier; one
// result per student with the mastery value as score and the level as text
// score. Line items are dated by now.
func MasteryGradebook(results []MasteryResult, scale standards.Scale, now time.Time) Gradebook {
	gb := Gradebook{Categories: []Category{{SourcedID: masteryCategory, Title: "Standards mastery"}}}
	items := map[string]bool{}
	for _, m := range results {
		obj := LearningObjective{Source: "case", ID: m.Standard.SourcedID}
		item := m.ClassSourcedID + "." + m.Standard.SourcedID
		if !items[item] {
			items[item] = true
			gb.LineItems = append(gb.LineItems, LineItem{
				SourcedID: item, Title: "Mastery: " + m.Standard.Label(), Description: m.Standard.Statement,
				AssignDate: now, DueDate: now, ClassSourcedID: m.ClassSourcedID, CategorySourcedID: masteryCategory,
				AcademicSessionSourcedID: m.TermSourcedID, SchoolSourcedID: m.SchoolSourcedID,
				ResultValueMin: scale.Min(), ResultValueMax: scale.Max(), LearningObjectives: []LearningObjective{obj},
			})
		}
		comment := "not yet mastered"
		if m.Mastered {
			comment = "mastered"
		}
		gb.Results = append(gb.Results, Result{
			SourcedID: item + "." + m.StudentSourcedID, LineItemSourcedID: item, StudentSourcedID: m.StudentSourcedID,
			ClassSourcedID: m.ClassSourcedID, ScoreStatus: "fully graded", Score: m.Value, TextScore: m.Level,
			ScoreDate: DateOf(m.AssessedAt), Comment: comment,
			Objectives: []ObjectiveResult{{LearningObjective: obj, Score: m.Value, TextScore: m.Level}},
		})
	}
	return gb
}

// WriteGradebook writes gb as a OneRoster 1.2 CSV package (a zip in bulk
// mode): manifest.csv, categories.csv, lineItems.csv,
// lineItemLearningObjectiveIds.csv, results.csv and
// resultLearningObjectiveIds.csv. now dates the zip entries.
func WriteGradebook(w io.Writer, gb Gradebook, now time.Time) error {
	if now.IsZero() {
		return errors.New("oneroster.WriteGradebook: now is required")
	}
	num := func(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
	stamp := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
	tables := map[string][][]string{}
	for _, c := range gb.Categories {
		tables["categories.csv"] = append(tables["categories.csv"], []string{c.SourcedID, "", "", c.Title, ""})
	}
	for _, li := range gb.LineItems {
		tables["lineItems.csv"] = append(tables["lineItems.csv"], []string{li.SourcedID, "", "", li.Title, li.Description, stamp(li.AssignDate), stamp(li.DueDate),
			li.ClassSourcedID, li.CategorySourcedID, li.AcademicSessionSourcedID, num(li.ResultValueMin), num(li.ResultValueMax), li.SchoolSourcedID})
		for i, o := range li.LearningObjectives {
			tables["lineItemLearningObjectiveIds.csv"] = append(tables["lineItemLearningObjectiveIds.csv"], []string{fmt.Sprintf("%s.lo%d", li.SourcedID, i+1), "", "", li.SourcedID, o.Source, o.ID})
		}
	}
	for _, r := range gb.Results {
		tables["results.csv"] = append(tables["results.csv"], []string{r.SourcedID, "", "", r.LineItemSourcedID, r.StudentSourcedID, r.ScoreStatus, num(r.Score), r.ScoreDate.String(), r.Comment, r.TextScore, r.ClassSourcedID, "", "", "", ""})
		for i, o := range r.Objectives {
			tables["resultLearningObjectiveIds.csv"] = append(tables["resultLearningObjectiveIds.csv"], []string{fmt.Sprintf("%s.lo%d", r.SourcedID, i+1), "", "", r.SourcedID, o.Source, o.ID, num(o.Score), o.TextScore})
		}
	}
	zw := zip.NewWriter(w)
	present := map[string]bool{}
	for f, rows := range tables {
		present[f] = len(rows) > 0
	}
	if err := writeManifest(zw, WriteOptions{Now: now}, present); err != nil {
		return err
	}
	for _, f := range []string{"categories.csv", "lineItems.csv", "lineItemLearningObjectiveIds.csv", "results.csv", "resultLearningObjectiveIds.csv"} {
		if !present[f] {
			continue
		}
		out, err := zw.CreateHeader(&zip.FileHeader{Name: f, Method: zip.Deflate, Modified: now})
		if err != nil {
			return err
		}
		cw := csv.NewWriter(out)
		cw.UseCRLF = true
		cw.Write(gradebookColumns[f])
		cw.WriteAll(tables[f])
		if err := cw.Error(); err != nil {
			return err
		}
	}
	return zw.Close()
}
