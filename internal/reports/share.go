package reports

import "math"

// Bound says whether a share is given exactly or only as a bound.
type Bound string

// The bounds of a coded share.
const (
	Exact   Bound = ""
	AtMost  Bound = "at_most"
	AtLeast Bound = "at_least"
)

// ShareFloor is the percentage at or below which a share is given only
// as "at most", and 100 - ShareFloor the one at or above which it is
// given only as "at least": "all of the group" or "none of it" would say
// something of every student in it.
const ShareFloor = 5

// Share is a part of a group as a whole percentage, or as a bound.
type Share struct {
	Percent int
	Bound   Bound
}

// ShareOf returns part of n as a whole percentage, coded at the ends
// (top and bottom coding): at most ShareFloor %, at least 100 -
// ShareFloor %. n must be at least 1.
func ShareOf(part, n int) Share {
	p := int(math.Round(100 * float64(part) / float64(n)))
	switch {
	case p <= ShareFloor:
		return Share{Percent: ShareFloor, Bound: AtMost}
	case p >= 100-ShareFloor:
		return Share{Percent: 100 - ShareFloor, Bound: AtLeast}
	}
	return Share{Percent: p}
}
