package exposure

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parapet-scanner/parapet/internal/finding"
)

// FuzzInspect feeds arbitrary bodies to the hand-written scanners (anchors,
// card numbers, emails, secrets, frames): they must not panic, and no
// finding may show a card number it found in full.
func FuzzInspect(f *testing.F) {
	entries, _ := os.ReadDir("testdata")
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join("testdata", e.Name()))
		if err == nil {
			f.Add(uint8(len(e.Name())%5), string(b))
		}
	}
	f.Add(uint8(0), `{"card":"4556 7375 8689 9855","ssn":"432-10-1234","a":"x@y.zz","b":"p@q.rr"}`)
	f.Add(uint8(1), "xoxb-1234567890-"+"AKIA"+"@@@--- 4111-1111-1111-1111 -----BEGIN PRIVATE KEY-----")
	f.Add(uint8(2), "ghp_\x00\xff sk_live_ AIza")
	cts := []string{"application/json", "text/html", "text/plain", "application/xml", ""}
	tgt := testTarget(f)
	f.Fuzz(func(t *testing.T, ct uint8, body string) {
		ex := makeExchange(t, exchangeOpts{status: 500, ct: cts[int(ct)%len(cts)], body: body})
		DetectStack(ex)
		New().Inspect(tgt, ex, func(fd finding.Finding) {
			if fd.Check != KindPersonalData {
				return
			}
			cards, _ := findCards([]byte(body))
			for _, c := range cards {
				for _, e := range fd.Evidence {
					if strings.Contains(e.Response, c) {
						t.Fatalf("card %s shown in evidence", c)
					}
				}
			}
		})
	})
}
