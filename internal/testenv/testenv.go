// Package testenv lets tests that need something from outside Go (a
// PostgreSQL server, Chromium, the shared data folder) skip on a laptop that
// lacks it, and fail instead wherever CAIRN_TEST_STRICT is set, as .ci/run
// sets it: a skipped test there would be a check that silently never ran.
package testenv

import (
	"os"
	"testing"
)

// StrictVar is the environment variable that turns skips into failures.
const StrictVar = "CAIRN_TEST_STRICT"

// Strict reports whether skips must fail.
func Strict() bool {
	v := os.Getenv(StrictVar)
	return v != "" && v != "0" && v != "false"
}

// Skip skips t with reason, or fails it when Strict.
func Skip(t testing.TB, reason string) {
	t.Helper()
	if Strict() {
		t.Fatalf("%s (and %s is set, so this cannot be skipped)", reason, StrictVar)
	}
	t.Skip(reason)
}
