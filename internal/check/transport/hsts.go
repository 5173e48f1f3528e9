package transport

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/parapet-scanner/parapet/internal/check"
	"github.com/parapet-scanner/parapet/internal/engine"
	"github.com/parapet-scanner/parapet/internal/evidence"
	"github.com/parapet-scanner/parapet/internal/finding"
)

// MinHSTSMaxAge is the smallest max-age accepted without a finding: 180 days,
// the floor most hardening guides set (a year or more is better).
const MinHSTSMaxAge = 15552000

// hstsPolicy is a parsed Strict-Transport-Security header.
type hstsPolicy struct {
	MaxAge            int64
	IncludeSubDomains bool
	Preload           bool
}

// errHSTSMalformed means the header breaks RFC 6797's grammar, so browsers
// ignore it.
var errHSTSMalformed = errors.New("malformed Strict-Transport-Security header")

// parseHSTS parses one Strict-Transport-Security value per RFC 6797 6.1:
// directives separated by ";", names case-insensitive, values tokens or
// quoted strings, each directive at most once, max-age required and made of
// digits only. Browsers ignore a header that breaks these rules.
func parseHSTS(v string) (hstsPolicy, error) {
	var p hstsPolicy
	seen := map[string]bool{}
	hasMaxAge := false
	for _, d := range strings.Split(v, ";") {
		d = strings.TrimSpace(d)
		if d == "" {
			continue
		}
		name, val, hasVal := strings.Cut(d, "=")
		name = strings.ToLower(strings.TrimSpace(name))
		val = strings.TrimSpace(val)
		if name == "" || !isToken(name) {
			return p, fmt.Errorf("%w: directive %q is not a token", errHSTSMalformed, name)
		}
		if seen[name] {
			return p, fmt.Errorf("%w: directive %q appears twice", errHSTSMalformed, name)
		}
		seen[name] = true
		if len(val) >= 2 && val[0] == '"' && val[len(val)-1] == '"' {
			val = val[1 : len(val)-1]
		}
		switch name {
		case "max-age":
			if !hasVal || val == "" || strings.Trim(val, "0123456789") != "" {
				return p, fmt.Errorf("%w: max-age must be a number of seconds", errHSTSMalformed)
			}
			n, err := strconv.ParseInt(val, 10, 64)
			if err != nil {
				n = 1<<63 - 1 // more digits than int64: a very long max-age
			}
			p.MaxAge, hasMaxAge = n, true
		case "includesubdomains":
			p.IncludeSubDomains = true
		case "preload":
			p.Preload = true
		}
	}
	if !hasMaxAge {
		return p, fmt.Errorf("%w: max-age is missing", errHSTSMalformed)
	}
	return p, nil
}

// isToken reports whether s is an RFC 9110 token.
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return s != ""
}

// hstsVerdict is what one response says about HSTS.
type hstsVerdict struct {
	ex      *engine.Exchange
	header  string
	policy  hstsPolicy
	problem string // "", "missing", "malformed", "disabled", "short"
	err     error
}

func judgeHSTS(ex *engine.Exchange) hstsVerdict {
	v := hstsVerdict{ex: ex}
	vals := ex.Header.Values("Strict-Transport-Security")
	if len(vals) == 0 {
		v.problem = "missing"
		return v
	}
	// RFC 6797 8.1: a browser processes only the first header field.
	v.header = vals[0]
	p, err := parseHSTS(vals[0])
	switch {
	case err != nil:
		v.problem, v.err = "malformed", err
	case p.MaxAge == 0:
		v.problem = "disabled"
	case p.MaxAge < MinHSTSMaxAge:
		v.problem = "short"
	}
	v.policy = p
	return v
}

// runHSTS fetches the start URL and, when different, the site root over
// HTTPS and judges their Strict-Transport-Security headers. HSTS applies to
// the whole host once any response sets it, so "missing" is reported only
// when no judged response carries it. 2xx and 3xx responses are preferred:
// servers commonly add the header to successful responses only (nginx
// add_header without `always`), and a browser's first contact is one of
// those. When only 4xx responses came back (an API that answers 401 to
// anonymous clients), they are judged instead, with tentative confidence.
func (c *Check) runHSTS(ctx context.Context, t *check.Target, cl *engine.Client, emit check.Emit) {
	urls := []string{t.URL.String()}
	if root := siteURL(t.URL); t.URL.Path != "/" || t.URL.RawQuery != "" {
		urls = append(urls, root)
	}
	var ok, clientErr []hstsVerdict
	for _, u := range urls {
		ex, err := cl.Do(ctx, engine.Request{URL: u, Check: KindHSTS})
		if err != nil || !ex.OK() {
			continue
		}
		c.Inspect(t, ex, emit) // its TLS state and cookies, in case no observer is wired
		fu := exchangeURL(ex)
		if fu == nil || fu.Scheme != "https" {
			continue
		}
		switch {
		case ex.Status >= 200 && ex.Status < 400:
			ok = append(ok, judgeHSTS(ex))
		case ex.Status >= 400 && ex.Status < 500:
			clientErr = append(clientErr, judgeHSTS(ex))
		}
	}
	verdicts, conf := ok, finding.Confirmed
	if len(verdicts) == 0 {
		verdicts, conf = clientErr, finding.Tentative
	}
	if len(verdicts) == 0 {
		return
	}
	// The best verdict wins: one good header protects the host.
	best := verdicts[0]
	for _, v := range verdicts[1:] {
		if hstsRank(v.problem) < hstsRank(best.problem) {
			best = v
		}
	}
	if best.problem == "" {
		return
	}
	f := c.hstsFinding(t, best)
	if conf == finding.Tentative {
		f.Confidence = conf
		f.Description += " Only error responses (4xx) were seen; a server that adds HSTS to successful responses only " +
			"would look the same, so check an authenticated response — and add the header to error responses too " +
			"(nginx: add_header ... always)."
		f.Details["judged_on_error_responses"] = true
	}
	emit(f)
}

// hstsRank orders problems from none (best) to missing (worst).
func hstsRank(p string) int {
	switch p {
	case "":
		return 0
	case "short":
		return 1
	case "disabled":
		return 2
	case "malformed":
		return 3
	}
	return 4 // missing
}

func (c *Check) hstsFinding(t *check.Target, v hstsVerdict) finding.Finding {
	u := exchangeURL(v.ex)
	browserFacing := isHTML(v.ex) || len(v.ex.Header.Values("Set-Cookie")) > 0
	sev := finding.Low
	var desc, note string
	switch v.problem {
	case "missing":
		if browserFacing {
			sev = finding.Medium
		}
		desc = "HTTPS responses carry no Strict-Transport-Security header. Without HSTS a browser will still try " +
			"http:// for this host (typed URLs, old links), which lets an attacker on the network intercept that " +
			"first request and keep the user on plain HTTP (SSL stripping)."
		note = "no Strict-Transport-Security header on the HTTPS response"
	case "malformed":
		if browserFacing {
			sev = finding.Medium
		}
		desc = "The Strict-Transport-Security header does not follow RFC 6797, so browsers ignore it and the host is " +
			"not protected against SSL stripping."
		note = "Strict-Transport-Security is malformed: " + v.err.Error()
	case "disabled":
		if browserFacing {
			sev = finding.Medium
		}
		desc = "The Strict-Transport-Security header sets max-age=0, which tells browsers to forget the host's HSTS " +
			"policy: the host is not protected against SSL stripping."
		note = "Strict-Transport-Security has max-age=0"
	default: // short
		desc = fmt.Sprintf("The Strict-Transport-Security max-age is %d seconds, below 180 days (%d). A short policy "+
			"expires between visits, leaving users exposed to SSL stripping again.", v.policy.MaxAge, MinHSTSMaxAge)
		note = fmt.Sprintf("Strict-Transport-Security max-age=%d is below %d", v.policy.MaxAge, MinHSTSMaxAge)
	}
	details := map[string]any{"problem": v.problem, "header": v.header, "min_max_age": MinHSTSMaxAge}
	if v.header != "" {
		details["max_age"] = v.policy.MaxAge
		details["include_subdomains"] = v.policy.IncludeSubDomains
	}
	if ipLiteral(u.Hostname()) {
		// RFC 6797 8.1: browsers ignore HSTS from IP-address hosts.
		sev = finding.Info
		desc += " The target is addressed by IP, and browsers ignore HSTS for IP-address hosts: serve the API under a host name for HSTS to take effect."
		details["ip_address_host"] = true
	}
	return finding.Finding{
		Check:       KindHSTS,
		Category:    finding.Encryption,
		Severity:    sev,
		Confidence:  finding.Confirmed,
		Title:       "HSTS missing, weak or malformed",
		Description: desc,
		Remediation: check.Remediation(t, "Send `Strict-Transport-Security: max-age=31536000; includeSubDomains` on every HTTPS response (add `preload` once every subdomain serves HTTPS), and never on plain HTTP.",
			[2]string{"django", "Django: SECURE_HSTS_SECONDS = 31536000 and SECURE_HSTS_INCLUDE_SUBDOMAINS = True (SecurityMiddleware)."},
			[2]string{"express", "Express: app.use(helmet.hsts({ maxAge: 31536000, includeSubDomains: true }))."},
			[2]string{"spring", "Spring Security: http.headers(h -> h.httpStrictTransportSecurity(s -> s.maxAgeInSeconds(31536000).includeSubDomains(true)))."},
			[2]string{"aspnet", "ASP.NET Core: services.AddHsts(o => { o.MaxAge = TimeSpan.FromDays(365); o.IncludeSubDomains = true; }) and app.UseHsts()."},
			[2]string{"rails", "Rails: config.force_ssl = true (with config.ssl_options = { hsts: { expires: 1.year, subdomains: true } })."},
			[2]string{"laravel", "Laravel: add the header in a middleware or at the web server."},
			[2]string{"flask", "Flask: flask-talisman (strict_transport_security=True, strict_transport_security_max_age=31536000)."},
			[2]string{"nginx", "nginx: `add_header Strict-Transport-Security \"max-age=31536000; includeSubDomains\" always;` in the 443 server block."},
			[2]string{"apache", "Apache: `Header always set Strict-Transport-Security \"max-age=31536000; includeSubDomains\"` (mod_headers)."},
			[2]string{"iis", "IIS: enable HSTS on the site (IIS 10 version 1709+) or add the header in customHeaders."},
		),
		CWE: "CWE-319",
		Location: finding.Location{
			URL:   siteURL(u),
			Path:  "/",
			Param: "Strict-Transport-Security",
			In:    finding.InSite,
		},
		Evidence:  []finding.Evidence{evidence.From(v.ex, t.Mask, note, "")},
		Details:   details,
		Reproduce: evidence.Curl(v.ex, t.Mask),
	}
}
