package main

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeRefusesBadLiveConnections: --live-connections is a number of
// streams within its bound, 0 or -1, refused before the database is
// opened.
func TestServeRefusesBadLiveConnections(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		env  map[string]string
	}{
		{"not a number", []string{"--live-connections", "many"}, nil},
		{"below -1", []string{"--live-connections", "-2"}, nil},
		{"over the bound", nil, map[string]string{"CAIRN_LIVE_CONNECTIONS": "1000001"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "cairn.db")
			getenv := func(k string) string { return tt.env[k] }
			var out, errOut bytes.Buffer
			err := run(context.Background(), append([]string{"serve", "--db", db, "--addr", "127.0.0.1:0"}, tt.args...), getenv, &out, &errOut)
			if err == nil || !errors.Is(err, errUsage) || !strings.Contains(err.Error(), "--live-connections") || !strings.Contains(err.Error(), "up to 1000000") {
				t.Fatalf("got %v, want a usage error naming --live-connections and its bound", err)
			}
		})
	}
	for v, want := range map[string]int{"": 0, "0": 0, "-1": -1, "5000": 5000} {
		if got, err := parseLiveConnections(v); err != nil || got != want {
			t.Errorf("parseLiveConnections(%q) = %d, %v; want %d", v, got, err, want)
		}
	}
}
