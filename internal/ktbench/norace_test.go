//go:build !race

package ktbench

const raceEnabled = false
