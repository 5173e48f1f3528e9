package hostile

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parapet-scanner/parapet/internal/report"
	"github.com/parapet-scanner/parapet/internal/scan"
)

// passwdMarker is what a leaked /etc/passwd (or our stand-in secret) looks like.
const passwdMarker = "root:x:0:0"

// okTarget is a plain JSON API for spec tests.
func okTarget(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// specScan scans an ok target with the local spec at path; a spec refused as
// a whole (ErrUsage) is an acceptable outcome and returns a nil report.
func specScan(t *testing.T, target, path string) (*report.Report, error, time.Duration) {
	t.Helper()
	cfg := scan.Config{Target: target, Budget: smallBudget(), Runtime: scan.Runtime{Version: "test"},
		Inputs: scan.Inputs{Spec: path}}
	began := time.Now()
	rep, err := scan.Run(t.Context(), cfg)
	took := time.Since(began)
	if rep != nil {
		checkOutputs(t, rep)
	}
	if err != nil {
		assertTerminalSafe(t, []byte(err.Error()))
		if strings.Contains(err.Error(), passwdMarker) {
			t.Errorf("the error carries a local file: %v", err)
		}
	}
	if rep == nil && err == nil {
		t.Fatal("no report and no error")
	}
	if took > 10*time.Second {
		t.Errorf("scan took %v", took)
	}
	return rep, err, took
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestHostile_BillionLaughsSpecIsBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("openapi: 3.0.0\ninfo: {title: t, version: '1'}\n")
	b.WriteString("x-a0: &a0 [lol,lol,lol,lol,lol,lol,lol,lol,lol,lol]\n")
	for i := 1; i <= 11; i++ {
		fmt.Fprintf(&b, "x-a%d: &a%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*a%d,", i-1), 10), ","))
	}
	b.WriteString("paths:\n  /x:\n    get:\n      x-bomb: *a11\n      responses:\n        '200': {description: ok, content: {application/json: {example: *a11}}}\n")
	path := filepath.Join(t.TempDir(), "laughs.yaml")
	writeFile(t, path, b.String())
	rep, err, took := specScan(t, okTarget(t).URL+"/", path)
	t.Logf("took %v err %v", took, err)
	if rep != nil {
		t.Logf("stats %+v warnings %q", rep.Stats, rep.Warnings)
	}
}

func TestHostile_RecursiveRefSpecIsBounded(t *testing.T) {
	spec := `{"openapi":"3.0.0","info":{"title":"t","version":"1"},
"components":{"schemas":{"A":{"$ref":"#/components/schemas/B"},"B":{"$ref":"#/components/schemas/A"},
"C":{"type":"object","properties":{"self":{"$ref":"#/components/schemas/C"}},"allOf":[{"$ref":"#/components/schemas/C"}]}},
"parameters":{"P":{"$ref":"#/components/parameters/P"}}},
"paths":{"/x":{"parameters":[{"$ref":"#/components/parameters/P"}],
"get":{"parameters":[{"name":"q","in":"query","required":true,"schema":{"$ref":"#/components/schemas/A"}}],
"requestBody":{"content":{"application/json":{"schema":{"$ref":"#/components/schemas/C"}}}},
"responses":{"200":{"description":"ok","content":{"application/json":{"schema":{"$ref":"#/components/schemas/C"}}}}}}},
"/self":{"$ref":"#/paths/~1self"}}}`
	dir := t.TempDir()
	// a ref cycle across two files too
	writeFile(t, filepath.Join(dir, "a.json"), `{"x":{"$ref":"b.json#/x"}}`)
	writeFile(t, filepath.Join(dir, "b.json"), `{"x":{"$ref":"a.json#/x"}}`)
	spec = strings.Replace(spec, `"/self":`, `"/cross":{"get":{"parameters":[{"$ref":"a.json#/x"}],"responses":{"200":{"description":"ok"}}}},"/self":`, 1)
	path := filepath.Join(dir, "recursive.json")
	writeFile(t, path, spec)
	rep, err, took := specScan(t, okTarget(t).URL+"/", path)
	t.Logf("took %v err %v", took, err)
	if rep != nil {
		t.Logf("stats %+v warnings %q", rep.Stats, rep.Warnings)
	}
}

func TestHostile_SpecRefsOutsideTheSpecTreeAreRefused(t *testing.T) {
	off := newSink(t)
	root := t.TempDir()
	// a secret next to, but outside, the spec's directory tree
	writeFile(t, filepath.Join(root, "secret.yaml"), "p: {name: '"+passwdMarker+":root:/root:/bin/bash', in: query}\n")
	specDir := filepath.Join(root, "api", "v1")
	writeFile(t, filepath.Join(specDir, "sub", "ok.yaml"), "p: {name: fine, in: query, schema: {type: string}}\n")
	if err := os.Symlink("/etc/passwd", filepath.Join(specDir, "sub", "link.yaml")); err != nil {
		t.Logf("no symlink: %v", err)
	}
	if err := os.Symlink(root, filepath.Join(specDir, "sub", "linkdir")); err != nil {
		t.Logf("no symlink: %v", err)
	}
	offURL := "http://" + off.Addr()
	refs := []string{
		"file:///etc/passwd", "/etc/passwd#/x", "../../secret.yaml#/p", "../../../../../../etc/passwd",
		"sub/../../../secret.yaml#/p", "%2e%2e/%2e%2e/secret.yaml#/p", "sub/link.yaml", "sub/linkdir/secret.yaml#/p",
		"/proc/self/environ", offURL + "/remote.json", "//" + off.Addr() + "/proto.json", "sub/ok.yaml#/p",
	}
	var paths []string
	for i, r := range refs {
		paths = append(paths, fmt.Sprintf(`"/op%d":{"get":{"parameters":[{"$ref":%q}],"responses":{"200":{"$ref":%q}}}}`, i, r, r))
	}
	spec := `{"openapi":"3.0.0","info":{"title":"t","version":"1"},"paths":{` + strings.Join(paths, ",") + `}}`
	path := filepath.Join(specDir, "spec.json")
	writeFile(t, path, spec)

	rep, err, _ := specScan(t, okTarget(t).URL+"/", path)
	off.assertUntouched(t)
	if rep == nil {
		t.Fatalf("a spec with refused refs was rejected as a whole: %v", err)
	}
	all := everything(rep)
	if strings.Contains(all, passwdMarker) {
		t.Errorf("the report carries the content of a file outside the spec's tree")
	}
	if strings.Contains(all, "/bin/bash") || strings.Contains(all, "nologin") {
		t.Errorf("the report carries what looks like /etc/passwd")
	}
	refused := false
	for _, w := range rep.Warnings {
		lw := strings.ToLower(w)
		refused = refused || strings.Contains(lw, "ref")
	}
	if !refused {
		t.Errorf("no warning about the refused $refs: %q", rep.Warnings)
	}
	t.Logf("warnings %q", rep.Warnings)
}

func TestHostile_SpecRefToOffScopeHostSendsNothing(t *testing.T) {
	off := newSink(t)
	spec := fmt.Sprintf(`{"openapi":"3.0.0","info":{"title":"t","version":"1"},
"servers":[{"url":"http://%[1]s/api"}],
"paths":{"/a":{"get":{"parameters":[{"$ref":"http://%[1]s/params.json#/p"}],"responses":{"200":{"$ref":"http://%[1]s/r.json"}}}},
"/b":{"get":{"servers":[{"url":"http://%[1]s/op"}],"responses":{"200":{"description":"ok"}}}}}}`, off.Addr())
	path := filepath.Join(t.TempDir(), "spec.json")
	writeFile(t, path, spec)
	rep, _, _ := specScan(t, okTarget(t).URL+"/", path)
	off.assertUntouched(t)
	if rep != nil && len(rep.Warnings) == 0 {
		t.Errorf("no warning about the off-scope $ref or server")
	}
}
