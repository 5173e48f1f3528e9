package transport

import (
	"fmt"
	"net/http"

	"github.com/parapet-scanner/parapet/internal/check"
)

// Fixtures returns a vulnerable and a safe target for each kind that a single
// httptest handler can show. encryption/tls and encryption/no-https-redirect
// need more than one handler (a trusted certificate, or an http and an https
// listener on one host); their tests build those servers themselves.
func (c *Check) Fixtures() []check.Fixture {
	return []check.Fixture{
		{
			Name:       "plain-http",
			Kind:       KindPlainHTTP,
			Vulnerable: jsonHandler(nil),
			Safe:       redirectToHTTPS(),
		},
		{
			Name:       "hsts",
			Kind:       KindHSTS,
			TLS:        true,
			Vulnerable: jsonHandler(nil),
			Safe:       jsonHandler(http.Header{"Strict-Transport-Security": {"max-age=31536000; includeSubDomains"}}),
		},
		{
			Name:       "cookie-flags",
			Kind:       KindCookieFlags,
			TLS:        true,
			Vulnerable: jsonHandler(http.Header{"Set-Cookie": {"sessionid=8f14e45fceea167a5a36dedd4bea2543; Path=/"}}),
			Safe: jsonHandler(http.Header{"Set-Cookie": {
				"sessionid=8f14e45fceea167a5a36dedd4bea2543; Path=/; Secure; HttpOnly; SameSite=Lax",
				"csrftoken=Zx81kQ2; Path=/; Secure; SameSite=Lax",
				"sessionid=; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/",
			}}),
		},
		{
			Name:       "mixed-content",
			Kind:       KindMixedContent,
			TLS:        true,
			Vulnerable: htmlHandler(`<script src="http://cdn.example.com/app.js"></script>`),
			Safe: htmlHandler(`<script src="https://cdn.example.com/app.js"></script>` +
				`<a href="http://example.com/docs">docs</a><!-- <script src="http://old.example.com/x.js"></script> -->` +
				`<script>var legacy = "<img src='http://example.com/x.png'>";</script>`),
		},
	}
}

func jsonHandler(h http.Header) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, vs := range h {
			for _, v := range vs {
				w.Header().Add(k, v)
			}
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"status":"ok","items":[]}`)
	})
}

func htmlHandler(body string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Strict-Transport-Security", "max-age=31536000")
		fmt.Fprint(w, `<!DOCTYPE html><html><head><title>Shop</title>`+
			`<link rel="stylesheet" href="/static/site.css"></head><body><h1>Shop</h1>`+body+`</body></html>`)
	})
}

// redirectToHTTPS sends every plain-http request to https on the same host,
// as a server that only serves HTTPS does.
func redirectToHTTPS() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS == nil {
			http.Redirect(w, r, "https://"+r.Host+r.URL.RequestURI(), http.StatusMovedPermanently)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"status":"ok"}`)
	})
}
