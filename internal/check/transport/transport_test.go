package transport

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parapet-scanner/parapet/internal/check"
	"github.com/parapet-scanner/parapet/internal/check/checktest"
	"github.com/parapet-scanner/parapet/internal/engine"
	"github.com/parapet-scanner/parapet/internal/finding"
	"github.com/parapet-scanner/parapet/internal/fingerprint"
	"github.com/parapet-scanner/parapet/internal/mask"
)

func TestFixtures(t *testing.T) {
	for _, fx := range New().Fixtures() {
		t.Run(fx.Name, func(t *testing.T) {
			o := checktest.Options{TLS: fx.TLS, Path: fx.Path}
			vuln := checktest.Run(t, New(), fx.Vulnerable, o)
			if !checktest.Has(vuln, fx.Kind) {
				t.Fatalf("vulnerable fixture: no %s in %v", fx.Kind, checks(vuln))
			}
			for _, f := range byKind(vuln, fx.Kind) {
				assertWellFormed(t, f)
			}
			if safe := checktest.Run(t, New(), fx.Safe, o); checktest.Has(safe, fx.Kind) {
				t.Fatalf("safe fixture: unexpected %s: %+v", fx.Kind, byKind(safe, fx.Kind))
			}
		})
	}
}

func checks(fs []finding.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Check+"("+f.Location.Param+")")
	}
	return out
}

func TestKindsMatchConstants(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range New().Kinds() {
		if !strings.HasPrefix(k.ID, "encryption/") || k.Title == "" || k.Description == "" || seen[k.ID] {
			t.Errorf("bad kind %+v", k)
		}
		seen[k.ID] = true
	}
	for _, id := range []string{KindPlainHTTP, KindNoHTTPSRedirect, KindHSTS, KindCookieFlags, KindMixedContent, KindTLS} {
		if !seen[id] {
			t.Errorf("kind %s not listed", id)
		}
	}
}

func TestInternalHost(t *testing.T) {
	cases := map[string]bool{
		"127.0.0.1": true, "127.8.9.10": true, "10.1.2.3": true, "172.16.0.1": true, "172.31.255.255": true,
		"192.168.1.20": true, "::1": true, "[::1]": true, "fd12:3456::1": true, "fc00::1": true, "169.254.169.254": true,
		"fe80::1%eth0": true, "0.0.0.0": true, "100.100.1.1": true, "::ffff:10.0.0.1": true,
		"localhost": true, "LOCALHOST.": true, "api.localhost": true, "printer.local": true, "db.internal": true,
		"host.docker.internal": true, "app.test": true, "api": true, "nas.home.arpa": true, "svc.cluster.local": true,
		"8.8.8.8": false, "172.32.0.1": false, "11.0.0.1": false, "2001:4860:4860::8888": false, "192.169.0.1": false,
		"api.example.com": false, "example.org": false, "localhost.evil.com": false, "internal.example.com": false,
		"testing.io": false, "": false,
	}
	for host, want := range cases {
		if got := InternalHost(host); got != want {
			t.Errorf("InternalHost(%q) = %v, want %v", host, got, want)
		}
	}
}

// --- plain HTTP ---

func TestPlainHTTP_LoopbackIsInfo(t *testing.T) {
	fs := checktest.Run(t, New(), jsonHandler(nil), checktest.Options{})
	got := byKind(fs, KindPlainHTTP)
	if len(got) != 1 {
		t.Fatalf("want one plain-http finding, got %v", checks(fs))
	}
	f := got[0]
	assertWellFormed(t, f)
	if f.Severity != finding.Info || f.Location.In != finding.InSite || f.Location.Path != "/" || f.CWE != "CWE-319" {
		t.Errorf("unexpected finding: %+v", f)
	}
}

func TestPlainHTTP_PublicHostIsHigh(t *testing.T) {
	plain := httptest.NewServer(jsonHandler(nil))
	defer plain.Close()
	fs := hostRun{plain: plain}.run(t, New(), "http://api.example.com/v1/items")
	got := byKind(fs, KindPlainHTTP)
	if len(got) != 1 || got[0].Severity != finding.High {
		t.Fatalf("want one high plain-http finding, got %+v", got)
	}
	if got[0].Location.URL != "http://api.example.com/" {
		t.Errorf("location url %q", got[0].Location.URL)
	}
}

func TestPlainHTTP_PrivateHostnameIsInfo(t *testing.T) {
	plain := httptest.NewServer(jsonHandler(nil))
	defer plain.Close()
	fs := hostRun{plain: plain}.run(t, New(), "http://orders.svc.cluster.local/")
	if got := byKind(fs, KindPlainHTTP); len(got) != 1 || got[0].Severity != finding.Info {
		t.Fatalf("want one info plain-http finding, got %+v", got)
	}
}

func TestPlainHTTP_RedirectToHTTPSIsNotPlain(t *testing.T) {
	plain := httptest.NewServer(redirectToHTTPS())
	defer plain.Close()
	secure := httptest.NewTLSServer(jsonHandler(nil))
	defer secure.Close()
	fs := hostRun{plain: plain, secure: secure}.run(t, New(), "http://api.example.com/")
	if checktest.Has(fs, KindPlainHTTP) {
		t.Fatalf("a redirect to https is not plain http: %+v", byKind(fs, KindPlainHTTP))
	}
}

func TestPlainHTTP_NeverOnHTTPS(t *testing.T) {
	fs := checktest.Run(t, New(), jsonHandler(nil), checktest.Options{TLS: true})
	if checktest.Has(fs, KindPlainHTTP) {
		t.Fatal("plain-http reported for an https target")
	}
}

// --- HTTPS redirect ---

func TestNoHTTPSRedirect(t *testing.T) {
	hsts := http.Header{"Strict-Transport-Security": {"max-age=31536000"}}
	cases := []struct {
		name  string
		plain http.Handler
		want  bool
	}{
		{"serves content over http", jsonHandler(nil), true},
		{"html over http", htmlHandler(""), true},
		{"redirects to https", redirectToHTTPS(), false},
		{"redirect chain ending on https", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/" {
				http.Redirect(w, r, "/welcome", http.StatusFound)
				return
			}
			http.Redirect(w, r, "https://"+r.Host+"/", http.StatusPermanentRedirect)
		}), false},
		{"redirect to another http page", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/" {
				http.Redirect(w, r, "/home", http.StatusFound)
				return
			}
			htmlHandler("").ServeHTTP(w, r)
		}), true},
		{"plain error page", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "The plain HTTP request was sent to HTTPS port", http.StatusBadRequest)
		}), false},
		{"nothing listens", nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var plain *httptest.Server
			if tc.plain != nil {
				plain = httptest.NewServer(tc.plain)
				defer plain.Close()
			}
			secure := httptest.NewTLSServer(jsonHandler(hsts))
			defer secure.Close()
			fs := hostRun{plain: plain, secure: secure}.run(t, New(), "https://api.example.com/")
			got := byKind(fs, KindNoHTTPSRedirect)
			if (len(got) > 0) != tc.want {
				t.Fatalf("want finding %v, got %+v", tc.want, got)
			}
			if tc.want {
				assertWellFormed(t, got[0])
				if got[0].Severity != finding.Medium {
					t.Errorf("severity %s", got[0].Severity)
				}
			}
		})
	}
}

func TestNoHTTPSRedirect_LoopbackTargetIsSkipped(t *testing.T) {
	// The default mapping never probes port 80 of this machine.
	fs := checktest.Run(t, New(), jsonHandler(nil), checktest.Options{TLS: true})
	if checktest.Has(fs, KindNoHTTPSRedirect) {
		t.Fatal("probed a loopback host")
	}
}

func TestNoHTTPSRedirect_InjectedVariantOnLoopback(t *testing.T) {
	plain := httptest.NewServer(jsonHandler(nil))
	defer plain.Close()
	c := New()
	c.httpVariant = func(*url.URL) (string, bool) { return plain.URL + "/", true }
	fs := checktest.Run(t, c, jsonHandler(nil), checktest.Options{TLS: true})
	if !checktest.Has(fs, KindNoHTTPSRedirect) {
		t.Fatal("http variant serving content not reported")
	}
}

func TestDefaultHTTPVariant(t *testing.T) {
	cases := map[string]string{
		"https://api.example.com/v1/items?x=1": "http://api.example.com/",
		"https://api.example.com:8443/":        "http://api.example.com/",
		"https://[2001:db8::1]/":               "http://[2001:db8::1]/",
		"https://127.0.0.1:8443/":              "",
		"https://localhost/":                   "",
		"http://api.example.com/":              "",
	}
	for in, want := range cases {
		u, _ := url.Parse(in)
		got, ok := defaultHTTPVariant(u)
		if got != want || ok != (want != "") {
			t.Errorf("defaultHTTPVariant(%s) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

// --- HSTS ---

func TestParseHSTS(t *testing.T) {
	cases := []struct {
		in     string
		maxAge int64
		sub    bool
		ok     bool
	}{
		{"max-age=31536000; includeSubDomains; preload", 31536000, true, true},
		{"max-age=63072000", 63072000, false, true},
		{`max-age="31536000"; includeSubDomains`, 31536000, true, true},
		{"  MAX-AGE=300 ;INCLUDESUBDOMAINS ", 300, true, true},
		{"includeSubDomains; max-age=15552000;", 15552000, true, true},
		{"max-age=0", 0, false, true},
		{"max-age=99999999999999999999999", 1<<63 - 1, false, true},
		{"max-age=31536000, includeSubDomains", 0, false, false},
		{"max-age:31536000", 0, false, false},
		{"includeSubDomains", 0, false, false},
		{"max-age=-1", 0, false, false},
		{"max-age=1y", 0, false, false},
		{"max-age=31536000; max-age=31536000", 0, false, false},
		{"max-age=", 0, false, false},
		{"", 0, false, false},
	}
	for _, tc := range cases {
		p, err := parseHSTS(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("parseHSTS(%q) error %v, want ok=%v", tc.in, err, tc.ok)
			continue
		}
		if tc.ok && (p.MaxAge != tc.maxAge || p.IncludeSubDomains != tc.sub) {
			t.Errorf("parseHSTS(%q) = %+v", tc.in, p)
		}
	}
}

func TestHSTS_Judgements(t *testing.T) {
	cases := []struct {
		name    string
		header  string
		html    bool
		problem string
		sev     finding.Severity
	}{
		{"good", "max-age=31536000; includeSubDomains", false, "", ""},
		{"exactly 180 days", "max-age=15552000", false, "", ""},
		{"missing on an API", "", false, "missing", finding.Low},
		{"missing on an HTML site", "", true, "missing", finding.Medium},
		{"one day", "max-age=86400", false, "short", finding.Low},
		{"comma instead of semicolon", "max-age=31536000, includeSubDomains", true, "malformed", finding.Medium},
		{"max-age zero", "max-age=0", false, "disabled", finding.Low},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.header != "" {
				h.Set("Strict-Transport-Security", tc.header)
			}
			var handler http.Handler = jsonHandler(h)
			if tc.html {
				handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					for k, v := range h {
						w.Header()[k] = v
					}
					w.Header().Set("Content-Type", "text/html")
					fmt.Fprint(w, "<!doctype html><title>x</title>")
				})
			}
			secure := httptest.NewTLSServer(handler)
			defer secure.Close()
			fs := hostRun{secure: secure}.run(t, New(), "https://api.example.com/")
			got := byKind(fs, KindHSTS)
			if tc.problem == "" {
				if len(got) > 0 {
					t.Fatalf("unexpected: %+v", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("want one hsts finding, got %+v", got)
			}
			f := got[0]
			assertWellFormed(t, f)
			if f.Details["problem"] != tc.problem || f.Severity != tc.sev {
				t.Errorf("problem %v severity %s, want %s %s", f.Details["problem"], f.Severity, tc.problem, tc.sev)
			}
		})
	}
}

func TestHSTS_IPAddressHostIsInfo(t *testing.T) {
	fs := checktest.Run(t, New(), jsonHandler(nil), checktest.Options{TLS: true})
	got := byKind(fs, KindHSTS)
	if len(got) != 1 || got[0].Severity != finding.Info || got[0].Details["ip_address_host"] != true {
		t.Fatalf("want one info finding for an IP host, got %+v", got)
	}
}

func TestHSTS_NeverOnPlainHTTP(t *testing.T) {
	fs := checktest.Run(t, New(), jsonHandler(nil), checktest.Options{})
	if checktest.Has(fs, KindHSTS) {
		t.Fatal("HSTS judged on plain http")
	}
}

func TestHSTS_SetOnRootProtectsWholeHost(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			w.Header().Set("Strict-Transport-Security", "max-age=31536000")
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `[]`)
	})
	secure := httptest.NewTLSServer(h)
	defer secure.Close()
	fs := hostRun{secure: secure}.run(t, New(), "https://api.example.com/api/v1/items")
	if checktest.Has(fs, KindHSTS) {
		t.Fatalf("HSTS on the root covers the host: %+v", byKind(fs, KindHSTS))
	}
}

func TestHSTS_ErrorResponsesOnlyAreTentative(t *testing.T) {
	// nginx adds headers to 2xx/3xx only unless `always` is given: 4xx
	// answers without HSTS are judged only when nothing better came back.
	notFound := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"detail":"Authentication credentials were not provided."}`)
	})
	secure := httptest.NewTLSServer(notFound)
	defer secure.Close()
	fs := hostRun{secure: secure}.run(t, New(), "https://api.example.com/api/")
	got := byKind(fs, KindHSTS)
	if len(got) != 1 || got[0].Confidence != finding.Tentative || got[0].Details["judged_on_error_responses"] != true {
		t.Fatalf("want one tentative finding, got %+v", got)
	}
}

func TestHSTS_SuccessfulRootOutweighsErrorStart(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/" {
			w.Header().Set("Strict-Transport-Security", "max-age=63072000")
			fmt.Fprint(w, `{}`)
			return
		}
		w.WriteHeader(http.StatusNotFound) // no HSTS on errors, as nginx without `always`
		fmt.Fprint(w, `{"detail":"Not found."}`)
	})
	secure := httptest.NewTLSServer(h)
	defer secure.Close()
	fs := hostRun{secure: secure}.run(t, New(), "https://api.example.com/api/")
	if checktest.Has(fs, KindHSTS) {
		t.Fatalf("HSTS on the successful root covers the host: %+v", byKind(fs, KindHSTS))
	}
}

// --- cookies ---

func TestSessionCookie(t *testing.T) {
	session := []string{"sessionid", "PHPSESSID", "JSESSIONID", "connect.sid", "laravel_session", "_myapp_session",
		".AspNetCore.Cookies", ".AspNetCore.Session", ".ASPXAUTH", "auth_token", "jwt", "access_token", "remember_me",
		"remember_user_token", "SID", "HSID", "ci_session", "PLAY_SESSION", "rack.session", "wordpress_logged_in_abc", "id_token"}
	other := []string{"csrftoken", "XSRF-TOKEN", "_csrf", ".AspNetCore.Antiforgery.9fXoN5jHCXs", "theme", "lang", "_ga",
		"AWSALB", "side_panel", "consider", "django_language", "cookie_consent"}
	for _, n := range session {
		if !SessionCookie(n) {
			t.Errorf("SessionCookie(%q) = false", n)
		}
	}
	for _, n := range other {
		if SessionCookie(n) {
			t.Errorf("SessionCookie(%q) = true", n)
		}
	}
	for _, n := range []string{"csrftoken", "XSRF-TOKEN", "_csrf", "csrf_token"} {
		if !CSRFCookie(n) {
			t.Errorf("CSRFCookie(%q) = false", n)
		}
	}
}

func TestJudgeCookie(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name    string
		set     string
		https   bool
		missing string
		sev     finding.Severity
	}{
		{"django session over https without Secure",
			"sessionid=k3xq9w2b7d; expires=Sun, 15 Mar 2026 12:00:00 GMT; HttpOnly; Max-Age=1209600; Path=/; SameSite=Lax", true, "Secure", finding.Medium},
		{"django session hardened",
			"sessionid=k3xq9w2b7d; expires=Sun, 15 Mar 2026 12:00:00 GMT; HttpOnly; Max-Age=1209600; Path=/; SameSite=Lax; Secure", true, "", ""},
		{"django csrftoken over https without Secure",
			"csrftoken=Zx81kQ2aBc; expires=Sat, 27 Feb 2027 12:00:00 GMT; Max-Age=31449600; Path=/; SameSite=Lax", true, "Secure", finding.Low},
		{"django csrftoken over http is fine",
			"csrftoken=Zx81kQ2aBc; expires=Sat, 27 Feb 2027 12:00:00 GMT; Max-Age=31449600; Path=/; SameSite=Lax", false, "", ""},
		{"express session over http", "connect.sid=s%3AaBcD.efGh; Path=/; HttpOnly", false, "SameSite", finding.Low},
		{"express session over https", "connect.sid=s%3AaBcD.efGh; Path=/; HttpOnly", true, "Secure,SameSite", finding.Medium},
		{"php session bare", "PHPSESSID=9c2f1d3e4a5b6c7d; path=/", true, "Secure,HttpOnly,SameSite", finding.Medium},
		{"php session bare over http", "PHPSESSID=9c2f1d3e4a5b6c7d; path=/", false, "HttpOnly,SameSite", finding.Low},
		{"laravel xsrf token", "XSRF-TOKEN=eyJpdiI6IjEyMyJ9; expires=Sun, 01 Mar 2026 14:00:00 GMT; Max-Age=7200; path=/; secure; samesite=lax", true, "", ""},
		{"laravel session", "laravel_session=eyJpdiI6IjEyMyJ9; expires=Sun, 01 Mar 2026 14:00:00 GMT; Max-Age=7200; path=/; httponly; samesite=lax", true, "Secure", finding.Medium},
		{"load balancer cookie over https", "AWSALB=abcdef123; Expires=Sun, 08 Mar 2026 12:00:00 GMT; Path=/", true, "Secure", finding.Low},
		{"preference cookie over http", "theme=dark; Path=/", false, "", ""},
		{"samesite none without secure over http", "AWSALBCORS=abcdef123; Path=/; SameSite=None", false, "Secure (required by SameSite=None)", finding.Low},
		{"deleted session cookie", "sessionid=\"\"; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/", true, "", ""},
		{"expired cookie", "sessionid=abc123; expires=Thu, 01 Jan 2015 00:00:00 GMT; Path=/", true, "", ""},
		{"asp.net core auth cookie", ".AspNetCore.Cookies=CfDJ8Abc; path=/; secure; samesite=lax; httponly", true, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cks := (&http.Response{Header: http.Header{"Set-Cookie": {tc.set}}}).Cookies()
			if len(cks) != 1 {
				t.Fatalf("parse %q: %d cookies", tc.set, len(cks))
			}
			ci := judgeCookie(cks[0], tc.https, now)
			if got := strings.Join(ci.missing, ","); got != tc.missing {
				t.Fatalf("missing = %q, want %q", got, tc.missing)
			}
			if tc.missing != "" && ci.sev != tc.sev {
				t.Errorf("severity %s, want %s", ci.sev, tc.sev)
			}
		})
	}
}

func TestCookieFlags_OneFindingPerCookieName(t *testing.T) {
	h := jsonHandler(http.Header{"Set-Cookie": {
		"sessionid=8f14e45fceea167a5a36dedd4bea2543; Path=/",
		"theme=dark; Path=/",
	}})
	fs := checktest.Run(t, New(), h, checktest.Options{TLS: true, Path: "/api/items"})
	got := byKind(fs, KindCookieFlags)
	ids := map[string]finding.Finding{}
	for _, f := range got {
		ids[f.ID] = f
	}
	if len(ids) != 2 {
		t.Fatalf("want two distinct findings (sessionid, theme), got %v", checks(got))
	}
	for _, f := range ids {
		assertWellFormed(t, f)
		if f.Location.In != finding.InResponseCookie || (f.Location.Param != "sessionid" && f.Location.Param != "theme") {
			t.Errorf("location %+v", f.Location)
		}
		if strings.Contains(f.Evidence[0].Response, "8f14e45fceea167a5a36dedd4bea2543") {
			t.Error("cookie value not masked in evidence")
		}
		if f.Location.Param == "sessionid" && f.Severity != finding.Medium {
			t.Errorf("session cookie severity %s", f.Severity)
		}
	}
}

// --- mixed content ---

func TestFindMixedContent(t *testing.T) {
	cases := []struct {
		name string
		html string
		want []string // tag:attr:active
	}{
		{"script", `<script src="http://cdn.example.com/jquery.js"></script>`, []string{"script:src:true"}},
		{"uppercase unquoted", `<SCRIPT SRC=HTTP://cdn.example.com/a.js></SCRIPT>`, []string{"script:src:true"}},
		{"stylesheet", `<link href='http://fonts.example.com/css' rel="stylesheet">`, []string{"link:href:true"}},
		{"iframe and form", `<iframe src="http://widgets.example.net/w"></iframe><form method=post action="http://api.example.com/login">`,
			[]string{"iframe:src:true", "form:action:true"}},
		{"images", `<img alt="logo" src="http://img.example.com/logo.png"><video poster="http://img.example.com/p.jpg"></video>`,
			[]string{"img:src:false", "video:poster:false"}},
		{"srcset", `<img src="/a.png" srcset="/a2.png 2x, http://img.example.com/a3.png 3x">`, []string{"img:srcset:false"}},
		{"icon", `<link rel="shortcut icon" href="http://example.com/favicon.ico">`, []string{"link:href:false"}},
		{"https only", `<script src="https://cdn.example.com/a.js"></script><img src="//img.example.com/x.png">`, nil},
		{"plain links are navigation", `<a href="http://example.com/">home</a><link rel="canonical" href="http://example.com/">`, nil},
		{"comments", `<!-- <script src="http://old.example.com/a.js"></script> -->`, nil},
		{"script body", `<script>document.write('<script src="http://x.example.com/a.js"><\/script>')</script>`, nil},
		{"loopback is trustworthy", `<script src="http://localhost:3000/dev.js"></script><img src="http://127.0.0.1/x.png">`, nil},
		{"attribute value with gt", `<img alt="a > b" src="http://img.example.com/x.png">`, []string{"img:src:false"}},
		{"data attribute", `<div data-src="http://img.example.com/lazy.png"></div>`, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, r := range findMixedContent([]byte("<html><body>" + tc.html + "</body></html>")) {
				got = append(got, fmt.Sprintf("%s:%s:%v", r.Tag, r.Attr, r.Active))
			}
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestFindMixedContent_TruncatedInput(t *testing.T) {
	for _, s := range []string{"<", "<img", `<img src="http://x.example.com/`, "<!--", "<script>", "<a b=", "< >", "<a\x00>"} {
		_ = findMixedContent([]byte(s)) // must not panic or loop
	}
}

func TestMixedContent_Severity(t *testing.T) {
	fs := checktest.Run(t, New(), htmlHandler(`<img src="http://img.example.com/x.png">`), checktest.Options{TLS: true})
	got := byKind(fs, KindMixedContent)
	if len(got) != 1 || got[0].Severity != finding.Low {
		t.Fatalf("passive mixed content: want one low finding, got %+v", got)
	}
	fs = checktest.Run(t, New(), htmlHandler(`<script src="http://cdn.example.com/a.js"></script>`), checktest.Options{TLS: true})
	got = byKind(fs, KindMixedContent)
	if len(got) != 1 || got[0].Severity != finding.Medium {
		t.Fatalf("active mixed content: want one medium finding, got %+v", got)
	}
}

func TestMixedContent_UpgradeInsecureRequestsIsSafe(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src https:; upgrade-insecure-requests")
		htmlHandler(`<script src="http://cdn.example.com/a.js"></script>`).ServeHTTP(w, r)
	})
	if fs := checktest.Run(t, New(), h, checktest.Options{TLS: true}); checktest.Has(fs, KindMixedContent) {
		t.Fatal("upgrade-insecure-requests makes the browser fetch over https")
	}
	meta := htmlHandler(`<meta http-equiv="Content-Security-Policy" content="upgrade-insecure-requests"><script src="http://cdn.example.com/a.js"></script>`)
	if fs := checktest.Run(t, New(), meta, checktest.Options{TLS: true}); checktest.Has(fs, KindMixedContent) {
		t.Fatal("meta upgrade-insecure-requests ignored")
	}
}

func TestMixedContent_NotOnPlainHTTP(t *testing.T) {
	fs := checktest.Run(t, New(), htmlHandler(`<script src="http://cdn.example.com/a.js"></script>`), checktest.Options{})
	if checktest.Has(fs, KindMixedContent) {
		t.Fatal("mixed content reported on an http page")
	}
}

func TestMixedContent_JSONIsNotHTML(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"html":"<script src=\"http://cdn.example.com/a.js\"></script>"}`)
	})
	if fs := checktest.Run(t, New(), h, checktest.Options{TLS: true}); checktest.Has(fs, KindMixedContent) {
		t.Fatal("JSON body judged as HTML")
	}
}

// --- TLS ---

func TestTLS_SelfSignedHTTPTestServerIsReported(t *testing.T) {
	fs := checktest.Run(t, New(), jsonHandler(nil), checktest.Options{TLS: true})
	f, ok := byParam(fs, KindTLS, paramCert)
	if !ok {
		t.Fatalf("self-signed certificate not reported: %v", checks(fs))
	}
	assertWellFormed(t, f)
	if !contains(f.Details["problems"].([]string), "self-signed") || f.Severity != finding.Low {
		t.Errorf("want self-signed, low on loopback: %+v", f)
	}
	if _, ok := byParam(fs, KindTLS, paramProtocol); ok {
		t.Error("TLS 1.3 reported as outdated")
	}
}

func TestTLS_Certificates(t *testing.T) {
	ca := newCA(t)
	now := time.Now()
	day := 24 * time.Hour
	loop := []net.IP{net.IPv4(127, 0, 0, 1)}
	cases := []struct {
		name     string
		cert     tls.Certificate
		problems []string
		expiring bool
	}{
		{"trusted and valid", issue(t, ca, leafSpec{ips: loop, notBefore: now.Add(-day), notAfter: now.Add(300 * day)}), nil, false},
		{"expired", issue(t, ca, leafSpec{ips: loop, notBefore: now.Add(-400 * day), notAfter: now.Add(-2 * day)}), []string{"expired"}, false},
		{"not yet valid", issue(t, ca, leafSpec{ips: loop, notBefore: now.Add(3 * day), notAfter: now.Add(300 * day)}), []string{"not-yet-valid"}, false},
		{"wrong host", issue(t, ca, leafSpec{dns: []string{"www.example.org"}, notBefore: now.Add(-day), notAfter: now.Add(300 * day)}), []string{"hostname-mismatch"}, false},
		{"expired self-signed for another host", issue(t, nil, leafSpec{dns: []string{"old.example.org"}, notBefore: now.Add(-400 * day), notAfter: now.Add(-day)}),
			[]string{"expired", "hostname-mismatch", "self-signed"}, false},
		{"one-year certificate expiring in 10 days", issue(t, ca, leafSpec{ips: loop, notBefore: now.Add(-355 * day), notAfter: now.Add(10 * day)}), nil, true},
		{"90-day certificate with 25 days left is in its renewal window", issue(t, ca, leafSpec{ips: loop, notBefore: now.Add(-65 * day), notAfter: now.Add(25 * day)}), nil, false},
		{"90-day certificate with 5 days left", issue(t, ca, leafSpec{ips: loop, notBefore: now.Add(-85 * day), notAfter: now.Add(5 * day)}), nil, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := tlsServer(t, jsonHandler(nil), tc.cert)
			c := New()
			c.roots = ca.pool
			u, _ := url.Parse(srv.URL + "/")
			fs := checktest.RunURL(t, c, u, checktest.Options{TLS: true})
			f, ok := byParam(fs, KindTLS, paramCert)
			if len(tc.problems) == 0 && ok {
				t.Fatalf("unexpected certificate finding: %+v", f)
			}
			if len(tc.problems) > 0 {
				if !ok {
					t.Fatalf("no certificate finding; got %v", checks(fs))
				}
				if got := strings.Join(f.Details["problems"].([]string), ","); got != strings.Join(tc.problems, ",") {
					t.Errorf("problems %s, want %v", got, tc.problems)
				}
				assertWellFormed(t, f)
			}
			if _, got := byParam(fs, KindTLS, paramExpiry); got != tc.expiring {
				t.Errorf("expiring reported %v, want %v", got, tc.expiring)
			}
		})
	}
}

func TestTLS_PublicHostSeverity(t *testing.T) {
	// httptest's certificate is self-signed and covers example.com and its subdomains, not example.net.
	secure := httptest.NewTLSServer(jsonHandler(http.Header{"Strict-Transport-Security": {"max-age=31536000"}}))
	defer secure.Close()
	fs := hostRun{secure: secure}.run(t, New(), "https://api.example.net/")
	f, ok := byParam(fs, KindTLS, paramCert)
	if !ok || f.Severity != finding.High {
		t.Fatalf("want a high certificate finding on a public host, got %+v", f)
	}
	if got := f.Details["problems"].([]string); !contains(got, "hostname-mismatch") || !contains(got, "self-signed") {
		t.Errorf("problems %v", got)
	}
}

func TestCertSeverity(t *testing.T) {
	cases := []struct {
		codes    []string
		internal bool
		want     finding.Severity
	}{
		{[]string{"self-signed"}, false, finding.High},
		{[]string{"expired"}, false, finding.High},
		{[]string{"untrusted"}, false, finding.Medium},
		{[]string{"self-signed"}, true, finding.Low},
		{[]string{"untrusted"}, true, finding.Low},
		{[]string{"expired"}, true, finding.Medium},
		{[]string{"hostname-mismatch", "untrusted"}, true, finding.Medium},
	}
	for _, tc := range cases {
		if got := (certVerdict{codes: tc.codes}).severity(tc.internal); got != tc.want {
			t.Errorf("%v internal=%v: %s, want %s", tc.codes, tc.internal, got, tc.want)
		}
	}
}

// recorded builds an exchange as the engine would record it for an HTTPS URL.
func recorded(rawURL string, cs *tls.ConnectionState) *engine.Exchange {
	return &engine.Exchange{
		Method: "GET", URL: rawURL, FinalURL: rawURL, Status: 200, Proto: "HTTP/1.1",
		Header:        http.Header{"Content-Type": {"application/json"}},
		RequestHeader: http.Header{"Accept": {"application/json"}},
		Body:          []byte(`{}`), TLS: cs,
	}
}

func inspect(c *Check, ex *engine.Exchange) []finding.Finding {
	u, _ := url.Parse(ex.URL)
	tgt := &check.Target{URL: u, Stack: fingerprint.NewStack(), Mask: &mask.Masker{}}
	var out []finding.Finding
	c.Inspect(tgt, ex, func(f finding.Finding) { f.Normalize(); out = append(out, f) })
	return out
}

func TestTLS_OldProtocolAndWeakCipher(t *testing.T) {
	ca := newCA(t)
	now := time.Now()
	good := issue(t, ca, leafSpec{dns: []string{"api.example.com"}, notBefore: now.Add(-time.Hour), notAfter: now.Add(200 * 24 * time.Hour)})
	c := New()
	c.roots = ca.pool
	cs := &tls.ConnectionState{Version: tls.VersionTLS11, CipherSuite: tls.TLS_RSA_WITH_RC4_128_SHA,
		PeerCertificates: []*x509.Certificate{good.Leaf}}
	fs := inspect(c, recorded("https://api.example.com/v1/items", cs))
	if f, ok := byParam(fs, KindTLS, paramProtocol); !ok || f.Severity != finding.High || f.Details["version"] != "TLS 1.1" {
		t.Errorf("protocol finding: %+v", f)
	}
	if f, ok := byParam(fs, KindTLS, paramCipher); !ok || f.Details["cipher_suite"] != "TLS_RSA_WITH_RC4_128_SHA" {
		t.Errorf("cipher finding: %+v", f)
	}
	if _, ok := byParam(fs, KindTLS, paramCert); ok {
		t.Error("trusted certificate reported")
	}
	cs = &tls.ConnectionState{Version: tls.VersionTLS12, CipherSuite: tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		PeerCertificates: []*x509.Certificate{good.Leaf}}
	if fs := inspect(c, recorded("https://api.example.com/", cs)); len(byKind(fs, KindTLS)) != 0 {
		t.Errorf("TLS 1.2 with an AEAD suite reported: %v", checks(fs))
	}
}

func TestTLS_VerificationFailureWithoutInsecure(t *testing.T) {
	ca := newCA(t)
	now := time.Now()
	expired := issue(t, nil, leafSpec{dns: []string{"api.example.com"}, notBefore: now.Add(-400 * 24 * time.Hour), notAfter: now.Add(-24 * time.Hour)})
	ex := recorded("https://api.example.com/", nil)
	ex.Status, ex.Header, ex.Body = 0, nil, nil
	ex.Err = &url.Error{Op: "Get", URL: ex.URL, Err: &tls.CertificateVerificationError{
		UnverifiedCertificates: []*x509.Certificate{expired.Leaf}, Err: x509.CertificateInvalidError{Cert: expired.Leaf, Reason: x509.Expired}}}
	c := New()
	c.roots = ca.pool
	fs := inspect(c, ex)
	f, ok := byParam(fs, KindTLS, paramCert)
	if !ok || f.Severity != finding.High || !contains(f.Details["problems"].([]string), "expired") {
		t.Fatalf("want a high expired-certificate finding, got %+v", fs)
	}
}

func TestInspect_IgnoresFailedExchanges(t *testing.T) {
	ex := &engine.Exchange{Method: "GET", URL: "https://api.example.com/", Err: fmt.Errorf("connection refused")}
	if fs := inspect(New(), ex); len(fs) != 0 {
		t.Fatalf("findings from a failed exchange: %v", checks(fs))
	}
}

func TestProbeBudget(t *testing.T) {
	var n atomic.Int64
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodOptions {
			t.Errorf("sent %s", r.Method)
		}
		jsonHandler(nil).ServeHTTP(w, r)
	})
	checktest.Run(t, New(), h, checktest.Options{TLS: true, Path: "/api/v1/items"})
	if n.Load() > 10 {
		t.Errorf("sent %d requests", n.Load())
	}
}

func TestSensitiveCookie_OpaqueTokenValueCounts(t *testing.T) {
	for _, tc := range []struct {
		name, value string
		want        bool
	}{
		{"profile", "gASVWAAAAAAAAACMEGRlbW9fc2hvcC5tb2RlbHOUjAdQcm9maWxllJOU", true}, // pickled state
		{"prefs", ".eJyrVkrLz1eyUkpKLFKqBQAdegQ4:1sXb2c:Qm9hdGxvYWRzb2Zz", true},      // Django signed value
		{"theme", "dark", false},
		{"lang", "en-US", false},
		{"consent", "true", false},
		{"csrftoken", "k3j9d8f7g6h5j4k3l2m1n0b9v8c7x6z5", false},
		{"banner", "closed-until-next-release-of-the-site", false}, // no digits: a word, not a token
	} {
		if got := SensitiveCookie(tc.name, tc.value); got != tc.want {
			t.Errorf("SensitiveCookie(%q, %q) = %v, want %v", tc.name, tc.value, got, tc.want)
		}
	}
}
