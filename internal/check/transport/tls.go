package transport

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/parapet-scanner/parapet/internal/check"
	"github.com/parapet-scanner/parapet/internal/engine"
	"github.com/parapet-scanner/parapet/internal/evidence"
	"github.com/parapet-scanner/parapet/internal/finding"
)

// expiryWarning is the longest time before expiry at which an expiring
// certificate is reported. Short-lived certificates get a proportionally
// shorter window (a quarter of their lifetime) so that an ACME client that
// renews at two thirds of the lifetime, as they do, is never flagged.
const expiryWarning = 30 * 24 * time.Hour

// certCacheTTL bounds how long a certificate verdict is reused.
const certCacheTTL = time.Hour

// Location params that keep the TLS findings apart.
const (
	paramProtocol = "protocol"
	paramCipher   = "cipher-suite"
	paramCert     = "certificate"
	paramExpiry   = "certificate-expiry"
)

// certVerdict is the outcome of verifying one peer chain for one host.
type certVerdict struct {
	at       time.Time
	problems []string // human-readable, most severe first
	codes    []string // machine-readable: expired, not-yet-valid, hostname-mismatch, self-signed, untrusted, invalid
	expiring bool
	leaf     *x509.Certificate
}

// severityFor rates the certificate problems: on a public host any of them
// lets an attacker impersonate the API (high), except an issuer the scanner
// does not know, which may be an incomplete chain (medium). On internal hosts
// private CAs and self-signed certificates are common and the scanner may lack
// the organisation's root, so untrusted issuers are low and broken
// certificates medium.
func (v certVerdict) severity(internal bool) finding.Severity {
	broken := false
	for _, c := range v.codes {
		if c == "expired" || c == "not-yet-valid" || c == "hostname-mismatch" || c == "self-signed" {
			broken = true
		}
	}
	selfSigned := contains(v.codes, "self-signed")
	switch {
	case internal && (selfSigned || !broken):
		return finding.Low
	case internal:
		return finding.Medium
	case broken:
		return finding.High
	}
	return finding.Medium
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// inspectTLS judges the TLS connection of one HTTPS exchange.
func (c *Check) inspectTLS(t *check.Target, ex *engine.Exchange, u *url.URL, emit check.Emit) {
	cs := ex.TLS
	host := u.Hostname()
	internal := InternalHost(host)
	site := siteURL(u)
	if cs.Version != 0 && cs.Version < tls.VersionTLS12 {
		sev := finding.High
		if internal {
			sev = finding.Medium
		}
		name := tls.VersionName(cs.Version)
		emit(finding.Finding{
			Check:      KindTLS,
			Category:   finding.Encryption,
			Severity:   sev,
			Confidence: finding.Confirmed,
			Title:      "Outdated TLS protocol version",
			Description: "The server negotiated " + name + " as its best protocol version. TLS 1.0 and 1.1 are " +
				"deprecated (RFC 8996): they rely on weak constructions (CBC with implicit IVs, SHA-1 handshakes) and " +
				"are refused by current browsers and PCI-DSS.",
			Remediation: check.Remediation(t, "Enable TLS 1.2 and TLS 1.3 and disable TLS 1.0/1.1 (and all SSL versions).",
				[2]string{"nginx", "nginx: `ssl_protocols TLSv1.2 TLSv1.3;`."},
				[2]string{"apache", "Apache: `SSLProtocol -all +TLSv1.2 +TLSv1.3`."},
				[2]string{"iis", "IIS/Windows: disable TLS 1.0/1.1 under SCHANNEL\\Protocols in the registry (or with IIS Crypto)."},
			),
			CWE:      "CWE-327",
			Location: finding.Location{URL: site, Path: "/", Param: paramProtocol, In: finding.InSite},
			Evidence: []finding.Evidence{evidence.From(ex, t.Mask, "negotiated "+name, "")},
			Details: map[string]any{"version": name, "host": host,
				"openssl": "openssl s_client -connect " + hostPort(u) + " -servername " + host + " -tls1_1"},
			Reproduce: evidence.Curl(ex, t.Mask),
		})
	}
	if weak, ok := insecureSuite(cs.CipherSuite); ok {
		emit(finding.Finding{
			Check:      KindTLS,
			Category:   finding.Encryption,
			Severity:   finding.Medium,
			Confidence: finding.Confirmed,
			Title:      "Insecure TLS cipher suite",
			Description: "The server chose the cipher suite " + weak + ", which Go's TLS stack lists as insecure " +
				"(RC4, 3DES, or CBC-mode suites open to padding-oracle and timing attacks): its confidentiality or integrity can be attacked.",
			Remediation: check.Remediation(t, "Offer only AEAD cipher suites with forward secrecy (ECDHE with AES-GCM or ChaCha20-Poly1305) and prefer the server's order.",
				[2]string{"nginx", "nginx: set `ssl_ciphers` from the Mozilla intermediate profile and `ssl_prefer_server_ciphers on;`."},
				[2]string{"apache", "Apache: set `SSLCipherSuite` from the Mozilla intermediate profile and `SSLHonorCipherOrder on`."},
			),
			CWE:      "CWE-327",
			Location: finding.Location{URL: site, Path: "/", Param: paramCipher, In: finding.InSite},
			Evidence: []finding.Evidence{evidence.From(ex, t.Mask, "negotiated cipher suite "+weak, "")},
			Details: map[string]any{"cipher_suite": weak, "host": host,
				"openssl": "openssl s_client -connect " + hostPort(u) + " -servername " + host},
			Reproduce: evidence.Curl(ex, t.Mask),
		})
	}
	if len(cs.PeerCertificates) > 0 {
		c.reportCertificate(t, ex, u, cs.PeerCertificates, emit)
	}
}

// inspectTLSFailure reports the certificate of a connection the engine
// refused to use (a scan without --insecure).
func (c *Check) inspectTLSFailure(t *check.Target, ex *engine.Exchange, emit check.Emit) {
	var verr *tls.CertificateVerificationError
	if ex.Err == nil || !errors.As(ex.Err, &verr) || len(verr.UnverifiedCertificates) == 0 {
		return
	}
	u, err := url.Parse(ex.URL)
	if err != nil || u.Scheme != "https" {
		return
	}
	c.reportCertificate(t, ex, u, verr.UnverifiedCertificates, emit)
}

func (c *Check) reportCertificate(t *check.Target, ex *engine.Exchange, u *url.URL, chain []*x509.Certificate, emit check.Emit) {
	host := u.Hostname()
	v := c.verifyCached(chain, host)
	site := siteURL(u)
	leaf := v.leaf
	details := map[string]any{
		"host":       host,
		"subject":    leaf.Subject.String(),
		"issuer":     leaf.Issuer.String(),
		"not_before": leaf.NotBefore.UTC().Format(time.RFC3339),
		"not_after":  leaf.NotAfter.UTC().Format(time.RFC3339),
		"dns_names":  leaf.DNSNames,
		"openssl":    "openssl s_client -connect " + hostPort(u) + " -servername " + host + " -showcerts",
	}
	// curl verifies certificates by default, so the command shows the problem.
	reproduce := evidence.Curl(ex, t.Mask)
	if len(v.problems) > 0 {
		internal := InternalHost(host)
		d := cloneDetails(details)
		d["problems"] = v.codes
		conf := finding.Confirmed
		if len(v.codes) == 1 && v.codes[0] == "untrusted" {
			conf = finding.Firm // the scanner's roots may lack a private CA, or the chain may be incomplete
		}
		emit(finding.Finding{
			Check:      KindTLS,
			Category:   finding.Encryption,
			Severity:   v.severity(internal),
			Confidence: conf,
			Title:      "TLS certificate is not valid for this host",
			Description: "The server's certificate fails verification: " + strings.Join(v.problems, "; ") + ". Clients " +
				"that verify certificates refuse the connection, and clients configured to accept it (verify=False, " +
				"--insecure) cannot tell the real API from an attacker presenting their own certificate.",
			Remediation: "Serve a certificate from a publicly trusted CA (for example Let's Encrypt via an ACME client) " +
				"that covers the host name, is within its validity period, and is sent with its full intermediate chain; " +
				"automate renewal. For internal services, issue certificates from the organisation's CA and distribute its root to clients.",
			CWE:       "CWE-295",
			Location:  finding.Location{URL: site, Path: "/", Param: paramCert, In: finding.InSite},
			Evidence:  []finding.Evidence{evidence.From(ex, t.Mask, "certificate: "+strings.Join(v.problems, "; "), "")},
			Details:   d,
			Reproduce: reproduce,
		})
	}
	if v.expiring {
		now := c.clock()
		days := int(leaf.NotAfter.Sub(now).Hours() / 24)
		d := cloneDetails(details)
		d["days_left"] = days
		emit(finding.Finding{
			Check:      KindTLS,
			Category:   finding.Encryption,
			Severity:   finding.Low,
			Confidence: finding.Confirmed,
			Title:      "TLS certificate expires soon",
			Description: fmt.Sprintf("The server's certificate expires on %s (%d days from now) and has not been "+
				"renewed yet. Once it expires, clients refuse the connection or, worse, get told to ignore certificate errors.",
				leaf.NotAfter.UTC().Format("2006-01-02"), days),
			Remediation: "Renew the certificate now and automate renewal (an ACME client such as certbot, or your cloud provider's managed certificates), with monitoring that alerts before expiry.",
			CWE:         "CWE-298",
			Location:    finding.Location{URL: site, Path: "/", Param: paramExpiry, In: finding.InSite},
			Evidence:    []finding.Evidence{evidence.From(ex, t.Mask, "certificate not_after "+leaf.NotAfter.UTC().Format(time.RFC3339), "")},
			Details:     d,
			Reproduce:   reproduce,
		})
	}
}

func cloneDetails(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+2)
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (c *Check) clock() time.Time {
	if c.now != nil {
		return c.now()
	}
	return time.Now()
}

// verifyCached verifies chain for host once per certificate, host and hour.
func (c *Check) verifyCached(chain []*x509.Certificate, host string) certVerdict {
	now := c.clock()
	key := sha256.Sum256(append(append([]byte(nil), chain[0].Raw...), host...))
	if v, ok := c.certs.Load(key); ok {
		cv := v.(certVerdict)
		if now.Sub(cv.at) >= 0 && now.Sub(cv.at) < certCacheTTL {
			return cv
		}
	}
	cv := verifyChain(chain, host, c.roots, now)
	c.certs.Store(key, cv)
	return cv
}

// verifyChain checks the peer chain itself, since a scan with --insecure
// skips the engine's verification. Each problem is judged separately —
// validity period, host name, trust — so that one does not hide another.
func verifyChain(chain []*x509.Certificate, host string, roots *x509.CertPool, now time.Time) certVerdict {
	leaf := chain[0]
	v := certVerdict{at: now, leaf: leaf}
	add := func(code, text string) {
		v.codes = append(v.codes, code)
		v.problems = append(v.problems, text)
	}
	switch {
	case now.After(leaf.NotAfter):
		add("expired", "it expired on "+leaf.NotAfter.UTC().Format("2006-01-02"))
	case now.Before(leaf.NotBefore):
		add("not-yet-valid", "it is not valid before "+leaf.NotBefore.UTC().Format("2006-01-02"))
	default:
		left := leaf.NotAfter.Sub(now)
		window := min(expiryWarning, leaf.NotAfter.Sub(leaf.NotBefore)/4)
		v.expiring = left < window
	}
	if err := leaf.VerifyHostname(host); err != nil {
		add("hostname-mismatch", "it is not issued for "+host+" (it covers "+coveredNames(leaf)+")")
	}
	inter := x509.NewCertPool()
	for _, ic := range chain[1:] {
		inter.AddCert(ic)
	}
	// Verify trust at a moment when the leaf is valid, so expiry is reported
	// once, above, and not again as a trust failure.
	at := now
	if at.After(leaf.NotAfter) {
		at = leaf.NotAfter.Add(-time.Second)
	} else if at.Before(leaf.NotBefore) {
		at = leaf.NotBefore.Add(time.Second)
	}
	_, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: at})
	if err != nil {
		var ua x509.UnknownAuthorityError
		var inv x509.CertificateInvalidError
		switch {
		case selfSigned(leaf):
			add("self-signed", "it is self-signed")
		case errors.As(err, &ua):
			add("untrusted", "it is signed by an unknown authority (a private CA, or the server does not send its intermediate certificates)")
		case errors.As(err, &inv) && inv.Reason == x509.Expired:
			add("invalid", "a certificate in its chain has expired")
		default:
			add("invalid", "its chain does not verify: "+err.Error())
		}
	}
	return v
}

// selfSigned reports whether the certificate is signed by its own key.
func selfSigned(c *x509.Certificate) bool {
	return string(c.RawIssuer) == string(c.RawSubject) &&
		c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
}

func coveredNames(c *x509.Certificate) string {
	var names []string
	names = append(names, c.DNSNames...)
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) == 0 && c.Subject.CommonName != "" {
		names = append(names, "CN "+c.Subject.CommonName)
	}
	if len(names) == 0 {
		return "no names"
	}
	if len(names) > 5 {
		names = append(names[:5], "…")
	}
	return strings.Join(names, ", ")
}

// insecureSuite reports whether id is one of Go's insecure cipher suites.
func insecureSuite(id uint16) (string, bool) {
	for _, s := range tls.InsecureCipherSuites() {
		if s.ID == id {
			return s.Name, true
		}
	}
	return "", false
}

func hostPort(u *url.URL) string {
	host := u.Hostname()
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	port := u.Port()
	if port == "" {
		port = "443"
	}
	return host + ":" + port
}
