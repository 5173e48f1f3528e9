package fingerprint

// Names of the components Detect reports. Checks compare against these with
// Stack.Has, so a typo is a compile error instead of a silently missed stack.
const (
	// Frameworks.
	Django    = "django"
	Flask     = "flask"
	Werkzeug  = "werkzeug"
	FastAPI   = "fastapi"
	Express   = "express"
	NextJS    = "nextjs"
	Rails     = "rails"
	Laravel   = "laravel"
	Symfony   = "symfony"
	Spring    = "spring"
	ASPNet    = "aspnet"
	Tomcat    = "tomcat"
	Jetty     = "jetty"
	Uvicorn   = "uvicorn"
	Gunicorn  = "gunicorn"
	Tornado   = "tornado"
	AIOHTTP   = "aiohttp"
	WEBrick   = "webrick"
	Puma      = "puma"
	Passenger = "passenger"

	// Languages and runtimes.
	Python = "python"
	Node   = "node"
	Ruby   = "ruby"
	PHP    = "php"
	Java   = "java"

	// Web servers and proxies.
	Nginx  = "nginx"
	Apache = "apache"
	IIS    = "iis"
	Caddy  = "caddy"

	// Data stores.
	DynamoDB   = "dynamodb"
	PostgreSQL = "postgresql"
	MySQL      = "mysql"
	SQLite     = "sqlite"
	MongoDB    = "mongodb"
	Redis      = "redis"
	MSSQL      = "mssql"
	Oracle     = "oracle"
)

// implied lists the language a framework runs on, so that a check looking for
// "python" also sees a Django target.
var implied = map[string]string{
	Django:   Python,
	Flask:    Python,
	Werkzeug: Python,
	FastAPI:  Python,
	Uvicorn:  Python,
	Gunicorn: Python,
	Tornado:  Python,
	AIOHTTP:  Python,
	Express:  Node,
	NextJS:   Node,
	Rails:    Ruby,
	WEBrick:  Ruby,
	Puma:     Ruby,
	Laravel:  PHP,
	Symfony:  PHP,
	Spring:   Java,
	Tomcat:   Java,
	Jetty:    Java,
}
