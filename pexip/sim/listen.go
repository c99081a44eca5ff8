package sim

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"time"
)

// Server is a simulator listening on its own socket.
type Server struct {
	URL     string // "http://127.0.0.1:port" or "https://..."
	Sim     *Sim
	CertPEM []byte // with TLS: the self-signed certificate, for a client's CA file
	Close   func() // stops the stepping loop and shuts the listener down, waiting up to 5s
}

// Listen serves a new simulator on addr (e.g. "127.0.0.1:0"). With tlsOn it serves HTTPS
// with a freshly generated ECDSA certificate for 127.0.0.1, ::1 and localhost. With a real
// clock the platform is stepped every TickInterval until Close or ctx ends.
func Listen(ctx context.Context, addr string, opts Options, tlsOn bool) (*Server, error) {
	s := New(opts)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	srv := &Server{Sim: s, URL: "http://" + ln.Addr().String()}
	if tlsOn {
		cert, certPEM, err := selfSigned()
		if err != nil {
			_ = ln.Close()
			return nil, fmt.Errorf("generate certificate: %w", err)
		}
		srv.CertPEM, srv.URL = certPEM, "https://"+ln.Addr().String()
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert},
			MinVersion: tls.VersionTLS12})
	}
	ctx, cancel := context.WithCancel(ctx)
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelError)}
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("simulator stopped", "error", err)
		}
	}()
	if opts.Clock == nil {
		go s.Run(ctx)
	}
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		<-ctx.Done()
		sctx, done := context.WithTimeout(context.Background(), 5*time.Second)
		defer done()
		_ = hs.Shutdown(sctx)
	}()
	srv.Close = func() {
		cancel()
		<-stopped
	}
	return srv, nil
}

// selfSigned makes an ECDSA P-256 certificate valid for a day for the loopback names.
func selfSigned() (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "pexops simulator", Organization: []string{"pexops"}},
		NotBefore:    now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:    []string{"localhost"},
		IsCA:        true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	return cert, certPEM, err
}
