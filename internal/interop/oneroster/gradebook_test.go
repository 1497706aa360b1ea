package oneroster

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cairn-learning/cairn/internal/standards"
)

func TestWriteGradebook(t *testing.T) {
	std := standards.Standard{SourcedID: "a1000000-0000-4000-8000-000000000003", Code: "3.NF.A.1", Statement: "Understand a unit fraction."}
	at := time.Date(2025, 1, 20, 14, 0, 0, 0, time.UTC)
	gb := MasteryGradebook([]MasteryResult{
		{ClassSourcedID: "cls-1", SchoolSourcedID: "org-hs", TermSourcedID: "as-s1", StudentSourcedID: "usr-s1", Standard: std, Value: 3.25, Level: "Proficient", Mastered: true, AssessedAt: at},
		{ClassSourcedID: "cls-1", SchoolSourcedID: "org-hs", TermSourcedID: "as-s1", StudentSourcedID: "usr-s2", Standard: std, Value: 2, Level: "Developing", AssessedAt: at},
	}, standards.DefaultScale(), writeTime)
	var buf bytes.Buffer
	if err := WriteGradebook(&buf, gb, writeTime); err != nil {
		t.Fatal(err)
	}
	z, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][][]string{}
	for _, f := range z.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(rc).ReadAll()
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		files[f.Name] = rows
	}
	want := map[string][][]string{
		"categories.csv": {
			{"sourcedId", "status", "dateLastModified", "title", "weight"},
			{"cairn-standards-mastery", "", "", "Standards mastery", ""},
		},
		"lineItems.csv": {
			{"sourcedId", "status", "dateLastModified", "title", "description", "assignDate", "dueDate", "classSourcedId", "categorySourcedId", "academicSessionSourcedId", "resultValueMin", "resultValueMax", "schoolSourcedId"},
			{"cls-1.a1000000-0000-4000-8000-000000000003", "", "", "Mastery: 3.NF.A.1 Understand a unit fraction.", "Understand a unit fraction.", "2025-02-01T07:30:00.000Z", "2025-02-01T07:30:00.000Z", "cls-1", "cairn-standards-mastery", "as-s1", "1", "4", "org-hs"},
		},
		"lineItemLearningObjectiveIds.csv": {
			{"sourcedId", "status", "dateLastModified", "lineItemSourcedId", "source", "learningObjectiveId"},
			{"cls-1.a1000000-0000-4000-8000-000000000003.lo1", "", "", "cls-1.a1000000-0000-4000-8000-000000000003", "case", "a1000000-0000-4000-8000-000000000003"},
		},
		"results.csv": {
			{"sourcedId", "status", "dateLastModified", "lineItemSourcedId", "studentSourcedId", "scoreStatus", "score", "scoreDate", "comment", "textScore", "classSourcedId", "inProgress", "incomplete", "late", "missing"},
			{"cls-1.a1000000-0000-4000-8000-000000000003.usr-s1", "", "", "cls-1.a1000000-0000-4000-8000-000000000003", "usr-s1", "fully graded", "3.25", "2025-01-20", "mastered", "Proficient", "cls-1", "", "", "", ""},
			{"cls-1.a1000000-0000-4000-8000-000000000003.usr-s2", "", "", "cls-1.a1000000-0000-4000-8000-000000000003", "usr-s2", "fully graded", "2", "2025-01-20", "not yet mastered", "Developing", "cls-1", "", "", "", ""},
		},
		"resultLearningObjectiveIds.csv": {
			{"sourcedId", "status", "dateLastModified", "resultSourcedId", "source", "learningObjectiveId", "score", "textScore"},
			{"cls-1.a1000000-0000-4000-8000-000000000003.usr-s1.lo1", "", "", "cls-1.a1000000-0000-4000-8000-000000000003.usr-s1", "case", "a1000000-0000-4000-8000-000000000003", "3.25", "Proficient"},
			{"cls-1.a1000000-0000-4000-8000-000000000003.usr-s2.lo1", "", "", "cls-1.a1000000-0000-4000-8000-000000000003.usr-s2", "case", "a1000000-0000-4000-8000-000000000003", "2", "Developing"},
		},
	}
	manifest := files["manifest.csv"]
	delete(files, "manifest.csv")
	if diff := cmp.Diff(want, files); diff != "" {
		t.Errorf("gradebook files (-want +got):\n%s", diff)
	}
	modes := map[string]string{}
	for _, row := range manifest[1:] {
		modes[row[0]] = row[1]
	}
	for prop, mode := range map[string]string{"oneroster.version": "1.2", "file.lineItems": "bulk", "file.results": "bulk", "file.resultLearningObjectiveIds": "bulk", "file.users": "absent"} {
		if modes[prop] != mode {
			t.Errorf("manifest %s = %q, want %q", prop, modes[prop], mode)
		}
	}
}
