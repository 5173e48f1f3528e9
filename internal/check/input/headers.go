package input

import (
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/parapet-scanner/parapet/internal/check"
	"github.com/parapet-scanner/parapet/internal/check/transport"
	"github.com/parapet-scanner/parapet/internal/engine"
	"github.com/parapet-scanner/parapet/internal/evidence"
	"github.com/parapet-scanner/parapet/internal/finding"
	"github.com/parapet-scanner/parapet/internal/mask"
)

// Header names as listed in findings.
const (
	hdrNosniff   = "X-Content-Type-Options"
	hdrCSP       = "Content-Security-Policy"
	hdrFrame     = "X-Frame-Options"
	hdrReferrer  = "Referrer-Policy"
	hdrNoStore   = "Cache-Control: no-store"
	maxEvidences = 2
)

var (
	metaCSPRe      = regexp.MustCompile(`(?i)<meta[^>]+http-equiv\s*=\s*["']?content-security-policy`)
	metaReferrerRe = regexp.MustCompile(`(?i)<meta[^>]+name\s*=\s*["']?referrer["'\s>]`)
	frameAncRe     = regexp.MustCompile(`(?i)(^|;)\s*frame-ancestors\s`)
)

// headerVerdict lists what one response lacks.
type headerVerdict struct {
	ex      *engine.Exchange
	kind    string // "html" or "api"
	missing []string
}

// responseKind tells HTML pages from API payloads; "" for anything else.
func responseKind(ex *engine.Exchange) string {
	ct := ex.ContentType()
	switch {
	case ct == "text/html" || ct == "application/xhtml+xml":
		return "html"
	case ct == "application/json" || strings.HasSuffix(ct, "+json") || ct == "application/xml" ||
		ct == "text/xml" || strings.HasSuffix(ct, "+xml") || ct == "text/plain" || ct == "application/x-ndjson":
		return "api"
	}
	return ""
}

// carriesCredentials reports whether the request sent credentials or the
// response sets a session cookie: such responses must not be cached.
func carriesCredentials(ex *engine.Exchange) bool {
	for k := range ex.RequestHeader {
		if mask.IsSensitiveHeader(k) {
			return true
		}
	}
	for _, ck := range ex.SetCookies() {
		if ck.Value != "" && ck.MaxAge >= 0 && transport.SensitiveCookie(ck.Name, ck.Value) {
			return true
		}
	}
	return false
}

// judgeHeaders lists the security headers one response lacks. Only real
// answers are judged — 2xx and 4xx HTML or API payloads — never 5xx error
// pages, redirects or other media.
func judgeHeaders(ex *engine.Exchange) (headerVerdict, bool) {
	v := headerVerdict{ex: ex}
	if !ex.OK() || !(ex.Status >= 200 && ex.Status < 300 || ex.Status >= 400 && ex.Status < 500) {
		return v, false
	}
	v.kind = responseKind(ex)
	if v.kind == "" {
		return v, false
	}
	h := ex.Header
	if !strings.EqualFold(strings.TrimSpace(h.Get("X-Content-Type-Options")), "nosniff") {
		v.missing = append(v.missing, hdrNosniff)
	}
	if v.kind == "html" {
		csp := strings.Join(h.Values("Content-Security-Policy"), ";")
		if csp == "" && !metaCSPRe.Match(ex.Body) {
			v.missing = append(v.missing, hdrCSP)
		}
		xfo := strings.ToUpper(strings.TrimSpace(h.Get("X-Frame-Options")))
		if xfo != "DENY" && xfo != "SAMEORIGIN" && !frameAncRe.MatchString(csp) {
			v.missing = append(v.missing, hdrFrame)
		}
		if h.Get("Referrer-Policy") == "" && !metaReferrerRe.Match(ex.Body) {
			v.missing = append(v.missing, hdrReferrer)
		}
	}
	if ex.Status < 300 && carriesCredentials(ex) &&
		!strings.Contains(strings.ToLower(strings.Join(h.Values("Cache-Control"), ",")), "no-store") {
		v.missing = append(v.missing, hdrNoStore)
	}
	return v, true
}

// headerAdvice explains each missing header.
var headerAdvice = map[string]string{
	hdrNosniff:  "X-Content-Type-Options: nosniff stops browsers from guessing a content type, so a JSON or text response containing markup is never run as HTML or script.",
	hdrCSP:      "Content-Security-Policy limits where scripts, styles and frames may come from, containing the damage of an injection (XSS).",
	hdrFrame:    "X-Frame-Options: DENY (or CSP frame-ancestors 'none') stops other sites from framing the page for clickjacking.",
	hdrReferrer: "Referrer-Policy (strict-origin-when-cross-origin or no-referrer) keeps URLs with tokens or ids from leaking to other sites.",
	hdrNoStore:  "Cache-Control: no-store keeps responses to authenticated requests out of browser and proxy caches, where the next user of the machine or proxy could read them.",
}

// reportHeaders emits one site finding listing every header missing from
// the judged responses.
func (c *Check) reportHeaders(t *check.Target, exs []*engine.Exchange, emit check.Emit) {
	var verdicts []headerVerdict
	missing := map[string]bool{}
	for _, ex := range exs {
		v, ok := judgeHeaders(ex)
		if !ok || len(v.missing) == 0 {
			continue
		}
		verdicts = append(verdicts, v)
		for _, m := range v.missing {
			missing[m] = true
		}
	}
	if len(verdicts) == 0 {
		return
	}
	var names []string
	for m := range missing {
		names = append(names, m)
	}
	sort.Strings(names)
	var why []string
	for _, m := range names {
		why = append(why, headerAdvice[m])
	}
	var evs []finding.Evidence
	var responses []map[string]any
	seenKind := map[string]bool{}
	for _, v := range verdicts {
		responses = append(responses, map[string]any{
			"url": v.ex.URL, "status": v.ex.Status, "content_type": v.ex.ContentType(), "missing": v.missing,
		})
		if len(evs) < maxEvidences && !seenKind[v.kind] {
			seenKind[v.kind] = true
			evs = append(evs, evidence.From(v.ex, t.Mask, "missing: "+strings.Join(v.missing, ", "), ""))
		}
	}
	u, _ := url.Parse(verdicts[0].ex.URL)
	emit(finding.Finding{
		Check:       KindSecurityHeaders,
		Category:    finding.InputValidation,
		Severity:    finding.Low,
		Confidence:  finding.Firm,
		Title:       "Security headers missing",
		Description: "Responses from the API lack security headers: " + strings.Join(names, ", ") + ". " + strings.Join(why, " "),
		Remediation: check.Remediation(t, "Add the missing headers to every response, error responses included (for JSON APIs: X-Content-Type-Options: nosniff and Cache-Control: no-store on authenticated responses; for HTML: also Content-Security-Policy with frame-ancestors, X-Frame-Options and Referrer-Policy).",
			[2]string{"django", "Django: keep SecurityMiddleware and XFrameOptionsMiddleware enabled (SECURE_CONTENT_TYPE_NOSNIFF, X_FRAME_OPTIONS = 'DENY', SECURE_REFERRER_POLICY), add CSP with django-csp, and decorate authenticated views with @never_cache."},
			[2]string{"express", "Express: app.use(helmet()) sets nosniff, CSP, frame-ancestors and Referrer-Policy; add res.set('Cache-Control', 'no-store') on authenticated routes."},
			[2]string{"spring", "Spring Security: its default headers() add nosniff, X-Frame-Options and Cache-Control: no-store; add .contentSecurityPolicy(...) and .referrerPolicy(...)."},
			[2]string{"aspnet", "ASP.NET Core: add the headers in a middleware (or NWebsec), and [ResponseCache(NoStore = true)] on authenticated endpoints."},
			[2]string{"rails", "Rails: config.action_dispatch.default_headers and config/initializers/content_security_policy.rb."},
			[2]string{"flask", "Flask: flask-talisman sets CSP, frame options, nosniff and Referrer-Policy."},
			[2]string{"laravel", "Laravel: add the headers in a middleware registered for all routes."},
			[2]string{"nginx", "nginx: add_header ... always; (without `always` the headers are missing on error responses)."},
			[2]string{"apache", "Apache: Header always set ... with mod_headers."},
		),
		CWE:       "CWE-693",
		Location:  finding.Location{URL: siteURL(u), Path: "/", In: finding.InSite},
		Evidence:  evs,
		Details:   map[string]any{"missing": names, "responses": responses},
		Reproduce: evidence.Curl(verdicts[0].ex, t.Mask),
	})
}
