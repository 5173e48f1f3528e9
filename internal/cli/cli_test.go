package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parapet-scanner/parapet/internal/demo"
	"github.com/parapet-scanner/parapet/internal/finding"
	"github.com/parapet-scanner/parapet/internal/report"
	"github.com/parapet-scanner/parapet/internal/report/reporttest"
	"github.com/parapet-scanner/parapet/internal/scan"
)

type result struct {
	code           int
	stdout, stderr string
}

func runCLI(t *testing.T, ctx context.Context, hook func(*scan.Config), args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdout: &out, stderr: &errb, getenv: func(string) string { return "" }, scanHook: hook}
	code := run(ctx, args, e)
	return result{code, out.String(), errb.String()}
}

func fast(c *scan.Config) { c.Budget.Rate = 0 }

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no url", []string{"scan"}, "exactly one URL"},
		{"two urls", []string{"scan", "http://127.0.0.1/", "http://127.0.0.1/"}, "exactly one URL"},
		{"bad scheme", []string{"scan", "ftp://127.0.0.1/"}, "http:// or https://"},
		{"no host", []string{"scan", "http:///path"}, "no host"},
		{"not a url", []string{"scan", "127.0.0.1:8080"}, "http"},
		{"bad port", []string{"scan", "http://127.0.0.1:99999/"}, "port"},
		{"unknown flag", []string{"scan", "--bogus", "http://127.0.0.1/"}, "unknown flag"},
		{"bad duration", []string{"scan", "--timeout", "soon", "http://127.0.0.1/"}, "invalid argument"},
		{"bad profile", []string{"scan", "--profile", "turbo", "http://127.0.0.1/"}, "--profile"},
		{"bad format", []string{"scan", "-f", "yaml", "http://127.0.0.1/"}, "unknown format"},
		{"two stdout formats", []string{"scan", "-f", "json", "-f", "text", "http://127.0.0.1/"}, "at most one"},
		{"bad size", []string{"scan", "--max-body", "lots", "http://127.0.0.1/"}, "--max-body"},
		{"bad header", []string{"scan", "--header", "NoColonHere", "http://127.0.0.1/"}, "Name: value"},
		{"fail-below range", []string{"scan", "--fail-below", "101", "http://127.0.0.1/"}, "--fail-below"},
		{"fail-on word", []string{"scan", "--fail-on", "scary", "http://127.0.0.1/"}, "--fail-on"},
		{"unknown check", []string{"scan", "--checks", "nope", "--dry-run", "http://127.0.0.1/"}, "unknown check"},
		{"missing spec", []string{"scan", "--spec", "/nonexistent/openapi.yaml", "http://127.0.0.1/"}, "--spec"},
		{"output dir missing", []string{"scan", "-f", "json=/nonexistent/dir/r.json", "http://127.0.0.1/"}, "does not exist"},
		{"unknown command", []string{"scna"}, "unknown command"},
		{"fail-below negative", []string{"scan", "--fail-below", "-5", "http://127.0.0.1/"}, "--fail-below"},
		{"same file twice", []string{"scan", "-f", "text=" + os.TempDir() + "/r", "-f", "json=" + os.TempDir() + "/r", "http://127.0.0.1/"}, "same file"},
		{"rate not a number", []string{"scan", "--rate", "abc", "http://127.0.0.1/"}, "--rate: not a number"},
		{"no checks left", []string{"scan", "--checks", "input-validation/cors", "--skip-checks", "input-validation", "--dry-run", "http://127.0.0.1/"}, "no check"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, context.Background(), nil, tc.args...)
			if r.code != ExitUsage {
				t.Fatalf("exit %d, want 2; stderr %q", r.code, r.stderr)
			}
			if !strings.Contains(r.stderr, tc.want) {
				t.Fatalf("stderr %q does not mention %q", r.stderr, tc.want)
			}
			if strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
				t.Fatalf("want one line on stderr, got %q", r.stderr)
			}
			if r.stdout != "" {
				t.Fatalf("stdout must stay empty on error, got %q", r.stdout)
			}
		})
	}
}

func TestBadHeaderValueIsNotEchoed(t *testing.T) {
	r := runCLI(t, context.Background(), nil, "scan", "--header", "Authorization Bearer supersecrettoken", "http://127.0.0.1/")
	if r.code != ExitUsage || strings.Contains(r.stderr, "supersecrettoken") {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestVersionAndChecks(t *testing.T) {
	r := runCLI(t, context.Background(), nil, "version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "parapet ") {
		t.Fatalf("version: %+v", r)
	}
	r = runCLI(t, context.Background(), nil, "checks")
	if r.code != 0 || !strings.Contains(r.stdout, "deserialization/python-pickle") || !strings.Contains(r.stdout, "CATEGORY") {
		t.Fatalf("checks: %+v", r)
	}
}

func TestConnectionRefused_Exit3(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	r := runCLI(t, context.Background(), fast, "scan", "http://"+addr+"/")
	if r.code != ExitCannotRun || !strings.Contains(r.stderr, "connection refused") {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestDNSFailure_Exit3(t *testing.T) {
	hook := func(c *scan.Config) {
		fast(c)
		c.Runtime.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: "api.invalid", IsNotFound: true}}
		}
	}
	r := runCLI(t, context.Background(), hook, "scan", "http://api.invalid/")
	if r.code != ExitCannotRun || !strings.Contains(r.stderr, "DNS") {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestDryRun_SendsNothing(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer srv.Close()
	r := runCLI(t, context.Background(), nil, "scan", "--dry-run", "--header", "Authorization: Bearer topsecret", srv.URL+"/")
	if r.code != 0 || !strings.Contains(r.stdout, "dry run") || hits.Load() != 0 {
		t.Fatalf("exit %d, hits %d, stdout %q", r.code, hits.Load(), r.stdout)
	}
	if strings.Contains(r.stdout, "topsecret") {
		t.Fatal("the plan shows a header value")
	}
}

func TestDemo_JSONMatchesSchemaAndFindsThePlantedFlaws(t *testing.T) {
	r := runCLI(t, context.Background(), fast, "demo", "-f", "json")
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	if err := reporttest.Validate([]byte(r.stdout)); err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Grade    string
		Findings []struct{ Check, Severity, Confidence string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, f := range rep.Findings {
		found[f.Check] = true
		found[f.Check+" "+f.Severity+"/"+f.Confidence] = true
	}
	if !found["deserialization/python-pickle critical/confirmed"] {
		t.Errorf("demo: the restored pickle must be critical/confirmed: %v", found)
	}
	for _, k := range []string{"input-validation/cors", "data-exposure/secret", "data-exposure/personal-data", "data-exposure/internal-error"} {
		if !found[k] {
			t.Errorf("demo: no %s finding", k)
		}
	}
	if rep.Grade != "F" && rep.Grade != "D" {
		t.Errorf("demo grade %s: the demo API is badly vulnerable", rep.Grade)
	}
}

func TestGates(t *testing.T) {
	srv, err := demo.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	r := runCLI(t, context.Background(), fast, "scan", "--quiet", "--fail-below", "100", "-f", "json", srv.URL)
	if r.code != ExitGateFailed || !strings.Contains(r.stdout, `"schema_version"`) {
		t.Fatalf("--fail-below 100 on a vulnerable API: exit %d (stderr %q)", r.code, r.stderr)
	}
	r = runCLI(t, context.Background(), fast, "scan", "--fail-below", "0", "--fail-on", "critical", "-f", "json", srv.URL)
	if r.code != ExitOK && r.code != ExitGateFailed {
		t.Fatalf("exit %d", r.code)
	}
	r = runCLI(t, context.Background(), fast, "scan", "--quiet", "--fail-on", "info", "-f", "json", srv.URL)
	if r.code != ExitGateFailed || !strings.Contains(r.stderr, "gate failed") || strings.Count(r.stderr, "\n") != 1 {
		t.Fatalf("--fail-on info with findings: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestOutputFiles(t *testing.T) {
	srv, err := demo.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	dir := t.TempDir()
	jsonPath := filepath.Join(dir, "r.json")
	r := runCLI(t, context.Background(), fast, "scan", "-f", "json="+jsonPath, "-f", "text", srv.URL)
	if r.code != 0 || !strings.Contains(r.stdout, "Grade") {
		t.Fatalf("exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	data, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := reporttest.Validate(data); err != nil {
		t.Fatal(err)
	}
	r = runCLI(t, context.Background(), fast, "scan", "--quiet", "-f", "json=-", srv.URL)
	if r.code != 0 || reporttest.Validate([]byte(r.stdout)) != nil {
		t.Fatalf("-f json=- must write JSON to stdout: exit %d", r.code)
	}
	textPath := filepath.Join(dir, "r.txt")
	r = runCLI(t, context.Background(), fast, "scan", "-f", "text", "-o", textPath, srv.URL)
	if r.code != 0 || r.stdout != "" {
		t.Fatalf("-o: exit %d stdout %q", r.code, r.stdout)
	}
	if b, _ := os.ReadFile(textPath); !bytes.Contains(b, []byte("Score")) {
		t.Fatal("-o did not write the text report")
	}
}

func TestInterrupt_Exit130WithPartialReport(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"links":["/slow"]}`))
			return
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(500*time.Millisecond, cancel)
	path := filepath.Join(t.TempDir(), "partial.json")
	r := runCLI(t, ctx, fast, "scan", "-f", "json="+path, srv.URL+"/")
	if r.code != ExitInterrupted {
		t.Fatalf("exit %d, want 130; stderr %q", r.code, r.stderr)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("partial report not written: %v", err)
	}
	if !bytes.Contains(data, []byte(`"interrupted": true`)) {
		t.Fatalf("partial report does not say it was interrupted: %s", data[:200])
	}
}

func TestHostileTarget_NoEscapeReachesTerminal(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Note", "evil\u202e/1.0 \u009b1m") // Go's client refuses raw ESC in headers; C1 and bidi pass
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(500)
		_, _ = w.Write([]byte("Traceback (most recent call last):\n  File \"/app/x.py\", line 1, in <module>\n\x1b[2J\x1b[31mValueError: \x9b1mboom\r\n"))
	}))
	defer srv.Close()
	r := runCLI(t, context.Background(), fast, "scan", srv.URL+"/")
	if r.code != 0 {
		t.Fatalf("exit %d stderr %q", r.code, r.stderr)
	}
	for _, bad := range []string{"\x1b", "\x07", "\u009b", "\r", "\u202e"} {
		if strings.Contains(r.stdout, bad) || strings.Contains(r.stderr, bad) {
			t.Fatalf("control byte %q reached the terminal", bad)
		}
	}
}

func TestExitCodeMapping(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want int
	}{
		{nil, 0},
		{errGateFailed, 1},
		{usagef("x"), 2},
		{scan.ErrUsage, 2},
		{scan.ErrCannotRun, 3},
		{errors.Join(scan.ErrInterrupted, errors.New("write failed")), 130},
	} {
		if got := exitCode(tc.err); got != tc.want {
			t.Errorf("exitCode(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"2MiB": 2 << 20, "512KiB": 512 << 10, "1000": 1000, "1MB": 1e6, "1.5M": 3 << 19} {
		got, err := parseSize(in)
		if err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "0", "-1MiB", "lots", "1TiB"} {
		if _, err := parseSize(bad); err == nil {
			t.Errorf("parseSize(%q) accepted", bad)
		}
	}
}

func TestBadSpecFile_Exit2(t *testing.T) {
	srv, err := demo.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	spec := filepath.Join(t.TempDir(), "openapi.yaml")
	if err := os.WriteFile(spec, []byte("this: is: not: [an openapi document"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, context.Background(), fast, "scan", "--spec", spec, srv.URL)
	if r.code != ExitUsage || !strings.Contains(r.stderr, "spec") {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestSpecOnAnotherHost_FetchedButNotScanned(t *testing.T) {
	var specHits, otherHits atomic.Int64
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("127.0.0.2 unavailable: %v", err)
	}
	specSrv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/openapi.json" {
			otherHits.Add(1)
			return
		}
		specHits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"openapi":"3.0.3","info":{"title":"t","version":"1"},"servers":[{"url":"http://` + ln.Addr().String() + `/v1"}],` +
			`"paths":{"/items":{"get":{"responses":{"200":{"description":"ok"}}}}}}`))
	})}
	go func() { _ = specSrv.Serve(ln) }()
	defer specSrv.Close()
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("{}")) }))
	defer target.Close()
	r := runCLI(t, context.Background(), fast, "scan", "--spec", "http://"+ln.Addr().String()+"/openapi.json", "-f", "json", target.URL+"/")
	if r.code != 0 {
		t.Fatalf("exit %d stderr %q", r.code, r.stderr)
	}
	if specHits.Load() != 1 || otherHits.Load() != 0 {
		t.Fatalf("spec host: %d spec fetches, %d other requests; want 1 and 0", specHits.Load(), otherHits.Load())
	}
	var rep struct {
		Warnings []string
		Stats    struct{ Operations int }
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Stats.Operations < 2 || !strings.Contains(strings.Join(rep.Warnings, " "), "another host") {
		t.Fatalf("the spec's operations were not used on the target: %+v", rep)
	}
}

func TestGates_NothingTestedFailsTheScoreGate(t *testing.T) {
	r := &report.Report{Score: 100, Categories: map[finding.Category]*int{finding.BOLA: nil}}
	if err := (gates{failBelow: 90}).check(r); !errors.Is(err, errGateFailed) {
		t.Fatalf("an untested scan passed --fail-below: %v", err)
	}
	if err := (gates{failBelow: -1}).check(r); err != nil {
		t.Fatalf("no gate asked, got %v", err)
	}
}

func TestHeaderSecrets_NeverInReport(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A debug page that echoes the request's cookies and headers.
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(500)
		fmt.Fprintf(w, "Traceback (most recent call last):\n  File \"/app/v.py\", line 3, in view\nKeyError: 'x'\nCOOKIES: %s\nAUTH: %s\n",
			r.Header.Get("Cookie"), r.Header.Get("Authorization"))
	}))
	defer srv.Close()
	r := runCLI(t, context.Background(), fast, "scan", "--quiet", "-f", "json",
		"--header", "Cookie: sid=S3cr3tCookieValue42; csrftoken=CsrfTok9876543",
		"--header", "Authorization: Bearer AbCdEf0123456789XyZ",
		srv.URL+"/?api_key=Sup3rS3cretKey99")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, secret := range []string{"S3cr3tCookieValue42", "CsrfTok9876543", "AbCdEf0123456789XyZ", "Sup3rS3cretKey99"} {
		if strings.Contains(r.stdout, secret) || strings.Contains(r.stderr, secret) {
			t.Errorf("%s appears in the output", secret)
		}
	}
}

func TestWriteFile_DeviceIsWrittenInPlace(t *testing.T) {
	// Regression: renaming the temporary report onto /dev/null replaced the device.
	before, err := os.Stat(os.DevNull)
	if err != nil || before.Mode().IsRegular() {
		t.Skip("no /dev/null device here")
	}
	if err := writeFile(os.DevNull, report.JSON{}, &report.Report{}); err != nil {
		t.Fatal(err)
	}
	after, err := os.Stat(os.DevNull)
	if err != nil || after.Mode().IsRegular() || !os.SameFile(before, after) {
		t.Fatal("/dev/null was replaced")
	}
}
