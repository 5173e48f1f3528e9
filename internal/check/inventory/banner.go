package inventory

import (
	"regexp"
	"strings"

	"github.com/parapet-scanner/parapet/internal/engine"
	"github.com/parapet-scanner/parapet/internal/fingerprint"
	"github.com/parapet-scanner/parapet/internal/safetext"
)

// bannerHeaders are the response headers that name software, in report order.
var bannerHeaders = []string{
	"Server", "X-Powered-By", "X-AspNet-Version", "X-AspNetMvc-Version", "X-Generator", "X-Runtime", "Via",
}

// Product is one piece of software a header names.
type Product struct {
	// Name is the product as the header writes it ("Apache", "PHP").
	Name string `json:"name"`
	// Version is the version the header discloses, "" when none.
	Version string `json:"version"`
	// ID is the lowercase stack id ("apache", "php").
	ID string `json:"id"`
}

// techIDs maps product names (lowercased) to stack ids.
var techIDs = map[string]string{
	"apache": "apache", "httpd": "apache", "apache httpd": "apache",
	"nginx": "nginx", "openresty": "openresty", "tengine": "tengine",
	"microsoft-iis": "iis", "iis": "iis", "microsoft-httpapi": "httpsys",
	"gunicorn": "gunicorn", "werkzeug": "werkzeug", "wsgiserver": "wsgiref",
	"python": "python", "cpython": "python", "pypy": "pypy",
	"uvicorn": "uvicorn", "hypercorn": "hypercorn", "hypercorn-h11": "hypercorn", "hypercorn-h2": "hypercorn",
	"daphne": "daphne", "tornadoserver": "tornado", "tornado": "tornado", "aiohttp": "aiohttp",
	"cherrypy": "cherrypy", "waitress": "waitress", "mod_wsgi": "mod_wsgi", "uwsgi": "uwsgi",
	"php": "php", "plesklin": "plesk", "pleskwin": "plesk",
	"express": "express", "next.js": "nextjs", "node.js": "node", "node": "node",
	"asp.net": "aspnet", "asp.net mvc": "aspnet-mvc", "kestrel": "kestrel",
	"jetty": "jetty", "apache-coyote": "tomcat", "tomcat": "tomcat", "apache tomcat": "tomcat",
	"undertow": "undertow", "wildfly": "wildfly", "servlet": "servlet", "jsp": "jsp", "glassfish": "glassfish",
	"java": "java", "openssl": "openssl", "mod_ssl": "mod_ssl", "mod_perl": "mod_perl", "perl": "perl",
	"webrick": "webrick", "puma": "puma", "thin": "thin", "mongrel": "mongrel", "unicorn": "unicorn",
	"phusion_passenger": "passenger", "phusion passenger": "passenger", "phusion passenger(r)": "passenger", "ruby": "ruby",
	"lighttpd": "lighttpd", "litespeed": "litespeed", "caddy": "caddy", "envoy": "envoy", "istio-envoy": "envoy",
	"haproxy": "haproxy", "traefik": "traefik", "varnish": "varnish", "squid": "squid", "cloudfront": "cloudfront",
	"cloudflare": "cloudflare", "amazons3": "amazon-s3", "akamaighost": "akamai", "google frontend": "google-frontend",
	"cowboy": "cowboy", "drupal": "drupal", "wordpress": "wordpress", "joomla!": "joomla", "hugo": "hugo", "jekyll": "jekyll",
	"ubuntu": "ubuntu", "debian": "debian", "centos": "centos", "red hat": "rhel", "red hat enterprise linux": "rhel",
	"fedora": "fedora", "freebsd": "freebsd", "win64": "windows", "win32": "windows", "almalinux": "almalinux",
	"rocky linux": "rocky", "amazon": "amazon-linux",
}

// fixedVersions are version strings that never change between releases
// and so disclose nothing (Tomcat's Coyote connector always says 1.1,
// http.sys always 2.0, Python's wsgiref always 0.2).
var fixedVersions = map[string]string{
	"tomcat": "1.1", "httpsys": "2.0", "wsgiref": "0.2",
}

var (
	// versionRe accepts "9", "10.0", "1.0.2k-fips", "9.4.44.v20210927" but
	// not build ids or hashes such as "7F84" or "abc123".
	versionRe      = regexp.MustCompile(`^v?(\d+|\d+(\.\d+)+[0-9A-Za-z._+~-]*)$`)
	commentProdRe  = regexp.MustCompile(`(?:^|[\s;,])([A-Za-z][A-Za-z0-9_.+-]*)/(v?\d[0-9A-Za-z._+~-]*)`)
	spaceVersionRe = regexp.MustCompile(`^(.*?[A-Za-z)!])\s+v?(\d+(?:\.\d+)*[0-9A-Za-z._+~-]*)$`)
	floatRe        = regexp.MustCompile(`^\d+(\.\d+)?$`)
	idCleanRe      = regexp.MustCompile(`[^a-z0-9._-]+`)
)

// techID returns the stack id for a product name: the known id, else the
// name lowercased with anything but letters, digits, dots, dashes and
// underscores removed.
func techID(name string) (string, bool) {
	n := strings.ToLower(strings.TrimSpace(name))
	if id, ok := techIDs[n]; ok {
		return id, true
	}
	id := strings.Trim(idCleanRe.ReplaceAllString(strings.ReplaceAll(n, " ", "-"), ""), "-._")
	if len(id) > 32 {
		id = id[:32]
	}
	return id, false
}

func cleanVersion(v string) string {
	v = strings.TrimRight(strings.TrimSpace(v), ".,;")
	if len(v) > 40 || !versionRe.MatchString(v) {
		return ""
	}
	return v
}

func newProduct(name, version string) (Product, bool) {
	name = strings.TrimSpace(name)
	if name == "" {
		return Product{}, false
	}
	id, _ := techID(name)
	if id == "" {
		return Product{}, false
	}
	return Product{Name: name, Version: cleanVersion(version), ID: id}, true
}

// Disclosed reports whether the product's version tells an attacker
// something: present, and not one of the fixed connector versions.
func (p Product) Disclosed() bool {
	return p.Version != "" && fixedVersions[p.ID] != p.Version
}

// ParseBanner reads the products a banner header names. It understands the
// RFC 9110 product grammar (`Apache/2.4.41 (Ubuntu) OpenSSL/1.1.1f`), Jetty's
// `Jetty(9.4.44.v20210927)`, space-separated versions (`Drupal 9`,
// `Phusion Passenger(R) 6.0.10`), comma lists (X-Powered-By, Via) and the
// value-is-a-version headers of ASP.NET.
func ParseBanner(header, value string) []Product {
	value = strings.TrimSpace(value)
	if value == "" || len(value) > 1024 {
		return nil
	}
	switch strings.ToLower(header) {
	case "x-aspnet-version":
		return single("ASP.NET", value)
	case "x-aspnetmvc-version":
		return single("ASP.NET MVC", value)
	case "x-runtime":
		if floatRe.MatchString(value) {
			return nil // Rack::Runtime's request time, not a product
		}
		return parseList(value)
	case "via":
		return parseVia(value)
	case "x-powered-by", "x-generator":
		return parseList(value)
	}
	return parseProducts(value)
}

func single(name, version string) []Product {
	if p, ok := newProduct(name, version); ok && p.Version != "" {
		return []Product{p}
	}
	return nil
}

// parseList reads comma- or semicolon-separated entries, each "Name/1.2",
// "Name 1.2" or "Name", ignoring parenthesised remarks such as URLs.
func parseList(value string) []Product {
	var out []Product
	for _, part := range strings.FieldsFunc(value, func(r rune) bool { return r == ',' || r == ';' }) {
		part = stripURLComment(strings.TrimSpace(part))
		if part == "" {
			continue
		}
		if strings.Contains(part, "/") && !strings.Contains(part, " ") {
			name, ver, _ := strings.Cut(part, "/")
			if p, ok := newProduct(name, ver); ok {
				out = append(out, p)
			}
			continue
		}
		if strings.Contains(part, "/") {
			out = append(out, parseProducts(part)...)
			continue
		}
		if m := spaceVersionRe.FindStringSubmatch(part); m != nil {
			if p, ok := newProduct(m[1], m[2]); ok {
				out = append(out, p)
			}
			continue
		}
		if p, ok := newProduct(part, ""); ok {
			out = append(out, p)
		}
	}
	return out
}

// stripURLComment drops "(https://…)" remarks (X-Generator: Drupal 9 (https://www.drupal.org)).
func stripURLComment(s string) string {
	if i := strings.Index(s, "(http"); i >= 0 {
		if j := strings.IndexByte(s[i:], ')'); j >= 0 {
			s = s[:i] + s[i+j+1:]
		} else {
			s = s[:i]
		}
	}
	return strings.TrimSpace(s)
}

// parseProducts reads `product *( RWS ( product / comment ) )`. A value that
// is one known multi-word name ("Google Frontend") is one product.
func parseProducts(v string) []Product {
	if id, known := techIDs[strings.ToLower(v)]; known {
		return []Product{{Name: v, ID: id}}
	}
	var out []Product
	for i := 0; i < len(v); {
		switch c := v[i]; {
		case c == ' ' || c == '\t':
			i++
		case c == '(':
			end := closingParen(v, i)
			out = append(out, parseComment(v[i+1:end])...)
			i = end + 1
		default:
			j := i
			for j < len(v) && v[j] != ' ' && v[j] != '\t' && v[j] != '(' {
				j++
			}
			tok := v[i:j]
			i = j
			name, ver, _ := strings.Cut(tok, "/")
			if ver == "" && i < len(v) && v[i] == '(' {
				// Jetty(9.4.44.v20210927): the parenthesis holds the version.
				end := closingParen(v, i)
				if cv := cleanVersion(v[i+1 : end]); cv != "" {
					ver = cv
					i = end + 1
				}
			}
			if ver == "" && cleanVersion(name) != "" && len(out) > 0 && out[len(out)-1].Version == "" {
				// "Mongrel 1.1.5": a bare version belongs to the product before it.
				out[len(out)-1].Version = cleanVersion(name)
				continue
			}
			if cleanVersion(name) != "" {
				continue // a stray version with nothing to attach to
			}
			if p, ok := newProduct(name, ver); ok {
				out = append(out, p)
			}
		}
	}
	return out
}

// closingParen returns the index of the parenthesis closing the one at i,
// or len(v) when it is never closed.
func closingParen(v string, i int) int {
	depth := 0
	for j := i; j < len(v); j++ {
		switch v[j] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return len(v)
}

// parseComment reads the products inside a comment: name/version pairs
// (`Ruby/3.0.2/2021-07-07`, `Varnish/6.0`) and known bare names (`Ubuntu`,
// `CloudFront`). Other words in comments are ignored.
func parseComment(c string) []Product {
	var out []Product
	for _, m := range commentProdRe.FindAllStringSubmatch(c, -1) {
		if p, ok := newProduct(m[1], m[2]); ok && p.Version != "" {
			out = append(out, p)
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, w := range strings.FieldsFunc(c, func(r rune) bool { return r == ';' || r == ',' }) {
		if id, known := techID(w); known {
			out = append(out, Product{Name: strings.TrimSpace(w), ID: id})
		}
	}
	return out
}

// parseVia reads `1.1 varnish (Varnish/6.0), 1.1 proxy.example.net`: the
// protocol version is not a product version; the received-by field names a
// product only when it is a known one, and comments name products.
func parseVia(v string) []Product {
	var out []Product
	for _, hop := range strings.Split(v, ",") {
		hop = strings.TrimSpace(hop)
		comment := ""
		if i := strings.IndexByte(hop, '('); i >= 0 {
			comment = hop[i+1 : closingParen(hop, i)]
			hop = hop[:i]
		}
		f := strings.Fields(hop)
		if len(f) >= 2 {
			if id, known := techID(f[1]); known {
				out = append(out, Product{Name: f[1], ID: id})
			}
		}
		if comment != "" {
			out = append(out, parseComment(comment)...)
		}
	}
	return out
}

// DetectStack returns the software an exchange's response headers name —
// web servers, languages, frameworks, proxies and operating systems — with
// versions when disclosed. Names are lowercase stack ids (nginx, apache, iis,
// gunicorn, werkzeug, python, php, express, aspnet, jetty, kestrel, uvicorn…).
func DetectStack(ex *engine.Exchange) []fingerprint.Tech {
	if ex == nil || ex.Header == nil {
		return nil
	}
	var out []fingerprint.Tech
	seen := map[string]int{}
	add := func(t fingerprint.Tech) {
		if i, ok := seen[t.Name]; ok {
			if out[i].Version == "" && t.Version != "" {
				out[i] = t
			}
			return
		}
		seen[t.Name] = len(out)
		out = append(out, t)
	}
	for _, h := range bannerHeaders {
		for _, v := range ex.Header.Values(h) {
			ev := h + ": " + safetext.Truncate(safetext.Line(v), 120)
			for _, p := range ParseBanner(h, v) {
				ver := p.Version
				if !p.Disclosed() {
					ver = ""
				}
				add(fingerprint.Tech{Name: p.ID, Version: ver, Evidence: ev})
			}
			if strings.EqualFold(h, "X-Runtime") && floatRe.MatchString(strings.TrimSpace(v)) {
				add(fingerprint.Tech{Name: "rack", Evidence: ev})
			}
		}
	}
	return out
}
