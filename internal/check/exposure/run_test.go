package exposure

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/parapet-scanner/parapet/internal/check"
	"github.com/parapet-scanner/parapet/internal/check/checktest"
	"github.com/parapet-scanner/parapet/internal/discover"
	"github.com/parapet-scanner/parapet/internal/engine"
	"github.com/parapet-scanner/parapet/internal/finding"
	"github.com/parapet-scanner/parapet/internal/inventory"
)

func TestFixtures(t *testing.T) {
	c := New()
	for _, fx := range c.Fixtures() {
		t.Run(fx.Name, func(t *testing.T) {
			v := checktest.Run(t, c, fx.Vulnerable, checktest.Options{Path: fx.Path, TLS: fx.TLS})
			if !checktest.Has(v, fx.Kind) {
				t.Errorf("vulnerable fixture: no %s in %v", fx.Kind, v)
			}
			s := checktest.Run(t, c, fx.Safe, checktest.Options{Path: fx.Path, TLS: fx.TLS})
			for _, f := range s {
				t.Errorf("safe fixture: unexpected %s: %s %v", f.Check, f.Title, f.Details)
			}
		})
	}
}

// recorder is a test server handler that remembers the requests it got.
type recorder struct {
	mu   sync.Mutex
	reqs []*http.Request
	h    http.Handler
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	r.reqs = append(r.reqs, req)
	r.mu.Unlock()
	r.h.ServeHTTP(w, req)
}

func (r *recorder) probes() []*http.Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*http.Request
	for _, q := range r.reqs {
		out = append(out, q)
	}
	return out
}

func okJSON(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"ok":true}`))
}

func manyOps() []inventory.Operation {
	var ops []inventory.Operation
	for _, p := range []string{"/api/items/1", "/api/users/2", "/api/orders/3", "/api/carts/4", "/api/invoices/5",
		"/api/shipments/6", "/api/returns/7", "/api/notes/8", "/api/logout", "/api/users/9/delete"} {
		ops = append(ops, inventory.Operation{Method: "GET", Path: p})
	}
	ops = append(ops, inventory.Operation{Method: "POST", Path: "/api/orders/10"},
		inventory.Operation{Method: "GET", Path: "/api/search", Parameters: []inventory.Parameter{{Name: "q", In: "query", Example: "mug"}}})
	return ops
}

func TestRun_ProbesStayWithinBudgetAndPolicy(t *testing.T) {
	for profile, limit := range probeBudget {
		t.Run(profile, func(t *testing.T) {
			rec := &recorder{h: http.HandlerFunc(okJSON)}
			srv := httptest.NewServer(rec)
			defer srv.Close()
			u, _ := url.Parse(srv.URL + "/")
			tgt := targetFor(t, u, profile, manyOps())
			cl := client(t, u)
			if err := New().Run(context.Background(), tgt, cl, func(finding.Finding) {}); err != nil {
				t.Fatal(err)
			}
			reqs := rec.probes()
			if len(reqs) > limit || len(reqs) == 0 {
				t.Fatalf("%d requests, budget %d", len(reqs), limit)
			}
			for _, r := range reqs {
				if r.Method != http.MethodGet {
					t.Errorf("sent %s", r.Method)
				}
				if discover.LooksStateChanging(r.URL) {
					t.Errorf("probed state-changing path %s", r.URL.Path)
				}
			}
			if reqs[0].URL.Path != "/parapet-pptest0token-404" {
				t.Errorf("first probe %s", reqs[0].URL.Path)
			}
		})
	}
}

func TestRun_ProbesAppendQuoteToIDsAndQueryParams(t *testing.T) {
	u, _ := url.Parse("http://127.0.0.1:9/")
	tgt := targetFor(t, u, "standard", []inventory.Operation{
		{Method: "GET", Path: "/api/items/{id}", URL: "http://127.0.0.1:9/api/items/17"},
		{Method: "GET", Path: "/api/search", Parameters: []inventory.Parameter{{Name: "api_key", In: "query"}, {Name: "q", In: "query", Example: "mug"}}},
		{Method: "GET", Path: "/api/about"},
	})
	got := strings.Join(probeURLs(tgt), " ")
	for _, want := range []string{"/parapet-pptest0token-404", "/api/items/17%27", "/api/search?q=mug%27"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %s in %s", want, got)
		}
	}
	if strings.Contains(got, "api_key") || strings.Contains(got, "/api/about") {
		t.Errorf("probed a credential parameter or a path without id: %s", got)
	}
}

func TestRun_QueryProbeSurfacesSQLError(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.Contains(r.URL.Query().Get("q"), "'") {
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"error":"psycopg2.errors.SyntaxError: unterminated quoted string at or near \"'\""}`))
			return
		}
		_, _ = w.Write([]byte(`{"results":[]}`))
	})
	fs := checktest.Run(t, New(), h, checktest.Options{Path: "/api/search?q=mug"})
	if !checktest.Has(fs, KindInternalError) {
		t.Fatalf("got %v", fs)
	}
	for _, f := range fs {
		if f.Check == KindInternalError && (f.Location.Path != "/api/search" || f.Details["triggered_by_probe"] != true) {
			t.Errorf("got %+v %v", f.Location, f.Details)
		}
	}
}

func TestRun_StopsWhenBudgetIsGone(t *testing.T) {
	rec := &recorder{h: http.HandlerFunc(okJSON)}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	u, _ := url.Parse(srv.URL + "/")
	cl, err := engine.New(engine.Options{Scope: engine.Scope{Hosts: []string{u.Hostname()}}, Budget: engine.Budget{MaxRequests: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if err := New().Run(context.Background(), targetFor(t, u, "deep", manyOps()), cl, func(finding.Finding) {}); err != nil {
		t.Fatal(err)
	}
	if n := len(rec.probes()); n != 1 {
		t.Fatalf("%d requests with a budget of 1", n)
	}
}

func targetFor(t *testing.T, u *url.URL, profile string, ops []inventory.Operation) *check.Target {
	t.Helper()
	tgt := testTarget(t)
	tgt.URL = u
	tgt.Profile = profile
	tgt.Inventory = inventory.New(u)
	for _, op := range ops {
		if op.URL == "" {
			ou := *u
			ou.Path = op.Path
			op.URL = ou.String()
		}
		tgt.Inventory.Add(op)
	}
	return tgt
}

func client(t *testing.T, u *url.URL) *engine.Client {
	t.Helper()
	cl, err := engine.New(engine.Options{Scope: engine.Scope{Hosts: []string{u.Hostname()}}, Budget: engine.Budget{MaxRequests: 100}})
	if err != nil {
		t.Fatal(err)
	}
	return cl
}
