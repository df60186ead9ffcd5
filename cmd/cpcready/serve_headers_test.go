package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// selfSigned writes a certificate and key for 127.0.0.1 and returns their
// paths.
func selfSigned(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// serve, configured to terminate TLS and to put /metrics behind a token on
// a listener of its own, sends HSTS on every answer and keeps /metrics off
// the API's listener.
func TestServeWithTLSAndAMetricsListener(t *testing.T) {
	cert, key := selfSigned(t)
	addr, metricsAddr := freeAddr(t), freeAddr(t)
	env := map[string]string{
		"CPCREADY_DATABASE_URL": filepath.Join(t.TempDir(), "tls.db"), "CPCREADY_ADDR": addr,
		"CPCREADY_TLS_CERT": cert, "CPCREADY_TLS_KEY": key, "CPCREADY_METRICS_ADDR": metricsAddr,
		"CPCREADY_METRICS_TOKEN": "scrape-me", "CPCREADY_SHUTDOWN_TIMEOUT": "1s", "CPCREADY_DRAIN_DELAY": "100ms",
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, envOf(env), io.Discard, io.Discard) }()
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} //nolint:gosec // our own test certificate
	get := func(url string, header ...string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("GET", url, nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		for range 200 {
			res, err := client.Do(req)
			if err == nil {
				res.Body.Close()
				return res
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatalf("%s never answered", url)
		return nil
	}
	for _, path := range []string{"/healthz", "/docs", "/no-such-route", "/v1/conferences"} {
		res := get("https://" + addr + path)
		if v := res.Header.Get("Strict-Transport-Security"); !strings.HasPrefix(v, "max-age=") {
			t.Errorf("%s (%d): Strict-Transport-Security %q", path, res.StatusCode, v)
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no nosniff", path)
		}
	}
	if res := get("https://" + addr + "/metrics"); res.StatusCode != http.StatusNotFound {
		t.Errorf("/metrics on the API listener: %d, want 404", res.StatusCode)
	}
	if res := get("http://" + metricsAddr + "/metrics"); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("/metrics without the token: %d, want 401", res.StatusCode)
	}
	if res := get("http://"+metricsAddr+"/metrics", "Authorization", "Bearer scrape-me"); res.StatusCode != http.StatusOK {
		t.Errorf("/metrics with the token: %d, want 200", res.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
