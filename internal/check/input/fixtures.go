package input

import (
	"fmt"
	"net/http"

	"github.com/parapet-scanner/parapet/internal/check"
)

// Fixtures returns a vulnerable and a safe target for each kind.
func (c *Check) Fixtures() []check.Fixture {
	return []check.Fixture{
		{
			Name: "cors",
			Kind: KindCORS,
			Vulnerable: api(func(w http.ResponseWriter, r *http.Request) {
				if o := r.Header.Get("Origin"); o != "" {
					w.Header().Set("Access-Control-Allow-Origin", o)
					w.Header().Set("Access-Control-Allow-Credentials", "true")
				}
			}),
			Safe: api(func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("Origin") == "https://app.example.com" {
					w.Header().Set("Access-Control-Allow-Origin", "https://app.example.com")
					w.Header().Set("Access-Control-Allow-Credentials", "true")
				}
				w.Header().Set("Vary", "Origin")
			}),
		},
		{
			Name: "dangerous-methods",
			Kind: KindDangerousMethods,
			Vulnerable: api(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodOptions {
					w.Header().Set("Allow", "GET, HEAD, POST, PUT, DELETE, TRACE, OPTIONS")
				}
			}),
			Safe: api(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodOptions {
					w.Header().Set("Allow", "GET, HEAD, OPTIONS")
				}
			}),
		},
		{
			Name:       "security-headers",
			Kind:       KindSecurityHeaders,
			Vulnerable: http.HandlerFunc(bareJSON),
			Safe:       api(nil),
		},
	}
}

// api is a JSON endpoint with the usual security headers; extra may add or
// change headers before the body is written.
func api(extra func(w http.ResponseWriter, r *http.Request)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "no-store")
		if extra != nil {
			extra(w, r)
		}
		if r.Method == http.MethodOptions {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		fmt.Fprint(w, `{"items":[{"id":1,"name":"widget"}]}`)
	})
}

func bareJSON(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprint(w, `{"items":[{"id":1,"name":"widget"}]}`)
}
