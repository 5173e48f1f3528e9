package discover

import (
	"context"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/parapet-scanner/parapet/internal/engine"
	"github.com/parapet-scanner/parapet/internal/fingerprint"
)

// TestLab_DjangoDynamo runs discovery against the django-dynamo lab when
// PARAPET_LAB_DJANGO_URL names it (start it with labs/django-dynamo/start.sh).
func TestLab_DjangoDynamo(t *testing.T) {
	raw := os.Getenv("PARAPET_LAB_DJANGO_URL")
	if raw == "" {
		t.Skip("PARAPET_LAB_DJANGO_URL not set")
	}
	start, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	c, err := engine.New(engine.Options{
		Scope:  engine.Scope{Hosts: []string{start.Host}},
		Budget: engine.Budget{Timeout: 10 * time.Second, MaxRequests: 300},
	})
	if err != nil {
		t.Fatal(err)
	}
	var warnings []string
	res, err := Run(context.Background(), c, start, Options{
		Warn:     func(s string) { warnings = append(warnings, s) },
		Progress: func(s string) { t.Log("progress:", s) },
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range warnings {
		t.Log("warning:", w)
	}
	inv := res.Inventory
	t.Logf("spec %s (%s)", inv.SpecURL, inv.SpecVersion)
	spec := 0
	for _, op := range inv.Operations() {
		t.Logf("op %-6s %-28s %-6s %s %d params", op.Method, op.Path, op.Source, op.URL, len(op.Parameters))
		if op.Source == "spec" {
			spec++
		}
	}
	for _, tech := range res.Stack.List() {
		t.Logf("stack %s %s (%s)", tech.Name, tech.Version, tech.Evidence)
	}
	if spec == 0 || inv.SpecVersion == "" {
		t.Errorf("no spec operations found")
	}
	for _, op := range []string{"GET /api/cart/", "GET /api/items/{item_id}", "POST /api/cart/"} {
		found := false
		for _, o := range inv.Operations() {
			found = found || o.Key() == op
		}
		if !found {
			t.Errorf("missing %s", op)
		}
	}
	if !res.Stack.Has(fingerprint.Django) {
		t.Errorf("django not fingerprinted")
	}
	if !res.Stack.Has(fingerprint.DynamoDB) {
		t.Errorf("dynamodb not fingerprinted")
	}
}
