package fingerprint

import (
	"strings"
	"testing"
)

// bannerProducts renders parsed products as "id@version" (version "" when
// not disclosed).
func bannerProducts(ps []BannerProduct) string {
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
		{"Server", "Passenger", "passenger@"},
		{"X-Powered-By", "Express", "express@"},
		{"X-Powered-By", "PHP/8.1.2", "php@8.1.2"},
		{"X-Powered-By", "PHP/7.4.3-4ubuntu2.19", "php@7.4.3-4ubuntu2.19"},
		{"X-Powered-By", "ASP.NET", "aspnet@"},
		{"X-Powered-By", "Next.js", "nextjs@"},
		{"X-Powered-By", "Phusion Passenger(R) 6.0.10", "passenger@6.0.10"},
		{"X-Powered-By", "Phusion Passenger (mod_rails/mod_rack) 3.0.11", "phusion@ passenger@3.0.11"},
		{"X-Powered-By", "PHP/8.2.7, PleskLin", "php@8.2.7 plesk@"},
		{"X-Powered-By", "Servlet/3.1 JSP/2.3", "servlet@3.1 jsp@2.3"},
		{"X-Powered-By", "HHVM/4.153.1", "hhvm@4.153.1"},
		{"X-Powered-By", "Undertow/1", "undertow@1"},
		{"X-Powered-By", "JBoss-EAP/7", "jboss@7"},
		{"X-AspNet-Version", "4.0.30319", "aspnet@4.0.30319"},
		{"X-AspNetMvc-Version", "5.2", "aspnet-mvc@5.2"},
		// The header names ASP.NET even when its value is not a version.
		{"X-AspNet-Version", "hidden", "aspnet@"},
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
		{"Server", "nginx/" + strings.Repeat("1", maxBanner), ""},
	}
	for _, tc := range cases {
		if got := bannerProducts(ParseBanner(tc.header, tc.value)); got != tc.want {
			t.Errorf("ParseBanner(%s: %q) = %q, want %q", tc.header, tc.value, got, tc.want)
		}
	}
}

// Known tells the table's products from names taken from the header, which
// Detect leaves out.
func TestParseBanner_KnownProducts(t *testing.T) {
	got := map[string]bool{}
	for _, p := range ParseBanner("Server", "Apache/2.4.41 (Ubuntu) ATS/9.1.2 Evil-Thing/1.0") {
		got[p.ID] = p.Known
	}
	want := map[string]bool{Apache: true, "ubuntu": true, "ats": false, "evil-thing": false}
	for id, known := range want {
		if k, ok := got[id]; !ok || k != known {
			t.Errorf("%s: known=%v present=%v, want known=%v", id, k, ok, known)
		}
	}
}

// The fixed connector versions name the product without disclosing anything.
func TestBannerProduct_ConstantVersionIsNotDisclosed(t *testing.T) {
	for _, v := range []string{"Apache-Coyote/1.1", "Microsoft-HTTPAPI/2.0", "WSGIServer/0.2"} {
		ps := ParseBanner("Server", v)
		if len(ps) != 1 || ps[0].Version == "" || ps[0].Disclosed() {
			t.Errorf("%s: %+v", v, ps)
		}
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
			if p.ID == "" || strings.ContainsAny(p.ID, " \t\x1b<>\"") || len(p.Version) > maxVersion {
				t.Fatalf("bad product %+v from %q", p, value)
			}
		}
	})
}
