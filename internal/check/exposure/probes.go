package exposure

import (
	"net/url"
	"strings"

	"github.com/parapet-scanner/parapet/internal/check"
	"github.com/parapet-scanner/parapet/internal/discover"
	"github.com/parapet-scanner/parapet/internal/inventory"
	"github.com/parapet-scanner/parapet/internal/mask"
)

// probeBudget is how many probes Run sends per profile, the missing-path
// probe included.
var probeBudget = map[string]int{
	check.ProfileQuick:    2,
	check.ProfileStandard: 6,
	check.ProfileDeep:     12,
}

// malformed is what a probe appends to an id: a quote breaks string-built SQL
// and DynamoDB expressions and makes type conversions fail.
const malformed = "'"

// probeURLs lists the GET requests Run sends, at most the profile's budget:
// first a random missing path (framework debug 404 pages), then, with a
// quote appended to the value, the id-like last path segment of each
// inventory GET operation, then the first query parameter of each, then
// their other query parameters.
func probeURLs(t *check.Target) []string {
	if t == nil || t.URL == nil {
		return nil
	}
	limit, ok := probeBudget[t.Profile]
	if !ok {
		limit = probeBudget[check.ProfileStandard]
	}
	var out []string
	seen := map[string]bool{}
	add := func(u string) {
		if u != "" && !seen[u] && len(out) < limit {
			seen[u] = true
			out = append(out, u)
		}
	}
	token := t.Token
	if token == "" {
		token = "probe"
	}
	missing := url.URL{Scheme: t.URL.Scheme, Host: t.URL.Host, Path: "/parapet-" + token + "-404"}
	add(missing.String())

	var ops []inventory.Operation
	if t.Inventory != nil {
		ops = t.Inventory.Operations()
	}
	if len(ops) == 0 {
		ops = []inventory.Operation{{Method: "GET", Path: t.URL.Path, URL: t.URL.String()}}
	}
	// Path ids first (they hit the data store's key lookups), then query
	// parameters, one variant per operation per round.
	var pathProbes, queryProbes, moreQueryProbes []string
	for _, op := range ops {
		if !strings.EqualFold(op.Method, "GET") || op.URL == "" || op.StateChanging || strings.ContainsAny(op.URL, "{}") {
			continue
		}
		u, err := url.Parse(op.URL)
		if err != nil || discover.LooksStateChanging(u) {
			continue
		}
		if v := withMalformedLastSegment(u, op.Path); v != "" {
			pathProbes = append(pathProbes, v)
		}
		for i, name := range queryNames(u, op) {
			if i == 0 {
				queryProbes = append(queryProbes, withMalformedQuery(u, op, name))
			} else {
				moreQueryProbes = append(moreQueryProbes, withMalformedQuery(u, op, name))
			}
		}
	}
	for _, list := range [][]string{pathProbes, queryProbes, moreQueryProbes} {
		for _, p := range list {
			add(p)
		}
	}
	return out
}

// withMalformedLastSegment appends the malformed marker to the last path
// segment when it is a path parameter in the template or looks like an id.
func withMalformedLastSegment(u *url.URL, tmpl string) string {
	path := strings.TrimSuffix(u.Path, "/")
	i := strings.LastIndexByte(path, '/')
	if i < 0 || i == len(path)-1 {
		return ""
	}
	last := path[i+1:]
	tsegs := strings.Split(strings.TrimSuffix(tmpl, "/"), "/")
	param := len(tsegs) > 0 && strings.HasPrefix(tsegs[len(tsegs)-1], "{")
	if !param && !idSegment(last) {
		return ""
	}
	v := *u
	v.Path = path + malformed
	if strings.HasSuffix(u.Path, "/") {
		v.Path += "/"
	}
	v.RawPath = ""
	return v.String()
}

// queryNames lists the query parameters of an operation: those in its URL,
// then the declared ones.
func queryNames(u *url.URL, op inventory.Operation) []string {
	var names []string
	seen := map[string]bool{}
	for _, kv := range strings.Split(u.RawQuery, "&") {
		k, _, _ := strings.Cut(kv, "=")
		if k, err := url.QueryUnescape(k); err == nil && k != "" && !seen[k] && !credentialParam(k) {
			seen[k] = true
			names = append(names, k)
		}
	}
	for _, p := range op.Parameters {
		if p.In == "query" && p.Name != "" && !seen[p.Name] && !credentialParam(p.Name) {
			seen[p.Name] = true
			names = append(names, p.Name)
		}
	}
	return names
}

// withMalformedQuery sets one query parameter to its value (or example) plus
// the malformed marker.
func withMalformedQuery(u *url.URL, op inventory.Operation, name string) string {
	q := u.Query()
	val := q.Get(name)
	if val == "" {
		for _, p := range op.Parameters {
			if p.Name == name && p.In == "query" {
				val = p.Example
			}
		}
	}
	if val == "" {
		val = "1"
	}
	q.Set(name, val+malformed)
	v := *u
	v.RawQuery = q.Encode()
	return v.String()
}

// credentialParam reports whether a query parameter carries credentials:
// probes leave it alone, and Location URLs hide its value.
func credentialParam(name string) bool {
	if mask.IsSensitiveHeader(name) {
		return true
	}
	n := strings.ReplaceAll(strings.ToLower(name), "-", "_")
	switch n {
	case "key", "sig", "signature", "code", "auth", "jwt", "access_key":
		return true
	}
	for _, w := range []string{"token", "secret", "passw", "session", "api_key", "apikey", "auth", "credential", "private_key"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}
