package input

import (
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/parapet-scanner/parapet/internal/check"
	"github.com/parapet-scanner/parapet/internal/engine"
	"github.com/parapet-scanner/parapet/internal/evidence"
	"github.com/parapet-scanner/parapet/internal/finding"
	"github.com/parapet-scanner/parapet/internal/inventory"
)

// dangerousMethods are never needed by an API: TRACE/TRACK echo requests
// (cross-site tracing), CONNECT turns the server into a proxy.
var dangerousMethods = map[string]bool{"TRACE": true, "TRACK": true, "CONNECT": true}

// writeMethods change state; advertising them where the spec does not
// declare them hints at undocumented functionality.
var writeMethods = []string{http.MethodPut, http.MethodPatch, http.MethodDelete}

// allowObservation is what one OPTIONS (or other) response advertised.
type allowObservation struct {
	probe      probe
	ex         *engine.Exchange
	allow      []string // from Allow
	corsMethod []string // from Access-Control-Allow-Methods
	dangerous  []string // dangerous methods in Allow
	corsDanger []string // dangerous methods only in Access-Control-Allow-Methods
}

// parseMethods splits a method list ("GET, POST,OPTIONS") into upper-case tokens.
func parseMethods(vals []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, v := range vals {
		for _, m := range strings.Split(v, ",") {
			m = strings.ToUpper(strings.TrimSpace(m))
			if m != "" && !seen[m] {
				seen[m] = true
				out = append(out, m)
			}
		}
	}
	return out
}

func observeAllow(p probe, ex *engine.Exchange) allowObservation {
	o := allowObservation{probe: p, ex: ex}
	if ex.Status >= 500 {
		return o
	}
	o.allow = parseMethods(ex.Header.Values("Allow"))
	o.corsMethod = parseMethods(ex.Header.Values("Access-Control-Allow-Methods"))
	inAllow := map[string]bool{}
	for _, m := range o.allow {
		inAllow[m] = true
		if dangerousMethods[m] {
			o.dangerous = append(o.dangerous, m)
		}
	}
	for _, m := range o.corsMethod {
		if dangerousMethods[m] && !inAllow[m] {
			o.corsDanger = append(o.corsDanger, m)
		}
	}
	return o
}

// reportMethods emits the site-wide dangerous-methods finding and one info
// finding per path that advertises write methods its spec does not declare.
func (c *Check) reportMethods(t *check.Target, obs []allowObservation, emit check.Emit) {
	c.reportDangerous(t, obs, emit)
	declared := specMethods(t.Inventory)
	if declared == nil {
		return // no spec: nothing to compare with
	}
	for _, o := range obs {
		if o.probe.op == nil || len(o.allow) == 0 {
			continue
		}
		have, ok := declared[o.probe.op.Path]
		if !ok {
			continue // the spec does not describe this path at all
		}
		var extra []string
		for _, m := range writeMethods {
			if contains(o.allow, m) && !have[m] {
				extra = append(extra, m)
			}
		}
		if len(extra) == 0 {
			continue
		}
		var decl []string
		for m := range have {
			decl = append(decl, m)
		}
		sort.Strings(decl)
		emit(finding.Finding{
			Check:      KindDangerousMethods,
			Category:   finding.InputValidation,
			Severity:   finding.Info,
			Confidence: finding.Tentative,
			Title:      "Undeclared write methods advertised",
			Description: "The server's Allow header for this path lists " + strings.Join(extra, ", ") + ", which the API " +
				"specification does not declare for it. Undocumented write operations are often left without the " +
				"authorization and validation the documented ones get. Parapet did not call them; this is a lead to review, " +
				"and some frameworks list methods a view could handle even when they are refused later.",
			Remediation: "Declare every supported operation in the specification, or disable the methods that are not meant to " +
				"exist (restrict the route's allowed methods or the viewset's actions) and make sure they require authorization.",
			CWE: "CWE-749",
			Location: finding.Location{
				Method: http.MethodOptions,
				URL:    o.probe.url,
				Path:   o.probe.op.Path,
				Param:  "Allow",
				In:     finding.InResponseHeader,
			},
			Evidence:  []finding.Evidence{evidence.From(o.ex, t.Mask, "Allow: "+strings.Join(o.allow, ", ")+"; the spec declares "+strings.Join(decl, ", "), "")},
			Details:   map[string]any{"allow": o.allow, "undeclared": extra, "declared": decl},
			Reproduce: evidence.Curl(o.ex, t.Mask),
		})
	}
}

// reportDangerous emits one site finding for TRACE, TRACK or CONNECT.
func (c *Check) reportDangerous(t *check.Target, obs []allowObservation, emit check.Emit) {
	var first *allowObservation
	var methods, paths []string
	sev := finding.Low
	for i := range obs {
		o := &obs[i]
		found := append(append([]string(nil), o.dangerous...), o.corsDanger...)
		if len(found) == 0 {
			continue
		}
		if len(o.dangerous) > 0 {
			sev = finding.Medium
		}
		if first == nil || (len(first.dangerous) == 0 && len(o.dangerous) > 0) {
			first = o
		}
		for _, m := range found {
			if !contains(methods, m) {
				methods = append(methods, m)
			}
		}
		paths = append(paths, o.probe.url)
	}
	if first == nil {
		return
	}
	sort.Strings(methods)
	header := "Allow"
	if len(first.dangerous) == 0 {
		header = "Access-Control-Allow-Methods"
	}
	u, _ := url.Parse(first.probe.url)
	how := "."
	if header != "Allow" {
		how = " in the CORS policy (browsers refuse them there, but the policy is broader than needed)."
	}
	emit(finding.Finding{
		Check:      KindDangerousMethods,
		Category:   finding.InputValidation,
		Severity:   sev,
		Confidence: finding.Tentative,
		Title:      "Dangerous HTTP methods advertised",
		Description: "The server advertises " + strings.Join(methods, ", ") + ". TRACE and TRACK echo the request back, " +
			"including cookies and authorization headers, which helps cross-site tracing and leaks headers added by " +
			"proxies; CONNECT can turn the server into an open proxy. APIs never need them. Parapet does not send these " +
			"methods, so it only knows they are advertised" + how,
		Remediation: check.Remediation(t, "Disable TRACE, TRACK and CONNECT on the web server, proxy and application, and advertise only the methods each route implements.",
			[2]string{"apache", "Apache: `TraceEnable off` in the server configuration."},
			[2]string{"nginx", "nginx: `if ($request_method !~ ^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)$) { return 405; }`."},
			[2]string{"iis", "IIS: add a <verbs> deny rule for TRACE, TRACK and CONNECT under requestFiltering."},
			[2]string{"tomcat", "Tomcat: keep allowTrace=\"false\" on the Connector (the default)."},
		),
		CWE:       "CWE-749",
		Location:  finding.Location{URL: siteURL(u), Path: "/", Param: header, In: finding.InSite},
		Evidence:  []finding.Evidence{evidence.From(first.ex, t.Mask, header+" lists "+strings.Join(methods, ", "), "")},
		Details:   map[string]any{"methods": methods, "header": header, "urls": paths},
		Reproduce: evidence.Curl(first.ex, t.Mask),
	})
}

// specMethods maps each path template the spec declares to its methods; nil
// when the inventory holds no spec operations.
func specMethods(inv *inventory.Inventory) map[string]map[string]bool {
	if inv == nil {
		return nil
	}
	var out map[string]map[string]bool
	for _, op := range inv.Operations() {
		if op.Source != inventory.SourceSpec {
			continue
		}
		if out == nil {
			out = map[string]map[string]bool{}
		}
		if out[op.Path] == nil {
			out[op.Path] = map[string]bool{}
		}
		out[op.Path][strings.ToUpper(op.Method)] = true
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
