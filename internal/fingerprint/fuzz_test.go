package fingerprint

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/parapet-scanner/parapet/internal/engine"
)

// FuzzDetect feeds arbitrary headers, cookies and bodies to Detect: it must
// not panic, and what it returns must be bounded.
func FuzzDetect(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*"))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(500, "nginx/1.25.3", "PHP/8.2.7", "csrftoken=abc; Path=/", b)
		}
	}
	f.Add(404, "Werkzeug/2.2.2 Python/3.11.2", "", "session=eyJ1c2VyX2lkIjoxfQ.ZeXx8A.3kJq9wLZ0nq7mB2p5RtYc1vUo8E", []byte(`{"detail":"Not Found"}`))
	f.Add(200, "Jetty(9.4.44.v20210927)", "Express, Next.js", "XSRF-TOKEN=eyJpdiI6Ii; Path=/", []byte(`{"timestamp":"x","status":404,"error":"Not Found","path":"/"}`))
	f.Fuzz(func(t *testing.T, status int, server, poweredBy, setCookie string, body []byte) {
		h := http.Header{}
		h.Set("Server", server)
		h.Set("X-Powered-By", poweredBy)
		h.Add("Set-Cookie", setCookie)
		ex := &engine.Exchange{Status: status%600 + 1, Header: h, Body: body}
		seen := map[string]bool{}
		for _, tech := range Detect(ex) {
			if tech.Name == "" || seen[tech.Name] {
				t.Fatalf("bad or duplicate component %+v", tech)
			}
			seen[tech.Name] = true
			if len(tech.Evidence) > maxEvidence+4 || len(tech.Version) > maxVersion {
				t.Fatalf("unbounded output %+v", tech)
			}
		}
	})
}
