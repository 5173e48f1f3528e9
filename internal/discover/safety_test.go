package discover

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/parapet-scanner/parapet/internal/engine"
)

func TestLooksStateChanging(t *testing.T) {
	for raw, want := range map[string]bool{
		"/account/logout":                     true,
		"/accounts/logout/":                   true,
		"/auth/log-out":                       true,
		"/auth/sign_out":                      true,
		"/users/signOut":                      true,
		"/Logout.aspx":                        true,
		"/items/1/delete":                     true,
		"/items/1/deleteItem":                 true,
		"/api/v1/cart/remove?id=3":            true,
		"/newsletter?action=unsubscribe&id=3": true,
		"/admin/cache?purge=1":                true,
		"/session/revoke":                     true,
		"/orders/7/cancel":                    true,
		"/password/reset":                     true,
		"/db/drop":                            true,
		"/system/shutdown":                    true,
		"/users/3/deactivate":                 true,
		"/shut-down":                          true,
		"/jobs/9/kill":                        true,
		"/x?do=wipe":                          true,
		"/api/HTMLLogout":                     true,
		// ordinary links
		"/":                      false,
		"/api/items/1":           false,
		"/deleted-items":         false,
		"/dropdown/options":      false,
		"/removals/policy":       false,
		"/resets":                false,
		"/products?sort=price":   false,
		"/blog/how-to-log-in":    false,
		"/cancellation-policy":   false,
		"/api/skills?q=killer":   false,
		"/search?q=mug&page=2":   false,
		"/api/users/3/profile":   false,
		"/outbox/messages":       false,
		"/api/logs?since=signin": false,
	} {
		if got := LooksStateChanging(mustURL("http://127.0.0.1" + raw)); got != want {
			t.Errorf("LooksStateChanging(%q) = %v, want %v", raw, got, want)
		}
	}
}

func TestSplitWords(t *testing.T) {
	for in, want := range map[string][]string{
		"deleteItem":  {"delete", "item"},
		"log-out":     {"log", "out"},
		"HTMLLogout":  {"html", "logout"},
		"api_v2_Drop": {"api", "v", "drop"},
		"logout2":     {"logout"},
		"Logout1Now":  {"logout", "now"},
		"2fa-123":     {"fa"},
		"\xffdel\xfe": {"del"},
		"":            nil,
	} {
		got, ok := splitWords(in, 100)
		if !ok || !reflect.DeepEqual(got, want) {
			t.Errorf("splitWords(%q) = %q, %v, want %q", in, got, ok, want)
		}
	}
	if got, ok := splitWords("a-b-c-d", 3); ok || len(got) != 3 {
		t.Errorf("splitWords over its limit = %q, %v", got, ok)
	}
}

// The deny list used to look only at the first 256 bytes of a segment or
// query value, so a long prefix hid the word.
func TestLooksStateChanging_LongSegmentOrValueNotCutAt256(t *testing.T) {
	for _, raw := range []string{
		"/a/" + strings.Repeat("x", 260) + "-logout",
		"/a/" + strings.Repeat("word-", 300) + "delete",
		"/q?ids=" + strings.Repeat("1,", 200) + "delete",
		"/q?" + strings.Repeat("k", 300) + "Remove=1",
	} {
		if !LooksStateChanging(mustURL("http://127.0.0.1" + raw)) {
			t.Errorf("LooksStateChanging(%.40q…) = false", raw)
		}
	}
	if LooksStateChanging(mustURL("http://127.0.0.1/a/" + strings.Repeat("x", 5000))) {
		t.Error("a long harmless segment is state-changing")
	}
	// Past maxURLWords a URL is refused rather than examined.
	if !LooksStateChanging(mustURL("http://127.0.0.1/a/" + strings.Repeat("ab-", maxURLWords+1))) {
		t.Error("a URL with more words than maxURLWords is not state-changing")
	}
}

// A word followed (or preceded) by digits was not a whole word.
func TestLooksStateChanging_WordsWithDigits(t *testing.T) {
	for _, raw := range []string{"/logout1", "/api/v1/logout2", "/api/delete2/7", "/x/2logout", "/x?do=purge3"} {
		if !LooksStateChanging(mustURL("http://127.0.0.1" + raw)) {
			t.Errorf("LooksStateChanging(%q) = false", raw)
		}
	}
	for _, raw := range []string{"/api/v1/items", "/api/v2/users/1", "/s3/buckets", "/oauth2/authorize"} {
		if LooksStateChanging(mustURL("http://127.0.0.1" + raw)) {
			t.Errorf("LooksStateChanging(%q) = true", raw)
		}
	}
}

// Words the deny list lacked.
func TestLooksStateChanging_MissingVerbs(t *testing.T) {
	for _, raw := range []string{
		"/session/end_session", "/oauth/endsession", "/connect/endSession", "/auth/signoff",
		"/api/items/1/del", "/cart/clear", "/api/cache/flush", "/api/tokens/invalidate",
		"/api/sessions/1/expire", "/admin/users/1/ban", "/api/items/1/archive", "/api/account/close",
		"/jobs/3/terminate", "/subscription/unsubscribe.php", "/api/files/1/unlink",
		"/api/volumes/1/detach", "/api/deploys/9/rollback", "/api/rm/1", "/api/x?cmd=rm+-rf",
		"/session/log%6fut", "/account/deactivateAll", "/api/purgeCache", "/api/DELETE", "/api/x/wipeAll",
		"/devices/1/reboot", "/api/users/1/unregister",
	} {
		if !LooksStateChanging(mustURL("http://127.0.0.1" + raw)) {
			t.Errorf("LooksStateChanging(%q) = false", raw)
		}
	}
	// Longer words that contain them are ordinary.
	for _, raw := range []string{
		"/closed-tickets", "/archives", "/api/banners", "/delivery", "/clearance-sale", "/flushed",
		"/expired-offers", "/api/items?sort=closest", "/terminal/settings", "/ledger", "/api/firmware",
	} {
		if LooksStateChanging(mustURL("http://127.0.0.1" + raw)) {
			t.Errorf("LooksStateChanging(%q) = true", raw)
		}
	}
}

func TestNamesStateChange(t *testing.T) {
	for name, want := range map[string]bool{
		"logoutUser": true, "users_delete": true, "revokeToken": true, "/api/users/{id}/delete": true,
		"getUser": false, "listDeletedItems": false, "users_read": false, "": false,
	} {
		if got := NamesStateChange(name); got != want {
			t.Errorf("NamesStateChange(%q) = %v", name, got)
		}
	}
}

func TestIsStaticAsset(t *testing.T) {
	for raw, want := range map[string]bool{
		"/static/app.js": true, "/a/b.CSS": true, "/logo.svg": true, "/f.woff2": true, "/x.map": true, "/r.pdf": true, "/a.zip": true,
		"/api/items": false, "/openapi.json": false, "/feed.xml": false, "/index.html": false,
	} {
		if got := isStaticAsset(mustURL("http://127.0.0.1" + raw)); got != want {
			t.Errorf("isStaticAsset(%q) = %v", raw, got)
		}
	}
}

func TestCrawlKey(t *testing.T) {
	same := [][2]string{
		{"http://127.0.0.1/items/1", "http://127.0.0.1/items/2"},
		{"http://127.0.0.1/items/1?page=2", "http://127.0.0.1/items/99"},
		{"http://127.0.0.1/u/550e8400-e29b-41d4-a716-446655440000/a", "http://127.0.0.1/u/6ba7b810-9dad-11d1-80b4-00c04fd430c8/a"},
		{"http://127.0.0.1/o/507f1f77bcf86cd799439011", "http://127.0.0.1/o/507f191e810c19729de860ea"},
		{"HTTP://127.0.0.1/x", "http://127.0.0.1/x"},
	}
	for _, p := range same {
		if crawlKey(p[0]) != crawlKey(p[1]) {
			t.Errorf("%s and %s should share a key", p[0], p[1])
		}
	}
	differ := [][2]string{
		{"http://127.0.0.1/items/1", "http://127.0.0.1/items/1/reviews"},
		{"http://127.0.0.1/items", "http://127.0.0.1/users"},
		{"http://127.0.0.1/v1/x", "http://127.0.0.1/v2/x"},
		{"http://127.0.0.1/decade", "http://127.0.0.1/facade"},
	}
	for _, p := range differ {
		if crawlKey(p[0]) == crawlKey(p[1]) {
			t.Errorf("%s and %s should differ", p[0], p[1])
		}
	}
}

func TestTemplateMatcher(t *testing.T) {
	m := newTemplateMatcher(nil)
	if m.match("GET", "/x") != -1 {
		t.Error("empty matcher matched")
	}
	m = newTemplateMatcher(opsFromPaths("GET /api/items/{id}", "GET /api/cart/", "POST /api/items/", "GET /a.b/{x}"))
	for _, tc := range []struct {
		method, path string
		want         int
	}{
		{"GET", "/api/items/7", 0},
		{"GET", "/api/items/7/reviews", -1},
		{"GET", "/api/cart/", 1},
		{"GET", "/api/cart", 1},
		{"GET", "/api/items/", -1},
		{"POST", "/api/items/", 2},
		{"GET", "/aXb/1", -1},
		{"GET", "/a.b/1", 3},
	} {
		if got := m.match(tc.method, tc.path); got != tc.want {
			t.Errorf("match(%s %s) = %d, want %d", tc.method, tc.path, got, tc.want)
		}
	}
}

func TestParseLinkHeader(t *testing.T) {
	got := parseLinkHeader(`</openapi.json>; rel="service-desc"; type="application/vnd.oai.openapi+json", <https://docs.example/>; rel="describedby service-doc", </next>;rel=next`)
	if len(got) != 3 || got[0].target != "/openapi.json" || !got[0].rel["service-desc"] || !got[1].rel["describedby"] || !got[2].rel["next"] {
		t.Errorf("parseLinkHeader = %+v", got)
	}
	if got := parseLinkHeader(`garbage <`); len(got) != 0 {
		t.Errorf("garbage parsed: %+v", got)
	}
}

func TestSpecLinks(t *testing.T) {
	ex := &engine.Exchange{URL: "http://127.0.0.1/docs/", Status: 200, Header: http.Header{"Content-Type": {"text/html"}}, Body: []byte(`
<html><head><link rel="service-desc" href="/api/openapi.yaml"><link rel="stylesheet" href="/s.css"></head>
<body><a href="../download/swagger.json">Download</a><a href="/about">About</a>
<redoc spec-url='/redoc/spec.json'></redoc>
<script>window.ui = SwaggerUIBundle({ urls: [{url: "/v1/openapi.json", name: "v1"}], url: "https://petstore.example/x.js" })</script>
</body></html>`)}
	var got []string
	for _, u := range specLinks(ex) {
		got = append(got, u.String())
	}
	want := []string{"http://127.0.0.1/api/openapi.yaml", "http://127.0.0.1/download/swagger.json", "http://127.0.0.1/v1/openapi.json", "http://127.0.0.1/redoc/spec.json"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("specLinks = %q, want %q", got, want)
	}
}

func TestJSONLinkValue(t *testing.T) {
	base := mustURL("http://127.0.0.1:8080/api/")
	for in, want := range map[string]string{
		"/api/items/1":                "http://127.0.0.1:8080/api/items/1",
		"http://127.0.0.1:8080/x?y=1": "http://127.0.0.1:8080/x?y=1",
		"https://other.example/z":     "https://other.example/z",
		"/orders{?page,size}":         "http://127.0.0.1:8080/orders",
		"/orders/{id}":                "",
		"//cdn.example/x":             "",
		"relative/path":               "",
		"/":                           "",
		"hello world":                 "",
		"/a b":                        "",
		"/^re+gex$/":                  "",
		"mailto:x@y.z":                "",
	} {
		got := ""
		if u := jsonLinkValue(base, in); u != nil {
			got = u.String()
		}
		if got != want {
			t.Errorf("jsonLinkValue(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEmbeddedSpec(t *testing.T) {
	js := []byte(`var options = {"swaggerDoc": {"openapi":"3.0.0","info":{"title":"a } b","version":"1"},"paths":{"/x":{"get":{"summary":"say \"}\""}}}}, "customOptions": {}};`)
	got := embeddedSpec(js)
	if got == nil || got[len(got)-1] != '}' || !looksLikeSpec(got) {
		t.Fatalf("embeddedSpec = %q", got)
	}
	if embeddedSpec([]byte(`"swaggerDoc": null`)) != nil || embeddedSpec([]byte(`"swaggerDoc": {"unterminated": 1`)) != nil {
		t.Error("bad input extracted")
	}
}

func TestDefaultValue(t *testing.T) {
	for _, tc := range []struct{ typ, format, name, want string }{
		{"integer", "", "id", "1"},
		{"string", "uuid", "id", defaultUUID},
		{"string", "", "slug", "parapet"},
		{"string", "", "userUuid", defaultUUID},
		{"", "", "item_id", "1"},
		{"", "", "name", "parapet"},
		{"boolean", "", "flag", "true"},
		{"string", "date", "d", "2024-01-01"},
	} {
		if got := defaultValue(tc.typ, tc.format, tc.name); got != tc.want {
			t.Errorf("defaultValue(%q, %q, %q) = %q, want %q", tc.typ, tc.format, tc.name, got, tc.want)
		}
	}
}
