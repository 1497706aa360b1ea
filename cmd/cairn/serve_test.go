package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/storetest"
)

// writeCertificate makes a self-signed certificate for 127.0.0.1 with the
// serial number given, writes it and its key as PEM files in dir, and
// returns the files and the certificate.
func writeCertificate(t *testing.T, dir string, serial int64) (certFile, keyFile string, cert *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      pkix.Name{CommonName: "cairn test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:     []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err = x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile, cert
}

// districtDB makes a database holding one district, as 'cairn district
// create' does.
func districtDB(t *testing.T) string {
	t.Helper()
	db := storetest.SQLite(t)
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"district", "create", "--name", "Riverside Unified", "--db", db}, noEnv, &out, &errOut); err != nil {
		t.Fatalf("district create: %v\n%s", err, errOut.String())
	}
	return db
}

func TestServeTLS(t *testing.T) {
	db := districtDB(t)
	certFile, keyFile, cert := writeCertificate(t, t.TempDir(), 1)
	base, stop := start(t, []string{"serve", "--db", db, "--addr", "127.0.0.1:0", "--tls-cert", certFile, "--tls-key", keyFile},
		`serving on (https://\S+)`)
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	resp, err := client.Get(base + "/readyz")
	if err != nil {
		t.Fatalf("GET /readyz over HTTPS: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("readyz = %d: %s", resp.StatusCode, body)
	}
	if resp.TLS == nil || resp.TLS.Version < tls.VersionTLS12 || !resp.TLS.PeerCertificates[0].Equal(cert) {
		t.Errorf("connection state %+v: want TLS 1.2 or later with the test certificate", resp.TLS)
	}
	if hsts := resp.Header.Get("Strict-Transport-Security"); !strings.HasPrefix(hsts, "max-age=") {
		t.Errorf("HSTS %q over HTTPS", hsts)
	}

	// TLS 1.1 and older are refused.
	old := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}}}
	if resp, err := old.Get(base + "/readyz"); err == nil {
		resp.Body.Close()
		t.Errorf("a TLS 1.1 client was answered: %s", resp.TLS.ServerName)
	}
	if err := stop(); err != nil {
		t.Errorf("serve after cancel: %v", err)
	}
}

func TestServeRefusesBadSettings(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, _ := writeCertificate(t, filepath.Join(dir), 1)
	otherDir := filepath.Join(dir, "other")
	if err := os.Mkdir(otherDir, 0o700); err != nil {
		t.Fatal(err)
	}
	_, otherKey, _ := writeCertificate(t, otherDir, 2)
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.pem")
	for _, tt := range []struct {
		name  string
		args  []string
		env   map[string]string
		usage bool
		says  string
	}{
		{name: "certificate without key", args: []string{"--tls-cert", certFile}, usage: true, says: "--tls-cert needs --tls-key"},
		{name: "key without certificate", args: []string{"--tls-key", keyFile}, usage: true, says: "--tls-key needs --tls-cert"},
		{name: "certificate without key, from the environment", env: map[string]string{"CAIRN_TLS_CERT": certFile}, usage: true, says: "--tls-cert needs --tls-key"},
		{name: "missing certificate", args: []string{"--tls-cert", missing, "--tls-key", keyFile}, says: "--tls-cert: stat " + missing},
		{name: "missing key", args: []string{"--tls-cert", certFile, "--tls-key", missing}, says: "--tls-key: stat " + missing},
		{name: "key of another certificate", args: []string{"--tls-cert", certFile, "--tls-key", otherKey}, says: "private key does not match public key"},
		{name: "not PEM", args: []string{"--tls-cert", notPEM, "--tls-key", keyFile}, says: "are not a certificate and its private key"},
		{name: "public URL without a scheme", args: []string{"--public-url", "cairn.example.org"}, usage: true, says: "--public-url"},
		{name: "public URL with a query", args: []string{"--public-url", "https://cairn.example.org/?a=1"}, usage: true, says: "has a query"},
		{name: "public URL with a path", env: map[string]string{"CAIRN_PUBLIC_URL": "https://example.org/cairn"}, usage: true, says: "has a path"},
		{name: "bad network", args: []string{"--trusted-proxies", "10.0.0.0/8,10.0.0.0/40"}, usage: true, says: `--trusted-proxies: "10.0.0.0/40" is not a network`},
		{name: "host name for a network", env: map[string]string{"CAIRN_TRUSTED_PROXIES": "proxy.example.org"}, usage: true, says: "--trusted-proxies"},
		{name: "negative read turns", args: []string{"--concurrent-reads", "-1"}, usage: true, says: "--concurrent-reads -1: want between 0 and 4096"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "cairn.db")
			getenv := func(k string) string { return tt.env[k] }
			var out, errOut bytes.Buffer
			err := run(context.Background(), append([]string{"serve", "--db", db, "--addr", "127.0.0.1:0"}, tt.args...), getenv, &out, &errOut)
			if err == nil || !strings.Contains(err.Error(), tt.says) || errors.Is(err, errUsage) != tt.usage {
				t.Fatalf("got %v, want a failure saying %q (usage error: %v)", err, tt.says, tt.usage)
			}
			if _, err := os.Stat(db); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the database was created before the settings were checked: %v", err)
			}
		})
	}
}

func TestServePublicURL(t *testing.T) {
	db := districtDB(t)
	env := map[string]string{"CAIRN_PUBLIC_URL": "https://cairn.example.org/", "CAIRN_TRUSTED_PROXIES": "127.0.0.1"}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr lockedBuffer
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, []string{"serve", "--db", db, "--addr", "127.0.0.1:0"}, func(k string) string { return env[k] }, &stdout, &stderr)
	}()
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(stdout.String(), "people open it at") {
		select {
		case err := <-errc:
			t.Fatalf("serve ended early: %v\n%s", err, stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start:\n%s\n%s", stdout.String(), stderr.String())
		}
	}
	if !strings.Contains(stdout.String(), "people open it at https://cairn.example.org\n") {
		t.Errorf("printed:\n%s", stdout.String())
	}
	base := strings.Fields(strings.TrimPrefix(stdout.String(), "cairn is serving on "))[0]
	// The server listens over plain HTTP, as a proxy's upstream does, and
	// answers as the https address people open.
	resp, err := http.Get(base + "/signin")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS with an https public URL")
	}
	for _, c := range resp.Cookies() {
		if !c.Secure {
			t.Errorf("cookie %s is not Secure", c.Name)
		}
	}
	if len(resp.Cookies()) == 0 {
		t.Error("the sign-in page set no cookie")
	}
	cancel()
	if err := <-errc; err != nil {
		t.Errorf("serve after cancel: %v", err)
	}
}

func TestResetLinkOnThePublicURL(t *testing.T) {
	db, _, _, _, guardian := userDB(t)
	getenv := func(k string) string {
		if k == "CAIRN_PUBLIC_URL" {
			return "https://cairn.example.org/"
		}
		return ""
	}
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"user", "reset-link", "--db", db, "--username", "gus.ruiz"}, getenv, &out, &errOut)
	if err != nil || !strings.Contains(out.String(), "\nhttps://cairn.example.org/reset/") || !strings.Contains(out.String(), itoa(guardian.ID)) {
		t.Errorf("reset-link with CAIRN_PUBLIC_URL: %v\n%s", err, out.String())
	}
}

func TestCertificateIsReadAgainWhenRenewed(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, first := writeCertificate(t, dir, 1)
	var logs bytes.Buffer
	c, err := loadCertificate(certFile, keyFile, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	c.every = 0
	serial := func() int64 {
		t.Helper()
		pair, err := c.get(nil)
		if err != nil {
			t.Fatal(err)
		}
		return pair.Leaf.SerialNumber.Int64()
	}
	if got := serial(); got != first.SerialNumber.Int64() {
		t.Fatalf("serial %d, want %d", got, first.SerialNumber.Int64())
	}

	// A renewal writes new files in place.
	_, _, _ = writeCertificate(t, dir, 2)
	later := time.Now().Add(time.Hour)
	for _, f := range []string{certFile, keyFile} {
		if err := os.Chtimes(f, later, later); err != nil {
			t.Fatal(err)
		}
	}
	if got := serial(); got != 2 {
		t.Errorf("after renewal: serial %d, want 2", got)
	}

	// A renewal caught half written (a new certificate, the old key)
	// keeps the certificate being served.
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	_, _, _ = writeCertificate(t, dir, 3)
	if err := os.WriteFile(keyFile, keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	evenLater := later.Add(time.Hour)
	for _, f := range []string{certFile, keyFile} {
		if err := os.Chtimes(f, evenLater, evenLater); err != nil {
			t.Fatal(err)
		}
	}
	if got := serial(); got != 2 {
		t.Errorf("with a mismatched key: serial %d, want 2 still", got)
	}
	if !strings.Contains(logs.String(), "cannot be used") {
		t.Errorf("the log does not say the new files cannot be used:\n%s", logs.String())
	}
}
