package demo

import "strings"

// mathPacing is the order each math course teaches its standards, quarter
// by quarter, in the unit sequence many middle-school curricula follow
// (area before ratios in grade 6, proportional relationships first in
// grade 7, transformations first in grade 8). A standard always comes
// after its prerequisites in the same course.
var mathPacing = map[string][4][]string{
	"6": {
		{"6.G.A.1", "6.G.A.4", "6.RP.A.1", "6.RP.A.2"},
		{"6.RP.A.3", "6.NS.A.1", "6.G.A.2", "6.NS.B.3", "6.NS.B.4", "6.EE.A.1"},
		{"6.EE.A.2", "6.EE.A.3", "6.EE.B.5", "6.EE.B.6", "6.EE.B.7", "6.EE.C.9", "6.NS.C.5"},
		{"6.NS.C.6", "6.NS.C.7", "6.NS.C.8", "6.G.A.3", "6.SP.A.1", "6.SP.A.2", "6.SP.B.4"},
	},
	"7": {
		{"7.RP.A.1", "7.RP.A.2", "7.RP.A.3", "7.G.A.1"},
		{"7.NS.A.1", "7.NS.A.2", "7.NS.A.3", "7.EE.A.1", "7.EE.A.2"},
		{"7.EE.B.3", "7.EE.B.4", "7.G.A.2", "7.G.A.3", "7.G.B.4", "7.G.B.5", "7.G.B.6"},
		{"7.SP.A.1", "7.SP.A.2", "7.SP.B.4", "7.SP.C.5", "7.SP.C.6", "7.SP.C.8"},
	},
	"8": {
		{"8.G.A.2", "8.G.A.3", "8.G.A.4", "8.EE.B.5", "8.EE.B.6"},
		{"8.EE.C.7", "8.EE.C.8", "8.F.A.1", "8.F.A.2", "8.F.A.3", "8.F.B.4"},
		{"8.F.B.5", "8.SP.A.1", "8.SP.A.2", "8.SP.A.3", "8.EE.A.1", "8.EE.A.2"},
		{"8.EE.A.3", "8.EE.A.4", "8.NS.A.1", "8.NS.A.2", "8.G.B.6", "8.G.B.7", "8.G.C.9"},
	},
}

// elaPacing is the same order for every ELA course, with {g} for the
// grade: citing evidence and central ideas first, argument writing in the
// third quarter, the "by the end of the year" standards last.
var elaPacing = [4][]string{
	{"RL.{g}.1", "RI.{g}.1", "RL.{g}.2", "RI.{g}.2", "L.{g}.1", "L.{g}.4", "W.{g}.3", "SL.{g}.1", "RL.{g}.3", "W.{g}.4"},
	{"RL.{g}.4", "RI.{g}.3", "RI.{g}.4", "L.{g}.2", "W.{g}.2", "W.{g}.5", "SL.{g}.2", "SL.{g}.4", "RL.{g}.5", "L.{g}.5"},
	{"RI.{g}.5", "RL.{g}.6", "RI.{g}.6", "RI.{g}.8", "W.{g}.1", "W.{g}.7", "W.{g}.8", "SL.{g}.3", "L.{g}.3", "L.{g}.6"},
	{"RL.{g}.7", "RI.{g}.7", "RL.{g}.9", "RI.{g}.9", "W.{g}.9", "W.{g}.6", "SL.{g}.5", "SL.{g}.6", "RL.{g}.10", "RI.{g}.10", "W.{g}.10"},
}

// pacingCodes returns a course's standards by quarter, as codes.
func pacingCodes(subject, grade string) [4][]string {
	if subject == SubjectMath {
		return mathPacing[grade]
	}
	var out [4][]string
	for q, codes := range elaPacing {
		for _, c := range codes {
			out[q] = append(out[q], strings.ReplaceAll(c, "{g}", grade))
		}
	}
	return out
}
