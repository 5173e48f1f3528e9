package transport

import (
	"net/http"
	"strings"
	"time"

	"github.com/parapet-scanner/parapet/internal/check"
	"github.com/parapet-scanner/parapet/internal/engine"
	"github.com/parapet-scanner/parapet/internal/evidence"
	"github.com/parapet-scanner/parapet/internal/finding"
)

// sessionWords mark a cookie name as carrying a session or credential.
var sessionWords = []string{
	"session", "sess", "token", "jwt", "auth", "remember", "logged_in",
	".aspnetcore.cookies", "wordpress_sec",
}

// csrfWords mark an anti-CSRF cookie. Double-submit designs (Django's
// csrftoken, Angular's and Laravel's XSRF-TOKEN) need JavaScript to read it,
// so it is not expected to be HttpOnly.
var csrfWords = []string{"csrf", "xsrf", "antiforgery"}

// CSRFCookie reports whether a cookie name looks like an anti-CSRF token
// (csrftoken, XSRF-TOKEN, _csrf, .AspNetCore.Antiforgery.*).
func CSRFCookie(name string) bool {
	n := strings.ToLower(name)
	for _, w := range csrfWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// SessionCookie reports whether a cookie name looks like a session or
// authentication cookie (sessionid, PHPSESSID, connect.sid, JSESSIONID,
// laravel_session, auth_token, jwt, remember_me, .AspNetCore.Cookies, …).
// Anti-CSRF cookies are not session cookies.
func SessionCookie(name string) bool {
	if CSRFCookie(name) {
		return false
	}
	n := strings.ToLower(name)
	for _, w := range sessionWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	// "sid" as a word or word ending: connect.sid, SID, HSID, APISID — not "side".
	for _, tok := range strings.FieldsFunc(n, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') }) {
		if tok == "sid" || (strings.HasSuffix(tok, "sid") && len(tok) <= 8) {
			return true
		}
	}
	return false
}

// SensitiveCookie reports whether a cookie should be treated like a session
// cookie: its name says so, or its value is a long opaque token (a signed or
// serialized state blob, an access token) rather than a short preference such
// as "theme=dark" or "lang=en-US". Anti-CSRF cookies are never sensitive here.
func SensitiveCookie(name, value string) bool {
	if CSRFCookie(name) {
		return false
	}
	return SessionCookie(name) || tokenLikeValue(value)
}

// tokenLikeValue reports whether v looks like an opaque credential or state
// token: at least 24 characters of base64/hex/URL-safe token alphabet with
// both letters and digits.
func tokenLikeValue(v string) bool {
	v = strings.Trim(v, `"`)
	if len(v) < 24 {
		return false
	}
	letters, digits := false, false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			letters = true
		case c >= '0' && c <= '9':
			digits = true
		case strings.IndexByte("-_.:%+/=~", c) >= 0:
		default:
			return false
		}
	}
	return letters && digits
}

// cookieIssues lists what a Set-Cookie lacks and how bad that is.
type cookieIssues struct {
	missing []string
	sev     finding.Severity
	notes   []string
}

func (ci *cookieIssues) add(attr string, sev finding.Severity, note string) {
	ci.missing = append(ci.missing, attr)
	ci.notes = append(ci.notes, note)
	if sev.Rank() > ci.sev.Rank() {
		ci.sev = sev
	}
}

// judgeCookie decides which attributes a cookie should carry:
//   - Secure, on HTTPS only (on a plain-HTTP site the Secure flag would stop
//     the cookie from working; the plain-http finding covers that site):
//     medium for session cookies, low for others;
//   - HttpOnly, for session cookies only (anti-CSRF and preference cookies
//     are often meant for JavaScript): medium on HTTPS, low on HTTP;
//   - SameSite, for session cookies only: low;
//   - SameSite=None without Secure, which browsers reject: low.
//
// Cookies being deleted (empty value, expiry in the past) are ignored.
func judgeCookie(ck *http.Cookie, https bool, now time.Time) cookieIssues {
	var ci cookieIssues
	if ck.Value == "" || ck.MaxAge < 0 || (!ck.Expires.IsZero() && ck.Expires.Before(now)) {
		return ci
	}
	session := SensitiveCookie(ck.Name, ck.Value)
	if https && !ck.Secure {
		sev := finding.Low
		if session {
			sev = finding.Medium
		}
		ci.add("Secure", sev, "no Secure flag: the browser also sends it over plain http://")
	}
	if session && !ck.HttpOnly {
		sev := finding.Low
		if https {
			sev = finding.Medium
		}
		ci.add("HttpOnly", sev, "no HttpOnly flag: any script injected into the page (XSS) can read it")
	}
	switch {
	case session && ck.SameSite == 0:
		ci.add("SameSite", finding.Low, "no SameSite attribute: browsers other than Chromium attach it to cross-site requests (CSRF)")
	case ck.SameSite == http.SameSiteNoneMode && !ck.Secure && !https: // on https, Secure is already listed
		ci.add("Secure (required by SameSite=None)", finding.Low, "SameSite=None without Secure: browsers reject the cookie")
	}
	return ci
}

// inspectCookies reports each cookie the response sets without the
// attributes it needs; one finding per cookie name.
func (c *Check) inspectCookies(t *check.Target, ex *engine.Exchange, https bool, emit check.Emit) {
	now := c.clock()
	for _, ck := range ex.SetCookies() {
		ci := judgeCookie(ck, https, now)
		if len(ci.missing) == 0 {
			continue
		}
		session := SensitiveCookie(ck.Name, ck.Value)
		kind := "cookie"
		if session {
			kind = "session cookie"
		} else if CSRFCookie(ck.Name) {
			kind = "anti-CSRF cookie"
		}
		desc := "The response sets a " + kind + " without " + strings.Join(ci.missing, ", ") + ": " +
			strings.Join(ci.notes, "; ") + "."
		if session {
			desc += " A stolen session cookie is as good as the user's password until the session ends."
		}
		attrs := sameSiteName(ck.SameSite)
		emit(finding.Finding{
			Check:       KindCookieFlags,
			Category:    finding.Encryption,
			Severity:    ci.sev,
			Confidence:  finding.Confirmed,
			Title:       "Cookie set without security attributes",
			Description: desc,
			Remediation: check.Remediation(t, "Set the cookie with `Secure; HttpOnly; SameSite=Lax` (Strict where cross-site navigation never needs it); anti-CSRF cookies that JavaScript must read may omit HttpOnly.",
				cookieHints(session)...),
			CWE: cookieCWE(ci.missing),
			// A cookie belongs to the site, not to the request that set it:
			// the method is fixed so that a cookie set on every response
			// (load balancers, PHP sessions) is one finding, not one per method.
			Location: finding.Location{
				Method: "GET",
				URL:    ex.URL,
				Path:   "/",
				Param:  ck.Name,
				In:     finding.InResponseCookie,
			},
			Evidence: []finding.Evidence{evidence.From(ex, t.Mask, "Set-Cookie "+ck.Name+" lacks "+strings.Join(ci.missing, ", "), "")},
			Details: map[string]any{
				"cookie":   ck.Name,
				"missing":  ci.missing,
				"session":  session,
				"secure":   ck.Secure,
				"httponly": ck.HttpOnly,
				"samesite": attrs,
				"https":    https,
			},
			Reproduce: evidence.Curl(ex, t.Mask),
		})
	}
}

func cookieCWE(missing []string) string {
	for _, m := range missing {
		if m == "Secure" {
			return "CWE-614"
		}
	}
	for _, m := range missing {
		if m == "HttpOnly" {
			return "CWE-1004"
		}
	}
	return "CWE-1275"
}

func sameSiteName(s http.SameSite) string {
	switch s {
	case http.SameSiteLaxMode:
		return "Lax"
	case http.SameSiteStrictMode:
		return "Strict"
	case http.SameSiteNoneMode:
		return "None"
	case http.SameSiteDefaultMode:
		return "invalid"
	}
	return ""
}

// cookieHints is the per-stack advice for setting cookie attributes.
func cookieHints(session bool) [][2]string {
	if !session {
		return [][2]string{
			{"django", "Django: CSRF_COOKIE_SECURE = True; for your own cookies pass secure=True, samesite='Lax' to response.set_cookie()."},
			{"express", "Express: res.cookie(name, value, { secure: true, sameSite: 'lax' })."},
			{"flask", "Flask: response.set_cookie(name, value, secure=True, samesite='Lax')."},
		}
	}
	return [][2]string{
		{"django", "Django: SESSION_COOKIE_SECURE = True, SESSION_COOKIE_HTTPONLY = True (default), SESSION_COOKIE_SAMESITE = 'Lax'."},
		{"flask", "Flask: SESSION_COOKIE_SECURE = True, SESSION_COOKIE_HTTPONLY = True, SESSION_COOKIE_SAMESITE = 'Lax'."},
		{"express", "Express: express-session({ cookie: { secure: true, httpOnly: true, sameSite: 'lax' } }) with app.set('trust proxy', 1) behind a proxy."},
		{"spring", "Spring Boot: server.servlet.session.cookie.secure=true, .http-only=true, .same-site=lax."},
		{"aspnet", "ASP.NET Core: options.Cookie.SecurePolicy = CookieSecurePolicy.Always, HttpOnly = true, SameSite = SameSiteMode.Lax."},
		{"laravel", "Laravel: config/session.php 'secure' => true, 'http_only' => true, 'same_site' => 'lax'."},
		{"rails", "Rails: config.session_store :cookie_store, secure: true, httponly: true, same_site: :lax."},
		{"php", "PHP: session.cookie_secure=1, session.cookie_httponly=1, session.cookie_samesite=Lax in php.ini."},
	}
}
