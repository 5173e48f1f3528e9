package discover

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parapet-scanner/parapet/internal/inventory"
)

var testTarget = mustURL("http://127.0.0.1:8080/")

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func readSpec(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "specs", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// opsByKey parses a spec file and resolves it against testTarget.
func opsByKey(t *testing.T, spec *Spec, warn func(string)) map[string]inventory.Operation {
	t.Helper()
	out := map[string]inventory.Operation{}
	for _, op := range spec.Operations(testTarget, nil, warn) {
		out[op.Key()] = op
	}
	return out
}

func param(op inventory.Operation, in, name string) (inventory.Parameter, bool) {
	for _, p := range op.Parameters {
		if p.In == in && p.Name == name {
			return p, true
		}
	}
	return inventory.Parameter{}, false
}

func TestParseSpec_Swagger2(t *testing.T) {
	spec, err := ParseSpec(context.Background(), readSpec(t, "store-v2.json"))
	if err != nil {
		t.Fatal(err)
	}
	if spec.Version != "2.0" || spec.Title != "Store (Swagger 2.0)" {
		t.Errorf("version %q title %q", spec.Version, spec.Title)
	}
	var warnings []string
	ops := opsByKey(t, spec, func(s string) { warnings = append(warnings, s) })
	if len(ops) != 5 {
		t.Fatalf("got %d operations: %v", len(ops), ops)
	}
	list := ops["GET /v1/orders"]
	if list.OperationID != "listOrders" || !list.Secured || list.Source != inventory.SourceSpec || list.Tags[0] != "orders" {
		t.Errorf("listOrders = %+v", list)
	}
	if p, _ := param(list, "query", "status"); p.Example != "placed" || p.Type != "string" {
		t.Errorf("status param = %+v", p)
	}
	if p, _ := param(list, "query", "limit"); p.Example != "20" || !p.Required || p.Type != "integer" {
		t.Errorf("limit param = %+v", p)
	}
	// host is another host: the target's origin with basePath, and a warning.
	if list.URL != "http://127.0.0.1:8080/v1/orders?limit=20" {
		t.Errorf("URL = %q", list.URL)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "api.store.example") {
		t.Errorf("warnings = %q", warnings)
	}
	get := ops["GET /v1/orders/{orderId}"]
	if get.Secured {
		t.Error("security: [] on the operation must make it unsecured")
	}
	if get.URL != "http://127.0.0.1:8080/v1/orders/42" {
		t.Errorf("x-example not used: %q", get.URL)
	}
	if del := ops["DELETE /v1/orders/{orderId}"]; !del.Deprecated || !del.Secured {
		t.Errorf("deleteOrder = %+v", del)
	}
	create := ops["POST /v1/orders"]
	if _, ok := param(create, "body", "id"); ok {
		t.Error("readOnly property listed as a body parameter")
	}
	if p, _ := param(create, "body", "itemId"); !p.Required || p.Example != "7" || p.Type != "integer" {
		t.Errorf("itemId = %+v", p)
	}
	if p, _ := param(create, "body", "quantity"); p.Example != "1" {
		t.Errorf("quantity = %+v", p)
	}
	login := ops["POST /v1/login"]
	if p, ok := param(login, "body", "password"); !ok || p.Format != "password" {
		t.Errorf("formData password = %+v", login.Parameters)
	}
	schemes := map[string]inventory.AuthScheme{}
	for _, a := range spec.AuthSchemes {
		schemes[a.Name] = a
	}
	if a := schemes["api_key"]; a.Type != "apiKey" || a.In != "header" || a.Param != "X-API-Key" {
		t.Errorf("api_key = %+v", a)
	}
	if a := schemes["basicAuth"]; a.Type != "http" || a.Scheme != "basic" {
		t.Errorf("basicAuth = %+v", a)
	}
	if schemes["oauth"].Type != "oauth2" {
		t.Errorf("oauth = %+v", schemes["oauth"])
	}
}

func TestParseSpec_OpenAPI30(t *testing.T) {
	spec, err := ParseSpec(context.Background(), readSpec(t, "shop-v30.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if spec.Version != "3.0.3" {
		t.Errorf("version %q", spec.Version)
	}
	var warnings []string
	ops := opsByKey(t, spec, func(s string) { warnings = append(warnings, s) })
	list, ok := ops["GET /api/v2/items"]
	if !ok {
		t.Fatalf("server path not applied: %v", keys(ops))
	}
	if list.Secured {
		t.Error("an empty requirement {} makes auth optional")
	}
	if list.URL != "http://127.0.0.1:8080/api/v2/items?page=1" {
		t.Errorf("URL = %q", list.URL)
	}
	if p, _ := param(list, "query", "q"); p.Example != "mug" {
		t.Errorf("q = %+v", p)
	}
	if p, _ := param(list, "query", "locale"); p.Example != "en" {
		t.Errorf("$ref parameter locale = %+v", p)
	}
	create := ops["POST /api/v2/items"]
	if !create.Secured {
		t.Error("document-level security must apply")
	}
	title, _ := param(create, "body", "title")
	price, _ := param(create, "body", "price")
	if !title.Required || title.Example != "Enamel mug" || price.Type != "number" || !price.Required || price.Example != "12.5" {
		t.Errorf("allOf body params: %+v", create.Parameters)
	}
	if p, _ := param(create, "body", "tags"); p.Type != "array" {
		t.Errorf("tags = %+v", p)
	}
	get := ops["GET /api/v2/items/{itemId}"]
	if !get.Deprecated || get.URL != "http://127.0.0.1:8080/api/v2/items/"+defaultUUID {
		t.Errorf("getItem = %+v", get)
	}
	if _, ok := param(get, "header", "Accept"); ok {
		t.Error("Accept header parameter must be ignored (OpenAPI 3)")
	}
	if _, ok := param(get, "header", "X-Trace"); !ok {
		t.Error("X-Trace header parameter missing")
	}
	if p, _ := param(get, "cookie", "prefs"); p.Example != "dark" {
		t.Errorf("cookie param = %+v", p)
	}
	if p, _ := param(get, "path", "itemId"); p.Format != "uuid" || !p.Required {
		t.Errorf("path-level param = %+v", p)
	}
	if avatar, ok := ops["GET /media/users/{userId}/avatar"]; !ok || avatar.URL != "http://127.0.0.1:8080/media/users/1/avatar" {
		t.Errorf("operation-level server: %v", keys(ops))
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "shop.example.com") {
		t.Errorf("warnings = %q", warnings)
	}
	var bearer inventory.AuthScheme
	for _, a := range spec.AuthSchemes {
		if a.Name == "bearerAuth" {
			bearer = a
		}
	}
	if bearer.Type != "http" || bearer.Scheme != "bearer" {
		t.Errorf("bearer = %+v", bearer)
	}
}

func TestParseSpec_OpenAPI31TypeArrayAndCircularRef(t *testing.T) {
	spec, err := ParseSpec(context.Background(), readSpec(t, "catalog-v31.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if spec.Version != "3.1.0" {
		t.Errorf("version %q", spec.Version)
	}
	for _, w := range spec.Warnings {
		if strings.Contains(w, "ircular") {
			t.Errorf("circular refs are normal, not a warning: %q", w)
		}
	}
	ops := opsByKey(t, spec, nil)
	get := ops["GET /catalog/categories/{slug}"]
	if p, _ := param(get, "path", "slug"); p.Type != "string" || p.Example != "kitchen" {
		t.Errorf("slug = %+v", p)
	}
	if p, _ := param(get, "query", "depth"); p.Type != "integer" {
		t.Errorf("type array [integer, null] = %+v", p)
	}
	if get.URL != "http://127.0.0.1:8080/catalog/categories/kitchen" {
		t.Errorf("URL = %q", get.URL)
	}
	create := ops["POST /catalog/categories"]
	if p, _ := param(create, "body", "name"); p.Type != "string" || p.Example != "Kitchen" {
		t.Errorf("name = %+v", p)
	}
	if _, ok := param(create, "body", "parent"); !ok {
		t.Errorf("circular property missing: %+v", create.Parameters)
	}
}

func TestParseSpec_CircularRefJSON(t *testing.T) {
	spec, err := ParseSpec(context.Background(), readSpec(t, "circular-v30.json"))
	if err != nil {
		t.Fatal(err)
	}
	ops := opsByKey(t, spec, nil)
	if len(ops) != 2 {
		t.Fatalf("ops = %v (warnings %q)", keys(ops), spec.Warnings)
	}
	if ops["GET /nodes/{id}"].URL != "http://127.0.0.1:8080/nodes/1" {
		t.Errorf("URL = %q", ops["GET /nodes/{id}"].URL)
	}
	if _, ok := param(ops["PUT /nodes/{id}"], "body", "next"); !ok {
		t.Errorf("body = %+v", ops["PUT /nodes/{id}"].Parameters)
	}
}

// A broken $ref costs only the part that holds it.
func TestParseSpec_BrokenPartsAreWarnings(t *testing.T) {
	spec, err := ParseSpec(context.Background(), readSpec(t, "broken-v30.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	ops := opsByKey(t, spec, nil)
	for _, k := range []string{"GET /ok", "GET /badparam/{id}", "POST /badbody", "GET /remote"} {
		if _, ok := ops[k]; !ok {
			t.Errorf("missing %s; have %v", k, keys(ops))
		}
	}
	if p, ok := param(ops["GET /badparam/{id}"], "path", "id"); !ok || p.Type != "integer" {
		t.Errorf("the good parameter beside a broken one was lost: %+v", ops["GET /badparam/{id}"].Parameters)
	}
	if len(spec.Warnings) == 0 {
		t.Fatal("no warnings for broken refs")
	}
	joined := strings.Join(spec.Warnings, "\n")
	for _, want := range []string{"#/components/parameters/Missing", "schemas.example.net"} {
		if !strings.Contains(joined, want) {
			t.Errorf("warnings do not mention %s: %q", want, spec.Warnings)
		}
	}
	if len(spec.Warnings) > maxSpecWarnings+1 {
		t.Errorf("too many warnings: %d", len(spec.Warnings))
	}
}

func TestParseSpec_LocalRefsStayInTheSpecDirectory(t *testing.T) {
	dir, err := filepath.Abs(filepath.Join("testdata", "specs", "split"))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	spec, err := parseSpec(context.Background(), data, specSource{dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	ops := opsByKey(t, spec, nil)
	thing := ops["POST /things"]
	if p, ok := param(thing, "body", "name"); !ok || p.Example != "widget" || !p.Required {
		t.Errorf("ref to schemas/thing.yaml not followed: %+v (warnings %q)", thing.Parameters, spec.Warnings)
	}
	if _, ok := param(ops["GET /escape"], "query", "secret"); ok {
		t.Error("a $ref outside the spec's directory was followed")
	}
	if !strings.Contains(strings.Join(spec.Warnings, "\n"), "--allow-ref-files") {
		t.Errorf("no warning about the refused ref: %q", spec.Warnings)
	}

	// With --allow-ref-files the file outside is read.
	spec, err = parseSpec(context.Background(), data, specSource{dir: dir, allowRefFiles: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := param(opsByKey(t, spec, nil)["GET /escape"], "query", "secret"); !ok {
		t.Errorf("--allow-ref-files did not allow the ref: %q", spec.Warnings)
	}
}

func TestParseSpec_FetchedSpecNeverReadsFiles(t *testing.T) {
	spec, err := ParseSpec(context.Background(), readSpec(t, filepath.Join("split", "openapi.yaml")))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := param(opsByKey(t, spec, nil)["POST /things"], "body", "name"); ok {
		t.Error("a spec without a directory read a local file")
	}
}

func TestParseSpec_NotASpec(t *testing.T) {
	for name, doc := range map[string]string{
		"json api":      `{"items":[1,2,3]}`,
		"html":          `<html><body>swagger</body></html>`,
		"yaml":          "a: 1\nb: [2]\n",
		"empty":         "",
		"scalar":        "openapi",
		"openapi array": `["openapi", "swagger"]`,
		"unknown major": `{"openapi": "9.0.0", "info": {"title": "x", "version": "1"}, "paths": {}}`,
	} {
		if _, err := ParseSpec(context.Background(), []byte(doc)); err == nil {
			t.Errorf("%s: parsed as a spec", name)
		}
	}
}

func TestParseSpec_TooLarge(t *testing.T) {
	big := make([]byte, MaxSpecBytes+1)
	if _, err := ParseSpec(context.Background(), big); err == nil {
		t.Fatal("an oversized document was parsed")
	}
}

func TestParseSpec_ZeroPathsIsASpec(t *testing.T) {
	spec, err := ParseSpec(context.Background(), []byte(`{"openapi":"3.0.0","info":{"title":"x","version":"1"},"paths":{}}`))
	if err != nil || spec.Len() != 0 {
		t.Fatalf("spec %v err %v", spec, err)
	}
}

func TestServerBasePath(t *testing.T) {
	spec := mustURL("http://127.0.0.1:8080/docs/openapi.json")
	for _, tc := range []struct {
		raw, path, other string
	}{
		{"", "/", ""},
		{"/", "/", ""},
		{"/api/v1", "/api/v1", ""},
		{"http://127.0.0.1:8080/api", "/api", ""},
		{"http://127.0.0.1/api", "/api", ""},
		{"http://127.0.0.1:9999/api", "/api", "127.0.0.1:9999"},
		{"https://api.example.com/v3", "/v3", "api.example.com"},
		{"v2", "/docs/v2", ""},
		{"://bad", "/", ""},
	} {
		p, other := serverBasePath(tc.raw, testTarget, spec)
		if p != tc.path || other != tc.other {
			t.Errorf("serverBasePath(%q) = %q, %q; want %q, %q", tc.raw, p, other, tc.path, tc.other)
		}
	}
}

func keys(m map[string]inventory.Operation) []string {
	return sortedKeys(m)
}

func TestParseSpec_AliasBombIsBounded(t *testing.T) {
	doc := `openapi: 3.0.3
info: {title: bomb, version: "1"}
x-a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
x-b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
x-c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
x-d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
x-e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
x-f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
x-g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
paths:
  /a:
    get:
      parameters:
        - name: q
          in: query
          schema: {type: array}
          example: *g
      responses: {"200": {description: ok}}
`
	done := make(chan struct{})
	go func() {
		defer close(done)
		spec, err := ParseSpec(context.Background(), []byte(doc))
		if err == nil {
			for _, op := range spec.Operations(testTarget, nil, nil) {
				for _, p := range op.Parameters {
					if len(p.Example) > maxExampleLen {
						t.Errorf("example of %d bytes", len(p.Example))
					}
				}
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("an alias bomb took more than 20s")
	}
}

func opsFromPaths(keys ...string) []inventory.Operation {
	var out []inventory.Operation
	for _, k := range keys {
		m, p, _ := strings.Cut(k, " ")
		out = append(out, inventory.Operation{Method: m, Path: p})
	}
	return out
}
