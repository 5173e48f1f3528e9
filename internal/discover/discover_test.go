package discover

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parapet-scanner/parapet/internal/engine"
	"github.com/parapet-scanner/parapet/internal/fingerprint"
	"github.com/parapet-scanner/parapet/internal/inventory"
)

// recorder is a test target that remembers every path it was asked for.
type recorder struct {
	mu    sync.Mutex
	paths []string
	mux   *http.ServeMux
}

func newRecorder() *recorder { return &recorder{mux: http.NewServeMux()} }

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	r.paths = append(r.paths, req.Method+" "+req.URL.RequestURI())
	r.mu.Unlock()
	r.mux.ServeHTTP(w, req)
}

func (r *recorder) requested() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.paths...)
}

func (r *recorder) hit(prefix string) bool {
	for _, p := range r.requested() {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return false
}

func (r *recorder) json(path string, status int, body string, headers ...string) {
	r.mux.HandleFunc(path, func(w http.ResponseWriter, req *http.Request) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Add(headers[i], headers[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	})
}

func (r *recorder) html(path string, body string, headers ...string) {
	r.mux.HandleFunc(path, func(w http.ResponseWriter, req *http.Request) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Add(headers[i], headers[i+1])
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, body)
	})
}

func newClient(t *testing.T, srvURL string, extraHosts ...string) *engine.Client {
	t.Helper()
	u, err := url.Parse(srvURL)
	if err != nil {
		t.Fatal(err)
	}
	c, err := engine.New(engine.Options{
		Scope:     engine.Scope{Hosts: append([]string{u.Host}, extraHosts...)},
		Budget:    engine.Budget{Rate: 0, Timeout: 5 * time.Second, MaxRequests: 500},
		UserAgent: "parapet-test",
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func runDiscovery(t *testing.T, h http.Handler, startPath string, o Options) (*Result, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	var warnings []string
	if o.Warn == nil {
		o.Warn = func(s string) { warnings = append(warnings, s) }
	}
	res, err := Run(context.Background(), newClient(t, srv.URL), mustURL(srv.URL+startPath), o)
	if err != nil {
		t.Fatalf("Run: %v (warnings %q)", err, warnings)
	}
	return res, srv
}

func opKeys(inv *inventory.Inventory) []string {
	var out []string
	for _, op := range inv.Operations() {
		out = append(out, op.Key()+" ["+op.Source+"]")
	}
	sort.Strings(out)
	return out
}

func findOp(inv *inventory.Inventory, method, path string) (inventory.Operation, bool) {
	for _, op := range inv.Operations() {
		if op.Method == method && op.Path == path {
			return op, true
		}
	}
	return inventory.Operation{}, false
}

const shopSpec = `{
  "openapi": "3.0.3",
  "info": {"title": "Shop", "version": "1.4.0"},
  "servers": [{"url": "http://127.0.0.1:8000"}],
  "paths": {
    "/api/cart/": {"get": {"operationId": "getCart", "parameters": [
        {"name": "state", "in": "query", "schema": {"type": "string"}, "example": "c3RhdGU="},
        {"name": "profile", "in": "cookie", "schema": {"type": "string"}}],
      "responses": {"200": {"description": "ok"}}}},
    "/api/items/": {"get": {"operationId": "listItems", "responses": {"200": {"description": "ok"}}}},
    "/api/items/{item_id}": {"get": {"operationId": "getItem", "parameters": [
        {"name": "item_id", "in": "path", "required": true, "schema": {"type": "integer"}, "example": 1}],
      "responses": {"200": {"description": "ok"}}}}
  }
}`

// djangoLike is a small API shaped like the django-dynamo lab.
func djangoLike() *recorder {
	r := newRecorder()
	server := []string{"Server", "WSGIServer/0.2 CPython/3.11.2"}
	r.json("/{$}", 200, `{"service":"shop","links":{"items":"/api/items/","cart":"/api/cart/","logout":"/accounts/logout/"}}`,
		append(server, "Set-Cookie", "csrftoken=Zq5H2nJ0aXm7VbQpWc3LkT8rYs1uEd4o; Path=/; SameSite=Lax")...)
	r.json("/openapi.json", 200, shopSpec, server...)
	r.json("/api/items/", 200, `{"items":[{"id":1,"href":"/api/items/1"},{"id":2,"href":"/api/items/2"},{"id":3,"href":"/api/items/3"}],"_links":{"next":{"href":"/api/items/?page=2"},"search":{"href":"/api/search/{?q}"}}}`, server...)
	r.json("/api/items/{id}", 200, `{"id":1,"title":"Enamel mug","_links":{"self":{"href":"/api/items/1"},"delete":{"href":"/api/items/1/delete"},"reviews":{"href":"/api/items/1/reviews"}}}`, server...)
	r.json("/api/items/{id}/reviews", 200, `{"reviews":[],"author":"http://127.0.0.1:1/elsewhere"}`, server...)
	r.json("/api/search/", 200, `{"results":[]}`, server...)
	r.json("/api/cart/", 200, `{"items":[],"total":0}`, server...)
	r.json("/accounts/logout/", 200, `{"logged_out":true}`, server...)
	r.json("/api/items/{id}/delete", 200, `{"deleted":true}`, server...)
	return r
}

func TestRun_FindsSpecAndFingerprintsDjango(t *testing.T) {
	app := djangoLike()
	var progress []string
	res, srv := runDiscovery(t, app, "/", Options{Progress: func(s string) { progress = append(progress, s) }})
	inv := res.Inventory
	if inv.SpecURL != srv.URL+"/openapi.json" || inv.SpecVersion != "3.0.3" {
		t.Errorf("spec url %q version %q", inv.SpecURL, inv.SpecVersion)
	}
	item, ok := findOp(inv, "GET", "/api/items/{item_id}")
	if !ok || item.Source != inventory.SourceSpec || item.OperationID != "getItem" {
		t.Fatalf("spec operation missing: %v", opKeys(inv))
	}
	if item.URL != srv.URL+"/api/items/1" {
		t.Errorf("spec server on another host must map onto the target: %q", item.URL)
	}
	if res.Root == nil || res.Root.Status != 200 {
		t.Errorf("root = %+v", res.Root)
	}
	if !res.Stack.Has(fingerprint.Django) || !res.Stack.Has(fingerprint.Python) {
		t.Errorf("stack = %+v", res.Stack.List())
	}
	// Crawled items collapse onto the spec's template; nothing unsafe fetched.
	for _, op := range inv.Operations() {
		if strings.HasPrefix(op.Path, "/api/items/1") && op.Path != "/api/items/1/reviews" {
			t.Errorf("crawled duplicate of a spec operation: %+v", op)
		}
	}
	if app.hit("GET /accounts/logout/") || app.hit("GET /api/items/1/delete") {
		t.Errorf("state-changing link followed: %q", app.requested())
	}
	if len(progress) == 0 || !strings.Contains(strings.Join(progress, "\n"), "fetching spec /openapi.json") {
		t.Errorf("progress = %q", progress)
	}
}

func TestRun_StartURLIsAnOperationWithItsQuery(t *testing.T) {
	app := newRecorder()
	app.json("/api/cart/", 200, `{"items":[]}`)
	app.json("/{$}", 404, `{"error":"not found"}`)
	res, srv := runDiscovery(t, app, "/api/cart/?state=gAR9lC4%3D&page=2", Options{})
	op, ok := findOp(res.Inventory, "GET", "/api/cart/")
	if !ok {
		t.Fatalf("start URL not in inventory: %v", opKeys(res.Inventory))
	}
	if op.Source != inventory.SourceUser || op.URL != srv.URL+"/api/cart/?state=gAR9lC4%3D&page=2" {
		t.Errorf("op = %+v", op)
	}
	state, _ := param(op, "query", "state")
	page, _ := param(op, "query", "page")
	if state.Example != "gAR9lC4=" || page.Example != "2" || page.Type != "integer" {
		t.Errorf("params = %+v", op.Parameters)
	}
	if !app.hit("GET /api/cart/?state=gAR9lC4%3D&page=2") {
		t.Errorf("the start URL was not fetched as given: %q", app.requested())
	}
	if !app.hit("GET / ") && !app.hit("GET /") {
		t.Errorf("the site root was not fetched: %q", app.requested())
	}
	if _, ok := findOp(res.Inventory, "GET", "/"); ok {
		t.Error("a root answering 404 must not become an operation")
	}
}

func TestRun_StartURLMergesIntoSpecOperation(t *testing.T) {
	app := djangoLike()
	res, srv := runDiscovery(t, app, "/api/cart/?state=abc123", Options{})
	op, ok := findOp(res.Inventory, "GET", "/api/cart/")
	if !ok || op.OperationID != "getCart" {
		t.Fatalf("op = %+v (%v)", op, opKeys(res.Inventory))
	}
	if op.URL != srv.URL+"/api/cart/?state=abc123" {
		t.Errorf("URL = %q", op.URL)
	}
	if p, _ := param(op, "query", "state"); p.Example != "abc123" {
		t.Errorf("the user's value must be the example: %+v", p)
	}
	if p, _ := param(op, "cookie", "profile"); p.Name == "" {
		t.Errorf("spec parameters lost: %+v", op.Parameters)
	}

	res, srv = runDiscovery(t, djangoLike(), "/api/items/7", Options{})
	op, _ = findOp(res.Inventory, "GET", "/api/items/{item_id}")
	if p, _ := param(op, "path", "item_id"); p.Example != "7" || op.URL != srv.URL+"/api/items/7" {
		t.Errorf("templated merge: %+v", op)
	}
	if _, ok := findOp(res.Inventory, "GET", "/api/items/7"); ok {
		t.Error("start URL added twice")
	}
}

func TestRun_CrawlWithoutSpec(t *testing.T) {
	app := newRecorder()
	app.html("/{$}", `<!doctype html><html><head><link rel="stylesheet" href="/static/site.css"></head><body>
		<a href="/products?page=1">Products</a>
		<a href="/account/logout">Log out</a>
		<a href='/account/sign-out'>Sign out</a>
		<a href="/newsletter?action=unsubscribe&amp;id=3">Unsubscribe</a>
		<a href="/files/report.pdf">Report</a>
		<a href="mailto:a@b.c">Mail</a>
		<a href="http://127.0.0.1:1/offsite">Elsewhere</a>
		<a href="javascript:void(0)">JS</a>
		<form method="post" action="/cart/add"><input name="item"></form>
		<form action="/search"><input type="text" name="q" value=""><input type="hidden" name="lang" value="en"><input type="submit" value="Go"></form>
		</body></html>`)
	app.html("/products", `<a href="/products/1">One</a><a href="/products/2">Two</a><a href="/products/550e8400-e29b-41d4-a716-446655440000">Three</a><a href="/deleted-products">Archive</a>`)
	app.json("/products/{id}", 200, `{"id":1,"links":{"self":"/products/1","related":["/products/1/similar"]}}`)
	app.json("/products/{id}/similar", 401, `{"detail":"Authentication credentials were not provided."}`)
	app.json("/deleted-products", 200, `[]`)
	app.json("/search", 200, `{"results":[]}`)
	for _, p := range []string{"/account/logout", "/account/sign-out", "/newsletter", "/cart/add", "/static/site.css", "/files/report.pdf"} {
		app.json(p, 200, `{}`)
	}
	res, _ := runDiscovery(t, app, "/", Options{})
	for _, bad := range []string{"GET /account/logout", "GET /account/sign-out", "GET /newsletter", "GET /cart/add", "POST", "GET /static/", "GET /files/"} {
		if app.hit(bad) {
			t.Errorf("fetched %s: %q", bad, app.requested())
		}
	}
	products := 0
	for _, p := range app.requested() {
		if strings.HasPrefix(p, "GET /products/") && !strings.HasSuffix(p, "/similar") {
			products++
		}
	}
	if products != 1 {
		t.Errorf("/products/{id} fetched %d times, want 1: %q", products, app.requested())
	}
	for _, want := range []string{"/products", "/deleted-products", "/search"} {
		if op, ok := findOp(res.Inventory, "GET", want); !ok || op.Source != inventory.SourceCrawl {
			t.Errorf("missing crawled %s: %v", want, opKeys(res.Inventory))
		}
	}
	if _, ok := findOp(res.Inventory, "GET", "/products/1/similar"); !ok {
		t.Errorf("a 401 endpoint exists and must be listed: %v", opKeys(res.Inventory))
	}
	search, _ := findOp(res.Inventory, "GET", "/search")
	if p, ok := param(search, "query", "lang"); !ok || p.Example != "en" {
		t.Errorf("GET form inputs: %+v", search.Parameters)
	}
	if _, ok := param(search, "query", "q"); !ok {
		t.Errorf("GET form inputs: %+v", search.Parameters)
	}
	if res.Stack.Has(fingerprint.Django) {
		// only the DRF-shaped 401 may say so; that is fine, but nothing else should
		t.Logf("stack: %+v", res.Stack.List())
	}
}

func TestRun_CrawlBudgetAndDepth(t *testing.T) {
	app := newRecorder()
	// An endless chain: /n/a → /n/aa → /n/aaa …
	app.mux.HandleFunc("/n/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		next := r.URL.Path + "a"
		fmt.Fprintf(w, `{"next":%q,"other":%q}`, next, r.URL.Path+"b")
	})
	app.json("/{$}", 200, `{"start":"/n/a"}`)
	res, _ := runDiscovery(t, app, "/", Options{MaxCrawl: 5})
	crawled := 0
	for _, op := range res.Inventory.Operations() {
		if op.Source == inventory.SourceCrawl {
			crawled++
		}
	}
	if crawled > 5 {
		t.Errorf("crawled %d pages with MaxCrawl 5", crawled)
	}
	deep := 0
	for _, p := range app.requested() {
		if strings.HasPrefix(p, "GET /n/") && len(strings.TrimPrefix(p, "GET /n/")) > maxCrawlDepth {
			deep++
		}
	}
	if deep > 0 {
		t.Errorf("crawl went deeper than %d: %q", maxCrawlDepth, app.requested())
	}
}

func TestRun_CrawlDisabled(t *testing.T) {
	app := djangoLike()
	runDiscovery(t, app, "/", Options{MaxCrawl: -1})
	if app.hit("GET /api/items/") {
		t.Errorf("crawl ran with MaxCrawl -1: %q", app.requested())
	}
}

func TestRun_Unreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	_, err = Run(context.Background(), newClient(t, "http://"+addr), mustURL("http://"+addr+"/api"), Options{})
	if !errors.Is(err, ErrUnreachable) {
		t.Fatalf("err = %v, want ErrUnreachable", err)
	}
	var opErr *net.OpError
	if !errors.As(err, &opErr) {
		t.Errorf("the transport error is not wrapped: %v", err)
	}
	if engine.DescribeNetError(err) == "" {
		t.Error("DescribeNetError gave nothing")
	}
}

func TestRun_Non200StartIsNotUnreachable(t *testing.T) {
	app := newRecorder()
	app.json("/", 500, `{"error":"boom"}`)
	res, _ := runDiscovery(t, app, "/", Options{})
	if res.Root.Status != 500 {
		t.Errorf("root status %d", res.Root.Status)
	}
}

func TestRun_SpecFromSwaggerUIPage(t *testing.T) {
	app := newRecorder()
	app.html("/{$}", `<a href="/docs/">API docs</a>`)
	app.html("/docs/", `<!DOCTYPE html><html><head><title>API - Swagger UI</title></head><body><div id="swagger-ui"></div>
<script src="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js"></script>
<script>
const ui = SwaggerUIBundle({
    url: '/static/schema/api-v3.yaml',
    "dom_id": "#swagger-ui",
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
})
</script></body></html>`)
	app.mux.HandleFunc("/static/schema/api-v3.yaml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/yaml")
		w.Write(readSpec(t, "shop-v30.yaml"))
	})
	res, srv := runDiscovery(t, app, "/docs/", Options{})
	if res.Inventory.SpecURL != srv.URL+"/static/schema/api-v3.yaml" {
		t.Fatalf("spec url = %q; requested %q", res.Inventory.SpecURL, app.requested())
	}
	if _, ok := findOp(res.Inventory, "GET", "/api/v2/items"); !ok {
		t.Errorf("ops = %v", opKeys(res.Inventory))
	}
}

func TestRun_SpecFromLinkHeader(t *testing.T) {
	app := newRecorder()
	app.json("/{$}", 200, `{}`, "Link", `</meta/service.json>; rel="service-desc"; type="application/openapi+json", </about>; rel="about"`)
	app.json("/meta/service.json", 200, shopSpec)
	res, srv := runDiscovery(t, app, "/", Options{})
	if res.Inventory.SpecURL != srv.URL+"/meta/service.json" {
		t.Fatalf("spec url = %q; requested %q", res.Inventory.SpecURL, app.requested())
	}
}

func TestRun_SpecFromSwaggerUIExpressInit(t *testing.T) {
	app := newRecorder()
	app.json("/{$}", 404, `{}`)
	app.html("/api-docs/", `<!DOCTYPE html><html><head><title>Swagger UI</title></head><body><div id="swagger-ui"></div>
<script src="./swagger-ui-bundle.js"> </script><script src="./swagger-ui-standalone-preset.js"> </script>
<script src="./swagger-ui-init.js"> </script></body></html>`)
	app.mux.HandleFunc("/api-docs", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/api-docs/", http.StatusMovedPermanently)
	})
	app.mux.HandleFunc("/api-docs/swagger-ui-init.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/javascript")
		fmt.Fprintf(w, "\nwindow.onload = function() {\n  var url = window.location.search.match(/url=([^&]+)/);\n  var options = {\n  \"swaggerDoc\": %s,\n  \"customOptions\": {}\n};\n  url = options.swaggerUrl || url\n}\n", shopSpec)
	})
	res, _ := runDiscovery(t, app, "/", Options{})
	if _, ok := findOp(res.Inventory, "GET", "/api/cart/"); !ok {
		t.Fatalf("inline swaggerDoc not used: %v; requested %q", opKeys(res.Inventory), app.requested())
	}
}

func TestRun_StartURLIsTheSpec(t *testing.T) {
	app := newRecorder()
	app.json("/v1/openapi.json", 200, shopSpec)
	res, srv := runDiscovery(t, app, "/v1/openapi.json", Options{})
	if res.Inventory.SpecURL != srv.URL+"/v1/openapi.json" {
		t.Fatalf("spec url = %q", res.Inventory.SpecURL)
	}
	for _, p := range app.requested() {
		if strings.Contains(p, "swagger") || strings.Contains(p, "api-docs") {
			t.Errorf("probed %s although the start URL is the spec", p)
		}
	}
	if _, ok := findOp(res.Inventory, "GET", "/v1/openapi.json"); ok {
		t.Error("the spec document itself became an operation")
	}
}

func TestRun_SpecProbesAreBounded(t *testing.T) {
	for profile, limit := range map[string]int{"quick": probesQuick, "standard": probesStandard, "deep": probesDeep} {
		app := newRecorder()
		app.json("/", 404, `{"detail":"Not Found"}`)
		runDiscovery(t, app, "/api/v1/users", Options{Profile: profile})
		// start URL, site root and the one 404 probe come on top of the spec probes.
		if n := len(app.requested()); n > limit+3 {
			t.Errorf("%s: %d requests (limit %d + 3): %q", profile, n, limit, app.requested())
		}
		if profile == "standard" && len(app.requested()) >= 18 {
			t.Errorf("standard sent too many probes: %d", len(app.requested()))
		}
		if !app.hit("GET /api/v1/openapi.json") {
			t.Errorf("%s: the start directory was not probed: %q", profile, app.requested())
		}
	}
}

func TestRun_NotFoundProbeRevealsFramework(t *testing.T) {
	app := newRecorder()
	app.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"ok":true}`)
			return
		}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(404)
		fmt.Fprintf(w, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error</title>\n</head>\n<body>\n<pre>Cannot GET %s</pre>\n</body>\n</html>\n", r.URL.Path)
	})
	res, _ := runDiscovery(t, app, "/", Options{})
	if !res.Stack.Has(fingerprint.Express) {
		t.Errorf("stack = %+v; requested %q", res.Stack.List(), app.requested())
	}
}

func TestRun_ExplicitSpecFile(t *testing.T) {
	app := djangoLike()
	file, err := filepath.Abs(filepath.Join("testdata", "specs", "split", "openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var warnings []string
	res, _ := runDiscovery(t, app, "/", Options{Spec: file, Warn: func(s string) { warnings = append(warnings, s) }})
	if res.Inventory.SpecURL != file {
		t.Errorf("SpecURL = %q", res.Inventory.SpecURL)
	}
	if _, ok := findOp(res.Inventory, "POST", "/things"); !ok {
		t.Errorf("ops = %v", opKeys(res.Inventory))
	}
	if app.hit("GET /openapi.json") {
		t.Error("probed for a spec although --spec was given")
	}
	if !strings.Contains(strings.Join(warnings, "\n"), "--allow-ref-files") {
		t.Errorf("warnings = %q", warnings)
	}
}

func TestRun_ExplicitSpecURL(t *testing.T) {
	app := djangoLike()
	srv := httptest.NewServer(app)
	defer srv.Close()
	res, err := Run(context.Background(), newClient(t, srv.URL), mustURL(srv.URL+"/"), Options{Spec: srv.URL + "/openapi.json"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Inventory.SpecURL != srv.URL+"/openapi.json" || res.Inventory.Len() < 3 {
		t.Errorf("spec %q ops %v", res.Inventory.SpecURL, opKeys(res.Inventory))
	}
}

func TestRun_ExplicitSpecErrors(t *testing.T) {
	app := djangoLike()
	srv := httptest.NewServer(app)
	defer srv.Close()
	notSpec := filepath.Join(t.TempDir(), "notes.json")
	if err := os.WriteFile(notSpec, []byte(`{"hello":"world"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, spec := range map[string]string{
		"missing file":   filepath.Join(t.TempDir(), "nope.yaml"),
		"not a spec":     notSpec,
		"off-host URL":   "http://127.0.0.2:9/openapi.json",
		"404 on target":  srv.URL + "/nope.json",
		"directory":      t.TempDir(),
		"html on target": srv.URL + "/accounts/logout/x",
	} {
		_, err := Run(context.Background(), newClient(t, srv.URL), mustURL(srv.URL+"/"), Options{Spec: spec})
		if !errors.Is(err, ErrSpec) {
			t.Errorf("%s: err = %v, want ErrSpec", name, err)
		}
	}
}

func TestRun_BrokenDiscoveredSpecIsAWarning(t *testing.T) {
	app := newRecorder()
	app.json("/{$}", 200, `{}`)
	app.json("/openapi.json", 200, `{"openapi":"3.0.3","info":{"title":"x","version":"1"},"paths":{"/a":{"get":{"parameters":[{"$ref":"#/nope"}],"responses":{"200":{"description":"ok"}}}}}}`)
	var warnings []string
	res, _ := runDiscovery(t, app, "/", Options{Warn: func(s string) { warnings = append(warnings, s) }})
	if _, ok := findOp(res.Inventory, "GET", "/a"); !ok {
		t.Errorf("ops = %v", opKeys(res.Inventory))
	}
	if len(warnings) == 0 {
		t.Error("no warning for the broken $ref")
	}
}

func TestRun_ContextCancelled(t *testing.T) {
	app := djangoLike()
	srv := httptest.NewServer(app)
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Run(ctx, newClient(t, srv.URL), mustURL(srv.URL+"/"), Options{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
}

// Spec operations never went through the crawler's filter, so the scan's
// baseline requested GET /api/logout and GET /api/users/1/delete. They are
// marked StateChanging for the scan to skip.
func TestRun_SpecStateChangingOperationsAreMarked(t *testing.T) {
	app := newRecorder()
	app.json("/openapi.json", 200, `{"openapi":"3.0.0","info":{"title":"t","version":"1"},"paths":{
	  "/api/logout":{"get":{"responses":{"200":{"description":"ok"}}}},
	  "/api/session":{"get":{"operationId":"endSession","responses":{"200":{"description":"ok"}}}},
	  "/api/users/{id}/delete":{"get":{"parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"integer"}}],"responses":{"200":{"description":"ok"}}}},
	  "/api/users/{id}":{"get":{"parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"integer"}}],"responses":{"200":{"description":"ok"}}},
	                      "delete":{"responses":{"204":{"description":"gone"}}}},
	  "/api/jobs":{"get":{"parameters":[{"name":"action","in":"query","required":true,"schema":{"type":"string","example":"purge"}}],"responses":{"200":{"description":"ok"}}}}
	}}`)
	app.json("/{$}", 200, `{"ok":true}`)
	res, _ := runDiscovery(t, app, "/", Options{MaxCrawl: -1})
	want := map[string]bool{
		"GET /api/logout":            true,
		"GET /api/session":           true, // operationId endSession
		"GET /api/users/{id}/delete": true,
		"GET /api/jobs":              true, // ?action=purge
		"GET /api/users/{id}":        false,
		"DELETE /api/users/{id}":     false, // the method policy covers it
		"GET /":                      false,
	}
	got := map[string]bool{}
	for _, op := range res.Inventory.Operations() {
		got[op.Key()] = op.StateChanging
	}
	for k, w := range want {
		if g, ok := got[k]; !ok || g != w {
			t.Errorf("%s: StateChanging = %v (present %v), want %v", k, g, ok, w)
		}
	}
	if app.hit("GET /api/logout") || app.hit("GET /api/users/1/delete") {
		t.Errorf("discovery requested a state-changing operation: %q", app.requested())
	}
}
