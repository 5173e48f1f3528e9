package deser_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/parapet-scanner/parapet/internal/check/deser"
	"github.com/parapet-scanner/parapet/internal/finding"
	"github.com/parapet-scanner/parapet/internal/scan"
)

// TestScan_ProofRaisesThePassiveFinding runs a whole scan of the active-proof
// fixture: the passive pickle finding on cookie profile and its proof share
// one id, and the scan's merge reports one finding, critical and confirmed,
// still naming the blob's classes.
func TestScan_ProofRaisesThePassiveFinding(t *testing.T) {
	for _, f := range deser.New().Fixtures() {
		if f.Name != "pickle cookie restored by the server (active proof)" {
			continue
		}
		srv := httptest.NewServer(f.Vulnerable)
		defer srv.Close()
		rep, err := scan.Run(context.Background(), scan.Config{Target: srv.URL + "/",
			Selection: scan.Selection{Checks: []string{"deserialization"}}, Runtime: scan.Runtime{Version: "test"}})
		if err != nil {
			t.Fatal(err)
		}
		var got []finding.Finding
		for _, f := range rep.Findings {
			if f.Check == "deserialization/python-pickle" && f.Location.In == finding.InCookie && f.Location.Param == "profile" {
				got = append(got, f)
			}
		}
		if len(got) != 1 {
			t.Fatalf("want one merged finding for cookie profile, got %d: %+v", len(got), rep.Findings)
		}
		if got[0].Severity != finding.Critical || got[0].Confidence != finding.Confirmed {
			t.Errorf("merge kept %s/%s, want critical/confirmed", got[0].Severity, got[0].Confidence)
		}
		if cls, _ := got[0].Details["classes"].([]string); len(cls) == 0 || cls[0] != "demo_shop.models.Profile" {
			t.Errorf("classes %v", got[0].Details["classes"])
		}
		if got[0].Details["proof"] != "canary-class-not-found" {
			t.Errorf("details %v", got[0].Details)
		}
		return
	}
	t.Fatal("fixture not found")
}
