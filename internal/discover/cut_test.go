package discover

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parapet-scanner/parapet/internal/inventory"
)

// peakHeap runs f and returns the largest heap (live objects and garbage
// not yet collected) seen while it ran.
func peakHeap(f func()) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	var mu sync.Mutex
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			metrics.Read(sample)
			mu.Lock()
			peak = max(peak, sample[0].Value.Uint64())
			mu.Unlock()
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	f()
	close(stop)
	<-done
	return peak
}

// An 8 MB spec of operations with 40 $ref parameters each took 3.4 GB and
// 11 s: the library built a model of every parameter at every place that
// references it, of the whole document at once. The document is now held
// as a compact tree and read in small pieces.
func TestParseSpec_LargeRefParamsSpecStaysSmall(t *testing.T) {
	data := largeRefSpec(4<<20, 40)
	var spec *Spec
	var err error
	peak := peakHeap(func() { spec, err = ParseSpec(context.Background(), data) })
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := parseRaw(data)
	want := raw.countOperations()
	if spec.Len() != want || len(spec.Warnings) != 0 {
		t.Fatalf("%d of %d operations, warnings %q", spec.Len(), want, spec.Warnings)
	}
	for _, op := range spec.Operations(testTarget, nil, nil) {
		if len(op.Parameters) != 40 {
			t.Fatalf("%s: %d parameters", op.Key(), len(op.Parameters))
		}
		if p := op.Parameters[39]; p.Name != "p39" || p.Type != "string" || p.Example != "x" || !p.Required {
			t.Fatalf("%s: %+v", op.Key(), p)
		}
	}
	// The old parser peaked near 700 MB of heap on this 4 MB document.
	if limit := uint64(160 << 20); peak > limit {
		t.Errorf("peak heap %d MiB, want under %d MiB", peak>>20, limit>>20)
	}
	t.Logf("peak heap %d MiB for %d KiB", peak>>20, len(data)>>10)
}

// The library never sees more than one small cut document at a time.
func TestCut_PiecesStayWithinBounds(t *testing.T) {
	data := largeRefSpec(2<<20, 40)
	raw, err := parseRaw(data)
	if err != nil {
		t.Fatal(err)
	}
	raw.resolveRefs(specSource{})
	cut := newCutter(raw)
	header, err := cut.header()
	if err != nil {
		t.Fatal(err)
	}
	pieces, skipped := cut.pieces(header)
	if len(skipped) > 0 || len(pieces) < 10 {
		t.Fatalf("%d pieces, skipped %q", len(pieces), skipped)
	}
	items := 0
	for _, p := range pieces {
		doc, err := cut.document(p.proj)
		if err != nil {
			t.Fatal(err)
		}
		if len(doc) > chunkBytes+maxItemBytes+maxHeaderBytes || p.ops > chunkOps {
			t.Errorf("a piece of %d bytes, %d operations", len(doc), p.ops)
		}
		var v map[string]any
		if err := json.Unmarshal(doc, &v); err != nil {
			t.Fatalf("a cut document is not JSON: %v", err)
		}
		if got := len(v["paths"].(map[string]any)); got != len(p.items) {
			t.Errorf("piece of %d items has %d paths", len(p.items), got)
		}
		items += len(p.items)
	}
	if keys, _ := raw.pathItems(); items != len(keys) {
		t.Errorf("pieces hold %d of %d path items", items, len(keys))
	}
}

// refSpecV3 is a spec whose operations read their parameters through
// every kind of $ref the cut documents must carry: path-level and
// operation parameters, parameter schemas, request bodies, allOf members,
// property schemas, and a recursive schema.
func refSpecV3(items int) []byte {
	var b strings.Builder
	b.WriteString(`{"openapi":"3.0.3","info":{"title":"Refs","version":"1"},
	"components":{
	  "parameters":{
	    "Limit":{"name":"limit","in":"query","schema":{"$ref":"#/components/schemas/Count"}},
	    "Trace":{"name":"X-Trace","in":"header","schema":{"type":"string","example":"t-1"}}},
	  "schemas":{
	    "Count":{"type":"integer","format":"int32","example":10},
	    "Id":{"type":"string","format":"uuid"},
	    "Price":{"type":"number","example":9.5},
	    "Base":{"type":"object","required":["id"],"properties":{"id":{"$ref":"#/components/schemas/Id"}}},
	    "Item":{"allOf":[{"$ref":"#/components/schemas/Base"},{"type":"object","properties":{"name":{"type":"string","example":"mug"},"price":{"$ref":"#/components/schemas/Price"}}}]},
	    "Tree":{"type":"object","properties":{"child":{"$ref":"#/components/schemas/Tree"}}}},
	  "requestBodies":{"ItemBody":{"required":true,"content":{"application/json":{"schema":{"$ref":"#/components/schemas/Item"}}}}}},
	"paths":{`)
	for i := 0; i < items; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"/items%d/{id}":{"parameters":[{"$ref":"#/components/parameters/Trace"}],
		  "get":{"operationId":"get%d","parameters":[{"$ref":"#/components/parameters/Limit"},{"name":"id","in":"path","required":true,"schema":{"$ref":"#/components/schemas/Id"}}],"responses":{"200":{"description":"ok","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Item"}}}}}},
		  "put":{"requestBody":{"$ref":"#/components/requestBodies/ItemBody"},"responses":{"204":{"description":"ok"}}},
		  "post":{"requestBody":{"content":{"application/json":{"schema":{"$ref":"#/components/schemas/Tree"}}}},"responses":{"201":{"description":"ok"}}}}`, i, i)
	}
	b.WriteString(`}}`)
	return []byte(b.String())
}

// paramSummary renders parameters for comparison.
func paramSummary(ps []inventory.Parameter) string {
	var out []string
	for _, p := range ps {
		out = append(out, fmt.Sprintf("%s:%s:%s:%s:%s:%v", p.In, p.Name, p.Type, p.Format, p.Example, p.Required))
	}
	return strings.Join(out, " ")
}

// Read in pieces, every operation gets what its $refs say, wherever the
// target lies: the pieces carry what reading an operation needs.
func TestParseSpec_PiecesCarryWhatTheirRefsNeed(t *testing.T) {
	const items = 240 // 720 operations: many pieces
	spec, err := ParseSpec(context.Background(), refSpecV3(items))
	if err != nil {
		t.Fatal(err)
	}
	if len(spec.Warnings) > 0 {
		t.Errorf("warnings: %q", spec.Warnings)
	}
	ops := opsByKey(t, spec, nil)
	if len(ops) != 3*items {
		t.Fatalf("%d operations", len(ops))
	}
	want := map[string]string{
		"GET":  "header:X-Trace:string::t-1:false query:limit:integer:int32:10:false path:id:string:uuid:00000000-0000-0000-0000-000000000001:true",
		"PUT":  "header:X-Trace:string::t-1:false body:id:string:uuid::true body:name:string::mug:false body:price:number::9.5:false",
		"POST": "header:X-Trace:string::t-1:false body:child:object:::false",
	}
	for i := 0; i < items; i++ {
		for m, w := range want {
			k := fmt.Sprintf("%s /items%d/{id}", m, i)
			if got := paramSummary(ops[k].Parameters); got != w {
				t.Fatalf("%s:\n got %s\nwant %s", k, got, w)
			}
		}
	}
}

func TestParseSpec_PiecesCarryWhatTheirRefsNeedV2(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"swagger":"2.0","info":{"title":"t","version":"1"},"basePath":"/v2",
	  "parameters":{"Page":{"name":"page","in":"query","type":"integer","default":1}},
	  "definitions":{"Pet":{"type":"object","required":["name"],"properties":{"name":{"type":"string","example":"rex"},"tag":{"$ref":"#/definitions/Tag"}}},
	                 "Tag":{"type":"string","example":"dog"}},
	  "paths":{`)
	for i := 0; i < 150; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"/pets%d":{"get":{"parameters":[{"$ref":"#/parameters/Page"}],"responses":{"200":{"description":"ok"}}},
		  "post":{"parameters":[{"name":"body","in":"body","schema":{"$ref":"#/definitions/Pet"}}],"responses":{"200":{"description":"ok"}}}}`, i)
	}
	b.WriteString(`}}`)
	spec, err := ParseSpec(context.Background(), []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	ops := opsByKey(t, spec, nil)
	if len(ops) != 300 {
		t.Fatalf("%d operations, warnings %q", len(ops), spec.Warnings)
	}
	for i := 0; i < 150; i++ {
		if got := paramSummary(ops[fmt.Sprintf("GET /v2/pets%d", i)].Parameters); got != "query:page:integer::1:false" {
			t.Fatalf("GET %d: %s", i, got)
		}
		if got := paramSummary(ops[fmt.Sprintf("POST /v2/pets%d", i)].Parameters); got != "body:name:string::rex:true body:tag:string::dog:false" {
			t.Fatalf("POST %d: %s", i, got)
		}
	}
}

// A piece the library fails on is split until the failure is down to one
// path item; the others are read.
func TestParseSpec_APieceTheLibraryFailsOnCostsOnlyItsItem(t *testing.T) {
	raw, err := parseRaw(refSpecV3(40))
	if err != nil {
		t.Fatal(err)
	}
	raw.resolveRefs(specSource{})
	cut := newCutter(raw)
	header, _ := cut.header()
	pieces, _ := cut.pieces(header)
	if len(pieces) != 3 {
		t.Fatalf("%d pieces", len(pieces))
	}
	failing := func(ctx context.Context, c *cutter, p *projection, only map[string]bool, raw *rawDoc, room int, deadline time.Time) (*chunkSpec, error) {
		if only["/items7/{id}"] {
			return &chunkSpec{}, errors.New("the library failed")
		}
		return runLibrary(ctx, c, p, only, raw, room, deadline)
	}
	spec := &Spec{}
	r := &pieceReader{ctx: context.Background(), cut: cut, raw: raw, spec: spec, deadline: time.Now().Add(time.Minute), run: failing}
	for _, p := range pieces {
		r.read(p)
	}
	ops := opsByKey(t, spec, nil)
	if len(ops) != 39*3 {
		t.Errorf("%d operations read, want %d", len(ops), 39*3)
	}
	if _, ok := ops["GET /items7/{id}"]; ok {
		t.Error("the failing item was read")
	}
	if !strings.Contains(strings.Join(spec.Warnings, "\n"), `"/items7/{id}" could not be read`) {
		t.Errorf("warnings: %q", spec.Warnings)
	}
}

// A chain of $refs that never ends (P → P, A → B → A) made the library
// give up on the whole path: such a $ref is blanked with a warning.
func TestParseSpec_CircularRefChainIsBlanked(t *testing.T) {
	doc := `{"openapi":"3.0.0","info":{"title":"t","version":"1"},"components":{
	  "schemas":{"A":{"$ref":"#/components/schemas/B"},"B":{"$ref":"#/components/schemas/A"},
	    "C":{"type":"object","properties":{"self":{"$ref":"#/components/schemas/C"}},"allOf":[{"$ref":"#/components/schemas/C"}]}},
	  "parameters":{"P":{"$ref":"#/components/parameters/P"}}},
	  "paths":{"/x":{"parameters":[{"$ref":"#/components/parameters/P"}],
	    "get":{"parameters":[{"name":"q","in":"query","required":true,"schema":{"$ref":"#/components/schemas/A"}}],
	      "requestBody":{"content":{"application/json":{"schema":{"$ref":"#/components/schemas/C"}}}},
	      "responses":{"200":{"$ref":"#/paths/~1x/get/responses/200"}}}}}}`
	spec, err := ParseSpec(context.Background(), []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	op, ok := opsByKey(t, spec, nil)["GET /x"]
	if !ok {
		t.Fatalf("GET /x not read; warnings %q", spec.Warnings)
	}
	if got := paramSummary(op.Parameters); got != "query:q:::parapet:true body:self:object:::false" {
		t.Errorf("parameters %s", got)
	}
	if !strings.Contains(strings.Join(spec.Warnings, "\n"), "circular chain of $refs") {
		t.Errorf("warnings %q", spec.Warnings)
	}
}

// An alias bomb in an operation's responses or extensions cost the whole
// operation; those parts are not read, so they are not expanded either.
func TestParseSpec_AliasBombInResponsesDoesNotCostTheOperation(t *testing.T) {
	var b strings.Builder
	b.WriteString("openapi: 3.0.0\ninfo: {title: t, version: '1'}\nx-a0: &a0 [lol,lol,lol,lol,lol,lol,lol,lol,lol,lol]\n")
	for i := 1; i <= 11; i++ {
		fmt.Fprintf(&b, "x-a%d: &a%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*a%d,", i-1), 10), ","))
	}
	b.WriteString("paths:\n  /x:\n    get:\n      x-bomb: *a11\n      parameters: [{name: q, in: query, schema: {type: string}}]\n" +
		"      responses:\n        '200': {description: ok, content: {application/json: {example: *a11}}}\n")
	start := time.Now()
	spec, err := ParseSpec(context.Background(), []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %s", d)
	}
	if got := paramSummary(opsByKey(t, spec, nil)["GET /x"].Parameters); got != "query:q:string:::false" {
		t.Errorf("GET /x: %q (warnings %q)", got, spec.Warnings)
	}
}

// writeFiles writes files (slash paths) below dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// Parapet resolves a local spec's file $refs itself: relative to the file
// that holds them, local pointers inside a file meaning that file, and a
// reference back to the spec meaning the spec.
func TestParseSpec_FileRefsResolveRelativeToTheirFile(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"openapi.yaml": `openapi: 3.0.3
info: {title: split, version: "1"}
components:
  parameters:
    Limit: {name: limit, in: query, schema: {type: integer, example: 5}}
paths:
  /items:
    $ref: 'paths/items.yaml'
`,
		"paths/items.yaml": `get:
  parameters:
    - $ref: '../openapi.yaml#/components/parameters/Limit'
    - $ref: '#/Sort'
  responses: {"200": {description: ok}}
post:
  requestBody:
    content:
      application/json:
        schema: {$ref: '../schemas/item.json#/Item'}
  responses: {"201": {description: ok}}
Sort: {name: sort, in: query, schema: {type: string, enum: [asc, desc]}}
`,
		"schemas/item.json": `{"Item":{"allOf":[{"$ref":"#/Base"},{"properties":{"name":{"$ref":"common.yaml#/Name"}}}]},
		  "Base":{"required":["id"],"properties":{"id":{"type":"integer","example":7}}}}`,
		"schemas/common.yaml": "Name: {type: string, example: mug}\n",
	})
	spec := parseLocal(t, filepath.Join(dir, "openapi.yaml"), false)
	ops := opsByKey(t, spec, nil)
	if got := paramSummary(ops["GET /items"].Parameters); got != "query:limit:integer::5:false query:sort:string::asc:false" {
		t.Errorf("GET /items: %s (warnings %q)", got, spec.Warnings)
	}
	if got := paramSummary(ops["POST /items"].Parameters); got != "body:id:integer::7:true body:name:string::mug:false" {
		t.Errorf("POST /items: %s (warnings %q)", got, spec.Warnings)
	}
	if len(spec.Warnings) > 0 {
		t.Errorf("warnings: %q", spec.Warnings)
	}
}

func parseLocal(t *testing.T, file string, allow bool) *Spec {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	spec, err := parseSpec(context.Background(), data, specSource{dir: filepath.Dir(file), file: file, allowRefFiles: allow})
	if err != nil {
		t.Fatal(err)
	}
	return spec
}

// The spec and the files its $refs read share one size bound, and at most
// maxRefFiles files are read.
func TestParseSpec_RefFilesAreBounded(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{}
	var b strings.Builder
	b.WriteString("openapi: 3.0.3\ninfo: {title: many, version: '1'}\npaths:\n")
	for i := 0; i < maxRefFiles+5; i++ {
		files[fmt.Sprintf("p/%d.yaml", i)] = fmt.Sprintf("{name: q%d, in: query, schema: {type: string}}\n", i)
		fmt.Fprintf(&b, "  /op%d:\n    get:\n      parameters: [{$ref: 'p/%d.yaml'}]\n", i, i)
	}
	files["openapi.yaml"] = b.String()
	writeFiles(t, dir, files)
	spec := parseLocal(t, filepath.Join(dir, "openapi.yaml"), false)
	read := 0
	for _, op := range spec.Operations(testTarget, nil, nil) {
		read += len(op.Parameters)
	}
	if read != maxRefFiles {
		t.Errorf("%d referenced files read, want %d", read, maxRefFiles)
	}
	if !strings.Contains(strings.Join(spec.Warnings, "\n"), "more than 200 referenced files") {
		t.Errorf("warnings %q", spec.Warnings)
	}

	// A file that would take the total past MaxSpecBytes is refused.
	dir = t.TempDir()
	writeFiles(t, dir, map[string]string{
		"openapi.json": `{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{"/a":{"get":{"parameters":[{"$ref":"big.json#/P"}]}}}}`,
		"big.json":     `{"P":{"name":"q","in":"query"},"pad":"` + strings.Repeat("x", MaxSpecBytes-100) + `"}`,
	})
	spec = parseLocal(t, filepath.Join(dir, "openapi.json"), false)
	if got := paramSummary(opsByKey(t, spec, nil)["GET /a"].Parameters); got != "" {
		t.Errorf("parameters of an over-budget file: %s", got)
	}
	if !strings.Contains(strings.Join(spec.Warnings, "\n"), "exceed 10 MiB") {
		t.Errorf("warnings %q", spec.Warnings)
	}
}
