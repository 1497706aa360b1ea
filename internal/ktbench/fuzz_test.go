package ktbench

import (
	"errors"
	"strings"
	"testing"
)

// FuzzRead feeds Read arbitrary bytes. It must never panic; an error must be
// a *ReadError naming the file and a line that exists (or the line after
// the last); a dataset must keep Read's invariants.
func FuzzRead(f *testing.F) {
	f.Add([]byte("user_id\titem_id\ttimestamp\tcorrect\tskill_id\n5\t1619\t0\t0\t41\n5\t1616\t0\t1\t41\n"))
	f.Add([]byte("a,i1,10,1,s1\nb,i2,5,0,\"s2,s3\"\n"))
	f.Add([]byte("correct,skill_id,user_id,timestamp,item_id\n1,,u,,i\n0,x_y,u,-3e5,i\n"))
	f.Add([]byte("u,i,0,2,s\n"))
	f.Add([]byte("u,\"i,0,1,s\n"))
	f.Add([]byte("\r\n\r\nu\ti\t\t1\t~~\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Read(strings.NewReader(string(data)), "fuzz.csv", NewVocab(DefaultSkillSeparators))
		if err != nil {
			var re *ReadError
			if !errors.As(err, &re) {
				t.Fatalf("err = %v (%T), want a *ReadError", err, err)
			}
			lines := strings.Count(string(data), "\n") + 1
			if re.File != "fuzz.csv" || re.Line < 1 || re.Line > lines+1 || re.Reason == "" {
				t.Fatalf("error %q: line %d of a %d-line input", err, re.Line, lines)
			}
			if !strings.Contains(err.Error(), "line ") {
				t.Fatalf("error %q does not say the line", err)
			}
			return
		}
		checkDataset(t, d)
	})
}
