package access

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cairn-learning/cairn/internal/problem"
)

// cheap are parameters that make tests fast; what they test does not
// depend on the cost.
var cheap = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestHashAndCheck(t *testing.T) {
	const pw = "correct horse battery staple"
	h, err := HashPassword(pw, cheap)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Errorf("hash %q is not in PHC format with the parameters", h)
	}
	if strings.Contains(h, pw) {
		t.Error("the hash contains the password")
	}
	ok, rehash, err := CheckPassword(pw, h)
	if err != nil || !ok {
		t.Fatalf("CheckPassword(right password) = %v, %v", ok, err)
	}
	if !rehash {
		t.Error("a hash with other parameters than DefaultParams should need rehashing")
	}
	for _, wrong := range []string{"", "correct horse battery stapl", "Correct horse battery staple", pw + " "} {
		ok, rehash, err := CheckPassword(wrong, h)
		if err != nil || ok || rehash {
			t.Errorf("CheckPassword(%q) = %v, %v, %v: want false, false, nil", wrong, ok, rehash, err)
		}
	}
	// Each hash has its own salt.
	h2, err := HashPassword(pw, cheap)
	if err != nil {
		t.Fatal(err)
	}
	if h2 == h {
		t.Error("two hashes of the same password are equal: the salt is not random")
	}
	if ok, _, _ := CheckPassword(strings.Repeat("x", MaxPasswordBytes+1), h); ok {
		t.Error("an over-long password matched")
	}
}

func TestDefaultParamsNeedNoRehash(t *testing.T) {
	if testing.Short() {
		t.Skip("hashes with the full cost")
	}
	h, err := HashPassword("a password of some length", DefaultParams)
	if err != nil {
		t.Fatal(err)
	}
	ok, rehash, err := CheckPassword("a password of some length", h)
	if !ok || rehash || err != nil {
		t.Errorf("CheckPassword with DefaultParams = %v, %v, %v: want true, false, nil", ok, rehash, err)
	}
	want := fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$", DefaultParams.Memory, DefaultParams.Time, DefaultParams.Threads)
	if !strings.HasPrefix(h, want) {
		t.Errorf("hash %q does not start %q", h, want)
	}
}

func TestMalformedHash(t *testing.T) {
	good, err := HashPassword("some password", cheap)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, "$")
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, "$")
	}
	tests := []struct{ name, hash, why string }{
		{"empty", "", "5 fields"},
		{"plain text", "some password", "5 fields"},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", "5 fields"},
		{"argon2i", with(1, "argon2i"), "not argon2id"},
		{"version 16", with(2, "v=16"), "version"},
		{"parameters out of order", with(3, "t=1,m=64,p=1"), "m, t and p"},
		{"missing parameter", with(3, "m=64,t=1"), "m, t and p"},
		{"parameter not a number", with(3, "m=lots,t=1,p=1"), "parameter m"},
		{"zero passes", with(3, "m=64,t=0,p=1"), "time 0"},
		{"too much memory", with(3, "m=4194304,t=1,p=1"), "memory"},
		{"threads beyond a byte", with(3, "m=64,t=1,p=300"), "parameter p"},
		{"salt not base64", with(4, "not*base64"), "salt"},
		{"salt padded", with(4, parts[4]+"=="), "salt"},
		{"short salt", with(4, "c2FsdA"), "salt length"},
		{"key not base64", with(5, "!!"), "key"},
		{"short key", with(5, "c2hvcnQ"), "key length"},
		{"extra field", good + "$x", "5 fields"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ok, _, err := CheckPassword("some password", tc.hash)
			if ok || !errors.Is(err, errPHC) || !strings.Contains(err.Error(), tc.why) {
				t.Errorf("CheckPassword(%q) = %v, %v: want an error about %q", tc.hash, ok, err, tc.why)
			}
			if tc.hash != "" && strings.Contains(err.Error(), tc.hash) {
				t.Errorf("error %q repeats the hash", err)
			}
		})
	}
}

func TestHashPasswordRefuses(t *testing.T) {
	for _, p := range []Params{
		{Memory: 64, Time: 0, Threads: 1, SaltLen: 16, KeyLen: 32},
		{Memory: 4, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32},
		{Memory: 64, Time: 1, Threads: 0, SaltLen: 16, KeyLen: 32},
		{Memory: 64, Time: 1, Threads: 1, SaltLen: 4, KeyLen: 32},
		{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 8},
	} {
		if _, err := HashPassword("some password", p); err == nil {
			t.Errorf("HashPassword with %+v: no error", p)
		}
	}
	_, err := HashPassword(strings.Repeat("x", MaxPasswordBytes+1), cheap)
	if !errors.Is(err, problem.ErrInvalid) {
		t.Errorf("over-long password: %v", err)
	}
}

func TestValidatePassword(t *testing.T) {
	tests := []struct {
		pw, why string
	}{
		{"", "has 0 characters"},
		{"short", "has 5 characters"},
		{"ninechars", "has 9 characters"},
		{"tencharsok", ""},
		{"ñandú-ñandú", ""}, // characters, not bytes
		{"ñandúñandú"[:9], "has 6 characters"},
		{"\xff\xfe0123456789", "UTF-8"},
		{strings.Repeat("a", MaxPasswordBytes), ""},
		{strings.Repeat("a", MaxPasswordBytes+1), "longer than 1024 bytes"},
	}
	for _, tc := range tests {
		err := ValidatePassword(tc.pw)
		if tc.why == "" {
			if err != nil {
				t.Errorf("ValidatePassword(%.20q) = %v", tc.pw, err)
			}
			continue
		}
		var ie *problem.InvalidError
		if !errors.As(err, &ie) || ie.Fields[0].Field != "password" || !strings.Contains(err.Error(), tc.why) {
			t.Errorf("ValidatePassword(%.20q) = %v, want invalid password: %s", tc.pw, err, tc.why)
		}
	}
}

// BenchmarkCheckPassword measures one check with DefaultParams and with
// the alternatives docs/decisions/0006-argon2id-parameters.md compares.
func BenchmarkCheckPassword(b *testing.B) {
	for _, p := range []Params{
		DefaultParams,
		{Memory: 64 * 1024, Time: 1, Threads: 2, SaltLen: 16, KeyLen: 32},
		{Memory: 64 * 1024, Time: 3, Threads: 2, SaltLen: 16, KeyLen: 32},
		{Memory: 64 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32},
		{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32},
	} {
		h, err := HashPassword("correct horse battery staple", p)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("m=%dMiB,t=%d,p=%d", p.Memory/1024, p.Time, p.Threads), func(b *testing.B) {
			for b.Loop() {
				if ok, _, err := CheckPassword("correct horse battery staple", h); !ok || err != nil {
					b.Fatal(ok, err)
				}
			}
		})
	}
}
