package input

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/parapet-scanner/parapet/internal/check"
	"github.com/parapet-scanner/parapet/internal/check/checktest"
	"github.com/parapet-scanner/parapet/internal/engine"
	"github.com/parapet-scanner/parapet/internal/finding"
	"github.com/parapet-scanner/parapet/internal/fingerprint"
	"github.com/parapet-scanner/parapet/internal/inventory"
	"github.com/parapet-scanner/parapet/internal/mask"
)

func byKind(fs []finding.Finding, kind string) []finding.Finding {
	var out []finding.Finding
	for _, f := range fs {
		if f.Check == kind {
			out = append(out, f)
		}
	}
	return out
}

// unique drops findings with the same id, as the scan does.
func unique(fs []finding.Finding) []finding.Finding {
	seen := map[string]bool{}
	var out []finding.Finding
	for _, f := range fs {
		if !seen[f.ID] {
			seen[f.ID] = true
			out = append(out, f)
		}
	}
	return out
}

func assertWellFormed(t *testing.T, f finding.Finding) {
	t.Helper()
	if f.Category != finding.InputValidation || f.Title == "" || f.Description == "" || f.Remediation == "" ||
		f.CWE == "" || f.Severity.Rank() < 0 || f.Confidence == "" || f.Reproduce == "" || len(f.Evidence) == 0 ||
		f.Location.URL == "" || f.Location.Path == "" || f.Location.In == "" {
		t.Errorf("finding %s is missing fields: %+v", f.Check, f)
	}
}

// runProfile runs the check like checktest.Run, with a chosen profile.
func runProfile(t *testing.T, c *Check, h http.Handler, profile string, ops []inventory.Operation) []finding.Finding {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	u, _ := url.Parse(srv.URL + "/")
	var mu sync.Mutex
	var out []finding.Finding
	emit := func(f finding.Finding) {
		f.Normalize()
		mu.Lock()
		out = append(out, f)
		mu.Unlock()
	}
	inv := inventory.New(u)
	inv.Add(inventory.Operation{Method: "GET", Path: "/", URL: u.String(), Source: inventory.SourceUser})
	for _, op := range ops {
		op.URL = srv.URL + op.Path
		inv.Add(op)
	}
	tgt := &check.Target{URL: u, Inventory: inv, Stack: fingerprint.NewStack(), Profile: profile, Token: "pptest0token", Mask: &mask.Masker{}}
	cl, err := engine.New(engine.Options{Scope: engine.Scope{Hosts: []string{u.Hostname()}}, UserAgent: "parapet/test",
		Observe: func(ex *engine.Exchange) { c.Inspect(tgt, ex, emit) }})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Run(context.Background(), tgt, cl, emit); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestFixtures(t *testing.T) {
	for _, fx := range New().Fixtures() {
		t.Run(fx.Name, func(t *testing.T) {
			o := checktest.Options{TLS: fx.TLS, Path: fx.Path}
			vuln := checktest.Run(t, New(), fx.Vulnerable, o)
			got := byKind(vuln, fx.Kind)
			if len(got) == 0 {
				t.Fatalf("vulnerable fixture: no %s", fx.Kind)
			}
			for _, f := range got {
				assertWellFormed(t, f)
			}
			if safe := checktest.Run(t, New(), fx.Safe, o); checktest.Has(safe, fx.Kind) {
				t.Fatalf("safe fixture: unexpected %+v", byKind(safe, fx.Kind))
			}
		})
	}
}

// --- CORS ---

func corsHandler(acao func(origin string) string, creds bool) http.Handler {
	return api(func(w http.ResponseWriter, r *http.Request) {
		if v := acao(r.Header.Get("Origin")); v != "" {
			w.Header().Set("Access-Control-Allow-Origin", v)
			if creds {
				w.Header().Set("Access-Control-Allow-Credentials", "true")
			}
		}
	})
}

func echo(o string) string { return o }

func TestCORS(t *testing.T) {
	cases := []struct {
		name      string
		h         http.Handler
		behaviour string
		sev       finding.Severity
	}{
		{"reflects with credentials", corsHandler(echo, true), corsReflected, finding.High},
		{"reflects without credentials", corsHandler(echo, false), corsReflected, finding.Medium},
		{"null allowed with credentials", corsHandler(func(o string) string {
			if o == "null" {
				return "null"
			}
			return ""
		}, true), corsNull, finding.High},
		{"static null", corsHandler(func(string) string { return "null" }, false), corsNull, finding.Medium},
		{"wildcard", corsHandler(func(string) string { return "*" }, false), corsWildcard, finding.Low},
		{"wildcard with credentials", corsHandler(func(string) string { return "*" }, true), corsWildcard, finding.Low},
		{"allow-list", corsHandler(func(o string) string {
			if o == "https://app.example.com" {
				return o
			}
			return ""
		}, true), "", ""},
		{"allow-list answering its own origin to everyone", corsHandler(func(string) string { return "https://app.example.com" }, true), "", ""},
		{"no CORS at all", api(nil), "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fs := unique(byKind(checktest.Run(t, New(), tc.h, checktest.Options{}), KindCORS))
			if tc.behaviour == "" {
				if len(fs) > 0 {
					t.Fatalf("unexpected: %+v", fs)
				}
				return
			}
			if len(fs) != 1 {
				t.Fatalf("want one site finding, got %d: %+v", len(fs), fs)
			}
			f := fs[0]
			assertWellFormed(t, f)
			if f.Details["behaviour"] != tc.behaviour || f.Severity != tc.sev || f.Location.In != finding.InSite {
				t.Errorf("behaviour %v severity %s in %s; want %s %s site", f.Details["behaviour"], f.Severity, f.Location.In, tc.behaviour, tc.sev)
			}
			if f.CWE != "CWE-942" || f.OWASP != "API8:2023" {
				t.Errorf("cwe %s owasp %s", f.CWE, f.OWASP)
			}
		})
	}
}

func TestCORS_ExpressDefaultIsWildcardOnly(t *testing.T) {
	// cors() with no options: ACAO * on every response and a preflight that
	// lists every write method. That is a low wildcard finding and nothing more.
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("X-Powered-By", "Express")
		if r.Method == http.MethodOptions {
			if r.Header.Get("Access-Control-Request-Method") != "" {
				w.Header().Set("Access-Control-Allow-Methods", "GET,HEAD,PUT,PATCH,POST,DELETE")
				w.Header().Set("Vary", "Access-Control-Request-Headers")
				w.Header().Set("Content-Length", "0")
				w.WriteHeader(http.StatusNoContent)
				return
			}
			w.Header().Set("Allow", "GET,HEAD")
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, "GET,HEAD")
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		fmt.Fprint(w, `[]`)
	})
	fs := unique(checktest.Run(t, New(), h, checktest.Options{Path: "/api/products"}))
	cors := byKind(fs, KindCORS)
	if len(cors) != 1 || cors[0].Severity != finding.Low {
		t.Fatalf("want one low wildcard finding, got %+v", cors)
	}
	if m := byKind(fs, KindDangerousMethods); len(m) != 0 {
		t.Fatalf("express's default preflight methods are not dangerous: %+v", m)
	}
}

func TestCORS_DiffersPerPath(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		fmt.Fprint(w, "<!doctype html><title>home</title>")
	}))
	mux.Handle("/api/orders", corsHandler(echo, true))
	ops := []inventory.Operation{{Method: "GET", Path: "/api/orders", Source: inventory.SourceSpec}}
	fs := unique(byKind(checktest.Run(t, New(), mux, checktest.Options{Ops: ops}), KindCORS))
	if len(fs) != 1 {
		t.Fatalf("want one per-path finding, got %+v", fs)
	}
	f := fs[0]
	if f.Location.Path != "/api/orders" || f.Location.In != finding.InHeader || f.Location.Param != "Origin" || f.Severity != finding.High {
		t.Errorf("location %+v severity %s", f.Location, f.Severity)
	}
}

func TestCORS_LookalikeOriginOnDeep(t *testing.T) {
	// Origin checked with a suffix match on the host: the canary is refused,
	// a look-alike ending in the host name is not.
	var host string
	h := api(func(w http.ResponseWriter, r *http.Request) {
		o := r.Header.Get("Origin")
		if o != "" && o != "null" && strings.HasSuffix(o, host) {
			w.Header().Set("Access-Control-Allow-Origin", o)
			w.Header().Set("Access-Control-Allow-Credentials", "true")
		}
	})
	wrapped := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ = strings.Cut(r.Host, ":")
		h.ServeHTTP(w, r)
	})
	if fs := byKind(runProfile(t, New(), wrapped, check.ProfileStandard, nil), KindCORS); len(fs) != 0 {
		t.Fatalf("standard profile sends no look-alike origins, got %+v", fs)
	}
	fs := unique(byKind(runProfile(t, New(), wrapped, check.ProfileDeep, nil), KindCORS))
	if len(fs) != 1 || fs[0].Severity != finding.High || !strings.Contains(fs[0].Description, "look-alike") {
		t.Fatalf("want a high look-alike finding, got %+v", fs)
	}
}

func TestCanaryOrigin(t *testing.T) {
	if got := canaryOrigin("AbC123"); got != "https://parapet-abc123.example" {
		t.Errorf("canary %q", got)
	}
	if got := lookalikeOrigins("api.example.com", "tok"); len(got) != 2 || got[0] != "https://api.example.com.parapet-tok.example" || got[1] != "https://parapet-tok-api.example.com" {
		t.Errorf("lookalikes %v", got)
	}
	if got := lookalikeOrigins("::1", "tok"); got != nil {
		t.Errorf("IPv6 lookalikes %v", got)
	}
}

// --- methods ---

func optionsHandler(allow, acam string) http.Handler {
	return api(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodOptions {
			return
		}
		if allow != "" {
			w.Header().Set("Allow", allow)
		}
		if acam != "" && r.Header.Get("Access-Control-Request-Method") != "" {
			w.Header().Set("Access-Control-Allow-Origin", "https://app.example.com")
			w.Header().Set("Access-Control-Allow-Methods", acam)
		}
	})
}

func TestDangerousMethods(t *testing.T) {
	cases := []struct {
		name, allow, acam string
		sev               finding.Severity
		header            string
	}{
		{"apache trace", "GET,HEAD,POST,OPTIONS,TRACE", "", finding.Medium, "Allow"},
		{"connect and track", "GET, CONNECT, TRACK", "", finding.Medium, "Allow"},
		{"trace only in cors methods", "GET, HEAD, OPTIONS", "GET, POST, TRACE", finding.Low, "Access-Control-Allow-Methods"},
		{"django view", "GET, POST, HEAD, OPTIONS", "", "", ""},
		{"none", "", "", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fs := unique(byKind(checktest.Run(t, New(), optionsHandler(tc.allow, tc.acam), checktest.Options{}), KindDangerousMethods))
			if tc.sev == "" {
				if len(fs) > 0 {
					t.Fatalf("unexpected %+v", fs)
				}
				return
			}
			if len(fs) != 1 {
				t.Fatalf("want one finding, got %+v", fs)
			}
			assertWellFormed(t, fs[0])
			if fs[0].Severity != tc.sev || fs[0].Details["header"] != tc.header || fs[0].Location.In != finding.InSite {
				t.Errorf("got %s %v %s", fs[0].Severity, fs[0].Details["header"], fs[0].Location.In)
			}
		})
	}
}

func TestDangerousMethods_UndeclaredWriteMethods(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/", optionsHandler("GET, HEAD, OPTIONS", ""))
	mux.Handle("/api/orders", optionsHandler("GET, POST, PUT, DELETE, HEAD, OPTIONS", ""))
	mux.Handle("/api/items", optionsHandler("GET, PUT, HEAD, OPTIONS", ""))
	ops := []inventory.Operation{
		{Method: "GET", Path: "/api/orders", Source: inventory.SourceSpec},
		{Method: "PUT", Path: "/api/orders", Source: inventory.SourceSpec},
		{Method: "GET", Path: "/api/items", Source: inventory.SourceSpec},
		{Method: "PUT", Path: "/api/items", Source: inventory.SourceSpec},
	}
	fs := unique(byKind(checktest.Run(t, New(), mux, checktest.Options{Ops: ops}), KindDangerousMethods))
	if len(fs) != 1 {
		t.Fatalf("want one finding (DELETE on /api/orders), got %+v", fs)
	}
	f := fs[0]
	if f.Severity != finding.Info || f.Location.Path != "/api/orders" || f.Location.Method != "OPTIONS" ||
		fmt.Sprint(f.Details["undeclared"]) != "[DELETE]" {
		t.Errorf("got %+v", f)
	}
}

func TestDangerousMethods_NoSpecNoUndeclared(t *testing.T) {
	ops := []inventory.Operation{{Method: "GET", Path: "/api/orders", Source: inventory.SourceCrawl}}
	fs := byKind(checktest.Run(t, New(), optionsHandler("GET, PUT, DELETE", ""), checktest.Options{Ops: ops}), KindDangerousMethods)
	if len(fs) != 0 {
		t.Fatalf("without a spec nothing is undeclared: %+v", fs)
	}
}

func TestDangerousMethods_PassiveAllowOn405(t *testing.T) {
	ex := &engine.Exchange{Method: "POST", URL: "http://127.0.0.1:8080/api/items", Status: 405,
		Header: http.Header{"Allow": {"GET, HEAD, TRACE"}, "Content-Type": {"text/html"}}, RequestHeader: http.Header{}}
	u, _ := url.Parse("http://127.0.0.1:8080/")
	var got []finding.Finding
	New().Inspect(&check.Target{URL: u, Mask: &mask.Masker{}}, ex, func(f finding.Finding) { got = append(got, f) })
	if len(got) != 1 || got[0].Severity != finding.Medium {
		t.Fatalf("want one medium finding, got %+v", got)
	}
}

func TestParseMethods(t *testing.T) {
	got := parseMethods([]string{"get, Post ,OPTIONS", "GET,DELETE", ""})
	if strings.Join(got, " ") != "GET POST OPTIONS DELETE" {
		t.Errorf("got %v", got)
	}
}

// --- security headers ---

func TestSecurityHeaders(t *testing.T) {
	html := func(hdr http.Header, body string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			for k, v := range hdr {
				w.Header()[k] = v
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, "<!DOCTYPE html><html><head>"+body+"</head><body>hi</body></html>")
		})
	}
	cases := []struct {
		name    string
		h       http.Handler
		headers http.Header
		missing string
	}{
		{"bare json", http.HandlerFunc(bareJSON), nil, "X-Content-Type-Options"},
		{"hardened json", api(nil), nil, ""},
		{"bare html", html(nil, ""), nil, "Content-Security-Policy,Referrer-Policy,X-Content-Type-Options,X-Frame-Options"},
		{"html with frame-ancestors instead of XFO", html(http.Header{
			"Content-Security-Policy": {"default-src 'self'; frame-ancestors 'none'"},
			"X-Content-Type-Options":  {"nosniff"}, "Referrer-Policy": {"same-origin"}}, ""), nil, ""},
		{"html with meta csp and referrer", html(http.Header{"X-Frame-Options": {"DENY"}, "X-Content-Type-Options": {"nosniff"}},
			`<meta http-equiv="Content-Security-Policy" content="default-src 'self'"><meta name="referrer" content="no-referrer">`), nil, ""},
		{"invalid XFO value", html(http.Header{"X-Frame-Options": {"ALLOW-FROM https://x.example"}, "Content-Security-Policy": {"default-src 'self'"},
			"X-Content-Type-Options": {"nosniff"}, "Referrer-Policy": {"no-referrer"}}, ""), nil, "X-Frame-Options"},
		{"authenticated json without no-store", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("X-Content-Type-Options", "nosniff")
			w.Header().Set("Cache-Control", "private, max-age=600")
			fmt.Fprint(w, `{"email":"a@example.com"}`)
		}), http.Header{"Authorization": {"Bearer s3cr3t-t0ken-value"}}, "Cache-Control: no-store"},
		{"unauthenticated json with caching is fine", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("X-Content-Type-Options", "nosniff")
			w.Header().Set("Cache-Control", "public, max-age=600")
			fmt.Fprint(w, `[]`)
		}), nil, ""},
		{"404 json is judged", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"detail":"Not found."}`)
		}), nil, "X-Content-Type-Options"},
		{"500 pages are not judged", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprint(w, `<h1>Server Error (500)</h1>`)
		}), nil, ""},
		{"images are not judged", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "image/png")
			fmt.Fprint(w, "\x89PNG\r\n")
		}), nil, ""},
		{"redirects are not judged", http.RedirectHandler("/login", http.StatusFound), nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fs := unique(byKind(checktest.Run(t, New(), tc.h, checktest.Options{Headers: tc.headers}), KindSecurityHeaders))
			if tc.missing == "" {
				if len(fs) > 0 {
					t.Fatalf("unexpected: %+v", fs[0].Details)
				}
				return
			}
			if len(fs) != 1 {
				t.Fatalf("want one finding, got %d", len(fs))
			}
			f := fs[0]
			assertWellFormed(t, f)
			if got := strings.Join(f.Details["missing"].([]string), ","); got != tc.missing {
				t.Errorf("missing %s, want %s", got, tc.missing)
			}
			if f.Severity != finding.Low || f.Location.In != finding.InSite || f.Location.Path != "/" {
				t.Errorf("severity %s location %+v", f.Severity, f.Location)
			}
			for _, ev := range f.Evidence {
				if strings.Contains(ev.Request, "s3cr3t-t0ken-value") {
					t.Error("authorization not masked")
				}
			}
		})
	}
}

func TestSecurityHeaders_OneFindingForManyPaths(t *testing.T) {
	ops := []inventory.Operation{
		{Method: "GET", Path: "/api/a", Source: inventory.SourceSpec},
		{Method: "GET", Path: "/api/b", Source: inventory.SourceSpec},
	}
	fs := unique(byKind(checktest.Run(t, New(), http.HandlerFunc(bareJSON), checktest.Options{Ops: ops}), KindSecurityHeaders))
	if len(fs) != 1 || len(fs[0].Details["responses"].([]map[string]any)) != 3 {
		t.Fatalf("want one finding over three responses, got %+v", fs)
	}
}

// --- budget and safety ---

func TestProbeBudgetAndMethods(t *testing.T) {
	var n atomic.Int64
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if r.Method != http.MethodGet && r.Method != http.MethodOptions && r.Method != http.MethodHead {
			t.Errorf("sent %s", r.Method)
		}
		bareJSON(w, r)
	})
	var ops []inventory.Operation
	for _, p := range []string{"/a", "/b", "/c", "/d", "/e", "/logout", "/items/{id}"} {
		ops = append(ops, inventory.Operation{Method: "GET", Path: p, Source: inventory.SourceSpec})
	}
	ops = append(ops, inventory.Operation{Method: "DELETE", Path: "/a", Source: inventory.SourceSpec})
	checktest.Run(t, New(), h, checktest.Options{Ops: ops})
	if got := n.Load() - 1; got >= 10 { // minus the start fetch checktest makes
		t.Errorf("sent %d requests on the standard profile", got)
	}
}

func TestProbes_SkipsStateChangingAndTemplated(t *testing.T) {
	u, _ := url.Parse("http://127.0.0.1:1/")
	inv := inventory.New(u)
	for _, p := range []string{"/logout", "/api/users/{id}", "/api/sign-out", "/account/delete", "/api/items"} {
		inv.Add(inventory.Operation{Method: "GET", Path: p, URL: "http://127.0.0.1:1" + p, Source: inventory.SourceSpec})
	}
	cl, _ := engine.New(engine.Options{Scope: engine.Scope{Hosts: []string{"127.0.0.1"}}})
	got := probes(&check.Target{URL: u, Inventory: inv, Profile: check.ProfileStandard}, cl)
	var paths []string
	for _, p := range got {
		paths = append(paths, p.path)
	}
	if strings.Join(paths, " ") != "/ /api/items" {
		t.Errorf("probes %v", paths)
	}
}
