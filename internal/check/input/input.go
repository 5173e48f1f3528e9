// Package input is the input-validation check: CORS policy, HTTP methods the
// server advertises, and the security headers that tell browsers how to
// treat responses. It sends a few GET and OPTIONS requests (never a method
// that changes state) and also reads the Allow header of every exchange.
package input

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/parapet-scanner/parapet/internal/check"
	"github.com/parapet-scanner/parapet/internal/discover"
	"github.com/parapet-scanner/parapet/internal/engine"
	"github.com/parapet-scanner/parapet/internal/finding"
	"github.com/parapet-scanner/parapet/internal/inventory"
)

// Check ids of the kinds this check reports.
const (
	KindCORS             = "input-validation/cors"
	KindDangerousMethods = "input-validation/dangerous-methods"
	KindSecurityHeaders  = "input-validation/security-headers"
)

// Check is the input-validation check. Create it with New.
type Check struct{}

var _ check.Check = (*Check)(nil)

var (
	_ check.Passive      = (*Check)(nil)
	_ check.WithFixtures = (*Check)(nil)
)

// New returns the input-validation check.
func New() *Check { return &Check{} }

// ID returns the check's id, its category.
func (c *Check) ID() string { return string(finding.InputValidation) }

// Category returns finding.InputValidation.
func (c *Check) Category() finding.Category { return finding.InputValidation }

// Kinds lists the kinds of finding this check reports.
func (c *Check) Kinds() []check.Kind {
	return []check.Kind{
		{ID: KindCORS, Title: "Permissive CORS policy",
			Description: "The API lets other origins read its responses: an arbitrary origin reflected or `null` allowed (medium, high with credentials), or a wildcard (low)."},
		{ID: KindDangerousMethods, Title: "Dangerous or undeclared HTTP methods advertised",
			Description: "OPTIONS responses advertise TRACE, TRACK or CONNECT (medium), or PUT/PATCH/DELETE on a path whose spec does not declare them (info)."},
		{ID: KindSecurityHeaders, Title: "Security headers missing",
			Description: "Responses lack X-Content-Type-Options, Content-Security-Policy, clickjacking protection, Referrer-Policy or Cache-Control: no-store where they apply (low, one finding per site)."},
	}
}

// probe is one URL the check probes, with the operation it belongs to.
type probe struct {
	url  string
	path string // template when known
	op   *inventory.Operation
}

// opsPerProfile is how many operations besides the start URL are probed.
func opsPerProfile(profile string) int {
	switch profile {
	case check.ProfileQuick:
		return 0
	case check.ProfileDeep:
		return 4
	}
	return 2
}

// probes returns the start URL and a few GET operations from the inventory,
// spec operations first.
func probes(t *check.Target, cl *engine.Client) []probe {
	start := probe{url: t.URL.String(), path: pathOf(t.URL)}
	var startOp *inventory.Operation
	var specOps, otherOps []probe
	if t.Inventory != nil {
		for _, op := range t.Inventory.Operations() {
			if op.Method != http.MethodGet || op.URL == "" || op.StateChanging || strings.ContainsAny(op.URL, "{}") {
				continue
			}
			u, err := url.Parse(op.URL)
			if err != nil || !cl.InScope(u) || discover.LooksStateChanging(u) {
				continue
			}
			o := op
			if u.Path == t.URL.Path {
				if startOp == nil || o.Source == inventory.SourceSpec {
					startOp = &o
				}
				continue
			}
			p := probe{url: op.URL, path: op.Path, op: &o}
			if op.Source == inventory.SourceSpec {
				specOps = append(specOps, p)
			} else {
				otherOps = append(otherOps, p)
			}
		}
	}
	if startOp != nil {
		start.op, start.path = startOp, startOp.Path
	}
	out := []probe{start}
	n := opsPerProfile(t.Profile)
	for _, p := range append(specOps, otherOps...) {
		if len(out) > n {
			break
		}
		out = append(out, p)
	}
	return out
}

func pathOf(u *url.URL) string {
	if u.Path == "" {
		return "/"
	}
	return u.EscapedPath()
}

// Run probes the start URL and a few operations: GET with a canary Origin and
// with Origin: null, a CORS preflight, and a plain OPTIONS for the Allow
// header. Security headers are judged on the GET responses.
func (c *Check) Run(ctx context.Context, t *check.Target, cl *engine.Client, emit check.Emit) error {
	if t == nil || t.URL == nil {
		return nil
	}
	canary := canaryOrigin(t.Token)
	var (
		cors    []corsObservation
		allow   []allowObservation
		headers []*engine.Exchange
	)
	for i, p := range probes(t, cl) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		ex := send(ctx, cl, http.MethodGet, p.url, http.Header{"Origin": {canary}})
		if ex != nil {
			cors = append(cors, observeCORS(p, ex, canary))
			headers = append(headers, ex)
		}
		if i == 0 {
			if ex := send(ctx, cl, http.MethodGet, p.url, http.Header{"Origin": {"null"}}); ex != nil {
				cors = append(cors, observeCORS(p, ex, "null"))
			}
			pre := send(ctx, cl, http.MethodOptions, p.url, http.Header{
				"Origin":                         {canary},
				"Access-Control-Request-Method":  {http.MethodPut},
				"Access-Control-Request-Headers": {"authorization,content-type"},
			})
			if pre != nil {
				cors = append(cors, observeCORS(p, pre, canary))
				allow = append(allow, observeAllow(p, pre))
			}
			if t.Profile == check.ProfileDeep && !reflected(cors) {
				for _, o := range lookalikeOrigins(t.URL.Hostname(), t.Token) {
					if ex := send(ctx, cl, http.MethodGet, p.url, http.Header{"Origin": {o}}); ex != nil {
						cors = append(cors, observeCORS(p, ex, o))
					}
				}
			}
		}
		if ex := send(ctx, cl, http.MethodOptions, p.url, nil); ex != nil {
			allow = append(allow, observeAllow(p, ex))
		}
	}
	c.reportCORS(t, cors, emit)
	c.reportMethods(t, allow, emit)
	c.reportHeaders(t, headers, emit)
	return ctx.Err()
}

// send issues one request and returns the exchange when a response came back.
func send(ctx context.Context, cl *engine.Client, method, u string, h http.Header) *engine.Exchange {
	ex, err := cl.Do(ctx, engine.Request{Method: method, URL: u, Header: h, Check: string(finding.InputValidation)})
	if err != nil || !ex.OK() {
		return nil
	}
	return ex
}

// canaryOrigin is an origin no real deployment trusts, unique to the scan.
func canaryOrigin(token string) string {
	if token == "" {
		token = "canary"
	}
	return "https://parapet-" + strings.ToLower(token) + ".example"
}

// lookalikeOrigins catch origin checks done with a prefix or suffix match:
// https://<host>.parapet-<token>.example and https://parapet-<token>-<host>.
func lookalikeOrigins(host, token string) []string {
	host = strings.Trim(host, "[]")
	if strings.Contains(host, ":") {
		return nil // an IPv6 literal cannot be embedded in a host name
	}
	return []string{
		"https://" + host + ".parapet-" + strings.ToLower(token) + ".example",
		"https://parapet-" + strings.ToLower(token) + "-" + host,
	}
}

// Inspect reads the Allow header of every exchange for TRACE, TRACK and CONNECT.
func (c *Check) Inspect(t *check.Target, ex *engine.Exchange, emit check.Emit) {
	if !ex.OK() || ex.Status >= 500 {
		return
	}
	vals := ex.Header.Values("Allow")
	if len(vals) == 0 {
		return
	}
	u, err := url.Parse(ex.URL)
	if err != nil {
		return
	}
	obs := observeAllow(probe{url: ex.URL, path: pathOf(u)}, ex)
	if len(obs.dangerous) > 0 {
		c.reportDangerous(t, []allowObservation{obs}, emit)
	}
}

// siteURL returns scheme://host/ for u.
func siteURL(u *url.URL) string {
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/"}).String()
}
