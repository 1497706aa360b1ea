//go:build race

package ktbench

// raceEnabled is true when the race detector is on, which makes fitting
// the full logistic model on real data take minutes.
const raceEnabled = true
