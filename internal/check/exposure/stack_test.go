package exposure

import (
	"sort"
	"strings"
	"testing"

	"github.com/parapet-scanner/parapet/internal/fingerprint"
)

func TestDetectStack(t *testing.T) {
	cases := []struct {
		name string
		ex   exchangeOpts
		want []string // name or name@version, sorted
	}{
		{"django 500 with botocore", exchangeOpts{status: 500, ct: "text/html", file: "django-500.html"},
			[]string{"botocore", "django@3.2.19", "dynamodb", "python@3.11.2"}},
		{"django 500 text with postgres", exchangeOpts{status: 500, ct: "text/plain", file: "django-500.txt"},
			[]string{"django@4.2.7", "postgresql", "python@3.12.1"}},
		{"django 404", exchangeOpts{status: 404, ct: "text/html", file: "django-404.html"}, []string{"django", "python"}},
		{"werkzeug with flask frames", exchangeOpts{status: 500, ct: "text/html", file: "werkzeug-debugger.html", server: "Werkzeug/2.3.7 Python/3.11.2"},
			[]string{"flask", "python", "werkzeug@2.3.7"}},
		{"express", exchangeOpts{status: 500, ct: "text/html", file: "express-dev.html"}, []string{"express", "node"}},
		{"spring whitelabel without trace", exchangeOpts{status: 404, ct: "text/html", file: "spring-whitelabel.html"}, []string{"java", "spring"}},
		{"spring whitelabel with trace", exchangeOpts{status: 500, ct: "text/html", file: "spring-whitelabel-trace.html"}, []string{"java", "spring"}},
		{"php with PDO", exchangeOpts{status: 500, ct: "text/html", file: "php-fatal.html"}, []string{"php"}},
		{"laravel", exchangeOpts{status: 500, ct: "application/json", file: "laravel-debug.json"}, []string{"laravel", "php"}},
		{"rails", exchangeOpts{status: 500, ct: "text/html", file: "rails-dev.html"}, []string{"rails", "ruby"}},
		{"asp.net ysod", exchangeOpts{status: 500, ct: "text/html", file: "aspnet-ysod.html"}, []string{"aspnet@4.8.4465.0", "dotnet@4.0.30319"}},
		{"asp.net runtime error without details", exchangeOpts{status: 500, ct: "text/html", file: "aspnet-runtime-error.html"}, []string{"aspnet"}},
		{"go panic", exchangeOpts{status: 500, ct: "text/plain", file: "go-panic.txt"}, []string{"go"}},
		{"mysql", exchangeOpts{status: 200, ct: "text/html", file: "mysql-syntax.html"}, []string{"mysql", "php"}},
		{"sqlite", exchangeOpts{status: 500, ct: "text/plain", file: "sqlite.txt"}, []string{"python", "sqlite"}},
		{"psycopg2", exchangeOpts{status: 500, ct: "application/json", file: "psycopg2.json"}, []string{"postgresql", "python"}},
		{"mongodb", exchangeOpts{status: 409, ct: "application/json", file: "mongo-e11000.json"}, []string{"mongodb"}},
		{"dynamodb js", exchangeOpts{status: 400, ct: "application/json", file: "dynamodb-js.json"}, []string{"dynamodb"}},
		{"oracle via jdbc", exchangeOpts{status: 500, ct: "text/html", file: "oracle.html"}, []string{"oracle"}},
		{"plain JSON", exchangeOpts{status: 500, ct: "application/json", body: `{"error":"internal"}`}, nil},
		{"users list", exchangeOpts{ct: "application/json", file: "users-lab.json"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := techStrings(DetectStack(makeExchange(t, tc.ex)))
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func techStrings(ts []fingerprint.Tech) []string {
	var out []string
	for _, t := range ts {
		if t.Evidence == "" {
			out = append(out, "missing evidence:"+t.Name)
		}
		s := t.Name
		if t.Version != "" {
			s += "@" + t.Version
		}
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

func TestDetectStack_MethodMatchesFunction(t *testing.T) {
	ex := makeExchange(t, exchangeOpts{status: 500, ct: "text/html", file: "django-500.html"})
	a, b := techStrings(DetectStack(ex)), techStrings(New().DetectStack(ex))
	if strings.Join(a, ",") != strings.Join(b, ",") {
		t.Fatalf("%v != %v", a, b)
	}
}

func TestDetectStack_NoResponse(t *testing.T) {
	ex := makeExchange(t, exchangeOpts{})
	ex.Status = 0
	if DetectStack(ex) != nil {
		t.Fatal("an exchange without a response reveals nothing")
	}
}
