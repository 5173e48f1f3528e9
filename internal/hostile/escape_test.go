package hostile

import (
	"bytes"
	"encoding/json"
	"net"
	"strings"
	"testing"

	"github.com/parapet-scanner/parapet/internal/scan"
)

// hostileHeaders carry raw C1 bytes (invalid UTF-8, 0x9b is a CSI on some
// terminals), C1 runes, HTML, bidi overrides and line separators in every
// header a check reads: server banners, cookies (names and values), CORS, a
// custom header. C0 controls (ESC, BEL) are left out: Go's HTTP client
// rejects a response whose header carries them (see
// TestHostile_ControlBytesInHeadersAreASafeError).
func hostileHeaders() []string {
	h := "<script>alert(1)</script>\u202e\u009b31m\u2028\x9b"
	e := "\x9b]0;PWNED-TITLE\x9c\x9b31mRED\u009b0m\u202e\u2066"
	return []string{
		"Server: nginx/1.0" + h + e,
		"X-Powered-By: Express" + h,
		"X-AspNet-Version: 4.0" + e,
		"Set-Cookie: sess" + h + "=val" + e + "; Path=/",
		"Set-Cookie: sessionid=abc" + h,
		"Set-Cookie: token=" + e + "; Path=/; SameSite=None",
		"X-Debug: " + h + e,
		"Access-Control-Allow-Origin: *" + h,
		"Access-Control-Allow-Credentials: true",
		"Location: /" + e,
	}
}

func TestHostile_EscapeSequencesNeverReachTheTextReport(t *testing.T) {
	e := hostileText
	srv := newRawServer(t, func(c net.Conn, r rawRequest, done <-chan struct{}) {
		switch {
		case r.Path == "/" || strings.HasPrefix(r.Path, "/?"):
			body, _ := json.Marshal(map[string]any{
				"key" + e: "value" + e,
				"error":   "Traceback (most recent call last):\n  File \"/app/x.py\", line 1, in <module>\n" + e + "\nValueError: " + e,
				"aws":     "AKIAIOSFODNN7EXAMPLE", "password": "hunter2" + e,
				"links":  []string{"/err", "/api/items" + e, "/html"},
				"nested": map[string]any{"\u202euser" + e: []any{e, 1, map[string]string{e: e}}},
			})
			// raw bytes that JSON escaping would hide
			body = append(body[:len(body)-1], []byte(`,"raw":"\u001b]0;T\u0007 `+"\x9b31m \x1b[5m"+`"}`)...)
			respond(c, "200 OK", "application/json", hostileHeaders(), body)
		case strings.HasPrefix(r.Path, "/html"):
			respond(c, "200 OK", "text/html", hostileHeaders(), []byte(`<html><head><title>`+e+`</title>
<script>document.write("`+e+`")</script></head><body><a href="/err?x=`+e+`">`+e+`</a>
<form method="get" action="/search`+e+`"><input name="q`+e+`" value="`+e+`"></form></body></html>`))
		default:
			respond(c, "500 Internal Server Error", "text/html", hostileHeaders(), []byte(`<html><title>Django`+e+`</title><body>
<h1>ProgrammingError at /x`+e+`</h1>Traceback (most recent call last):
  File "/usr/lib/python3/django/core/handlers/exception.py", line 55, in inner`+e+`
psycopg2.errors.UndefinedTable: relation "x`+e+`" does not exist
<table><tr><td>Django Version:</td><td>4.2`+e+`</td></tr></table>
You're seeing this error because you have <code>DEBUG = True</code> in your Django settings file.`+e+`
java.lang.NullPointerException`+e+`
	at com.example.Foo.bar(Foo.java:12)
SECRET_KEY = 'django-insecure-abcdefghijklmnop`+e+`'</body></html>`))
		}
	})
	// Start at the JSON root, at the HTML page and at the stack-trace page,
	// so that each kind of page is analysed whatever the crawler follows.
	for _, start := range []string{"", "html", "err"} {
		t.Run("start=/"+start, func(t *testing.T) {
			rep, _ := runScan(t, srv.URL()+start, nil) // runScan asserts terminal safety and schema validity
			if len(rep.Findings) == 0 {
				t.Fatalf("no finding: the hostile text never reached a finding, so the test proves nothing (stats %+v)", rep.Stats)
			}
			// The payload did reach the report (escaped in JSON), so the
			// text writer really had hostile text to neutralise.
			var js bytes.Buffer
			if err := (jsonWriter{}).write(&js, rep); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(js.String(), "PWNED-TITLE") {
				t.Errorf("no finding carries the payload; the test proves nothing")
			}
			t.Logf("%d findings, stats %+v", len(rep.Findings), rep.Stats)
		})
	}
}

func TestHostile_EscapeSequencesInSpecNeverReachTheTextReport(t *testing.T) {
	e := hostileText
	srv := newRawServer(t, func(c net.Conn, r rawRequest, done <-chan struct{}) {
		if strings.HasPrefix(r.Path, "/openapi.json") {
			spec, _ := json.Marshal(map[string]any{
				"openapi": "3.0.0",
				"info":    map[string]any{"title": "T" + e, "version": "1" + e, "description": "<script>alert(1)</script>" + e},
				"paths": map[string]any{"/items" + e: map[string]any{"get": map[string]any{
					"summary": e, "operationId": e,
					"parameters": []any{map[string]any{"name": "q" + e, "in": "query", "required": true,
						"schema": map[string]any{"type": "string", "example": e}}},
					"responses": map[string]any{"200": map[string]any{"description": "ok"}}}}},
			})
			respond(c, "200 OK", "application/json", hostileHeaders(), spec)
			return
		}
		respond(c, "200 OK", "application/json", hostileHeaders(), []byte(`{"ok":true}`))
	})
	rep, _ := runScan(t, srv.URL(), nil)
	t.Logf("%d findings, stats %+v", len(rep.Findings), rep.Stats)
}

func TestHostile_DeeplyNestedJSONDoesNotCrash(t *testing.T) {
	const depth = 100000
	arrays := strings.Repeat("[", depth) + strings.Repeat("]", depth)
	objects := strings.Repeat(`{"a":`, depth) + "1" + strings.Repeat("}", depth)
	srv := newRawServer(t, func(c net.Conn, r rawRequest, done <-chan struct{}) {
		switch {
		case strings.HasPrefix(r.Path, "/openapi.json"):
			respond(c, "200 OK", "application/json", nil, []byte(`{"openapi":"3.0.0","info":`+objects+`}`))
		case strings.HasPrefix(r.Path, "/1"):
			respond(c, "200 OK", "application/json", nil, []byte(arrays))
		case r.Path == "/" || strings.HasPrefix(r.Path, "/?"):
			respond(c, "200 OK", "application/json", nil, []byte(`{"links":["/1","/2"],"deep":`+objects+`}`))
		case strings.HasPrefix(r.Path, "/2"):
			respond(c, "500 Internal Server Error", "application/json", nil, []byte(objects))
		default:
			respond(c, "404 Not Found", "application/json", nil, []byte(`{"error":"not found"}`))
		}
	})
	rep, _ := runScan(t, srv.URL(), func(c *scan.Config) {
		c.Budget.MaxBody = 1 << 20
		c.Budget.MaxRequests = 30
	})
	if rep.Stats.Requests == 0 {
		t.Fatal("no request sent")
	}
	t.Logf("stats %+v, warnings %q", rep.Stats, rep.Warnings)
}

func TestHostile_ControlBytesInHeadersAreASafeError(t *testing.T) {
	srv := newRawServer(t, func(c net.Conn, r rawRequest, done <-chan struct{}) {
		respond(c, "200 OK", "text/html", []string{"Server: nginx" + strings.NewReplacer("\r", "", "\n", "").Replace(hostileText)}, []byte("ok"))
	})
	rep, err := runScanRaw(t, scan.Config{Target: srv.URL(), Budget: smallBudget(), Runtime: scan.Runtime{Version: "test"}})
	if rep != nil {
		checkOutputs(t, rep)
	}
	if err != nil {
		// the CLI prints this message on the terminal
		assertTerminalSafe(t, []byte(err.Error()))
	}
}
