package fingerprint

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"

	"github.com/parapet-scanner/parapet/internal/engine"
	"github.com/parapet-scanner/parapet/internal/safetext"
)

// Bounds that keep Detect cheap enough to run on every exchange of a scan.
const (
	// maxScanBody is how much of a body the markers look at. Debug pages put
	// the framework name and version near the top.
	maxScanBody = 256 << 10
	// maxJSONShape is the largest body parsed as JSON to recognise an error
	// shape ({"detail":"Not Found"}, Spring's error object, …).
	maxJSONShape = 8 << 10
	maxEvidence  = 120
	maxVersion   = 40
)

// Detect returns the stack components one exchange reveals: from response
// headers (Server, X-Powered-By, …), cookies the target sets, framework error
// pages and body markers such as database driver errors. Each Tech carries a
// short description of what revealed it, never a raw body. Detect is safe for
// concurrent use.
func Detect(ex *engine.Exchange) []Tech {
	if ex == nil || !ex.OK() {
		return nil
	}
	c := &collector{idx: map[string]int{}}
	detectHeaders(c, ex.Header)
	detectCookies(c, ex.SetCookies())
	body := ex.Body
	if len(body) > maxScanBody {
		body = body[:maxScanBody]
	}
	detectBody(c, ex.Status, body)
	detectJSONShape(c, body)
	return c.out
}

// AddFrom runs Detect on ex and adds what it finds to the stack.
func (s *Stack) AddFrom(ex *engine.Exchange) {
	for _, t := range Detect(ex) {
		s.Add(t)
	}
}

type collector struct {
	out []Tech
	idx map[string]int
}

// add records name; a version seen later fills a missing one, with the
// evidence that disclosed it.
func (c *collector) add(name, version, evidence string) {
	version = cleanVersion(version)
	evidence = safetext.Truncate(safetext.Line(evidence), maxEvidence)
	if i, ok := c.idx[name]; ok {
		if c.out[i].Version == "" && version != "" {
			c.out[i].Version = version
			c.out[i].Evidence = evidence
		}
		return
	}
	c.idx[name] = len(c.out)
	c.out = append(c.out, Tech{Name: name, Version: version, Evidence: evidence})
	if lang := implied[name]; lang != "" {
		c.add(lang, "", "implied by "+name)
	}
}

// cleanVersion keeps a version string short and made of version characters.
func cleanVersion(v string) string {
	v = strings.TrimSpace(v)
	v = strings.TrimPrefix(strings.TrimPrefix(v, "v"), "V")
	end := 0
	for end < len(v) && end < maxVersion {
		ch := v[end]
		if ch >= '0' && ch <= '9' || ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch == '.' || ch == '-' || ch == '+' || ch == '_' {
			end++
			continue
		}
		break
	}
	v = strings.TrimRight(v[:end], ".-+_")
	if v == "" || v[0] < '0' || v[0] > '9' {
		return ""
	}
	return v
}

// rackRuntimeRe is Rack::Runtime's X-Runtime value ("0.004211" seconds).
var rackRuntimeRe = regexp.MustCompile(`^\d{1,4}\.\d{1,9}$`)

// detectHeaders reads the banner headers with ParseBanner, then the headers
// that only some frameworks send.
func detectHeaders(c *collector, h http.Header) {
	if h == nil {
		return
	}
	for _, name := range bannerHeaders {
		for _, v := range h.Values(name) {
			detectBanner(c, name, v)
		}
	}
	if v := strings.TrimSpace(h.Get("X-Runtime")); rackRuntimeRe.MatchString(v) {
		// Rack::Runtime. Rails always pairs it with X-Request-Id; a bare
		// X-Runtime is any Rack app (Sinatra, Hanami, …).
		if h.Get("X-Request-Id") != "" {
			c.add(Rails, "", "X-Runtime and X-Request-Id headers (Rails middleware)")
		} else {
			c.add(Ruby, "", "X-Runtime header (Rack)")
		}
	}
	if h.Get("X-Application-Context") != "" {
		c.add(Spring, "", "X-Application-Context header (Spring Boot)")
	}
	if h.Get("X-Debug-Token") != "" || h.Get("X-Debug-Token-Link") != "" {
		c.add(Symfony, "", "X-Debug-Token header (Symfony profiler)")
	}
	if v := h.Get("X-Drupal-Cache"); v != "" || h.Get("X-Drupal-Dynamic-Cache") != "" {
		c.add(PHP, "", "X-Drupal-Cache header (Drupal)")
	}
}

// detectBanner adds the known products one banner header value names, each
// with its version when that version discloses one. Unknown products are
// left out: their ids come from target text and would say nothing a check
// can use.
func detectBanner(c *collector, header, value string) {
	ps := ParseBanner(header, value)
	if len(ps) == 0 {
		return
	}
	evidence := header + " header: " + value
	for _, p := range ps {
		if !p.Known {
			continue
		}
		version := ""
		if p.Disclosed() {
			version = p.Version
		}
		c.add(p.ID, version, evidence)
		if p.ID == Werkzeug {
			// The Werkzeug server in a Server header is Flask's development
			// server (`flask run`).
			c.add(Flask, "", evidence)
		}
	}
}

var (
	// Rails' cookie store default: "_<app>_session".
	railsSessionRe = regexp.MustCompile(`^_[a-z0-9][a-z0-9_]*_session$`)
	// Django session keys are 32 characters of [a-z0-9].
	djangoSessionRe = regexp.MustCompile(`^[a-z0-9]{32}$`)
	// itsdangerous URLSafeTimedSerializer: payload.timestamp.signature, the
	// payload zlib-compressed when it starts with ".".
	flaskSessionRe = regexp.MustCompile(`^(\.?)([A-Za-z0-9_-]+)\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,86}$`)
)

// laravelEncrypted is base64 of `{"iv":`, how every Laravel-encrypted cookie starts.
const laravelEncrypted = "eyJpdiI6"

func detectCookies(c *collector, cookies []*http.Cookie) {
	for _, ck := range cookies {
		n, v := ck.Name, ck.Value
		switch {
		case (n == "XSRF-TOKEN" || strings.HasSuffix(n, "_session")) && strings.HasPrefix(v, laravelEncrypted):
			// Laravel encrypts cookies as base64 JSON {"iv":…,"value":…,"mac":…}.
			c.add(Laravel, "", "cookie "+n+" (Laravel encrypted cookie)")
		case n == "csrftoken" || n == "django_language":
			c.add(Django, "", "cookie "+n)
		case n == "sessionid" && djangoSessionRe.MatchString(v) && strings.ContainsAny(v, "ghijklmnopqrstuvwxyz"):
			// Django's keys draw from a-z0-9; a hex id (any framework) is not one.
			c.add(Django, "", "cookie sessionid (Django session key shape)")
		case n == "session" && isFlaskSession(v):
			c.add(Flask, "", "cookie session (Flask signed-cookie shape)")
		case n == "connect.sid":
			c.add(Express, "", "cookie connect.sid (express-session)")
		case n == "sails.sid":
			c.add(Node, "", "cookie sails.sid (Sails.js)")
		case n == "koa.sess" || n == "koa:sess":
			c.add(Node, "", "cookie "+n+" (Koa)")
		case n == "_session_id" || railsSessionRe.MatchString(n):
			c.add(Rails, "", "cookie "+n+" (Rails session)")
		case n == "rack.session":
			c.add(Ruby, "", "cookie rack.session (Rack)")
		case n == "PHPSESSID":
			c.add(PHP, "", "cookie PHPSESSID")
		case n == "laravel_session":
			c.add(Laravel, "", "cookie laravel_session")
		case n == "ci_session":
			c.add(PHP, "", "cookie ci_session (CodeIgniter)")
		case n == "CAKEPHP":
			c.add(PHP, "", "cookie CAKEPHP")
		case n == "JSESSIONID":
			c.add(Java, "", "cookie JSESSIONID (Java servlet container)")
		case n == "ASP.NET_SessionId" || n == ".ASPXAUTH" || n == ".ASPXANONYMOUS" ||
			strings.HasPrefix(n, ".AspNetCore.") || n == "__RequestVerificationToken":
			c.add(ASPNet, "", "cookie "+n)
		case strings.HasPrefix(n, "next-auth.") || strings.HasPrefix(n, "__Secure-next-auth.") || strings.HasPrefix(n, "__Host-next-auth."):
			c.add(NextJS, "", "cookie "+n+" (NextAuth.js)")
		}
	}
}

// isFlaskSession reports whether v has the shape of a Flask session cookie:
// itsdangerous' payload.timestamp.signature whose payload is JSON (base64 of
// "{…") or zlib-compressed JSON (a leading ".").
func isFlaskSession(v string) bool {
	m := flaskSessionRe.FindStringSubmatch(v)
	if m == nil {
		return false
	}
	if m[1] == "." {
		return strings.HasPrefix(m[2], "eJ") // zlib header 0x78 0x9c
	}
	if !strings.HasPrefix(m[2], "eyJ") {
		return false
	}
	raw, err := base64.RawURLEncoding.DecodeString(m[2])
	return err == nil && json.Valid(raw)
}

// marker is a fixed string in a body that reveals components. When re is
// set it runs only after lit matched; its first group, if any, is the
// version of the first component.
type marker struct {
	lit       string
	re        *regexp.Regexp
	techs     []string
	evidence  string
	minStatus int // only on responses with at least this status
}

var markers = []marker{
	// Django.
	{lit: "Django Version:", re: regexp.MustCompile(`Django Version:(?:</th>)?\s*(?:<td>)?\s*([0-9][0-9a-z.]*)`), techs: []string{Django}, evidence: "Django debug page (Django Version)"},
	{lit: "Python Version:", re: regexp.MustCompile(`Python Version:(?:</th>)?\s*(?:<td>)?\s*([0-9][0-9.]*)`), techs: []string{Python}, evidence: "debug page (Python Version)"},
	{lit: "Django settings file. Change that to", techs: []string{Django}, evidence: "Django DEBUG = True page"},
	{lit: "Django tried these URL patterns", techs: []string{Django}, evidence: "Django debug 404 page"},
	{lit: "Invalid HTTP_HOST header:", techs: []string{Django}, evidence: "Django DisallowedHost error"},
	{lit: "Django administration", techs: []string{Django}, evidence: "Django admin page"},
	{lit: "Django site admin", techs: []string{Django}, evidence: "Django admin page"},
	{lit: "csrfmiddlewaretoken", techs: []string{Django}, evidence: "Django CSRF form field"},
	{lit: "CSRF verification failed. Request aborted.", techs: []string{Django}, evidence: "Django CSRF failure page"},
	{lit: "Django REST framework", re: regexp.MustCompile(`django-rest-framework\.org/?["'][^>]{0,80}>\s*Django REST framework`), techs: []string{Django}, evidence: "Django REST framework browsable API"},
	{lit: "<h1>Not Found</h1><p>The requested resource was not found on this server.</p>", techs: []string{Django}, evidence: "Django default 404 page"},
	{lit: "<h1>Server Error (500)</h1>", techs: []string{Django}, evidence: "Django default 500 page"},
	{lit: "<h1>Bad Request (400)</h1>", techs: []string{Django}, evidence: "Django default 400 page"},
	{lit: "django.db.backends.postgresql", techs: []string{Django, PostgreSQL}, evidence: "Django database backend in an error page"},
	{lit: "django.db.backends.mysql", techs: []string{Django, MySQL}, evidence: "Django database backend in an error page"},
	{lit: "django.db.backends.sqlite3", techs: []string{Django, SQLite}, evidence: "Django database backend in an error page"},
	{lit: "django/core/handlers/", techs: []string{Django}, evidence: "Django frame in a traceback"},

	// Werkzeug / Flask.
	{lit: "Werkzeug Debugger", techs: []string{Werkzeug}, evidence: "Werkzeug debugger page"},
	{lit: "The debugger caught an exception in your WSGI application", techs: []string{Werkzeug}, evidence: "Werkzeug debugger page"},
	{lit: "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.", techs: []string{Werkzeug, Flask}, evidence: "Werkzeug 404 page"},
	{lit: "The method is not allowed for the requested URL.", techs: []string{Werkzeug, Flask}, evidence: "Werkzeug 405 page"},
	{lit: "The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.", techs: []string{Werkzeug, Flask}, evidence: "Werkzeug 500 page"},
	{lit: "site-packages/flask/", techs: []string{Flask}, evidence: "Flask frame in a traceback"},
	{lit: "dist-packages/flask/", techs: []string{Flask}, evidence: "Flask frame in a traceback"},

	// FastAPI / Starlette.
	{lit: "FastAPI - Swagger UI", techs: []string{FastAPI}, evidence: "FastAPI Swagger UI page"},
	{lit: "fastapi.tiangolo.com/img/favicon.png", techs: []string{FastAPI}, evidence: "FastAPI docs page"},
	{lit: "site-packages/fastapi/", techs: []string{FastAPI}, evidence: "FastAPI frame in a traceback"},
	{lit: "site-packages/starlette/", techs: []string{Python}, evidence: "Starlette frame in a traceback"},

	// Python generic.
	{lit: "Traceback (most recent call last):", techs: []string{Python}, evidence: "Python traceback"},

	// Express / Node.
	{lit: "<pre>Cannot ", re: regexp.MustCompile(`<pre>Cannot (?:GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS) /[^<]{0,1000}</pre>`), techs: []string{Express}, evidence: "Express 404 page (Cannot GET)"},
	{lit: "node_modules/express/", techs: []string{Express}, evidence: "Express frame in a stack trace"},
	{lit: "node_modules", re: regexp.MustCompile(`\bat [^\n]{0,200}node_modules[/\\]`), techs: []string{Node}, evidence: "Node.js stack trace"},
	{lit: "(node:internal/", techs: []string{Node}, evidence: "Node.js stack trace"},

	// Rails.
	{lit: "The page you were looking for doesn't exist.", techs: []string{Rails}, evidence: "Rails 404 page"},
	{lit: "The page you were looking for doesn’t exist.", techs: []string{Rails}, evidence: "Rails 404 page"},
	{lit: "The change you wanted was rejected.", techs: []string{Rails}, evidence: "Rails 422 page"},
	{lit: "We're sorry, but something went wrong.", techs: []string{Rails}, evidence: "Rails 500 page"},
	{lit: "We’re sorry, but something went wrong.", techs: []string{Rails}, evidence: "Rails 500 page"},
	{lit: "Action Controller: Exception caught", techs: []string{Rails}, evidence: "Rails debug exception page"},
	{lit: "ActionController::", techs: []string{Rails}, evidence: "Rails exception class (ActionController)"},
	{lit: "ActiveRecord::", techs: []string{Rails}, evidence: "Rails exception class (ActiveRecord)"},
	{lit: "No route matches [", techs: []string{Rails}, evidence: "Rails routing error"},

	// PHP / Laravel / Symfony.
	{lit: "</b>:", re: regexp.MustCompile(`<b>(?:Fatal error|Warning|Notice|Parse error|Deprecated|Strict Standards)</b>:[^\n]{0,600} on line <b>\d+</b>`), techs: []string{PHP}, evidence: "PHP error message"},
	{lit: ".php on line ", re: regexp.MustCompile(`(?:Fatal error|Warning|Notice|Parse error|Deprecated): [^\n]{0,400} in (?:/|[A-Za-z]:\\)[^\n]{1,300}\.php on line \d+`), techs: []string{PHP}, evidence: "PHP error message"},
	{lit: "PHP ", re: regexp.MustCompile(`PHP (?:Fatal error|Warning|Notice|Parse error|Deprecated):\s`), techs: []string{PHP}, evidence: "PHP error message"},
	{lit: "Illuminate\\", techs: []string{Laravel}, evidence: "Laravel class (Illuminate) in an error"},
	{lit: "vendor/laravel/framework", techs: []string{Laravel}, evidence: "Laravel frame in a stack trace"},
	{lit: "Symfony\\Component\\", techs: []string{Symfony}, evidence: "Symfony class in an error"},
	{lit: "Whoops, looks like something went wrong.", techs: []string{PHP}, evidence: "PHP framework error page"},
	{lit: "SQLSTATE[", techs: []string{PHP}, evidence: "PDO error (SQLSTATE)", minStatus: 0},

	// Spring / Java.
	{lit: "Whitelabel Error Page", techs: []string{Spring}, evidence: "Spring Boot Whitelabel Error Page"},
	{lit: "org.springframework.", techs: []string{Spring}, evidence: "Spring class in an error"},
	{lit: "Apache Tomcat/", re: regexp.MustCompile(`Apache Tomcat/([0-9][0-9.]*)`), techs: []string{Tomcat}, evidence: "Apache Tomcat error page"},
	{lit: "java.", re: regexp.MustCompile(`\bjava\.(?:lang|util|io|net|sql)\.[A-Z][A-Za-z]*(?:Exception|Error)\b`), techs: []string{Java}, evidence: "Java exception class"},

	// ASP.NET.
	{lit: "Server Error in '", re: regexp.MustCompile(`Server Error in '[^'\n<]{0,200}' Application\.`), techs: []string{ASPNet}, evidence: "ASP.NET error page"},
	{lit: "ASP.NET Version:", re: regexp.MustCompile(`ASP\.NET Version:\s*([0-9][0-9.]*)`), techs: []string{ASPNet}, evidence: "ASP.NET error page (version)"},
	{lit: "An unhandled exception occurred while processing the request.", techs: []string{ASPNet}, evidence: "ASP.NET Core developer exception page"},
	{lit: "System.", re: regexp.MustCompile(`\bSystem\.(?:[A-Z][A-Za-z]*\.){0,4}[A-Z][A-Za-z]*Exception\b`), techs: []string{ASPNet}, evidence: ".NET exception class"},

	// DynamoDB.
	{lit: " operation", re: regexp.MustCompile(`when calling the (?:GetItem|PutItem|UpdateItem|DeleteItem|BatchGetItem|BatchWriteItem|TransactGetItems|TransactWriteItems|Scan|DescribeTimeToLive) operation`), techs: []string{DynamoDB}, evidence: "AWS SDK error naming a DynamoDB operation"},
	{lit: "com.amazonaws.services.dynamodbv2", techs: []string{DynamoDB, Java}, evidence: "AWS SDK for Java DynamoDB class in an error"},
	{lit: "software.amazon.awssdk.services.dynamodb", techs: []string{DynamoDB, Java}, evidence: "AWS SDK for Java DynamoDB class in an error"},
	{lit: "com.amazonaws.dynamodb.v20120810", techs: []string{DynamoDB}, evidence: "DynamoDB error type"},
	{lit: "boto3/dynamodb/", techs: []string{DynamoDB, Python}, evidence: "boto3 DynamoDB frame in a traceback"},
	{lit: "@aws-sdk/client-dynamodb", techs: []string{DynamoDB, Node}, evidence: "AWS SDK for JavaScript DynamoDB client in a stack trace"},
	{lit: "@aws-sdk/lib-dynamodb", techs: []string{DynamoDB, Node}, evidence: "AWS SDK for JavaScript DynamoDB client in a stack trace"},
	{lit: "The provided key element does not match the schema", techs: []string{DynamoDB}, evidence: "DynamoDB ValidationException message"},
	{lit: "ConditionalCheckFailedException", techs: []string{DynamoDB}, evidence: "DynamoDB exception name"},
	{lit: "Cannot do operations on a non-existent table", techs: []string{DynamoDB}, evidence: "DynamoDB ResourceNotFoundException message"},
	{lit: "Item size has exceeded the maximum allowed size", techs: []string{DynamoDB}, evidence: "DynamoDB ValidationException message"},
	{lit: "Supplied AttributeValue is empty", techs: []string{DynamoDB}, evidence: "DynamoDB ValidationException message"},
	{lit: "ExpressionAttributeValues", re: regexp.MustCompile(`ValidationException[^\n]{0,300}ExpressionAttribute(?:Values|Names)`), techs: []string{DynamoDB}, evidence: "DynamoDB ValidationException message"},
	{lit: "One or more parameter values were invalid", techs: []string{DynamoDB}, evidence: "DynamoDB ValidationException message"},
	{lit: "Query condition missed key schema element", techs: []string{DynamoDB}, evidence: "DynamoDB ValidationException message"},
	{lit: "Requested resource not found", re: regexp.MustCompile(`ResourceNotFoundException[^\n]{0,200}Requested resource not found`), techs: []string{DynamoDB}, evidence: "DynamoDB ResourceNotFoundException message"},
	{lit: "Invalid ", re: regexp.MustCompile(`Invalid (?:KeyConditionExpression|UpdateExpression|ProjectionExpression|FilterExpression|ConditionExpression):`), techs: []string{DynamoDB}, evidence: "DynamoDB expression error"},
	{lit: "ynamo", re: regexp.MustCompile(`(?i)"[\w.-]{0,64}dynamodb[\w.-]{0,64}"\s*:`), techs: []string{DynamoDB}, evidence: "JSON key naming DynamoDB (configuration)"},
	{lit: "YNAMO", re: regexp.MustCompile(`(?i)"[\w.-]{0,64}dynamodb[\w.-]{0,64}"\s*:`), techs: []string{DynamoDB}, evidence: "JSON key naming DynamoDB (configuration)"},
	{lit: "DYNAMODB_", re: regexp.MustCompile(`\bDYNAMODB_[A-Z0-9_]{2,64}\b`), techs: []string{DynamoDB}, evidence: "DynamoDB setting name"},
	{lit: ".amazonaws.com", re: regexp.MustCompile(`\bdynamodb\.[a-z0-9-]{4,32}\.amazonaws\.com\b`), techs: []string{DynamoDB}, evidence: "DynamoDB endpoint host"},
	{lit: "pynamodb", techs: []string{DynamoDB, Python}, evidence: "PynamoDB in an error", minStatus: 400},
	{lit: "botocore", re: regexp.MustCompile(`(?i)botocore[^\n]{0,400}dynamodb|dynamodb[^\n]{0,400}botocore`), techs: []string{DynamoDB, Python}, evidence: "botocore DynamoDB error"},

	// PostgreSQL.
	{lit: "psycopg", re: regexp.MustCompile(`\bpsycopg2?\.(?:errors|extensions|OperationalError|ProgrammingError|IntegrityError|DataError)`), techs: []string{PostgreSQL, Python}, evidence: "psycopg error class"},
	{lit: "asyncpg.exceptions", techs: []string{PostgreSQL, Python}, evidence: "asyncpg error class"},
	{lit: "PG::", re: regexp.MustCompile(`\bPG::[A-Z][A-Za-z]+`), techs: []string{PostgreSQL, Ruby}, evidence: "Ruby pg error class"},
	{lit: "org.postgresql.", techs: []string{PostgreSQL, Java}, evidence: "PostgreSQL JDBC class in an error"},
	{lit: "Npgsql", re: regexp.MustCompile(`\bNpgsql\.(?:PostgresException|NpgsqlException)`), techs: []string{PostgreSQL}, evidence: "Npgsql error class"},
	{lit: "pq: ", re: regexp.MustCompile(`\bpq: (?:relation|column|syntax error|duplicate key|invalid input syntax|null value|password authentication)`), techs: []string{PostgreSQL}, evidence: "Go lib/pq error"},
	{lit: "at or near", re: regexp.MustCompile(`syntax error at or near "`), techs: []string{PostgreSQL}, evidence: "PostgreSQL syntax error"},
	{lit: "does not exist", re: regexp.MustCompile(`relation "[^"\n]{1,128}" does not exist`), techs: []string{PostgreSQL}, evidence: "PostgreSQL undefined-table error"},
	{lit: "invalid input syntax for ", techs: []string{PostgreSQL}, evidence: "PostgreSQL invalid-input error"},
	{lit: "PostgreSQL", techs: []string{PostgreSQL}, evidence: "PostgreSQL named in an error response", minStatus: 500},

	// MySQL / MariaDB.
	{lit: "You have an error in your SQL syntax", techs: []string{MySQL}, evidence: "MySQL syntax error"},
	{lit: "corresponds to your MySQL server version", techs: []string{MySQL}, evidence: "MySQL syntax error"},
	{lit: "corresponds to your MariaDB server version", techs: []string{MySQL}, evidence: "MariaDB syntax error"},
	{lit: "com.mysql.", re: regexp.MustCompile(`com\.mysql\.(?:cj\.)?jdbc`), techs: []string{MySQL, Java}, evidence: "MySQL JDBC class in an error"},
	{lit: "MySQLdb", techs: []string{MySQL, Python}, evidence: "MySQLdb error class", minStatus: 400},
	{lit: "pymysql.err", techs: []string{MySQL, Python}, evidence: "PyMySQL error class"},
	{lit: "mysqli", re: regexp.MustCompile(`\bmysqli(?:_[a-z_]+\(|::|_sql_exception)`), techs: []string{MySQL, PHP}, evidence: "PHP mysqli error"},
	{lit: "ER_", re: regexp.MustCompile(`\bER_(?:PARSE_ERROR|NO_SUCH_TABLE|DUP_ENTRY|BAD_FIELD_ERROR|ACCESS_DENIED_ERROR)\b`), techs: []string{MySQL}, evidence: "MySQL error code"},
	{lit: "doesn't exist", re: regexp.MustCompile(`Table '[A-Za-z0-9_$]+\.[A-Za-z0-9_$]+' doesn't exist`), techs: []string{MySQL}, evidence: "MySQL missing-table error"},
	{lit: "MySql.Data", techs: []string{MySQL}, evidence: "MySQL .NET connector class in an error"},

	// SQLite.
	{lit: "sqlite3.", re: regexp.MustCompile(`\bsqlite3\.(?:OperationalError|IntegrityError|ProgrammingError|DatabaseError)`), techs: []string{SQLite, Python}, evidence: "Python sqlite3 error class"},
	{lit: "SQLite3::", techs: []string{SQLite, Ruby}, evidence: "Ruby SQLite3 error class"},
	{lit: "SQLITE_", re: regexp.MustCompile(`\bSQLITE_(?:ERROR|CONSTRAINT|BUSY|LOCKED|READONLY|MISMATCH)\b`), techs: []string{SQLite}, evidence: "SQLite error code"},
	{lit: "org.sqlite.SQLiteException", techs: []string{SQLite, Java}, evidence: "SQLite JDBC class in an error"},
	{lit: "System.Data.SQLite", techs: []string{SQLite}, evidence: "SQLite .NET class in an error"},
	{lit: "Microsoft.Data.Sqlite", techs: []string{SQLite}, evidence: "SQLite .NET class in an error"},
	{lit: "no such table: ", techs: []string{SQLite}, evidence: "SQLite missing-table error"},
	{lit: "no such column: ", techs: []string{SQLite}, evidence: "SQLite missing-column error"},

	// MongoDB.
	{lit: "Mongo", re: regexp.MustCompile(`\bMongo(?:ServerError|Error|NetworkError|ParseError|BulkWriteError|ServerSelectionError)\b`), techs: []string{MongoDB}, evidence: "MongoDB driver error class"},
	{lit: "E11000 duplicate key error", techs: []string{MongoDB}, evidence: "MongoDB duplicate-key error"},
	{lit: "Cast to ObjectId failed", techs: []string{MongoDB, Node}, evidence: "Mongoose CastError"},
	{lit: "pymongo.errors", techs: []string{MongoDB, Python}, evidence: "PyMongo error class"},
	{lit: "com.mongodb.", techs: []string{MongoDB, Java}, evidence: "MongoDB Java driver class in an error"},
	{lit: "MongoDB\\Driver\\Exception", techs: []string{MongoDB, PHP}, evidence: "MongoDB PHP driver class in an error"},
	{lit: "Mongo::Error", techs: []string{MongoDB, Ruby}, evidence: "MongoDB Ruby driver class in an error"},
	{lit: "Mongoid::Errors", techs: []string{MongoDB, Ruby}, evidence: "Mongoid error class"},

	// Redis.
	{lit: "redis.exceptions.", techs: []string{Redis, Python}, evidence: "redis-py error class"},
	{lit: "WRONGTYPE Operation against a key holding the wrong kind of value", techs: []string{Redis}, evidence: "Redis WRONGTYPE error"},
	{lit: "NOAUTH Authentication required", techs: []string{Redis}, evidence: "Redis NOAUTH error"},
	{lit: "MISCONF Redis is configured", techs: []string{Redis}, evidence: "Redis MISCONF error"},
	{lit: "Redis::", re: regexp.MustCompile(`\bRedis::(?:CommandError|CannotConnectError|TimeoutError|ConnectionError)`), techs: []string{Redis, Ruby}, evidence: "Ruby redis error class"},
	{lit: "redis.clients.jedis", techs: []string{Redis, Java}, evidence: "Jedis class in an error"},
	{lit: "io.lettuce.core.Redis", techs: []string{Redis, Java}, evidence: "Lettuce class in an error"},
	{lit: "Predis\\", techs: []string{Redis, PHP}, evidence: "Predis class in an error"},
	{lit: "StackExchange.Redis", techs: []string{Redis}, evidence: "StackExchange.Redis class in an error"},
	{lit: "Error connecting to Redis", techs: []string{Redis}, evidence: "Redis connection error"},

	// Connection URLs (configuration leaks, debug pages).
	{lit: "postgres", re: regexp.MustCompile(`\bpostgres(?:ql)?://[^\s"'<>]{3,}`), techs: []string{PostgreSQL}, evidence: "PostgreSQL connection URL"},
	{lit: "mysql://", re: regexp.MustCompile(`\bmysql://[^\s"'<>]{3,}`), techs: []string{MySQL}, evidence: "MySQL connection URL"},
	{lit: "mongodb", re: regexp.MustCompile(`\bmongodb(?:\+srv)?://[^\s"'<>]{3,}`), techs: []string{MongoDB}, evidence: "MongoDB connection URL"},
	{lit: "redis", re: regexp.MustCompile(`\brediss?://[^\s"'<>]{3,}`), techs: []string{Redis}, evidence: "Redis connection URL"},

	// SQL Server and Oracle.
	{lit: "Unclosed quotation mark after the character string", techs: []string{MSSQL}, evidence: "SQL Server syntax error"},
	{lit: "System.Data.SqlClient.SqlException", techs: []string{MSSQL, ASPNet}, evidence: "SQL Server .NET error class"},
	{lit: "Microsoft.Data.SqlClient.SqlException", techs: []string{MSSQL, ASPNet}, evidence: "SQL Server .NET error class"},
	{lit: "com.microsoft.sqlserver.jdbc", techs: []string{MSSQL, Java}, evidence: "SQL Server JDBC class in an error"},
	{lit: "ORA-", re: regexp.MustCompile(`\bORA-\d{5}: `), techs: []string{Oracle}, evidence: "Oracle error code"},
}

func detectBody(c *collector, status int, body []byte) {
	if len(body) == 0 {
		return
	}
	for i := range markers {
		m := &markers[i]
		if status < m.minStatus || !bytes.Contains(body, []byte(m.lit)) {
			continue
		}
		version := ""
		if m.re != nil {
			sm := m.re.FindSubmatch(body)
			if sm == nil {
				continue
			}
			if len(sm) > 1 {
				version = string(sm[1])
			}
		}
		for j, n := range m.techs {
			v := ""
			if j == 0 {
				v = version
			}
			c.add(n, v, m.evidence)
		}
	}
}

// DRF's stock messages, in {"detail": "…"} bodies.
var drfDetails = map[string]bool{
	"Authentication credentials were not provided.":      true,
	"You do not have permission to perform this action.": true,
	"Not found.":                                     true,
	"Incorrect authentication credentials.":          true,
	"Invalid token.":                                 true,
	"Invalid token header. No credentials provided.": true,
}

// detectJSONShape recognises the error objects frameworks return by default.
func detectJSONShape(c *collector, body []byte) {
	b := bytes.TrimSpace(body)
	if len(b) < 2 || len(b) > maxJSONShape || b[0] != '{' {
		return
	}
	var obj map[string]any
	if json.Unmarshal(b, &obj) != nil {
		return
	}
	if d, ok := obj["detail"]; ok && len(obj) == 1 {
		switch d := d.(type) {
		case string:
			switch {
			case d == "Not Found" || d == "Method Not Allowed":
				c.add(FastAPI, "", `JSON error {"detail":"`+d+`"} (FastAPI default)`)
			case drfDetails[d] || strings.HasPrefix(d, "Method \"") && strings.HasSuffix(d, "\" not allowed."):
				c.add(Django, "", "Django REST framework error message")
			}
		case []any:
			if pydanticErrors(d) {
				c.add(FastAPI, "", "JSON validation error with loc/msg/type (FastAPI/pydantic)")
			}
		}
	}
	// Spring Boot's default error attributes.
	if _, ok := obj["timestamp"]; ok {
		if _, ok := obj["status"].(float64); ok {
			if _, ok := obj["error"].(string); ok {
				if _, ok := obj["path"].(string); ok {
					c.add(Spring, "", "JSON error with timestamp/status/error/path (Spring Boot default)")
				}
			}
		}
	}
	// ASP.NET Core ProblemDetails carry a traceId beside an RFC type link.
	if _, ok := obj["traceId"].(string); ok {
		if t, ok := obj["type"].(string); ok && strings.HasPrefix(t, "https://tools.ietf.org/html/rfc") {
			c.add(ASPNet, "", "ProblemDetails error with traceId (ASP.NET Core)")
		}
	}
	// Rails API routing error in development.
	if e, ok := obj["exception"].(string); ok && strings.Contains(e, "ActionController::") {
		c.add(Rails, "", "Rails JSON exception")
	}
}

func pydanticErrors(list []any) bool {
	if len(list) == 0 {
		return false
	}
	for _, it := range list {
		m, ok := it.(map[string]any)
		if !ok {
			return false
		}
		_, hasLoc := m["loc"].([]any)
		_, hasMsg := m["msg"].(string)
		_, hasType := m["type"].(string)
		if !hasLoc || !hasMsg || !hasType {
			return false
		}
	}
	return true
}
