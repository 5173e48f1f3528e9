// Package evidence turns exchanges into the masked request/response excerpts
// and curl commands that findings carry.
package evidence

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/parapet-scanner/parapet/internal/engine"
	"github.com/parapet-scanner/parapet/internal/finding"
	"github.com/parapet-scanner/parapet/internal/mask"
)

// ExcerptBytes bounds the body excerpt kept in one piece of evidence.
const ExcerptBytes = 1024

// From builds masked evidence from an exchange. When focus is found in the
// response body, the excerpt is centred on it; otherwise it is the body's start.
func From(ex *engine.Exchange, m *mask.Masker, note, focus string) finding.Evidence {
	return finding.Evidence{Request: Request(ex, m), Response: Response(ex, m, focus), Note: m.Text(note)}
}

// Request renders the request line and headers, masked.
func Request(ex *engine.Exchange, m *mask.Masker) string {
	if ex == nil {
		return ""
	}
	var b strings.Builder
	target := ex.URL
	host := ""
	if u, err := url.Parse(ex.URL); err == nil {
		target = u.RequestURI()
		host = u.Host
	}
	fmt.Fprintf(&b, "%s %s HTTP/1.1\nHost: %s\n", ex.Method, m.Text(maskQuery(target, m)), host)
	writeHeaders(&b, ex.RequestHeader, m, "Host", "User-Agent", "Accept")
	if len(ex.RequestBody) > 0 {
		b.WriteString("\n")
		b.WriteString(maskedCut(m, string(ex.RequestBody), 0, ExcerptBytes))
	}
	return strings.TrimRight(b.String(), "\n")
}

// Response renders the status line, headers and a body excerpt, masked.
func Response(ex *engine.Exchange, m *mask.Masker, focus string) string {
	if ex == nil {
		return ""
	}
	if ex.Err != nil {
		return "(no response: " + engine.DescribeNetError(ex.Err) + ")"
	}
	var b strings.Builder
	proto := ex.Proto
	if proto == "" {
		proto = "HTTP/1.1"
	}
	fmt.Fprintf(&b, "%s %d %s\n", proto, ex.Status, http.StatusText(ex.Status))
	writeHeaders(&b, ex.Header, m)
	if len(ex.Body) > 0 {
		body := string(ex.Body)
		start := 0
		if focus != "" {
			if i := strings.Index(body, focus); i > 0 {
				start = contextStart(body, i)
			}
		}
		b.WriteString("\n")
		b.WriteString(maskedCut(m, body, start, ExcerptBytes))
	}
	return strings.TrimRight(b.String(), "\n")
}

// maskMargin is how much text around an excerpt is masked with it, so that a
// secret the cut would split is still recognised whole and hidden.
const maskMargin = 512

// maskedCut masks the excerpt of s that starts at start and is about n bytes
// long. It masks a window wider than the excerpt first and cuts afterwards:
// cutting first could split a secret and leave a recognisable part unmasked.
func maskedCut(m *mask.Masker, s string, start, n int) string {
	ws := max(0, start-maskMargin)
	for ws > 0 && !utf8.RuneStart(s[ws]) {
		ws--
	}
	we := min(len(s), start+n+maskMargin)
	for we < len(s) && !utf8.RuneStart(s[we]) {
		we++
	}
	masked := m.Text(s[ws:we])
	offset := min(len(masked), len(m.Text(s[ws:start])))
	out := cut(masked, offset, n)
	if ws > 0 && offset == 0 && !strings.HasPrefix(out, "…") {
		out = "…" + out
	}
	if we < len(s) && !strings.HasSuffix(out, "…") {
		out += "…"
	}
	return out
}

// contextStart returns where an excerpt showing body[i:] should begin: the
// start of the line two lines above i, but never more than a quarter of the
// excerpt before it.
func contextStart(body string, i int) int {
	floor := max(0, i-ExcerptBytes/4)
	start := i
	for n := 0; n < 3; n++ { // the focus line's own start, then two more
		j := strings.LastIndexByte(body[floor:start], '\n')
		if j < 0 {
			return floor
		}
		start = floor + j
	}
	return start + 1
}

// Bounds on the headers one piece of evidence shows.
const (
	headerValueBytes = 256
	headerBlockBytes = 4 << 10
)

func writeHeaders(b *strings.Builder, h http.Header, m *mask.Masker, skip ...string) {
	h = engine.CapHeader(h, headerValueBytes*4, headerBlockBytes*4) // bound the masking work first
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	written := 0
	for _, k := range keys {
		if contains(skip, k) {
			continue
		}
		for _, v := range h[k] {
			line := fmt.Sprintf("%s: %s\n", k, cut(m.Header(k, v), 0, headerValueBytes))
			if written+len(line) > headerBlockBytes {
				b.WriteString("(more headers left out)\n")
				return
			}
			written += len(line)
			b.WriteString(line)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// cut returns up to n bytes of s from start, on rune boundaries, marking cuts.
func cut(s string, start, n int) string {
	for start > 0 && start < len(s) && !utf8.RuneStart(s[start]) {
		start--
	}
	prefix := ""
	if start > 0 {
		prefix = "…"
	}
	s = s[start:]
	if len(s) <= n {
		return prefix + s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return prefix + s[:n] + "…"
}

// maskQuery hides the values of query parameters whose names look like credentials.
func maskQuery(target string, m *mask.Masker) string {
	path, q, ok := strings.Cut(target, "?")
	if !ok {
		return target
	}
	parts := strings.Split(q, "&")
	for i, p := range parts {
		k, _, has := strings.Cut(p, "=")
		if has && mask.IsSensitiveHeader(k) {
			parts[i] = k + "=" + mask.Placeholder
		}
	}
	return path + "?" + strings.Join(parts, "&")
}

// URL returns raw with credential-named query values and registered
// secrets masked, for locations and report headers.
func URL(raw string, m *mask.Masker) string {
	u, err := url.Parse(raw)
	if err != nil || u.RawQuery == "" {
		return m.Text(raw)
	}
	return m.Text(u.Scheme + "://" + u.Host + maskQuery(u.RequestURI(), m))
}

// Curl returns a masked curl command that repeats the exchange's request.
func Curl(ex *engine.Exchange, m *mask.Masker) string {
	if ex == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString("curl -i")
	if ex.Method != http.MethodGet {
		b.WriteString(" -X " + ex.Method)
	}
	keys := make([]string, 0, len(ex.RequestHeader))
	for k := range ex.RequestHeader {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if contains([]string{"Host", "User-Agent", "Accept", "Accept-Encoding", "Content-Length"}, k) {
			continue
		}
		for _, v := range ex.RequestHeader[k] {
			b.WriteString(" -H " + shellQuote(k+": "+m.Header(k, v)))
		}
	}
	if len(ex.RequestBody) > 0 {
		b.WriteString(" --data-binary " + shellQuote(m.Text(string(ex.RequestBody))))
	}
	u := ex.URL
	if pu, err := url.Parse(ex.URL); err == nil {
		u = pu.Scheme + "://" + pu.Host + maskQuery(pu.RequestURI(), m)
	}
	b.WriteString(" " + shellQuote(m.Text(u)))
	return b.String()
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
