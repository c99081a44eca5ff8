package sim

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"pexops/pexip"
)

// TestListenTLS: a client trusting only CertPEM (through a CA file, as the console does)
// reaches the simulator over HTTPS; one that trusts nothing is refused.
func TestListenTLS(t *testing.T) {
	srv, err := Listen(context.Background(), "127.0.0.1:0", Options{}, true)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()

	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(srv.CertPEM) {
		t.Fatal("CertPEM holds no certificate")
	}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	req, _ := http.NewRequest("GET", srv.URL+"/api/admin/status/v1/worker_vm/", nil)
	req.SetBasicAuth(DefaultUser, DefaultPassword)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("trusted client: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("status %d", resp.StatusCode)
	}
	if resp, err := http.Get(srv.URL + "/api/admin/"); err == nil {
		resp.Body.Close()
		t.Error("a client without the certificate was not refused")
	}

	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, srv.CertPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := pexip.New(pexip.Config{URL: srv.URL, Username: DefaultUser, Password: DefaultPassword, CAFile: caFile})
	if err != nil {
		t.Fatal(err)
	}
	var node map[string]any
	if err := c.Get(context.Background(), "status/v1/worker_vm/1/", &node); err != nil {
		t.Fatalf("pexip client over TLS: %v", err)
	}
}

// TestStartTest: the helper's client reads the seeded configuration.
func TestStartTest(t *testing.T) {
	s, c := StartTest(t, Options{Services: 5})
	services, err := pexip.ListAll[pexip.Service](context.Background(), c, pexip.ResService, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(services) != 5 {
		t.Errorf("%d services, want 5", len(services))
	}
	if s.Stats().Total == 0 {
		t.Error("requests not counted")
	}
}
