package access

import (
	"errors"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

func TestLockout(t *testing.T) {
	l := Lockout{After: 3, For: 10 * time.Minute}
	failures, until := 0, time.Time{}
	for i := 1; i <= 2; i++ {
		failures, until = l.Next(failures, t0)
		if failures != i || !until.IsZero() {
			t.Fatalf("after %d failures: count %d, locked until %v", i, failures, until)
		}
	}
	failures, until = l.Next(failures, t0)
	if failures != 0 || !until.Equal(t0.Add(10*time.Minute)) {
		t.Fatalf("third failure: count %d, locked until %v; want 0, %v", failures, until, t0.Add(10*time.Minute))
	}
	if !Locked(until, t0.Add(9*time.Minute)) || Locked(until, t0.Add(10*time.Minute)) || Locked(time.Time{}, t0) {
		t.Error("Locked does not end at the lock's end")
	}
	if DefaultLockout.After < 3 || DefaultLockout.For < time.Minute {
		t.Errorf("DefaultLockout %+v is too lax", DefaultLockout)
	}
}

func TestCheckSignIn(t *testing.T) {
	const pw = "correct horse battery staple"
	h, err := HashPassword(pw, cheap)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		acc  SignInAccount
		pw   string
		want SignInResult
	}{
		{"right password", SignInAccount{Found: true, Hash: h}, pw, SignInResult{OK: true, NeedsRehash: true}},
		{"wrong password", SignInAccount{Found: true, Hash: h}, "Correct horse battery staple", SignInResult{CountFailure: true, Reason: ReasonWrongPassword}},
		{"no account", SignInAccount{}, pw, SignInResult{Reason: ReasonNoAccount}},
		{"disabled, right password", SignInAccount{Found: true, Disabled: true, Hash: h}, pw, SignInResult{Reason: ReasonDisabled}},
		{"no password set", SignInAccount{Found: true}, "", SignInResult{Reason: ReasonNoPassword}},
		{"locked, right password", SignInAccount{Found: true, Hash: h, LockedUntil: t0.Add(time.Minute)}, pw, SignInResult{Reason: ReasonLocked}},
		{"lock over", SignInAccount{Found: true, Hash: h, LockedUntil: t0}, pw, SignInResult{OK: true, NeedsRehash: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := CheckSignIn(tc.acc, tc.pw, t0)
			if err != nil || got != tc.want {
				t.Errorf("CheckSignIn = %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
	if _, err := CheckSignIn(SignInAccount{Found: true, Hash: "plain"}, pw, t0); !errors.Is(err, errPHC) {
		t.Errorf("a malformed stored hash: %v", err)
	}
}

func TestSessionPolicy(t *testing.T) {
	p := SessionPolicy{Idle: time.Hour, Max: 3 * time.Hour}
	tests := []struct {
		created, now, want time.Time
	}{
		{t0, t0, t0.Add(time.Hour)},
		{t0, t0.Add(90 * time.Minute), t0.Add(150 * time.Minute)},
		{t0, t0.Add(150 * time.Minute), t0.Add(3 * time.Hour)}, // the cap
	}
	for _, tc := range tests {
		if got := p.Expiry(tc.created, tc.now); !got.Equal(tc.want) {
			t.Errorf("Expiry(%v, %v) = %v, want %v", tc.created, tc.now, got, tc.want)
		}
	}
	if p.NeedsTouch(t0, t0.Add(59*time.Second)) || !p.NeedsTouch(t0, t0.Add(time.Minute)) {
		t.Error("NeedsTouch: want a write at most once a minute")
	}
}

func TestEnrollmentActive(t *testing.T) {
	day := 24 * time.Hour
	at := func(d time.Duration) *time.Time { v := t0.Add(d); return &v }
	tests := []struct {
		name       string
		begin, end *time.Time
		want       bool
	}{
		{"open", nil, nil, true},
		{"under way", at(-30 * day), at(30 * day), true},
		{"ended yesterday morning", at(-30 * day), at(-day - time.Hour), false},
		{"ends today", at(-30 * day), at(-time.Hour), true},
		{"begins in a week", at(7 * day), nil, true},
		{"begins in a month", at(30 * day), nil, false},
		{"ended, no begin date", nil, at(-60 * day), false},
	}
	for _, tc := range tests {
		if got := EnrollmentActive(tc.begin, tc.end, t0); got != tc.want {
			t.Errorf("%s: EnrollmentActive = %v, want %v", tc.name, got, tc.want)
		}
	}
}
