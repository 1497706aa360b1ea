//go:build !race

package casepkg

const raceEnabled = false
