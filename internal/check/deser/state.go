package deser

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"

	"github.com/parapet-scanner/parapet/internal/check"
	"github.com/parapet-scanner/parapet/internal/check/deser/canary"
	"github.com/parapet-scanner/parapet/internal/engine"
	"github.com/parapet-scanner/parapet/internal/finding"
	"github.com/parapet-scanner/parapet/internal/inventory"
	"github.com/parapet-scanner/parapet/internal/sniff"
)

// Limits of what one scan remembers.
const (
	maxLocations     = 256      // locations recorded per scan
	maxURLsPerLoc    = 3        // probe URLs kept per location
	maxSeenCookies   = 64       // cookie names the site set, for likely locations
	maxSent          = 4096     // values remembered as this check's own probes
	maxBaselineBytes = 64 << 10 // body kept of an observed baseline answer
)

// Ranks order the locations to probe: a blob the client already sends
// first, then documented examples, cookies the server sets, blobs the server
// returns in a field or header (the input is guessed), then likely names.
const (
	rankSent = iota
	rankSpec
	rankSetCookie
	rankEcho
	rankLikely = 10
)

// location is one place where a client-supplied value may be deserialized:
// a query parameter of one operation, a cookie or header (site-wide), or a
// JSON body field of one documented operation.
type location struct {
	key string
	// host is the origin ("scheme://host[:port]") the location belongs
	// to: where its value was seen. Its value, and anything derived from
	// it (a truncation, a node-serialize template), is only ever sent
	// there.
	host   string
	in     string // finding.InQuery, InCookie, InHeader or InBody
	param  string
	method string   // method of the probes
	urls   []string // probe URLs, best first
	path   string   // the finding's path (template when known)
	value  string   // the original value; "" when none was seen
	match  *sniff.Match
	// baseline is an answer to a request that carried the original value.
	baseline *engine.Exchange
	origin   string // why this is a location, for the report
	rank     int
	op       *inventory.Operation // body locations: the documented operation
	dyn      *dynamoAttr          // the blob was a DynamoDB attribute in a response
}

// seenCookie is a cookie the site set, and the origin that set it.
type seenCookie struct {
	value, url, host string
}

// scanState is what the check remembers during one scan. Check instances
// are created per scan, but tests reuse one for several targets, so the
// state belongs to a Target.
type scanState struct {
	target *check.Target
	proofs *proofs

	mu      sync.Mutex
	locs    map[string]*location
	cookies map[string]seenCookie
	sent    map[string]struct{}
}

func newState(t *check.Target) *scanState {
	return &scanState{
		target:  t,
		proofs:  newProofs(canary.NamesFor(t.Token)),
		locs:    map[string]*location{},
		cookies: map[string]seenCookie{},
		sent:    map[string]struct{}{},
	}
}

// state returns the scan state for t.
func (c *Check) state(t *check.Target) *scanState {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.st == nil || c.st.target != t {
		c.st = newState(t)
	}
	return c.st
}

// locKey identifies a location: its origin, then where on it the value
// goes. A blob seen on one host is a different location from the same
// name on another.
func locKey(host, in, method, path, param string) string {
	switch in {
	case finding.InCookie:
		return host + " cookie " + param
	case finding.InHeader:
		return host + " header " + strings.ToLower(param)
	}
	return host + " " + in + " " + method + " " + path + " " + param
}

// originOf is the origin of a URL, "scheme://host[:port]" in lower case
// without a default port, or "" when it has none.
func originOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	scheme, host, port := strings.ToLower(u.Scheme), strings.ToLower(u.Hostname()), u.Port()
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" && !(scheme == "http" && port == "80" || scheme == "https" && port == "443") {
		host += ":" + port
	}
	return scheme + "://" + host
}

// sameOrigin keeps the URLs of list on origin host.
func sameOrigin(list []string, host string) []string {
	var out []string
	for _, u := range list {
		if u != "" && originOf(u) == host {
			out = append(out, u)
		}
	}
	return out
}

// record adds or merges a location. The first blob seen at a location is
// kept; a baseline answer and further probe URLs are added.
func (s *scanState) record(l location) {
	if l.key == "" {
		l.key = locKey(l.host, l.in, l.method, l.path, l.param)
	}
	l.urls = sameOrigin(l.urls, l.host)
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.locs[l.key]
	if !ok {
		if len(s.locs) >= maxLocations {
			return
		}
		cp := l
		cp.urls = append([]string(nil), l.urls...)
		s.locs[l.key] = &cp
		return
	}
	if old.match == nil && l.match != nil {
		old.value, old.match, old.origin = l.value, l.match, l.origin
		old.baseline = nil
	}
	if old.baseline == nil && l.baseline != nil && (l.match == nil || old.value == l.value) {
		old.baseline = l.baseline
	}
	if l.rank < old.rank {
		old.rank, old.origin = l.rank, l.origin
		old.urls = append(append([]string(nil), l.urls...), old.urls...)
	} else {
		old.urls = append(old.urls, l.urls...)
	}
	old.urls = dedupe(old.urls, maxURLsPerLoc)
	if old.op == nil {
		old.op = l.op
	}
	if old.dyn == nil {
		old.dyn = l.dyn
	}
}

func dedupe(list []string, n int) []string {
	out := list[:0]
	seen := map[string]bool{}
	for _, s := range list {
		if s != "" && !seen[s] && len(out) < n {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// snapshot returns the recorded locations, best first.
func (s *scanState) snapshot() []*location {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*location, 0, len(s.locs))
	for _, l := range s.locs {
		cp := *l
		cp.urls = append([]string(nil), l.urls...)
		out = append(out, &cp)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].rank != out[j].rank {
			return out[i].rank < out[j].rank
		}
		return out[i].key < out[j].key
	})
	return out
}

// markSent remembers a value this check sent, so that Inspect neither
// reports nor records the check's own canaries.
func (s *scanState) markSent(v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.sent) < maxSent {
		s.sent[v] = struct{}{}
	}
}

// ours reports whether v is one of this check's probes.
func (s *scanState) ours(v string) bool {
	if tok := s.target.Token; tok != "" && strings.Contains(v, tok) {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.sent[v]
	return ok
}

// seeCookie remembers a cookie the site set, for likely locations.
func (s *scanState) seeCookie(name, value, rawURL, host string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.cookies[name]; ok {
		if old.url == "" && rawURL != "" && originOf(rawURL) == old.host {
			s.cookies[name] = seenCookie{value: old.value, url: rawURL, host: old.host}
		}
		return
	}
	if len(s.cookies) < maxSeenCookies {
		s.cookies[name] = seenCookie{value: value, url: rawURL, host: host}
	}
}

// seenCookies returns the cookies the site set, by name.
func (s *scanState) seenCookies() map[string]seenCookie {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]seenCookie, len(s.cookies))
	for k, v := range s.cookies {
		out[k] = v
	}
	return out
}

// keepBaseline copies an exchange for later comparison, with a bounded body.
func keepBaseline(ex *engine.Exchange) *engine.Exchange {
	if ex == nil || !ex.OK() {
		return nil
	}
	c := *ex
	if len(c.Body) > maxBaselineBytes {
		c.Body = c.Body[:maxBaselineBytes:maxBaselineBytes]
	}
	return &c
}

// observe records, from one exchange, the locations where it shows a
// serialized object (the matches Inspect found at site s) and the cookies
// the site sets.
func (c *Check) observe(t *check.Target, st *scanState, ex *engine.Exchange, s site, ms []sniff.Match) {
	if len(ms) == 0 {
		return
	}
	get := ex.Method == http.MethodGet
	u, err := url.Parse(ex.URL)
	if err != nil {
		return
	}
	for i := range ms {
		m := ms[i]
		if _, ok := formats[m.Format]; !ok || namesCanary(t, m) {
			continue
		}
		l := location{host: originOf(ex.URL), in: s.in, param: s.param, method: http.MethodGet, value: s.value, match: &m, dyn: s.dyn}
		if l.host == "" {
			continue
		}
		switch {
		case s.in == finding.InQuery && get && !s.resp:
			l.urls, l.path, l.rank, l.origin = []string{ex.URL}, templatePath(t, http.MethodGet, u.Path), rankSent, "sent by the client"
			l.baseline = keepBaseline(ex)
		case (s.in == finding.InCookie || s.in == finding.InHeader) && !s.resp:
			if !get {
				continue
			}
			l.urls, l.path, l.rank, l.origin = []string{ex.URL}, "/", rankSent, "sent by the client"
			l.baseline = keepBaseline(ex)
		case s.in == finding.InCookie && s.resp:
			l.urls, l.path, l.rank, l.origin = []string{readerURL(ex)}, "/", rankSetCookie, "set by the server"
		case s.in == finding.InResponseHeader && !reusableHeader(s.param):
			continue // never sent back as a request header
		case s.in == finding.InResponseHeader:
			// A state header the server hands out usually comes back as
			// the same request header.
			l.in, l.urls, l.path, l.rank, l.origin = finding.InHeader, []string{readerURL(ex)}, "/", rankEcho, "returned by the server in a response header"
		case s.in == finding.InResponseBody && s.param != "" && get:
			leaf := leafName(s.param)
			if s.dyn != nil {
				// "Item.profile.B": the parameter is the attribute's
				// name, not its type descriptor.
				leaf = leafName(s.dyn.path)
			}
			if leaf == "" {
				continue
			}
			// A blob returned in a JSON field usually comes back in a
			// parameter of the same name.
			l.in, l.param, l.urls, l.path, l.rank = finding.InQuery, leaf, []string{ex.URL}, templatePath(t, http.MethodGet, u.Path), rankEcho
			l.origin = "returned by the server in JSON field " + s.param
		default:
			continue
		}
		st.record(l)
	}
}

// readerURL is where a cookie or header the server handed out is likely
// read back: the exchange's URL when it was a GET that succeeded (a 404 of a
// discovery probe may set a cookie too, but reads nothing), else "".
func readerURL(ex *engine.Exchange) string {
	if ex.Method == http.MethodGet && ex.Status > 0 && ex.Status < 400 {
		return ex.URL
	}
	return ""
}

// leafName is the last key of a JSON path ("items[].state" → "state"), or
// "" when it is not a plausible parameter name.
func leafName(p string) string {
	p = strings.TrimSuffix(normalizeParam(p), "[]")
	if i := strings.LastIndexByte(p, '.'); i >= 0 {
		p = p[i+1:]
	}
	p = strings.TrimSuffix(p, "[]")
	if p == "" || len(p) > 64 || strings.ContainsAny(p, "[]") {
		return ""
	}
	return p
}

// templatePath returns the inventory's path template for a concrete path
// ("/api/items/7" → "/api/items/{item_id}"), or the path itself.
func templatePath(t *check.Target, method, concrete string) string {
	if concrete == "" {
		return "/"
	}
	if t == nil || t.Inventory == nil {
		return concrete
	}
	segs := splitPath(concrete)
	best := ""
	for _, op := range t.Inventory.Operations() {
		if op.Method != method || op.Path == "" {
			continue
		}
		if op.Path == concrete {
			return op.Path
		}
		if best == "" && strings.Contains(op.Path, "{") && templateMatches(op, segs) {
			best = op.Path
		}
	}
	if best != "" {
		return best
	}
	return concrete
}

// templateMatches reports whether the concrete path segments fit op: the
// base path of op.URL, then op.Path with {vars} matching any segment.
func templateMatches(op inventory.Operation, segs []string) bool {
	tmpl := splitPath(op.Path)
	base := 0
	if u, err := url.Parse(op.URL); err == nil {
		if n := len(splitPath(u.Path)) - len(tmpl); n > 0 {
			base = n
			if len(segs) < base || strings.Join(segs[:base], "/") != strings.Join(splitPath(u.Path)[:base], "/") {
				return false
			}
		}
	}
	if len(segs) != base+len(tmpl) {
		return false
	}
	for i, s := range tmpl {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			if segs[base+i] == "" {
				return false
			}
			continue
		}
		if s != segs[base+i] {
			return false
		}
	}
	return true
}

func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}
