package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/store"
)

// TestAccessStore runs the store's sign-in, session, token, relation and
// audit suite on every engine, each behaviour on a fresh database.
func TestAccessStore(t *testing.T) {
	tests := []struct {
		name string
		f    func(t *testing.T, e *env)
	}{
		{"accounts", testAccounts},
		{"lockout", testLockout},
		{"sessions", testSessions},
		{"tokens", testTokens},
		{"secrets never stored", testSecretsNotStored},
		{"reset links", testResetLinks},
		{"identities", testIdentities},
		{"actor", testActor},
		{"relations", testRelations},
		{"retired by an import", testRetired},
		{"class relation", testClassRelation},
		{"class roster", testClassRoster},
		{"evidence names a class the student was in", testEvidenceClass},
		{"audit", testAudit},
		{"audit append-only", testAuditAppendOnly},
		{"student viewers", testStudentViewers},
	}
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					tc.f(t, open(t, eng.url(t)))
				})
			}
		})
	}
}

// TestSignInKeepsTheWallClock runs, on every engine, a store whose
// district's today (Config.Now) stays a year behind its clock of signing in
// (Config.WallClock), as a demo dated in the past does. Sessions, access
// tokens, reset links and lockouts are made, found and ended by the clock
// of signing in alone; evidence is still dated by the district's today.
func TestSignInKeepsTheWallClock(t *testing.T) {
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			today := start // the district's today, fixed
			e := &env{ctx: context.Background(), clk: &clock{t: start.AddDate(1, 0, 0)}}
			s, err := store.Open(e.ctx, store.Config{URL: eng.url(t), Now: func() time.Time { return today }, WallClock: e.clk.now})
			ok(t, err)
			t.Cleanup(func() { s.Close() })
			e.s = s
			ctx := e.ctx
			x := newDistrict(t, e, "north")
			id := x.d.ID
			if got := s.WallClock(); !got.After(today.AddDate(0, 11, 0)) {
				t.Fatalf("WallClock() = %v, want the clock of signing in", got)
			}

			// A session starts, is touched and ends by the clock of signing in.
			secret, _ := newSession(t, e, id, x.teacher.ID, time.Hour)
			got, err := s.SessionByTokenHash(ctx, access.HashSecret(secret))
			ok(t, err)
			if got.CreatedAt.Before(today.AddDate(0, 11, 0)) {
				t.Errorf("the session was created at %v, the district's today, not by the clock of signing in", got.CreatedAt)
			}
			e.advance(30 * time.Minute)
			ok(t, s.TouchSession(ctx, got.ID, access.DefaultSessions.Expiry(got.CreatedAt, e.peek())))
			e.advance(access.DefaultSessions.Idle + time.Minute)
			_, err = s.SessionByTokenHash(ctx, access.HashSecret(secret))
			wantKind(t, err, problem.ErrNotFound, "session")
			if list, err := s.Sessions(ctx, id, x.teacher.ID); err != nil || len(list) != 0 {
				t.Errorf("Sessions after the session ended: %d, %v", len(list), err)
			}

			// A token made for a day ends after a day.
			tok, hash := access.NewAccessToken()
			day := e.peek().Add(24 * time.Hour)
			ok(t, s.CreateToken(ctx, &store.Token{DistrictID: id, PersonID: x.teacher.ID, Name: "sync", Scope: access.TokenRead, Hash: hash, ExpiresAt: &day}))
			_, err = s.TokenByHash(ctx, access.HashSecret(tok))
			ok(t, err)
			e.advance(25 * time.Hour)
			_, err = s.TokenByHash(ctx, access.HashSecret(tok))
			wantKind(t, err, problem.ErrNotFound, "access token")

			// A reset link may be made for three days from now, and then ends.
			link, lh := access.NewSecret()
			ok(t, s.CreateResetLink(ctx, x.teacher.ID, lh, e.peek().Add(access.DefaultResetValid)))
			_, err = s.ResetLink(ctx, access.HashSecret(link))
			ok(t, err)
			e.advance(access.DefaultResetValid + time.Minute)
			_, err = s.ResetLink(ctx, access.HashSecret(link))
			wantKind(t, err, problem.ErrNotFound, "reset link")

			// A lockout runs from now.
			ok(t, s.SetPassword(ctx, id, x.teacher.ID, hashOf(t, "the right password")))
			until, err := s.RecordSignInFailure(ctx, x.teacher.ID, 15*time.Minute, 1)
			ok(t, err)
			if now := e.peek(); until.Before(now) || until.After(now.Add(15*time.Minute)) {
				t.Errorf("locked until %v, want 15 minutes after %v", until, now)
			}

			// Evidence is dated by the district's today: the day before the
			// clock of signing in is in the district's future.
			late := x.ev(x.alice, 0, level(x.s1, 3))
			late.AssessedAt = e.peek().Add(-24 * time.Hour)
			wantInvalid(t, s.RecordEvidence(ctx, &late), -1, "assessedAt", "in the future")
			onTime := x.ev(x.alice, 1, level(x.s1, 3))
			ok(t, s.RecordEvidence(ctx, &onTime))
		})
	}
}

// advance moves the test clock on by d.
func (e *env) advance(d time.Duration) {
	e.clk.mu.Lock()
	e.clk.t = e.clk.t.Add(d)
	e.clk.mu.Unlock()
}

// peek reads the test clock without moving it.
func (e *env) peek() time.Time {
	e.clk.mu.Lock()
	defer e.clk.mu.Unlock()
	return e.clk.t
}

// cheap are argon2id parameters that keep tests fast.
var cheap = access.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func hashOf(t *testing.T, pw string) string {
	t.Helper()
	h, err := access.HashPassword(pw, cheap)
	ok(t, err)
	return h
}

// raw opens a second, plain connection to the store's database, for what
// the store itself offers no way to do.
func raw(t *testing.T, e *env) *sql.DB {
	t.Helper()
	driver := "sqlite"
	if e.s.Engine() == store.Postgres {
		driver = "pgx"
	}
	db, err := sql.Open(driver, e.url)
	ok(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}

// addPerson stores a person of x's district at x's school.
func addPerson(t *testing.T, e *env, x *district, p roster.Person) roster.Person {
	t.Helper()
	p.DistrictID = x.d.ID
	if p.SchoolIDs == nil {
		p.SchoolIDs = []int64{x.school.ID}
	}
	ok(t, e.s.CreatePerson(e.ctx, &p))
	return p
}

func testAccounts(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	x := newDistrict(t, e, "north")
	id := x.d.ID

	// What is stored must be a hash, and the person must have a username.
	wantInvalid(t, s.SetPassword(ctx, id, x.teacher.ID, "correct horse battery staple"), -1, "password", "argon2id")
	wantInvalid(t, s.SetPassword(ctx, id, x.alice.ID, hashOf(t, "pw")), -1, "username", "no username")
	wantKind(t, s.SetPassword(ctx, id, 999999, hashOf(t, "pw")), problem.ErrNotFound, "999999")

	h := hashOf(t, "first password")
	ok(t, s.SetPassword(ctx, id, x.teacher.ID, h))
	created := e.peek().UTC().Truncate(time.Microsecond)
	for _, u := range []string{"tng", "TNG", " Tng "} {
		acc, got, err := s.AccountByUsername(ctx, u)
		ok(t, err)
		want := store.Account{PersonID: x.teacher.ID, DistrictID: id, Username: "tng", PasswordChangedAt: created, CreatedAt: created}
		if diff := cmp.Diff(want, acc); diff != "" {
			t.Errorf("AccountByUsername(%q) (-want +got):\n%s", u, diff)
		}
		if got != h {
			t.Errorf("AccountByUsername(%q) hash %q, want %q", u, got, h)
		}
	}
	_, _, err := s.AccountByUsername(ctx, "nobody")
	wantKind(t, err, problem.ErrNotFound, `"nobody"`)

	// A new password replaces the old; the account keeps its creation time.
	e.advance(time.Hour)
	h2 := hashOf(t, "second password")
	ok(t, s.SetPassword(ctx, id, x.teacher.ID, h2))
	acc, got, err := s.AccountByUsername(ctx, "tng")
	ok(t, err)
	if got != h2 || !acc.CreatedAt.Equal(created) || !acc.PasswordChangedAt.After(created) {
		t.Errorf("after a new password: %+v, hash %q", acc, got)
	}
	byID, err := s.Account(ctx, x.teacher.ID)
	ok(t, err)
	if diff := cmp.Diff(acc, byID); diff != "" {
		t.Errorf("Account (-AccountByUsername +Account):\n%s", diff)
	}
	_, err = s.Account(ctx, x.alice.ID)
	wantKind(t, err, problem.ErrNotFound, "account")

	// PersonByUsername finds a roster person whatever the case.
	p, err := s.PersonByUsername(ctx, id, "TNG")
	ok(t, err)
	if p.ID != x.teacher.ID {
		t.Errorf("PersonByUsername(TNG) = person %d, want %d", p.ID, x.teacher.ID)
	}
	_, err = s.PersonByUsername(ctx, id, "nobody")
	wantKind(t, err, problem.ErrNotFound, "nobody")
	addPerson(t, e, x, roster.Person{GivenName: "Tim", FamilyName: "Ng", Username: "TNG", Roles: []roster.Role{roster.RoleTeacher}})
	_, err = s.PersonByUsername(ctx, id, "tng")
	wantKind(t, err, problem.ErrConflict, "differ only in case")

	// Usernames are unique across the deployment, whatever their case:
	// another district's "tng" cannot sign in as well.
	y := newDistrict(t, e, "south")
	err = s.SetPassword(ctx, y.d.ID, y.teacher.ID, h)
	wantKind(t, err, problem.ErrConflict, `"tng" already signs in as person`)
	// Another district's person is not found through this district.
	wantKind(t, s.SetPassword(ctx, id, y.alice.ID, h), problem.ErrNotFound, "person")

	// Accounts lists the district's accounts.
	gus := x.guardian
	gus.Username = "Gus.Zane"
	ok(t, s.UpdatePerson(ctx, &gus))
	ok(t, s.SetPassword(ctx, id, gus.ID, h))
	list, next, err := s.Accounts(ctx, id, store.Page{Limit: 1})
	ok(t, err)
	if len(list) != 1 || list[0].PersonID != x.teacher.ID || next == 0 {
		t.Fatalf("Accounts page 1: %+v, next %d", list, next)
	}
	list, next, err = s.Accounts(ctx, id, store.Page{Limit: 1, After: next})
	ok(t, err)
	if len(list) != 1 || list[0].Username != "gus.zane" || next != 0 {
		t.Errorf("Accounts page 2: %+v, next %d", list, next)
	}
	list, _, err = s.Accounts(ctx, y.d.ID, store.Page{})
	ok(t, err)
	if len(list) != 0 {
		t.Errorf("the other district lists %d accounts", len(list))
	}

	// Disabling is recorded, and an unknown account is not found.
	ok(t, s.SetAccountDisabled(ctx, gus.ID, true))
	if a, err := s.Account(ctx, gus.ID); err != nil || !a.Disabled {
		t.Errorf("after disabling: %+v, %v", a, err)
	}
	ok(t, s.SetAccountDisabled(ctx, gus.ID, false))
	wantKind(t, s.SetAccountDisabled(ctx, x.alice.ID, true), problem.ErrNotFound, "account")
}

// signIn is a password sign-in as the sign-in page does it, with the
// default lockout.
func signIn(t *testing.T, e *env, username, password string) access.SignInResult {
	t.Helper()
	acc, hash, err := e.s.AccountByUsername(e.ctx, username)
	if err != nil && !errors.Is(err, problem.ErrNotFound) {
		t.Fatal(err)
	}
	res, err := access.CheckSignIn(access.SignInAccount{Found: err == nil, Disabled: acc.Disabled, Hash: hash, LockedUntil: acc.LockedUntil},
		password, e.peek())
	ok(t, err)
	switch {
	case res.OK:
		ok(t, e.s.RecordSignInSuccess(e.ctx, acc.PersonID))
	case res.CountFailure:
		_, err := e.s.RecordSignInFailure(e.ctx, acc.PersonID, access.DefaultLockout.For, access.DefaultLockout.After)
		ok(t, err)
	}
	return res
}

func testLockout(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	x := newDistrict(t, e, "north")
	ok(t, s.SetPassword(ctx, x.d.ID, x.teacher.ID, hashOf(t, "the right password")))

	// Four wrong passwords leave the account open; a success clears them.
	for i := 1; i <= 4; i++ {
		if res := signIn(t, e, "tng", "wrong"); res.Reason != access.ReasonWrongPassword {
			t.Fatalf("wrong password %d: %+v", i, res)
		}
	}
	acc, err := s.Account(ctx, x.teacher.ID)
	ok(t, err)
	if acc.FailedAttempts != 4 || !acc.LockedUntil.IsZero() {
		t.Fatalf("after 4 failures: %+v", acc)
	}
	if res := signIn(t, e, "tng", "the right password"); !res.OK {
		t.Fatalf("right password after 4 failures: %+v", res)
	}
	acc, err = s.Account(ctx, x.teacher.ID)
	ok(t, err)
	if acc.FailedAttempts != 0 || acc.LastSignInAt.IsZero() {
		t.Errorf("after a success: %+v", acc)
	}

	// Five in a row lock it for 15 minutes: even the right password is
	// refused, with the same message.
	for range access.DefaultLockout.After {
		signIn(t, e, "tng", "wrong")
	}
	locked := e.peek()
	acc, err = s.Account(ctx, x.teacher.ID)
	ok(t, err)
	// The test clock moves a millisecond at each reading, so the lock
	// began a few readings before now.
	if d := acc.LockedUntil.Sub(locked); d > 15*time.Minute || d < 15*time.Minute-time.Second {
		t.Errorf("locked until %v, %v after the fifth failure; want 15 minutes", acc.LockedUntil, d)
	}
	if res := signIn(t, e, "tng", "the right password"); res.OK || res.Reason != access.ReasonLocked || res.CountFailure {
		t.Errorf("right password while locked: %+v", res)
	}
	e.advance(14 * time.Minute)
	if res := signIn(t, e, "tng", "the right password"); res.OK {
		t.Errorf("right password after 14 minutes: %+v", res)
	}
	e.advance(time.Minute)
	if res := signIn(t, e, "tng", "the right password"); !res.OK {
		t.Errorf("right password after 15 minutes: %+v", res)
	}

	// The lock counts per account, in the database: the store's own call.
	until, err := s.RecordSignInFailure(ctx, x.teacher.ID, time.Hour, 1)
	ok(t, err)
	if want := e.peek().Add(-time.Millisecond).Add(time.Hour); until.Before(want) {
		t.Errorf("RecordSignInFailure with after=1 locked until %v, want about %v", until, want)
	}
	_, err = s.RecordSignInFailure(ctx, x.alice.ID, time.Hour, 5)
	wantKind(t, err, problem.ErrNotFound, "account")
	wantKind(t, s.RecordSignInSuccess(ctx, x.alice.ID), problem.ErrNotFound, "account")

	// Unknown usernames and disabled accounts are refused like the rest.
	if res := signIn(t, e, "nobody", "the right password"); res.OK || res.Reason != access.ReasonNoAccount {
		t.Errorf("unknown username: %+v", res)
	}
	e.advance(2 * time.Hour)
	ok(t, s.SetAccountDisabled(ctx, x.teacher.ID, true))
	if res := signIn(t, e, "tng", "the right password"); res.OK || res.Reason != access.ReasonDisabled {
		t.Errorf("disabled account: %+v", res)
	}
}

func newSession(t *testing.T, e *env, districtID, personID int64, valid time.Duration) (string, store.Session) {
	t.Helper()
	secret, hash := access.NewSecret()
	ses := store.Session{TokenHash: hash, PersonID: personID, DistrictID: districtID, CSRFSecret: access.NewCSRFSecret(),
		ExpiresAt: e.peek().Add(valid), UserAgent: "Mozilla/5.0 (X11; CrOS x86_64)", Method: "password"}
	ok(t, e.s.CreateSession(e.ctx, ses))
	return secret, ses
}

func testSessions(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	x := newDistrict(t, e, "north")
	id := x.d.ID

	var bad store.Session
	err := s.CreateSession(ctx, bad)
	for _, f := range []string{"tokenHash", "csrfSecret", "expiresAt", "method"} {
		wantInvalid(t, err, -1, f, "")
	}
	_, hash := access.NewSecret()
	err = s.CreateSession(ctx, store.Session{TokenHash: hash, PersonID: 999999, DistrictID: id, CSRFSecret: access.NewCSRFSecret(),
		ExpiresAt: e.peek().Add(time.Hour), Method: "password"})
	wantInvalid(t, err, -1, "personId", "no person 999999")

	secret, ses := newSession(t, e, id, x.teacher.ID, time.Hour)
	created := e.peek().UTC().Truncate(time.Microsecond)
	got, err := s.SessionByTokenHash(ctx, access.HashSecret(secret))
	ok(t, err)
	want := ses
	want.ID = got.ID
	want.CreatedAt, want.LastSeenAt = created, created
	want.ExpiresAt = ses.ExpiresAt.UTC().Truncate(time.Microsecond)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("SessionByTokenHash (-want +got):\n%s", diff)
	}
	_, err = s.SessionByTokenHash(ctx, access.HashSecret(secret+"x"))
	wantKind(t, err, problem.ErrNotFound, "session")
	err = s.CreateSession(ctx, ses)
	wantKind(t, err, problem.ErrConflict, "tokenHash")

	// Touching moves the expiry on; past it the session is gone.
	e.advance(50 * time.Minute)
	ok(t, s.TouchSession(ctx, got.ID, access.DefaultSessions.Expiry(got.CreatedAt, e.peek())))
	touched, err := s.SessionByTokenHash(ctx, access.HashSecret(secret))
	ok(t, err)
	if !touched.LastSeenAt.After(got.LastSeenAt) || !touched.ExpiresAt.After(got.ExpiresAt) {
		t.Errorf("after TouchSession: seen %v, expires %v", touched.LastSeenAt, touched.ExpiresAt)
	}
	e.advance(access.DefaultSessions.Idle + time.Second)
	_, err = s.SessionByTokenHash(ctx, access.HashSecret(secret))
	wantKind(t, err, problem.ErrNotFound, "session")
	wantKind(t, s.TouchSession(ctx, got.ID, e.peek().Add(time.Hour)), problem.ErrNotFound, "session")
	wantKind(t, s.TouchSession(ctx, 999999, e.peek().Add(time.Hour)), problem.ErrNotFound, "session")

	// Signing out ends one session; RevokeSessions ends them all.
	s1, _ := newSession(t, e, id, x.teacher.ID, time.Hour)
	s2, _ := newSession(t, e, id, x.teacher.ID, time.Hour)
	s3, _ := newSession(t, e, id, x.alice.ID, time.Hour)
	list, err := s.Sessions(ctx, id, x.teacher.ID)
	ok(t, err)
	if len(list) != 2 || list[0].ID < list[1].ID {
		t.Fatalf("Sessions: %d, want the two open ones, newest first", len(list))
	}
	first, err := s.SessionByTokenHash(ctx, access.HashSecret(s1))
	ok(t, err)
	ok(t, s.RevokeSession(ctx, first.ID))
	ok(t, s.RevokeSession(ctx, first.ID)) // twice is fine
	wantKind(t, s.RevokeSession(ctx, 999999), problem.ErrNotFound, "session")
	_, err = s.SessionByTokenHash(ctx, access.HashSecret(s1))
	wantKind(t, err, problem.ErrNotFound, "session")
	wantKind(t, s.TouchSession(ctx, first.ID, e.peek().Add(time.Hour)), problem.ErrNotFound, "session")
	_, err = s.SessionByTokenHash(ctx, access.HashSecret(s2))
	ok(t, err)
	ok(t, s.RevokeSessions(ctx, x.teacher.ID))
	_, err = s.SessionByTokenHash(ctx, access.HashSecret(s2))
	wantKind(t, err, problem.ErrNotFound, "session")
	if _, err := s.SessionByTokenHash(ctx, access.HashSecret(s3)); err != nil {
		t.Errorf("another person's session ended too: %v", err)
	}

	// Disabling an account ends its sessions.
	alice := x.alice
	alice.Username = "alice.zane"
	ok(t, s.UpdatePerson(ctx, &alice))
	ok(t, s.SetPassword(ctx, id, alice.ID, hashOf(t, "alice's password")))
	ok(t, s.SetAccountDisabled(ctx, alice.ID, true))
	_, err = s.SessionByTokenHash(ctx, access.HashSecret(s3))
	wantKind(t, err, problem.ErrNotFound, "session")

	// Pruning removes ended sessions, not open ones.
	open, _ := newSession(t, e, id, x.teacher.ID, 2*time.Hour)
	n, err := s.PruneSessions(ctx, e.peek())
	ok(t, err)
	if n != 4 {
		t.Errorf("PruneSessions removed %d, want 4", n)
	}
	if _, err := s.SessionByTokenHash(ctx, access.HashSecret(open)); err != nil {
		t.Errorf("an open session was pruned: %v", err)
	}
}

func testTokens(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	x := newDistrict(t, e, "north")
	id := x.d.ID

	past := e.peek().Add(-time.Hour)
	bad := store.Token{DistrictID: id, PersonID: x.teacher.ID, Name: " ", Scope: "admin", Hash: []byte("short"), ExpiresAt: &past}
	err := s.CreateToken(ctx, &bad)
	for _, f := range []string{"name", "scope", "hash", "expiresAt"} {
		wantInvalid(t, err, -1, f, "")
	}
	tok, hash := access.NewAccessToken()
	unknown := store.Token{DistrictID: id, PersonID: 999999, Name: "sync", Scope: access.TokenRead, Hash: hash}
	wantInvalid(t, s.CreateToken(ctx, &unknown), -1, "personId", "no person 999999")

	expires := e.peek().Add(30 * 24 * time.Hour)
	rt := store.Token{DistrictID: id, PersonID: x.teacher.ID, Name: " gradebook sync ", Scope: access.TokenRead, Hash: hash, ExpiresAt: &expires}
	ok(t, s.CreateToken(ctx, &rt))
	if rt.ID == 0 || rt.Name != "gradebook sync" || rt.CreatedAt.IsZero() {
		t.Errorf("CreateToken left %+v", rt)
	}
	got, err := s.TokenByHash(ctx, access.HashSecret(tok))
	ok(t, err)
	if diff := cmp.Diff(rt, got); diff != "" {
		t.Errorf("TokenByHash (-created +read):\n%s", diff)
	}
	dup := rt
	wantKind(t, s.CreateToken(ctx, &dup), problem.ErrConflict, "hash")

	ok(t, s.TouchToken(ctx, rt.ID))
	got, err = s.TokenByHash(ctx, hash)
	ok(t, err)
	if got.LastUsedAt == nil {
		t.Error("TouchToken did not record the use")
	}
	wantKind(t, s.TouchToken(ctx, 999999), problem.ErrNotFound, "access token")

	tok2, hash2 := access.NewAccessToken()
	wt := store.Token{DistrictID: id, PersonID: x.teacher.ID, Name: "roster import", Scope: access.TokenWrite, Hash: hash2}
	ok(t, s.CreateToken(ctx, &wt))
	list, err := s.Tokens(ctx, x.teacher.ID)
	ok(t, err)
	if len(list) != 2 || list[0].ID != rt.ID || list[1].ID != wt.ID || list[1].ExpiresAt != nil {
		t.Errorf("Tokens: %+v", list)
	}

	// Only the owner revokes a token; then it is gone.
	wantKind(t, s.RevokeToken(ctx, x.alice.ID, wt.ID), problem.ErrNotFound, "access token")
	ok(t, s.RevokeToken(ctx, x.teacher.ID, wt.ID))
	ok(t, s.RevokeToken(ctx, x.teacher.ID, wt.ID))
	_, err = s.TokenByHash(ctx, access.HashSecret(tok2))
	wantKind(t, err, problem.ErrNotFound, "access token")
	list, err = s.Tokens(ctx, x.teacher.ID)
	ok(t, err)
	if len(list) != 2 || list[1].RevokedAt == nil {
		t.Errorf("a revoked token should stay listed, marked: %+v", list)
	}

	// An expired token is gone; so is one whose account is disabled.
	e.advance(30*24*time.Hour + time.Second)
	_, err = s.TokenByHash(ctx, hash)
	wantKind(t, err, problem.ErrNotFound, "access token")
	_, hash3 := access.NewAccessToken()
	open := store.Token{DistrictID: id, PersonID: x.teacher.ID, Name: "open", Scope: access.TokenRead, Hash: hash3}
	ok(t, s.CreateToken(ctx, &open))
	ok(t, s.SetPassword(ctx, id, x.teacher.ID, hashOf(t, "a password")))
	ok(t, s.SetAccountDisabled(ctx, x.teacher.ID, true))
	_, err = s.TokenByHash(ctx, hash3)
	wantKind(t, err, problem.ErrNotFound, "access token")
	ok(t, s.SetAccountDisabled(ctx, x.teacher.ID, false))
	_, err = s.TokenByHash(ctx, hash3)
	ok(t, err)
}

// testSecretsNotStored makes a session, a token and a reset link and
// checks that none of their secrets, nor the password, is anywhere in
// the database: not in any column, and on SQLite not in the file.
func testSecretsNotStored(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	x := newDistrict(t, e, "north")
	const password = "a password nobody should read"
	ok(t, s.SetPassword(ctx, x.d.ID, x.teacher.ID, hashOf(t, password)))
	session, _ := newSession(t, e, x.d.ID, x.teacher.ID, time.Hour)
	token, hash := access.NewAccessToken()
	ok(t, s.CreateToken(ctx, &store.Token{DistrictID: x.d.ID, PersonID: x.teacher.ID, Name: "sync", Scope: access.TokenWrite, Hash: hash}))
	link, linkHash := access.NewSecret()
	ok(t, s.CreateResetLink(ctx, x.teacher.ID, linkHash, e.peek().Add(time.Hour)))
	secrets := map[string]string{"password": password, "session": session, "token": token, "reset link": link}

	db := raw(t, e)
	for _, table := range []string{"accounts", "identities", "sessions", "access_tokens", "reset_links"} {
		rows, err := db.QueryContext(ctx, `SELECT * FROM `+table)
		ok(t, err)
		cols, err := rows.Columns()
		ok(t, err)
		n := 0
		for rows.Next() {
			n++
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			ok(t, rows.Scan(ptrs...))
			for i, v := range vals {
				var text []byte
				switch v := v.(type) {
				case []byte:
					text = v
				case string:
					text = []byte(v)
				default:
					text = fmt.Append(nil, v)
				}
				for what, secret := range secrets {
					if bytes.Contains(text, []byte(secret)) {
						t.Errorf("%s.%s holds the %s itself", table, cols[i], what)
					}
				}
			}
		}
		ok(t, rows.Err())
		rows.Close()
		if n == 0 {
			t.Errorf("table %s is empty: the check saw nothing", table)
		}
	}
	if s.Engine() == store.SQLite {
		for _, f := range []string{e.url, e.url + "-wal"} {
			b, err := os.ReadFile(f)
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			ok(t, err)
			for what, secret := range secrets {
				if bytes.Contains(b, []byte(secret)) {
					t.Errorf("%s holds the %s itself", f, what)
				}
			}
		}
	}
}

func testResetLinks(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	x := newDistrict(t, e, "north")

	_, h := access.NewSecret()
	err := s.CreateResetLink(ctx, x.teacher.ID, []byte("short"), e.peek().Add(-time.Hour))
	wantInvalid(t, err, -1, "hash", "")
	wantInvalid(t, err, -1, "expires", "future")
	wantInvalid(t, s.CreateResetLink(ctx, x.teacher.ID, h, e.peek().Add(access.MaxResetValid+time.Hour)), -1, "expires", "within")
	wantKind(t, s.CreateResetLink(ctx, 999999, h, e.peek().Add(time.Hour)), problem.ErrNotFound, "person 999999")

	// A link is used once.
	link, hash := access.NewSecret()
	ok(t, s.CreateResetLink(ctx, x.teacher.ID, hash, e.peek().Add(72*time.Hour)))
	l, err := s.ResetLink(ctx, access.HashSecret(link))
	ok(t, err)
	if l.PersonID != x.teacher.ID || l.DistrictID != x.d.ID || l.UsedAt != nil {
		t.Errorf("ResetLink: %+v", l)
	}
	pid, err := s.UseResetLink(ctx, access.HashSecret(link))
	ok(t, err)
	if pid != x.teacher.ID {
		t.Errorf("UseResetLink = person %d, want %d", pid, x.teacher.ID)
	}
	_, err = s.UseResetLink(ctx, access.HashSecret(link))
	wantKind(t, err, problem.ErrNotFound, "reset link")
	_, err = s.ResetLink(ctx, access.HashSecret(link))
	wantKind(t, err, problem.ErrNotFound, "reset link")

	// An expired link does nothing.
	old, oldHash := access.NewSecret()
	ok(t, s.CreateResetLink(ctx, x.teacher.ID, oldHash, e.peek().Add(time.Hour)))
	e.advance(time.Hour + time.Second)
	_, err = s.UseResetLink(ctx, access.HashSecret(old))
	wantKind(t, err, problem.ErrNotFound, "reset link")

	// A newer link replaces an older one still open.
	first, firstHash := access.NewSecret()
	ok(t, s.CreateResetLink(ctx, x.teacher.ID, firstHash, e.peek().Add(time.Hour)))
	second, secondHash := access.NewSecret()
	ok(t, s.CreateResetLink(ctx, x.teacher.ID, secondHash, e.peek().Add(time.Hour)))
	_, err = s.ResetLink(ctx, access.HashSecret(first))
	wantKind(t, err, problem.ErrNotFound, "reset link")

	// ResetPassword spends the link, sets the password and signs the
	// person out everywhere; on failure it changes nothing.
	signedIn, _ := newSession(t, e, x.d.ID, x.teacher.ID, time.Hour)
	token := func(person int64, name, scope string) string {
		t.Helper()
		secret, hash := access.NewAccessToken()
		ok(t, s.CreateToken(ctx, &store.Token{DistrictID: x.d.ID, PersonID: person, Name: name, Scope: scope, Hash: hash}))
		return secret
	}
	readTok, writeTok := token(x.teacher.ID, "gradebook", access.TokenRead), token(x.teacher.ID, "sync", access.TokenWrite)
	othersTok := token(x.guardian.ID, "family", access.TokenRead)
	_, err = s.ResetPassword(ctx, access.HashSecret(second), "not a hash")
	wantInvalid(t, err, -1, "password", "argon2id")
	if _, err := s.ResetLink(ctx, access.HashSecret(second)); err != nil {
		t.Fatalf("a failed reset spent the link: %v", err)
	}
	acc, err := s.ResetPassword(ctx, access.HashSecret(second), hashOf(t, "a brand new password"))
	ok(t, err)
	if acc.PersonID != x.teacher.ID || acc.Username != "tng" {
		t.Errorf("ResetPassword = %+v", acc)
	}
	_, hash2, err := s.AccountByUsername(ctx, "tng")
	ok(t, err)
	if ok, _, err := access.CheckPassword("a brand new password", hash2); !ok || err != nil {
		t.Errorf("the new password does not check: %v %v", ok, err)
	}
	_, err = s.SessionByTokenHash(ctx, access.HashSecret(signedIn))
	wantKind(t, err, problem.ErrNotFound, "session")
	for _, tok := range []string{readTok, writeTok} {
		if got, err := s.TokenByHash(ctx, access.HashSecret(tok)); err == nil && got.RevokedAt == nil {
			t.Errorf("token %q outlived the password reset: %+v", got.Name, got)
		}
	}
	if got, err := s.TokenByHash(ctx, access.HashSecret(othersTok)); err != nil || got.RevokedAt != nil {
		t.Errorf("another person's token: %+v, %v; want it untouched", got, err)
	}
	_, err = s.ResetPassword(ctx, access.HashSecret(second), hashOf(t, "again"))
	wantKind(t, err, problem.ErrNotFound, "reset link")

	// A reset also clears a lock.
	_, err = s.RecordSignInFailure(ctx, x.teacher.ID, time.Hour, 1)
	ok(t, err)
	third, thirdHash := access.NewSecret()
	ok(t, s.CreateResetLink(ctx, x.teacher.ID, thirdHash, e.peek().Add(time.Hour)))
	acc, err = s.ResetPassword(ctx, access.HashSecret(third), hashOf(t, "yet another password"))
	ok(t, err)
	if !acc.LockedUntil.IsZero() {
		t.Errorf("locked until %v after a reset", acc.LockedUntil)
	}
}

func testIdentities(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	x := newDistrict(t, e, "north")
	ok(t, s.SetPassword(ctx, x.d.ID, x.teacher.ID, hashOf(t, "a password")))
	id, err := s.IdentityBySubject(ctx, store.ProviderPassword, "tng")
	ok(t, err)
	if id.PersonID != x.teacher.ID || id.DistrictID != x.d.ID {
		t.Errorf("password identity: %+v", id)
	}

	const issuer = "https://accounts.example.org"
	ok(t, s.LinkIdentity(ctx, store.Identity{Provider: issuer, Subject: "10769150350006150715113082367", DistrictID: x.d.ID, PersonID: x.teacher.ID}))
	ok(t, s.LinkIdentity(ctx, store.Identity{Provider: issuer, Subject: "10769150350006150715113082367", DistrictID: x.d.ID, PersonID: x.teacher.ID}))
	err = s.LinkIdentity(ctx, store.Identity{Provider: issuer, Subject: "10769150350006150715113082367", DistrictID: x.d.ID, PersonID: x.alice.ID})
	wantKind(t, err, problem.ErrConflict, "belongs to person")
	wantInvalid(t, s.LinkIdentity(ctx, store.Identity{Provider: store.ProviderPassword, Subject: "x", DistrictID: x.d.ID, PersonID: x.alice.ID}), -1, "provider", "SetPassword")
	wantInvalid(t, s.LinkIdentity(ctx, store.Identity{Provider: issuer, DistrictID: x.d.ID, PersonID: x.alice.ID}), -1, "subject", "required")
	wantKind(t, s.LinkIdentity(ctx, store.Identity{Provider: issuer, Subject: "1", DistrictID: x.d.ID, PersonID: 999999}), problem.ErrNotFound, "person")

	ids, err := s.Identities(ctx, x.d.ID, x.teacher.ID)
	ok(t, err)
	var got []string
	for _, id := range ids {
		got = append(got, id.Provider+" "+id.Subject)
	}
	if diff := cmp.Diff([]string{issuer + " 10769150350006150715113082367", "password tng"}, got); diff != "" {
		t.Errorf("Identities (-want +got):\n%s", diff)
	}
	_, err = s.IdentityBySubject(ctx, issuer, "other")
	wantKind(t, err, problem.ErrNotFound, "identity")
}

func testActor(t *testing.T, e *env) {
	x := newDistrict(t, e, "north")
	a, err := e.s.Actor(e.ctx, x.d.ID, x.teacher.ID)
	ok(t, err)
	want := access.Actor{PersonID: x.teacher.ID, DistrictID: x.d.ID, Name: "Tess Ng", Roles: []roster.Role{roster.RoleTeacher},
		SchoolIDs: []int64{x.school.ID}}
	if diff := cmp.Diff(want, a); diff != "" {
		t.Errorf("Actor (-want +got):\n%s", diff)
	}
	y := newDistrict(t, e, "south")
	_, err = e.s.Actor(e.ctx, x.d.ID, y.teacher.ID)
	wantKind(t, err, problem.ErrNotFound, "person")
}

// relationsDistrict adds to x the people whose relations to students the
// tests check.
type relationsDistrict struct {
	*district
	other                          roster.School
	otherTeacher, formerTeacher    roster.Person
	principal, otherPrincipal      roster.Person
	coach, admin, teacherParent    roster.Person
	dan, eve                       roster.Person // dan left the class; eve is at the other school
	formerClass, otherSchoolsClass roster.Class
}

func newRelationsDistrict(t *testing.T, e *env, name string) *relationsDistrict {
	t.Helper()
	ctx, s := e.ctx, e.s
	x := &relationsDistrict{district: newDistrict(t, e, name)}
	id := x.d.ID
	x.other = roster.School{DistrictID: id, Name: "Lake Middle"}
	ok(t, s.CreateSchool(ctx, &x.other))
	role := func(r ...roster.Role) []roster.Role { return r }
	x.principal = addPerson(t, e, x.district, roster.Person{GivenName: "Pat", FamilyName: "Reyes", Roles: role(roster.RoleSchoolAdmin)})
	x.otherPrincipal = addPerson(t, e, x.district, roster.Person{GivenName: "Oli", FamilyName: "Berg", Roles: role(roster.RoleSchoolAdmin), SchoolIDs: []int64{x.other.ID}})
	x.coach = addPerson(t, e, x.district, roster.Person{GivenName: "Cam", FamilyName: "Diaz", Roles: role(roster.RoleCoach)})
	x.admin = addPerson(t, e, x.district, roster.Person{GivenName: "Dee", FamilyName: "Admin", Roles: role(roster.RoleDistrictAdmin), SchoolIDs: []int64{}})
	x.otherTeacher = addPerson(t, e, x.district, roster.Person{GivenName: "Otto", FamilyName: "Lind", Roles: role(roster.RoleTeacher), SchoolIDs: []int64{x.other.ID}})
	x.formerTeacher = addPerson(t, e, x.district, roster.Person{GivenName: "Fay", FamilyName: "Old", Roles: role(roster.RoleTeacher)})
	x.teacherParent = addPerson(t, e, x.district, roster.Person{GivenName: "Gil", FamilyName: "Zane", Roles: role(roster.RoleTeacher, roster.RoleGuardian), SchoolIDs: []int64{x.other.ID}})
	x.dan = addPerson(t, e, x.district, roster.Person{GivenName: "Dan", FamilyName: "Moss", Roles: role(roster.RoleStudent)})
	x.eve = addPerson(t, e, x.district, roster.Person{GivenName: "Eve", FamilyName: "Lund", Roles: role(roster.RoleStudent), SchoolIDs: []int64{x.other.ID}})

	enroll := func(class, person int64, r roster.EnrollmentRole, begin, end *time.Time) {
		t.Helper()
		ok(t, s.CreateEnrollment(ctx, &roster.Enrollment{DistrictID: id, ClassID: class, PersonID: person, Role: r, BeginDate: begin, EndDate: end}))
	}
	now := e.peek()
	began, ended := now.AddDate(0, -6, 0), now.AddDate(0, 0, -10)
	// Dan's enrollment in the teacher's class ended ten days ago.
	enroll(x.class.ID, x.dan.ID, roster.EnrolledStudent, &began, &ended)
	// Fay taught the class until ten days ago.
	enroll(x.class.ID, x.formerTeacher.ID, roster.EnrolledTeacher, &began, &ended)
	// Eve is in a class at the other school, taught by Otto; Alice is in
	// it too, so the other school's principal sees Alice through it.
	x.otherSchoolsClass = roster.Class{DistrictID: id, SchoolID: x.other.ID, CourseID: x.course.ID, TermID: x.term.ID, Title: "Math 6 - Lake"}
	ok(t, s.CreateClass(ctx, &x.otherSchoolsClass))
	enroll(x.otherSchoolsClass.ID, x.eve.ID, roster.EnrolledStudent, nil, nil)
	enroll(x.otherSchoolsClass.ID, x.alice.ID, roster.EnrolledStudent, nil, nil)
	enroll(x.otherSchoolsClass.ID, x.otherTeacher.ID, roster.EnrolledTeacher, nil, nil)
	// Gil is Alice's guardian, and teaches at the other school, but not her
	// class.
	ok(t, s.LinkGuardian(ctx, roster.GuardianLink{DistrictID: id, GuardianID: x.teacherParent.ID, StudentID: x.alice.ID, Relationship: "father"}))
	ok(t, s.LinkGuardian(ctx, roster.GuardianLink{DistrictID: id, GuardianID: x.guardian.ID, StudentID: x.bob.ID, Relationship: "guardian"}))
	// A class that has not begun yet, more than two weeks away, at the
	// first school.
	x.formerClass = roster.Class{DistrictID: id, SchoolID: x.school.ID, CourseID: x.course.ID, TermID: x.term.ID, Title: "Math 6 - next term"}
	ok(t, s.CreateClass(ctx, &x.formerClass))
	later := now.AddDate(0, 2, 0)
	enroll(x.formerClass.ID, x.cleo.ID, roster.EnrolledStudent, &later, nil)
	enroll(x.formerClass.ID, x.otherTeacher.ID, roster.EnrolledTeacher, &later, nil)
	return x
}

// testRetired checks that what an import retires grants nothing: a
// retired enrollment no relation, a retired person no sign-in or actor.
func testRetired(t *testing.T, e *env) {
	x := newRelationsDistrict(t, e, "north")
	teacher, err := e.s.Actor(e.ctx, x.d.ID, x.teacher.ID)
	ok(t, err)
	if rel, err := e.s.RelationsTo(e.ctx, teacher, x.alice.ID); err != nil || !rel.Teacher {
		t.Fatalf("before retiring: %+v, %v", rel, err)
	}
	db := raw(t, e)
	now := e.peek().UnixMicro()
	var at any = now
	if e.s.Engine() == store.Postgres {
		at = e.peek()
	}
	if _, err := db.ExecContext(e.ctx, `UPDATE enrollments SET retired_at = $1 WHERE person_id = $2`, at, x.alice.ID); err != nil {
		t.Fatal(err)
	}
	if rel, err := e.s.RelationsTo(e.ctx, teacher, x.alice.ID); err != nil || rel.Teacher {
		t.Errorf("a retired enrollment still relates the teacher: %+v, %v", rel, err)
	}
	if teaches, _, err := e.s.ClassRelation(e.ctx, teacher, x.class.ID); err != nil || !teaches {
		t.Errorf("the teacher's own enrollment is not retired: teaches %v, %v", teaches, err)
	}
	// Nor is she on the class's roster, its heatmap or her list of classes.
	students, err := e.s.ClassStudents(e.ctx, x.d.ID, x.class.ID)
	ok(t, err)
	for _, p := range students {
		if p.ID == x.alice.ID {
			t.Errorf("a retired enrollment still lists %s in the class", p.Name())
		}
	}
	matrix, err := e.s.ClassMastery(e.ctx, x.d.ID, x.class.ID)
	ok(t, err)
	for _, p := range matrix.Students {
		if p.ID == x.alice.ID {
			t.Errorf("a retired enrollment still shows %s on the class's heatmap", p.Name())
		}
	}
	classes, err := e.s.PersonClasses(e.ctx, x.d.ID, x.alice.ID)
	ok(t, err)
	if len(classes) != 0 {
		t.Errorf("a student whose enrollments are all retired is still in %d classes", len(classes))
	}

	username := "retiree"
	ok(t, e.s.SetPassword(e.ctx, x.d.ID, x.teacher.ID, hashOf(t, "correct horse battery")))
	if a, _, err := e.s.AccountByUsername(e.ctx, x.teacher.Username); err == nil {
		username = a.Username
	}
	if _, err := db.ExecContext(e.ctx, `UPDATE people SET retired_at = $1 WHERE id = $2`, at, x.teacher.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.s.AccountByUsername(e.ctx, username); !errors.Is(err, problem.ErrNotFound) {
		t.Errorf("a retired person's account: %v, want not found", err)
	}
	if _, err := e.s.Actor(e.ctx, x.d.ID, x.teacher.ID); !errors.Is(err, problem.ErrNotFound) {
		t.Errorf("a retired person as actor: %v, want not found", err)
	}
}

func testRelations(t *testing.T, e *env) {
	x := newRelationsDistrict(t, e, "north")
	y := newDistrict(t, e, "south")
	actor := func(p roster.Person) access.Actor {
		t.Helper()
		a, err := e.s.Actor(e.ctx, p.DistrictID, p.ID)
		ok(t, err)
		return a
	}
	type R = access.Relations
	tests := []struct {
		name    string
		actor   roster.Person
		student roster.Person
		want    R
	}{
		{"the student themself", x.alice, x.alice, R{Self: true}},
		{"another student", x.alice, x.bob, R{}},
		{"teacher of an active class", x.teacher, x.alice, R{Teacher: true}},
		{"teacher, the student's enrollment ended", x.teacher, x.dan, R{}},
		{"teacher whose own enrollment ended", x.formerTeacher, x.alice, R{}},
		{"teacher of a class that begins in two months", x.otherTeacher, x.cleo, R{}},
		{"teacher at the other school, a student of his class", x.otherTeacher, x.eve, R{Teacher: true}},
		{"teacher, a student not in his classes", x.otherTeacher, x.bob, R{}},
		{"guardian linked to the student", x.guardian, x.bob, R{Guardian: true}},
		{"guardian, not linked", x.guardian, x.alice, R{}},
		{"a guardian who also teaches, his own child", x.teacherParent, x.alice, R{Guardian: true}},
		{"a guardian who also teaches, another child", x.teacherParent, x.eve, R{}},
		{"principal of the student's school", x.principal, x.alice, R{SchoolAdmin: true}},
		{"principal, a student whose enrollment ended but who is at the school", x.principal, x.dan, R{SchoolAdmin: true}},
		{"principal of another school", x.principal, x.eve, R{}},
		{"other school's principal, through a class there", x.otherPrincipal, x.alice, R{SchoolAdmin: true}},
		{"other school's principal, a student only at the first school", x.otherPrincipal, x.bob, R{}},
		{"coach at the student's school", x.coach, x.bob, R{Coach: true}},
		{"coach, a student at another school", x.coach, x.eve, R{}},
		{"district admin", x.admin, x.eve, R{DistrictAdmin: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := e.s.RelationsTo(e.ctx, actor(tc.actor), tc.student.ID)
			ok(t, err)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("RelationsTo(%s, %s) (-want +got):\n%s", tc.actor.Name(), tc.student.Name(), diff)
			}
		})
	}

	// Nothing leaks: every actor against every student, here and in the
	// other district, written out. Each cell is the relations found ("-"
	// for none, 404 for a student reported missing); the policy must allow
	// nothing at all where there is none.
	actors := []roster.Person{x.teacher, x.guardian, x.alice, x.otherTeacher, x.formerTeacher, x.principal,
		x.otherPrincipal, x.coach, x.admin, x.teacherParent, y.teacher, y.alice}
	students := []roster.Person{x.alice, x.bob, x.cleo, x.dan, x.eve, y.alice, y.bob}
	var grid strings.Builder
	fmt.Fprintf(&grid, "%-12s", "")
	for _, st := range students {
		fmt.Fprintf(&grid, " %-14s", st.GivenName+map[bool]string{true: "", false: "*"}[st.DistrictID == x.d.ID])
	}
	grid.WriteString("\n")
	for _, p := range actors {
		a := actor(p)
		fmt.Fprintf(&grid, "%-12s", p.GivenName+map[bool]string{true: "", false: "*"}[p.DistrictID == x.d.ID])
		for _, st := range students {
			rel, err := e.s.RelationsTo(e.ctx, a, st.ID)
			cell := relationsText(rel)
			if errors.Is(err, problem.ErrNotFound) {
				cell = "404"
			} else {
				ok(t, err)
			}
			fmt.Fprintf(&grid, " %-14s", cell)
			if cell != "-" {
				continue
			}
			for _, what := range access.Whats {
				for _, action := range access.Actions {
					if r, err := access.Decide(a, action, what, rel); err == nil {
						t.Errorf("%s may %s %s's %s on %q without a relation", p.Name(), action, st.Name(), what, r)
					}
				}
			}
		}
		grid.WriteString("\n")
	}
	const wantGrid = `
             Alice          Bob            Cleo           Dan            Eve            Alice*         Bob*
Tess         teacher        teacher        teacher        -              -              404            404
Gus          -              guardian       -              -              -              404            404
Alice        self           -              -              -              -              404            404
Otto         teacher        -              -              -              teacher        404            404
Fay          -              -              -              -              -              404            404
Pat          school_admin   school_admin   school_admin   school_admin   -              404            404
Oli          school_admin   -              -              -              school_admin   404            404
Cam          coach          coach          coach          coach          -              404            404
Dee          district_admin district_admin district_admin district_admin district_admin 404            404
Gil          guardian       -              -              -              -              404            404
Tess*        404            404            404            404            404            teacher        teacher
Alice*       404            404            404            404            404            self           -
`
	if diff := cmp.Diff(strings.Split(strings.TrimPrefix(wantGrid, "\n"), "\n"), strings.Split(trimRight(grid.String()), "\n")); diff != "" {
		t.Errorf("relations of every actor to every student (-want +got; * = the other district):\n%s", diff)
	}

	// Another district's student, a person who is not a student and an id
	// that does not exist are all not found, for everyone.
	for _, p := range []roster.Person{x.admin, x.teacher, x.alice} {
		for _, id := range []int64{y.alice.ID, x.teacher.ID, 999999} {
			_, err := e.s.RelationsTo(e.ctx, actor(p), id)
			wantKind(t, err, problem.ErrNotFound, fmt.Sprint(id))
		}
	}
	// An actor whose roles were taken away loses the relation the facts
	// alone would give.
	a := actor(x.teacher)
	a.Roles = nil
	if got, err := e.s.RelationsTo(e.ctx, a, x.alice.ID); err != nil || got != (R{}) {
		t.Errorf("a teacher without the teacher role: %+v, %v", got, err)
	}
}

// relationsText names the relations that hold, "-" for none.
func relationsText(r access.Relations) string {
	var names []string
	for _, n := range []struct {
		on   bool
		name access.Relation
	}{{r.Self, access.Self}, {r.Guardian, access.GuardianOf}, {r.Teacher, access.TeacherOf},
		{r.SchoolAdmin, access.SchoolStaff}, {r.Coach, access.CoachAt}, {r.DistrictAdmin, access.DistrictAdmin}} {
		if n.on {
			names = append(names, string(n.name))
		}
	}
	if len(names) == 0 {
		return "-"
	}
	return strings.Join(names, "+")
}

// trimRight removes the spaces at the ends of lines.
func trimRight(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

func testClassRelation(t *testing.T, e *env) {
	x := newRelationsDistrict(t, e, "north")
	y := newDistrict(t, e, "south")
	actor := func(p roster.Person) access.Actor {
		a, err := e.s.Actor(e.ctx, p.DistrictID, p.ID)
		ok(t, err)
		return a
	}
	tests := []struct {
		name    string
		actor   roster.Person
		class   roster.Class
		teaches bool
		school  int64
	}{
		{"teacher of the class", x.teacher, x.class, true, x.school.ID},
		{"teacher whose enrollment ended", x.formerTeacher, x.class, false, x.school.ID},
		{"teacher of another class", x.otherTeacher, x.class, false, x.school.ID},
		{"teacher of a class at the other school", x.otherTeacher, x.otherSchoolsClass, true, x.other.ID},
		{"teacher of a class beginning in two months", x.otherTeacher, x.formerClass, false, x.school.ID},
		{"a principal does not teach", x.principal, x.class, false, x.school.ID},
	}
	for _, tc := range tests {
		teaches, school, err := e.s.ClassRelation(e.ctx, actor(tc.actor), tc.class.ID)
		ok(t, err)
		if teaches != tc.teaches || school != tc.school {
			t.Errorf("%s: ClassRelation = %v, school %d; want %v, %d", tc.name, teaches, school, tc.teaches, tc.school)
		}
	}
	_, _, err := e.s.ClassRelation(e.ctx, actor(x.admin), y.class.ID)
	wantKind(t, err, problem.ErrNotFound, "class")
}

// testClassRoster is the access matrix through classes: every actor
// against every class, with students whose enrollment in a class ended,
// and one whose enrollment has not begun. A class lists its students of
// today only, and each only when access.Decide, on the relations the
// store finds for a student opened directly, allows it.
func testClassRoster(t *testing.T, e *env) {
	x := newRelationsDistrict(t, e, "north")
	ctx, s := e.ctx, e.s
	// Finn joins the teacher's class in two months.
	finn := addPerson(t, e, x.district, roster.Person{GivenName: "Finn", FamilyName: "Berg", Roles: []roster.Role{roster.RoleStudent}})
	later := e.peek().AddDate(0, 2, 0)
	ok(t, s.CreateEnrollment(ctx, &roster.Enrollment{DistrictID: x.d.ID, ClassID: x.class.ID, PersonID: finn.ID, Role: roster.EnrolledStudent, BeginDate: &later}))
	// Dan has evidence from when he was in the class.
	ok(t, s.RecordEvidence(ctx, &evidence.Evidence{DistrictID: x.d.ID, StudentID: x.dan.ID, ClassID: &x.class.ID, Kind: evidence.Formative,
		Title: "Quiz", AssessedAt: e.peek().AddDate(0, 0, -20), RecordedBy: x.formerTeacher.ID, Scores: []evidence.Score{level(x.s1, 2)}}))
	ok(t, s.RecordEvidence(ctx, &evidence.Evidence{DistrictID: x.d.ID, StudentID: x.alice.ID, ClassID: &x.class.ID, Kind: evidence.Formative,
		Title: "Quiz", AssessedAt: e.peek().AddDate(0, 0, -2), RecordedBy: x.teacher.ID, Scores: []evidence.Score{level(x.s1, 3)}}))

	actors := []roster.Person{x.teacher, x.formerTeacher, x.otherTeacher, x.principal, x.otherPrincipal, x.coach, x.admin, x.teacherParent, x.alice}
	classes := []roster.Class{x.class, x.formerClass, x.otherSchoolsClass}
	var grid strings.Builder
	for _, p := range actors {
		a, err := s.Actor(ctx, p.DistrictID, p.ID)
		ok(t, err)
		fmt.Fprintf(&grid, "%-6s", p.GivenName)
		for _, c := range classes {
			teaches, school, err := s.ClassRelation(ctx, a, c.ID)
			ok(t, err)
			cell := "-"
			switch err := access.Allow(a, access.View, access.Class, access.Scope{SchoolID: school, ClassTaught: teaches}); {
			case errors.Is(err, problem.ErrForbidden):
				cell = "403"
			case err != nil:
				cell = "404"
			default:
				roster, err := s.ClassRoster(ctx, a, c.ID)
				ok(t, err)
				var names []string
				for _, st := range roster {
					direct, err := s.RelationsTo(ctx, a, st.ID)
					ok(t, err)
					if direct != st.Relations {
						t.Errorf("%s, %s in %s: the class finds %+v, the student directly %+v", p.Name(), st.Name(), c.Title, st.Relations, direct)
					}
					if _, err := access.Decide(a, access.View, access.Mastery, st.Relations); err == nil {
						names = append(names, st.GivenName)
					}
				}
				if len(names) > 0 {
					cell = strings.Join(names, ",")
				}
			}
			fmt.Fprintf(&grid, " %-16s", cell)
		}
		grid.WriteString("\n")
	}
	const wantGrid = `
Tess   Bob,Cleo,Alice   404              404
Fay    404              404              404
Otto   404              404              Eve,Alice
Pat    Bob,Cleo,Alice   -                404
Oli    404              404              Eve,Alice
Cam    Bob,Cleo,Alice   -                404
Dee    Bob,Cleo,Alice   -                Eve,Alice
Gil    404              404              404
Alice  403              403              403
`
	if diff := cmp.Diff(strings.Split(strings.TrimPrefix(wantGrid, "\n"), "\n"), strings.Split(trimRight(grid.String()), "\n")); diff != "" {
		t.Errorf("the students each actor sees through each class (-want +got):\n%s", diff)
	}

	// The class's own reads list its students of today: not Dan, whose
	// enrollment ended, nor Finn, whose enrollment has not begun.
	var got []string
	students, err := s.ClassStudents(ctx, x.d.ID, x.class.ID)
	ok(t, err)
	for _, p := range students {
		got = append(got, p.GivenName)
	}
	m, err := s.ClassMastery(ctx, x.d.ID, x.class.ID)
	ok(t, err)
	for _, p := range m.Students {
		got = append(got, p.GivenName)
	}
	states, err := s.StandardMastery(ctx, x.d.ID, x.class.ID, x.s1.ID)
	ok(t, err)
	for _, st := range states {
		got = append(got, fmt.Sprint(st.StudentID))
	}
	want := []string{"Bob", "Cleo", "Alice", "Bob", "Cleo", "Alice", fmt.Sprint(x.alice.ID)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ClassStudents, ClassMastery and StandardMastery (-want +got):\n%s", diff)
	}
	teachers, err := s.ClassTeachers(ctx, x.d.ID, x.class.ID)
	ok(t, err)
	if len(teachers) != 1 || teachers[0].ID != x.teacher.ID {
		t.Errorf("ClassTeachers lists %+v, want only the teacher whose enrollment runs", teachers)
	}

	// RelationsToEach answers as RelationsTo for each, and leaves out
	// who is not a student of the district.
	a, err := s.Actor(ctx, x.d.ID, x.principal.ID)
	ok(t, err)
	each, err := s.RelationsToEach(ctx, a, []int64{x.alice.ID, x.dan.ID, x.eve.ID, x.teacher.ID, 999999})
	ok(t, err)
	wantEach := map[int64]access.Relations{x.alice.ID: {SchoolAdmin: true}, x.dan.ID: {SchoolAdmin: true}, x.eve.ID: {}}
	if diff := cmp.Diff(wantEach, each); diff != "" {
		t.Errorf("RelationsToEach (-want +got):\n%s", diff)
	}
	_, err = s.ClassRoster(ctx, a, 999999)
	wantKind(t, err, problem.ErrNotFound, "class 999999")
}

// testEvidenceClass: the class evidence names must be one the student was
// enrolled in on the day assessed, and the refusal reads the same for a
// class that does not exist, one of another school and one the student
// was never in.
func testEvidenceClass(t *testing.T, e *env) {
	x := newRelationsDistrict(t, e, "north")
	y := newDistrict(t, e, "south")
	ctx, s := e.ctx, e.s
	now := e.peek()
	ev := func(student roster.Person, class int64, at time.Time) evidence.Evidence {
		return evidence.Evidence{DistrictID: x.d.ID, StudentID: student.ID, ClassID: &class, Kind: evidence.Formative,
			Title: "Quiz", AssessedAt: at, RecordedBy: x.teacher.ID, Scores: []evidence.Score{level(x.s1, 3)}}
	}
	day := func(t time.Time) string { return t.UTC().Format("2006-01-02") }
	ended := now.AddDate(0, 0, -10)
	tests := []struct {
		name string
		ev   evidence.Evidence
		ok   bool
	}{
		{"a class the student is in", ev(x.alice, x.class.ID, now.Add(-time.Hour)), true},
		{"a class the student was in, on a day in it", ev(x.dan, x.class.ID, now.AddDate(0, 0, -20)), true},
		{"on the last day of the enrollment", ev(x.dan, x.class.ID, ended.Add(12*time.Hour)), true},
		{"a class the student has left", ev(x.dan, x.class.ID, now.Add(-time.Hour)), false},
		{"before the enrollment began", ev(x.dan, x.class.ID, now.AddDate(0, -7, 0)), false},
		{"a class that has not begun for the student", ev(x.cleo, x.formerClass.ID, now.Add(-time.Hour)), false},
		{"another school's class the student was never in", ev(x.bob, x.otherSchoolsClass.ID, now.Add(-time.Hour)), false},
		{"another district's class", ev(x.bob, y.class.ID, now.Add(-time.Hour)), false},
		{"a class that does not exist", ev(x.bob, 999999, now.Add(-time.Hour)), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			one := tc.ev
			err := s.RecordEvidence(ctx, &one)
			batch := []evidence.Evidence{ev(x.alice, x.class.ID, now.Add(-time.Hour)), tc.ev}
			berr := s.RecordEvidenceBatch(ctx, batch)
			if tc.ok {
				ok(t, err)
				ok(t, berr)
				return
			}
			want := fmt.Sprintf("student %d was not enrolled in class %d on %s", tc.ev.StudentID, *tc.ev.ClassID, day(tc.ev.AssessedAt))
			wantInvalid(t, err, -1, "classId", want)
			wantInvalid(t, berr, 1, "classId", want)
			var ie *problem.InvalidError
			if errors.As(err, &ie) && (len(ie.Fields) != 1 || ie.Fields[0].Reason != want) {
				t.Errorf("RecordEvidence refused with %+v, want only %q", ie.Fields, want)
			}
		})
	}
}

func testAudit(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	x := newRelationsDistrict(t, e, "north")
	y := newDistrict(t, e, "south")
	id := x.d.ID

	// Bad entries are refused, naming the field and the record.
	err := s.AppendAudits(ctx, []store.AuditEntry{
		{DistrictID: id, ActorID: x.teacher.ID, StudentID: x.alice.ID, Action: access.View, What: access.Mastery, Relation: access.TeacherOf, Allowed: true},
		{DistrictID: id, ActorID: x.teacher.ID, StudentID: x.alice.ID, Action: "peek", What: access.Mastery, Allowed: true},
	})
	wantInvalid(t, err, 1, "action", "peek")
	wantInvalid(t, err, 1, "relation", "allowed")
	wantInvalid(t, s.AppendAudit(ctx, store.AuditEntry{DistrictID: id, StudentID: x.alice.ID, Action: access.View}), -1, "actorId", "required")
	wantInvalid(t, s.AppendAudit(ctx, store.AuditEntry{DistrictID: id, ActorID: x.teacher.ID, Action: access.View}), -1, "what", "required")
	err = s.AppendAudit(ctx, store.AuditEntry{DistrictID: id, ActorID: y.teacher.ID, StudentID: x.alice.ID, Action: access.View, What: access.Mastery})
	wantInvalid(t, err, -1, "actorId", "not a person of district")
	err = s.AppendAudits(ctx, []store.AuditEntry{
		{DistrictID: id, ActorID: x.teacher.ID, Action: access.View, What: access.Mastery},
		{DistrictID: y.d.ID, ActorID: y.teacher.ID, Action: access.View, What: access.Mastery},
	})
	wantInvalid(t, err, 1, "districtId", "every entry")

	view := func(actor roster.Person, rel access.Relation, what access.What, student roster.Person) store.AuditEntry {
		return store.AuditEntry{DistrictID: id, ActorID: actor.ID, StudentID: student.ID, Action: access.View, What: what,
			Relation: rel, Allowed: rel != "", Route: "GET /students/{id}", RequestID: "req-" + actor.GivenName}
	}
	ok(t, s.AppendAudit(ctx, view(x.teacher, access.TeacherOf, access.Mastery, x.alice)))
	first := e.peek().UTC().Truncate(time.Microsecond)
	e.advance(time.Hour)
	ok(t, s.AppendAudits(ctx, []store.AuditEntry{
		view(x.teacherParent, access.GuardianOf, access.Evidence, x.alice),
		view(x.teacher, access.TeacherOf, access.Mastery, x.bob),
		view(x.coach, "", access.Demographics, x.alice), // refused
		{DistrictID: id, ActorID: x.teacher.ID, StudentID: x.alice.ID, Action: access.Change, What: access.Evidence,
			Relation: access.TeacherOf, Allowed: true, Detail: "evidence 17"},
	}))
	e.advance(time.Hour)
	ok(t, s.AppendAudit(ctx, view(x.alice, access.Self, access.Audit, x.alice)))
	last := e.peek().UTC().Truncate(time.Microsecond)
	// Another district's log is its own.
	ok(t, s.AppendAudit(ctx, store.AuditEntry{DistrictID: y.d.ID, ActorID: y.teacher.ID, StudentID: y.alice.ID,
		Action: access.View, What: access.Mastery, Relation: access.TeacherOf, Allowed: true}))

	// Who viewed Alice's record: allowed entries, newest first, with names.
	type line struct {
		Who, Roles, Action, What, Relation string
	}
	lines := func(es []store.AuditEntry) []line {
		var out []line
		for _, e := range es {
			var roles []string
			for _, r := range e.ActorRoles {
				roles = append(roles, string(r))
			}
			out = append(out, line{e.ActorName, strings.Join(roles, "+"), string(e.Action), string(e.What), string(e.Relation)})
		}
		return out
	}
	got, next, err := s.StudentAudit(ctx, id, x.alice.ID, store.Page{})
	ok(t, err)
	want := []line{
		{"Alice Zane", "student", "view", "audit", "self"},
		{"Tess Ng", "teacher", "change", "evidence", "teacher"},
		{"Gil Zane", "teacher+guardian", "view", "evidence", "guardian"},
		{"Tess Ng", "teacher", "view", "mastery", "teacher"},
	}
	if diff := cmp.Diff(want, lines(got)); diff != "" || next != 0 {
		t.Errorf("StudentAudit (-want +got), next %d:\n%s", next, diff)
	}
	if len(got) == 4 {
		if !got[3].At.Equal(first) || !got[0].At.Equal(last) || got[3].Route != "GET /students/{id}" || got[3].RequestID != "req-Tess" ||
			got[1].Detail != "evidence 17" || got[0].DistrictID != id || got[0].StudentID != x.alice.ID {
			t.Errorf("entries not read back as written: %+v ... %+v", got[0], got[3])
		}
	}
	// Paging goes on to older entries.
	page1, next, err := s.StudentAudit(ctx, id, x.alice.ID, store.Page{Limit: 3})
	ok(t, err)
	page2, next2, err := s.StudentAudit(ctx, id, x.alice.ID, store.Page{Limit: 3, After: next})
	ok(t, err)
	if diff := cmp.Diff(lines(got), lines(append(page1, page2...))); diff != "" || next == 0 || next2 != 0 {
		t.Errorf("two pages (-one +two), next %d, %d:\n%s", next, next2, diff)
	}
	// A student of another district has no entries here.
	got, _, err = s.StudentAudit(ctx, id, y.alice.ID, store.Page{})
	ok(t, err)
	if len(got) != 0 {
		t.Errorf("district %d shows %d entries about another district's student", id, len(got))
	}

	refused := false
	tests := []struct {
		name string
		f    store.AuditFilter
		want int
	}{
		{"everything", store.AuditFilter{}, 6},
		{"by actor", store.AuditFilter{ActorID: x.teacher.ID}, 3},
		{"by student", store.AuditFilter{StudentID: x.bob.ID}, 1},
		{"refused only", store.AuditFilter{Allowed: &refused}, 1},
		{"from the second hour", store.AuditFilter{From: first.Add(time.Minute)}, 5},
		{"before the second hour", store.AuditFilter{To: first.Add(time.Minute)}, 1},
		{"a window", store.AuditFilter{From: first.Add(time.Minute), To: last}, 4},
		{"actor and student", store.AuditFilter{ActorID: x.teacher.ID, StudentID: x.alice.ID}, 2},
	}
	for _, tc := range tests {
		got, _, err := s.SearchAudit(ctx, id, tc.f)
		ok(t, err)
		if len(got) != tc.want {
			t.Errorf("SearchAudit %s: %d entries, want %d: %+v", tc.name, len(got), tc.want, lines(got))
		}
	}
	got, _, err = s.SearchAudit(ctx, id, store.AuditFilter{Allowed: &refused})
	ok(t, err)
	if len(got) == 1 && (got[0].Allowed || got[0].Relation != "" || got[0].ActorName != "Cam Diaz" || got[0].What != access.Demographics) {
		t.Errorf("the refused entry: %+v", got[0])
	}
	_, _, err = s.SearchAudit(ctx, id, store.AuditFilter{From: last, To: first})
	wantInvalid(t, err, -1, "to", "after")
}

// testStudentViewers lists who read or changed a student's record in a
// period: every person, however many entries another has, each request
// counted once, and nothing from before the period, refused or about
// another student.
func testStudentViewers(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	x := newRelationsDistrict(t, e, "north")
	y := newDistrict(t, e, "south")
	id := x.d.ID
	seq := 0
	look := func(actor roster.Person, rel access.Relation, student roster.Person, request string, whats ...access.What) {
		t.Helper()
		var es []store.AuditEntry
		for _, w := range whats {
			es = append(es, store.AuditEntry{DistrictID: id, ActorID: actor.ID, StudentID: student.ID, Action: access.View, What: w,
				Relation: rel, Allowed: rel != "", Route: "GET /test", RequestID: request})
		}
		ok(t, s.AppendAudits(ctx, es))
	}
	next := func() string {
		seq++
		return fmt.Sprintf("req-%d", seq)
	}
	// Before the period: the coach looked, and is not listed.
	look(x.coach, access.CoachAt, x.alice, next(), access.Mastery)
	e.advance(40 * 24 * time.Hour)
	since := e.peek().Add(-30 * 24 * time.Hour)

	// Gil opened his child's page once: four parts of the record in one
	// request. Later he read it as a teacher too.
	look(x.teacherParent, access.GuardianOf, x.alice, next(), access.Profile, access.Mastery, access.Evidence, access.Audit)
	e.advance(time.Hour)
	// The principal looked twice; Alice looked at her own record twice,
	// outside any request.
	look(x.principal, access.SchoolStaff, x.alice, next(), access.Profile)
	look(x.principal, access.SchoolStaff, x.alice, next(), access.Profile)
	look(x.alice, access.Self, x.alice, "", access.Audit)
	look(x.alice, access.Self, x.alice, "", access.Audit)
	e.advance(time.Hour)
	look(x.teacherParent, access.TeacherOf, x.alice, next(), access.Mastery)
	// The coach was refused, which shows nothing; another district's
	// student and Bob are someone else's list.
	look(x.coach, "", x.alice, next(), access.Demographics)
	ok(t, s.AppendAudit(ctx, store.AuditEntry{DistrictID: y.d.ID, ActorID: y.teacher.ID, StudentID: y.alice.ID,
		Action: access.View, What: access.Mastery, Relation: access.TeacherOf, Allowed: true}))
	look(x.guardian, access.GuardianOf, x.bob, next(), access.Profile)
	e.advance(time.Hour)
	// Then the teacher opens the class heatmap 600 times, each time one
	// entry per student, and records evidence once.
	var heat []store.AuditEntry
	for range 600 {
		r := next()
		for _, st := range []roster.Person{x.alice, x.bob, x.cleo} {
			heat = append(heat, store.AuditEntry{DistrictID: id, ActorID: x.teacher.ID, StudentID: st.ID, Action: access.View,
				What: access.Mastery, Relation: access.TeacherOf, Allowed: true, Route: "GET /classes/{id}", RequestID: r})
		}
	}
	ok(t, s.AppendAudits(ctx, heat))
	ok(t, s.AppendAudit(ctx, store.AuditEntry{DistrictID: id, ActorID: x.teacher.ID, StudentID: x.alice.ID, Action: access.Change,
		What: access.Evidence, Relation: access.TeacherOf, Allowed: true, RequestID: next()}))
	last := e.peek().UTC().Truncate(time.Microsecond)

	got, err := s.StudentViewers(ctx, id, x.alice.ID, since)
	ok(t, err)
	type line struct {
		Who       string
		Relations string
		Times     int
	}
	var lines []line
	for _, v := range got {
		var rels []string
		for _, r := range v.Relations {
			rels = append(rels, string(r))
		}
		lines = append(lines, line{v.Name, strings.Join(rels, "+"), v.Times})
	}
	want := []line{
		{"Tess Ng", "teacher", 601},
		{"Gil Zane", "teacher+guardian", 2},
		{"Alice Zane", "self", 2},
		{"Pat Reyes", "school_admin", 2},
	}
	if diff := cmp.Diff(want, lines); diff != "" {
		t.Errorf("StudentViewers (-want +got):\n%s", diff)
	}
	if len(got) > 0 && (!got[0].Last.Equal(last) || got[0].PersonID != x.teacher.ID || !slices.Equal(got[0].Roles, []roster.Role{roster.RoleTeacher})) {
		t.Errorf("the teacher's line = %+v, want last %s", got[0], last)
	}
	// From a later moment the earlier looks fall out of the period.
	got, err = s.StudentViewers(ctx, id, x.alice.ID, last)
	ok(t, err)
	if len(got) != 1 || got[0].Name != "Tess Ng" || got[0].Times != 1 {
		t.Errorf("StudentViewers since the last look = %+v, want the teacher's one change", got)
	}
	got, err = s.StudentViewers(ctx, y.d.ID, x.alice.ID, since)
	ok(t, err)
	if len(got) != 0 {
		t.Errorf("another district lists %+v for the student", got)
	}

	// The query is answered from the index on (district, student, time).
	db := raw(t, e)
	args := []any{id, x.alice.ID, since.UTC().UnixMicro(), true}
	var plan []string
	if e.s.Engine() == store.Postgres {
		conn, err := db.Conn(ctx)
		ok(t, err)
		defer conn.Close()
		_, err = conn.ExecContext(ctx, `ANALYZE`)
		ok(t, err)
		// A small table is read whole whatever its indexes; the plan
		// for a district's log is the one without that shortcut.
		_, err = conn.ExecContext(ctx, `SET enable_seqscan = off`)
		ok(t, err)
		args[2] = since
		rows, err := conn.QueryContext(ctx, `EXPLAIN `+store.StudentViewersQuery, args...)
		ok(t, err)
		for rows.Next() {
			var l string
			ok(t, rows.Scan(&l))
			plan = append(plan, l)
		}
		ok(t, rows.Err())
	} else {
		rows, err := db.QueryContext(ctx, `EXPLAIN QUERY PLAN `+store.StudentViewersQuery, args...)
		ok(t, err)
		for rows.Next() {
			var id, parent, notused int
			var detail string
			ok(t, rows.Scan(&id, &parent, &notused, &detail))
			plan = append(plan, detail)
		}
		ok(t, rows.Err())
	}
	if p := strings.Join(plan, "\n"); !strings.Contains(p, "audit_log_student_at") {
		t.Errorf("StudentViewers is not answered from audit_log_student_at:\n%s", p)
	} else {
		t.Logf("plan:\n%s", p)
	}
}

func testAuditAppendOnly(t *testing.T, e *env) {
	x := newDistrict(t, e, "north")
	ok(t, e.s.AppendAudit(e.ctx, store.AuditEntry{DistrictID: x.d.ID, ActorID: x.teacher.ID, StudentID: x.alice.ID,
		Action: access.View, What: access.Mastery, Relation: access.TeacherOf, Allowed: true}))
	db := raw(t, e)
	qs := []string{
		`UPDATE audit_log SET actor_id = actor_id`,
		`UPDATE audit_log SET allowed = ` + map[bool]string{true: "FALSE", false: "0"}[e.s.Engine() == store.Postgres],
		`DELETE FROM audit_log`,
	}
	if e.s.Engine() == store.Postgres {
		qs = append(qs, `TRUNCATE audit_log`)
	}
	for _, q := range qs {
		if _, err := db.ExecContext(e.ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: got %v, want refused as append-only", q, err)
		}
	}
	got, _, err := e.s.SearchAudit(e.ctx, x.d.ID, store.AuditFilter{})
	ok(t, err)
	if len(got) != 1 || !got[0].Allowed {
		t.Errorf("after the refused statements the log holds %+v", got)
	}
}

// BenchmarkSignIn is a whole password sign-in with the default cost, on
// SQLite: find the account, check the password, record the success and
// open a session. It must stay well under 300 ms.
func BenchmarkSignIn(b *testing.B) {
	ctx := context.Background()
	s, err := store.Open(ctx, store.Config{URL: filepath.Join(b.TempDir(), "cairn.db")})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	d := roster.District{Name: "Bench"}
	if err := s.CreateDistrict(ctx, &d); err != nil {
		b.Fatal(err)
	}
	p := roster.Person{DistrictID: d.ID, GivenName: "Tess", FamilyName: "Ng", Username: "tess.ng", Roles: []roster.Role{roster.RoleTeacher}}
	if err := s.CreatePerson(ctx, &p); err != nil {
		b.Fatal(err)
	}
	h, err := access.HashPassword("correct horse battery staple", access.DefaultParams)
	if err != nil {
		b.Fatal(err)
	}
	if err := s.SetPassword(ctx, d.ID, p.ID, h); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		acc, hash, err := s.AccountByUsername(ctx, "Tess.Ng")
		if err != nil {
			b.Fatal(err)
		}
		res, err := access.CheckSignIn(access.SignInAccount{Found: true, Hash: hash, Disabled: acc.Disabled, LockedUntil: acc.LockedUntil},
			"correct horse battery staple", time.Now())
		if err != nil || !res.OK {
			b.Fatal(res, err)
		}
		if err := s.RecordSignInSuccess(ctx, acc.PersonID); err != nil {
			b.Fatal(err)
		}
		_, tokenHash := access.NewSecret()
		now := time.Now()
		if err := s.CreateSession(ctx, store.Session{TokenHash: tokenHash, PersonID: acc.PersonID, DistrictID: acc.DistrictID,
			CSRFSecret: access.NewCSRFSecret(), ExpiresAt: access.DefaultSessions.Expiry(now, now), Method: store.ProviderPassword}); err != nil {
			b.Fatal(err)
		}
	}
}
