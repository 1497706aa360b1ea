package main

import (
	"fmt"
	"strconv"
)

// maxLiveConnections bounds --live-connections: each stream is a
// connection, a file descriptor and some 20 KB of the server's memory
// (docs/performance.md).
const maxLiveConnections = 1000000

// parseLiveConnections reads --live-connections: "" or 0 for the default,
// -1 for live updates off.
func parseLiveConnections(v string) (int, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < -1 || n > maxLiveConnections {
		return 0, fmt.Errorf("%w: --live-connections %q: want a number of open event streams up to %d, 0 for the default (10000) or -1 for live updates off", errUsage, v, maxLiveConnections)
	}
	return n, nil
}
