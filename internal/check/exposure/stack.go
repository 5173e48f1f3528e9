package exposure

import (
	"bytes"

	"github.com/parapet-scanner/parapet/internal/engine"
	"github.com/parapet-scanner/parapet/internal/fingerprint"
)

// frameworkLanguage is the language a framework named by a debug page runs on.
var frameworkLanguage = map[string]string{
	"django": "python", "werkzeug": "python", "flask": "python", "starlette": "python",
	"rails": "ruby", "laravel": "php", "whoops": "php", "symfony": "php", "spring": "java", "express": "node",
}

// frameHints name frameworks by the paths and packages in their stack frames.
var frameHints = []struct{ lit, name string }{
	{"/flask/app.py", "flask"},
	{"/django/core/handlers/", "django"},
	{"node_modules/express/", "express"},
	{"org.springframework.", "spring"},
	{"/actionpack-", "rails"},
	{"Illuminate\\", "laravel"},
	{"Microsoft.AspNetCore.", "aspnet"},
}

// DetectStack returns what the debug pages, stack traces and data-store
// errors in ex reveal about the target's stack: the framework (with the
// version the page shows, such as "Django Version: 3.2.19"), the language,
// and the data store and its client library (dynamodb and botocore,
// postgresql, mysql, sqlite, mongodb, …). It is pure and safe for concurrent
// use; the scan adds its result to Target.Stack.
func DetectStack(ex *engine.Exchange) []fingerprint.Tech {
	p := newPage(ex)
	if p == nil || p.hits.empty() {
		return nil
	}
	return stackOf(p, detectDebug(p), detectStoreErrors(p))
}

func stackOf(p *page, debug []debugHit, stores []storeHit) []fingerprint.Tech {
	var out []fingerprint.Tech
	seen := map[string]int{}
	add := func(name, version, evidence string) {
		if name == "" {
			return
		}
		if i, ok := seen[name]; ok {
			if out[i].Version == "" && version != "" {
				out[i].Version = version
			}
			return
		}
		seen[name] = len(out)
		out = append(out, fingerprint.Tech{Name: name, Version: version, Evidence: evidence})
	}
	b := p.body
	for _, d := range debug {
		add(d.framework, d.version, d.signal)
		if lang := frameworkLanguage[d.framework]; lang != "" {
			version := ""
			if lang == "python" && d.framework == "django" {
				if m := pythonVersionRe.FindSubmatch(b); m != nil {
					version = string(m[1])
				}
			}
			add(lang, version, d.signal)
		}
		if d.framework == "aspnet" {
			if m := dotnetVersionRe.FindSubmatch(b); m != nil {
				add("dotnet", string(m[1]), d.signal)
			}
		}
	}
	if len(debug) > 0 {
		for _, h := range frameHints {
			if bytes.Contains(b, []byte(h.lit)) {
				add(h.name, "", "stack frames in an error response")
				if lang := frameworkLanguage[h.name]; lang != "" {
					add(lang, "", "stack frames in an error response")
				}
			}
		}
	}
	// Default error pages that show no trace still name the framework.
	if p.hits.has(aWhitelabel) && p.class == classHTML {
		add("spring", "", "Spring Boot Whitelabel error page")
		add("java", "", "Spring Boot Whitelabel error page")
	}
	if p.hits.has(aAspYSOD) && bytes.Contains(b, []byte(" Application.")) {
		v := ""
		if m := aspnetVersionRe.FindSubmatch(b); m != nil {
			v = string(m[1])
		}
		add("aspnet", v, "ASP.NET error page")
	}
	for _, s := range stores {
		if s.store != "sql" && s.store != "aws" {
			add(s.store, "", s.signal)
		}
		if s.client == "botocore" {
			add("botocore", "", s.signal)
		}
		add(s.lang, "", s.signal)
	}
	return out
}
