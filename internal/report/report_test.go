package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parapet-scanner/parapet/internal/finding"
	"github.com/parapet-scanner/parapet/internal/fingerprint"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func intp(v int) *int { return &v }

// sampleReport is a fixed report with hostile target text in every field a
// target can influence.
func sampleReport() *Report {
	cats := map[finding.Category]*int{}
	for _, c := range finding.Categories {
		cats[c] = nil
	}
	cats[finding.DataExposure] = intp(45)
	cats[finding.Encryption] = intp(100)
	cats[finding.Deserialization] = intp(82)
	f1 := finding.Finding{
		Check: "data-exposure/debug-page", Category: finding.DataExposure, Severity: finding.High,
		Confidence: finding.Confirmed, Title: "Django debug page (DEBUG = True)",
		Description: "The server shows Django's technical error page \x1b[31mwith settings\x1b[0m and source code.",
		Remediation: "Set DEBUG = False in production settings.",
		Location:    finding.Location{Method: "GET", URL: "http://127.0.0.1:8000/api/items/x", Path: "/api/items/{id}", In: finding.InPath, Param: "id"},
		Evidence: []finding.Evidence{{
			Request:  "GET /api/items/x HTTP/1.1\nHost: 127.0.0.1:8000",
			Response: "HTTP/1.1 500 Internal Server Error\nContent-Type: text/html\n\n<h1>ValidationException</h1>\x1b]0;pwned\x07<script>alert(1)</script>",
			Note:     "Django Version: 3.2.19",
		}},
		Details:   map[string]any{"framework": "django"},
		Reproduce: "curl -i 'http://127.0.0.1:8000/api/items/x'",
	}
	f2 := finding.Finding{
		Check: "encryption/plain-http", Category: finding.Encryption, Severity: finding.Info, Confidence: finding.Confirmed,
		Title: "API served over plain HTTP", Location: finding.Location{In: finding.InSite, Path: "/", URL: "http://127.0.0.1:8000/"},
	}
	f1.Normalize()
	f2.Normalize()
	r := &Report{
		SchemaVersion: SchemaVersion,
		Tool:          Tool{Name: "parapet", Version: "v0.0.0-test"},
		Target:        "http://127.0.0.1:8000/",
		StartedAt:     time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC),
		DurationMS:    1234,
		Score:         55,
		Grade:         "F",
		Categories:    cats,
		Stack:         []fingerprint.Tech{{Name: "django", Version: "3.2.19", Evidence: "debug page \x1b[2J"}},
		Stats:         Stats{Requests: 42, BytesRead: 1000},
		Warnings:      []string{"target sent \x07 bells"},
		Findings:      []finding.Finding{f1, f2},
	}
	SortFindings(r.Findings)
	return r
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./internal/report -update to accept):\n%s", name, got)
	}
}

func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		file string
		w    Writer
	}{
		{"report.txt", &Text{}},
		{"report-color.txt", &Text{Color: true}},
		{"report.json", JSON{}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			var buf bytes.Buffer
			if err := tc.w.Write(&buf, sampleReport()); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.file, buf.Bytes())
		})
	}
}

func TestText_NoTargetEscapeReachesTerminal(t *testing.T) {
	var buf bytes.Buffer
	if err := (&Text{}).Write(&buf, sampleReport()); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"\x1b", "\x07", "\x9b"} {
		if strings.Contains(buf.String(), bad) {
			t.Fatalf("text report contains control byte %q", bad)
		}
	}
}

func TestJSON_ContractFields(t *testing.T) {
	var buf bytes.Buffer
	if err := (JSON{}).Write(&buf, &Report{SchemaVersion: SchemaVersion, Categories: map[finding.Category]*int{}}); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"schema_version", "tool", "target", "started_at", "duration_ms", "score", "grade",
		"categories", "stack", "stats", "warnings", "findings"} {
		if _, ok := m[k]; !ok {
			t.Errorf("missing top-level key %q", k)
		}
	}
	for _, k := range []string{"stack", "warnings", "findings"} {
		if _, ok := m[k].([]any); !ok {
			t.Errorf("%s must be an array, got %T", k, m[k])
		}
	}
}

func TestLookup(t *testing.T) {
	if _, err := Lookup("json"); err != nil {
		t.Fatal(err)
	}
	if _, err := Lookup("yaml"); err == nil || !strings.Contains(err.Error(), "text") {
		t.Fatalf("unknown format error should list the formats, got %v", err)
	}
}
