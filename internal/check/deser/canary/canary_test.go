package canary

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/parapet-scanner/parapet/internal/sniff"
)

const testToken = "a1b2c3d4e5"

// pickleOps disassembles a pickle the way Python's unpickler reads it, for
// the opcodes the canaries may use. It fails on any other opcode, so the
// allow-list below is enforced by construction.
func pickleOps(t *testing.T, d []byte) []byte {
	t.Helper()
	var ops []byte
	for i := 0; i < len(d); {
		op := d[i]
		ops = append(ops, op)
		i++
		switch op {
		case opPROTO:
			i++
		case opGLOBAL:
			for n := 0; n < 2; n++ {
				j := bytes.IndexByte(d[i:], '\n')
				if j < 0 {
					t.Fatalf("GLOBAL line without newline in %q", d)
				}
				i += j + 1
			}
		case opSHORTBINUNICODE:
			i += 1 + int(d[i])
		case opSTACKGLOBAL:
		case opSTOP:
			if i != len(d) {
				t.Fatalf("bytes after STOP in %q", d)
			}
			return ops
		default:
			t.Fatalf("opcode %#x outside the canary allow-list in %q", op, d)
		}
	}
	t.Fatalf("no STOP in %q", d)
	return nil
}

// TestPickleCanary_NoCallingOpcodes guards the safety rule of DESIGN.md: a
// pickle canary is a lookup of a missing module and nothing else.
func TestPickleCanary_NoCallingOpcodes(t *testing.T) {
	forbidden := map[byte]string{'R': "REDUCE", 'b': "BUILD", 'i': "INST", 'o': "OBJ", 0x81: "NEWOBJ", 0x92: "NEWOBJ_EX"}
	for proto := 0; proto <= 5; proto++ {
		for _, align := range []int{0, 3} {
			p, err := Build(Pickle, NamesFor(testToken), Options{PickleProtocol: proto, Align: align})
			if err != nil {
				t.Fatal(err)
			}
			ops := pickleOps(t, p.Data)
			for _, op := range ops {
				if name, bad := forbidden[op]; bad {
					t.Errorf("protocol %d: canary has %s", proto, name)
				}
			}
			globals := 0
			for _, op := range ops {
				if op == opGLOBAL || op == opSTACKGLOBAL {
					globals++
				}
			}
			if globals != 1 {
				t.Errorf("protocol %d: %d lookups, want exactly 1: %q", proto, globals, p.Data)
			}
			if proto >= 2 && (p.Data[0] != opPROTO || int(p.Data[1]) != proto) {
				t.Errorf("protocol %d: header %x", proto, p.Data[:2])
			}
			if proto < 2 && p.Data[0] == opPROTO {
				t.Errorf("protocol %d: PROTO opcode in a protocol 0/1 pickle", proto)
			}
			if !strings.HasPrefix(p.Ref, "parapet_canary_"+testToken+".") || strings.Contains(p.Name, ".") {
				t.Errorf("protocol %d: Ref %q Name %q", proto, p.Ref, p.Name)
			}
			if align == 3 && len(p.Data)%3 != 0 {
				t.Errorf("protocol %d: len %d not aligned", proto, len(p.Data))
			}
		}
	}
}

func TestJavaCanary_OneEmptyObject(t *testing.T) {
	p, err := Build(Java, NamesFor(testToken), Options{})
	if err != nil {
		t.Fatal(err)
	}
	d := p.Data
	want := []byte{0xac, 0xed, 0x00, 0x05, tcObject, tcClassDesc}
	if !bytes.HasPrefix(d, want) {
		t.Fatalf("header % x", d[:6])
	}
	n := int(binary.BigEndian.Uint16(d[6:]))
	if got := string(d[8 : 8+n]); got != "parapet.canary.P"+testToken {
		t.Fatalf("class %q", got)
	}
	tail := d[8+n+8:]
	if !bytes.Equal(tail, []byte{scSerializable, 0, 0, tcEndBlockData, tcNull}) {
		t.Fatalf("flags, fields, annotation, superclass: % x", tail)
	}
}

// TestNodeSerializeCanary_NeverCalled guards the node-serialize shape: a
// named function expression without the trailing call that would run it.
func TestNodeSerializeCanary_NeverCalled(t *testing.T) {
	for _, tmpl := range []string{"", `{"displayName":"guest","n":1,"formatPrice":"_$$ND_FUNC$$_function (c) { return c }"}`, `[1]`, `{"n":1}`} {
		p, _ := Build(NodeSerialize, NamesFor(testToken), Options{Template: []byte(tmpl)})
		s := string(p.Data)
		fn := `"_$$ND_FUNC$$_function parapet_canary_` + testToken + `(){return 1}"`
		if !strings.Contains(s, fn) {
			t.Fatalf("shape %s", s)
		}
		if strings.Contains(s, "}()") || strings.Contains(s, "})(") || strings.Contains(s, "require") || strings.Contains(s, "return c") {
			t.Fatalf("the function must be defined, never called, and the app's own functions never sent back: %s", s)
		}
		if strings.Count(s, "_$$ND_FUNC$$_") != strings.Count(s, "(){return 1}") {
			t.Fatalf("every marker must carry the canary function: %s", s)
		}
	}
	p, _ := Build(NodeSerialize, NamesFor(testToken), Options{Template: []byte(`{"displayName":"guest","n":1,"formatPrice":"_$$ND_FUNC$$_function (c) { return c }"}`)})
	if want := `{"displayName":"_$$ND_FUNC$$_function parapet_canary_` + testToken + `(){return 1}","n":1}`; string(p.Data) != want {
		t.Fatalf("template canary %s, want %s", p.Data, want)
	}
}

// TestTextCanaries_NoCallingConstructs guards the YAML and JSON shapes.
func TestTextCanaries_NoCallingConstructs(t *testing.T) {
	for _, k := range []Kind{YAMLPython, YAMLRuby, YAMLJava, Jsonpickle, JSONNet, Jackson, PHP} {
		p, _ := Build(k, NamesFor(testToken), Options{})
		s := string(p.Data)
		for _, bad := range []string{"apply", "python/object", "new:", "py/reduce", "py/newobj", "py/function", "py/initargs", "py/state", "__wakeup", "__destruct", "ObjectDataProvider", "(", ")"} {
			if strings.Contains(s, bad) {
				t.Errorf("%s canary %q contains %q", k, s, bad)
			}
		}
		if p.Name == "" || !strings.Contains(s, p.Name) || !strings.Contains(p.Name, testToken) {
			t.Errorf("%s canary %q does not name %q with the token", k, s, p.Name)
		}
	}
}

func TestNamesFor_KeepsIdentifierCharacters(t *testing.T) {
	n := NamesFor("ab-c'd;\n9")
	if n.PyModule != "parapet_canary_abcd9" || n.PHPClass != "ParapetCanaryabcd9" {
		t.Fatalf("%+v", n)
	}
	if NamesFor("").PyModule != "parapet_canary_0" {
		t.Fatal("empty token")
	}
}

// canaryClass is the class or module sniff must report for each canary.
func canaryClass(p Payload) string {
	switch p.Kind {
	case JSONNet:
		return strings.SplitN(p.Ref, ",", 2)[0]
	case NodeSerialize:
		return ""
	}
	return p.Ref
}

// canaryFormat is the sniff format of each canary.
var canaryFormat = map[Kind]sniff.Format{
	Pickle: sniff.PythonPickle, Java: sniff.JavaSerialized, PHP: sniff.PHPSerialized,
	YAMLPython: sniff.YAMLTags, YAMLRuby: sniff.YAMLTags, YAMLJava: sniff.YAMLTags, RubyMarshal: sniff.RubyMarshal,
	Jsonpickle: sniff.JSONTypeKey, JSONNet: sniff.JSONTypeKey, Jackson: sniff.JSONTypeKey, NodeSerialize: sniff.JSONTypeKey,
}

// TestCanaries_SniffRoundTrip: every canary, in every encoding a blob may
// come in, is read back by the sniffer as its format, strong, naming the
// canary class, with the same encoding chain.
func TestCanaries_SniffRoundTrip(t *testing.T) {
	chains := []Chain{
		nil,
		{{Name: LayerBase64, Pad: true}},
		{{Name: LayerBase64}},
		{{Name: LayerBase64URL}},
		{{Name: LayerBase64URL, Pad: true}},
		{{Name: LayerHex}},
		{{Name: LayerHex, Upper: true}},
		{{Name: LayerPercent}, {Name: LayerBase64, Pad: true}},
		{{Name: LayerBase64, Pad: true}, {Name: LayerGzip}},
		{{Name: LayerBase64URL}, {Name: LayerZlib}},
		{{Name: LayerPercent}},
	}
	for _, k := range Kinds {
		if k == RubyMarshal && !sniffReadsMarshal() {
			continue // the sniffer does not read Ruby Marshal yet
		}
		for _, proto := range []int{0, 2, 4, 5} {
			if k != Pickle && proto != 0 {
				continue
			}
			for _, align := range []int{0, 3} {
				p, err := Build(k, NamesFor(testToken), Options{PickleProtocol: proto, Align: align})
				if err != nil {
					t.Fatal(err)
				}
				for _, ch := range chains {
					if len(ch) == 1 && ch[0].Name == LayerPercent && !bytes.ContainsAny(p.Data, "\"{} :'!\n") {
						continue // nothing to escape: the value is the raw canary
					}
					if len(ch) == 0 && (k == Pickle || k == Java || k == RubyMarshal) {
						continue // binary: never sent raw
					}
					name := fmt.Sprintf("%s/p%d/a%d/%s", k, proto, align, ch)
					enc, err := ch.Encode(p.Data)
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					m, ok := findFormat(sniff.Sniff(enc), canaryFormat[k])
					if !ok {
						t.Errorf("%s: sniff does not see %s in %q", name, canaryFormat[k], enc)
						continue
					}
					// Text without alphabet-specific characters (or nothing
					// to percent-escape) reads as more than one chain; any
					// chain sniff reports must wrap the canary identically.
					if m.Encoding != ch.String() && !ambiguous(ch, m.Encoding) {
						t.Errorf("%s: sniff encoding %q, want %q", name, m.Encoding, ch.String())
					}
					if !m.Strong {
						t.Errorf("%s: weak match %+v", name, m)
					}
					if want := canaryClass(p); want != "" && !slices.Contains(m.Classes, want) {
						t.Errorf("%s: classes %v, want %s", name, m.Classes, want)
					}
					back, data, err := ParseChain(m.Encoding, enc[m.Start:m.End])
					if err != nil || !bytes.Equal(data, p.Data) {
						t.Errorf("%s: ParseChain = %v %q %v", name, back, data, err)
						continue
					}
					if again, _ := back.Encode(data); again != enc[m.Start:m.End] {
						t.Errorf("%s: sniffed chain %s re-encodes to %q, not %q", name, back, again, enc)
					}
				}
			}
		}
	}
}

// ambiguous reports whether got names the same bytes as want: base64 and
// base64url differ only in two characters, and a percent layer over text
// that needed no escape is invisible.
func ambiguous(want Chain, got string) bool {
	norm := func(s string) string {
		s = strings.ReplaceAll(s, "base64url", "base64")
		return strings.TrimPrefix(s, "percent+")
	}
	return norm(want.String()) == norm(got)
}

// sniffReadsMarshal reports whether the sniffer recognises Ruby Marshal.
func sniffReadsMarshal() bool {
	_, ok := findFormat(sniff.Sniff("BAhvOgtPYmplY3QA"), sniff.RubyMarshal) // Marshal.dump(Object.new), base64
	return ok
}

func TestRubyMarshalCanary_OneEmptyObject(t *testing.T) {
	p, err := Build(RubyMarshal, NamesFor(testToken), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := "\x04\x08o:" + string(rune(len("ParapetCanary"+testToken)+5)) + "ParapetCanary" + testToken + "\x00"
	if string(p.Data) != want {
		t.Fatalf("marshal canary %q, want %q", p.Data, want)
	}
	if cut, _ := Truncate(sniff.RubyMarshal, p.Data, 0); string(cut) != "\x04\x08o" {
		t.Fatalf("cut %q", cut)
	}
}

func findFormat(ms []sniff.Match, f sniff.Format) (sniff.Match, bool) {
	for _, m := range ms {
		if m.Format == f {
			return m, true
		}
	}
	return sniff.Match{}, false
}

// TestChain_ReencodesLikeTheTarget: a blob peeled and wrapped again comes
// out byte for byte as the target wrote it.
func TestChain_ReencodesLikeTheTarget(t *testing.T) {
	for _, tc := range []struct{ enc, text string }{
		{"base64url", "gASVWAAAAAAAAACMEGRlbW9fc2hvcC5tb2RlbHOUjAdQcm9maWxllJOUKYGUfZQojAR1c2VylIwFYWxpY2WUjARyb2xllIwIY3VzdG9tZXKUjARjYXJ0lF2UKEtlS81ldWIu"},
		{"base64", "rO0ABXNyABFqYXZhLnV0aWwuSGFzaE1hcAUH2sHDFmDRAwACRgAKbG9hZEZhY3RvckkACXRocmVzaG9sZHhwP0AAAAAAAAB3CAAAABAAAAAAeA=="},
		{"hex", "aced00057372"},
		{"percent+base64", "gASVKwAAAAAAAACMF3BhcmFwZXRfY2FuYXJ5X2ZmZmZmZmZmZmaUjAVQcm9iZZSTlC4%3D"},
		{"hex", "ACED00057372"},
		{"percent", "O%3A4%3A%22User%22%3A0%3A%7B%7D"},
		{"raw", `O:4:"User":0:{}`},
	} {
		ch, data, err := ParseChain(tc.enc, tc.text)
		if err != nil {
			t.Fatalf("%s: %v", tc.enc, err)
		}
		got, err := ch.Encode(data)
		if err != nil || got != tc.text {
			t.Errorf("%s: re-encoded %q, want %q (%v)", tc.enc, got, tc.text, err)
		}
	}
}

func TestTruncate_DeterministicAlignedPrefix(t *testing.T) {
	p := []byte("0123456789abcdefghij") // 20 bytes, no class reference
	a, _ := Truncate("", p, 3)
	if string(a) != "0123456789ab" { // 2/3 of 20 = 13, down to 12
		t.Fatalf("aligned: %q", a)
	}
	if b, _ := Truncate("", p, 0); string(b) != "0123456789abc" {
		t.Fatalf("unaligned: %q", b)
	}
	if again, _ := Truncate("", p, 3); !bytes.Equal(again, a) {
		t.Fatal("not deterministic")
	}
	if got, _ := Truncate("", []byte("ab"), 3); len(got) != 1 {
		t.Fatalf("short payload: %q", got)
	}
}

// TestTruncate_EndsBeforeTheFirstClassReference guards the safety rule of
// the corrupted blob: a prefix of the target's own blob that names no class,
// so the deserializer fails before it looks anything up or builds anything.
func TestTruncate_EndsBeforeTheFirstClassReference(t *testing.T) {
	pickle4, _ := base64.RawURLEncoding.DecodeString("gASVWAAAAAAAAACMEGRlbW9fc2hvcC5tb2RlbHOUjAdQcm9maWxllJOUKYGUfZQojAR1c2VylIwFYWxpY2WUjARyb2xllIwIY3VzdG9tZXKUjARjYXJ0lF2UKEtlS81ldWIu")
	java, _ := base64.StdEncoding.DecodeString("rO0ABXNyABFqYXZhLnV0aWwuSGFzaE1hcAUH2sHDFmDRAwACRgAKbG9hZEZhY3RvckkACXRocmVzaG9sZHhwP0AAAAAAAAB3CAAAABAAAAAAeA==")
	for _, tc := range []struct {
		name  string
		f     sniff.Format
		p     []byte
		align int
		want  string
	}{
		{"pickle protocol 4: strings only, before STACK_GLOBAL", sniff.PythonPickle, pickle4, 3, string(pickle4[:39])},
		{"pickle protocol 0 starting with GLOBAL: nothing to send", sniff.PythonPickle, []byte("cshop.models\nProfile\n)\x81}b."), 0, ""},
		{"java: half the first class name", sniff.JavaSerialized, java, 0, string(java[:16])},
		{"php: before the object's class", sniff.PHPSerialized, []byte(`a:1:{s:1:"x";O:4:"User":0:{}}`), 0, `a:1:{s:1:"x";O:`},
		{"yaml: before the first tag", sniff.YAMLTags, []byte("cart: !!python/object:shop.Cart {}"), 0, "cart: "},
		{"json: before the type key", sniff.JSONTypeKey, []byte(`{"id":1,"$type":"Shop.Cart, Shop"}`), 0, `{"id":1,`},
	} {
		got, _ := Truncate(tc.f, tc.p, tc.align)
		if string(got) != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	for proto := 0; proto <= 5; proto++ {
		p, _ := Build(Pickle, NamesFor(testToken), Options{PickleProtocol: proto, Align: 3})
		cut, _ := Truncate(sniff.PythonPickle, p.Data, 3)
		if bytes.Contains(cut, []byte{'\n'}) || bytes.IndexByte(cut, opSTACKGLOBAL) >= 0 || bytes.HasSuffix(cut, []byte{opSTOP}) {
			t.Errorf("protocol %d: cut canary %q still holds a lookup", proto, cut)
		}
	}
}

func TestSplice(t *testing.T) {
	if got := Splice("a.bbb.c", 2, 5, "XY"); got != "a.XY.c" {
		t.Fatal(got)
	}
	if got := Splice("abc", 0, 9, "X"); got != "X" {
		t.Fatal(got)
	}
}

func TestPercentEncode(t *testing.T) {
	if got := PercentEncode(`O:1:"A" +/=`); got != "O%3A1%3A%22A%22%20%2B%2F%3D" {
		t.Fatal(got)
	}
}

// TestNodeSerializeCanary_NestedAppFunctionsNeverSentBack guards the
// template copy: node-serialize evaluates function markers at any depth, so
// an application function (here an IIFE) in a nested object or array of the
// template, escaped or not, must never reach the canary.
func TestNodeSerializeCanary_NestedAppFunctionsNeverSentBack(t *testing.T) {
	iife := `"_$$ND_FUNC$$_function(){require('child_process').exec('id')}()"`
	escaped := `"\u005f$$ND\u005fFUNC$$_function(){require('child_process').exec('id')}()"`
	ours := `"_$$ND_FUNC$$_function parapet_canary_` + testToken + `(){return 1}"`
	for _, tmpl := range []string{
		`{"name":"guest","prefs":{"theme":"dark","hook":` + iife + `}}`,
		`{"name":"guest","list":[1,` + iife + `,{"deep":[` + iife + `]}]}`,
		`{"name":"guest","a":{"b":{"c":{"d":` + escaped + `}}}}`,
		`{"name":"guest","o":{` + iife + `:1}}`,
		`{"name":` + iife + `,"n":{"x":` + escaped + `}}`,
	} {
		p, _ := Build(NodeSerialize, NamesFor(testToken), Options{Template: []byte(tmpl)})
		s := string(p.Data)
		if strings.Contains(s, "require") || strings.Contains(s, "child_process") {
			t.Errorf("template %s: the app's function was sent back: %s", tmpl, s)
		}
		var doc any
		if err := json.Unmarshal(p.Data, &doc); err != nil {
			t.Fatalf("canary is not JSON: %v: %s", err, s)
		}
		var walk func(v any)
		walk = func(v any) {
			switch x := v.(type) {
			case string:
				if strings.Contains(x, "ND_FUNC") && `"`+x+`"` != ours {
					t.Errorf("template %s: a marker that is not ours: %q", tmpl, x)
				}
				if strings.Contains(x, "ND_FUNC") && strings.HasSuffix(x, "()") {
					t.Errorf("template %s: our marker is called: %q", tmpl, x)
				}
			case map[string]any:
				for k, e := range x {
					if strings.Contains(k, "ND_FUNC") {
						t.Errorf("template %s: a marker in a key: %q", tmpl, k)
					}
					walk(e)
				}
			case []any:
				for _, e := range x {
					walk(e)
				}
			}
		}
		walk(doc)
		if !strings.Contains(s, ours) {
			t.Errorf("template %s: canary %s lacks our marker", tmpl, s)
		}
	}
}
