//go:build race

package casepkg

// raceEnabled is true when the race detector is on, which slows parsing
// several times over: timing limits do not apply then.
const raceEnabled = true
