package exposure

import (
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/parapet-scanner/parapet/internal/check"
	"github.com/parapet-scanner/parapet/internal/finding"
)

var _ check.Check = (*Check)(nil)

// want is one finding a case expects.
type want struct {
	kind     string
	severity finding.Severity
	param    string // Location.Param, when it matters
	site     bool   // Location.In == site
}

func TestInspect_RecordedResponses(t *testing.T) {
	html, json, text := "text/html; charset=utf-8", "application/json", "text/plain; charset=utf-8"
	cases := []struct {
		name string
		ex   exchangeOpts
		want []want
	}{
		// Debug pages.
		{"django technical 500 with botocore error", exchangeOpts{status: 500, ct: html, file: "django-500.html", path: "/api/items/abc"},
			[]want{{KindDebugPage, finding.High, "django", true}, {KindInternalError, finding.Medium, "", false}}},
		{"django technical 500, plain-text variant with PostgreSQL error", exchangeOpts{status: 500, ct: text, file: "django-500.txt", path: "/api/orders/"},
			[]want{{KindDebugPage, finding.High, "django", true}, {KindInternalError, finding.Medium, "", false}}},
		{"django technical 404 lists URL patterns", exchangeOpts{status: 404, ct: html, file: "django-404.html", path: "/api/v2/orders/"},
			[]want{{KindDebugPage, finding.High, "django", true}}},
		{"werkzeug debugger with console", exchangeOpts{status: 500, ct: html, file: "werkzeug-debugger.html", server: "Werkzeug/2.3.7 Python/3.11.2"},
			[]want{{KindDebugPage, finding.High, "werkzeug", true}}},
		{"starlette debug page", exchangeOpts{status: 500, ct: html, file: "starlette-debug.html"},
			[]want{{KindDebugPage, finding.High, "starlette", true}}},
		{"express default handler in development", exchangeOpts{status: 500, ct: html, file: "express-dev.html"},
			[]want{{KindDebugPage, finding.Medium, "express", true}}},
		{"node stack in a JSON field", exchangeOpts{status: 500, ct: json, file: "node-stack.json"},
			[]want{{KindDebugPage, finding.Medium, "", false}}},
		{"spring whitelabel with trace", exchangeOpts{status: 500, ct: html, file: "spring-whitelabel-trace.html"},
			[]want{{KindDebugPage, finding.Medium, "spring", true}}},
		{"spring boot JSON error with trace", exchangeOpts{status: 500, ct: json, file: "spring-boot-trace.json"},
			[]want{{KindDebugPage, finding.Medium, "", false}}},
		{"php uncaught exception with PDO SQLSTATE", exchangeOpts{status: 500, ct: html, file: "php-fatal.html"},
			[]want{{KindDebugPage, finding.Medium, "php", true}, {KindInternalError, finding.Medium, "", false}}},
		{"php warning on a 200", exchangeOpts{status: 200, ct: html, file: "php-warning.html"},
			[]want{{KindDebugPage, finding.Low, "php", true}}},
		{"laravel APP_DEBUG JSON", exchangeOpts{status: 500, ct: json, file: "laravel-debug.json"},
			[]want{{KindDebugPage, finding.High, "laravel", true}}},
		{"whoops page", exchangeOpts{status: 500, ct: html, file: "whoops.html"},
			[]want{{KindDebugPage, finding.High, "whoops", true}}},
		{"rails development page", exchangeOpts{status: 500, ct: html, file: "rails-dev.html"},
			[]want{{KindDebugPage, finding.High, "rails", true}}},
		{"rails API development JSON", exchangeOpts{status: 404, ct: json, file: "rails-dev.json"},
			[]want{{KindDebugPage, finding.High, "rails", true}}},
		{"asp.net yellow screen with stack", exchangeOpts{status: 500, ct: html, file: "aspnet-ysod.html"},
			[]want{{KindDebugPage, finding.Medium, "aspnet", true}}},
		{"asp.net core developer exception page", exchangeOpts{status: 500, ct: html, file: "aspnetcore-dev.html"},
			[]want{{KindDebugPage, finding.High, "aspnet", true}}},
		{"python traceback in JSON", exchangeOpts{status: 500, ct: json, file: "python-traceback.json"},
			[]want{{KindDebugPage, finding.Medium, "", false}}},
		{"go panic as text", exchangeOpts{status: 500, ct: text, file: "go-panic.txt"},
			[]want{{KindDebugPage, finding.Medium, "", false}}},
		{".NET stack in problem details", exchangeOpts{status: 500, ct: "application/problem+json", file: "dotnet-stack.json"},
			[]want{{KindDebugPage, finding.Medium, "", false}}},
		{"ruby backtrace in JSON", exchangeOpts{status: 500, ct: json, file: "ruby-backtrace.json"},
			[]want{{KindDebugPage, finding.Medium, "", false}}},
		{"java stack as text", exchangeOpts{status: 500, ct: text, file: "java-stack.txt"},
			[]want{{KindDebugPage, finding.Medium, "", false}}},

		// Internal errors.
		{"mysql syntax error in a PHP page", exchangeOpts{status: 200, ct: html, file: "mysql-syntax.html", path: "/search.php?q=mug%27"},
			[]want{{KindInternalError, finding.Medium, "", false}, {KindDebugPage, finding.Low, "php", true}}},
		{"psycopg2 error in JSON", exchangeOpts{status: 500, ct: json, file: "psycopg2.json"},
			[]want{{KindInternalError, finding.Medium, "", false}}},
		{"sqlite3 error as text", exchangeOpts{status: 500, ct: text, file: "sqlite.txt"},
			[]want{{KindInternalError, finding.Medium, "", false}}},
		{"dynamodb JS SDK error", exchangeOpts{status: 400, ct: json, file: "dynamodb-js.json"},
			[]want{{KindInternalError, finding.Medium, "", false}}},
		{"mongodb duplicate key", exchangeOpts{status: 409, ct: json, file: "mongo-e11000.json"},
			[]want{{KindInternalError, finding.Medium, "", false}}},
		{"oracle error", exchangeOpts{status: 500, ct: html, file: "oracle.html"},
			[]want{{KindInternalError, finding.Medium, "", false}}},
		{"sql server error", exchangeOpts{status: 500, ct: json, file: "mssql.json"},
			[]want{{KindInternalError, finding.Medium, "", false}}},
		{"lab: DynamoDB error echoed in JSON", exchangeOpts{status: 500, ct: json, path: "/api/search/?q=mug&field=name",
			body: `{"error": "An error occurred (ValidationException) when calling the Scan operation: Invalid FilterExpression: Attribute name is a reserved keyword; reserved keyword: name"}`},
			[]want{{KindInternalError, finding.Medium, "", false}}},
		{"botocore parameter validation", exchangeOpts{status: 500, ct: json,
			body: `{"error":"Parameter validation failed:\nInvalid type for parameter Key.id.S, value: None, type: <class 'NoneType'>, valid types: <class 'str'>"}`},
			[]want{{KindInternalError, finding.Medium, "", false}}},
		{"dynamodb resource not found", exchangeOpts{status: 500, ct: json,
			body: `{"message":"ResourceNotFoundException: Requested resource not found: Table: orders not found"}`},
			[]want{{KindInternalError, finding.Medium, "", false}}},

		// Secrets.
		{"lab: config with AWS pair and Django secret key", exchangeOpts{ct: json, file: "config-lab.json", path: "/api/config/"},
			[]want{{KindSecret, finding.Critical, "", false}}},
		{"stripe live key", exchangeOpts{ct: json, body: `{"stripe":{"secret":"` + fakeStripeLive + `","publishable":"pk_live_51Hx9QpL8mW"}}`},
			[]want{{KindSecret, finding.Critical, "", false}}},
		{"github token", exchangeOpts{ct: json, body: `{"ci":{"token":"` + fakeGitHub + `"}}`},
			[]want{{KindSecret, finding.High, "", false}}},
		{"slack token and webhook", exchangeOpts{ct: json, body: `{"bot":"` + fakeSlackBot + `","hook":"` + strings.ReplaceAll(fakeSlackHook, "/", `\/`) + `"}`},
			[]want{{KindSecret, finding.High, "", false}}},
		{"private key in JSON", exchangeOpts{ct: json, body: `{"name":"deploy","key":"` + fakeOpenSSHKey + `"}`},
			[]want{{KindSecret, finding.Critical, "", false}}},
		{"google key in an API response", exchangeOpts{ct: json, body: `{"maps":{"key":"` + fakeGoogleKey + `"}}`},
			[]want{{KindSecret, finding.Medium, "", false}}},
		{"env file", exchangeOpts{ct: "application/octet-stream", file: "env-file.txt", path: "/.env"},
			[]want{{KindSecret, finding.High, "", false}}},
		{"stripe key in a JavaScript bundle", exchangeOpts{ct: "application/javascript", path: "/static/app.js",
			body: `var cfg={stripeKey:"` + fakeStripeLive + `",api:"/v1"};`},
			[]want{{KindSecret, finding.Critical, "", false}}},
		{"password member in JSON", exchangeOpts{ct: json, body: `{"smtp":{"host":"mail.internal","user":"billing","password":"Tr0ub4dor&3xq"}}`},
			[]want{{KindSecret, finding.High, "", false}}},
		{"database URL with password", exchangeOpts{ct: json, body: `{"database_url":"postgres://billing:Wq8zR2pL5tX@db.internal:5432/billing"}`},
			[]want{{KindSecret, finding.High, "", false}}},

		// Personal data.
		{"lab: users with card, SSN and emails", exchangeOpts{ct: json, file: "users-lab.json", path: "/api/users/"},
			[]want{{KindPersonalData, finding.High, "card-number", false}, {KindPersonalData, finding.High, "ssn", false},
				{KindPersonalData, finding.Low, "email", false}}},
		{"many emails", exchangeOpts{ct: json, body: `[{"email":"a.one@corp-mail.test"},{"email":"b.two@corp-mail.test"},{"email":"c.three@corp-mail.test"},{"email":"d.four@corp-mail.test"},{"email":"e.five@corp-mail.test"}]`},
			[]want{{KindPersonalData, finding.Medium, "email", false}}},
		{"formatted card under a neutral name", exchangeOpts{ct: json, body: `{"payment":{"number":"5271 8521 6940 1770","exp":"09/27"}}`},
			[]want{{KindPersonalData, finding.High, "card-number", false}}},
		{"card in XML", exchangeOpts{ct: "application/xml", body: `<?xml version="1.0"?><customer><name>Lee</name><cardNumber>371449635398431</cardNumber></customer>`},
			[]want{{KindPersonalData, finding.High, "card-number", false}}},
		{"SSN written as nine digits under its key", exchangeOpts{ct: json, body: `{"applicant":{"socialSecurityNumber":"432101234"}}`},
			[]want{{KindPersonalData, finding.High, "ssn", false}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ex := makeExchange(t, tc.ex)
			fs := inspect(t, testTarget(t), ex)
			assertFindings(t, fs, tc.want)
		})
	}
}

func assertFindings(t *testing.T, fs []finding.Finding, wants []want) {
	t.Helper()
	var got []string
	for _, f := range fs {
		got = append(got, f.Check+"("+string(f.Severity)+","+f.Location.Param+","+f.Location.In+")")
	}
	sort.Strings(got)
	if len(fs) != len(wants) {
		t.Fatalf("got %d findings %v, want %d", len(fs), got, len(wants))
	}
	for _, w := range wants {
		ok := false
		for _, f := range fs {
			if f.Check == w.kind && f.Severity == w.severity && (w.param == "" || f.Location.Param == w.param) &&
				(f.Location.In == finding.InSite) == w.site {
				ok = true
			}
		}
		if !ok {
			t.Errorf("missing %s severity %s param %q site %v; got %v", w.kind, w.severity, w.param, w.site, got)
		}
	}
}

// Responses that must yield nothing: ordinary, safe answers that look a
// little like the real thing.
func TestInspect_SafeResponsesYieldNothing(t *testing.T) {
	html, json, text := "text/html; charset=utf-8", "application/json", "text/plain; charset=utf-8"
	cases := []struct {
		name string
		ex   exchangeOpts
	}{
		{"plain JSON 500", exchangeOpts{status: 500, ct: json, body: `{"error":"Internal Server Error","request_id":"b1c2d3"}`}},
		{"flask production 500", exchangeOpts{status: 500, ct: html, body: "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n<p>The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.</p>\n"}},
		{"django production 404", exchangeOpts{status: 404, ct: html, body: "\n<!doctype html>\n<html lang=\"en\">\n<head>\n  <title>Not Found</title>\n</head>\n<body>\n  <h1>Not Found</h1><p>The requested resource was not found on this server.</p>\n</body>\n</html>\n"}},
		{"express 404", exchangeOpts{status: 404, ct: html, body: "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error</title>\n</head>\n<body>\n<pre>Cannot GET /parapet-x-404</pre>\n</body>\n</html>\n"}},
		{"express production 500", exchangeOpts{status: 500, ct: html, body: "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error</title>\n</head>\n<body>\n<pre>Internal Server Error</pre>\n</body>\n</html>\n"}},
		{"spring whitelabel without trace", exchangeOpts{status: 404, ct: html, file: "spring-whitelabel.html"}},
		{"asp.net runtime error with custom errors on", exchangeOpts{status: 500, ct: html, file: "aspnet-runtime-error.html"}},
		{"blog post quoting tracebacks", exchangeOpts{status: 200, ct: html, file: "blog-traceback.html", path: "/blog/flask-keyerror"}},
		{"login form with password field and a browser maps key", exchangeOpts{status: 200, ct: html, file: "login-form.html", path: "/login"}},
		{"openapi document with examples", exchangeOpts{status: 200, ct: json, file: "openapi-with-examples.json", path: "/openapi.json"}},
		{"prose with times and 'at'", exchangeOpts{ct: json, body: `{"message":"Maintenance at 10:30:45 UTC, again at 11:45:00; meet at room.3:1:2"}`}},
		{"log lines with 'at' and line numbers", exchangeOpts{ct: text, body: "2023-11-14 10:02:11 INFO started at port 8080\n2023-11-14 10:02:12 WARN retry at 10:02:13\n"}},
		{"AWS documentation example key", exchangeOpts{ct: json, body: `{"aws_access_key_id":"AKIAIOSFODNN7EXAMPLE","aws_secret_access_key":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}`}},
		{"placeholder tokens", exchangeOpts{ct: json, body: `{"github_token":"ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx","slack":"xoxb-your-token-here","password":"********","secret":"<your secret>","db_password":"${DB_PASSWORD}"}`}},
		{"password hash and settings", exchangeOpts{ct: json, body: `{"password_hash":"pbkdf2_sha256$600000$Xy12$abcDEF123=","password_min_length":12,"password_policy":"strong-8","secret_rotation_days":"90-days","has_password":true}`}},
		{"translation file", exchangeOpts{ct: json, body: `{"login":"Anmelden","password":"Passwort","forgot":"Passwort vergessen?","secret":"Geheimnis","password_label":"Password:"}`}},
		{"json schema", exchangeOpts{ct: json, body: `{"type":"object","properties":{"password":{"type":"string","minLength":8},"client_secret":{"type":"string"}}}`}},
		{"totp enrolment", exchangeOpts{ct: json, body: `{"secret":"JBSWY3DPEHPK3PXP7Q2Z","uri":"otpauth://totp/Shop:lee?secret=JBSWY3DPEHPK3PXP7Q2Z&issuer=Shop"}`}},
		{"documentation private key stub", exchangeOpts{ct: text, body: "Paste your key:\n-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----\n"}},
		{"masked user data", exchangeOpts{ct: json, body: `{"users":[{"email":"a***@example.test","card_last4":"1111","ssn_last4":"6789"},{"email":"g***@example.test"}]}`}},
		{"role mailboxes", exchangeOpts{ct: json, body: `{"support":"support@shop.test","sales":"sales@shop.test","noreply":"no-reply@shop.test","contact":"info@shop.test"}`}},
		{"ids, timestamps, phone numbers and decimals", exchangeOpts{ct: json, body: `{"id":4556737586899855,"order_id":"5271852169401770","created_ms":1700000000000,"ts":1700000000123456789,"phone":"+1 415 555 0132","ratio":0.4556737586899855,"reference":"4532015112830366","uuid":"4556737586899855-aa"}`}},
		{"SSN-shaped values without context or invalid", exchangeOpts{ct: json, body: `{"zip":"123-45-6789","ssn":"000-12-3456","tax_ssn":"666-12-3456","serial":"078-05-1120"}`}},
		{"emails in an HTML page", exchangeOpts{ct: html, body: `<html><body><a href="mailto:jane.doe@corp-mail.test">Jane</a> <a href="mailto:lee.park@corp-mail.test">Lee</a></body></html>`}},
		{"asset names with @", exchangeOpts{ct: json, body: `{"icons":["logo@2x.png","logo@3x.png"],"pkg":"left-pad@1.3.0"}`}},
		{"MongoDB named in prose", exchangeOpts{ct: json, body: `{"about":"We store carts in MongoDB and Redis; see ORA-12 and SQLSTATE docs"}`}},
		{"ResourceNotFoundException without DynamoDB context", exchangeOpts{status: 404, ct: json, body: `{"code":"ResourceNotFoundException","message":"Stream not found"}`}},
		{"SQL error text reflected from the query", exchangeOpts{status: 200, ct: json, path: "/api/search?q=You%20have%20an%20error%20in%20your%20SQL%20syntax",
			body: `{"query":"You have an error in your SQL syntax","results":[]}`}},
		{"SQL error text in a JavaScript bundle", exchangeOpts{ct: "application/javascript", path: "/static/app.js",
			body: `var msgs={sql:"You have an error in your SQL syntax",trace:"Traceback (most recent call last):"};`}},
		{"token reflected from the request", exchangeOpts{ct: json, reqHdr: http.Header{"Authorization": {"token " + fakeGitHub}},
			body: `{"headers":{"Authorization":"token ` + fakeGitHub + `"}}`}},
		{"single email answering an authenticated request", exchangeOpts{ct: json, reqHdr: http.Header{"Authorization": {"Bearer abcdefgh12345678"}},
			body: `{"id":3,"email":"lee.park@corp-mail.test"}`}},
		{"single email in a profile, no credentials sent", exchangeOpts{ct: json, path: "/api/profile/",
			body: `{"user_id":1,"display_name":"Ada","email":"ada@example.test","theme":"dark"}`}},
		{"emails echoed from the query", exchangeOpts{ct: json, path: "/api/invite?to=lee.park%40corp-mail.test",
			body: `{"invited":"lee.park@corp-mail.test","by":"ada@corp-mail.test"}`}},
		{"driver class names in a configuration dump", exchangeOpts{ct: json, path: "/actuator/env",
			body: `{"spring.datasource.driver-class-name":"com.mysql.cj.jdbc.Driver","legacy":"oracle.jdbc.OracleDriver","mssql":"com.microsoft.sqlserver.jdbc.SQLServerDriver","dynamo":"com.amazonaws.services.dynamodbv2.AmazonDynamoDBClient","mongo":"com.mongodb.MongoClientSettings"}`}},
		{"JSON parser error with a token", exchangeOpts{status: 400, ct: json, body: `{"error":"Unrecognized token 'abc': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')"}`}},
		{"binary body", exchangeOpts{ct: "image/png", body: "\x89PNG\r\n\x1a\n AKIA" + "Q3EGRZ7XK2M4NB5T Traceback (most recent call last)"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fs := inspect(t, testTarget(t), makeExchange(t, tc.ex))
			for _, f := range fs {
				t.Errorf("unexpected %s (%s): %s; details %v", f.Check, f.Severity, f.Title, f.Details)
			}
		})
	}
}

// Regression tests named after what they guard.

func TestDebugPage_PlainJSON500IsNotDebug(t *testing.T) {
	fs := inspect(t, testTarget(t), makeExchange(t, exchangeOpts{status: 500, ct: "application/json",
		body: `{"error":"internal","status":500,"path":"/api/items/5","timestamp":"2023-11-14T10:02:11Z"}`}))
	if len(fs) != 0 {
		t.Fatalf("got %v", fs)
	}
}

func TestDebugPage_DjangoTechnical404IsHighSiteWide(t *testing.T) {
	tgt := testTarget(t)
	fs := inspect(t, tgt, makeExchange(t, exchangeOpts{status: 404, ct: "text/html", file: "django-404.html",
		path: "/parapet-pptest0token-404", checkID: ID}))
	if len(fs) != 1 {
		t.Fatalf("got %d findings", len(fs))
	}
	f := fs[0]
	if f.Severity != finding.High || f.Location.In != finding.InSite || f.Location.Path != "/" || f.Location.Method != "" {
		t.Errorf("location/severity: %+v %s", f.Location, f.Severity)
	}
	if f.CWE != "CWE-489" || f.Confidence != finding.Confirmed || f.Details["stack"] != "django" {
		t.Errorf("cwe %s confidence %s details %v", f.CWE, f.Confidence, f.Details)
	}
}

func TestDebugPage_SameSiteFindingFromEveryPage(t *testing.T) {
	tgt := testTarget(t)
	a := inspect(t, tgt, makeExchange(t, exchangeOpts{status: 404, ct: "text/html", file: "django-404.html", path: "/nope"}))
	b := inspect(t, tgt, makeExchange(t, exchangeOpts{status: 500, ct: "text/html", file: "django-500.html", path: "/api/items/abc"}))
	if len(a) == 0 || len(b) == 0 {
		t.Fatal("missing findings")
	}
	if byCheck(a)[KindDebugPage][0].ID != byCheck(b)[KindDebugPage][0].ID {
		t.Error("the Django debug mode finding should have one id for the whole site")
	}
}

func TestDebugPage_WerkzeugConsoleIsInteractive(t *testing.T) {
	fs := inspect(t, testTarget(t), makeExchange(t, exchangeOpts{status: 500, ct: "text/html", file: "werkzeug-debugger.html",
		server: "Werkzeug/2.3.7 Python/3.11.2"}))
	if len(fs) != 1 || fs[0].Details["interactive"] != true || fs[0].Details["version"] != "2.3.7" {
		t.Fatalf("got %+v", fs)
	}
	if !strings.Contains(fs[0].Description, "remote code execution") {
		t.Error("description should say the console runs code")
	}
}

func TestDebugPage_StackTraceOnOrdinaryPageIsTentative(t *testing.T) {
	// A JSON 200 carrying a traceback is still reported, with firm confidence.
	fs := inspect(t, testTarget(t), makeExchange(t, exchangeOpts{status: 200, ct: "application/json", file: "python-traceback.json"}))
	if len(fs) != 1 || fs[0].Confidence != finding.Firm {
		t.Fatalf("got %+v", fs)
	}
}

func TestInternalError_ProbeTriggeredIsConfirmed(t *testing.T) {
	tgt := testTarget(t)
	fs := inspect(t, tgt, makeExchange(t, exchangeOpts{status: 500, ct: "application/json", file: "psycopg2.json",
		path: "/api/items/5%27", checkID: ID}))
	if len(fs) != 1 {
		t.Fatalf("got %d", len(fs))
	}
	f := fs[0]
	if f.Confidence != finding.Confirmed || f.Details["triggered_by_probe"] != true || f.Location.Path != "/api/items/{id}" {
		t.Errorf("got %+v %v", f.Location, f.Details)
	}
	if f.Details["stack"] != "postgresql" || !strings.Contains(f.Remediation, "parameterised") {
		t.Errorf("details %v remediation %q", f.Details, f.Remediation)
	}
}

func TestInternalError_PathTemplateFromInventory(t *testing.T) {
	tgt := testTarget(t, inventoryOp("GET", "/api/items/{item_id}"))
	fs := inspect(t, tgt, makeExchange(t, exchangeOpts{status: 500, ct: "application/json", file: "dynamodb-js.json", path: "/api/items/abc%27"}))
	if len(fs) != 1 || fs[0].Location.Path != "/api/items/{item_id}" || fs[0].Location.In != finding.InResponseBody {
		t.Fatalf("got %+v", fs)
	}
	if fs[0].Details["stack"] != "dynamodb" || fs[0].Title != "DynamoDB error details in response" {
		t.Errorf("got %v %q", fs[0].Details, fs[0].Title)
	}
}

func TestInternalError_DjangoPageWithBotocoreIsBothKinds(t *testing.T) {
	fs := inspect(t, testTarget(t), makeExchange(t, exchangeOpts{status: 500, ct: "text/html", file: "django-500.html", path: "/api/items/abc"}))
	m := byCheck(fs)
	if len(m[KindDebugPage]) != 1 || len(m[KindInternalError]) != 1 {
		t.Fatalf("got %v", fs)
	}
	ie := m[KindInternalError][0]
	if ie.Details["operation"] != "GetItem" || ie.Details["client"] != "botocore" {
		t.Errorf("details %v", ie.Details)
	}
	if !strings.Contains(ie.Remediation, "DEBUG = False") {
		t.Errorf("remediation should be Django-specific: %q", ie.Remediation)
	}
}

func TestSecret_EvidenceIsMasked(t *testing.T) {
	cases := []struct {
		name, body, ct string
		raw            []string
	}{
		{"lab config", readTestdata(t, "config-lab.json"), "application/json",
			[]string{"AKIAPARAPETLAB7Q2XZ3", "pKq7Rb2Lx9Vn4Zt1Wm8Ys3Hd6Fg0Jc5EaTuNiOoB", "q7#r2!x9parapet-lab-shop-k3y"}},
		{"slack", `{"bot":"` + fakeSlackBot + `","hook":"` + fakeSlackHook + `"}`, "application/json",
			[]string{fakeSlackBot[5:], "Wc4RtN6vBz0KaE2sT7yU3iOq"}},
		{"google", `{"k":"` + fakeGoogleKey + `"}`, "application/json", []string{fakeGoogleKey[4:]}},
		{"private key", `{"key":"` + fakeOpenSSHKey + `"}`, "application/json", []string{"b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ"}},
		{"env", readTestdata(t, "env-file.txt"), "text/plain", []string{"Tr0ub4dor&3xq"}},
		{"json password", `{"password":"Tr0ub4dor&3xq"}`, "application/json", []string{"Tr0ub4dor&3xq"}},
		{"db url", `{"url":"mysql://app:Wq8zR2pL5tX@db:3306/app"}`, "application/json", []string{"Wq8zR2pL5tX"}},
		{"pii", readTestdata(t, "users-lab.json"), "application/json", []string{"4111111111111111", "123-45-6789", "ada@example.test", "grace@example.test"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fs := inspect(t, testTarget(t), makeExchange(t, exchangeOpts{ct: tc.ct, body: tc.body}))
			if len(fs) == 0 {
				t.Fatal("no finding")
			}
			for _, f := range fs {
				all := f.Title + f.Description + f.Reproduce + f.Location.URL
				for _, e := range f.Evidence {
					all += e.Request + e.Response + e.Note
				}
				for k, v := range f.Details {
					all += k + " " + toString(v)
				}
				for _, r := range tc.raw {
					if strings.Contains(all, r) {
						t.Errorf("%s shows %q", f.Check, r)
					}
				}
			}
		})
	}
}

func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []string:
		return strings.Join(x, " ")
	}
	return ""
}

func TestSecret_AWSKeyIDAloneIsMedium(t *testing.T) {
	fs := inspect(t, testTarget(t), makeExchange(t, exchangeOpts{ct: "application/json",
		body: `{"bucket":"invoices","uploader":"AKIA` + `Q3EGRZ7XK2M4NB5T"}`}))
	if len(fs) != 1 || fs[0].Severity != finding.Medium || fs[0].Title != "AWS access key ID exposed in response" {
		t.Fatalf("got %+v", fs)
	}
}

func TestSecret_GenericSecretToAuthenticatedCallerIsDowngraded(t *testing.T) {
	fs := inspect(t, testTarget(t), makeExchange(t, exchangeOpts{ct: "application/json",
		reqHdr: http.Header{"Authorization": {"Bearer abcdefgh12345678"}},
		body:   `{"client_id":"app-7","client_secret":"Zq8r2Lw5Tn7Yb1Xc4Vd9"}`}))
	if len(fs) != 1 || fs[0].Severity != finding.Medium || fs[0].Confidence != finding.Tentative {
		t.Fatalf("got %+v", fs)
	}
}

func TestPersonalData_MappingAndMasking(t *testing.T) {
	fs := inspect(t, testTarget(t), makeExchange(t, exchangeOpts{ct: "application/json", file: "users-lab.json", path: "/api/users/"}))
	for _, f := range fs {
		if f.OWASP != "API3:2023" || f.CWE != "CWE-359" {
			t.Errorf("%s: owasp %s cwe %s", f.Location.Param, f.OWASP, f.CWE)
		}
		if f.Location.Param == "card-number" {
			if f.Details["test_numbers"] != 1 || f.Compliance[0].Control != "3.4.1" {
				t.Errorf("card details %v compliance %v", f.Details, f.Compliance)
			}
			if !strings.Contains(f.Evidence[0].Response, "************1111") {
				t.Errorf("evidence should show the last four digits: %s", f.Evidence[0].Response)
			}
		}
		if f.Location.Param == "ssn" && !strings.Contains(f.Evidence[0].Response, "***-**-6789") {
			t.Errorf("ssn evidence: %s", f.Evidence[0].Response)
		}
	}
}

// Every finding is complete: the report contract's fields are filled.
func TestInspect_FindingsAreComplete(t *testing.T) {
	files := []struct{ file, ct string }{
		{"django-500.html", "text/html"}, {"werkzeug-debugger.html", "text/html"}, {"node-stack.json", "application/json"},
		{"config-lab.json", "application/json"}, {"users-lab.json", "application/json"}, {"psycopg2.json", "application/json"},
		{"php-fatal.html", "text/html"}, {"env-file.txt", "text/plain"},
	}
	for _, fl := range files {
		fs := inspect(t, testTarget(t), makeExchange(t, exchangeOpts{status: 500, ct: fl.ct, file: fl.file}))
		if len(fs) == 0 {
			t.Errorf("%s: no finding", fl.file)
		}
		for _, f := range fs {
			if f.Title == "" || f.Description == "" || f.Remediation == "" || f.CWE == "" || f.OWASP == "" ||
				f.Reproduce == "" || len(f.Evidence) == 0 || f.Evidence[0].Response == "" || f.Location.URL == "" ||
				f.Location.Path == "" || f.Location.In == "" || f.Category != finding.DataExposure || f.ID == "" {
				t.Errorf("%s: incomplete finding %+v", fl.file, f)
			}
			if !strings.HasPrefix(f.Check, ID+"/") {
				t.Errorf("check id %q", f.Check)
			}
			if strings.Contains(f.Title, "127.0.0.1") || strings.ContainsAny(f.Title, "<>\"") {
				t.Errorf("title carries target text: %q", f.Title)
			}
		}
	}
}

func TestKinds(t *testing.T) {
	c := New()
	if c.ID() != ID || c.Category() != finding.DataExposure {
		t.Fatal("id/category")
	}
	ids := map[string]bool{}
	for _, k := range c.Kinds() {
		if !strings.HasPrefix(k.ID, ID+"/") || k.Title == "" || k.Description == "" || ids[k.ID] {
			t.Errorf("bad kind %+v", k)
		}
		ids[k.ID] = true
	}
	for _, k := range []string{KindDebugPage, KindSecret, KindPersonalData, KindInternalError} {
		if !ids[k] {
			t.Errorf("kind %s not listed", k)
		}
	}
}

func TestSpec_LinkToOpenAPIIsNotASpec(t *testing.T) {
	fs := inspect(t, testTarget(t), makeExchange(t, exchangeOpts{status: 500, ct: "application/json",
		body: `{"docs":{"openapi":"/openapi.json"},"error":"boom","trace":"Traceback (most recent call last):\n  File \"/srv/api/app.py\", line 9, in handler\nValueError: boom\n"}`}))
	if len(fs) != 1 || fs[0].Check != KindDebugPage {
		t.Fatalf("got %v", fs)
	}
}

func TestSpec_YAMLDocumentIsSkipped(t *testing.T) {
	body := "openapi: 3.0.3\ninfo:\n  title: Shop\npaths:\n  /login:\n    post:\n      responses:\n        '500':\n          description: |\n            Traceback (most recent call last):\n              File \"/app/x.py\", line 1, in f\n              File \"/app/y.py\", line 2, in g\n"
	if fs := inspect(t, testTarget(t), makeExchange(t, exchangeOpts{ct: "application/yaml", body: body, path: "/openapi.yaml"})); len(fs) != 0 {
		t.Fatalf("got %v", fs)
	}
}

func TestEndpointPath(t *testing.T) {
	tgt := testTarget(t, inventoryOp("GET", "/api/items/{item_id}"), inventoryOp("GET", "/api/items/featured"),
		inventoryOp("GET", "/api/users/42"))
	cases := map[string]string{
		"/api/items/17":       "/api/items/{item_id}",
		"/api/items/featured": "/api/items/featured",
		"/api/users/42":       "/api/users/{id}",
		"/api/orders/9f1c2b3a4d5e6f708192a3b4c5d6e7f8/lines": "/api/orders/{id}/lines",
		"/api/orders/123e4567-e89b-12d3-a456-426614174000":   "/api/orders/{id}",
		"/v1/carts/77%27": "/v1/carts/{id}",
		"/v1/health":      "/v1/health",
	}
	for in, want := range cases {
		if got := endpointPath(tgt, in); got != want {
			t.Errorf("%s: got %s, want %s", in, got, want)
		}
	}
}
