package discover

import (
	"bytes"
	"encoding/json"
	"net/url"
	"regexp"
	"strings"

	"github.com/parapet-scanner/parapet/internal/engine"
	"github.com/parapet-scanner/parapet/internal/inventory"
)

// Bounds on link extraction from one page.
const (
	maxLinksPerPage = 200
	maxLinkLen      = 2048
	maxJSONStrings  = 5000
	maxJSONDepth    = 32
	maxLinkBody     = 2 << 20
)

// link is a URL found in a page, with the inputs of the GET form it came
// from, if any.
type link struct {
	u      *url.URL
	params []inventory.Parameter
}

// pageLinks returns the links a response holds: string values of JSON that
// are absolute URLs or root-relative paths ("/api/items/1", HAL "_links",
// JSON:API "links"…), and in HTML a href, link href and GET form actions.
// Scope, safety and deduplication are the crawler's business.
func pageLinks(ex *engine.Exchange) []link {
	if ex == nil || !ex.OK() || len(ex.Body) == 0 {
		return nil
	}
	base := finalURL(ex)
	if base == nil {
		return nil
	}
	body := ex.Body
	if len(body) > maxLinkBody {
		body = body[:maxLinkBody]
	}
	ct := ex.ContentType()
	trimmed := bytes.TrimSpace(body)
	switch {
	case strings.Contains(ct, "json") || len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '['):
		return jsonLinks(base, trimmed)
	case strings.Contains(ct, "html") || bytes.Contains(body, []byte("<a ")) || bytes.Contains(body, []byte("<A ")):
		return htmlLinks(base, body)
	}
	return nil
}

func jsonLinks(base *url.URL, body []byte) []link {
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil
	}
	var out []link
	seen := map[string]bool{}
	budget := maxJSONStrings
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		if depth > maxJSONDepth || budget <= 0 || len(out) >= maxLinksPerPage {
			return
		}
		switch x := v.(type) {
		case map[string]any:
			for _, k := range sortedKeys(x) {
				walk(x[k], depth+1)
			}
		case []any:
			for _, e := range x {
				walk(e, depth+1)
			}
		case string:
			budget--
			if u := jsonLinkValue(base, x); u != nil && !seen[u.String()] {
				seen[u.String()] = true
				out = append(out, link{u: u})
			}
		}
	}
	walk(v, 0)
	return out
}

// jsonLinkValue returns the URL a JSON string names, if it is an absolute
// http(s) URL or a root-relative path. URI templates lose their query
// template ("/orders{?page}" → "/orders"); other templates are skipped.
func jsonLinkValue(base *url.URL, s string) *url.URL {
	s = strings.TrimSpace(s)
	if len(s) < 2 || len(s) > maxLinkLen || !urlChars(s) {
		return nil
	}
	lower := strings.ToLower(s)
	switch {
	case strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://"):
	case s[0] == '/' && s[1] != '/':
	default:
		return nil
	}
	if i := strings.Index(s, "{?"); i >= 0 {
		s = s[:i]
	}
	if strings.ContainsAny(s, "{}") {
		return nil
	}
	r, err := url.Parse(s)
	if err != nil {
		return nil
	}
	return base.ResolveReference(r)
}

var (
	hrefTagRe = regexp.MustCompile(`(?is)<(?:a|link|area)\b[^>]*>`)
	formRe    = regexp.MustCompile(`(?is)<form\b([^>]*)>(.*?)</form\s*>`)
	inputRe   = regexp.MustCompile(`(?is)<(?:input|select|textarea)\b[^>]*>`)
	baseTagRe = regexp.MustCompile(`(?is)<base\b[^>]*>`)
)

func htmlLinks(base *url.URL, body []byte) []link {
	if m := baseTagRe.Find(body); m != nil {
		if h := attrs(m)["href"]; h != "" {
			if r, err := url.Parse(strings.TrimSpace(h)); err == nil {
				base = base.ResolveReference(r)
			}
		}
	}
	var out []link
	seen := map[string]bool{}
	add := func(ref string, params []inventory.Parameter) {
		if len(out) >= maxLinksPerPage {
			return
		}
		ref = strings.TrimSpace(ref)
		lower := strings.ToLower(ref)
		if ref == "" || len(ref) > maxLinkLen || strings.HasPrefix(ref, "#") ||
			strings.HasPrefix(lower, "javascript:") || strings.HasPrefix(lower, "mailto:") ||
			strings.HasPrefix(lower, "tel:") || strings.HasPrefix(lower, "data:") {
			return
		}
		r, err := url.Parse(ref)
		if err != nil {
			return
		}
		u := base.ResolveReference(r)
		u.Fragment = ""
		if seen[u.String()] {
			return
		}
		seen[u.String()] = true
		out = append(out, link{u: u, params: params})
	}
	for _, tag := range hrefTagRe.FindAll(body, maxLinksPerPage*2) {
		a := attrs(tag)
		if rel := strings.ToLower(a["rel"]); strings.Contains(rel, "stylesheet") || strings.Contains(rel, "icon") ||
			strings.Contains(rel, "preload") || strings.Contains(rel, "prefetch") || strings.Contains(rel, "manifest") {
			continue
		}
		add(a["href"], nil)
	}
	for _, m := range formRe.FindAllSubmatch(body, 32) {
		fa := attrs(append([]byte("<form "), m[1]...))
		if method := strings.ToLower(strings.TrimSpace(fa["method"])); method != "" && method != "get" {
			continue // only GET forms: submitting anything else changes state
		}
		action := fa["action"]
		if strings.TrimSpace(action) == "" {
			continue // the page itself
		}
		var params []inventory.Parameter
		q := url.Values{}
		for _, in := range inputRe.FindAll(m[2], 64) {
			ia := attrs(in)
			name := ia["name"]
			typ := strings.ToLower(ia["type"])
			if name == "" || typ == "submit" || typ == "button" || typ == "image" || typ == "reset" || typ == "file" {
				continue
			}
			params = append(params, inventory.Parameter{Name: name, In: "query", Type: guessType(ia["value"]), Example: ia["value"]})
			q.Add(name, ia["value"])
		}
		if r, err := url.Parse(strings.TrimSpace(action)); err == nil && len(q) > 0 {
			rq := r.Query()
			for k, vs := range q {
				for _, v := range vs {
					rq.Add(k, v)
				}
			}
			r.RawQuery = rq.Encode()
			action = r.String()
		}
		add(action, params)
	}
	return out
}

// urlChars reports whether s holds only characters a URL may contain
// unescaped (RFC 3986), braces aside for URI templates.
func urlChars(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("-._~:/?#[]@!$&'()*+,;=%{}", c) >= 0:
		default:
			return false
		}
	}
	return true
}
