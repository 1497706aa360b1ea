package importplan

import (
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/roster"
)

func TestCounter(t *testing.T) {
	ids := Counter(map[string]int64{"people": 40})
	for _, c := range []struct {
		table string
		want  int64
	}{
		{"people", 40}, {"people", 41}, {"schools", 1}, {"people", 42}, {"schools", 2},
	} {
		got, err := ids(c.table)
		if err != nil || got != c.want {
			t.Errorf("%s: got %d (%v), want %d", c.table, got, err, c.want)
		}
	}
}

func TestJSONText(t *testing.T) {
	for _, c := range []struct {
		in   any
		want string
	}{
		{[]string(nil), "[]"}, {[]int64{}, "[]"}, {[]int64{3, 1}, "[3,1]"}, {[]string{"a<b"}, `["a\u003cb"]`},
	} {
		if got := JSONText(c.in); got != c.want {
			t.Errorf("JSONText(%#v) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestDemographicsRowOf(t *testing.T) {
	yes, no := true, false
	birth := time.Date(2011, 4, 2, 0, 0, 0, 0, time.FixedZone("x", 3600))
	a := DemographicsRowOf(roster.Demographics{BirthDate: &birth, Races: []string{"white", "asian"}, EnglishLearner: &yes, Disability: &no})
	b := DemographicsRowOf(roster.Demographics{BirthDate: &birth, Races: []string{"asian", "white"}, EnglishLearner: &yes, Disability: &no})
	if a != b {
		t.Errorf("races in another order differ: %+v, %+v", a, b)
	}
	if a.Birth != birth.UTC().UnixMicro() || a.EnglishLearner != 1 || a.Disability != 0 || a.Hispanic != -1 {
		t.Errorf("row %+v", a)
	}
	if got := DemographicsRowOf(roster.Demographics{}); got.Birth != NoTime || got.Races != "[]" {
		t.Errorf("empty demographics: %+v", got)
	}
}
