package access

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"strings"
)

// Secrets (session cookies, one-time reset links, personal access tokens)
// are 32 random bytes from the operating system's generator, shown once
// to whoever holds them and stored only as their SHA-256, so that a copy
// of the database lets nobody sign in. They come from crypto/rand and not
// from an injected source on purpose: a seeded source would make them
// guessable.

// secretBytes is the length of every secret: 256 bits, beyond guessing.
const secretBytes = 32

// HashLen is the length in bytes of a secret's stored hash.
const HashLen = sha256.Size

// TokenPrefix starts every personal access token, so that a leaked token
// is easy to recognise (secret scanners look for such prefixes) and to tell
// from a session cookie.
const TokenPrefix = "cairn_pat_"

var b64 = base64.RawURLEncoding

// NewSecret returns a new random secret, as text safe in a cookie or a URL,
// and the hash to store.
func NewSecret() (secret string, hash []byte) {
	var b [secretBytes]byte
	rand.Read(b[:])
	secret = b64.EncodeToString(b[:])
	return secret, HashSecret(secret)
}

// NewAccessToken returns a new personal access token and the hash to store.
func NewAccessToken() (token string, hash []byte) {
	s, _ := NewSecret()
	token = TokenPrefix + s
	return token, HashSecret(token)
}

// HashSecret returns the hash of a secret as it is stored and looked up.
// Secrets are long and random, so one round of SHA-256 is enough: unlike a
// password, there is no dictionary to try.
func HashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// LooksLikeAccessToken reports whether s has the shape of a personal access
// token, so that a malformed Authorization header is refused before any
// database lookup.
func LooksLikeAccessToken(s string) bool {
	rest, ok := strings.CutPrefix(s, TokenPrefix)
	if !ok || len(rest) != b64.EncodedLen(secretBytes) {
		return false
	}
	_, err := b64.DecodeString(rest)
	return err == nil
}

// NewCSRFSecret returns the secret a session's forms are protected with.
// It is stored with the session (it is not itself a sign-in secret) and
// never sent as it is: pages carry CSRFToken of it.
func NewCSRFSecret() []byte {
	b := make([]byte, secretBytes)
	rand.Read(b)
	return b
}

// csrfKey derives what a form token proves knowledge of from the session's
// CSRF secret, so that the stored secret never appears in a page.
func csrfKey(secret []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("cairn form token"))
	return m.Sum(nil)
}

// CSRFToken returns a token to put in a form (or an X-CSRF-Token header)
// of the session whose CSRF secret is given. Each call gives a different
// token for the same secret (the key is masked with fresh random bytes),
// so that a compressed page does not leak it byte by byte (the BREACH
// attack); every one of them passes CheckCSRF.
func CSRFToken(secret []byte) string {
	key := csrfKey(secret)
	out := make([]byte, 2*len(key))
	mask := out[:len(key)]
	rand.Read(mask)
	for i := range key {
		out[len(key)+i] = key[i] ^ mask[i]
	}
	return b64.EncodeToString(out)
}

// CheckCSRF reports whether token was made by CSRFToken for the session
// whose CSRF secret is given. The comparison takes the same time wherever
// the tokens differ.
func CheckCSRF(secret []byte, token string) bool {
	if len(secret) == 0 {
		return false
	}
	raw, err := b64.DecodeString(token)
	if err != nil || len(raw) != 2*sha256.Size {
		return false
	}
	mask, masked := raw[:sha256.Size], raw[sha256.Size:]
	got := make([]byte, sha256.Size)
	for i := range got {
		got[i] = masked[i] ^ mask[i]
	}
	return subtle.ConstantTimeCompare(got, csrfKey(secret)) == 1
}

// NewPassword returns a random password for an account an administrator
// creates: 20 lower-case letters and digits, leaving out those that are
// easy to confuse when copied by hand (0/o, 1/l/i), in groups of five. That
// is 31 symbols, so about 99 bits: beyond guessing, and easy to type on a
// school laptop.
func NewPassword() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
	// Rejection sampling keeps every character equally likely.
	const limit = 256 - 256%len(alphabet)
	var b strings.Builder
	buf := make([]byte, 64)
	n := 0
	for n < 20 {
		rand.Read(buf)
		for _, c := range buf {
			if int(c) >= limit || n == 20 {
				continue
			}
			if n > 0 && n%5 == 0 {
				b.WriteByte('-')
			}
			b.WriteByte(alphabet[int(c)%len(alphabet)])
			n++
		}
	}
	return b.String()
}
