package exposure

import (
	"strings"

	"github.com/parapet-scanner/parapet/internal/fingerprint"
)

// stackFor picks the framework whose advice fits: the one the page itself
// revealed, else the first of the fingerprinted stack we have advice for.
func stackFor(seen string, st *fingerprint.Stack) string {
	if _, ok := debugAdvice[seen]; ok {
		return seen
	}
	if st != nil {
		for _, n := range []string{"django", "flask", "werkzeug", "fastapi", "starlette", "express", "rails",
			"laravel", "symfony", "spring", "aspnet", "php", "python", "node", "java", "ruby", "go", "dotnet"} {
			if st.Has(n) {
				if n == "fastapi" {
					return "starlette"
				}
				return n
			}
		}
	}
	return seen
}

// debugAdvice says how to turn debug output off, per framework or language.
var debugAdvice = map[string]string{
	"django": "Set DEBUG = False in the production settings (read it from the environment, e.g. " +
		"DEBUG = os.environ.get(\"DJANGO_DEBUG\") == \"1\", and never default to True), set ALLOWED_HOSTS, " +
		"and let errors go to logging/ADMINS instead of the response. Provide templates/404.html and 500.html " +
		"(or handler404/handler500) that say nothing about the code. For JSON APIs (DRF) set a custom " +
		"EXCEPTION_HANDLER that returns a generic body and logs the exception.",
	"werkzeug": "Never run Flask/Werkzeug with the debugger in production: remove app.run(debug=True), " +
		"FLASK_DEBUG=1 / --debug and DebuggedApplication, and serve the app with a production WSGI server " +
		"(gunicorn, uWSGI). The debugger console runs Python code; treat any host that exposed it as " +
		"compromised if the PIN could be guessed or was exposed. Register @app.errorhandler(Exception) " +
		"handlers that log the error and return a generic message.",
	"flask": "Never run Flask with debug=True or FLASK_DEBUG=1 in production, and serve it with a production " +
		"WSGI server. Register @app.errorhandler(Exception) to log the exception and return a generic message.",
	"starlette": "Create the application with debug=False (Starlette(debug=False) / FastAPI(debug=False)) and " +
		"add an exception handler that logs the exception and returns a generic 500 body.",
	"rails": "Run with RAILS_ENV=production and keep config.consider_all_requests_local = false in " +
		"config/environments/production.rb; keep web-console and better_errors in the development group " +
		"of the Gemfile only. Use rescue_from or config.exceptions_app for generic error responses.",
	"laravel": "Set APP_DEBUG=false (and APP_ENV=production) in .env, then run php artisan config:cache. " +
		"Install Ignition/Whoops only as dev dependencies (composer install --no-dev in production). " +
		"Report exceptions through the exception handler's logging, not the response.",
	"symfony": "Deploy with APP_ENV=prod and APP_DEBUG=0, and install symfony/web-profiler-bundle and " +
		"symfony/debug-bundle only for dev (composer install --no-dev). The profiler at /_profiler shows " +
		"every request's data, including other users'.",
	"aspnet": "In ASP.NET Core call app.UseDeveloperExceptionPage() only when env.IsDevelopment(), run with " +
		"ASPNETCORE_ENVIRONMENT=Production, and use app.UseExceptionHandler(\"/error\") with ProblemDetails " +
		"that carry no exception details. In classic ASP.NET set <customErrors mode=\"On\" /> (or RemoteOnly) " +
		"and <deployment retail=\"true\" /> in machine.config.",
	"spring": "Keep server.error.include-stacktrace=never (the default), server.error.include-message=never " +
		"and server.error.include-exception=false; do not ship spring-boot-devtools in production; map " +
		"exceptions to generic responses in a @ControllerAdvice.",
	"express": "Run with NODE_ENV=production (Express's default handler then hides the stack) and add an " +
		"error-handling middleware, app.use((err, req, res, next) => { log(err); res.status(500).json({error: " +
		"\"internal error\"}) }), registered after all routes.",
	"php": "Set display_errors = Off and log_errors = On in php.ini (or ini_set in the front controller), " +
		"keep error_reporting for the log, and install a global exception handler " +
		"(set_exception_handler) that returns a generic error page.",
	"python": "Catch exceptions at the edge of the application (a middleware or framework error handler), " +
		"log traceback.format_exc() server-side with a request id, and return only a generic message and " +
		"that id. Never put traceback text into a response field.",
	"java": "Catch exceptions in a global handler (@ControllerAdvice, an ExceptionMapper, a servlet error " +
		"page) that logs the stack trace and returns a generic body; never serialise Throwable or " +
		"getStackTrace() into responses.",
	"node": "Add a final error-handling middleware that logs err.stack and returns a generic message, run " +
		"with NODE_ENV=production, and never put err.stack in a response.",
	"dotnet": "Handle exceptions with UseExceptionHandler / an exception filter that logs the exception and " +
		"returns ProblemDetails without exception.ToString(); never return Exception.StackTrace.",
	"go": "Recover panics in a middleware that logs debug.Stack() server-side and answers 500 with a generic " +
		"body; never write the panic value or stack to the ResponseWriter.",
	"ruby": "Rescue exceptions in a global handler (rescue_from, Rack middleware) that logs the backtrace and " +
		"returns a generic message; never render exception.backtrace.",
}

const genericDebugAdvice = "Turn off debug output in production: handle exceptions in one place, log the " +
	"details server-side with a request id, and return only a generic error message and that id."

func debugRemediation(framework string, st *fingerprint.Stack) string {
	if framework == "whoops" {
		framework = "php"
	}
	if a, ok := debugAdvice[stackFor(framework, st)]; ok {
		return a
	}
	return genericDebugAdvice
}

// storeAdvice says how to keep data-store errors out of responses.
var storeAdvice = map[string]string{
	"dynamodb": "Wrap every DynamoDB call (GetItem, Query, Scan, …) in error handling: with boto3, catch " +
		"botocore.exceptions.ClientError and ParamValidationError, log e.response[\"Error\"] server-side and " +
		"return 400 for bad input or 404/500 with a generic body. Validate key values (type, length, " +
		"format) before calling GetItem, and pass user input only as ExpressionAttributeValues, never " +
		"pasted into KeyConditionExpression/FilterExpression; bind attribute names through " +
		"ExpressionAttributeNames from an allow-list.",
	"aws": "Catch the AWS SDK's errors (botocore.exceptions.ClientError, ParamValidationError) around each " +
		"call, log the details server-side, and return a generic message; validate input before the call.",
	"mongodb": "Catch driver errors (MongoError/MongoServerError, pymongo.errors.*) in a global handler and " +
		"return a generic message; validate ids (ObjectId.isValid) and reject operator objects in user " +
		"input (sanitize $-prefixed keys) before building queries.",
	"redis": "Catch Redis client errors, log them server-side and return a generic message.",
}

const sqlAdvice = "Catch database exceptions in one place, log the SQL error server-side with a request id, " +
	"and return a generic message. An SQL syntax error caused by a quote in the input means the value " +
	"reaches the query text: use parameterised queries / the ORM's bound parameters everywhere."

func storeRemediation(store, framework string, st *fingerprint.Stack) string {
	a, ok := storeAdvice[store]
	if !ok {
		a = sqlAdvice
	}
	switch stackFor(framework, st) {
	case "django":
		a += " In Django, also set DEBUG = False so that the technical 500 page does not show the query " +
			"or the botocore response."
	case "flask", "werkzeug":
		a += " In Flask, register an @app.errorhandler for the driver's exception class."
	case "express", "node":
		a += " In Express, handle the rejection in the route (try/catch around await) and pass a generic " +
			"error to next()."
	case "spring", "java":
		a += " In Spring, map the exception in a @ControllerAdvice and keep server.error.include-message=never."
	case "laravel", "php":
		a += " In PHP, keep display_errors off and catch PDOException in the handler."
	}
	return a
}

func secretRemediation(types []string, st *fingerprint.Stack) string {
	var b strings.Builder
	b.WriteString("Treat every exposed secret as compromised: revoke or rotate it now, then check the " +
		"provider's logs for its use. Remove it from the response: keep secrets in a secret manager or " +
		"environment variables read by the server only, and return only what a client needs. ")
	said := map[string]bool{}
	for _, t := range types {
		group := strings.SplitN(t, "-", 2)[0]
		if said[group] {
			continue
		}
		said[group] = true
		switch t {
		case "aws-access-key-id", "aws-secret-access-key":
			b.WriteString("AWS: deactivate and delete the access key in IAM, review CloudTrail for its use, and " +
				"give the service an IAM role instead of long-lived keys. ")
		case "stripe-live-secret-key", "stripe-live-restricted-key":
			b.WriteString("Stripe: roll the key in the Dashboard (Developers → API keys); only publishable keys " +
				"(pk_live_) may reach clients. ")
		case "github-token":
			b.WriteString("GitHub: revoke the token in Settings → Developer settings and review the audit log. ")
		case "slack-token", "slack-webhook":
			b.WriteString("Slack: revoke the token or regenerate the webhook URL in the app's settings. ")
		case "private-key":
			b.WriteString("Private key: replace the key pair and revoke any certificate issued for it. ")
		case "google-api-key":
			b.WriteString("Google: restrict the key (API and application restrictions) or regenerate it. ")
		case "django-secret-key":
			b.WriteString("Django: generate a new SECRET_KEY (get_random_secret_key()) kept outside the code; " +
				"an exposed key lets attackers forge sessions, password-reset tokens and signed data. ")
		case "connection-string-password":
			b.WriteString("Database: change the password and keep connection strings out of responses and " +
				"client configuration. ")
		}
	}
	if st != nil && st.Has("django") {
		b.WriteString("Remove debug/config endpoints from urls.py in production and keep DEBUG = False.")
	}
	return strings.TrimSpace(b.String())
}

func piiRemediation(typ string, st *fingerprint.Stack) string {
	var a string
	switch typ {
	case "card-number":
		a = "Never return full card numbers (PANs): PCI DSS 3.4.1 allows at most the first six and last four " +
			"digits to be shown. Store cards with the payment provider (tokenisation) and return a token and " +
			"card_last4 only; if the API must read PANs, keep them encrypted and out of response serializers."
	case "ssn":
		a = "Do not return Social Security numbers; return the last four digits at most, and only to callers " +
			"authorised for that person. Keep SSNs encrypted at rest and out of response serializers."
	default:
		a = "Return other users' email addresses only to callers who need them: drop the field from list and " +
			"public endpoints, mask it (a***@example.com), and check object- and property-level authorization."
	}
	switch {
	case st == nil:
	case st.Has("django"):
		a += " In Django REST Framework, list the fields explicitly in the serializer's Meta.fields " +
			"(never \"__all__\") or use a separate public serializer."
	case st.Has("express"), st.Has("node"):
		a += " In Node, build response objects from an allow-list of fields (or a schema such as " +
			"fast-json-stringify/class-transformer) instead of sending database rows."
	case st.Has("spring"), st.Has("java"):
		a += " In Spring, return DTOs that omit the field, or mark it @JsonIgnore."
	case st.Has("rails"):
		a += " In Rails, list the attributes in the serializer/jbuilder view instead of as_json on the model."
	case st.Has("laravel"):
		a += " In Laravel, add the attribute to the model's $hidden or use an API Resource."
	}
	return a
}
