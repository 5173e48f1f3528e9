// Package inventory is the inventory check. Its version-banner kind reads
// every response for headers that disclose server, language and framework
// versions (Server, X-Powered-By, X-AspNet-Version, Via, …), parsed by
// fingerprint.ParseBanner, the parser stack fingerprinting uses too.
package inventory

import (
	"context"
	"net/url"
	"sort"
	"strings"

	"github.com/parapet-scanner/parapet/internal/check"
	"github.com/parapet-scanner/parapet/internal/engine"
	"github.com/parapet-scanner/parapet/internal/evidence"
	"github.com/parapet-scanner/parapet/internal/finding"
	"github.com/parapet-scanner/parapet/internal/fingerprint"
	"github.com/parapet-scanner/parapet/internal/safetext"
)

// KindVersionBanner is the check id of version disclosures.
const KindVersionBanner = "inventory/version-banner"

// Check is the inventory check. Create it with New.
type Check struct{}

var _ check.Check = (*Check)(nil)

var (
	_ check.Passive      = (*Check)(nil)
	_ check.WithFixtures = (*Check)(nil)
)

// New returns the inventory check.
func New() *Check { return &Check{} }

// ID returns the check's id, its category.
func (c *Check) ID() string { return string(finding.Inventory) }

// Category returns finding.Inventory.
func (c *Check) Category() finding.Category { return finding.Inventory }

// Kinds lists the kinds of finding this check reports.
func (c *Check) Kinds() []check.Kind {
	return []check.Kind{
		{ID: KindVersionBanner, Title: "Software version disclosed in headers",
			Description: "Server, X-Powered-By, X-AspNet-Version, X-AspNetMvc-Version, X-Generator, X-Runtime or Via disclose a product version (low, one finding per header)."},
	}
}

// Run sends nothing: every response the scan receives is inspected passively.
func (c *Check) Run(ctx context.Context, t *check.Target, cl *engine.Client, emit check.Emit) error {
	return ctx.Err()
}

// Inspect reports each banner header of the exchange that discloses a
// version. Headers that name a product without a version are not reported.
func (c *Check) Inspect(t *check.Target, ex *engine.Exchange, emit check.Emit) {
	if ex == nil || !ex.OK() || ex.Header == nil {
		return
	}
	for _, h := range fingerprint.BannerHeaders() {
		vals := ex.Header.Values(h)
		if len(vals) == 0 {
			continue
		}
		var all, disclosed []fingerprint.BannerProduct
		var value string
		for _, v := range vals {
			for _, p := range fingerprint.ParseBanner(h, v) {
				all = append(all, p)
				if p.Disclosed() {
					if value == "" {
						value = v
					}
					disclosed = append(disclosed, p)
				}
			}
		}
		if len(disclosed) > 0 {
			emit(bannerFinding(t, ex, h, value, disclosed, all))
		}
	}
}

// devServers are development servers that should never face real traffic.
var devServers = [][2]string{
	{fingerprint.Werkzeug, "Werkzeug's development server"},
	{fingerprint.WSGIRef, "Python's wsgiref server (Django runserver)"},
	{fingerprint.WEBrick, "WEBrick"},
}

// bannerFinding reports one header: ps are the products whose version it
// discloses, all every product it names (for advice and notes).
func bannerFinding(t *check.Target, ex *engine.Exchange, header, value string, ps, all []fingerprint.BannerProduct) finding.Finding {
	main := ps[0]
	var names []string
	var list []map[string]string
	for _, p := range ps {
		names = append(names, p.Name+" "+p.Version)
		list = append(list, map[string]string{"name": p.Name, "version": p.Version, "id": p.ID})
	}
	ids := map[string]bool{}
	for _, p := range all {
		ids[p.ID] = true
	}
	desc := "The " + header + " header discloses " + strings.Join(names, ", ") + ". Exact versions let an attacker " +
		"look up the known vulnerabilities of that release and pick working exploits without probing, and show which " +
		"components are out of date. Hiding the version is not a fix for outdated software, but it removes a free map."
	for _, d := range devServers {
		if ids[d[0]] {
			desc += " The header also shows " + d[1] + ", which is meant for development only and must not serve production traffic."
		}
	}
	u, _ := url.Parse(ex.URL)
	site := ex.URL
	if u != nil {
		site = (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/"}).String()
	}
	clean := safetext.Truncate(safetext.Line(value), 200)
	return finding.Finding{
		Check:       KindVersionBanner,
		Category:    finding.Inventory,
		Severity:    finding.Low,
		Confidence:  finding.Confirmed,
		Title:       "Software version disclosed in headers",
		Description: desc,
		Remediation: bannerRemediation(header, ids),
		CWE:         "CWE-497",
		Location: finding.Location{
			Method: "GET",
			URL:    site,
			Path:   "/",
			Param:  header,
			In:     finding.InResponseHeader,
		},
		Evidence: []finding.Evidence{evidence.From(ex, t.Mask, header+": "+clean, "")},
		Details: map[string]any{
			"header":   header,
			"value":    clean,
			"product":  main.Name,
			"version":  main.Version,
			"products": list,
		},
		Reproduce: evidence.Curl(ex, t.Mask),
	}
}

// productAdvice says how to stop each product from announcing its version,
// keyed by component id ("rack" also serves X-Runtime, which names none).
var productAdvice = map[string]string{
	fingerprint.Nginx:     "nginx: `server_tokens off;` in the http block.",
	fingerprint.OpenResty: "OpenResty: `server_tokens off;` (or more_clear_headers Server with headers-more).",
	fingerprint.Apache:    "Apache: `ServerTokens Prod` and `ServerSignature Off`.",
	"openssl":             "Apache modules (OpenSSL, mod_wsgi, PHP) disappear from the banner with `ServerTokens Prod`.",
	fingerprint.PHP:       "PHP: `expose_php = Off` in php.ini.",
	fingerprint.IIS:       "IIS 10+: set removeServerHeader=\"true\" on <requestFiltering> (or strip Server with URL Rewrite).",
	fingerprint.ASPNet:    "ASP.NET: <httpRuntime enableVersionHeader=\"false\" /> in web.config, and remove X-Powered-By under <customHeaders>.",
	fingerprint.ASPNetMVC: "ASP.NET MVC: MvcHandler.DisableMvcResponseHeader = true in Application_Start.",
	fingerprint.Kestrel:   "Kestrel: options.AddServerHeader = false in ConfigureKestrel.",
	fingerprint.Express:   "Express: app.disable('x-powered-by') or use helmet().",
	fingerprint.Gunicorn:  "gunicorn: override the Server header at the reverse proxy (e.g. nginx `proxy_hide_header Server` with server_tokens off).",
	fingerprint.Werkzeug:  "Flask/Werkzeug: run the app under a production server (gunicorn, uWSGI, waitress) behind a reverse proxy instead of the development server.",
	fingerprint.WSGIRef:   "Django: never expose `manage.py runserver`; deploy with gunicorn or uWSGI behind a reverse proxy.",
	fingerprint.Python:    "Python servers: put a reverse proxy in front that replaces the Server header.",
	fingerprint.Jetty:     "Jetty: httpConfig.setSendServerVersion(false) (jetty.httpConfig.sendServerVersion=false).",
	fingerprint.Tomcat:    "Tomcat: set server=\" \" on the Connector and remove X-Powered-By (xpoweredBy=\"false\").",
	"rack":                "Rails/Rack: config.middleware.delete Rack::Runtime.",
	fingerprint.Passenger: "Passenger: passenger_show_version_in_header off.",
	"drupal":              "Drupal: remove X-Generator in a custom module or at the reverse proxy.",
	"wordpress":           "WordPress: remove the generator with remove_action('wp_head', 'wp_generator') and strip the header at the proxy.",
	"varnish":             "Varnish: unset resp.http.Via in vcl_deliver.",
	"squid":               "Squid: `via off` and `httpd_suppress_version_string on`.",
	"lighttpd":            "lighttpd: server.tag = \"\".",
	"litespeed":           "LiteSpeed: set Server Signature to hide the version.",
	fingerprint.Tornado:   "Tornado: override set_default_headers() to clear the Server header.",
	fingerprint.Puma:      "Run Puma behind a reverse proxy that replaces the Server header.",
}

func bannerRemediation(header string, ids map[string]bool) string {
	generic := "Configure the server and framework not to send the " + header + " header (or to send only a product name), " +
		"and keep the software itself up to date: hiding versions does not patch them."
	var keys []string
	for id := range ids {
		if _, ok := productAdvice[id]; ok {
			keys = append(keys, id)
		}
	}
	sort.Strings(keys)
	var advice []string
	seen := map[string]bool{}
	for _, k := range keys {
		if a := productAdvice[k]; !seen[a] {
			seen[a] = true
			advice = append(advice, a)
		}
	}
	if header == "X-Runtime" && len(advice) == 0 {
		advice = append(advice, productAdvice["rack"])
	}
	if len(advice) == 0 {
		return generic
	}
	return generic + " " + strings.Join(advice, " ")
}
