package deser

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"

	"github.com/parapet-scanner/parapet/internal/check"
	"github.com/parapet-scanner/parapet/internal/engine"
	"github.com/parapet-scanner/parapet/internal/finding"
	"github.com/parapet-scanner/parapet/internal/fingerprint"
	"github.com/parapet-scanner/parapet/internal/inventory"
	"github.com/parapet-scanner/parapet/internal/mask"
	"github.com/parapet-scanner/parapet/internal/sniff"
)

// runOpts adjusts runProofs.
type runOpts struct {
	path    string                // start path and query
	profile string                // check.Profile*; standard when empty
	headers http.Header           // --header values
	ops     []inventory.Operation // extra operations (relative paths)
	active  bool
	spec    bool // mark the inventory as coming from a spec
}

// proofRun is what one run of the check produced.
type proofRun struct {
	findings []finding.Finding // every emitted finding, in order, normalized
	client   *engine.Client
	srvURL   string
}

// byID returns the findings with that id, in emission order.
func (r proofRun) byID(id string) []finding.Finding {
	var out []finding.Finding
	for _, f := range r.findings {
		if f.ID == id {
			out = append(out, f)
		}
	}
	return out
}

// strongest returns the emitted finding of check at (in, param) with the
// strongest confidence, as the scan's merge keeps it.
func (r proofRun) strongest(checkID, in, param string) (finding.Finding, bool) {
	rank := map[finding.Confidence]int{finding.Tentative: 0, finding.Firm: 1, finding.Confirmed: 2}
	var best finding.Finding
	ok := false
	for _, f := range r.findings {
		if f.Check == checkID && f.Location.In == in && f.Location.Param == param {
			if !ok || rank[f.Confidence] > rank[best.Confidence] {
				best, ok = f, true
			}
		}
	}
	return best, ok
}

// proven returns the findings above tentative.
func (r proofRun) proven() []finding.Finding {
	var out []finding.Finding
	for _, f := range r.findings {
		if f.Confidence != finding.Tentative {
			out = append(out, f)
		}
	}
	return out
}

// probes counts the requests the check itself sent.
func (r proofRun) probes() int {
	n := 0
	for _, ex := range r.client.Exchanges() {
		if ex.Check == "deserialization" {
			n++
		}
	}
	return n
}

// runProofs serves h and runs the check the way a scan does: the start URL
// and a baseline GET of every operation first (Inspect sees them), then Run.
// Unlike checktest it keeps every emitted finding, so tests see both the
// passive finding and the proof that the scan's merge would raise it with.
func runProofs(t *testing.T, h http.Handler, o runOpts) proofRun {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	path := o.path
	if path == "" {
		path = "/"
	}
	u, err := url.Parse(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	inv := inventory.New(u)
	if o.spec {
		inv.SpecURL = srv.URL + "/openapi.json"
	}
	inv.Add(inventory.Operation{Method: "GET", Path: u.Path, URL: u.String(), Source: inventory.SourceUser, Parameters: queryParams(u)})
	for _, op := range o.ops {
		if op.URL == "" {
			ou := *u
			ou.Path, ou.RawQuery = op.Path, ""
			op.URL = ou.String()
		}
		inv.Add(op)
	}
	profile := o.profile
	if profile == "" {
		profile = check.ProfileStandard
	}
	tgt := &check.Target{URL: u, Inventory: inv, Stack: fingerprint.NewStack(), Headers: o.headers,
		Profile: profile, Token: "pptest0token", Mask: &mask.Masker{}}
	c := New()
	var mu sync.Mutex
	var out []finding.Finding
	emit := func(f finding.Finding) {
		f.Normalize()
		mu.Lock()
		defer mu.Unlock()
		out = append(out, f)
	}
	cl, err := engine.New(engine.Options{
		Scope:   engine.Scope{Hosts: []string{u.Host}},
		Budget:  engine.Budget{Rate: 0, MaxRequests: 1000},
		Active:  o.active,
		Headers: o.headers,
		Observe: func(ex *engine.Exchange) { c.Inspect(tgt, ex, emit) },
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_, _ = cl.Do(ctx, engine.Request{URL: u.String(), Check: "discover"})
	for _, op := range inv.Operations() {
		if op.Method == http.MethodGet && op.URL != u.String() {
			_, _ = cl.Do(ctx, engine.Request{URL: op.URL, Check: "baseline"})
		}
	}
	if err := c.Run(ctx, tgt, cl, emit); err != nil {
		t.Fatalf("Run: %v", err)
	}
	return proofRun{findings: out, client: cl, srvURL: srv.URL}
}

// queryParams lists a URL's query parameters with their values as examples,
// as discovery does for the scanned URL.
func queryParams(u *url.URL) []inventory.Parameter {
	var out []inventory.Parameter
	for name, vs := range u.Query() {
		out = append(out, inventory.Parameter{Name: name, In: "query", Example: vs[0]})
	}
	return out
}

// sniffValue runs the sniffer on v.
func sniffValue(v string) []sniff.Match { return sniff.Sniff(v) }

// findMatch returns the match of format f.
func findMatch(ms []sniff.Match, f sniff.Format) (sniff.Match, bool) {
	for _, m := range ms {
		if m.Format == f {
			return m, true
		}
	}
	return sniff.Match{}, false
}
