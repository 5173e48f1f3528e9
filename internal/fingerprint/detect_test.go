package fingerprint

import (
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/parapet-scanner/parapet/internal/engine"
)

func readTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

type detectCase struct {
	name    string
	status  int
	headers map[string]string
	cookies []string // Set-Cookie values
	body    string
	// want maps a component to its expected version ("" = no version).
	want map[string]string
	// not lists components that must not be reported.
	not []string
}

func exchange(c detectCase) *engine.Exchange {
	h := http.Header{}
	for k, v := range c.headers {
		h.Set(k, v)
	}
	for _, ck := range c.cookies {
		h.Add("Set-Cookie", ck)
	}
	status := c.status
	if status == 0 {
		status = 200
	}
	return &engine.Exchange{Method: "GET", URL: "http://127.0.0.1/x", Status: status, Header: h, Body: []byte(c.body)}
}

func runDetectCases(t *testing.T, cases []detectCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := map[string]Tech{}
			for _, tech := range Detect(exchange(tc)) {
				if _, dup := got[tech.Name]; dup {
					t.Errorf("%s reported twice", tech.Name)
				}
				got[tech.Name] = tech
				if tech.Evidence == "" {
					t.Errorf("%s has no evidence", tech.Name)
				}
				if len(tech.Evidence) > maxEvidence+4 {
					t.Errorf("%s evidence too long: %q", tech.Name, tech.Evidence)
				}
			}
			for name, ver := range tc.want {
				tech, ok := got[name]
				if !ok {
					t.Errorf("missing %s; got %v", name, names(got))
					continue
				}
				if tech.Version != ver {
					t.Errorf("%s version = %q, want %q", name, tech.Version, ver)
				}
			}
			for _, name := range tc.not {
				if tech, ok := got[name]; ok {
					t.Errorf("unexpected %s (evidence %q)", name, tech.Evidence)
				}
			}
		})
	}
}

func names(m map[string]Tech) []string {
	out := make([]string, 0, len(m))
	for n := range m {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func TestDetect_Frameworks(t *testing.T) {
	runDetectCases(t, []detectCase{
		{
			name:    "django runserver with csrftoken",
			headers: map[string]string{"Server": "WSGIServer/0.2 CPython/3.11.2", "X-Frame-Options": "DENY", "Content-Type": "text/html; charset=utf-8"},
			cookies: []string{"csrftoken=Zq5H2nJ0aXm7VbQpWc3LkT8rYs1uEd4o9fGhIjKlMnOpQrStUvWxYz012345678; expires=Tue, 04 Mar 2025 10:00:00 GMT; Max-Age=31449600; Path=/; SameSite=Lax"},
			want:    map[string]string{Django: "", Python: "3.11.2"},
		},
		{
			name:    "django sessionid with django key shape",
			cookies: []string{"sessionid=k3j9x8w2q7v5m1n4b6c0z8y7t5r3e1a2; HttpOnly; Path=/; SameSite=Lax"},
			want:    map[string]string{Django: "", Python: ""},
		},
		{
			name:   "django technical 500 with dynamodb",
			status: 500,
			body:   readTestdata(t, "django-500-dynamodb.html"),
			want:   map[string]string{Django: "3.2.19", Python: "3.11.2", DynamoDB: ""},
			not:    []string{Flask, FastAPI, PostgreSQL, MySQL},
		},
		{
			name:   "django debug 404",
			status: 404,
			body:   readTestdata(t, "django-404-debug.html"),
			want:   map[string]string{Django: ""},
		},
		{
			name:   "django DisallowedHost production 400",
			status: 400,
			body:   "<!doctype html>\n<html lang=\"en\">\n<head>\n  <title>Bad Request (400)</title>\n</head>\n<body>\n  <h1>Bad Request (400)</h1><p></p>\n</body>\n</html>\n",
			want:   map[string]string{Django: ""},
		},
		{
			name:   "django DisallowedHost text debug",
			status: 400,
			body:   "DisallowedHost at /\nInvalid HTTP_HOST header: 'evil.example'. You may need to add 'evil.example' to ALLOWED_HOSTS.\n",
			want:   map[string]string{Django: ""},
		},
		{
			name: "django admin login",
			body: `<title>Log in | Django site admin</title><div id="site-name"><a href="/admin/">Django administration</a></div><input type="hidden" name="csrfmiddlewaretoken" value="x">`,
			want: map[string]string{Django: ""},
		},
		{
			name:   "django production 404",
			status: 404,
			body:   "\n<!doctype html>\n<html lang=\"en\">\n<head>\n  <title>Not Found</title>\n</head>\n<body>\n  <h1>Not Found</h1><p>The requested resource was not found on this server.</p>\n</body>\n</html>\n",
			want:   map[string]string{Django: ""},
		},
		{
			name:    "DRF 401 json",
			status:  401,
			headers: map[string]string{"Content-Type": "application/json", "WWW-Authenticate": `Token`},
			body:    `{"detail":"Authentication credentials were not provided."}`,
			want:    map[string]string{Django: ""},
			not:     []string{FastAPI},
		},
		{
			name:    "flask werkzeug dev server",
			headers: map[string]string{"Server": "Werkzeug/2.2.2 Python/3.11.2"},
			want:    map[string]string{Werkzeug: "2.2.2", Flask: "", Python: "3.11.2"},
			not:     []string{Django},
		},
		{
			name:    "flask session cookie",
			cookies: []string{"session=eyJ1c2VyX2lkIjoxfQ.ZeXx8A.3kJq9wLZ0nq7mB2p5RtYc1vUo8E; HttpOnly; Path=/"},
			want:    map[string]string{Flask: ""},
		},
		{
			name:    "flask compressed session cookie",
			cookies: []string{"session=.eJyrVkrLz1eyUkpKLFKqBQApHQTq.ZeXx8A.3kJq9wLZ0nq7mB2p5RtYc1vUo8E; HttpOnly; Path=/"},
			want:    map[string]string{Flask: ""},
		},
		{
			name:   "werkzeug 404 page",
			status: 404,
			body:   readTestdata(t, "werkzeug-404.html"),
			want:   map[string]string{Werkzeug: "", Flask: ""},
		},
		{
			name:   "werkzeug debugger",
			status: 500,
			body:   readTestdata(t, "werkzeug-debugger.html"),
			want:   map[string]string{Werkzeug: "", Flask: "", Python: ""},
		},
		{
			name:    "fastapi 404",
			status:  404,
			headers: map[string]string{"Server": "uvicorn", "Content-Type": "application/json"},
			body:    `{"detail":"Not Found"}`,
			want:    map[string]string{FastAPI: "", Uvicorn: "", Python: ""},
			not:     []string{Django},
		},
		{
			name:    "fastapi 422",
			status:  422,
			headers: map[string]string{"Content-Type": "application/json"},
			body:    `{"detail":[{"type":"int_parsing","loc":["path","item_id"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"abc","url":"https://errors.pydantic.dev/2.5/v/int_parsing"}]}`,
			want:    map[string]string{FastAPI: ""},
		},
		{
			name: "fastapi docs page",
			body: "\n    <!DOCTYPE html>\n    <html>\n    <head>\n    <link type=\"text/css\" rel=\"stylesheet\" href=\"https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css\">\n    <link rel=\"shortcut icon\" href=\"https://fastapi.tiangolo.com/img/favicon.png\">\n    <title>FastAPI - Swagger UI</title>\n    </head>",
			want: map[string]string{FastAPI: ""},
		},
		{
			name:    "express powered-by and connect.sid",
			headers: map[string]string{"X-Powered-By": "Express"},
			cookies: []string{"connect.sid=s%3AaB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW.xYz0123456789abcdefghijklmnopqrstuvwxyzABC; Path=/; HttpOnly"},
			want:    map[string]string{Express: "", Node: ""},
		},
		{
			name:    "express Cannot GET",
			status:  404,
			headers: map[string]string{"Content-Security-Policy": "default-src 'none'", "X-Content-Type-Options": "nosniff"},
			body:    readTestdata(t, "express-404.html"),
			want:    map[string]string{Express: "", Node: ""},
		},
		{
			name:   "express stack trace with mongodb",
			status: 500,
			body:   readTestdata(t, "express-stack.html"),
			want:   map[string]string{Express: "", Node: "", MongoDB: ""},
		},
		{
			name:    "rails headers and cookie",
			headers: map[string]string{"X-Runtime": "0.004211", "X-Request-Id": "0e5a1c1e-7b41-4c3e-a2a5-9f8c6f0f1e2d"},
			cookies: []string{"_shop_session=aGVsbG8gd29ybGQ%3D--0123456789abcdef0123456789abcdef01234567; path=/; HttpOnly; SameSite=Lax"},
			want:    map[string]string{Rails: "", Ruby: ""},
		},
		{
			name:   "rails public 404",
			status: 404,
			body:   readTestdata(t, "rails-404.html"),
			want:   map[string]string{Rails: ""},
		},
		{
			name:    "rails api routing error json",
			status:  404,
			headers: map[string]string{"Content-Type": "application/json; charset=utf-8"},
			body:    `{"status":404,"error":"Not Found","exception":"#\u003cActionController::RoutingError: No route matches [GET] \"/x\"\u003e","traces":{}}`,
			want:    map[string]string{Rails: ""},
			not:     []string{Spring},
		},
		{
			name:    "webrick server",
			headers: map[string]string{"Server": "WEBrick/1.7.0 (Ruby/3.1.2/2022-04-12)"},
			want:    map[string]string{WEBrick: "1.7.0", Ruby: "3.1.2"},
		},
		{
			name:    "php powered-by and PHPSESSID",
			headers: map[string]string{"X-Powered-By": "PHP/8.2.7", "Server": "Apache/2.4.57 (Debian)"},
			cookies: []string{"PHPSESSID=9h2k4l6m8n0p2q4r6s8t0u2v4w; path=/"},
			want:    map[string]string{PHP: "8.2.7", Apache: "2.4.57"},
		},
		{
			name: "laravel cookies",
			cookies: []string{
				"XSRF-TOKEN=eyJpdiI6IkZ2b1RqZ2xXQ1E9PSIsInZhbHVlIjoiYWJjIiwibWFjIjoiZGVmIiwidGFnIjoiIn0%3D; expires=Tue, 05 Mar 2024 12:00:00 GMT; Max-Age=7200; path=/; samesite=lax",
				"laravel_session=eyJpdiI6IkZ2b1RqZ2xXQ1E9PSIsInZhbHVlIjoiYWJjIiwibWFjIjoiZGVmIiwidGFnIjoiIn0%3D; expires=Tue, 05 Mar 2024 12:00:00 GMT; Max-Age=7200; path=/; httponly; samesite=lax",
			},
			want: map[string]string{Laravel: "", PHP: ""},
		},
		{
			name:    "laravel renamed session cookie",
			cookies: []string{"shop_api_session=eyJpdiI6IkZ2b1RqZ2xXQ1E9PSIsInZhbHVlIjoiYWJjIiwibWFjIjoiZGVmIiwidGFnIjoiIn0%3D; path=/; httponly"},
			want:    map[string]string{Laravel: ""},
			not:     []string{Rails},
		},
		{
			name:    "laravel debug json with mysql",
			status:  500,
			headers: map[string]string{"Content-Type": "application/json"},
			body:    readTestdata(t, "laravel-debug.json"),
			want:    map[string]string{Laravel: "", PHP: "", MySQL: ""},
		},
		{
			name: "php warning on a 200",
			body: readTestdata(t, "php-warning.html"),
			want: map[string]string{PHP: ""},
		},
		{
			name: "php warning as text",
			body: "\nWarning: Undefined variable $user in /var/www/html/api/items.php on line 12\n{\"items\":[]}",
			want: map[string]string{PHP: ""},
		},
		{
			name:   "spring whitelabel",
			status: 404,
			body:   readTestdata(t, "spring-whitelabel.html"),
			want:   map[string]string{Spring: "", Java: ""},
		},
		{
			name:    "spring json 404",
			status:  404,
			headers: map[string]string{"Content-Type": "application/json"},
			body:    `{"timestamp":"2024-03-05T10:14:22.123+00:00","status":404,"error":"Not Found","path":"/parapet-fingerprint-404"}`,
			want:    map[string]string{Spring: "", Java: ""},
		},
		{
			name:    "jsessionid is java",
			cookies: []string{"JSESSIONID=8E2F6C1B0A9D4E7F3C5B2A1D0E9F8C7B; Path=/; HttpOnly"},
			want:    map[string]string{Java: ""},
			not:     []string{Spring},
		},
		{
			name:   "tomcat 404",
			status: 404,
			body:   readTestdata(t, "tomcat-404.html"),
			want:   map[string]string{Tomcat: "9.0.65", Java: ""},
		},
		{
			name:    "jetty server header",
			headers: map[string]string{"Server": "Jetty(9.4.44.v20210927)"},
			want:    map[string]string{Jetty: "9.4.44.v20210927", Java: ""},
		},
		{
			name:    "aspnet classic headers",
			headers: map[string]string{"Server": "Microsoft-IIS/10.0", "X-AspNet-Version": "4.0.30319", "X-Powered-By": "ASP.NET"},
			cookies: []string{"ASP.NET_SessionId=zq1xw2ec3rv4tb5yn6um7i8o; path=/; HttpOnly; SameSite=Lax"},
			want:    map[string]string{ASPNet: "4.0.30319", IIS: "10.0"},
		},
		{
			name:    "aspnet core kestrel and cookies",
			headers: map[string]string{"Server": "Kestrel"},
			cookies: []string{".AspNetCore.Antiforgery.9fXoN5jHCXs=CfDJ8Abc; path=/; samesite=strict; httponly"},
			want:    map[string]string{ASPNet: ""},
		},
		{
			name:   "aspnet yellow screen",
			status: 500,
			body:   readTestdata(t, "aspnet-ysod.html"),
			want:   map[string]string{ASPNet: "4.8.4330.0"},
		},
		{
			name:    "aspnet core problem details",
			status:  400,
			headers: map[string]string{"Content-Type": "application/problem+json; charset=utf-8"},
			body:    `{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"One or more validation errors occurred.","status":400,"errors":{"id":["The value 'abc' is not valid."]},"traceId":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"}`,
			want:    map[string]string{ASPNet: ""},
		},
		{
			name:    "nginx version",
			headers: map[string]string{"Server": "nginx/1.25.3"},
			want:    map[string]string{Nginx: "1.25.3"},
		},
	})
}

func TestDetect_DataStores(t *testing.T) {
	runDetectCases(t, []detectCase{
		{name: "dynamodb botocore text", status: 500, body: "botocore.exceptions.ClientError: An error occurred (ResourceNotFoundException) when calling the PutItem operation: Requested resource not found", want: map[string]string{DynamoDB: ""}},
		{name: "dynamodb java sdk v1", status: 500, body: "com.amazonaws.services.dynamodbv2.model.AmazonDynamoDBException: The provided key element does not match the schema (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ValidationException)", want: map[string]string{DynamoDB: "", Java: ""}},
		{name: "dynamodb json error type", status: 500, body: `{"error":{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"}}`, want: map[string]string{DynamoDB: ""}},
		{name: "dynamodb validation wording", status: 500, body: `{"error":"ValidationException: One or more parameter values were invalid: An AttributeValue may not contain an empty string"}`, want: map[string]string{DynamoDB: ""}},
		{name: "dynamodb expression", status: 500, body: `ValidationException: Invalid KeyConditionExpression: Attribute name is a reserved keyword; reserved keyword: name`, want: map[string]string{DynamoDB: ""}},
		{name: "dynamodb js sdk stack", status: 500, body: "ResourceNotFoundException: Requested resource not found\n    at throwDefaultError (/app/node_modules/@aws-sdk/client-dynamodb/node_modules/@smithy/smithy-client/dist-cjs/index.js:838:20)", want: map[string]string{DynamoDB: "", Node: ""}},
		{name: "dynamodb config key", headers: map[string]string{"Content-Type": "application/json"}, body: `{"service": "shop", "region": "us-east-1", "debug": true, "dynamodb_endpoint": "http://127.0.0.1:8712", "table_prefix": "shop_"}`, want: map[string]string{DynamoDB: ""}},
		{name: "dynamodb django setting", status: 500, body: `<tr><td>DYNAMODB_TABLE</td><td class="code"><pre>&#x27;shop_profiles&#x27;</pre></td></tr>`, want: map[string]string{DynamoDB: ""}},
		{name: "dynamodb endpoint host", status: 500, body: `Could not connect to the endpoint URL: "https://dynamodb.eu-west-1.amazonaws.com/"`, want: map[string]string{DynamoDB: ""}},
		{name: "connection urls", body: `{"DATABASE_URL":"postgres://shop:hunter2@db:5432/shop","CACHE":"redis://cache:6379/0","EVENTS":"mongodb+srv://cluster0.example.net/app"}`, want: map[string]string{PostgreSQL: "", Redis: "", MongoDB: ""}},
		{name: "postgres psycopg2", status: 500, body: `psycopg2.errors.UndefinedTable: relation "itemz" does not exist\nLINE 1: SELECT * FROM itemz`, want: map[string]string{PostgreSQL: "", Python: ""}},
		{name: "postgres ruby pg", status: 500, body: `PG::SyntaxError: ERROR:  syntax error at or near "'"`, want: map[string]string{PostgreSQL: "", Ruby: ""}},
		{name: "postgres jdbc", status: 500, body: `org.postgresql.util.PSQLException: ERROR: invalid input syntax for type integer: "abc"`, want: map[string]string{PostgreSQL: "", Java: ""}},
		{name: "postgres go pq", status: 500, body: `{"error":"pq: relation \"users\" does not exist"}`, want: map[string]string{PostgreSQL: ""}},
		{name: "mysql syntax", status: 500, body: `You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version for the right syntax to use near ''1''' at line 1`, want: map[string]string{MySQL: ""}},
		{name: "mariadb syntax", status: 500, body: `(1064, "You have an error in your SQL syntax; check the manual that corresponds to your MariaDB server version for the right syntax to use near '' at line 1")`, want: map[string]string{MySQL: ""}},
		{name: "mysql node", status: 500, body: `{"code":"ER_NO_SUCH_TABLE","errno":1146,"sqlMessage":"Table 'shop.itemz' doesn't exist"}`, want: map[string]string{MySQL: ""}},
		{name: "sqlite python", status: 500, body: "sqlite3.OperationalError: no such table: itemz", want: map[string]string{SQLite: "", Python: ""}},
		{name: "sqlite node", status: 500, body: `{"errno":1,"code":"SQLITE_ERROR","message":"SQLITE_ERROR: no such column: nme"}`, want: map[string]string{SQLite: ""}},
		{name: "mongodb pymongo", status: 500, body: "pymongo.errors.ServerSelectionTimeoutError: localhost:27017: [Errno 111] Connection refused", want: map[string]string{MongoDB: "", Python: ""}},
		{name: "mongoose cast", status: 500, body: `{"message":"Cast to ObjectId failed for value \"abc\" (type string) at path \"_id\" for model \"Item\"","name":"CastError"}`, want: map[string]string{MongoDB: ""}},
		{name: "redis wrongtype", status: 500, body: "redis.exceptions.ResponseError: WRONGTYPE Operation against a key holding the wrong kind of value", want: map[string]string{Redis: "", Python: ""}},
		{name: "redis noauth", status: 500, body: "ReplyError: NOAUTH Authentication required.", want: map[string]string{Redis: ""}},
		{name: "oracle", status: 500, body: "java.sql.SQLSyntaxErrorException: ORA-00942: table or view does not exist", want: map[string]string{Oracle: "", Java: ""}},
		{name: "sql server", status: 500, body: "Unclosed quotation mark after the character string ''.", want: map[string]string{MSSQL: ""}},
	})
}

// Ordinary, safe responses must not be attributed to a framework they do
// not come from.
func TestDetect_Negatives(t *testing.T) {
	runDetectCases(t, []detectCase{
		{
			name:    "plain nginx JSON API is not Django",
			headers: map[string]string{"Server": "nginx", "Content-Type": "application/json", "X-Request-Id": "3f2c9e0a", "Strict-Transport-Security": "max-age=31536000"},
			cookies: []string{"session_token=abc123def456; Path=/; Secure; HttpOnly"},
			body:    `{"items":[{"id":1,"name":"Mug"}],"total":1}`,
			want:    map[string]string{Nginx: ""},
			not:     []string{Django, Flask, FastAPI, Express, Rails, Spring, ASPNet, PHP, Python, DynamoDB},
		},
		{
			name:    "sessionid that is not a django key",
			cookies: []string{"sessionid=AbC-123_XyZ; Path=/"},
			not:     []string{Django},
		},
		{
			name:    "hex sessionid is not django",
			cookies: []string{"sessionid=9f86d081884c7d659a2feaa0c55ad015; Path=/"},
			not:     []string{Django},
		},
		{
			name:    "session cookie that is a JWT is not flask",
			cookies: []string{"session=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U; Path=/"},
			not:     []string{Flask},
		},
		{
			name: "blog text mentioning frameworks",
			body: `{"title":"Comparing Django, Flask and Express","body":"We moved from MySQL to PostgreSQL and DynamoDB; Spring Boot and Rails were also considered."}`,
			not:  []string{Django, Flask, Express, Spring, Rails, MySQL, PostgreSQL, DynamoDB},
		},
		{
			name:    "json detail that is not a framework default",
			status:  404,
			headers: map[string]string{"Content-Type": "application/json"},
			body:    `{"detail":"Item 42 not found"}`,
			not:     []string{FastAPI, Django},
		},
		{
			name:    "json with timestamp but no path is not spring",
			status:  404,
			headers: map[string]string{"Content-Type": "application/json"},
			body:    `{"timestamp":1709633662,"status":404,"error":"not found"}`,
			not:     []string{Spring},
		},
		{
			name:    "x-runtime alone is rack, not rails",
			headers: map[string]string{"X-Runtime": "0.012"},
			want:    map[string]string{Ruby: ""},
			not:     []string{Rails},
		},
		{
			name: "a query operation error from another aws service is not dynamodb",
			body: "An error occurred (ValidationException) when calling the Query operation: The query is invalid",
			not:  []string{DynamoDB},
		},
		{
			name:   "generic 404 html",
			status: 404,
			body:   "<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1></center><hr><center>nginx</center></body></html>",
			not:    []string{Django, Flask, Werkzeug, Rails, Express, Spring},
		},
		{
			name: "dynamodb in a JSON value is data",
			body: `{"title":"Why we chose dynamodb","tags":["dynamodb","aws"]}`,
			not:  []string{DynamoDB},
		},
		{
			name: "PostgreSQL word on a 200 is data",
			body: `{"docs":"Our PostgreSQL guide"}`,
			not:  []string{PostgreSQL},
		},
	})
}

// The banner headers go through ParseBanner: every known product, with its
// version when the version discloses one.
func TestDetect_BannerHeaders(t *testing.T) {
	runDetectCases(t, []detectCase{
		{
			name: "apache php aspnet varnish",
			headers: map[string]string{
				"Server":           "Apache/2.4.41 (Ubuntu) OpenSSL/1.1.1f",
				"X-Powered-By":     "PHP/7.4.3",
				"X-AspNet-Version": "4.0.30319",
				"X-Runtime":        "0.004512",
				"Via":              "1.1 varnish (Varnish/6.0)",
			},
			want: map[string]string{Apache: "2.4.41", "ubuntu": "", "openssl": "1.1.1f", PHP: "7.4.3", ASPNet: "4.0.30319", Ruby: "", "varnish": "6.0"},
			not:  []string{Rails},
		},
		{name: "wsgiref fixed version", headers: map[string]string{"Server": "WSGIServer/0.2 CPython/3.11.2"}, want: map[string]string{WSGIRef: "", Python: "3.11.2"}},
		{name: "werkzeug", headers: map[string]string{"Server": "Werkzeug/2.0.1 Python/3.9"}, want: map[string]string{Werkzeug: "2.0.1", Flask: "", Python: "3.9"}},
		{name: "uvicorn", headers: map[string]string{"Server": "uvicorn"}, want: map[string]string{Uvicorn: "", Python: ""}},
		{name: "hypercorn version is not python's", headers: map[string]string{"Server": "hypercorn-h11"}, want: map[string]string{Hypercorn: "", Python: ""}},
		{name: "kestrel", headers: map[string]string{"Server": "Kestrel"}, want: map[string]string{Kestrel: "", ASPNet: ""}},
		{name: "iis", headers: map[string]string{"Server": "Microsoft-IIS/10.0"}, want: map[string]string{IIS: "10.0"}, not: []string{ASPNet}},
		{name: "jetty snapshot", headers: map[string]string{"Server": "Jetty(9.4.z-SNAPSHOT)"}, want: map[string]string{Jetty: "9.4.z-SNAPSHOT", Java: ""}},
		{name: "coyote 1.1 is not tomcat's version", headers: map[string]string{"Server": "Apache-Coyote/1.1"}, want: map[string]string{Tomcat: "", Java: ""}},
		{name: "openresty is nginx", headers: map[string]string{"Server": "openresty/1.21.4.1"}, want: map[string]string{OpenResty: "1.21.4.1", Nginx: ""}},
		{name: "aspnet mvc", headers: map[string]string{"X-AspNetMvc-Version": "5.2"}, want: map[string]string{ASPNetMVC: "5.2", ASPNet: ""}},
		{name: "aspnet version header without a version", headers: map[string]string{"X-AspNet-Version": "hidden"}, want: map[string]string{ASPNet: ""}},
		{name: "express and next.js", headers: map[string]string{"X-Powered-By": "Express, Next.js"}, want: map[string]string{Express: "", NextJS: "", Node: ""}},
		{name: "servlet container", headers: map[string]string{"X-Powered-By": "Servlet/3.1 JSP/2.3"}, want: map[string]string{Servlet: "3.1", JSP: "2.3", Java: ""}},
		{name: "hhvm", headers: map[string]string{"X-Powered-By": "HHVM/4.153.1"}, want: map[string]string{HHVM: "4.153.1", PHP: ""}},
		{name: "passenger", headers: map[string]string{"X-Powered-By": "Phusion Passenger(R) 6.0.10"}, want: map[string]string{Passenger: "6.0.10"}},
		{name: "drupal generator", headers: map[string]string{"X-Generator": "Drupal 9 (https://www.drupal.org)"}, want: map[string]string{"drupal": "9"}},
		{
			name:    "unknown products are left out",
			headers: map[string]string{"Server": "ATS/9.1.2", "Via": "1.1 vegur"},
			not:     []string{"ats", "vegur"},
		},
	})
}

// A hostile banner yields only known component ids, clean versions and
// evidence without terminal escapes.
func TestDetect_HostileBannerIsSanitized(t *testing.T) {
	for _, h := range []map[string]string{
		{"Server": "Evil\x1b[31mServer/1.0 <script>x</script>"},
		{"Server": "nginx/1.25.3 \x1b[31m<script>alert(1)</script> PHP/8.1.2\x1b[0m", "X-Powered-By": "Express\u202e<img src=x>, PHP/8.1.2;\x1b]0;owned\x07"},
	} {
		techs := Detect(exchange(detectCase{headers: h}))
		for _, tech := range techs {
			if strings.ContainsAny(tech.Name, "\x1b<> ") || strings.ContainsAny(tech.Version, "\x1b<> ") ||
				strings.ContainsRune(tech.Evidence, 0x1b) || strings.ContainsRune(tech.Evidence, 0x202e) {
				t.Errorf("unsanitized tech %+v", tech)
			}
			if strings.Contains(tech.Name, "evil") || strings.Contains(tech.Name, "script") {
				t.Errorf("hostile product name became a component: %+v", tech)
			}
		}
		if h["X-Powered-By"] != "" {
			got := map[string]string{}
			for _, tech := range techs {
				got[tech.Name] = tech.Version
			}
			if got[Nginx] != "1.25.3" || got[PHP] != "8.1.2" {
				t.Errorf("known products lost among hostile text: %v", got)
			}
		}
	}
}

func TestDetect_TransportFailureIsEmpty(t *testing.T) {
	if got := Detect(&engine.Exchange{Err: os.ErrDeadlineExceeded}); got != nil {
		t.Fatalf("Detect on a failed exchange = %v", got)
	}
	if got := Detect(nil); got != nil {
		t.Fatalf("Detect(nil) = %v", got)
	}
}

func TestDetect_EvidenceIsSanitized(t *testing.T) {
	ex := exchange(detectCase{headers: map[string]string{"Server": "nginx/1.2.3 \x1b[31mred\x1b[0m" + strings.Repeat("A", 500)}})
	for _, tech := range Detect(ex) {
		if strings.ContainsRune(tech.Evidence, 0x1b) {
			t.Errorf("evidence keeps an escape: %q", tech.Evidence)
		}
		if len(tech.Evidence) > maxEvidence+4 {
			t.Errorf("evidence not bounded: %d bytes", len(tech.Evidence))
		}
	}
}

func TestStack_AddFrom(t *testing.T) {
	s := NewStack()
	s.AddFrom(exchange(detectCase{headers: map[string]string{"Server": "WSGIServer/0.2 CPython/3.11.2"}, cookies: []string{"csrftoken=abc; Path=/"}}))
	if !s.Has(Django) || !s.Has(Python) {
		t.Fatalf("stack = %v", s.List())
	}
}

func TestCleanVersion(t *testing.T) {
	for in, want := range map[string]string{"1.2.3": "1.2.3", "v2.0": "2.0", "9.4.44.v20210927": "9.4.44.v20210927", "abc": "", "3.1.2/2022": "3.1.2", "1.0;<script>": "1.0"} {
		if got := cleanVersion(in); got != want {
			t.Errorf("cleanVersion(%q) = %q, want %q", in, got, want)
		}
	}
}
