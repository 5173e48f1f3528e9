package transport

import (
	"bytes"
	"net/url"
	"regexp"
	"strings"

	"github.com/parapet-scanner/parapet/internal/check"
	"github.com/parapet-scanner/parapet/internal/engine"
	"github.com/parapet-scanner/parapet/internal/evidence"
	"github.com/parapet-scanner/parapet/internal/finding"
)

// maxMixedRefs bounds the insecure references listed in one finding.
const maxMixedRefs = 20

var (
	httpRefRe  = regexp.MustCompile(`(?i)http://`)
	upgradeRe  = regexp.MustCompile(`(?i)upgrade-insecure-requests`)
	metaCSPTag = regexp.MustCompile(`(?i)<meta[^>]+http-equiv\s*=\s*["']?content-security-policy[^>]*>`)
)

// mixedRef is one http:// resource an HTTPS page loads.
type mixedRef struct {
	Tag    string `json:"tag"`
	Attr   string `json:"attr"`
	URL    string `json:"url"`
	Active bool   `json:"active"`
}

// inspectMixedContent reports an HTML page served over HTTPS that loads
// scripts, styles, frames, plugins or forms (active content, medium) or
// images and media (passive content, low) over plain http://.
func (c *Check) inspectMixedContent(t *check.Target, ex *engine.Exchange, emit check.Emit) {
	if !httpRefRe.Match(ex.Body) {
		return
	}
	if upgradeRe.MatchString(strings.Join(ex.Header.Values("Content-Security-Policy"), ",")) {
		return // the browser upgrades every http:// subresource itself
	}
	if m := metaCSPTag.Find(ex.Body); m != nil && upgradeRe.Match(m) {
		return
	}
	refs := findMixedContent(ex.Body)
	if len(refs) == 0 {
		return
	}
	u := exchangeURL(ex)
	active := false
	for _, r := range refs {
		active = active || r.Active
	}
	sev, what := finding.Low, "passive content (images or media)"
	if active {
		sev, what = finding.Medium, "active content (scripts, stylesheets, frames, plugins or form targets)"
	}
	emit(finding.Finding{
		Check:      KindMixedContent,
		Category:   finding.Encryption,
		Severity:   sev,
		Confidence: finding.Confirmed,
		Title:      "HTTPS page loads content over HTTP",
		Description: "This HTML page is served over HTTPS but loads " + what + " over plain http://. An attacker on " +
			"the network can read or replace those resources; a replaced script or stylesheet runs with the page's " +
			"full privileges, and a form posting to http:// sends its data in clear. Browsers block or upgrade much " +
			"mixed content, which also means the page may break.",
		Remediation: "Reference every resource with https:// (or a relative URL), host third-party assets on HTTPS, and " +
			"add `Content-Security-Policy: upgrade-insecure-requests` (or block-all-mixed-content) as a safety net.",
		CWE: "CWE-319",
		Location: finding.Location{
			Method: ex.Method,
			URL:    ex.URL,
			Path:   u.EscapedPath(),
			In:     finding.InResponseBody,
		},
		Evidence:  []finding.Evidence{evidence.From(ex, t.Mask, "the HTTPS page references "+refs[0].URL, refs[0].URL)},
		Details:   map[string]any{"resources": refs, "active": active},
		Reproduce: evidence.Curl(ex, t.Mask),
	})
}

// findMixedContent scans HTML for tags that load resources over http://.
// It is a small tokenizer, not a regex over the whole page, so that URLs in
// comments, script bodies and ordinary links (<a href>) are not counted.
func findMixedContent(body []byte) []mixedRef {
	var refs []mixedRef
	s := body
	for len(s) > 0 && len(refs) < maxMixedRefs {
		i := bytes.IndexByte(s, '<')
		if i < 0 || i+1 >= len(s) {
			break
		}
		s = s[i+1:]
		if bytes.HasPrefix(s, []byte("!--")) {
			end := bytes.Index(s[3:], []byte("-->"))
			if end < 0 {
				break
			}
			s = s[3+end+3:]
			continue
		}
		if !isLetter(s[0]) {
			continue
		}
		name, attrs, rest := parseTag(s)
		s = rest
		refs = append(refs, tagRefs(name, attrs)...)
		switch name {
		case "script", "style", "textarea", "title", "xmp":
			// raw text: skip to the closing tag
			end := indexFold(s, "</"+name)
			if end < 0 {
				return refs
			}
			s = s[end:]
		}
	}
	if len(refs) > maxMixedRefs {
		refs = refs[:maxMixedRefs]
	}
	return refs
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// indexFold is bytes.Index for an ASCII needle, ignoring case.
func indexFold(s []byte, needle string) int {
	n := len(needle)
outer:
	for i := 0; i+n <= len(s); i++ {
		for k := 0; k < n; k++ {
			if lower(s[i+k]) != lower(needle[k]) {
				continue outer
			}
		}
		return i
	}
	return -1
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// parseTag reads a start tag's name and attributes from s (just after '<')
// and returns what follows the tag.
func parseTag(s []byte) (string, map[string]string, []byte) {
	j := 0
	for j < len(s) && !isSpace(s[j]) && s[j] != '>' && s[j] != '/' {
		j++
	}
	name := strings.ToLower(string(s[:j]))
	attrs := map[string]string{}
	for j < len(s) {
		for j < len(s) && (isSpace(s[j]) || s[j] == '/') {
			j++
		}
		if j >= len(s) {
			break
		}
		if s[j] == '>' {
			return name, attrs, s[j+1:]
		}
		k := j
		for j < len(s) && !isSpace(s[j]) && s[j] != '=' && s[j] != '>' && s[j] != '/' {
			j++
		}
		an := strings.ToLower(string(s[k:j]))
		for j < len(s) && isSpace(s[j]) {
			j++
		}
		val := ""
		if j < len(s) && s[j] == '=' {
			j++
			for j < len(s) && isSpace(s[j]) {
				j++
			}
			if j < len(s) && (s[j] == '"' || s[j] == '\'') {
				q := s[j]
				end := bytes.IndexByte(s[j+1:], q)
				if end < 0 {
					return name, attrs, nil
				}
				val = string(s[j+1 : j+1+end])
				j += end + 2
			} else {
				k := j
				for j < len(s) && !isSpace(s[j]) && s[j] != '>' {
					j++
				}
				val = string(s[k:j])
			}
		}
		if _, dup := attrs[an]; !dup && an != "" {
			attrs[an] = val
		}
		if j == k { // no progress: a stray character
			j++
		}
	}
	return name, attrs, nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

// tagRefs returns the insecure resources one tag loads.
func tagRefs(name string, attrs map[string]string) []mixedRef {
	var out []mixedRef
	add := func(attr string, active bool) {
		if v, ok := attrs[attr]; ok && insecureURL(v) {
			out = append(out, mixedRef{Tag: name, Attr: attr, URL: strings.TrimSpace(v), Active: active})
		}
	}
	switch name {
	case "script", "iframe", "frame", "embed":
		add("src", true)
	case "object":
		add("data", true)
	case "form":
		add("action", true)
	case "link":
		rel := " " + strings.ToLower(attrs["rel"]) + " "
		as := strings.ToLower(attrs["as"])
		switch {
		case strings.Contains(rel, " stylesheet "), strings.Contains(rel, " modulepreload "),
			strings.Contains(rel, " preload ") && (as == "script" || as == "style" || as == "font" || as == "fetch"):
			add("href", true)
		case strings.Contains(rel, " icon "), strings.Contains(rel, " apple-touch-icon "),
			strings.Contains(rel, " preload ") && as == "image":
			add("href", false)
		}
	case "img", "audio", "video", "source", "track":
		add("src", false)
		if name == "video" {
			add("poster", false)
		}
		if v, ok := attrs["srcset"]; ok {
			for _, cand := range strings.Split(v, ",") {
				f := strings.Fields(cand)
				if len(f) > 0 && insecureURL(f[0]) {
					out = append(out, mixedRef{Tag: name, Attr: "srcset", URL: f[0]})
					break
				}
			}
		}
	case "input":
		if strings.EqualFold(attrs["type"], "image") {
			add("src", false)
		}
	}
	return out
}

// insecureURL reports whether v is an absolute http:// URL to a host other
// than loopback (browsers treat http://localhost and http://127.0.0.1 as
// potentially trustworthy and never block them as mixed content).
func insecureURL(v string) bool {
	v = strings.TrimSpace(v)
	if len(v) < 8 || !strings.EqualFold(v[:7], "http://") {
		return false
	}
	u, err := url.Parse(v)
	if err != nil || u.Host == "" {
		return false
	}
	return !loopbackHost(u.Hostname())
}
