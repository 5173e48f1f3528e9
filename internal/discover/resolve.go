package discover

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"

	"github.com/parapet-scanner/parapet/internal/engine"
	"github.com/parapet-scanner/parapet/internal/inventory"
)

// Default values for path parameters without an example.
const (
	defaultInteger = "1"
	defaultUUID    = "00000000-0000-0000-0000-000000000001"
	defaultString  = "parapet"
)

var templateVarRe = regexp.MustCompile(`\{([^{}/]+)\}`)

// Operations returns the document's operations with concrete URLs on the
// target; each Path is the template prefixed with the server's base path
// ("/api/v1/items/{id}"). Servers on another host are not followed: the target's origin is
// used with the server's path, and warn is told once per host. specURL is
// where the document was fetched (relative servers resolve against it);
// nil for a local file.
func (s *Spec) Operations(target, specURL *url.URL, warn func(string)) []inventory.Operation {
	if warn == nil {
		warn = func(string) {}
	}
	warned := map[string]bool{}
	offHost := func(h string) {
		if h != "" && !warned[h] {
			warned[h] = true
			warn(fmt.Sprintf("the spec's servers point to another host (%s); Parapet scans the target's host with the server's path", oneLine(h)))
		}
	}
	if s.host != "" && !sameHost(s.host, target) {
		offHost(s.host)
	}
	out := make([]inventory.Operation, 0, len(s.ops))
	for _, so := range s.ops {
		servers := so.servers
		if len(servers) == 0 {
			servers = s.servers
		}
		base := "/"
		if len(servers) > 0 {
			var other string
			base, other = serverBasePath(servers[0], target, specURL)
			offHost(other)
		}
		op := so.op
		op.Parameters = append([]inventory.Parameter(nil), op.Parameters...)
		op.URL = concreteURL(target, base, &op)
		op.Path = joinPath(base, op.Path) // the full path on the target
		out = append(out, op)
	}
	return out
}

// serverBasePath returns the path of a server URL, and its host when that
// host is not the target's.
func serverBasePath(raw string, target, specURL *url.URL) (string, string) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "/", ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "/", ""
	}
	if u.Host == "" && specURL != nil && !strings.HasPrefix(raw, "/") {
		// OpenAPI 3: a relative server URL is relative to the document.
		u = specURL.ResolveReference(u)
	}
	p := u.EscapedPath()
	if p == "" || !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	other := ""
	if u.Host != "" && !sameHost(u.Host, target) {
		other = u.Host
	}
	return p, other
}

// sameHost reports whether hostport names the target's host (and port,
// when it gives one).
func sameHost(hostport string, target *url.URL) bool {
	h, p, err := net.SplitHostPort(hostport)
	if err != nil {
		h, p = hostport, ""
	}
	if !strings.EqualFold(strings.Trim(h, "[]"), target.Hostname()) {
		return false
	}
	return p == "" || p == engine.Port(target)
}

// concreteURL builds the URL to request for op: the target's origin, the
// server's base path, the path template filled from examples (or type
// defaults), and the required query parameters. It records the values it
// chose as the parameters' examples.
func concreteURL(target *url.URL, base string, op *inventory.Operation) string {
	filled := templateVarRe.ReplaceAllStringFunc(op.Path, func(m string) string {
		name := m[1 : len(m)-1]
		for i := range op.Parameters {
			p := &op.Parameters[i]
			if p.In == "path" && p.Name == name {
				if p.Example == "" {
					p.Example = defaultValue(p.Type, p.Format, p.Name)
				}
				return url.PathEscape(p.Example)
			}
		}
		return url.PathEscape(defaultValue("", "", name))
	})
	u := url.URL{Scheme: target.Scheme, Host: target.Host}
	u.RawPath = joinPath(base, filled)
	if p, err := url.PathUnescape(u.RawPath); err == nil {
		u.Path = p
	} else {
		u.Path = u.RawPath
		u.RawPath = ""
	}
	q := url.Values{}
	for i := range op.Parameters {
		p := &op.Parameters[i]
		if p.In != "query" || !p.Required {
			continue
		}
		if p.Example == "" {
			p.Example = defaultValue(p.Type, p.Format, p.Name)
		}
		q.Add(p.Name, p.Example)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func joinPath(base, p string) string {
	base = strings.TrimRight(base, "/")
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return base + p
}

// defaultValue is a harmless value of the right shape for a parameter
// without an example.
func defaultValue(typ, format, name string) string {
	switch strings.ToLower(format) {
	case "uuid":
		return defaultUUID
	case "date":
		return "2024-01-01"
	case "date-time":
		return "2024-01-01T00:00:00Z"
	case "email":
		return "parapet@example.com"
	case "int32", "int64":
		return defaultInteger
	}
	switch strings.ToLower(typ) {
	case "integer", "number":
		return defaultInteger
	case "boolean":
		return "true"
	case "string":
		if strings.HasSuffix(strings.ToLower(name), "uuid") {
			return defaultUUID
		}
		return defaultString
	}
	ln := strings.ToLower(name)
	switch {
	case strings.HasSuffix(ln, "uuid") || strings.HasSuffix(ln, "guid"):
		return defaultUUID
	case ln == "id" || strings.HasSuffix(ln, "_id") || strings.HasSuffix(name, "Id") || strings.HasSuffix(name, "ID"):
		return defaultInteger
	}
	return defaultString
}
