package main

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/store"
	"github.com/cairn-learning/cairn/internal/storetest"
)

// userDB makes a database with one district and three people: a teacher
// with a roster username, a student without one and a guardian.
func userDB(t *testing.T) (db string, d roster.District, teacher, student, guardian roster.Person) {
	t.Helper()
	ctx := context.Background()
	db = storetest.SQLite(t)
	st, err := store.Open(ctx, store.Config{URL: db})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	d = roster.District{Name: "Riverside Unified"}
	if err := st.CreateDistrict(ctx, &d); err != nil {
		t.Fatal(err)
	}
	add := func(p roster.Person) roster.Person {
		t.Helper()
		p.DistrictID = d.ID
		if err := st.CreatePerson(ctx, &p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	teacher = add(roster.Person{GivenName: "Tess", FamilyName: "Ng", Username: "Tess.Ng", Roles: []roster.Role{roster.RoleTeacher}})
	student = add(roster.Person{GivenName: "Ana", FamilyName: "Ruiz", SourcedID: "stu-1", Roles: []roster.Role{roster.RoleStudent}})
	guardian = add(roster.Person{GivenName: "Gus", FamilyName: "Ruiz", Username: "gus.ruiz", Roles: []roster.Role{roster.RoleGuardian}})
	return db, d, teacher, student, guardian
}

// runUserCmd runs 'cairn user ...' with input on standard input.
func runUserCmd(t *testing.T, input string, args ...string) (string, error) {
	t.Helper()
	old := stdin
	stdin = strings.NewReader(input)
	defer func() { stdin = old }()
	var out, errOut bytes.Buffer
	err := run(context.Background(), append([]string{"user"}, args...), noEnv, &out, &errOut)
	return out.String() + errOut.String(), err
}

// checkPassword checks that username signs in with password.
func checkPassword(t *testing.T, db, username, password string) store.Account {
	t.Helper()
	st, err := store.Open(context.Background(), store.Config{URL: db})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	acc, hash, err := st.AccountByUsername(context.Background(), username)
	if err != nil {
		t.Fatalf("account %s: %v", username, err)
	}
	if ok, rehash, err := access.CheckPassword(password, hash); !ok || rehash || err != nil {
		t.Errorf("%s does not sign in with %q: %v %v %v", username, password, ok, rehash, err)
	}
	return acc
}

func TestUserCreate(t *testing.T) {
	db, d, teacher, student, guardian := userDB(t)

	// A password from standard input; the person found by username, in
	// any case.
	out, err := runUserCmd(t, "a long enough password\r\n", "create", "--db", db, "--username", "TESS.NG", "--password-stdin")
	if err != nil {
		t.Fatalf("create: %v\n%s", err, out)
	}
	if !strings.Contains(out, "created the account tess.ng for Tess Ng") || strings.Contains(out, "password:") {
		t.Errorf("create printed:\n%s", out)
	}
	if acc := checkPassword(t, db, "tess.ng", "a long enough password"); acc.PersonID != teacher.ID || acc.DistrictID != d.ID {
		t.Errorf("account %+v is not the teacher's", acc)
	}

	// A made-up password, printed once; the student found by sourcedId is
	// given the username.
	out, err = runUserCmd(t, "", "create", "--db", db, "--username", "ana.ruiz", "--sourced-id", "stu-1")
	if err != nil {
		t.Fatalf("create: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`(?m)^password: (\S+)$`).FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, "only time") {
		t.Fatalf("no password printed:\n%s", out)
	}
	if acc := checkPassword(t, db, "ana.ruiz", m[1]); acc.PersonID != student.ID {
		t.Errorf("account %+v is not the student's", acc)
	}

	// By person id.
	out, err = runUserCmd(t, "the guardian's password\n", "create", "--db", db, "--username", "gus.ruiz", "--person-id", itoa(guardian.ID), "--password-stdin")
	if err != nil {
		t.Fatalf("create by id: %v\n%s", err, out)
	}
	checkPassword(t, db, "gus.ruiz", "the guardian's password")

	tests := []struct {
		name  string
		input string
		args  []string
		kind  error
		says  string
	}{
		{"again", "", []string{"--username", "tess.ng"}, nil, "already has an account"},
		{"no username", "", nil, errUsage, "--username is required"},
		{"both ids", "", []string{"--username", "x", "--person-id", "1", "--sourced-id", "s"}, errUsage, "not both"},
		{"unknown username", "", []string{"--username", "nobody"}, problem.ErrNotFound, "nobody"},
		{"unknown person", "", []string{"--username", "nobody", "--person-id", "999"}, problem.ErrNotFound, "person 999"},
		{"another username than the roster's", "", []string{"--username", "tess", "--person-id", itoa(teacher.ID)}, nil, `"Tess.Ng", not "tess"`},
		{"short password", "short\n", []string{"--username", "x", "--password-stdin"}, problem.ErrInvalid, "at least 10"},
		{"empty standard input", "", []string{"--username", "x", "--password-stdin"}, problem.ErrInvalid, "password"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := runUserCmd(t, tc.input, append([]string{"create", "--db", db}, tc.args...)...)
			if err == nil || (tc.kind != nil && !errors.Is(err, tc.kind)) || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("got %v (%s), want an error saying %q", err, out, tc.says)
			}
		})
	}
}

func TestUserResetLink(t *testing.T) {
	db, _, teacher, _, guardian := userDB(t)
	if out, err := runUserCmd(t, "", "create", "--db", db, "--username", "tess.ng"); err != nil {
		t.Fatalf("create: %v\n%s", err, out)
	}
	out, err := runUserCmd(t, "", "reset-link", "--db", db, "--username", "Tess.Ng", "--base-url", "https://cairn.example.org/", "--valid", "24h")
	if err != nil {
		t.Fatalf("reset-link: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`https://cairn\.example\.org/reset/([A-Za-z0-9_-]{43})\n`).FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, "tess.ng (Tess Ng") {
		t.Fatalf("reset-link printed:\n%s", out)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{URL: db})
	if err != nil {
		t.Fatal(err)
	}
	l, err := st.ResetLink(ctx, access.HashSecret(m[1]))
	st.Close()
	if err != nil {
		t.Fatalf("the printed link is not stored: %v", err)
	}
	if l.PersonID != teacher.ID || l.ExpiresAt.Before(time.Now().Add(23*time.Hour)) || l.ExpiresAt.After(time.Now().Add(24*time.Hour)) {
		t.Errorf("link %+v: want the teacher's, for 24 hours", l)
	}

	// A person without an account yet gets a link too; using it will
	// create the account. The default base URL is the local server's.
	out, err = runUserCmd(t, "", "reset-link", "--db", db, "--username", "gus.ruiz")
	if err != nil || !strings.Contains(out, "http://127.0.0.1:8080/reset/") || !strings.Contains(out, itoa(guardian.ID)) {
		t.Errorf("reset-link without an account: %v\n%s", err, out)
	}

	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"--username", "tess.ng", "--valid", "0s"}, "--valid"},
		{[]string{"--username", "tess.ng", "--valid", "800h"}, "at most 720h"},
		{[]string{"--username", "tess.ng", "--base-url", "cairn.example.org"}, "--base-url"},
		{[]string{"--username", "tess.ng", "--base-url", "ftp://cairn.example.org"}, "--base-url"},
		{[]string{}, "--username is required"},
	} {
		out, err := runUserCmd(t, "", append([]string{"reset-link", "--db", db}, tc.args...)...)
		if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("reset-link %v: %v (%s), want a usage error about %s", tc.args, err, out, tc.says)
		}
	}
	_, err = runUserCmd(t, "", "reset-link", "--db", db, "--username", "nobody")
	if !errors.Is(err, problem.ErrNotFound) {
		t.Errorf("reset-link for nobody: %v", err)
	}
}

func TestUserList(t *testing.T) {
	db, _, _, _, _ := userDB(t)
	for _, u := range []string{"tess.ng", "gus.ruiz"} {
		if out, err := runUserCmd(t, "", "create", "--db", db, "--username", u); err != nil {
			t.Fatalf("create %s: %v\n%s", u, err, out)
		}
	}
	out, err := runUserCmd(t, "", "list", "--db", db)
	if err != nil {
		t.Fatalf("list: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "DISTRICT") {
		t.Fatalf("list printed:\n%s", out)
	}
	for i, want := range []string{"tess.ng  Tess Ng  teacher  active  never", "gus.ruiz  Gus Ruiz  guardian  active  never"} {
		if got := strings.Join(strings.Fields(lines[i+1])[2:], "  "); got != strings.Join(strings.Fields(want), "  ") {
			t.Errorf("line %d: %q, want %q", i+1, got, want)
		}
	}
	if _, err := runUserCmd(t, "", "frobnicate"); !errors.Is(err, errUsage) {
		t.Errorf("unknown user command: %v", err)
	}
	if _, err := runUserCmd(t, ""); !errors.Is(err, errUsage) {
		t.Errorf("no user command: %v", err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
