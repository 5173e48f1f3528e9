package canary

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/parapet-scanner/parapet/internal/sniff"
)

// TestControls_ExactAllowListedBytes pins every control to the bytes listed
// in docs/safety.md ("Control payloads"). The bytes were checked against
// the real runtimes: Ruby 3.1 Marshal.dump(Object.new), Python 3
// pickle.loads and yaml.unsafe_load/full_load (both give <class 'object'>),
// PHP 8 unserialize (an empty stdClass) and JDK 17 ObjectOutputStream of
// new ArrayList<>() (the same base64).
func TestControls_ExactAllowListedBytes(t *testing.T) {
	tests := []struct {
		kind  Kind
		proto int
		want  []byte
		ref   string
	}{
		{RubyMarshal, 0, []byte{0x04, 0x08, 0x6f, 0x3a, 0x0b, 'O', 'b', 'j', 'e', 'c', 't', 0x00}, "Object"},
		{Pickle, 0, []byte("cbuiltins\nobject\n."), "builtins.object"},
		{Pickle, 2, []byte("\x80\x02cbuiltins\nobject\n."), "builtins.object"},
		{Pickle, 4, []byte("\x80\x04\x8c\x08builtins\x8c\x06object\x93."), "builtins.object"},
		{PHP, 0, []byte(`O:8:"stdClass":0:{}`), "stdClass"},
		{YAMLPython, 0, []byte("!!python/name:builtins.object ''"), "builtins.object"},
		{Java, 0, mustB64(t, "rO0ABXNyABNqYXZhLnV0aWwuQXJyYXlMaXN0eIHSHZnHYZ0DAAFJAARzaXpleHAAAAAAdwQAAAAAeA=="), "java.util.ArrayList"},
	}
	for _, tt := range tests {
		c, ok := ControlFor(tt.kind, Options{PickleProtocol: tt.proto})
		if !ok {
			t.Fatalf("%s: no control", tt.kind)
		}
		if !bytes.Equal(c.Data, tt.want) || c.Ref != tt.ref || c.Kind != tt.kind {
			t.Errorf("%s/%d: got %q (%s), want %q (%s)", tt.kind, tt.proto, c.Data, c.Ref, tt.want, tt.ref)
		}
	}
}

// TestControls_OnlyArguedFormats: formats whose inertness was not argued
// (Psych allocates and assigns, jsonpickle/Json.NET/Jackson construct,
// node-serialize evaluates, SnakeYAML calls constructors) get no control.
func TestControls_OnlyArguedFormats(t *testing.T) {
	for _, k := range []Kind{YAMLRuby, YAMLJava, Jsonpickle, JSONNet, Jackson, NodeSerialize, Kind("nope")} {
		if c, ok := ControlFor(k, Options{}); ok {
			t.Errorf("%s: unexpected control %q", k, c.Data)
		}
	}
}

// TestPickleControl_NoCallingOpcodes: the pickle control is a lookup of
// builtins.object and STOP, in every protocol; pickleOps fails on any opcode
// outside the canary allow-list (REDUCE, BUILD, INST, OBJ, NEWOBJ…).
func TestPickleControl_NoCallingOpcodes(t *testing.T) {
	for proto := 0; proto <= 5; proto++ {
		c, _ := ControlFor(Pickle, Options{PickleProtocol: proto})
		ops := pickleOps(t, c.Data)
		lookups := 0
		for _, op := range ops {
			if op == opGLOBAL || op == opSTACKGLOBAL {
				lookups++
			}
		}
		if lookups != 1 {
			t.Errorf("protocol %d: %d lookups in %q", proto, lookups, c.Data)
		}
	}
}

// TestJavaControl_OnlyArrayListEmpty: the Java control resolves exactly one
// class, java.util.ArrayList, holds size 0 and ends after writeObject's
// block: there is no element, so no other class can be resolved.
func TestJavaControl_OnlyArrayListEmpty(t *testing.T) {
	c, _ := ControlFor(Java, Options{})
	head := []byte{0xac, 0xed, 0x00, 0x05, tcObject, tcClassDesc, 0x00, 0x13}
	head = append(head, "java.util.ArrayList"...)
	if !bytes.HasPrefix(c.Data, head) {
		t.Errorf("want one object of a new class descriptor of java.util.ArrayList: %x", c.Data)
	}
	// After the name: serialVersionUID (8), flags, one field "I size",
	// TC_ENDBLOCKDATA and TC_NULL (no superclass descriptor).
	desc := c.Data[len(head)+8:]
	if !bytes.HasPrefix(desc, []byte{0x03, 0x00, 0x01, 'I', 0x00, 0x04, 's', 'i', 'z', 'e', tcEndBlockData, tcNull}) {
		t.Errorf("class descriptor: %x", desc)
	}
	if !bytes.HasSuffix(c.Data, []byte{0x00, 0x00, 0x00, 0x00, 0x77, 0x04, 0x00, 0x00, 0x00, 0x00, tcEndBlockData}) {
		t.Errorf("want size 0, capacity 0 and the end of block data: %x", c.Data)
	}
}

// TestControls_SniffRoundTrip: each control, in the encodings Parapet sends
// binary and text payloads in, reads back as its format and names its class,
// so a control is recognised as what it is (and never taken for a blob the
// target handed out).
func TestControls_SniffRoundTrip(t *testing.T) {
	chains := []Chain{nil, {{Name: LayerBase64, Pad: true}}, {{Name: LayerBase64URL}}}
	for _, k := range Kinds {
		c, ok := ControlFor(k, Options{PickleProtocol: 2})
		if !ok {
			continue
		}
		for _, ch := range chains {
			if ch == nil && (k == Pickle || k == Java || k == RubyMarshal) {
				continue // binary: never sent raw
			}
			enc, err := ch.Encode(c.Data)
			if err != nil {
				t.Fatalf("%s %s: %v", k, ch, err)
			}
			m, ok := findFormat(sniff.Sniff(enc), canaryFormat[k])
			if !ok {
				t.Errorf("%s in %s: %q not read as %s", k, ch, enc, canaryFormat[k])
				continue
			}
			if m.Encoding != ch.String() && !(ch.String() == LayerBase64URL && m.Encoding == LayerBase64 && enc == strings.TrimRight(enc, "-_")) {
				t.Errorf("%s: encoding %q, want %q", k, m.Encoding, ch.String())
			}
			named := false
			for _, cl := range m.Classes {
				if cl == c.Ref {
					named = true
				}
			}
			if !named {
				t.Errorf("%s in %s: classes %v, want %s", k, ch, m.Classes, c.Ref)
			}
		}
	}
}

func mustB64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
