package exposure

import (
	"bytes"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"
	"weak"

	"github.com/parapet-scanner/parapet/internal/engine"
)

// The passive part of this check reads every response body of the scan (up to
// the --max-body budget), so it is built around one cheap pass: every literal
// that any detector needs before it may run a regular expression is an
// "anchor"; a single scan over the body, indexed by the first two bytes of
// each anchor, records which anchors occur. Detectors then look only at the
// anchors they need, and most bodies are rejected after that one pass.

// anchorTable holds the anchors and a 64 Ki-entry index by one two-byte pair
// of each: the rarest pair of the literal in ordinary text, so that indented
// JSON and prose rarely stop the scan.
type anchorTable struct {
	lits    []string
	offs    []int // offset of the indexed pair in each literal
	once    sync.Once
	first   *[1 << 16]uint8 // two-byte pair → bucket number (0 = no anchor)
	buckets [][]uint8       // bucket → anchor ids
}

var anchors anchorTable

// maxAnchors bounds the anchor ids so that a hit set is four words.
const maxAnchors = 256

// anchor registers a literal and returns its id. It is only called from
// package-level variable initialisers.
func anchor(lit string) int {
	if len(lit) < 2 {
		panic("exposure: anchor shorter than two bytes: " + lit)
	}
	anchors.lits = append(anchors.lits, lit)
	id := len(anchors.lits) - 1
	if id >= maxAnchors {
		panic("exposure: too many anchors")
	}
	return id
}

func (t *anchorTable) build() {
	t.first = new([1 << 16]uint8)
	t.buckets = [][]uint8{nil}
	t.offs = make([]int, len(t.lits))
	for id, lit := range t.lits {
		best, bestCost := 0, 1<<30
		for k := 0; k+1 < len(lit); k++ {
			if c := byteCommonness(lit[k]) + byteCommonness(lit[k+1]); c < bestCost {
				best, bestCost = k, c
			}
		}
		t.offs[id] = best
		k := uint16(lit[best])<<8 | uint16(lit[best+1])
		b := t.first[k]
		if b == 0 {
			t.buckets = append(t.buckets, nil)
			b = uint8(len(t.buckets) - 1)
			t.first[k] = b
		}
		t.buckets[b] = append(t.buckets[b], uint8(id))
	}
}

// byteCommonness is a rough rank of how often a byte occurs in JSON, HTML and
// English text: spaces, quotes and frequent lower-case letters are common;
// capitals, digits in words and rare punctuation are not.
func byteCommonness(c byte) int {
	switch {
	case c == ' ' || c == '\n' || c == '"' || c == ':' || c == ',':
		return 10
	case strings.IndexByte("etaoinsrhl", c) >= 0:
		return 8
	case strings.IndexByte("dcumfpgwybv.<>/=-", c) >= 0:
		return 6
	case isLower(c) || isDigit(c) || c == '\t' || c == '{' || c == '}':
		return 4
	case isUpper(c):
		return 3
	}
	return 2
}

// hitSet records which anchors occur in a body.
type hitSet [maxAnchors / 64]uint64

func (h *hitSet) set(id int)      { h[id>>6] |= 1 << (id & 63) }
func (h *hitSet) has(id int) bool { return h[id>>6]&(1<<(id&63)) != 0 }

// any reports whether one of ids occurs.
func (h *hitSet) any(ids ...int) bool {
	for _, id := range ids {
		if h.has(id) {
			return true
		}
	}
	return false
}

// empty reports whether no anchor occurs.
func (h *hitSet) empty() bool { return h[0]|h[1]|h[2]|h[3] == 0 }

// scanAnchors returns the anchors that occur in b.
func scanAnchors(b []byte) hitSet {
	t := &anchors
	t.once.Do(t.build)
	var h hitSet
	first, buckets, lits, offs := t.first, t.buckets, t.lits, t.offs
	n := len(b)
	if n < 2 {
		return h
	}
	prev := uint16(b[0]) << 8
	for i, c := range b[1:] {
		bi := first[prev|uint16(c)]
		prev = uint16(c) << 8
		if bi == 0 {
			continue
		}
		for _, id := range buckets[bi] {
			lit := lits[id]
			s := i - offs[id] // the pair starts at i
			if s >= 0 && n-s >= len(lit) && string(b[s:s+len(lit)]) == lit {
				h.set(int(id))
			}
		}
	}
	return h
}

// bodyClass says what kind of document a response body is.
type bodyClass int

const (
	classText   bodyClass = iota // text/plain, CSV, an unknown type that looks like text
	classJSON                    // JSON (by type, or an untyped body that starts like JSON)
	classXML                     // XML other than XHTML
	classHTML                    // an HTML page
	classScript                  // JavaScript or CSS
	classBinary                  // images, archives, fonts and other binary data: never read
)

// page is one response body prepared for the detectors.
type page struct {
	ex    *engine.Exchange
	body  []byte
	class bodyClass
	// spec is true for an OpenAPI/Swagger document: its examples describe
	// errors and secrets rather than leak them.
	spec bool
	hits hitSet
	// frames is the text around stack-frame markers, built on first use.
	frames []byte
}

// newPage classifies ex's body and runs the anchor pass over it. It returns
// nil when there is nothing to read.
func newPage(ex *engine.Exchange) *page {
	if !ex.OK() || len(ex.Body) == 0 {
		return nil
	}
	p := &page{ex: ex, body: ex.Body, class: classify(ex.ContentType(), ex.Body)}
	if p.class == classBinary {
		return nil
	}
	p.spec = (p.class == classJSON || p.class == classText) && looksLikeSpec(ex.Body)
	if h, ok := recent.get(ex); ok {
		p.hits = h
	} else {
		p.hits = scanAnchors(ex.Body)
		recent.put(ex, p.hits)
	}
	return p
}

// recent remembers the anchor pass of the last few exchanges: the scan calls
// DetectStack and then Inspect on each exchange, and the pass over a large
// body is the main cost of both. Entries hold weak pointers, so the cache
// keeps no exchange alive.
var recent pageCache

type pageCache struct {
	mu      sync.Mutex
	next    int
	entries [16]pageCacheEntry
}

type pageCacheEntry struct {
	ex      weak.Pointer[engine.Exchange]
	bodyLen int
	hits    hitSet
}

// minCachedBody is the smallest body worth caching: the pass over a small
// body costs less than the lock.
const minCachedBody = 4 << 10

func (c *pageCache) get(ex *engine.Exchange) (hitSet, bool) {
	if len(ex.Body) < minCachedBody {
		return hitSet{}, false
	}
	wp := weak.Make(ex)
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range c.entries {
		if e := &c.entries[i]; e.ex == wp && e.bodyLen == len(ex.Body) {
			return e.hits, true
		}
	}
	return hitSet{}, false
}

func (c *pageCache) put(ex *engine.Exchange, h hitSet) {
	if len(ex.Body) < minCachedBody {
		return
	}
	wp := weak.Make(ex)
	c.mu.Lock()
	c.entries[c.next] = pageCacheEntry{ex: wp, bodyLen: len(ex.Body), hits: h}
	c.next = (c.next + 1) % len(c.entries)
	c.mu.Unlock()
}

func classify(ct string, body []byte) bodyClass {
	switch {
	case ct == "application/json" || strings.HasSuffix(ct, "+json") || ct == "text/json" ||
		ct == "application/x-ndjson" || ct == "application/problem+json":
		return classJSON
	case ct == "text/html" || ct == "application/xhtml+xml":
		return classHTML
	case strings.Contains(ct, "javascript") || strings.Contains(ct, "ecmascript") || ct == "text/css":
		return classScript
	case ct == "application/xml" || ct == "text/xml" || strings.HasSuffix(ct, "+xml"):
		return classXML
	case strings.HasPrefix(ct, "image/"), strings.HasPrefix(ct, "audio/"), strings.HasPrefix(ct, "video/"),
		strings.HasPrefix(ct, "font/"), ct == "application/pdf", ct == "application/zip",
		ct == "application/gzip", ct == "application/wasm", ct == "application/x-protobuf",
		ct == "application/grpc", strings.HasPrefix(ct, "application/vnd.ms-"),
		strings.HasPrefix(ct, "application/vnd.openxmlformats"):
		return classBinary
	}
	// text/plain, application/octet-stream, no type at all: look at the bytes.
	head := body[:min(len(body), 512)]
	if bytes.IndexByte(head, 0) >= 0 || !utf8.Valid(trimIncompleteRune(head)) {
		return classBinary
	}
	t := bytes.TrimLeft(head, " \t\r\n\ufeff")
	switch {
	case len(t) > 0 && (t[0] == '{' || t[0] == '['):
		return classJSON
	case hasPrefixFold(t, "<!doctype html") || hasPrefixFold(t, "<html"):
		return classHTML
	case bytes.HasPrefix(t, []byte("<?xml")):
		return classXML
	}
	return classText
}

// trimIncompleteRune drops a rune cut in half at the end of a 512-byte head.
func trimIncompleteRune(b []byte) []byte {
	for i := 0; i < utf8.UTFMax && i < len(b); i++ {
		if utf8.RuneStart(b[len(b)-1-i]) {
			if !utf8.FullRune(b[len(b)-1-i:]) {
				return b[:len(b)-1-i]
			}
			break
		}
	}
	return b
}

func hasPrefixFold(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && strings.EqualFold(string(b[:len(prefix)]), prefix)
}

// looksLikeSpec reports whether a JSON or YAML body is an OpenAPI or Swagger
// document: a version member near the start ("openapi": "3.…", "swagger":
// "2.0", or the YAML equivalents) and a paths member.
func looksLikeSpec(body []byte) bool {
	head := body[:min(len(body), 4096)]
	if !specVersionRe.Match(head) {
		return false
	}
	return bytes.Contains(body, []byte(`"paths"`)) || bytes.Contains(body, []byte("\npaths:")) ||
		bytes.HasPrefix(body, []byte("paths:"))
}

var specVersionRe = regexp.MustCompile(`(?m)"(?:openapi|swagger)"\s*:\s*"[23]\.|^(?:openapi|swagger):\s*["']?[23]\.`)

// reflected reports whether s was sent in the request (URL, decoded URL or
// body): text the target echoes back is not a leak of its own.
func reflected(ex *engine.Exchange, s string) bool {
	if s == "" {
		return false
	}
	if strings.Contains(ex.URL, s) || bytes.Contains(ex.RequestBody, []byte(s)) {
		return true
	}
	if dec, err := urlUnescape(ex.URL); err == nil && strings.Contains(dec, s) {
		return true
	}
	for _, vs := range ex.RequestHeader {
		for _, v := range vs {
			if strings.Contains(v, s) {
				return true
			}
		}
	}
	return false
}

// urlUnescape decodes percent escapes and '+' the way a server reads a query.
func urlUnescape(s string) (string, error) {
	if !strings.ContainsAny(s, "%+") {
		return s, nil
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			b.WriteByte(' ')
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isUpper(c byte) bool { return 'A' <= c && c <= 'Z' }
func isLower(c byte) bool { return 'a' <= c && c <= 'z' }
func isAlnum(c byte) bool { return isDigit(c) || isUpper(c) || isLower(c) }

// eachIndex calls fn with every offset of lit in b, in order, until fn
// returns false.
func eachIndex(b []byte, lit string, fn func(i int) bool) {
	l := []byte(lit)
	for off := 0; off < len(b); {
		j := bytes.Index(b[off:], l)
		if j < 0 {
			return
		}
		if !fn(off + j) {
			return
		}
		off += j + 1
	}
}
