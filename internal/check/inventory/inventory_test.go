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

// products renders parsed products as "id@version" (version "" when not disclosed).
func products(ps []Product) string {
	var out []string
	for _, p := range ps {
		v := p.Version
		if !p.Disclosed() {
			v = ""
		}
		out = append(out, p.ID+"@"+v)
	}
	return strings.Join(out, " ")
}

func TestParseBanner(t *testing.T) {
	cases := []struct{ header, value, want string }{
		{"Server", "WSGIServer/0.2 CPython/3.11.2", "wsgiref@ python@3.11.2"},
		{"Server", "Apache/2.4.41 (Ubuntu)", "apache@2.4.41 ubuntu@"},
		{"Server", "Apache/2.4.6 (CentOS) OpenSSL/1.0.2k-fips mod_wsgi/3.4 Python/2.7.5", "apache@2.4.6 centos@ openssl@1.0.2k-fips mod_wsgi@3.4 python@2.7.5"},
		{"Server", "Apache/2.4.54 (Win64) OpenSSL/1.1.1p PHP/8.1.10", "apache@2.4.54 windows@ openssl@1.1.1p php@8.1.10"},
		{"Server", "nginx/1.18.0 (Ubuntu)", "nginx@1.18.0 ubuntu@"},
		{"Server", "nginx", "nginx@"},
		{"Server", "openresty/1.21.4.1", "openresty@1.21.4.1"},
		{"Server", "Microsoft-IIS/10.0", "iis@10.0"},
		{"Server", "Microsoft-HTTPAPI/2.0", "httpsys@"},
		{"Server", "gunicorn/20.1.0", "gunicorn@20.1.0"},
		{"Server", "gunicorn", "gunicorn@"},
		{"Server", "Werkzeug/2.0.1 Python/3.9.7", "werkzeug@2.0.1 python@3.9.7"},
		{"Server", "Jetty(9.4.44.v20210927)", "jetty@9.4.44.v20210927"},
		{"Server", "Jetty(12.0.5)", "jetty@12.0.5"},
		{"Server", "Kestrel", "kestrel@"},
		{"Server", "uvicorn", "uvicorn@"},
		{"Server", "hypercorn-h11", "hypercorn@"},
		{"Server", "TornadoServer/6.3.2", "tornado@6.3.2"},
		{"Server", "Python/3.10 aiohttp/3.8.1", "python@3.10 aiohttp@3.8.1"},
		{"Server", "Apache-Coyote/1.1", "tomcat@"},
		{"Server", "WEBrick/1.7.0 (Ruby/3.0.2/2021-07-07)", "webrick@1.7.0 ruby@3.0.2"},
		{"Server", "Mongrel 1.1.5", "mongrel@1.1.5"},
		{"Server", "lighttpd/1.4.59", "lighttpd@1.4.59"},
		{"Server", "cloudflare", "cloudflare@"},
		{"Server", "AmazonS3", "amazon-s3@"},
		{"Server", "Google Frontend", "google-frontend@"},
		{"Server", "CherryPy/18.8.0", "cherrypy@18.8.0"},
		{"X-Powered-By", "Express", "express@"},
		{"X-Powered-By", "PHP/8.1.2", "php@8.1.2"},
		{"X-Powered-By", "PHP/7.4.3-4ubuntu2.19", "php@7.4.3-4ubuntu2.19"},
		{"X-Powered-By", "ASP.NET", "aspnet@"},
		{"X-Powered-By", "Next.js", "nextjs@"},
		{"X-Powered-By", "Phusion Passenger(R) 6.0.10", "passenger@6.0.10"},
		{"X-Powered-By", "PHP/8.2.7, PleskLin", "php@8.2.7 plesk@"},
		{"X-Powered-By", "Servlet/3.1 JSP/2.3", "servlet@3.1 jsp@2.3"},
		{"X-AspNet-Version", "4.0.30319", "aspnet@4.0.30319"},
		{"X-AspNetMvc-Version", "5.2", "aspnet-mvc@5.2"},
		{"X-AspNet-Version", "hidden", ""},
		{"X-Generator", "Drupal 9 (https://www.drupal.org)", "drupal@9"},
		{"X-Generator", "WordPress 6.4.2", "wordpress@6.4.2"},
		{"X-Runtime", "0.012873", ""},
		{"X-Runtime", "12", ""},
		{"Via", "1.1 varnish (Varnish/6.0)", "varnish@ varnish@6.0"},
		{"Via", "1.1 vegur", ""},
		{"Via", "HTTP/1.1 proxy.corp.example (squid/4.10)", "squid@4.10"},
		{"Via", "1.1 6c3b2ad6e4b1.cloudfront.net (CloudFront)", "cloudfront@"},
		{"Via", "1.0 fred, 1.1 p.example.net", ""},
		{"Via", "2 google", ""},
		{"Server", "", ""},
		{"Server", "(", ""},
		{"Server", "Apache/2.4.41 (Ubuntu", "apache@2.4.41 ubuntu@"},
		{"Server", "3.2.1", ""},
		{"Server", "ECS (dcb/7F84)", "ecs@"},
		{"Server", "envoy/abc123", "envoy@"},
		{"Server", "ATS/9.1.2", "ats@9.1.2"},
		{"Server", "Jetty(9.4.z-SNAPSHOT)", "jetty@9.4.z-SNAPSHOT"},
	}
	for _, tc := range cases {
		if got := products(ParseBanner(tc.header, tc.value)); got != tc.want {
			t.Errorf("ParseBanner(%s: %q) = %q, want %q", tc.header, tc.value, got, tc.want)
		}
	}
}

func TestDetectStack(t *testing.T) {
	ex := &engine.Exchange{Header: http.Header{
		"Server":           {"Apache/2.4.41 (Ubuntu) OpenSSL/1.1.1f"},
		"X-Powered-By":     {"PHP/7.4.3"},
		"X-Aspnet-Version": {"4.0.30319"},
		"X-Runtime":        {"0.004512"},
		"Via":              {"1.1 varnish (Varnish/6.0)"},
	}}
	got := map[string]string{}
	for _, tech := range DetectStack(ex) {
		got[tech.Name] = tech.Version
		if tech.Evidence == "" {
			t.Errorf("%s has no evidence", tech.Name)
		}
	}
	want := map[string]string{"apache": "2.4.41", "ubuntu": "", "openssl": "1.1.1f", "php": "7.4.3", "aspnet": "4.0.30319",
		"rack": "", "varnish": "6.0"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("DetectStack = %v, want %v", got, want)
	}
	if DetectStack(nil) != nil || DetectStack(&engine.Exchange{}) != nil {
		t.Error("nil exchange")
	}
}

func TestDetectStack_FrameworkServers(t *testing.T) {
	cases := map[string]string{
		"WSGIServer/0.2 CPython/3.11.2": "python@3.11.2 wsgiref@",
		"Werkzeug/2.0.1 Python/3.9":     "python@3.9 werkzeug@2.0.1",
		"uvicorn":                       "uvicorn@",
		"Kestrel":                       "kestrel@",
		"Microsoft-IIS/10.0":            "iis@10.0",
		"Jetty(9.4.z-SNAPSHOT)":         "jetty@9.4.z-SNAPSHOT",
	}
	for server, want := range cases {
		var got []string
		for _, tech := range DetectStack(&engine.Exchange{Header: http.Header{"Server": {server}}}) {
			got = append(got, tech.Name+"@"+tech.Version)
		}
		sortStrings(got)
		if strings.Join(got, " ") != want {
			t.Errorf("%q: %v, want %s", server, got, want)
		}
	}
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func TestDetectStack_HostileValueIsSanitized(t *testing.T) {
	ex := &engine.Exchange{Header: http.Header{"Server": {"Evil\x1b[31mServer/1.0 <script>x</script>"}}}
	for _, tech := range DetectStack(ex) {
		if strings.ContainsAny(tech.Name, "\x1b<> ") || strings.Contains(tech.Evidence, "\x1b") {
			t.Errorf("unsanitized tech %+v", tech)
		}
	}
}

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

func FuzzParseBanner(f *testing.F) {
	for _, s := range []string{"Apache/2.4.41 (Ubuntu) OpenSSL/1.1.1f", "Jetty(9.4.44.v20210927)", "1.1 varnish (Varnish/6.0)",
		"Drupal 9 (https://www.drupal.org)", "((((", "a/(b/1)", "Mongrel 1.1.5"} {
		f.Add("Server", s)
		f.Add("Via", s)
		f.Add("X-Powered-By", s)
	}
	f.Fuzz(func(t *testing.T, header, value string) {
		for _, p := range ParseBanner(header, value) {
			if p.ID == "" || strings.ContainsAny(p.ID, " \t\x1b<>\"") || len(p.Version) > 40 {
				t.Fatalf("bad product %+v from %q", p, value)
			}
		}
	})
}
