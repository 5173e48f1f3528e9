package inventory

import (
	"fmt"
	"net/http"

	"github.com/parapet-scanner/parapet/internal/check"
)

// Fixtures returns a vulnerable and a safe target for the version-banner kind.
func (c *Check) Fixtures() []check.Fixture {
	return []check.Fixture{
		{
			Name: "version-banner",
			Kind: KindVersionBanner,
			Vulnerable: withHeaders(http.Header{
				"Server":       {"Apache/2.4.41 (Ubuntu)"},
				"X-Powered-By": {"PHP/8.1.2-1ubuntu2.14"},
			}),
			Safe: withHeaders(http.Header{
				"Server":       {"nginx"},
				"X-Powered-By": {"Express"},
				"Via":          {"1.1 vegur"},
				"X-Runtime":    {"0.012873"},
			}),
		},
	}
}

func withHeaders(h http.Header) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range h {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"ok":true}`)
	})
}
