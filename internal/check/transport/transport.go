// Package transport is the encryption check: it judges how the target protects
// traffic in transit — plain HTTP, the HTTP to HTTPS redirect, HSTS, cookie
// flags, mixed content and the TLS connection and certificate. Most of it is
// passive (every exchange of the scan is inspected); Run adds a handful of
// GET requests.
package transport

import (
	"context"
	"crypto/x509"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/parapet-scanner/parapet/internal/check"
	"github.com/parapet-scanner/parapet/internal/engine"
	"github.com/parapet-scanner/parapet/internal/evidence"
	"github.com/parapet-scanner/parapet/internal/finding"
)

// Check ids of the kinds this check reports.
const (
	KindPlainHTTP       = "encryption/plain-http"
	KindNoHTTPSRedirect = "encryption/no-https-redirect"
	KindHSTS            = "encryption/hsts"
	KindCookieFlags     = "encryption/cookie-flags"
	KindMixedContent    = "encryption/mixed-content"
	KindTLS             = "encryption/tls"
)

// Check is the encryption check. Create it with New.
type Check struct {
	// roots verifies peer certificates; nil means the system roots.
	roots *x509.CertPool
	// now is the clock for certificate validity.
	now func() time.Time
	// httpVariant returns the plain-http URL to probe for an https target,
	// or false when none should be probed.
	httpVariant func(u *url.URL) (string, bool)
	// certs caches certificate verdicts by leaf certificate and host, so the
	// chain is verified once per scan rather than once per exchange.
	certs sync.Map
}

var _ check.Check = (*Check)(nil)

var (
	_ check.Passive      = (*Check)(nil)
	_ check.WithFixtures = (*Check)(nil)
)

// New returns the encryption check, verifying certificates against the
// system roots.
func New() *Check {
	return &Check{now: time.Now, httpVariant: defaultHTTPVariant}
}

// ID returns the check's id, its category.
func (c *Check) ID() string { return string(finding.Encryption) }

// Category returns finding.Encryption.
func (c *Check) Category() finding.Category { return finding.Encryption }

// Kinds lists the kinds of finding this check reports.
func (c *Check) Kinds() []check.Kind {
	return []check.Kind{
		{ID: KindPlainHTTP, Title: "API served over plain HTTP",
			Description: "The target answers over unencrypted HTTP (info on loopback and private addresses, high on public ones)."},
		{ID: KindNoHTTPSRedirect, Title: "HTTP is served without redirecting to HTTPS",
			Description: "The http:// variant of an HTTPS host serves content instead of redirecting to https://."},
		{ID: KindHSTS, Title: "HSTS missing, weak or malformed",
			Description: "HTTPS responses lack a valid Strict-Transport-Security header with a max-age of at least 180 days."},
		{ID: KindCookieFlags, Title: "Cookie set without security attributes",
			Description: "Set-Cookie without Secure (on HTTPS), HttpOnly (session cookies) or SameSite (session cookies)."},
		{ID: KindMixedContent, Title: "HTTPS page loads content over HTTP",
			Description: "HTML served over HTTPS references scripts, styles, frames, forms or images over plain http://."},
		{ID: KindTLS, Title: "TLS protocol, cipher or certificate problem",
			Description: "TLS older than 1.2, an insecure cipher suite, a certificate that is expired, not yet valid, self-signed, untrusted or for another host, or one that expires soon."},
	}
}

// Run sends the few requests the passive part cannot do without: the start
// URL without following redirects (plain HTTP), the start URL and the site
// root over HTTPS (HSTS), and the http:// variant of an HTTPS host.
func (c *Check) Run(ctx context.Context, t *check.Target, cl *engine.Client, emit check.Emit) error {
	if t == nil || t.URL == nil {
		return nil
	}
	switch t.URL.Scheme {
	case "http":
		c.runPlainHTTP(ctx, t, cl, emit)
	case "https":
		c.runHSTS(ctx, t, cl, emit)
		c.runHTTPSRedirect(ctx, t, cl, emit)
	}
	return ctx.Err()
}

// Inspect judges one exchange: its TLS connection, the cookies it sets and,
// for HTML over HTTPS, the resources the page loads.
func (c *Check) Inspect(t *check.Target, ex *engine.Exchange, emit check.Emit) {
	if ex == nil {
		return
	}
	if !ex.OK() {
		c.inspectTLSFailure(t, ex, emit)
		return
	}
	u := exchangeURL(ex)
	if u == nil {
		return
	}
	https := u.Scheme == "https"
	if https && ex.TLS != nil {
		c.inspectTLS(t, ex, u, emit)
	}
	if len(ex.Header.Values("Set-Cookie")) > 0 {
		c.inspectCookies(t, ex, https, emit)
	}
	if https && ex.Status >= 200 && ex.Status < 300 && isHTML(ex) {
		c.inspectMixedContent(t, ex, emit)
	}
}

// exchangeURL is where the response came from: the final URL after
// redirects, else the requested one.
func exchangeURL(ex *engine.Exchange) *url.URL {
	raw := ex.FinalURL
	if raw == "" {
		raw = ex.URL
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil
	}
	return u
}

// siteURL returns scheme://host/ for u.
func siteURL(u *url.URL) string {
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/"}).String()
}

func isHTML(ex *engine.Exchange) bool {
	ct := ex.ContentType()
	return ct == "text/html" || ct == "application/xhtml+xml"
}

// runPlainHTTP reports an http:// target unless its start URL redirects to https.
func (c *Check) runPlainHTTP(ctx context.Context, t *check.Target, cl *engine.Client, emit check.Emit) {
	ex, err := cl.Do(ctx, engine.Request{URL: t.URL.String(), Check: KindPlainHTTP, NoRedirect: true})
	if err != nil || !ex.OK() {
		return
	}
	if ex.Status >= 300 && ex.Status < 400 {
		if loc, lerr := t.URL.Parse(ex.Header.Get("Location")); lerr == nil && loc.Scheme == "https" {
			return // the http URL only sends clients to https
		}
	}
	host := t.URL.Hostname()
	internal := InternalHost(host)
	sev := finding.High
	desc := "The API is reachable over plain HTTP on a public host. Everything sent to it — credentials, tokens, " +
		"session cookies, personal data — crosses the network unencrypted, where anyone on the path (public Wi-Fi, " +
		"an ISP, a compromised router) can read and change it."
	if internal {
		sev = finding.Info
		desc = "The target is served over plain HTTP on a loopback, private or internal address, which looks like a " +
			"development or internal setup. Traffic is unencrypted; make sure the deployed API is only reachable over HTTPS."
	}
	emit(finding.Finding{
		Check:       KindPlainHTTP,
		Category:    finding.Encryption,
		Severity:    sev,
		Confidence:  finding.Confirmed,
		Title:       "API served over plain HTTP",
		Description: desc,
		Remediation: check.Remediation(t, "Serve the API only over HTTPS (TLS 1.2 or later) and answer plain http:// with a 301/308 redirect to https:// (or close port 80).",
			[2]string{"django", "Django: terminate TLS in front of the app and set SECURE_SSL_REDIRECT = True (with SECURE_PROXY_SSL_HEADER when behind a proxy)."},
			[2]string{"nginx", "nginx: add a `listen 443 ssl` server block and `return 301 https://$host$request_uri;` in the port-80 server."},
			[2]string{"express", "Express: terminate TLS at the load balancer or use https.createServer, and redirect http requests (app.set('trust proxy', 1) when behind a proxy)."},
			[2]string{"spring", "Spring Boot: configure server.ssl.* and require HTTPS with http.requiresChannel().anyRequest().requiresSecure()."},
			[2]string{"aspnet", "ASP.NET Core: app.UseHttpsRedirection() and app.UseHsts()."},
			[2]string{"flask", "Flask: terminate TLS in front of the app and redirect http (for example with flask-talisman)."},
		),
		CWE: "CWE-319",
		Location: finding.Location{
			URL:  siteURL(t.URL),
			Path: "/",
			In:   finding.InSite,
		},
		Evidence:  []finding.Evidence{evidence.From(ex, t.Mask, "the start URL answered over http:// without redirecting to https://", "")},
		Details:   map[string]any{"host": host, "internal_address": internal},
		Reproduce: evidence.Curl(ex, t.Mask),
	})
}

// defaultHTTPVariant maps https://host[:port]/… to http://host/ — what a
// browser reaches when a user types the bare host name. Loopback hosts are
// skipped: port 80 on this machine is likely another program.
func defaultHTTPVariant(u *url.URL) (string, bool) {
	if u == nil || u.Scheme != "https" || loopbackHost(u.Hostname()) {
		return "", false
	}
	host := u.Hostname()
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return "http://" + host + "/", true
}

// runHTTPSRedirect probes the http:// variant of an https target and reports
// it when it ends on content served over http instead of on https.
func (c *Check) runHTTPSRedirect(ctx context.Context, t *check.Target, cl *engine.Client, emit check.Emit) {
	variant := c.httpVariant
	if variant == nil {
		variant = defaultHTTPVariant
	}
	target, ok := variant(t.URL)
	if !ok {
		return
	}
	ex, err := cl.Do(ctx, engine.Request{URL: target, Check: KindNoHTTPSRedirect})
	if err != nil || !ex.OK() {
		return // nothing listens on http, or the engine refused: nothing served in clear
	}
	final := exchangeURL(ex)
	if final == nil || final.Scheme == "https" {
		return
	}
	if ex.OffScopeTarget != "" {
		if off, perr := url.Parse(ex.OffScopeTarget); perr == nil && off.Scheme == "https" {
			return // redirected to https on another host
		}
	}
	if ex.Status < 200 || ex.Status >= 300 {
		return // an error page or a redirect we could not follow: no content served
	}
	emit(finding.Finding{
		Check:      KindNoHTTPSRedirect,
		Category:   finding.Encryption,
		Severity:   finding.Medium,
		Confidence: finding.Confirmed,
		Title:      "HTTP is served without redirecting to HTTPS",
		Description: "The host serves the API over HTTPS, but its plain http:// variant answers with content instead of " +
			"redirecting to https://. Users and clients that type or link the bare host name stay on an unencrypted " +
			"connection, and cookies without the Secure flag are sent in clear to it; an attacker on the network can " +
			"also strip the upgrade to HTTPS (SSL stripping).",
		Remediation: check.Remediation(t, "Answer every plain-http request with a 301 or 308 redirect to the same URL on https://, and send HSTS on HTTPS responses so browsers stop trying http at all.",
			[2]string{"nginx", "nginx: in the port-80 server block use `return 301 https://$host$request_uri;`."},
			[2]string{"apache", "Apache: `Redirect permanent / https://your-host/` in the port-80 VirtualHost."},
			[2]string{"django", "Django: SECURE_SSL_REDIRECT = True."},
			[2]string{"aspnet", "ASP.NET Core: app.UseHttpsRedirection()."},
			[2]string{"spring", "Spring Security: http.requiresChannel().anyRequest().requiresSecure()."},
		),
		CWE: "CWE-319",
		Location: finding.Location{
			URL:  target,
			Path: "/",
			In:   finding.InSite,
		},
		Evidence:  []finding.Evidence{evidence.From(ex, t.Mask, "the http:// variant of the host served content instead of redirecting to https://", "")},
		Details:   map[string]any{"probed_url": target, "final_url": final.String(), "status": ex.Status},
		Reproduce: evidence.Curl(ex, t.Mask),
	})
}
