package discover

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// treeJSON serializes a tree as JSON.
func treeJSON(n *cnode) string {
	w := &jsonWriter{}
	w.value(n)
	return string(w.b)
}

// decodeAny decodes JSON into plain Go values (numbers kept as written).
func decodeAny(t *testing.T, s string) any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("decode %q: %v", s, err)
	}
	return v
}

func TestParseJSONTree_MatchesEncodingJSON(t *testing.T) {
	for _, doc := range []string{
		`{}`, `[]`, `{"a":1}`, ` {"a" : [1, -2.5e+3, 0, true, false, null, "x"]} `,
		`{"esc":"q\"b\\s\/n\n\t\r\b\f u\u00e9 \ud83d\ude00 lone\ud800x"}`,
		`{"nested":{"a":{"b":{"c":[[],[{}],{"d":""}]}}}}`,
		`{"unicode":"café ☕","num":1E5,"neg":-0.0}`,
		"\ufeff{\"bom\":true}",
	} {
		n, err := parseJSONTree([]byte(doc))
		if err != nil {
			t.Errorf("parseJSONTree(%q): %v", doc, err)
			continue
		}
		want := decodeAny(t, strings.TrimPrefix(doc, "\ufeff"))
		if got := decodeAny(t, treeJSON(n)); !reflect.DeepEqual(got, want) {
			t.Errorf("%q: round trip %#v, want %#v", doc, got, want)
		}
	}
}

func TestParseJSONTree_RefusesInvalidJSON(t *testing.T) {
	for _, doc := range []string{
		``, `{`, `{"a"}`, `{"a":}`, `{"a":1,}`, `[1,]`, `{a:1}`, `{"a":01}`, `{"a":1.}`, `{"a":.5}`,
		`{"a":tru}`, `{"a":"x}`, "{\"a\":\"\x01\"}", `{"a":"\x"}`, `{"a":"\u12g4"}`, `{} {}`, `{"a":1}x`,
		`{"a":+1}`, `{"a":-}`, `{"a":1e}`,
	} {
		if _, err := parseJSONTree([]byte(doc)); err == nil {
			t.Errorf("parseJSONTree(%q) accepted invalid JSON", doc)
		}
	}
}

// A key written twice keeps its first value (as the YAML converter and
// the rest of discovery read objects).
func TestParseJSONTree_DuplicateKeysKeepTheFirst(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"a":1,"b":2,"a":3`)
	for i := 0; i < 40; i++ { // past the size where objects use a map
		b.WriteString(`,"k` + strings.Repeat("x", i) + `":0`)
	}
	b.WriteString(`,"b":4}`)
	n, err := parseJSONTree([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if a, b := n.get("a"), n.get("b"); a.val != "1" || b.val != "2" || len(n.keys) != 42 {
		t.Errorf("a=%q b=%q keys=%d", a.val, b.val, len(n.keys))
	}
}

// Nesting deeper than maxTreeHeight is refused, not recursed into.
func TestParseJSONTree_DeepNestingIsRefused(t *testing.T) {
	doc := strings.Repeat(`{"a":`, maxTreeHeight+2) + "1" + strings.Repeat("}", maxTreeHeight+2)
	if _, err := parseJSONTree([]byte(doc)); !errors.Is(err, errTreeBounds) {
		t.Errorf("err = %v", err)
	}
}

func TestJSONWriter_EscapesEverythingJSONNeeds(t *testing.T) {
	n := &cnode{kind: cObj, keys: []string{"k\"\\\n"}, kids: []*cnode{{kind: cStr, val: "\x00\x1f\t<>&\u2028 \xff"}}}
	out := treeJSON(n)
	if !json.Valid([]byte(out)) {
		t.Fatalf("invalid JSON: %q", out)
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(out), &m); err != nil || m["k\"\\\n"] != "\x00\x1f\t<>&\u2028 \ufffd" {
		t.Errorf("round trip: %q %v", m, err)
	}
}

// FuzzParseJSONTree: the lean parser accepts exactly what encoding/json
// accepts, and what it writes back means the same.
func FuzzParseJSONTree(f *testing.F) {
	for _, s := range []string{`{"a":[1,2,{"b":null}]}`, `{"x":"\u00e9\ud83d\ude00"}`, `[true,false,-1.5e3]`, `{"a":1,"a":2}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 64<<10 {
			return
		}
		n, err := parseJSONTree(data)
		valid := json.Valid(data)
		if bytes.HasPrefix(data, []byte("\ufeff")) {
			valid = json.Valid(data[3:])
		}
		if err == nil && !valid {
			t.Fatalf("accepted invalid JSON %q", data)
		}
		if err != nil {
			if valid && !errors.Is(err, errTreeBounds) {
				t.Fatalf("refused valid JSON %q: %v", data, err)
			}
			return
		}
		out := treeJSON(n)
		if !json.Valid([]byte(out)) {
			t.Fatalf("wrote invalid JSON %q for %q", out, data)
		}
		if hasDuplicateKeys(data) {
			return // encoding/json keeps the last value, the tree the first
		}
		var a, b any
		_ = json.Unmarshal(bytes.TrimPrefix(data, []byte("\ufeff")), &a)
		_ = json.Unmarshal([]byte(out), &b)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("%q became %q", data, out)
		}
	})
}

// hasDuplicateKeys reports whether a valid JSON document has an object
// with a key written twice.
func hasDuplicateKeys(data []byte) bool {
	d := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	type frame struct {
		obj    bool
		keys   map[string]bool
		expect bool // the next token of an object is a key
	}
	var stack []*frame
	for {
		tok, err := d.Token()
		if err != nil {
			return false
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.obj && top.expect {
			if k, ok := tok.(string); ok {
				if top.keys[k] {
					return true
				}
				top.keys[k] = true
				top.expect = false
				continue
			}
		}
		switch tok {
		case json.Delim('{'):
			if top != nil && top.obj {
				top.expect = true
			}
			stack = append(stack, &frame{obj: true, keys: map[string]bool{}, expect: true})
		case json.Delim('['):
			if top != nil && top.obj {
				top.expect = true
			}
			stack = append(stack, &frame{})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		default:
			if top != nil && top.obj {
				top.expect = true
			}
		}
	}
}

func TestParseTree_YAMLScalarsBecomeJSONValues(t *testing.T) {
	doc := `
int: 42
hex: 0x1F
under: 1_000
float: 1.5
exp: 1e3
inf: .inf
bool: true
null1: null
null2: ~
quoted: "42"
date: 2024-01-01
str: hello
200: ok
`
	n, _, err := parseTreeShared([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	got := decodeAny(t, treeJSON(n)).(map[string]any)
	want := map[string]any{
		"int": json.Number("42"), "hex": json.Number("31"), "under": json.Number("1000"),
		"float": json.Number("1.5"), "exp": json.Number("1e3"), "inf": ".inf", "bool": true,
		"null1": nil, "null2": nil, "quoted": "42", "date": "2024-01-01", "str": "hello", "200": "ok",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %#v\nwant %#v", got, want)
	}
}

func TestParseTree_YAMLAnchorsAndMergeKeys(t *testing.T) {
	doc := `
base: &base {type: string, example: a}
other: &other {format: uuid, type: integer}
p1: *base
p2:
  <<: [*base, *other]
  example: b
`
	n, shared, err := parseTreeShared([]byte(doc))
	if err != nil || !shared {
		t.Fatalf("err %v shared %v", err, shared)
	}
	if n.get("p1") != n.get("base") {
		t.Error("an alias is not shared with its anchor")
	}
	got := decodeAny(t, treeJSON(n.get("p2")))
	want := map[string]any{"example": "b", "type": "string", "format": "uuid"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("merge: %#v", got)
	}
}

// An alias bomb is cheap as a shared tree; measuring it says how far it
// would expand, and stops.
func TestParseTree_YAMLAliasBombIsMeasuredNotExpanded(t *testing.T) {
	var b strings.Builder
	b.WriteString("a0: &a0 [x,x,x,x,x,x,x,x,x,x]\n")
	for i := 1; i <= 12; i++ {
		b.WriteString("a" + strconv.Itoa(i) + ": &a" + strconv.Itoa(i) + " [" + strings.TrimSuffix(strings.Repeat("*a"+strconv.Itoa(i-1)+",", 10), ",") + "]\n")
	}
	n, _, err := parseTreeShared([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := n.get("a12").measure(); !errors.Is(err, errTreeBounds) {
		t.Errorf("measure of 10^13 nodes: %v", err)
	}
	if s, _, err := n.get("a1").measure(); err != nil || s > 1000 {
		t.Errorf("a1: %d %v", s, err)
	}
}

func TestLargestFlowCollection(t *testing.T) {
	big := "{" + strings.Repeat(`"k": [1, 2, 3], `, 100) + `"end": 1}`
	for name, tc := range map[string]struct {
		doc  string
		want int
	}{
		"block only":             {"a: 1\nb:\n  - c\n  - d: e\n", 0},
		"small flow":             {"a: [1, 2]\nb: {c: d}\n", 6},
		"flow at document start": {big, len(big)},
		"flow after a dash":      {"x:\n  - " + big + "\n", len(big)},
		"nested flow":            {"x: [" + big + "]\n", len(big) + 2},
		"anchor before flow":     {"x: &a " + big + "\n", len(big)},
		"brackets in a comment":  {"a: 1 # [unclosed {\nb: 2\n", 0},
		"brackets in quotes":     {"a: \"[not {flow\"\nb: 'x [y'\n", 0},
		"brackets in text":       {"description: see [docs] and {id}\n", 0},
		"block scalar":           {"a: |\n  [not flow\n  {either\nb: [1]\n", 3},
		"apostrophe in flow":     {"a: [it's, fine]\nb: 1\n", 12},
		"quoted bracket in flow": {"a: [\"]\", x]\n", 8},
		"unclosed runs to end":   {"a: [1, 2\nb: 3\n", len("[1, 2\nb: 3\n")},
	} {
		if got := largestFlowCollection([]byte(tc.doc)); got != tc.want {
			t.Errorf("%s: largestFlowCollection = %d, want %d", name, got, tc.want)
		}
	}
}

// A YAML document whose flow collection could be a mapping key makes the
// YAML parser keep every token of it: such documents (and any YAML over
// maxYAMLBytes) are refused with a way out, JSON is read by its own parser.
func TestParseTree_YAMLBounds(t *testing.T) {
	flow := "openapi: 3.0.0\nx:\n  - {" + strings.Repeat(`"k": "v", `, maxYAMLFlowBytes/10) + "\"e\": 1}\n"
	if _, _, err := parseTreeShared([]byte(flow)); !errors.Is(err, errYAMLFlow) {
		t.Errorf("large flow collection: %v", err)
	}
	big := "openapi: 3.0.0\n" + strings.Repeat("x: y\n", maxYAMLBytes/5+1)
	if _, _, err := parseTreeShared([]byte(big)); !errors.Is(err, errYAMLTooLarge) {
		t.Errorf("large YAML: %v", err)
	}
	// The same size as JSON is fine.
	js := `{"openapi":"3.0.0","x":[{` + strings.Repeat(`"k":"v",`, maxYAMLFlowBytes/8) + `"e":1}]}`
	if _, _, err := parseTreeShared([]byte(js)); err != nil {
		t.Errorf("JSON: %v", err)
	}
	// Small flow YAML that is not JSON still parses.
	n, _, err := parseTreeShared([]byte(`{openapi: 3.0.0, info: {title: t}}`))
	if err != nil || n.get("info").get("title").val != "t" {
		t.Errorf("flow YAML: %v", err)
	}
}
