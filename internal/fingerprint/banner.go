package fingerprint

import (
	"regexp"
	"slices"
	"strings"
)

// bannerHeaders are the response headers that name software, in report order.
var bannerHeaders = []string{
	"Server", "X-Powered-By", "X-AspNet-Version", "X-AspNetMvc-Version", "X-Generator", "X-Runtime", "Via",
}

// BannerHeaders returns the response headers that name software, in report
// order; ParseBanner understands each of them. The slice is the caller's.
func BannerHeaders() []string { return slices.Clone(bannerHeaders) }

// BannerProduct is one piece of software a banner header names.
type BannerProduct struct {
	// Name is the product as the header writes it ("Apache", "PHP").
	Name string `json:"name"`
	// Version is the version the header writes, "" when none; see Disclosed.
	Version string `json:"version"`
	// ID is the component id: a names.go constant for the products Detect
	// knows ("apache", "php"), else a lowercase id derived from Name.
	ID string `json:"id"`
	// Known is true when ID comes from the product table rather than
	// from the name the header writes.
	Known bool `json:"known"`
}

// Disclosed reports whether the product's version tells an attacker
// something: present, and not one of the versions that never change
// between releases.
func (p BannerProduct) Disclosed() bool {
	return p.Version != "" && constantVersions[p.ID] != p.Version
}

// bannerProductIDs maps product names as banners write them (lowercased) to
// component ids.
var bannerProductIDs = map[string]string{
	"apache": Apache, "httpd": Apache, "apache httpd": Apache,
	"nginx": Nginx, "openresty": OpenResty, "tengine": Tengine,
	"microsoft-iis": IIS, "iis": IIS, "microsoft-httpapi": HTTPSys,
	"gunicorn": Gunicorn, "werkzeug": Werkzeug, "wsgiserver": WSGIRef,
	"python": Python, "cpython": Python, "pypy": PyPy,
	"uvicorn": Uvicorn, "hypercorn": Hypercorn, "hypercorn-h11": Hypercorn, "hypercorn-h2": Hypercorn,
	"daphne": Daphne, "tornadoserver": Tornado, "tornado": Tornado, "aiohttp": AIOHTTP,
	"cherrypy": CherryPy, "cheroot": Cheroot, "waitress": Waitress, "mod_wsgi": ModWSGI, "uwsgi": "uwsgi",
	"django": Django, "flask": Flask, "fastapi": FastAPI,
	"php": PHP, "hhvm": HHVM, "plesklin": "plesk", "pleskwin": "plesk", "laravel": Laravel, "symfony": Symfony,
	"express": Express, "next.js": NextJS, "node.js": Node, "node": Node,
	"asp.net": ASPNet, "asp.net mvc": ASPNetMVC, "kestrel": Kestrel,
	"jetty": Jetty, "apache-coyote": Tomcat, "tomcat": Tomcat, "apache tomcat": Tomcat,
	"undertow": Undertow, "wildfly": WildFly, "jboss": JBoss, "jboss-eap": JBoss,
	"servlet": Servlet, "jsp": JSP, "glassfish": GlassFish,
	"java": Java, "openssl": "openssl", "mod_ssl": "mod_ssl", "mod_perl": "mod_perl", "perl": "perl",
	"ruby": Ruby, "webrick": WEBrick, "puma": Puma, "thin": "thin", "mongrel": "mongrel", "unicorn": "unicorn", "rails": Rails,
	"passenger": Passenger, "phusion_passenger": Passenger, "phusion passenger": Passenger, "phusion passenger(r)": Passenger,
	"lighttpd": "lighttpd", "litespeed": "litespeed", "caddy": Caddy, "envoy": "envoy", "istio-envoy": "envoy",
	"haproxy": "haproxy", "traefik": "traefik", "varnish": "varnish", "squid": "squid", "cloudfront": "cloudfront",
	"cloudflare": "cloudflare", "amazons3": "amazon-s3", "akamaighost": "akamai", "google frontend": "google-frontend",
	"cowboy": "cowboy", "drupal": "drupal", "wordpress": "wordpress", "joomla!": "joomla", "hugo": "hugo", "jekyll": "jekyll",
	"ubuntu": "ubuntu", "debian": "debian", "centos": "centos", "red hat": "rhel", "red hat enterprise linux": "rhel",
	"fedora": "fedora", "freebsd": "freebsd", "win64": "windows", "win32": "windows", "almalinux": "almalinux",
	"rocky linux": "rocky", "amazon": "amazon-linux",
}

// constantVersions are version strings that never change between releases
// and so disclose nothing (Tomcat's Coyote connector always says 1.1,
// http.sys always 2.0, Python's wsgiref always 0.2).
var constantVersions = map[string]string{
	Tomcat: "1.1", HTTPSys: "2.0", WSGIRef: "0.2",
}

// maxBanner is the longest header value ParseBanner reads; real banners are
// far shorter.
const maxBanner = 1024

var (
	// bannerVersionRe accepts "9", "10.0", "1.0.2k-fips", "9.4.44.v20210927"
	// but not build ids or hashes such as "7F84" or "abc123".
	bannerVersionRe = regexp.MustCompile(`^v?(\d+|\d+(\.\d+)+[0-9A-Za-z._+~-]*)$`)
	commentProdRe   = regexp.MustCompile(`(?:^|[\s;,])([A-Za-z][A-Za-z0-9_.+-]*)/(v?\d[0-9A-Za-z._+~-]*)`)
	spaceVersionRe  = regexp.MustCompile(`^(.*?[A-Za-z)!])\s+v?(\d+(?:\.\d+)*[0-9A-Za-z._+~-]*)$`)
	// requestTimeRe is Rack::Runtime's X-Runtime value, seconds spent on the
	// request: not a product.
	requestTimeRe = regexp.MustCompile(`^\d+(\.\d+)?$`)
	idCleanRe     = regexp.MustCompile(`[^a-z0-9._-]+`)
)

// bannerProductID returns the component id for a product name and whether it
// is a known one: the table's id, else the name lowercased with anything but
// letters, digits, dots, dashes and underscores removed.
func bannerProductID(name string) (string, bool) {
	n := strings.ToLower(strings.TrimSpace(name))
	if id, ok := bannerProductIDs[n]; ok {
		return id, true
	}
	id := strings.Trim(idCleanRe.ReplaceAllString(strings.ReplaceAll(n, " ", "-"), ""), "-._")
	if len(id) > 32 {
		id = id[:32]
	}
	return id, false
}

// bannerVersion returns v when it is a version string, else "".
func bannerVersion(v string) string {
	v = strings.TrimRight(strings.TrimSpace(v), ".,;")
	if len(v) > maxVersion || !bannerVersionRe.MatchString(v) {
		return ""
	}
	return v
}

func newBannerProduct(name, version string) (BannerProduct, bool) {
	name = strings.TrimSpace(name)
	if name == "" {
		return BannerProduct{}, false
	}
	id, known := bannerProductID(name)
	if id == "" {
		return BannerProduct{}, false
	}
	return BannerProduct{Name: name, Version: bannerVersion(version), ID: id, Known: known}, true
}

// knownBannerProduct returns the product for a name the table knows.
func knownBannerProduct(name string) (BannerProduct, bool) {
	name = strings.TrimSpace(name)
	if id, known := bannerProductID(name); known {
		return BannerProduct{Name: name, ID: id, Known: true}, true
	}
	return BannerProduct{}, false
}

// ParseBanner reads the products a banner header names. It understands the
// RFC 9110 product grammar (`Apache/2.4.41 (Ubuntu) OpenSSL/1.1.1f`), Jetty's
// `Jetty(9.4.44.v20210927)`, space-separated versions (`Drupal 9`,
// `Phusion Passenger(R) 6.0.10`), comma lists (X-Powered-By, Via) and the
// value-is-a-version headers of ASP.NET. Versions are kept only when they
// look like versions; use Disclosed to tell whether one reveals anything.
// Unknown products are returned too (Known false), their ID derived from the
// name. ParseBanner is safe for concurrent use.
func ParseBanner(header, value string) []BannerProduct {
	value = strings.TrimSpace(value)
	if value == "" || len(value) > maxBanner {
		return nil
	}
	switch strings.ToLower(header) {
	case "x-aspnet-version":
		return versionHeader("ASP.NET", value)
	case "x-aspnetmvc-version":
		return versionHeader("ASP.NET MVC", value)
	case "x-runtime":
		if requestTimeRe.MatchString(value) {
			return nil // Rack::Runtime's request time, not a product
		}
		return parseProductList(value)
	case "via":
		return parseVia(value)
	case "x-powered-by", "x-generator":
		return parseProductList(value)
	}
	return parseProducts(value)
}

// versionHeader reads a header whose value is the version of the product
// the header's name implies (X-AspNet-Version: 4.0.30319). A value that is
// not a version still names the product.
func versionHeader(name, value string) []BannerProduct {
	if p, ok := newBannerProduct(name, value); ok {
		return []BannerProduct{p}
	}
	return nil
}

// parseProductList reads comma- or semicolon-separated entries, each
// "Name/1.2", "Name 1.2" or "Name", ignoring parenthesised remarks such as
// URLs.
func parseProductList(value string) []BannerProduct {
	var out []BannerProduct
	for _, part := range strings.FieldsFunc(value, func(r rune) bool { return r == ',' || r == ';' }) {
		part = stripURLComment(strings.TrimSpace(part))
		if part == "" {
			continue
		}
		if strings.Contains(part, "/") && !strings.Contains(part, " ") {
			name, ver, _ := strings.Cut(part, "/")
			if p, ok := newBannerProduct(name, ver); ok {
				out = append(out, p)
			}
			continue
		}
		if strings.Contains(part, "/") {
			out = append(out, parseProducts(part)...)
			continue
		}
		if m := spaceVersionRe.FindStringSubmatch(part); m != nil {
			if p, ok := newBannerProduct(m[1], m[2]); ok {
				out = append(out, p)
			}
			continue
		}
		if p, ok := newBannerProduct(part, ""); ok {
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
func parseProducts(v string) []BannerProduct {
	if id, known := bannerProductIDs[strings.ToLower(v)]; known {
		return []BannerProduct{{Name: v, ID: id, Known: true}}
	}
	var out []BannerProduct
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
				if cv := bannerVersion(v[i+1 : end]); cv != "" {
					ver = cv
					i = end + 1
				}
			}
			if ver == "" && bannerVersion(name) != "" && len(out) > 0 && out[len(out)-1].Version == "" {
				// "Mongrel 1.1.5": a bare version belongs to the product before it.
				out[len(out)-1].Version = bannerVersion(name)
				continue
			}
			if bannerVersion(name) != "" {
				continue // a stray version with nothing to attach to
			}
			if p, ok := newBannerProduct(name, ver); ok {
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
func parseComment(c string) []BannerProduct {
	var out []BannerProduct
	for _, m := range commentProdRe.FindAllStringSubmatch(c, -1) {
		if p, ok := newBannerProduct(m[1], m[2]); ok && p.Version != "" {
			out = append(out, p)
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, w := range strings.FieldsFunc(c, func(r rune) bool { return r == ';' || r == ',' }) {
		if p, ok := knownBannerProduct(w); ok {
			out = append(out, p)
		}
	}
	return out
}

// parseVia reads `1.1 varnish (Varnish/6.0), 1.1 proxy.example.net`: the
// protocol version is not a product version; the received-by field names a
// product only when it is a known one, and comments name products.
func parseVia(v string) []BannerProduct {
	var out []BannerProduct
	for _, hop := range strings.Split(v, ",") {
		hop = strings.TrimSpace(hop)
		comment := ""
		if i := strings.IndexByte(hop, '('); i >= 0 {
			comment = hop[i+1 : closingParen(hop, i)]
			hop = hop[:i]
		}
		f := strings.Fields(hop)
		if len(f) >= 2 {
			if p, ok := knownBannerProduct(f[1]); ok {
				out = append(out, p)
			}
		}
		if comment != "" {
			out = append(out, parseComment(comment)...)
		}
	}
	return out
}
