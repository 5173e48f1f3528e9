// Package checktest runs one check against a test server the way a scan
// would (the check's Run, then its passive Inspect over every exchange), for
// the checks' own unit tests.
package checktest

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
)

// Options adjusts a test run.
type Options struct {
	TLS     bool
	Path    string                // start path, "/" when empty
	Headers http.Header           // user --header values
	Ops     []inventory.Operation // extra inventory operations (paths relative to the server)
	Active  bool
}

// Run serves h, runs c against it and returns the findings, normalized and
// deduplicated by id.
func Run(t testing.TB, c check.Check, h http.Handler, o Options) []finding.Finding {
	t.Helper()
	var srv *httptest.Server
	if o.TLS {
		srv = httptest.NewTLSServer(h)
	} else {
		srv = httptest.NewServer(h)
	}
	defer srv.Close()
	path := o.Path
	if path == "" {
		path = "/"
	}
	u, err := url.Parse(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	return RunURL(t, c, u, o)
}

// RunURL runs c against an already running server at u.
func RunURL(t testing.TB, c check.Check, u *url.URL, o Options) []finding.Finding {
	t.Helper()
	var mu sync.Mutex
	var out []finding.Finding
	index := map[string]int{}
	emit := func(f finding.Finding) { // merges by id, as the scan does
		f.Normalize()
		mu.Lock()
		defer mu.Unlock()
		if i, ok := index[f.ID]; ok {
			out[i].Merge(f, 3)
			return
		}
		index[f.ID] = len(out)
		out = append(out, f)
	}
	inv := inventory.New(u)
	inv.Add(inventory.Operation{Method: "GET", Path: u.Path, URL: u.String(), Source: inventory.SourceUser})
	for _, op := range o.Ops {
		ou := *u
		ou.Path, ou.RawQuery = op.Path, ""
		if op.URL == "" {
			op.URL = ou.String()
		}
		inv.Add(op)
	}
	m := &mask.Masker{}
	tgt := &check.Target{URL: u, Inventory: inv, Stack: fingerprint.NewStack(), Headers: o.Headers,
		Profile: check.ProfileStandard, Token: "pptest0token", Mask: m}
	passive, _ := c.(check.Passive)
	opts := engine.Options{
		Scope:     engine.Scope{Hosts: []string{u.Hostname()}},
		Budget:    engine.Budget{Rate: 0, MaxRequests: 500},
		Active:    o.Active,
		UserAgent: "parapet/test",
		Headers:   o.Headers,
		Insecure:  o.TLS,
	}
	if passive != nil {
		opts.Observe = func(ex *engine.Exchange) { passive.Inspect(tgt, ex, emit) }
	}
	cl, err := engine.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	// Every scan fetches the start URL first; passive checks see it.
	_, _ = cl.Do(context.Background(), engine.Request{URL: u.String(), Check: "discover"})
	if err := c.Run(context.Background(), tgt, cl, emit); err != nil {
		t.Fatalf("%s: Run: %v", c.ID(), err)
	}
	return out
}

// Has reports whether findings include one of the given check id.
func Has(fs []finding.Finding, checkID string) bool {
	for _, f := range fs {
		if f.Check == checkID {
			return true
		}
	}
	return false
}
