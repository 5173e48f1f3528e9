package fingerprint

// Names of the components Detect reports and ParseBanner returns as
// BannerProduct.ID. Checks compare against these with Stack.Has, so a typo is
// a compile error instead of a silently missed stack. Banner products without
// a constant here (openssl, varnish, ubuntu, …) use the ids of the banner
// product table in banner.go.
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

	// Application servers and platforms that banners name.
	Kestrel   = "kestrel"
	ASPNetMVC = "aspnet-mvc"
	HTTPSys   = "httpsys" // Windows http.sys (Microsoft-HTTPAPI)
	WSGIRef   = "wsgiref" // Python's wsgiref (Django runserver)
	Hypercorn = "hypercorn"
	Daphne    = "daphne"
	Waitress  = "waitress"
	CherryPy  = "cherrypy"
	Cheroot   = "cheroot"
	ModWSGI   = "mod_wsgi"
	Undertow  = "undertow"
	WildFly   = "wildfly"
	JBoss     = "jboss"
	GlassFish = "glassfish"
	Servlet   = "servlet"
	JSP       = "jsp"
	HHVM      = "hhvm"

	// Languages and runtimes.
	Python = "python"
	PyPy   = "pypy"
	Node   = "node"
	Ruby   = "ruby"
	PHP    = "php"
	Java   = "java"

	// Web servers and proxies.
	Nginx  = "nginx"
	Apache = "apache"
	IIS    = "iis"
	Caddy  = "caddy"

	// Servers built on nginx.
	OpenResty = "openresty"
	Tengine   = "tengine"

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

// implied lists the language or platform a component runs on, so that a
// check looking for "python" also sees a Django target and one looking for
// "nginx" sees OpenResty.
var implied = map[string]string{
	Django:    Python,
	PyPy:      Python,
	WSGIRef:   Python,
	Hypercorn: Python,
	Daphne:    Python,
	Waitress:  Python,
	CherryPy:  Python,
	Cheroot:   Python,
	ModWSGI:   Python,
	Undertow:  Java,
	WildFly:   Java,
	JBoss:     Java,
	GlassFish: Java,
	Servlet:   Java,
	JSP:       Java,
	HHVM:      PHP,
	Kestrel:   ASPNet,
	ASPNetMVC: ASPNet,
	OpenResty: Nginx,
	Tengine:   Nginx,
	Flask:     Python,
	Werkzeug:  Python,
	FastAPI:   Python,
	Uvicorn:   Python,
	Gunicorn:  Python,
	Tornado:   Python,
	AIOHTTP:   Python,
	Express:   Node,
	NextJS:    Node,
	Rails:     Ruby,
	WEBrick:   Ruby,
	Puma:      Ruby,
	Laravel:   PHP,
	Symfony:   PHP,
	Spring:    Java,
	Tomcat:    Java,
	Jetty:     Java,
}
