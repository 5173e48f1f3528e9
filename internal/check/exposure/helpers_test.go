package exposure

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/parapet-scanner/parapet/internal/check"
	"github.com/parapet-scanner/parapet/internal/engine"
	"github.com/parapet-scanner/parapet/internal/finding"
	"github.com/parapet-scanner/parapet/internal/fingerprint"
	"github.com/parapet-scanner/parapet/internal/inventory"
	"github.com/parapet-scanner/parapet/internal/mask"
)

// Fake, format-valid credentials used by the tests, assembled so that secret
// scanners reading the source do not flag them.
const (
	fakeStripeLive = "sk_" + "live_51Hx9QpL8mWc4RtN6vBz0KaE2sT7yU3iO"
	fakeGitHub     = "ghp_" + "R8mWc4RtN6vBz0KaE2sT7yU3iOq9Xp1LdF5h"
	fakeSlackBot   = "xoxb-" + "2841736051-5093846172034-Qx7mZr2Lw5Tn7Yb1Xc4Vd9Pk"
	fakeSlackHook  = "https://hooks.slack.com/services/" + "T04QZ8K2M/B05R7LX3N9P/" + "Wc4RtN6vBz0KaE2sT7yU3iOq"
	fakeGoogleKey  = "AIza" + "SyB4c9QpL8mWc4RtN6vBz0KaE2sT7yU3iOx"
	fakeOpenSSHKey = "-----BEGIN OPENSSH " + "PRIVATE KEY-----\\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\\n" +
		"QyNTUxOQAAACD7tFqYbM1c2pZ8x3e0mW2uX5rQ9kL7vN4hJ6gT1sR8oAAAAJgq3v5OKt7+\\n-----END OPENSSH PRIVATE KEY-----\\n"
)

const testBase = "http://127.0.0.1:8080"

// exchangeOpts describes one recorded exchange for a test.
type exchangeOpts struct {
	method  string
	path    string // request path and query, default /api/items/5
	status  int
	ct      string
	body    string
	file    string // testdata file to read the body from
	reqHdr  http.Header
	server  string // Server response header
	checkID string // the check that sent the request
}

func readTestdata(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func makeExchange(t testing.TB, o exchangeOpts) *engine.Exchange {
	t.Helper()
	if o.file != "" {
		o.body = readTestdata(t, o.file)
	}
	if o.path == "" {
		o.path = "/api/items/5"
	}
	if o.status == 0 {
		o.status = http.StatusOK
	}
	if o.method == "" {
		o.method = "GET"
	}
	h := http.Header{}
	if o.ct != "" {
		h.Set("Content-Type", o.ct)
	}
	if o.server != "" {
		h.Set("Server", o.server)
	}
	rh := o.reqHdr
	if rh == nil {
		rh = http.Header{}
	}
	return &engine.Exchange{Seq: 1, Check: o.checkID, Method: o.method, URL: testBase + o.path, Status: o.status,
		Proto: "HTTP/1.1", Header: h, Body: []byte(o.body), RequestHeader: rh}
}

func testTarget(t testing.TB, ops ...inventory.Operation) *check.Target {
	t.Helper()
	u, _ := url.Parse(testBase + "/")
	inv := inventory.New(u)
	for _, op := range ops {
		inv.Add(op)
	}
	return &check.Target{URL: u, Inventory: inv, Stack: fingerprint.NewStack(), Profile: check.ProfileStandard,
		Token: "pptest0token", Mask: &mask.Masker{}}
}

// inspect runs the passive check on one exchange and returns its findings, normalized.
func inspect(t testing.TB, tgt *check.Target, ex *engine.Exchange) []finding.Finding {
	t.Helper()
	var mu sync.Mutex
	var out []finding.Finding
	New().Inspect(tgt, ex, func(f finding.Finding) {
		f.Normalize()
		mu.Lock()
		out = append(out, f)
		mu.Unlock()
	})
	return out
}

func byCheck(fs []finding.Finding) map[string][]finding.Finding {
	m := map[string][]finding.Finding{}
	for _, f := range fs {
		m[f.Check] = append(m[f.Check], f)
	}
	return m
}

func inventoryOp(method, path string) inventory.Operation {
	return inventory.Operation{Method: method, Path: path, URL: testBase + path, Source: inventory.SourceSpec}
}
