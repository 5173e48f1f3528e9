package hostile

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/parapet-scanner/parapet/internal/scan"
)

func TestHostile_HugeRetryAfterEndsWithinMaxDuration(t *testing.T) {
	for name, c := range map[string]struct {
		status     int
		retryAfter string
	}{
		"429 seconds": {http.StatusTooManyRequests, "999999999"},
		"503 date":    {http.StatusServiceUnavailable, "Fri, 31 Dec 9999 23:59:59 GMT"},
		"429 garbage": {http.StatusTooManyRequests, "-1e309"},
	} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", c.retryAfter)
				http.Error(w, "slow down", c.status)
			}))
			defer srv.Close()
			const maxDuration = 1500 * time.Millisecond
			rep, took := runScan(t, srv.URL+"/", func(cfg *scan.Config) { cfg.Budget.MaxDuration = maxDuration })
			if took > maxDuration+2*time.Second {
				t.Errorf("scan took %v with a max duration of %v", took, maxDuration)
			}
			if rep.Stats.Throttled == 0 {
				t.Errorf("throttled = 0 for a target answering %d: %+v", c.status, rep.Stats)
			}
			t.Logf("took %v, stats %+v", took, rep.Stats)
		})
	}
}
