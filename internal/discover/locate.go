package discover

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"net/url"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/parapet-scanner/parapet/internal/engine"
)

// wellKnownSpecPaths are where frameworks serve their OpenAPI document, most
// common first: FastAPI and many others (/openapi.json), drf-yasg and
// Flask-RESTX (/swagger.json), springdoc (/v3/api-docs), springfox
// (/v2/api-docs), swagger-ui-express and others (/api-docs), Swashbuckle
// (/swagger/v1/swagger.json), drf-spectacular (/api/schema/).
var wellKnownSpecPaths = []string{
	"openapi.json",
	"swagger.json",
	"v3/api-docs",
	"openapi.yaml",
	"v2/api-docs",
	"swagger/v1/swagger.json",
	"api-docs",
	"api/openapi.json",
	"api/schema/",
	"swagger.yaml",
	"docs/openapi.json",
}

// startDirSpecPaths are tried relative to the start URL's directory when it
// is not the root (an API mounted under /api/v1/ serves its spec there).
var startDirSpecPaths = []string{"openapi.json", "swagger.json", "openapi.yaml"}

// loadSpec returns the --spec document, or the first document discovery
// finds that parses, with the URL it came from (nil for a file).
func (d *discoverer) loadSpec(ctx context.Context, pages []*engine.Exchange) (*Spec, *url.URL, error) {
	if d.o.Spec != "" {
		spec, u, err := d.loadExplicitSpec(ctx, d.o.Spec)
		if err != nil {
			return nil, nil, fmt.Errorf("%w %s: %w", ErrSpec, d.o.Spec, err)
		}
		if u != nil {
			d.inv.SpecURL = u.String()
		} else {
			d.inv.SpecURL = d.o.Spec
		}
		return spec, u, nil
	}
	spec, u := d.findSpec(ctx, pages)
	if spec != nil {
		d.inv.SpecURL = u.String()
	}
	return spec, u, nil
}

// loadExplicitSpec reads --spec: a URL on the target's host, fetched through
// the engine, or a local file whose $refs may read its own directory.
func (d *discoverer) loadExplicitSpec(ctx context.Context, spec string) (*Spec, *url.URL, error) {
	lower := strings.ToLower(spec)
	if strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://") {
		u, err := url.Parse(spec)
		if err != nil {
			return nil, nil, err
		}
		d.progress("fetching spec %s", u.Redacted())
		ex, err := d.fetchSpec(ctx, u.String())
		if err != nil {
			return nil, nil, err
		}
		if ex.Status < 200 || ex.Status > 299 {
			return nil, nil, fmt.Errorf("HTTP status %d", ex.Status)
		}
		if ex.BodyTruncated {
			return nil, nil, fmt.Errorf("the spec is larger than the response budget (--max-body)")
		}
		s, err := parseSpec(ctx, ex.Body, specSource{})
		if err != nil {
			return nil, nil, err
		}
		return s, finalURL(ex), nil
	}
	file := strings.TrimPrefix(spec, "file://")
	data, err := readSpecFile(ctx, file)
	if err != nil {
		return nil, nil, err
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil, nil, err
	}
	d.progress("reading spec %s", filepath.Base(file))
	s, err := parseSpec(ctx, data, specSource{dir: filepath.Dir(abs), allowRefFiles: d.o.AllowRefFiles})
	return s, nil, err
}

func finalURL(ex *engine.Exchange) *url.URL {
	for _, s := range []string{ex.FinalURL, ex.URL} {
		if u, err := url.Parse(s); err == nil && s != "" {
			return u
		}
	}
	return nil
}

func (d *discoverer) probeBudget() int {
	switch d.o.Profile {
	case "quick":
		return probesQuick
	case "deep":
		return probesDeep
	}
	return probesStandard
}

// findSpec looks for the OpenAPI document: the start page itself, links the
// pages advertise (Link headers, <link rel>, Swagger UI and ReDoc config,
// anchors), then the well-known locations. It stops at the first document
// that parses.
func (d *discoverer) findSpec(ctx context.Context, pages []*engine.Exchange) (*Spec, *url.URL) {
	for _, ex := range pages {
		if ex.OK() && ex.Status/100 == 2 && looksLikeSpec(ex.Body) {
			if s, err := parseSpec(ctx, ex.Body, specSource{}); err == nil {
				return s, finalURL(ex)
			}
		}
	}
	q := &candidates{seen: map[string]bool{}}
	for _, ex := range pages {
		q.seen[ex.URL] = true
	}
	for _, ex := range pages {
		for _, u := range specLinks(ex) {
			q.push(u, true)
		}
	}
	for i, p := range wellKnownSpecPaths {
		q.push(d.origin.ResolveReference(&url.URL{Path: p}), false)
		if i == 1 && startDir(d.start) != "/" {
			for _, sp := range startDirSpecPaths {
				q.push(d.start.ResolveReference(&url.URL{Path: path.Join(startDir(d.start), sp)}), false)
			}
		}
	}
	budget := d.probeBudget()
	for probes := 0; probes < budget; probes++ {
		u := q.pop()
		if u == nil {
			break
		}
		if !d.c.InScope(u) {
			if !strings.EqualFold(u.Host, d.start.Host) {
				d.warn(fmt.Sprintf("the target links an OpenAPI document on another host (%s); it was not fetched (download it and pass --spec FILE)", oneLine(u.Host)))
			}
			probes-- // refused by the engine's scope: nothing was sent
			continue
		}
		d.progress("fetching spec %s", u.EscapedPath())
		ex, err := d.fetch(ctx, u.String())
		if err != nil {
			if stopErr(ctx, err) {
				return nil, nil
			}
			continue
		}
		if !ex.OK() || ex.Status/100 != 2 || len(ex.Body) == 0 {
			continue
		}
		if ex.BodyTruncated && looksLikeSpec(ex.Body) {
			d.warn(fmt.Sprintf("the document at %s is larger than the response budget (--max-body) and was not parsed", u.EscapedPath()))
			continue
		}
		if looksLikeSpec(ex.Body) {
			s, err := parseSpec(ctx, ex.Body, specSource{})
			if err == nil {
				return s, finalURL(ex)
			}
			if !errors.Is(err, ErrNotSpec) {
				d.warn(fmt.Sprintf("the OpenAPI document at %s could not be parsed: %s", u.EscapedPath(), oneLine(err.Error())))
			}
		}
		// A documentation page (Swagger UI, ReDoc) names the document.
		for _, l := range specLinks(ex) {
			q.push(l, true)
		}
		if doc := embeddedSpec(ex.Body); doc != nil {
			if s, err := parseSpec(ctx, doc, specSource{}); err == nil {
				return s, finalURL(ex)
			}
		}
	}
	return nil, nil
}

// startDir is the directory of the start URL's path ("/api/v1/" for
// "/api/v1/users").
func startDir(u *url.URL) string {
	p := u.Path
	if p == "" {
		return "/"
	}
	if !strings.HasSuffix(p, "/") {
		p = path.Dir(p)
	}
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return p
}

// candidates is the queue of spec locations: advertised links first.
type candidates struct {
	front, back []*url.URL
	seen        map[string]bool
}

func (q *candidates) push(u *url.URL, advertised bool) {
	if u == nil {
		return
	}
	u.Fragment = ""
	k := u.String()
	if q.seen[k] {
		return
	}
	q.seen[k] = true
	if advertised {
		q.front = append(q.front, u)
	} else {
		q.back = append(q.back, u)
	}
}

func (q *candidates) pop() *url.URL {
	if len(q.front) > 0 {
		u := q.front[0]
		q.front = q.front[1:]
		return u
	}
	if len(q.back) > 0 {
		u := q.back[0]
		q.back = q.back[1:]
		return u
	}
	return nil
}

var (
	// <link rel="service-desc" href="/openapi.json">
	linkTagRe = regexp.MustCompile(`(?is)<link\b[^>]*>`)
	// <a href="/openapi.json">
	anchorRe = regexp.MustCompile(`(?is)<a\b[^>]*>`)
	// Swagger UI: url: "/openapi.json", urls: [{url: "…"}], "swaggerUrl": "…"
	swaggerURLRe = regexp.MustCompile(`(?i)["']?\b(?:url|swaggerUrl|specUrl)["']?\s*:\s*["']([^"'\s]{1,500})["']`)
	// ReDoc: <redoc spec-url="…">, Redoc.init("…")
	redocRe = regexp.MustCompile(`(?i)(?:spec-url\s*=\s*["']|Redoc\.init\(\s*["'])([^"'\s]{1,500})["']`)
	// swagger-ui-express loads its options from a script next to the page.
	swaggerInitRe = regexp.MustCompile(`(?i)<script\b[^>]*\bsrc\s*=\s*["']([^"']*swagger-ui-init\.js)["']`)
	attrRe        = regexp.MustCompile(`(?is)\b([a-z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))`)
)

// specLinks returns the spec locations a response advertises.
func specLinks(ex *engine.Exchange) []*url.URL {
	if ex == nil || !ex.OK() {
		return nil
	}
	base := finalURL(ex)
	if base == nil {
		return nil
	}
	var out []*url.URL
	add := func(ref string) {
		ref = strings.TrimSpace(html.UnescapeString(ref))
		if ref == "" || strings.HasPrefix(ref, "#") || strings.HasPrefix(strings.ToLower(ref), "javascript:") {
			return
		}
		if r, err := url.Parse(ref); err == nil {
			out = append(out, base.ResolveReference(r))
		}
	}
	for _, v := range ex.Header.Values("Link") {
		for _, l := range parseLinkHeader(v) {
			if l.rel["service-desc"] || l.rel["describedby"] {
				add(l.target)
			}
		}
	}
	body := ex.Body
	if len(body) > 512<<10 {
		body = body[:512<<10]
	}
	if bytes.Contains(body, []byte("<")) {
		for _, tag := range linkTagRe.FindAll(body, 64) {
			a := attrs(tag)
			rel := strings.ToLower(a["rel"])
			if strings.Contains(rel, "service-desc") || strings.Contains(rel, "describedby") ||
				strings.Contains(strings.ToLower(a["type"]), "openapi") {
				add(a["href"])
			}
		}
		for _, tag := range anchorRe.FindAll(body, 256) {
			if h := attrs(tag)["href"]; looksLikeSpecPath(h) {
				add(h)
			}
		}
	}
	if bytes.Contains(body, []byte("Swagger")) || bytes.Contains(body, []byte("swagger")) {
		for _, m := range swaggerURLRe.FindAllSubmatch(body, 16) {
			if looksLikeSpecPath(string(m[1])) {
				add(string(m[1]))
			}
		}
		for _, m := range swaggerInitRe.FindAllSubmatch(body, 2) {
			add(string(m[1]))
		}
	}
	for _, m := range redocRe.FindAllSubmatch(body, 4) {
		add(string(m[1]))
	}
	return out
}

// looksLikeSpecPath reports whether a link looks like an OpenAPI document.
func looksLikeSpecPath(h string) bool {
	h = strings.ToLower(h)
	if i := strings.IndexAny(h, "?#"); i >= 0 {
		h = h[:i]
	}
	if strings.HasSuffix(h, ".js") || strings.HasSuffix(h, ".css") || strings.HasSuffix(h, ".html") {
		return false
	}
	return strings.Contains(h, "openapi") || strings.Contains(h, "swagger") ||
		strings.Contains(h, "api-docs") || strings.HasSuffix(h, "/schema") || strings.HasSuffix(h, "/schema/") ||
		(strings.HasSuffix(h, ".json") || strings.HasSuffix(h, ".yaml") || strings.HasSuffix(h, ".yml")) && strings.Contains(h, "api")
}

// attrs parses the attributes of one tag.
func attrs(tag []byte) map[string]string {
	out := map[string]string{}
	// skip the tag name
	i := bytes.IndexAny(tag, " \t\r\n/")
	if i < 0 {
		return out
	}
	for _, m := range attrRe.FindAllSubmatch(tag[i:], 32) {
		name := strings.ToLower(string(m[1]))
		if _, dup := out[name]; dup {
			continue
		}
		v := m[2]
		if v == nil {
			v = m[3]
		}
		if v == nil {
			v = m[4]
		}
		out[name] = html.UnescapeString(string(v))
	}
	return out
}

type linkValue struct {
	target string
	rel    map[string]bool
}

// parseLinkHeader parses an RFC 8288 Link header: `<uri>; rel="a b", <uri2>; rel=c`.
func parseLinkHeader(v string) []linkValue {
	var out []linkValue
	for len(v) > 0 && len(out) < 16 {
		start := strings.IndexByte(v, '<')
		if start < 0 {
			break
		}
		end := strings.IndexByte(v[start:], '>')
		if end < 0 {
			break
		}
		l := linkValue{target: v[start+1 : start+end], rel: map[string]bool{}}
		rest := v[start+end+1:]
		next := strings.IndexByte(rest, '<')
		params := rest
		if next >= 0 {
			params = rest[:next]
		}
		for _, p := range strings.Split(params, ";") {
			k, val, ok := strings.Cut(strings.TrimSpace(p), "=")
			if !ok || !strings.EqualFold(strings.TrimSpace(k), "rel") {
				continue
			}
			val = strings.Trim(strings.TrimSpace(strings.TrimRight(strings.TrimSpace(val), ",")), `"`)
			for _, r := range strings.Fields(strings.ToLower(val)) {
				l.rel[r] = true
			}
		}
		out = append(out, l)
		if next < 0 {
			break
		}
		v = rest[next:]
	}
	return out
}

// embeddedSpec extracts a document swagger-ui-express inlines in its init
// script: `"swaggerDoc": {…}`.
func embeddedSpec(body []byte) []byte {
	i := bytes.Index(body, []byte(`"swaggerDoc"`))
	if i < 0 {
		return nil
	}
	rest := body[i+len(`"swaggerDoc"`):]
	j := bytes.IndexByte(rest, '{')
	if j < 0 || len(bytes.TrimSpace(rest[:j])) != 1 { // only the ':' between
		return nil
	}
	obj := balancedObject(rest[j:])
	if obj == nil || !looksLikeSpec(obj) {
		return nil
	}
	return obj
}

// balancedObject returns the JSON object at the start of b, matching braces
// outside strings.
func balancedObject(b []byte) []byte {
	depth := 0
	inStr, esc := false, false
	for i, ch := range b {
		if i > MaxSpecBytes {
			return nil
		}
		switch {
		case esc:
			esc = false
		case inStr && ch == '\\':
			esc = true
		case ch == '"':
			inStr = !inStr
		case inStr:
		case ch == '{':
			depth++
		case ch == '}':
			depth--
			if depth == 0 {
				return b[:i+1]
			}
		}
	}
	return nil
}
