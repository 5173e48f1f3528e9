// Package deser is the insecure-deserialization category: it finds serialized
// objects (Python pickle, Java serialization, PHP serialize, YAML object
// tags, JSON type indicators) that the API hands to clients or receives from
// them, and reports which classes they reference. It reads structure with
// internal/sniff and never deserializes anything.
package deser

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/parapet-scanner/parapet/internal/check"
	"github.com/parapet-scanner/parapet/internal/engine"
	"github.com/parapet-scanner/parapet/internal/evidence"
	"github.com/parapet-scanner/parapet/internal/finding"
	"github.com/parapet-scanner/parapet/internal/sniff"
)

// Limits on the passive walk of one response.
const (
	maxJSONBody    = 1 << 20 // bigger JSON bodies are sniffed as a whole only
	maxJSONStrings = 2000
	maxJSONDepth   = 32
	maxRawBody     = 1 << 20
	minValueLen    = 8
)

// Check is the deserialization check. It remembers, per scan, where it saw
// serialized objects, so that Run can prove them.
type Check struct {
	mu sync.Mutex
	st *scanState
}

var (
	_ check.Check   = (*Check)(nil)
	_ check.Passive = (*Check)(nil)
)

// New returns the deserialization check.
func New() *Check { return &Check{} }

// ID implements check.Check.
func (*Check) ID() string { return "deserialization" }

// Category implements check.Check.
func (*Check) Category() finding.Category { return finding.Deserialization }

type formatInfo struct {
	kind     string
	title    string
	severity finding.Severity
	what     string
}

var formats = map[sniff.Format]formatInfo{
	sniff.PythonPickle:   {"python-pickle", "Python pickle exchanged with the client", finding.High, "a Python pickle"},
	sniff.JavaSerialized: {"java-serialization", "Java serialized object exchanged with the client", finding.High, "a Java serialized object (ObjectOutputStream)"},
	sniff.PHPSerialized:  {"php-serialize", "PHP serialized object exchanged with the client", finding.High, "a PHP serialize() value"},
	sniff.YAMLTags:       {"yaml-tags", "YAML with language object tags exchanged with the client", finding.High, "YAML carrying language object tags"},
	sniff.JSONTypeKey:    {"json-type-indicator", "JSON type indicators exchanged with the client", finding.Medium, "JSON naming the types to instantiate"},
	sniff.RubyMarshal:    {"ruby-marshal", "Ruby Marshal data exchanged with the client", finding.High, "Ruby Marshal data"},
	sniff.DotNetBinaryFormatter: {"dotnet-binaryformatter", ".NET BinaryFormatter data exchanged with the client", finding.High,
		"a .NET BinaryFormatter (MS-NRBF) stream"},
}

// Kinds implements check.Check.
func (*Check) Kinds() []check.Kind {
	order := []sniff.Format{sniff.PythonPickle, sniff.JavaSerialized, sniff.PHPSerialized, sniff.YAMLTags, sniff.RubyMarshal,
		sniff.DotNetBinaryFormatter, sniff.JSONTypeKey}
	out := make([]check.Kind, 0, len(order))
	for _, f := range order {
		fi := formats[f]
		out = append(out, check.Kind{
			ID:    "deserialization/" + fi.kind,
			Title: fi.title,
			Description: "Finds " + fi.what + " in cookies, headers, parameters or JSON fields, names the classes it references, " +
				"and proves with inert class-not-found canaries that the server deserializes it",
		})
	}
	return out
}

// Run implements check.Check. It reports parameters whose documented
// examples are serialized objects (the spec says the API takes them), then
// proves, with inert canaries, the locations where a serialized object was
// seen and the ones whose names suggest one (see prove and docs/safety.md).
// Everything it sends is a GET with one cookie, header or query value
// changed, or, when the client is Active, a documented JSON body.
func (c *Check) Run(ctx context.Context, t *check.Target, cl *engine.Client, emit check.Emit) error {
	if t.Inventory != nil && t.Inventory.SpecURL != "" {
		c.reportSpecExamples(ctx, t, emit)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return c.runActive(ctx, t, cl, emit)
}

// reportSpecExamples emits a passive finding for every documented example
// that is a serialized object.
func (c *Check) reportSpecExamples(ctx context.Context, t *check.Target, emit check.Emit) {
	for _, op := range t.Inventory.Operations() {
		for _, p := range op.Parameters {
			if len(p.Example) < minValueLen {
				continue
			}
			for _, m := range sniff.Sniff(p.Example) {
				fi, ok := formats[m.Format]
				if !ok {
					continue
				}
				in := p.In
				if in == "" {
					in = finding.InQuery
				}
				emit(c.newFinding(t, fi, m, op.Method, op.URL, op.Path, p.Name, in,
					fmt.Sprintf("parameter %q (its example in the OpenAPI document)", p.Name),
					finding.Evidence{
						Request: "OpenAPI document " + t.Inventory.SpecURL,
						Note:    fmt.Sprintf("the documented example of %s parameter %q of %s %s is %s", in, p.Name, op.Method, op.Path, fi.what),
					}, "", nil))
			}
		}
		if ctx.Err() != nil {
			return
		}
	}
}

// site is one place a value was seen. resp marks what the response carried
// (a cookie it set) as opposed to what the request sent.
type site struct {
	in, param, value string
	resp             bool
	// dyn is set when the value is an attribute of a DynamoDB item in
	// wire format.
	dyn *dynamoAttr
}

// Inspect implements check.Passive: it looks at the request's query and
// cookies (values the user or the scan sent) and the response's cookies,
// headers and body.
func (c *Check) Inspect(t *check.Target, ex *engine.Exchange, emit check.Emit) {
	st := c.state(t)
	var sites []site
	// What the request carried is judged on GET and POST only: an OPTIONS or
	// HEAD probe that repeats the user's query says nothing new.
	requestSide := ex.Method == http.MethodGet || ex.Method == http.MethodPost
	if u, err := url.Parse(ex.URL); err == nil && requestSide {
		for k, vs := range u.Query() {
			for _, v := range vs {
				sites = append(sites, site{in: finding.InQuery, param: k, value: v})
			}
		}
	}
	for _, ck := range ex.RequestCookies() {
		if requestSide {
			sites = append(sites, site{in: finding.InCookie, param: ck.Name, value: ck.Value})
		}
	}
	for name, vs := range ex.RequestHeader {
		if !requestSide || skipHeader(name) {
			continue
		}
		for _, v := range vs {
			sites = append(sites, site{in: finding.InHeader, param: name, value: v})
		}
	}
	for _, ck := range ex.SetCookies() {
		// One location per cookie, whether the server sets it or takes it back.
		sites = append(sites, site{in: finding.InCookie, param: ck.Name, value: ck.Value, resp: true})
		if likelyName(ck.Name, likelyCookieNames) >= 0 && !st.ours(ck.Value) {
			st.seeCookie(ck.Name, ck.Value, readerURL(ex), originOf(ex.URL))
		}
	}
	for name, vs := range ex.Header {
		if skipHeader(name) || strings.EqualFold(name, "Set-Cookie") {
			continue
		}
		for _, v := range vs {
			sites = append(sites, site{in: finding.InResponseHeader, param: name, value: v, resp: true})
		}
	}
	for _, s := range sites {
		if len(s.value) < minValueLen || st.ours(s.value) {
			// This check's own canaries and truncated blobs are not
			// something the API exchanges.
			continue
		}
		ms := sniff.Sniff(s.value)
		c.report(t, ex, s, ms, emit)
		c.observe(t, st, ex, s, ms)
	}
	if t.Inventory != nil && t.Inventory.SpecURL != "" && (ex.URL == t.Inventory.SpecURL || ex.FinalURL == t.Inventory.SpecURL) {
		return // the spec's examples are judged per operation by Run
	}
	c.inspectBody(t, st, ex, emit)
}

// skipHeader leaves out headers whose values are never serialized objects.
func skipHeader(name string) bool {
	switch strings.ToLower(name) {
	case "content-type", "content-length", "date", "server", "connection", "accept", "accept-encoding",
		"user-agent", "host", "vary", "cache-control", "expires", "last-modified", "etag", "location",
		"content-security-policy", "strict-transport-security", "access-control-allow-origin",
		"access-control-allow-methods", "access-control-allow-headers", "allow", "cookie":
		return true
	}
	return false
}

// reusableHeader reports whether a header name may carry a probe. Routing,
// framing, method-override and client-address headers are never sent with
// a value of Parapet's choosing, whatever the server returned under that
// name or the spec documents: they change where or how a request is
// handled, not what the application deserializes.
func reusableHeader(name string) bool {
	n := strings.ToLower(strings.TrimSpace(name))
	if n == "" || strings.HasPrefix(n, "x-forwarded-") || strings.HasPrefix(n, "proxy-") {
		return false
	}
	switch n {
	case "forwarded", "x-http-method-override", "x-http-method", "x-method-override",
		"x-original-url", "x-rewrite-url", "x-original-host", "x-host", "host",
		"transfer-encoding", "connection", "content-length", "content-encoding", "te",
		"trailer", "upgrade", "keep-alive", "expect", "via", "x-real-ip", "x-client-ip",
		"true-client-ip", "client-ip", "cookie", "set-cookie":
		return false
	}
	return !skipHeader(n)
}

func (c *Check) inspectBody(t *check.Target, st *scanState, ex *engine.Exchange, emit check.Emit) {
	body := bytes.TrimSpace(ex.Body)
	if len(body) < minValueLen {
		return
	}
	if isJSON(ex.ContentType(), body) {
		// Type indicators live in keys: sniff the document as a whole.
		var typeMatches []sniff.Match
		for _, m := range sniff.Sniff(string(body)) {
			if m.Format == sniff.JSONTypeKey {
				typeMatches = append(typeMatches, m)
			}
		}
		c.report(t, ex, site{in: finding.InResponseBody, value: string(body), resp: true}, typeMatches, emit)
		if len(body) > maxJSONBody {
			return
		}
		var doc any
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if dec.Decode(&doc) != nil {
			return
		}
		n := 0
		var dynIndex map[string]dynamoAttr
		indexed := false
		walkJSON(doc, "", 0, &n, func(path, v string) {
			if len(v) < minValueLen {
				return
			}
			if st.ours(v) {
				return // a canary the target echoed
			}
			s := site{in: finding.InResponseBody, param: path, value: v, resp: true}
			ms := sniff.Sniff(v)
			if len(ms) > 0 {
				// Only a body with a blob is searched for DynamoDB items.
				if !indexed {
					indexed = true
					if dynamoShape.Match(body) {
						dynIndex, _ = dynamoIndex(doc)
					}
				}
				if a, ok := dynIndex[path]; ok {
					s.dyn = &a
				}
			}
			c.report(t, ex, s, ms, emit)
			c.observe(t, st, ex, s, ms)
		})
		return
	}
	ct := ex.ContentType()
	if len(body) > maxRawBody || strings.HasPrefix(ct, "text/html") || strings.HasPrefix(ct, "image/") {
		return
	}
	c.report(t, ex, site{in: finding.InResponseBody, value: string(body), resp: true}, sniff.Sniff(string(body)), emit)
}

func isJSON(ct string, body []byte) bool {
	if strings.Contains(ct, "json") {
		return true
	}
	return (body[0] == '{' || body[0] == '[') && json.Valid(body)
}

// walkJSON calls fn for every string value, with a path such as "items[0].state".
func walkJSON(v any, path string, depth int, n *int, fn func(path, value string)) {
	if depth > maxJSONDepth || *n >= maxJSONStrings {
		return
	}
	switch x := v.(type) {
	case string:
		*n++
		fn(path, x)
	case map[string]any:
		for k, e := range x {
			p := k
			if path != "" {
				p = path + "." + k
			}
			walkJSON(e, p, depth+1, n, fn)
		}
	case []any:
		for i, e := range x {
			walkJSON(e, path+"["+strconv.Itoa(i)+"]", depth+1, n, fn)
		}
	}
}

// report emits one finding per serialized object found at a site.
func (c *Check) report(t *check.Target, ex *engine.Exchange, s site, ms []sniff.Match, emit check.Emit) {
	for _, m := range ms {
		fi, ok := formats[m.Format]
		if !ok || namesCanary(t, m) {
			continue
		}
		path := "/"
		if u, err := url.Parse(ex.URL); err == nil && u.Path != "" {
			path = templatePath(t, ex.Method, u.Path)
		}
		where := describeSite(s.in, s.param)
		ev := evidence.From(ex, t.Mask, fmt.Sprintf("%s in %s (%s encoding) referencing %s",
			m.Format, where, m.Encoding, classList(m)), excerpt(s.value, m))
		emit(c.newFinding(t, fi, m, ex.Method, ex.URL, path, normalizeParam(s.param), s.in, where, ev, evidence.Curl(ex, t.Mask), s.dyn))
	}
}

// namesCanary reports whether a match is one of this scan's canaries that
// the target echoed back (in an error message, a reflected value): the
// canaries carry the scan token in every class name they reference.
func namesCanary(t *check.Target, m sniff.Match) bool {
	if t.Token == "" {
		return false
	}
	for _, cls := range m.Classes {
		if strings.Contains(cls, t.Token) {
			return true
		}
	}
	return false
}

func classList(m sniff.Match) string {
	if len(m.Classes) == 0 {
		return "none named"
	}
	return strings.Join(m.Classes, ", ")
}

// newFinding builds the finding for one serialized object at one location.
func (c *Check) newFinding(t *check.Target, fi formatInfo, m sniff.Match, method, rawURL, path, param, in, where string,
	ev finding.Evidence, reproduce string, dyn *dynamoAttr) finding.Finding {
	method, path, in = siteWide(method, path, in)
	sev := fi.severity
	if !m.Strong {
		sev = lower(sev)
	}
	f := finding.Finding{
		Check:      "deserialization/" + fi.kind,
		Category:   finding.Deserialization,
		Severity:   sev,
		Confidence: finding.Tentative,
		Title:      fi.title,
		Description: fmt.Sprintf("The %s carries %s (%s, encoding %s; classes: %s). An application that hands "+
			"serialized objects to clients usually takes them back and deserializes them, and whoever can "+
			"change the bytes then chooses which classes are built: with pickle, Java serialization, PHP "+
			"unserialize or unsafe YAML that is remote code execution. This finding is passive: Parapet "+
			"saw the object but has not yet proved that the server restores it.",
			where, fi.what, m.Detail, m.Encoding, classList(m)),
		Remediation: remediation(m.Format, matchLang(m.Format, m.Detail), t, dyn),
		Location:    finding.Location{Method: method, URL: rawURL, Path: path, Param: param, In: in},
		Evidence:    []finding.Evidence{ev},
		Details: map[string]any{
			"format":   string(m.Format),
			"encoding": m.Encoding,
			"classes":  append([]string{}, m.Classes...),
			"detail":   m.Detail,
			"strong":   m.Strong,
		},
		Reproduce: reproduce,
	}
	addStore(&f, t, dyn)
	return f
}

// siteWide makes cookies and request headers one location for the whole
// site, wherever they were set or sent (browsers and API clients send them
// on every request); Location.URL keeps where they were seen.
func siteWide(method, path, in string) (string, string, string) {
	switch in {
	case finding.InResponseCookie, finding.InCookie:
		return http.MethodGet, "/", finding.InCookie
	case finding.InHeader:
		return http.MethodGet, "/", finding.InHeader
	}
	return method, path, in
}

// normalizeParam collapses array indexes so items[0].state and items[1].state
// are one location.
func normalizeParam(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] == '[' {
			j := strings.IndexByte(p[i:], ']')
			if j > 0 {
				b.WriteString("[]")
				i += j
				continue
			}
		}
		b.WriteByte(p[i])
	}
	return b.String()
}

func excerpt(v string, m sniff.Match) string {
	if m.End > m.Start && m.End <= len(v) {
		v = v[m.Start:m.End]
	}
	if len(v) > 48 {
		v = v[:48]
	}
	return v
}

func lower(s finding.Severity) finding.Severity {
	switch s {
	case finding.Critical:
		return finding.High
	case finding.High:
		return finding.Medium
	case finding.Medium:
		return finding.Low
	}
	return finding.Info
}

func describeSite(in, param string) string {
	switch in {
	case finding.InQuery:
		return fmt.Sprintf("query parameter %q", param)
	case finding.InCookie:
		return fmt.Sprintf("cookie %q", param)
	case finding.InHeader:
		return fmt.Sprintf("request header %q", param)
	case finding.InResponseCookie:
		return fmt.Sprintf("cookie %q set by the response", param)
	case finding.InResponseHeader:
		return fmt.Sprintf("response header %q", param)
	case finding.InBody:
		return fmt.Sprintf("JSON body field %q", param)
	case finding.InResponseBody:
		if param != "" {
			return fmt.Sprintf("JSON field %q of the response", param)
		}
		return "response body"
	}
	return in
}
