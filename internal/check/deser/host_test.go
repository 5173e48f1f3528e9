package deser

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/parapet-scanner/parapet/internal/check"
	"github.com/parapet-scanner/parapet/internal/engine"
	"github.com/parapet-scanner/parapet/internal/finding"
	"github.com/parapet-scanner/parapet/internal/fingerprint"
	"github.com/parapet-scanner/parapet/internal/inventory"
	"github.com/parapet-scanner/parapet/internal/mask"
)

// TestProof_BlobSeenOnOneHostIsNeverSentToAnother guards the location key:
// a blob (and its truncation) seen on one host, as a Set-Cookie or in a
// query the client sent, is probed on that host only, never on the scanned
// host that has a location of the same name.
func TestProof_BlobSeenOnOneHostIsNeverSentToAnother(t *testing.T) {
	const blob = "gASVWAAAAAAAAACMEGRlbW9fc2hvcC5tb2RlbHOUjAdQcm9maWxllJOUKYGUfZQojAR1c2VylIwFYWxpY2WUjARyb2xllIwIY3VzdG9tZXKUjARjYXJ0lF2UKEtlS81ldWIu"
	var mu sync.Mutex
	got := map[string][]string{} // host -> request lines with cookies
	rec := func(name string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			got[name] = append(got[name], r.URL.String()+" | "+r.Header.Get("Cookie"))
			mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"ok":true}`))
		})
	}
	other := httptest.NewServer(rec("other"))
	defer other.Close()
	target := httptest.NewServer(rec("target"))
	defer target.Close()

	u, _ := url.Parse(target.URL + "/?state=plain")
	inv := inventory.New(u)
	inv.Add(inventory.Operation{Method: "GET", Path: "/", URL: u.String(), Source: inventory.SourceUser, Parameters: queryParams(u)})
	tgt := &check.Target{URL: u, Inventory: inv, Stack: fingerprint.NewStack(), Profile: check.ProfileDeep, Token: "pptest0token", Mask: &mask.Masker{}}
	c := New()
	emit := func(finding.Finding) {}
	ou, _ := url.Parse(other.URL)
	cl, err := engine.New(engine.Options{
		Scope:   engine.Scope{Hosts: []string{u.Host, ou.Host}},
		Budget:  engine.Budget{MaxRequests: 1000},
		Active:  true,
		Observe: func(ex *engine.Exchange) { c.Inspect(tgt, ex, emit) },
	})
	if err != nil {
		t.Fatal(err)
	}
	// What the other host showed: a session cookie it set on a POST (so
	// no URL is known to read it back), a state query its client sent.
	for _, ex := range []*engine.Exchange{
		{Check: "discover", Method: http.MethodPost, URL: other.URL + "/login", Status: 302,
			Header: http.Header{"Set-Cookie": {"session=" + blob + "; Path=/"}, "Location": {"/"}}, Body: []byte(`{}`)},
		{Check: "discover", Method: http.MethodGet, URL: other.URL + "/?state=" + blob, Status: 200,
			Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{}`)},
	} {
		c.Inspect(tgt, ex, emit)
	}
	ctx := context.Background()
	_, _ = cl.Do(ctx, engine.Request{URL: u.String(), Check: "discover"})
	if err := c.Run(ctx, tgt, cl, emit); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	prefix := blob[:12] // the truncation re-encodes a prefix of the same bytes
	for _, line := range got["target"] {
		if strings.Contains(line, prefix) {
			t.Errorf("the other host's blob reached the target: %s", line)
		}
	}
	sent := false
	for _, line := range got["other"] {
		sent = sent || strings.Contains(line, prefix)
	}
	if !sent {
		t.Errorf("the blob's own host was not probed with its truncation: %v", got["other"])
	}
}

// TestLocKey_IncludesOrigin guards the key: the same cookie name on two
// origins is two locations.
func TestLocKey_IncludesOrigin(t *testing.T) {
	a := locKey(originOf("http://127.0.0.1:8001/x"), finding.InCookie, "GET", "/", "session")
	b := locKey(originOf("http://127.0.0.1:8002/"), finding.InCookie, "GET", "/", "session")
	if a == b {
		t.Fatalf("one key for two origins: %q", a)
	}
	if originOf("HTTP://127.0.0.1:80/a") != "http://127.0.0.1" || originOf("/relative") != "" {
		t.Fatalf("originOf: %q %q", originOf("HTTP://127.0.0.1:80/a"), originOf("/relative"))
	}
}

// TestProof_RoutingResponseHeadersNeverReusedAsRequestHeaders guards the
// header deny-list: a blob the server returns under a routing, framing,
// method-override or client-address header name is never sent back as that
// request header.
func TestProof_RoutingResponseHeadersNeverReusedAsRequestHeaders(t *testing.T) {
	const sample = "rO0ABXNyABFqYXZhLnV0aWwuSGFzaE1hcAUH2sHDFmDRAwACRgAKbG9hZEZhY3RvckkACXRocmVzaG9sZHhwP0AAAAAAAAB3CAAAABAAAAAAeA=="
	denied := []string{"X-Forwarded-For", "X-Forwarded-Host", "Forwarded", "X-HTTP-Method-Override", "X-HTTP-Method",
		"X-Method-Override", "X-Original-URL", "X-Rewrite-URL", "Via", "X-Real-IP", "Upgrade", "TE"}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, n := range denied {
			w.Header().Set(n, sample)
		}
		_, _ = w.Write([]byte(`{"cart":[]}`))
	})
	r := runProofs(t, h, runOpts{active: true, profile: check.ProfileDeep})
	for _, ex := range r.client.Exchanges() {
		if ex.Check != "deserialization" {
			continue
		}
		for _, n := range denied {
			if ex.RequestHeader.Get(n) != "" {
				t.Errorf("probe sent request header %s: %q", n, ex.RequestHeader.Get(n))
			}
		}
	}
	for _, n := range append(denied, "Host", "Transfer-Encoding", "Connection", "Content-Length", "x-forwarded-proto") {
		if reusableHeader(n) {
			t.Errorf("%s is reusable", n)
		}
	}
	if !reusableHeader("X-Session-State") {
		t.Error("a state header must stay reusable")
	}
}
