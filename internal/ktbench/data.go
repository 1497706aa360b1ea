package ktbench

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/cairn-learning/cairn/internal/problem"
)

// Columns are the columns of a response file, in the order a file without
// a header line must have them.
var Columns = []string{"user_id", "item_id", "timestamp", "correct", "skill_id"}

// DefaultSkillSeparators are the characters that separate the skills of a
// multi-skill skill_id ("12_45", "12;45", "12,45" inside a quoted field, or
// the "12~~45" of the KDD Cup files).
const DefaultSkillSeparators = "_;,~"

// Vocab numbers the students, items and skills found in response files,
// so that a training file and a test file read with the same Vocab agree
// on what item 17 is. Numbers are dense, from 0, in order of first
// appearance.
type Vocab struct {
	Users, Items, Skills []string
	// SkillSets lists, for each distinct skill_id value, the skills it
	// names (sorted, without repeats).
	SkillSets [][]int32

	users, items, skills, sets map[string]int32
	// Separators are the characters that split a skill_id into skills;
	// empty means a skill_id is always one skill.
	Separators string
}

// NewVocab returns an empty vocabulary splitting skill_id on seps (see
// DefaultSkillSeparators).
func NewVocab(seps string) *Vocab {
	return &Vocab{
		users: map[string]int32{}, items: map[string]int32{}, skills: map[string]int32{}, sets: map[string]int32{},
		Separators: seps,
	}
}

func intern(m map[string]int32, names *[]string, s string) int32 {
	if i, ok := m[s]; ok {
		return i
	}
	i := int32(len(*names))
	m[s] = i
	*names = append(*names, s)
	return i
}

// skillSet returns the number of the skill set a skill_id names. An empty
// skill_id is one unnamed skill, "", shared by every such response, so that
// every response has at least one skill to trace.
func (v *Vocab) skillSet(field string) int32 {
	if i, ok := v.sets[field]; ok {
		return i
	}
	var ids []int32
	parts := []string{field}
	if v.Separators != "" {
		parts = strings.FieldsFunc(field, func(r rune) bool { return strings.ContainsRune(v.Separators, r) })
	}
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			ids = append(ids, intern(v.skills, &v.Skills, p))
		}
	}
	if len(ids) == 0 {
		ids = append(ids, intern(v.skills, &v.Skills, ""))
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	i := int32(len(v.SkillSets))
	v.sets[field] = i
	v.SkillSets = append(v.SkillSets, ids)
	return i
}

// Response is one student's answer to one item.
type Response struct {
	User, Item int32
	// SkillSet indexes Vocab.SkillSets.
	SkillSet int32
	Correct  bool
	Time     float64
}

// Student is one student's responses: Dataset.Responses[Start:End], in
// time order.
type Student struct {
	User       int32
	Start, End int
}

// Dataset is the responses of a set of students, grouped by student (in
// order of first appearance) and in time order within each student.
type Dataset struct {
	Name      string
	Vocab     *Vocab
	Responses []Response
	Students  []Student
}

// Skills returns the skills response r assesses.
func (d *Dataset) Skills(r *Response) []int32 { return d.Vocab.SkillSets[r.SkillSet] }

// ReadError is a response file that cannot be used, with where and why.
type ReadError struct {
	File   string
	Line   int
	Reason string
}

// Error says where and why: "file, line N: reason".
func (e *ReadError) Error() string { return fmt.Sprintf("%s, line %d: %s", e.File, e.Line, e.Reason) }

// Is makes a ReadError a problem.ErrInvalid.
func (e *ReadError) Is(target error) bool { return target == problem.ErrInvalid }

// Read reads a response file: one response per line, with the columns
// user_id, item_id, timestamp, correct and skill_id, separated by tabs or
// by commas (whichever the first line uses; fields may be quoted as in
// RFC 4180). A first line naming the columns is a header: its columns may
// come in any order and extra ones are ignored. Without one, the columns
// are taken in the order above.
//
//   - correct must be 0 or 1.
//   - timestamp is a number (seconds, or any increasing count); a student's
//     responses are put in timestamp order, and responses with equal
//     timestamps stay in file order. An empty timestamp counts as the
//     student's previous one, so a file without times is read in file order.
//   - skill_id names the skills of the item: one id, or several separated
//     by one of vocab.Separators (so "12_45" is skills 12 and 45). An empty
//     skill_id is one unnamed skill.
//
// name is used in errors, which give the line and the reason: a missing
// column, a correct that is not 0 or 1, a row that cannot be parsed. Read
// stops at the first error.
func Read(r io.Reader, name string, vocab *Vocab) (*Dataset, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	comma := ','
	first, _ := br.Peek(1 << 16)
	if i := bytes.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	if bytes.IndexByte(first, '\t') >= 0 {
		comma = '\t'
	}
	cr := csv.NewReader(br)
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	cr.TrimLeadingSpace = true

	fail := func(line int, format string, args ...any) error {
		return &ReadError{File: name, Line: line, Reason: fmt.Sprintf(format, args...)}
	}
	col := []int{0, 1, 2, 3, 4} // position of each of Columns
	need := len(Columns)
	d := &Dataset{Name: name, Vocab: vocab}
	lastTime := map[int32]float64{}
	line := 0
	for rec := 0; ; rec++ {
		fields, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fail(pe.Line, "unreadable row: %v", pe.Err)
			}
			return nil, fail(line+1, "reading: %v", err)
		}
		line, _ = cr.FieldPos(0)
		for i := range fields {
			fields[i] = strings.TrimSpace(fields[i])
		}
		if rec == 0 && isHeader(fields) {
			pos := map[string]int{}
			for i, f := range fields {
				if _, dup := pos[strings.ToLower(f)]; !dup {
					pos[strings.ToLower(f)] = i
				}
			}
			var missing []string
			for c, name := range Columns {
				i, ok := pos[name]
				if !ok {
					missing = append(missing, name)
				}
				col[c] = i
				need = max(need, i+1)
			}
			if len(missing) > 0 {
				return nil, fail(line, "the header lacks the column(s) %s (want %s)", strings.Join(missing, ", "), strings.Join(Columns, ", "))
			}
			continue
		}
		if len(fields) < need {
			return nil, fail(line, "%d column(s), want %d (%s)", len(fields), len(Columns), strings.Join(Columns, ", "))
		}
		user, item, ts, correct, skill := fields[col[0]], fields[col[1]], fields[col[2]], fields[col[3]], fields[col[4]]
		if user == "" {
			return nil, fail(line, "user_id is empty")
		}
		if item == "" {
			return nil, fail(line, "item_id is empty")
		}
		var c bool
		switch correct {
		case "0":
		case "1":
			c = true
		default:
			return nil, fail(line, "correct is %q, want 0 or 1", clip(correct))
		}
		u := intern(vocab.users, &vocab.Users, user)
		t := lastTime[u]
		if ts != "" {
			t, err = strconv.ParseFloat(ts, 64)
			if err != nil || math.IsNaN(t) || math.IsInf(t, 0) {
				return nil, fail(line, "timestamp is %q, want a number", clip(ts))
			}
		}
		lastTime[u] = t
		d.Responses = append(d.Responses, Response{
			User: u, Item: intern(vocab.items, &vocab.Items, item),
			SkillSet: vocab.skillSet(skill), Correct: c, Time: t,
		})
	}
	if len(d.Responses) == 0 {
		return nil, fail(line+1, "no responses")
	}
	d.group()
	return d, nil
}

// isHeader reports whether a first row names columns rather than holding
// a response: it names user_id or correct.
func isHeader(fields []string) bool {
	for _, f := range fields {
		if f = strings.ToLower(f); f == "user_id" || f == "correct" {
			return true
		}
	}
	return false
}

// clip shortens a value quoted in an error.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// group orders the responses by student, in order of first appearance, and
// by time within a student, keeping file order among equal times; then it
// lists the students.
func (d *Dataset) group() {
	order := map[int32]int32{}
	for _, r := range d.Responses {
		if _, ok := order[r.User]; !ok {
			order[r.User] = int32(len(order))
		}
	}
	// Counting sort by student keeps file order within each student.
	starts := make([]int, len(order)+1)
	for _, r := range d.Responses {
		starts[order[r.User]+1]++
	}
	for i := 1; i < len(starts); i++ {
		starts[i] += starts[i-1]
	}
	grouped := make([]Response, len(d.Responses))
	fill := slices.Clone(starts[:len(order)])
	for _, r := range d.Responses {
		k := order[r.User]
		grouped[fill[k]] = r
		fill[k]++
	}
	d.Responses = grouped
	d.Students = make([]Student, len(order))
	for k := range d.Students {
		span := d.Responses[starts[k]:starts[k+1]]
		byTime := func(a, b Response) int { return cmp.Compare(a.Time, b.Time) }
		if !slices.IsSortedFunc(span, byTime) {
			slices.SortStableFunc(span, byTime)
		}
		d.Students[k] = Student{User: span[0].User, Start: starts[k], End: starts[k+1]}
	}
}

// Subset returns a dataset of the given students of d (indexes into
// d.Students), in that order, sharing d's vocabulary.
func (d *Dataset) Subset(name string, students []int) *Dataset {
	s := &Dataset{Name: name, Vocab: d.Vocab}
	for _, i := range students {
		st := d.Students[i]
		start := len(s.Responses)
		s.Responses = append(s.Responses, d.Responses[st.Start:st.End]...)
		s.Students = append(s.Students, Student{User: st.User, Start: start, End: len(s.Responses)})
	}
	return s
}
