package transport

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parapet-scanner/parapet/internal/check"
	"github.com/parapet-scanner/parapet/internal/engine"
	"github.com/parapet-scanner/parapet/internal/finding"
	"github.com/parapet-scanner/parapet/internal/fingerprint"
	"github.com/parapet-scanner/parapet/internal/inventory"
	"github.com/parapet-scanner/parapet/internal/mask"
)

// testCA is a certificate authority made for one test.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

func newCA(t *testing.T) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "Parapet Test Root CA"},
		NotBefore:             time.Now().Add(-365 * 24 * time.Hour),
		NotAfter:              time.Now().Add(10 * 365 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &testCA{cert: cert, key: key, pool: pool}
}

// leafSpec describes a server certificate to issue.
type leafSpec struct {
	dns       []string
	ips       []net.IP
	notBefore time.Time
	notAfter  time.Time
}

// issue returns a server certificate signed by the CA (or self-signed when ca is nil).
func issue(t *testing.T, ca *testCA, s leafSpec) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "api test"},
		NotBefore:    s.notBefore,
		NotAfter:     s.notAfter,
		DNSNames:     s.dns,
		IPAddresses:  s.ips,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	parent, signer := tmpl, any(key)
	if ca != nil {
		parent, signer = ca.cert, ca.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, signer)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
}

// tlsServer serves h over TLS with the given certificate.
func tlsServer(t *testing.T, h http.Handler, cert tls.Certificate) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// hostRun scans target (any host name) with every connection routed to the
// test servers by port: port 80 to plain, 443 to secure. No name is ever
// resolved: the dialer ignores the host.
type hostRun struct {
	plain  *httptest.Server
	secure *httptest.Server
}

func (h hostRun) run(t *testing.T, c *Check, target string) []finding.Finding {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		var srv *httptest.Server
		switch {
		case strings.HasSuffix(addr, ":80"):
			srv = h.plain
		case strings.HasSuffix(addr, ":443"):
			srv = h.secure
		}
		if srv == nil {
			return nil, &net.OpError{Op: "dial", Net: network, Err: errRefused{}}
		}
		return (&net.Dialer{}).DialContext(ctx, "tcp", srv.Listener.Addr().String())
	}
	var mu sync.Mutex
	var out []finding.Finding
	emit := func(f finding.Finding) {
		f.Normalize()
		mu.Lock()
		out = append(out, f)
		mu.Unlock()
	}
	inv := inventory.New(u)
	tgt := &check.Target{URL: u, Inventory: inv, Stack: fingerprint.NewStack(), Profile: check.ProfileStandard,
		Token: "pptest0token", Mask: &mask.Masker{}}
	cl, err := engine.New(engine.Options{
		Scope:       engine.Scope{Hosts: []string{u.Hostname()}},
		Budget:      engine.Budget{MaxRequests: 100, MaxRedirects: engine.DefaultMaxRedirects},
		UserAgent:   "parapet/test",
		Insecure:    true,
		DialContext: dial,
		Observe:     func(ex *engine.Exchange) { c.Inspect(tgt, ex, emit) },
	})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = cl.Do(context.Background(), engine.Request{URL: u.String(), Check: "discover"})
	if err := c.Run(context.Background(), tgt, cl, emit); err != nil {
		t.Fatal(err)
	}
	return out
}

type errRefused struct{}

func (errRefused) Error() string { return "connection refused" }

// byKind returns the findings of one check id.
func byKind(fs []finding.Finding, kind string) []finding.Finding {
	var out []finding.Finding
	for _, f := range fs {
		if f.Check == kind {
			out = append(out, f)
		}
	}
	return out
}

// byParam returns the first finding of kind with the given location param.
func byParam(fs []finding.Finding, kind, param string) (finding.Finding, bool) {
	for _, f := range fs {
		if f.Check == kind && f.Location.Param == param {
			return f, true
		}
	}
	return finding.Finding{}, false
}

// assertWellFormed checks what every finding must carry.
func assertWellFormed(t *testing.T, f finding.Finding) {
	t.Helper()
	if f.Category != finding.Encryption || f.Title == "" || f.Description == "" || f.Remediation == "" ||
		f.CWE == "" || f.Severity.Rank() < 0 || f.Confidence == "" || f.Reproduce == "" || len(f.Evidence) == 0 ||
		f.Location.URL == "" || f.Location.Path == "" || f.Location.In == "" {
		t.Errorf("finding %s is missing fields: %+v", f.Check, f)
	}
}
