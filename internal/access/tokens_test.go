package access

import (
	"bytes"
	"crypto/sha256"
	"regexp"
	"strings"
	"testing"
)

func TestNewSecret(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		s, h := NewSecret()
		if len(s) != 43 || strings.ContainsAny(s, "+/=") {
			t.Fatalf("secret %q: want 43 URL-safe characters", s)
		}
		if want := sha256.Sum256([]byte(s)); !bytes.Equal(h, want[:]) || !bytes.Equal(HashSecret(s), h) {
			t.Fatalf("hash of %q is not its SHA-256", s)
		}
		if seen[s] {
			t.Fatalf("secret %q came twice", s)
		}
		seen[s] = true
	}
}

func TestAccessToken(t *testing.T) {
	tok, h := NewAccessToken()
	if !strings.HasPrefix(tok, TokenPrefix) || !LooksLikeAccessToken(tok) {
		t.Fatalf("token %q does not look like an access token", tok)
	}
	if !bytes.Equal(h, HashSecret(tok)) || len(h) != HashLen {
		t.Error("the token's hash is not HashSecret of the whole token")
	}
	session, _ := NewSecret()
	for _, bad := range []string{"", TokenPrefix, session, tok[:len(tok)-1], tok + "A", strings.Replace(tok, tok[12:13], "*", 1), "Bearer " + tok} {
		if LooksLikeAccessToken(bad) {
			t.Errorf("LooksLikeAccessToken(%q) = true", bad)
		}
	}
}

func TestCSRF(t *testing.T) {
	secret := NewCSRFSecret()
	a, b := CSRFToken(secret), CSRFToken(secret)
	if a == b {
		t.Error("two tokens of one secret are equal: they are not masked")
	}
	for _, tok := range []string{a, b} {
		if !CheckCSRF(secret, tok) {
			t.Errorf("CheckCSRF refused its own token %q", tok)
		}
	}
	if strings.Contains(a, b64.EncodeToString(secret)) {
		t.Error("the token carries the secret")
	}
	other := NewCSRFSecret()
	flipped := []byte(a)
	flipped[len(flipped)-2] ^= 1
	for name, tc := range map[string]struct {
		secret []byte
		token  string
	}{
		"another session's token": {other, a},
		"empty token":             {secret, ""},
		"no secret":               {nil, a},
		"tampered":                {secret, string(flipped)},
		"truncated":               {secret, a[:len(a)-4]},
		"not base64":              {secret, "**" + a[2:]},
		"the secret itself":       {secret, b64.EncodeToString(secret)},
	} {
		if CheckCSRF(tc.secret, tc.token) {
			t.Errorf("%s: CheckCSRF accepted %q", name, tc.token)
		}
	}
}

func TestNewPassword(t *testing.T) {
	shape := regexp.MustCompile(`^[a-hjkmnp-z2-9]{5}(-[a-hjkmnp-z2-9]{5}){3}$`)
	seen := map[string]bool{}
	chars := map[rune]bool{}
	for range 200 {
		pw := NewPassword()
		if !shape.MatchString(pw) {
			t.Fatalf("password %q: want four groups of five unambiguous characters", pw)
		}
		if err := ValidatePassword(pw); err != nil {
			t.Fatalf("a generated password is refused: %v", err)
		}
		if seen[pw] {
			t.Fatalf("password %q came twice", pw)
		}
		seen[pw] = true
		for _, c := range strings.ReplaceAll(pw, "-", "") {
			chars[c] = true
		}
	}
	// 4000 characters drawn from 31: every one should have come up.
	if len(chars) != 31 {
		t.Errorf("%d distinct characters in 200 passwords, want all 31", len(chars))
	}
}
