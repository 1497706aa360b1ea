package ktbench

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cairn-learning/cairn/internal/problem"
)

// row is a response as a test reads it back, with names instead of numbers.
type row struct {
	User, Item string
	Skills     []string
	Correct    bool
	Time       float64
}

func rows(d *Dataset) []row {
	var out []row
	for _, r := range d.Responses {
		var skills []string
		for _, k := range d.Skills(&r) {
			skills = append(skills, d.Vocab.Skills[k])
		}
		out = append(out, row{d.Vocab.Users[r.User], d.Vocab.Items[r.Item], skills, r.Correct, r.Time})
	}
	return out
}

func TestRead(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []row
	}{
		{
			name: "tabs with a header",
			in:   "user_id\titem_id\ttimestamp\tcorrect\tskill_id\n5\t1619\t0\t0\t41\n5\t1616\t0\t1\t41\n",
			want: []row{{"5", "1619", []string{"41"}, false, 0}, {"5", "1616", []string{"41"}, true, 0}},
		},
		{
			name: "commas without a header",
			in:   "a,i1,10,1,s1\nb,i2,5,0,s2\n",
			want: []row{{"a", "i1", []string{"s1"}, true, 10}, {"b", "i2", []string{"s2"}, false, 5}},
		},
		{
			name: "header in another order with an extra column",
			in:   "correct,skill_id,extra,user_id,timestamp,item_id\n1,s,x,u,3,i\n",
			want: []row{{"u", "i", []string{"s"}, true, 3}},
		},
		{
			name: "multi-skill ids",
			in:   "u\ti1\t0\t1\t12_45\nu\ti2\t0\t0\t45;12;12\nu,x\ti3\t0\t1\t7~~8\n",
			want: []row{
				{"u", "i1", []string{"12", "45"}, true, 0}, {"u", "i2", []string{"12", "45"}, false, 0},
				{"u,x", "i3", []string{"7", "8"}, true, 0},
			},
		},
		{
			name: "quoted comma-separated skills",
			in:   "u,i1,0,1,\"12,45\"\n",
			want: []row{{"u", "i1", []string{"12", "45"}, true, 0}},
		},
		{
			name: "empty skill is one unnamed skill",
			in:   "u,i1,0,1,\n",
			want: []row{{"u", "i1", []string{""}, true, 0}},
		},
		{
			name: "grouped by student, sorted by time, ties in file order",
			in:   "b,i1,5,1,s\na,i2,9,1,s\nb,i3,1,0,s\nb,i4,5,0,s\na,i5,2,1,s\n",
			want: []row{
				{"b", "i3", []string{"s"}, false, 1}, {"b", "i1", []string{"s"}, true, 5}, {"b", "i4", []string{"s"}, false, 5},
				{"a", "i5", []string{"s"}, true, 2}, {"a", "i2", []string{"s"}, true, 9},
			},
		},
		{
			name: "empty timestamp keeps file order",
			in:   "u,i1,,1,s\nu,i2,,0,s\nu,i3,,1,s\n",
			want: []row{{"u", "i1", []string{"s"}, true, 0}, {"u", "i2", []string{"s"}, false, 0}, {"u", "i3", []string{"s"}, true, 0}},
		},
		{
			name: "CRLF, blank lines and spaces",
			in:   "user_id, item_id, timestamp, correct, skill_id\r\n\r\n u , i ,1, 1 , s \r\n",
			want: []row{{"u", "i", []string{"s"}, true, 1}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Read(strings.NewReader(tt.in), "f.csv", NewVocab(DefaultSkillSeparators))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, rows(d)); diff != "" {
				t.Errorf("responses (-want +got):\n%s", diff)
			}
			checkDataset(t, d)
		})
	}
}

func TestReadSharedVocab(t *testing.T) {
	v := NewVocab("")
	a, err := Read(strings.NewReader("u,i1,0,1,s_1\nu,i2,0,1,s_2\n"), "a", v)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Read(strings.NewReader("w,i2,0,0,s_2\n"), "b", v)
	if err != nil {
		t.Fatal(err)
	}
	if a.Responses[1].Item != b.Responses[0].Item || a.Responses[1].SkillSet != b.Responses[0].SkillSet {
		t.Error("the same item and skill got different numbers in two files")
	}
	if got := v.Skills; !cmp.Equal(got, []string{"s_1", "s_2"}) {
		t.Errorf("with no separators skills are %q, want whole ids", got)
	}
}

func TestReadErrors(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		line   int
		reason string
	}{
		{"header lacks columns", "user_id,item_id,correct\n1,2,1\n", 1, "lacks the column(s) timestamp, skill_id"},
		{"short row", "u,i,0,1,s\nu,i,0\n", 2, "3 column(s), want 5"},
		{"short row after header", "user_id\titem_id\ttimestamp\tcorrect\tskill_id\nu\ti\t0\t1\ts\nu\ti\n", 3, "2 column(s)"},
		{"correct is 2", "u,i,0,1,s\nu,i,0,1,s\nu,i,0,2,s\n", 3, `correct is "2", want 0 or 1`},
		{"correct is yes", "u,i,0,yes,s\n", 1, `correct is "yes"`},
		{"correct is 0.0", "u,i,0,0.0,s\n", 1, `correct is "0.0"`},
		{"unnamed header", "student,problem,time,outcome,kc\nu,i,0,1,s\n", 1, `correct is "outcome"`},
		{"empty user", "u,i,0,1,s\n,i,0,1,s\n", 2, "user_id is empty"},
		{"empty item", "u,,0,1,s\n", 1, "item_id is empty"},
		{"bad timestamp", "u,i,noon,1,s\n", 1, `timestamp is "noon", want a number`},
		{"infinite timestamp", "u,i,Inf,1,s\n", 1, "timestamp"},
		{"bare quote", "u,i,0,1,s\nu,i\"x,0,1,s\n", 2, "unreadable row"},
		{"unterminated quote", "u,i,0,1,s\nu,\"i,0,1,s\n", 2, "unreadable row"},
		{"empty file", "", 1, "no responses"},
		{"header only", "user_id,item_id,timestamp,correct,skill_id\n", 2, "no responses"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tt.in), "data/x.csv", NewVocab(DefaultSkillSeparators))
			var re *ReadError
			if !errors.As(err, &re) {
				t.Fatalf("err = %v, want a *ReadError", err)
			}
			if re.File != "data/x.csv" || re.Line != tt.line || !strings.Contains(re.Reason, tt.reason) {
				t.Errorf("error %q: file %q line %d, want line %d and a reason containing %q", err, re.File, re.Line, tt.line, tt.reason)
			}
			if want := fmt.Sprintf("data/x.csv, line %d: ", tt.line); !strings.HasPrefix(err.Error(), want) {
				t.Errorf("message %q does not start with %q", err, want)
			}
			if !errors.Is(err, problem.ErrInvalid) {
				t.Errorf("%v is not a problem.ErrInvalid", err)
			}
		})
	}
}

// checkDataset checks the invariants every dataset Read returns keeps.
func checkDataset(t *testing.T, d *Dataset) {
	t.Helper()
	if len(d.Responses) == 0 {
		t.Fatal("no responses")
	}
	next, users := 0, map[int32]bool{}
	for _, st := range d.Students {
		if st.Start != next || st.End <= st.Start {
			t.Fatalf("student %+v does not follow on at %d", st, next)
		}
		if users[st.User] {
			t.Fatalf("user %d appears as two students", st.User)
		}
		users[st.User] = true
		for i := st.Start; i < st.End; i++ {
			r := d.Responses[i]
			if r.User != st.User {
				t.Fatalf("response %d of user %d is in user %d's span", i, r.User, st.User)
			}
			if i > st.Start && r.Time < d.Responses[i-1].Time {
				t.Fatalf("response %d goes back in time", i)
			}
			if int(r.Item) >= len(d.Vocab.Items) || int(r.SkillSet) >= len(d.Vocab.SkillSets) {
				t.Fatalf("response %d has numbers out of range: %+v", i, r)
			}
			skills := d.Skills(&r)
			if len(skills) == 0 {
				t.Fatalf("response %d has no skill", i)
			}
			for j, k := range skills {
				if int(k) >= len(d.Vocab.Skills) || (j > 0 && k <= skills[j-1]) {
					t.Fatalf("response %d has skills %v: out of range, unsorted or repeated", i, skills)
				}
			}
		}
		next = st.End
	}
	if next != len(d.Responses) {
		t.Fatalf("students cover %d of %d responses", next, len(d.Responses))
	}
}
