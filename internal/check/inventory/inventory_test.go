package inventory

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/parapet-scanner/parapet/internal/check"
	"github.com/parapet-scanner/parapet/internal/check/checktest"
	"github.com/parapet-scanner/parapet/internal/engine"
	"github.com/parapet-scanner/parapet/internal/finding"
	"github.com/parapet-scanner/parapet/internal/mask"
)

func TestFixtures(t *testing.T) {
	for _, fx := range New().Fixtures() {
		t.Run(fx.Name, func(t *testing.T) {
			vuln := checktest.Run(t, New(), fx.Vulnerable, checktest.Options{TLS: fx.TLS, Path: fx.Path})
			if !checktest.Has(vuln, fx.Kind) {
				t.Fatal("vulnerable fixture: no finding")
			}
			if safe := checktest.Run(t, New(), fx.Safe, checktest.Options{TLS: fx.TLS, Path: fx.Path}); checktest.Has(safe, fx.Kind) {
				t.Fatalf("safe fixture: %+v", safe)
			}
		})
	}
}

func inspect(h http.Header) []finding.Finding {
	u, _ := url.Parse("https://api.example.com/v1/items")
	ex := &engine.Exchange{Method: "GET", URL: u.String(), Status: 200, Header: h, RequestHeader: http.Header{}}
	seen := map[string]bool{}
	var out []finding.Finding
	New().Inspect(&check.Target{URL: u, Mask: &mask.Masker{}}, ex, func(f finding.Finding) {
		f.Normalize()
		if !seen[f.ID] {
			seen[f.ID] = true
			out = append(out, f)
		}
	})
	return out
}

func TestVersionBanner_OneFindingPerHeader(t *testing.T) {
	fs := inspect(http.Header{
		"Server":              {"Microsoft-IIS/10.0"},
		"X-Powered-By":        {"ASP.NET"},
		"X-Aspnet-Version":    {"4.0.30319"},
		"X-Aspnetmvc-Version": {"5.2"},
		"Content-Type":        {"application/json"},
	})
	got := map[string]finding.Finding{}
	for _, f := range fs {
		got[f.Location.Param] = f
	}
	if len(fs) != 3 || got["Server"].ID == "" || got["X-AspNet-Version"].ID == "" || got["X-AspNetMvc-Version"].ID == "" {
		t.Fatalf("want Server, X-AspNet-Version and X-AspNetMvc-Version, got %v", got)
	}
	f := got["Server"]
	if f.Severity != finding.Low || f.Category != finding.Inventory || f.OWASP != "API9:2023" || f.CWE != "CWE-497" ||
		f.Location.In != finding.InResponseHeader || f.Location.Path != "/" || f.Reproduce == "" || len(f.Evidence) == 0 {
		t.Errorf("finding %+v", f)
	}
	if f.Details["header"] != "Server" || f.Details["product"] != "Microsoft-IIS" || f.Details["version"] != "10.0" {
		t.Errorf("details %v", f.Details)
	}
	if !strings.Contains(f.Remediation, "removeServerHeader") {
		t.Errorf("remediation not IIS-specific: %s", f.Remediation)
	}
}

func TestVersionBanner_BareProductIsNotReported(t *testing.T) {
	for _, h := range []http.Header{
		{"Server": {"nginx"}}, {"X-Powered-By": {"Express"}}, {"Server": {"Apache-Coyote/1.1"}},
		{"Server": {"Microsoft-HTTPAPI/2.0"}}, {"X-Runtime": {"0.2345"}}, {"Via": {"1.1 google"}}, {"Server": {"uvicorn"}},
		{"X-Aspnet-Version": {"hidden"}}, {"Server": {"ATS"}},
	} {
		if fs := inspect(h); len(fs) != 0 {
			t.Errorf("%v reported: %+v", h, fs[0].Details)
		}
	}
}

func TestVersionBanner_DevServerNoted(t *testing.T) {
	fs := inspect(http.Header{"Server": {"WSGIServer/0.2 CPython/3.11.2"}})
	if len(fs) != 1 || !strings.Contains(fs[0].Description, "development") || fs[0].Details["version"] != "3.11.2" {
		t.Fatalf("got %+v", fs)
	}
}

func TestVersionBanner_SameHeaderAcrossPathsIsOneFinding(t *testing.T) {
	a := inspect(http.Header{"Server": {"nginx/1.18.0"}})
	b := inspect(http.Header{"Server": {"nginx/1.24.0"}})
	if len(a) != 1 || len(b) != 1 || a[0].ID != b[0].ID {
		t.Fatal("one finding id per header per site")
	}
}

func TestVersionBanner_FailedExchangeIgnored(t *testing.T) {
	var n int
	New().Inspect(&check.Target{Mask: &mask.Masker{}}, &engine.Exchange{URL: "http://127.0.0.1/", Err: fmt.Errorf("refused")},
		func(finding.Finding) { n++ })
	if n != 0 {
		t.Fatal("reported a failed exchange")
	}
}
