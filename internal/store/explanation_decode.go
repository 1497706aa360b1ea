package store

import (
	"encoding/json"
	"strconv"

	"github.com/cairn-learning/cairn/internal/mastery"
)

// scanExplanation decodes a stored explanation as json.Unmarshal does into
// a zero mastery.Explanation, without reflection: recording reads back the
// explanation of every state it grows (engine.grow), and decoding them with
// encoding/json took a fifth of that read. Text in exactly the form
// explanationJSON writes is read here; anything else (an escaped string,
// a field out of place, an empty list) goes to json.Unmarshal, so that the
// result is the same for every input.
func scanExplanation(text string, e *mastery.Explanation) error {
	if text == "" || text == "[]" || text == "null" {
		return nil // as jsonCol reads them
	}
	d := explanationDecoder{s: text}
	var got mastery.Explanation
	if d.explanation(&got) && d.i == len(d.s) {
		*e = got
		return nil
	}
	return json.Unmarshal([]byte(text), e)
}

// explanationDecoder reads the text of appendExplanation from s at i; each
// method reports false where the text is not in that form.
type explanationDecoder struct {
	s string
	i int
}

// lit consumes t.
func (d *explanationDecoder) lit(t string) bool {
	if len(d.s)-d.i < len(t) || d.s[d.i:d.i+len(t)] != t {
		return false
	}
	d.i += len(t)
	return true
}

// key reports whether the field t (a quoted name and a colon) comes next,
// consuming it when it does.
func (d *explanationDecoder) key(t string) bool { return d.lit(t) }

// str reads a string of printable ASCII holding no quote or backslash,
// which JSON reads as its bytes.
func (d *explanationDecoder) str(v *string) bool {
	if !d.lit(`"`) {
		return false
	}
	start := d.i
	for d.i < len(d.s) {
		c := d.s[d.i]
		if c == '"' {
			*v = d.s[start:d.i]
			d.i++
			return true
		}
		if c < 0x20 || c >= 0x7f || c == '\\' {
			return false
		}
		d.i++
	}
	return false
}

// number returns the text of a JSON number, checked against JSON's
// grammar (strconv accepts more: "+1", ".5", "1.", "Inf").
func (d *explanationDecoder) number() (string, bool) {
	s, i := d.s, d.i
	start := i
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	default:
		return "", false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			return "", false
		}
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			return "", false
		}
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	d.i = i
	return s[start:i], true
}

func (d *explanationDecoder) float(v *float64) bool {
	t, ok := d.number()
	if !ok {
		return false
	}
	f, err := strconv.ParseFloat(t, 64)
	*v = f
	return err == nil
}

func (d *explanationDecoder) int64(v *int64) bool {
	t, ok := d.number()
	if !ok {
		return false
	}
	n, err := strconv.ParseInt(t, 10, 64)
	*v = n
	return err == nil
}

func (d *explanationDecoder) int(v *int) bool {
	var n int64
	if !d.int64(&n) || int64(int(n)) != n {
		return false
	}
	*v = int(n)
	return true
}

func (d *explanationDecoder) bool(v *bool) bool {
	switch {
	case d.lit("true"):
		*v = true
	case d.lit("false"):
		*v = false
	default:
		return false
	}
	return true
}

// sep consumes the comma before a field but the first.
func (d *explanationDecoder) sep(first int) bool {
	return d.i == first || d.lit(",")
}

func (d *explanationDecoder) explanation(e *mastery.Explanation) bool {
	if !d.lit("{") {
		return false
	}
	first := d.i
	if d.key(`"method":`) {
		var s string
		if !d.str(&s) || s == "" {
			return false
		}
		e.Method = mastery.MethodName(s)
	}
	if d.peekKey(first, `"weight":`) {
		if !d.float(&e.Weight) || e.Weight == 0 {
			return false
		}
	}
	if d.peekKey(first, `"n":`) {
		if !d.int(&e.N) || e.N == 0 {
			return false
		}
	}
	if d.peekKey(first, `"rollup":`) {
		var s string
		if !d.str(&s) || s == "" {
			return false
		}
		e.Rollup = mastery.RollupRule(s)
	}
	if d.peekKey(first, `"inputs":[`) {
		for {
			var in mastery.Input
			if !d.lit(`{"evidenceId":`) || !d.int64(&in.EvidenceID) || !d.lit(`,"value":`) || !d.float(&in.Value) ||
				!d.lit(`,"assessedAt":`) || !d.time(&in) || !d.lit(`,"weight":`) || !d.float(&in.Weight) || !d.lit("}") {
				return false
			}
			e.Inputs = append(e.Inputs, in)
			if d.lit("]") {
				break
			}
			if !d.lit(",") {
				return false
			}
		}
	}
	if d.peekKey(first, `"children":[`) {
		for {
			var c mastery.ChildInput
			if !d.lit(`{"standardId":`) || !d.int64(&c.StandardID) || !d.lit(`,"value":`) || !d.float(&c.Value) ||
				!d.lit(`,"mastered":`) || !d.bool(&c.Mastered) || !d.lit(`,"assessed":`) || !d.bool(&c.Assessed) || !d.lit("}") {
				return false
			}
			e.Children = append(e.Children, c)
			if d.lit("]") {
				break
			}
			if !d.lit(",") {
				return false
			}
		}
	}
	if !d.sep(first) || !d.key(`"cut":`) || !d.float(&e.Cut) {
		return false
	}
	if d.lit(`,"model":{"model":`) {
		m := &mastery.ModelInputs{}
		var by string
		if !d.str(&m.Model) || !d.lit(`,"params":{"prior":`) || !d.float(&m.Params.Prior) ||
			!d.lit(`,"learn":`) || !d.float(&m.Params.Learn) || !d.lit(`,"guess":`) || !d.float(&m.Params.Guess) ||
			!d.lit(`,"slip":`) || !d.float(&m.Params.Slip) {
			return false
		}
		if d.lit(`,"forget":`) && (!d.float(&m.Params.Forget) || m.Params.Forget == 0) {
			return false
		}
		if !d.lit(`},"fitted":`) || !d.bool(&m.Fitted) {
			return false
		}
		if d.lit(`,"ability":{"params":{"priorVar":`) {
			a := &mastery.AbilityTrace{}
			p := &a.Params
			if !d.float(&p.PriorVar) || !d.lit(`,"standardPriorVar":`) || !d.float(&p.StandardPriorVar) ||
				!d.lit(`,"drift":`) || !d.float(&p.Drift) || !d.lit(`,"standardDrift":`) || !d.float(&p.StandardDrift) ||
				!d.lit(`,"itemRate":`) || !d.float(&p.ItemRate) || !d.lit(`,"itemDecay":`) || !d.float(&p.ItemDecay) {
				return false
			}
			for _, ab := range []struct {
				key string
				v   *mastery.Ability
			}{{`},"student":{"mean":`, &a.Student}, {`},"standard":{"mean":`, &a.Standard}} {
				if !d.lit(ab.key) || !d.float(&ab.v.Mean) || !d.lit(`,"var":`) || !d.float(&ab.v.Var) || !d.lit(`,"n":`) || !d.int(&ab.v.N) {
					return false
				}
			}
			if !d.lit(`},"rating":`) || !d.float(&a.Rating) || !d.lit("}") {
				return false
			}
			m.Ability = a
		}
		if !d.lit(`,"responses":`) || !d.int(&m.Responses) ||
			!d.lit(`,"right":`) || !d.int(&m.Right) || !d.lit(`,"confidence":`) || !d.float(&m.Confidence) ||
			!d.lit(`,"masteredBy":`) || !d.str(&by) || !d.lit("}") {
			return false
		}
		m.MasteredBy = mastery.MasteredBy(by)
		e.Model = m
	}
	return d.lit("}")
}

// peekKey consumes the field t, after its comma unless it is the first,
// when it comes next.
func (d *explanationDecoder) peekKey(first int, t string) bool {
	at := d.i
	if d.sep(first) && d.key(t) {
		return true
	}
	d.i = at
	return false
}

// time reads an input's assessedAt with time.Time's own UnmarshalJSON, as
// json.Unmarshal does.
func (d *explanationDecoder) time(in *mastery.Input) bool {
	start := d.i
	if !d.lit(`"`) {
		return false
	}
	for d.i < len(d.s) && d.s[d.i] != '"' {
		if c := d.s[d.i]; c < 0x20 || c >= 0x7f || c == '\\' {
			return false
		}
		d.i++
	}
	if !d.lit(`"`) {
		return false
	}
	return in.AssessedAt.UnmarshalJSON([]byte(d.s[start:d.i])) == nil
}
