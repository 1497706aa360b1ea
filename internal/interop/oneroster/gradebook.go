package oneroster

import (
	"archive/zip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

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
	// Modified is the row's dateLastModified.
	Modified time.Time
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
	// Modified is the row's dateLastModified.
	Modified time.Time
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
	// Modified is the row's dateLastModified.
	Modified time.Time
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
	// TermStart and TermEnd are the class's term's first and last days.
	TermStart, TermEnd time.Time
	StudentSourcedID   string
	Standard           standards.Standard
	Value              float64
	Level              string
	Mastered           bool
	AssessedAt         time.Time
}

// masteryCategory is the category every mastery line item is in.
const masteryCategory = "cairn-standards-mastery"

// MasteryGradebook turns per-standard mastery into a gradebook: one line
// item per class and standard, scored on scale (min and max its lowest and
// highest levels), learning objective the standard's CASE identifier,
// titled with the standard's code and the start of its statement
// (LineItemTitle), assigned and due on the first and last days of the
// class's term (or, without them, the day of its latest evidence); one
// result per student with the mastery value as score, rounded to
// ScorePrecision decimals, and the level as text score. Each row is dated
// by its latest evidence, so the same mastery gives the same files.
func MasteryGradebook(results []MasteryResult, scale standards.Scale) Gradebook {
	gb := Gradebook{Categories: []Category{{SourcedID: masteryCategory, Title: "Standards mastery"}}}
	items := map[string]int{}
	for _, m := range results {
		obj := LearningObjective{Source: "case", ID: m.Standard.SourcedID}
		item := m.ClassSourcedID + "." + m.Standard.SourcedID
		at := m.AssessedAt.UTC()
		i, ok := items[item]
		if !ok {
			i = len(gb.LineItems)
			items[item] = i
			assign, due := m.TermStart, m.TermEnd
			if assign.IsZero() || due.IsZero() {
				assign, due = at, at
			}
			gb.LineItems = append(gb.LineItems, LineItem{
				SourcedID: item, Title: LineItemTitle(m.Standard), Description: m.Standard.Statement,
				AssignDate: assign, DueDate: due, ClassSourcedID: m.ClassSourcedID, CategorySourcedID: masteryCategory,
				AcademicSessionSourcedID: m.TermSourcedID, SchoolSourcedID: m.SchoolSourcedID,
				ResultValueMin: scale.Min(), ResultValueMax: scale.Max(), LearningObjectives: []LearningObjective{obj},
			})
		}
		li := &gb.LineItems[i]
		if at.After(li.Modified) {
			li.Modified = at
			if m.TermStart.IsZero() || m.TermEnd.IsZero() {
				li.AssignDate, li.DueDate = at, at
			}
		}
		if at.After(gb.Categories[0].Modified) {
			gb.Categories[0].Modified = at
		}
		comment := "not yet mastered"
		if m.Mastered {
			comment = "mastered"
		}
		gb.Results = append(gb.Results, Result{
			SourcedID: item + "." + m.StudentSourcedID, LineItemSourcedID: item, StudentSourcedID: m.StudentSourcedID,
			ClassSourcedID: m.ClassSourcedID, ScoreStatus: "fully graded", Score: m.Value, TextScore: m.Level,
			ScoreDate: DateOf(m.AssessedAt), Comment: comment, Modified: at,
			Objectives: []ObjectiveResult{{LearningObjective: obj, Score: m.Value, TextScore: m.Level}},
		})
	}
	return gb
}

// ScorePrecision is how many decimals a gradebook score has: a mastery
// value is a mean of levels, and hundredths of a level are more than any
// reader of a gradebook tells apart.
const ScorePrecision = 2

// titleStatement is the most of a standard's statement a line item's
// title holds; the whole statement is the line item's description.
const titleStatement = 60

// LineItemTitle is the title of a standard's line item: "Mastery: ", the
// standard's code (its CASE human coding scheme) and the start of its
// statement, cut at a word within titleStatement characters and marked
// "…" when cut.
func LineItemTitle(st standards.Standard) string {
	statement := strings.Join(strings.Fields(st.Statement), " ")
	if utf8.RuneCountInString(statement) > titleStatement {
		runes := []rune(statement)[:titleStatement]
		cut := string(runes)
		if i := strings.LastIndexByte(cut, ' '); i > titleStatement/2 {
			cut = cut[:i]
		}
		statement = strings.TrimRight(cut, " ,;:.") + "…"
	}
	if st.Code == "" {
		return "Mastery: " + statement
	}
	return "Mastery: " + st.Code + " " + statement
}

// WriteGradebook writes gb as a OneRoster 1.2 CSV package (a zip in bulk
// mode): manifest.csv, categories.csv, lineItems.csv,
// lineItemLearningObjectiveIds.csv, results.csv and
// resultLearningObjectiveIds.csv. now dates the zip entries.
func WriteGradebook(w io.Writer, gb Gradebook, now time.Time) error {
	if now.IsZero() {
		return errors.New("oneroster.WriteGradebook: now is required")
	}
	scale := math.Pow10(ScorePrecision)
	num := func(f float64) string { return strconv.FormatFloat(math.Round(f*scale)/scale, 'f', -1, 64) }
	stamp := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(dateTimeLayout)
	}
	active := string(Active)
	tables := map[string][][]string{}
	for _, c := range gb.Categories {
		tables["categories.csv"] = append(tables["categories.csv"], []string{c.SourcedID, active, stamp(c.Modified), c.Title, ""})
	}
	for _, li := range gb.LineItems {
		tables["lineItems.csv"] = append(tables["lineItems.csv"], []string{li.SourcedID, active, stamp(li.Modified), li.Title, li.Description, stamp(li.AssignDate), stamp(li.DueDate),
			li.ClassSourcedID, li.CategorySourcedID, li.AcademicSessionSourcedID, num(li.ResultValueMin), num(li.ResultValueMax), li.SchoolSourcedID})
		for i, o := range li.LearningObjectives {
			tables["lineItemLearningObjectiveIds.csv"] = append(tables["lineItemLearningObjectiveIds.csv"], []string{fmt.Sprintf("%s.lo%d", li.SourcedID, i+1), active, stamp(li.Modified), li.SourcedID, o.Source, o.ID})
		}
	}
	for _, r := range gb.Results {
		tables["results.csv"] = append(tables["results.csv"], []string{r.SourcedID, active, stamp(r.Modified), r.LineItemSourcedID, r.StudentSourcedID, r.ScoreStatus, num(r.Score), r.ScoreDate.String(), r.Comment, r.TextScore, r.ClassSourcedID, "", "", "", ""})
		for i, o := range r.Objectives {
			tables["resultLearningObjectiveIds.csv"] = append(tables["resultLearningObjectiveIds.csv"], []string{fmt.Sprintf("%s.lo%d", r.SourcedID, i+1), active, stamp(r.Modified), r.SourcedID, o.Source, o.ID, num(o.Score), o.TextScore})
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
