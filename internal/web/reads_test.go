package web

import (
	"fmt"
	"net/http"
	"testing"
	"time"
)

// TestReadsTakeTurns holds every turn of reading, as reads under way
// would: another read waits for a turn, while evidence is recorded, a
// probe answered and the sign-in page shown at once.
func TestReadsTakeTurns(t *testing.T) {
	f := newFixture(t)
	if cap(f.srv.reads) < 1 {
		t.Fatalf("the server has %d turns of reading", cap(f.srv.reads))
	}
	for range cap(f.srv.reads) {
		f.srv.reads <- struct{}{}
	}
	read := make(chan response, 1)
	go func() { read <- f.do("GET", fmt.Sprintf("/api/v1/classes/%d/mastery", f.class), nil) }()

	res := f.do("POST", "/api/v1/evidence", f.evidenceBody(f.students[0], testNow.Add(-time.Hour), level(f.childA, 3)))
	wantStatus(t, res, http.StatusCreated)
	wantStatus(t, f.do("GET", "/healthz", nil), http.StatusOK)
	wantStatus(t, f.browser().get("/signin"), http.StatusOK)
	select {
	case res := <-read:
		t.Fatalf("a read was answered (%d) while every turn was taken", res.Status)
	case <-time.After(100 * time.Millisecond):
	}

	// A turn comes free: the read is answered.
	<-f.srv.reads
	select {
	case res := <-read:
		wantStatus(t, res, http.StatusOK)
	case <-time.After(30 * time.Second):
		t.Fatal("the read was not answered once a turn came free")
	}
	for range cap(f.srv.reads) - 1 {
		<-f.srv.reads
	}
}
