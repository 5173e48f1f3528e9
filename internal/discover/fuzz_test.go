package discover

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzParseSpec feeds arbitrary documents to the spec parser. It must never
// panic (a library panic is reported through Spec.panicked), and every
// operation it yields must stay on the target's host.
func FuzzParseSpec(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "specs", "*"))
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"swagger":"2.0","info":{"title":"t","version":"1"},"host":"evil.example:99","basePath":"//evil.example/x","paths":{"/{a}/{b}":{"get":{"parameters":[{"name":"a","in":"path","type":"string","x-example":"../../@evil.example"}]}}}}`))
	f.Add([]byte("openapi: 3.1.0\ninfo: {title: t, version: '1'}\nservers: [{url: 'http://[::1]:x/'}]\npaths:\n  /a:\n    get: {parameters: [{name: q, in: query, required: true, schema: {type: [string, 'null']}}]}\n"))
	f.Add([]byte("openapi: 3.0.0\ninfo: &a {title: t, version: '1', x: *a}\npaths: {}\n"))
	target := mustURL("http://127.0.0.1:8080/base/")
	specURL := mustURL("http://127.0.0.1:8080/docs/openapi.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 256<<10 {
			return
		}
		start := time.Now()
		spec, err := ParseSpec(context.Background(), data)
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("parsing took %s", d)
		}
		if err != nil {
			return
		}
		if spec.panicked {
			t.Fatalf("the parser panicked: %q", spec.Warnings)
		}
		if len(spec.Warnings) > maxSpecWarnings+1 {
			t.Fatalf("%d warnings", len(spec.Warnings))
		}
		for _, op := range spec.Operations(target, specURL, func(string) {}) {
			u, err := url.Parse(op.URL)
			if err != nil {
				t.Fatalf("unparsable URL %q: %v", op.URL, err)
			}
			if u.Scheme != "http" || u.Host != target.Host || u.User != nil {
				t.Fatalf("operation leaves the target: %q", op.URL)
			}
			if !strings.HasPrefix(op.Path, "/") {
				t.Fatalf("path %q is not absolute", op.Path)
			}
		}
	})
}
