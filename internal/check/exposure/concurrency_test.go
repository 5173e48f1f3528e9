package exposure

import (
	"sync"
	"testing"

	"github.com/parapet-scanner/parapet/internal/engine"
	"github.com/parapet-scanner/parapet/internal/finding"
)

// Inspect and DetectStack run concurrently on every exchange of a scan.
func TestInspect_ConcurrentUse(t *testing.T) {
	files := []struct{ file, ct string }{
		{"django-500.html", "text/html"}, {"users-lab.json", "application/json"}, {"config-lab.json", "application/json"},
		{"werkzeug-debugger.html", "text/html"}, {"psycopg2.json", "application/json"},
	}
	tgt := testTarget(t)
	c := New()
	var exs []*engine.Exchange
	for _, f := range files {
		exs = append(exs, makeExchange(t, exchangeOpts{status: 500, ct: f.ct, file: f.file}))
	}
	big := makeExchange(t, exchangeOpts{ct: "application/json"})
	big.Body = benchJSON(t)[:64<<10]
	exs = append(exs, big)
	var wg sync.WaitGroup
	var mu sync.Mutex
	count := map[string]int{}
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 5; i++ {
				for _, ex := range exs {
					c.DetectStack(ex)
					c.Inspect(tgt, ex, func(f finding.Finding) {
						mu.Lock()
						count[f.Check]++
						mu.Unlock()
					})
				}
			}
		}()
	}
	wg.Wait()
	if count[KindDebugPage] == 0 || count[KindSecret] == 0 || count[KindPersonalData] == 0 || count[KindInternalError] == 0 {
		t.Fatalf("counts %v", count)
	}
}

// The anchor pass remembered for an exchange is only reused for that
// exchange, never for another with the same body length.
func TestPageCache_KeyedByExchange(t *testing.T) {
	a := makeExchange(t, exchangeOpts{status: 500, ct: "text/plain", body: pad("Traceback (most recent call last):\n  File \"/app/x.py\", line 3, in f\nKeyError: 'k'\n")})
	b := makeExchange(t, exchangeOpts{status: 500, ct: "text/plain", body: pad("nothing to see here at all, only an ordinary text body ok...")})
	if len(a.Body) != len(b.Body) {
		t.Fatal("bodies should have the same length")
	}
	if len(DetectStack(a)) == 0 {
		t.Fatal("traceback not seen")
	}
	if fs := inspect(t, testTarget(t), b); len(fs) != 0 {
		t.Fatalf("findings from another exchange's cached pass: %v", fs)
	}
}

func pad(s string) string {
	for len(s) < minCachedBody+10 {
		s += " "
	}
	return s[:minCachedBody+10]
}
