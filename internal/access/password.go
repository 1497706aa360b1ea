package access

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/cairn-learning/cairn/internal/limits"
	"github.com/cairn-learning/cairn/internal/problem"
)

// Params are the argon2id cost parameters of a password hash.
type Params struct {
	// Memory is in KiB.
	Memory uint32
	// Time is the number of passes over the memory.
	Time uint32
	// Threads is the number of lanes computed in parallel.
	Threads uint8
	// SaltLen and KeyLen are in bytes.
	SaltLen, KeyLen uint32
}

// DefaultParams are the parameters new hashes get: 64 MiB, two passes, two
// lanes, a 16-byte salt and a 32-byte key. On the reference machine (two
// cores of an Intel Xeon) one check takes about 90 ms, so that a sign-in
// stays well under 300 ms while each guess against a stolen hash costs an
// attacker 64 MiB and two passes over it. docs/decisions/0006 records the
// measurements; hashes made with other parameters are still accepted and
// reported for rehashing.
var DefaultParams = Params{Memory: 64 * 1024, Time: 2, Threads: 2, SaltLen: 16, KeyLen: 32}

// The limits on passwords. NIST SP 800-63B asks for at least 8 characters
// and for accepting long passphrases; 10 is a small step above the floor
// that a generated or memorable passphrase meets easily. The upper bound
// keeps a request from making the server hash megabytes.
const (
	MinPasswordLength = 10                   // characters
	MaxPasswordBytes  = limits.PasswordBytes // bytes of UTF-8
)

// The bounds a stored hash's parameters must be within to be checked at
// all: a corrupted or hostile hash must not make one check take gigabytes
// or minutes.
const (
	maxMemory  = 1 << 20 // KiB: 1 GiB
	maxTime    = 64
	minSaltLen = 8
	maxSaltLen = 64
	minKeyLen  = 16
	maxKeyLen  = 128
)

// ValidatePassword returns a problem.ErrInvalid naming the "password"
// field when pw is too short or too long to be set as a new password.
func ValidatePassword(pw string) error {
	switch n := utf8.RuneCountInString(pw); {
	case !utf8.ValidString(pw):
		return problem.Invalid("password", "is not valid UTF-8 text")
	case n < MinPasswordLength:
		return problem.Invalid("password", "has %d characters; use at least %d (a few words make a good one)", n, MinPasswordLength)
	case len(pw) > MaxPasswordBytes:
		return problem.Invalid("password", "is longer than %d bytes", MaxPasswordBytes)
	}
	return nil
}

// validate reports parameters argon2 cannot use or that are out of bounds.
func (p Params) validate() error {
	switch {
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("time %d: want 1 to %d passes", p.Time, maxTime)
	case p.Threads < 1:
		return fmt.Errorf("threads %d: want at least 1", p.Threads)
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemory:
		// argon2 needs at least 8 KiB per lane.
		return fmt.Errorf("memory %d KiB: want %d to %d KiB", p.Memory, 8*uint32(p.Threads), maxMemory)
	case p.SaltLen < minSaltLen || p.SaltLen > maxSaltLen:
		return fmt.Errorf("salt length %d: want %d to %d bytes", p.SaltLen, minSaltLen, maxSaltLen)
	case p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return fmt.Errorf("key length %d: want %d to %d bytes", p.KeyLen, minKeyLen, maxKeyLen)
	}
	return nil
}

// phc is the stored form of a hash, as in the Password Hashing
// Competition's string format:
//
//	$argon2id$v=19$m=65536,t=2,p=2$<salt>$<key>
//
// with salt and key in standard base64 without padding.
var phc = base64.RawStdEncoding

// HashPassword returns the argon2id hash of pw with a fresh random salt,
// in PHC string format. It does not apply ValidatePassword: callers that
// take a new password check it first.
func HashPassword(pw string, p Params) (string, error) {
	if err := p.validate(); err != nil {
		return "", fmt.Errorf("argon2id parameters: %w", err)
	}
	if len(pw) > MaxPasswordBytes {
		return "", problem.Invalid("password", "is longer than %d bytes", MaxPasswordBytes)
	}
	salt := make([]byte, p.SaltLen)
	// Salts come from the operating system's generator: a seeded source
	// would let two servers, or two runs, give equal salts.
	rand.Read(salt)
	key := idKey(pw, salt, p, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, phc.EncodeToString(salt), phc.EncodeToString(key)), nil
}

// CheckPassword reports whether pw matches the PHC-format argon2id hash,
// and whether the hash was made with parameters other than DefaultParams
// and should be replaced by a new HashPassword of pw once pw is known to
// be right. The comparison takes the same time wherever the keys differ.
// A malformed hash is an error; a wrong password is not.
func CheckPassword(pw, hash string) (ok, needsRehash bool, err error) {
	p, salt, key, err := parsePHC(hash)
	if err != nil {
		return false, false, err
	}
	if len(pw) > MaxPasswordBytes {
		return false, false, nil
	}
	got := idKey(pw, salt, p, uint32(len(key)))
	if subtle.ConstantTimeCompare(got, key) != 1 {
		return false, false, nil
	}
	d := DefaultParams
	needsRehash = p.Memory != d.Memory || p.Time != d.Time || p.Threads != d.Threads ||
		uint32(len(key)) != d.KeyLen || uint32(len(salt)) < d.SaltLen
	return true, needsRehash, nil
}

// errPHC is the error of a hash that is not in the expected format; it
// never includes the hash, which is a secret too.
var errPHC = errors.New("password hash is not an argon2id hash in PHC format")

// parsePHC reads a hash made by HashPassword.
func parsePHC(s string) (p Params, salt, key []byte, err error) {
	fail := func(why string) (Params, []byte, []byte, error) {
		return Params{}, nil, nil, fmt.Errorf("%w: %s", errPHC, why)
	}
	parts := strings.Split(s, "$")
	// "", "argon2id", "v=19", "m=...,t=...,p=...", salt, key
	if len(parts) != 6 || parts[0] != "" {
		return fail("want 5 fields separated by $")
	}
	if parts[1] != "argon2id" {
		return fail("the algorithm is not argon2id")
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return fail("the version is not 19")
	}
	var m, t, th uint64
	fields := strings.Split(parts[3], ",")
	if len(fields) != 3 {
		return fail("want the parameters m, t and p")
	}
	for i, f := range fields {
		name, val, found := strings.Cut(f, "=")
		want := [...]string{"m", "t", "p"}[i]
		if !found || name != want {
			return fail("want the parameters m, t and p in that order")
		}
		bits := 32
		if want == "p" {
			bits = 8
		}
		n, err := strconv.ParseUint(val, 10, bits)
		if err != nil {
			return fail("parameter " + want + " is not a number in range")
		}
		switch want {
		case "m":
			m = n
		case "t":
			t = n
		case "p":
			th = n
		}
	}
	if salt, err = phc.Strict().DecodeString(parts[4]); err != nil {
		return fail("the salt is not base64")
	}
	if key, err = phc.Strict().DecodeString(parts[5]); err != nil {
		return fail("the key is not base64")
	}
	p = Params{Memory: uint32(m), Time: uint32(t), Threads: uint8(th), SaltLen: uint32(len(salt)), KeyLen: uint32(len(key))}
	if err := p.validate(); err != nil {
		return fail(err.Error())
	}
	return p, salt, key, nil
}

// dummyHash is a hash of a password nobody has, checked when there is no
// account to check against so that a sign-in for an unknown username takes
// as long as one for a known username. It is made on first use, not at
// start, so that commands that never check a password do not pay for it.
var dummyHash = sync.OnceValue(func() string {
	h, err := HashPassword("no account has this password", DefaultParams)
	if err != nil {
		panic("access: hashing with DefaultParams: " + err.Error())
	}
	return h
})

// hashing bounds how many hashes are computed at once. Each holds
// Params.Memory (64 MiB by default) while it runs, so a burst of sign-ins,
// a class of thirty at the bell or someone flooding the sign-in form,
// would otherwise take memory in proportion to the burst. More at once than
// there are processors would not finish any sooner, so the rest wait their
// turn.
var hashing = make(chan struct{}, max(2, runtime.GOMAXPROCS(0)))

func idKey(pw string, salt []byte, p Params, keyLen uint32) []byte {
	hashing <- struct{}{}
	defer func() { <-hashing }()
	return argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, keyLen)
}
