package access

import (
	"errors"
	"time"
)

// ErrSignIn is the one refusal a person signing in sees, whatever went
// wrong: no such username, a wrong password, a disabled or locked account.
// Telling these apart would tell a stranger which usernames exist and
// which accounts are worth attacking. The server's log gets the reason.
var ErrSignIn = errors.New("the username or password is not right, or the account is locked for a while after too many tries")

// Lockout is the rule that locks an account after repeated wrong
// passwords: After failures in a row lock it for For. The store applies it
// to the failure count kept with each account, so that it holds across
// servers and restarts; a successful sign-in clears the count.
type Lockout struct {
	After int
	For   time.Duration
}

// DefaultLockout locks an account for 15 minutes after 5 wrong passwords
// in a row: few enough tries that guessing a password through the form is
// hopeless (at most 480 tries a day), long enough not to keep a person who
// mistyped out for long.
var DefaultLockout = Lockout{After: 5, For: 15 * time.Minute}

// Next returns an account's failure count and the end of its lock after
// one more wrong password at now, given its count before. Reaching After
// locks the account and starts the count again, so that after the lock the
// person has After more tries.
func (l Lockout) Next(failures int, now time.Time) (int, time.Time) {
	failures++
	if l.After > 0 && failures >= l.After {
		return 0, now.Add(l.For)
	}
	return failures, time.Time{}
}

// Locked reports whether an account locked until lockedUntil is locked at
// now.
func Locked(lockedUntil, now time.Time) bool { return now.Before(lockedUntil) }

// SignInAccount is what a password sign-in is checked against.
type SignInAccount struct {
	// Found is false when no account has the username given.
	Found       bool
	Disabled    bool
	Hash        string
	LockedUntil time.Time
}

// SignInResult is the outcome of CheckSignIn.
type SignInResult struct {
	OK bool
	// NeedsRehash says to store a new HashPassword of the password, now
	// that it is known to be right: the hash has old parameters.
	NeedsRehash bool
	// CountFailure says to record a failure against the account: the
	// account exists and is open, and the password was wrong.
	CountFailure bool
	// Reason says why a sign-in was refused, for the server's log only;
	// the person sees ErrSignIn.
	Reason string
}

// The reasons a sign-in is refused.
const (
	ReasonNoAccount     = "no account has this username"
	ReasonDisabled      = "the account is disabled"
	ReasonNoPassword    = "the account has no password (it signs in another way)"
	ReasonLocked        = "the account is locked after too many wrong passwords"
	ReasonWrongPassword = "wrong password"
)

// CheckSignIn decides a password sign-in at now. It computes one password
// hash whatever the outcome, so that a refusal takes as long as a success
// and the time it takes tells nothing about the account. The error is for
// a stored hash that cannot be read.
func CheckSignIn(acc SignInAccount, password string, now time.Time) (SignInResult, error) {
	var reason string
	switch {
	case !acc.Found:
		reason = ReasonNoAccount
	case acc.Disabled:
		reason = ReasonDisabled
	case acc.Hash == "":
		reason = ReasonNoPassword
	case Locked(acc.LockedUntil, now):
		reason = ReasonLocked
	}
	if reason != "" {
		CheckPassword(password, dummyHash())
		return SignInResult{Reason: reason}, nil
	}
	ok, rehash, err := CheckPassword(password, acc.Hash)
	if err != nil {
		return SignInResult{}, err
	}
	if !ok {
		return SignInResult{CountFailure: true, Reason: ReasonWrongPassword}, nil
	}
	return SignInResult{OK: true, NeedsRehash: rehash}, nil
}

// SessionPolicy says how long a session lasts: it ends after Idle without
// a request, and after Max in any case.
type SessionPolicy struct {
	Idle, Max time.Duration
}

// DefaultSessions end after 4 hours idle or 12 hours in all. Schools share
// laptops between classes, so a forgotten session should not outlive the
// school day; a teacher working through the day is not asked to sign in
// again before the evening.
var DefaultSessions = SessionPolicy{Idle: 4 * time.Hour, Max: 12 * time.Hour}

// touchEvery is how stale a session's last-seen time may get before a
// request moves it (and the expiry) on: writing on every request would
// make every page a database write.
const touchEvery = time.Minute

// Expiry returns when a session created at created, seen at now, ends.
func (p SessionPolicy) Expiry(created, now time.Time) time.Time {
	idle, end := now.Add(p.Idle), created.Add(p.Max)
	if idle.Before(end) {
		return idle
	}
	return end
}

// NeedsTouch reports whether a request at now should record that the
// session was seen and move its expiry on.
func (p SessionPolicy) NeedsTouch(lastSeen, now time.Time) bool {
	return now.Sub(lastSeen) >= touchEvery
}

// The validity of a one-time reset link: DefaultResetValid unless the
// administrator who makes it says otherwise, never more than MaxResetValid.
const (
	DefaultResetValid = 72 * time.Hour
	MaxResetValid     = 30 * 24 * time.Hour
)

// When an enrollment gives a teacher access to a student: from
// EnrollmentLead before its begin date, so that teachers can prepare for
// a class, to EnrollmentGrace after its end date, since the end date names
// the last day of the class.
const (
	EnrollmentLead  = 14 * 24 * time.Hour
	EnrollmentGrace = 24 * time.Hour
)

// EnrollmentActive reports whether an enrollment between begin and end
// (nil: open) counts at now. The store applies the same rule in SQL.
func EnrollmentActive(begin, end *time.Time, now time.Time) bool {
	if begin != nil && begin.After(now.Add(EnrollmentLead)) {
		return false
	}
	if end != nil && !end.After(now.Add(-EnrollmentGrace)) {
		return false
	}
	return true
}
