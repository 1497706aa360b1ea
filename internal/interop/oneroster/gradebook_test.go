package oneroster

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/cairn-learning/cairn/internal/standards"
)

func TestWriteGradebook(t *testing.T) {
	std := standards.Standard{SourcedID: "a1000000-0000-4000-8000-000000000003", Code: "3.NF.A.1", Statement: "Understand a unit fraction."}
	at := time.Date(2025, 1, 20, 14, 0, 0, 0, time.UTC)
	later := at.Add(50 * time.Hour)
	start, end := time.Date(2024, 8, 19, 0, 0, 0, 0, time.UTC), time.Date(2024, 12, 20, 0, 0, 0, 0, time.UTC)
	gb := MasteryGradebook([]MasteryResult{
		{ClassSourcedID: "cls-1", SchoolSourcedID: "org-hs", TermSourcedID: "as-s1", TermStart: start, TermEnd: end, StudentSourcedID: "usr-s1", Standard: std, Value: 3.9522250000000003, Level: "Proficient", Mastered: true, AssessedAt: at},
		{ClassSourcedID: "cls-1", SchoolSourcedID: "org-hs", TermSourcedID: "as-s1", TermStart: start, TermEnd: end, StudentSourcedID: "usr-s2", Standard: std, Value: 2, Level: "Developing", AssessedAt: later},
	}, standards.DefaultScale())
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
			{"cairn-standards-mastery", "active", "2025-01-22T16:00:00.000Z", "Standards mastery", ""},
		},
		"lineItems.csv": {
			{"sourcedId", "status", "dateLastModified", "title", "description", "assignDate", "dueDate", "classSourcedId", "categorySourcedId", "academicSessionSourcedId", "resultValueMin", "resultValueMax", "schoolSourcedId"},
			{"cls-1.a1000000-0000-4000-8000-000000000003", "active", "2025-01-22T16:00:00.000Z", "Mastery: 3.NF.A.1 Understand a unit fraction.", "Understand a unit fraction.", "2024-08-19T00:00:00.000Z", "2024-12-20T00:00:00.000Z", "cls-1", "cairn-standards-mastery", "as-s1", "1", "4", "org-hs"},
		},
		"lineItemLearningObjectiveIds.csv": {
			{"sourcedId", "status", "dateLastModified", "lineItemSourcedId", "source", "learningObjectiveId"},
			{"cls-1.a1000000-0000-4000-8000-000000000003.lo1", "active", "2025-01-22T16:00:00.000Z", "cls-1.a1000000-0000-4000-8000-000000000003", "case", "a1000000-0000-4000-8000-000000000003"},
		},
		"results.csv": {
			{"sourcedId", "status", "dateLastModified", "lineItemSourcedId", "studentSourcedId", "scoreStatus", "score", "scoreDate", "comment", "textScore", "classSourcedId", "inProgress", "incomplete", "late", "missing"},
			{"cls-1.a1000000-0000-4000-8000-000000000003.usr-s1", "active", "2025-01-20T14:00:00.000Z", "cls-1.a1000000-0000-4000-8000-000000000003", "usr-s1", "fully graded", "3.95", "2025-01-20", "mastered", "Proficient", "cls-1", "", "", "", ""},
			{"cls-1.a1000000-0000-4000-8000-000000000003.usr-s2", "active", "2025-01-22T16:00:00.000Z", "cls-1.a1000000-0000-4000-8000-000000000003", "usr-s2", "fully graded", "2", "2025-01-22", "not yet mastered", "Developing", "cls-1", "", "", "", ""},
		},
		"resultLearningObjectiveIds.csv": {
			{"sourcedId", "status", "dateLastModified", "resultSourcedId", "source", "learningObjectiveId", "score", "textScore"},
			{"cls-1.a1000000-0000-4000-8000-000000000003.usr-s1.lo1", "active", "2025-01-20T14:00:00.000Z", "cls-1.a1000000-0000-4000-8000-000000000003.usr-s1", "case", "a1000000-0000-4000-8000-000000000003", "3.95", "Proficient"},
			{"cls-1.a1000000-0000-4000-8000-000000000003.usr-s2.lo1", "active", "2025-01-22T16:00:00.000Z", "cls-1.a1000000-0000-4000-8000-000000000003.usr-s2", "case", "a1000000-0000-4000-8000-000000000003", "2", "Developing"},
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

func TestLineItemTitle(t *testing.T) {
	long := strings.Repeat("Use place value understanding and properties of operations to perform multi-digit arithmetic, ", 9)
	for _, tt := range []struct {
		st   standards.Standard
		want string
	}{
		{standards.Standard{Code: "3.NF.A.1", Statement: "Understand a unit fraction."}, "Mastery: 3.NF.A.1 Understand a unit fraction."},
		{standards.Standard{Code: "4.NBT.B", Statement: long}, "Mastery: 4.NBT.B Use place value understanding and properties of operations…"},
		{standards.Standard{Statement: "Collaborates  with\npeers."}, "Mastery: Collaborates with peers."},
	} {
		got := LineItemTitle(tt.st)
		if got != tt.want {
			t.Errorf("LineItemTitle(%.20q) = %q, want %q", tt.st.Statement, got, tt.want)
		}
		if n := utf8.RuneCountInString(got); n > len("Mastery: ")+len(tt.st.Code)+1+titleStatement+1 {
			t.Errorf("title of %d characters", n)
		}
	}
}
