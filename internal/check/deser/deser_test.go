package deser

import (
	"net/http"
	"strings"
	"testing"

	"github.com/parapet-scanner/parapet/internal/check/checktest"
	"github.com/parapet-scanner/parapet/internal/finding"
)

func TestFixtures(t *testing.T) {
	c := New()
	for _, fx := range c.Fixtures() {
		t.Run(fx.Name, func(t *testing.T) {
			if got := checktest.Run(t, c, fx.Vulnerable, checktest.Options{}); !checktest.Has(got, fx.Kind) {
				t.Errorf("vulnerable fixture: no %s in %v", fx.Kind, got)
			}
			if got := checktest.Run(t, c, fx.Safe, checktest.Options{}); len(got) != 0 {
				t.Errorf("safe fixture: unexpected findings %v", got)
			}
		})
	}
}

func TestPickleInJSONField_NamesClassesAndField(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"items":[{"id":1,"state":"` + samplePickle + `"},{"id":2,"state":"` + samplePickle + `"}]}`))
	})
	got := checktest.Run(t, New(), h, checktest.Options{})
	if len(got) != 1 {
		t.Fatalf("want one finding for items[].state, got %d: %+v", len(got), got)
	}
	f := got[0]
	if f.Check != "deserialization/python-pickle" || f.Location.In != finding.InResponseBody || f.Location.Param != "items[].state" {
		t.Fatalf("finding = %+v", f.Location)
	}
	classes, _ := f.Details["classes"].([]string)
	if len(classes) == 0 || !strings.Contains(strings.Join(classes, " "), "demo_shop.models") {
		t.Fatalf("classes = %v", f.Details["classes"])
	}
	if f.Confidence != finding.Tentative || f.Severity != finding.High {
		t.Fatalf("passive pickle must be high/tentative, got %s/%s", f.Severity, f.Confidence)
	}
}

func TestPickleInUserQuery_Reported(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) })
	got := checktest.Run(t, New(), h, checktest.Options{Path: "/api/cart?state=" + samplePickle})
	if !checktest.Has(got, "deserialization/python-pickle") || got[0].Location.In != finding.InQuery || got[0].Location.Param != "state" {
		t.Fatalf("got %+v", got)
	}
}

func TestDeser_DjangoRemediation(t *testing.T) {
	got := checktest.Run(t, New(), New().Fixtures()[0].Vulnerable, checktest.Options{})
	if len(got) == 0 || !strings.Contains(got[0].Remediation, "JSON") {
		t.Fatalf("remediation missing: %+v", got)
	}
}

func TestDeser_OrdinaryJSONIsQuiet(t *testing.T) {
	bodies := []string{
		`{"id":"3fa85f64-5717-4562-b3fc-2c963f66afa6","token":"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlc2lnbmF0dXJl"}`,
		`{"image":"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="}`,
		`{"hash":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08","text":"Hello, world. This is plain text."}`,
	}
	for _, b := range bodies {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(b))
		})
		if got := checktest.Run(t, New(), h, checktest.Options{}); len(got) != 0 {
			t.Errorf("%s: unexpected %+v", b[:30], got)
		}
	}
}

func TestNormalizeParam(t *testing.T) {
	for in, want := range map[string]string{"a[0].b[12].c": "a[].b[].c", "state": "state", "[3]": "[]"} {
		if got := normalizeParam(in); got != want {
			t.Errorf("normalizeParam(%q) = %q, want %q", in, got, want)
		}
	}
}
