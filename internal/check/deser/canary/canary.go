// Package canary builds the inert payloads of Parapet's deserialization
// proofs: class-not-found canaries in each serialization format, the
// deterministic truncation of a blob the target handed out, and the
// encoding chains (base64, hex, percent, gzip, zlib) that wrap them.
//
// Every canary only names a module or class that cannot exist (its name
// carries the per-scan token). None calls anything: no pickle REDUCE, BUILD,
// INST, OBJ or NEWOBJ opcode, no YAML apply/new tag, no constructor
// arguments, no function call. The allow-list of shapes, and why each is
// inert, is in docs/safety.md ("Deserialization proofs"); the package tests
// enforce it.
package canary

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Kind is one canary shape.
type Kind string

// The canary shapes. Each is the smallest document of its format that makes
// an unsafe deserializer look up a class or module by name, and nothing else.
const (
	// Pickle is a GLOBAL (protocols 0–3) or STACK_GLOBAL (4–5) of a missing
	// top-level module, then STOP.
	Pickle Kind = "pickle"
	// Java is an ObjectOutputStream stream of one object of a missing
	// class: serializable, no fields, no superclass, no data.
	Java Kind = "java"
	// PHP is serialize() output of an object of an undefined class with no
	// properties.
	PHP Kind = "php"
	// YAMLPython is a PyYAML !!python/name tag of a missing module with an
	// empty value (a name lookup, never a call).
	YAMLPython Kind = "yaml-python"
	// YAMLRuby is a Psych !ruby/object tag of an undefined class with an
	// empty mapping.
	YAMLRuby Kind = "yaml-ruby"
	// YAMLJava is a SnakeYAML global tag of a missing class with an empty
	// mapping.
	YAMLJava Kind = "yaml-java"
	// RubyMarshal is a Ruby Marshal 4.8 object of an undefined class with
	// no instance variables.
	RubyMarshal Kind = "ruby-marshal"
	// Jsonpickle is a jsonpickle py/object of a missing module.
	Jsonpickle Kind = "jsonpickle"
	// JSONNet is a Json.NET $type naming a missing type in a missing
	// assembly.
	JSONNet Kind = "jsonnet"
	// Jackson is a Jackson @class (or @type) naming a missing class.
	Jackson Kind = "jackson"
	// NodeSerialize is a node-serialize document whose string fields are
	// function markers of a named function expression that returns 1. The
	// deserializer defines the function and calls nothing; when the
	// application prints the field, the function's source appears without
	// the marker, which only evaluation can do.
	NodeSerialize Kind = "node-serialize"
)

// Kinds lists every canary shape.
var Kinds = []Kind{Pickle, Java, PHP, YAMLPython, YAMLRuby, YAMLJava, RubyMarshal, Jsonpickle, JSONNet, Jackson, NodeSerialize}

// Payload is one canary.
type Payload struct {
	Kind Kind
	// Data is the serialized canary, before any encoding.
	Data []byte
	// Name is the token-bearing name a deserializer reports when the
	// lookup fails: the module for Python formats
	// ("parapet_canary_<token>"), the class for the others. Empty for
	// NodeSerialize, which names nothing.
	Name string
	// Ref is the full reference the canary makes, for reports
	// ("parapet_canary_<token>.Probe", "parapet.canary.P<token>").
	Ref string
}

// Names are the token-bearing names of one scan's canaries.
type Names struct {
	// PyModule is the missing Python module, "parapet_canary_<token>".
	PyModule string
	// JavaClass is the missing Java class, "parapet.canary.P<token>".
	JavaClass string
	// YAMLJavaClass is the missing class of the SnakeYAML canary,
	// "dev.parapet.canary.P<token>" (a tag SnakeYAML and Parapet's sniffer
	// both read as a Java class).
	YAMLJavaClass string
	// PHPClass is the undefined PHP class, "ParapetCanary<token>".
	PHPClass string
	// RubyClass is the undefined Ruby class, "ParapetCanary<token>".
	RubyClass string
	// DotNetType is the missing .NET type, "Parapet.Canary<token>.Probe",
	// and DotNetAssembly its missing assembly, "ParapetCanary<token>".
	DotNetType, DotNetAssembly string
}

// NamesFor returns the canary names for a scan token. Only ASCII letters and
// digits of the token are kept, so every name is a valid identifier in every
// format; an empty token becomes "0".
func NamesFor(token string) Names {
	var b strings.Builder
	for i := 0; i < len(token) && b.Len() < 32; i++ {
		c := token[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			b.WriteByte(c)
		}
	}
	t := b.String()
	if t == "" {
		t = "0"
	}
	return Names{
		PyModule:       "parapet_canary_" + t,
		JavaClass:      "parapet.canary.P" + t,
		YAMLJavaClass:  "dev.parapet.canary.P" + t,
		PHPClass:       "ParapetCanary" + t,
		RubyClass:      "ParapetCanary" + t,
		DotNetType:     "Parapet.Canary" + t + ".Probe",
		DotNetAssembly: "ParapetCanary" + t,
	}
}

// Options tune one canary.
type Options struct {
	// PickleProtocol is the pickle protocol to write (0–5), the one of the
	// blob the canary replaces. 0 and 1 write no PROTO opcode.
	PickleProtocol int
	// TypeKey is the key of a Jackson canary: "@class" (default) or
	// "@type" (fastjson and Jackson configured with that property).
	TypeKey string
	// Template is the decoded JSON object a NodeSerialize canary is
	// modelled on (the blob it replaces): its string fields become function
	// markers, its own function markers are dropped, other fields are kept.
	// Without one, the canary is {"p": <marker>}.
	Template []byte
	// Align pads the name of the looked-up class (never the module or the
	// token) so that len(Data) is a multiple of Align. With 3, base64 of
	// the canary needs no padding, so the padded and unpadded conventions
	// of a decoder cannot disagree. 0 or 1: no padding.
	Align int
}

// Build returns the canary of kind k for the scan's names.
func Build(k Kind, n Names, o Options) (Payload, error) {
	build, ok := builders[k]
	if !ok {
		return Payload{}, fmt.Errorf("canary: unknown kind %q", k)
	}
	var p Payload
	for pad := 0; pad < 8; pad++ {
		p = build(n, o, strings.Repeat("_", pad))
		p.Kind = k
		if o.Align <= 1 || len(p.Data)%o.Align == 0 {
			return p, nil
		}
	}
	return p, nil // NodeSerialize has nothing to pad; keep the last try
}

// builders write each canary; pad lengthens the class name to align it.
var builders = map[Kind]func(n Names, o Options, pad string) Payload{
	Pickle: func(n Names, o Options, pad string) Payload {
		cls := "Probe" + pad
		return Payload{Data: pickleGlobal(n.PyModule, cls, o.PickleProtocol), Name: n.PyModule, Ref: n.PyModule + "." + cls}
	},
	Java: func(n Names, _ Options, pad string) Payload {
		cls := n.JavaClass + pad
		return Payload{Data: javaObject(cls), Name: n.JavaClass, Ref: cls}
	},
	PHP: func(n Names, _ Options, pad string) Payload {
		cls := n.PHPClass + pad
		return Payload{Data: []byte(fmt.Sprintf(`O:%d:"%s":0:{}`, len(cls), cls)), Name: n.PHPClass, Ref: cls}
	},
	YAMLPython: func(n Names, _ Options, pad string) Payload {
		ref := n.PyModule + ".Probe" + pad
		return Payload{Data: []byte("!!python/name:" + ref + " ''"), Name: n.PyModule, Ref: ref}
	},
	YAMLRuby: func(n Names, _ Options, pad string) Payload {
		cls := n.RubyClass + pad
		return Payload{Data: []byte("--- !ruby/object:" + cls + " {}"), Name: n.RubyClass, Ref: cls}
	},
	YAMLJava: func(n Names, _ Options, pad string) Payload {
		cls := n.YAMLJavaClass + pad
		return Payload{Data: []byte("!!" + cls + " {}"), Name: n.YAMLJavaClass, Ref: cls}
	},
	RubyMarshal: func(n Names, _ Options, pad string) Payload {
		cls := n.RubyClass + pad
		return Payload{Data: marshalObject(cls), Name: n.RubyClass, Ref: cls}
	},
	Jsonpickle: func(n Names, _ Options, pad string) Payload {
		ref := n.PyModule + ".Probe" + pad
		return Payload{Data: []byte(`{"py/object": "` + ref + `"}`), Name: n.PyModule, Ref: ref}
	},
	JSONNet: func(n Names, _ Options, pad string) Payload {
		typ := n.DotNetType + pad
		return Payload{Data: []byte(`{"$type": "` + typ + `, ` + n.DotNetAssembly + `"}`), Name: n.DotNetType, Ref: typ + ", " + n.DotNetAssembly}
	},
	Jackson: func(n Names, o Options, pad string) Payload {
		key := o.TypeKey
		if key != "@type" {
			key = "@class"
		}
		cls := n.JavaClass + pad
		return Payload{Data: []byte(`{"` + key + `": "` + cls + `"}`), Name: n.JavaClass, Ref: cls}
	},
	NodeSerialize: func(n Names, o Options, _ string) Payload {
		fn := NodeFunction(n)
		return Payload{Data: nodeDocument(o.Template, NodeMarker+fn), Name: n.PyModule, Ref: fn}
	},
}

// NodeMarker prefixes the functions node-serialize writes; its unserialize()
// eval()s the text after it.
const NodeMarker = "_$$ND_FUNC$$_"

// NodeFunction is the function expression of the NodeSerialize canary: named
// after the scan's module name so that its source is recognisable, returning
// a constant, and never followed by "()". Evaluating it defines a function;
// nothing calls it unless the application calls that field, and then it
// returns 1.
func NodeFunction(n Names) string { return "function " + n.PyModule + "(){return 1}" }

// maxNodeFields bounds the fields copied from a template.
const maxNodeFields = 64

// nodeFuncMark is the part of node-serialize's function marker that
// identifies it; a string holding it anywhere, at any depth, is never sent
// back (node-serialize evaluates markers at every level of the document).
const nodeFuncMark = "ND_FUNC"

// nodeDocument writes the NodeSerialize canary: the template's top-level
// string fields replaced by marker, every other value kept except that
// every string holding a function marker, at any depth and after JSON
// unescaping, is dropped (in objects) or nulled (in arrays), and so is
// every key holding one; {"p": marker} without a usable template. The only
// function markers in the result are ours.
func nodeDocument(template []byte, marker string) []byte {
	var obj map[string]any
	dec := json.NewDecoder(bytes.NewReader(template))
	dec.UseNumber()
	if dec.Decode(&obj) != nil || len(obj) == 0 {
		obj = nil
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		if !strings.Contains(k, nodeFuncMark) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	keys = keys[:min(len(keys), maxNodeFields)]
	out := make(map[string]any, len(keys))
	nStrings := 0
	for _, k := range keys {
		v := obj[k]
		if s, ok := v.(string); ok {
			if strings.Contains(s, nodeFuncMark) {
				continue // the application's own functions are never sent back
			}
			out[k] = marker
			nStrings++
			continue
		}
		if v, keep := nodeScrub(v); keep {
			out[k] = v
		}
	}
	if nStrings == 0 {
		out = map[string]any{"p": marker}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if enc.Encode(out) != nil {
		b.Reset()
		enc.Encode(map[string]any{"p": marker}) //nolint:errcheck // a string always encodes
	}
	return bytes.TrimSuffix(b.Bytes(), []byte{'\n'})
}

// nodeScrub returns v without any string or key that holds a function
// marker: such object fields are dropped, such array items become null.
// keep is false when v itself is such a string.
func nodeScrub(v any) (_ any, keep bool) {
	switch t := v.(type) {
	case string:
		return t, !strings.Contains(t, nodeFuncMark)
	case map[string]any:
		for k, e := range t {
			e, ok := nodeScrub(e)
			if !ok || strings.Contains(k, nodeFuncMark) {
				delete(t, k)
				continue
			}
			t[k] = e
		}
		return t, true
	case []any:
		for i, e := range t {
			if e, ok := nodeScrub(e); ok {
				t[i] = e
			} else {
				t[i] = nil
			}
		}
		return t, true
	}
	return v, true
}

// Pickle opcodes the canaries use. These are the only ones they ever contain.
const (
	opPROTO           = 0x80
	opGLOBAL          = 'c'
	opSHORTBINUNICODE = 0x8c
	opSTACKGLOBAL     = 0x93
	opSTOP            = '.'
)

// pickleGlobal writes a pickle that looks up mod.name and stops. Protocols
// 4 and 5 use STACK_GLOBAL with two SHORT_BINUNICODE strings, as Python's
// own pickler does; older protocols use GLOBAL lines.
func pickleGlobal(mod, name string, proto int) []byte {
	var b []byte
	if proto >= 2 {
		b = append(b, opPROTO, byte(min(proto, 5)))
	}
	if proto >= 4 && len(mod) < 256 && len(name) < 256 {
		b = append(b, opSHORTBINUNICODE, byte(len(mod)))
		b = append(b, mod...)
		b = append(b, opSHORTBINUNICODE, byte(len(name)))
		b = append(b, name...)
		b = append(b, opSTACKGLOBAL)
	} else {
		b = append(b, opGLOBAL)
		b = append(b, mod...)
		b = append(b, '\n')
		b = append(b, name...)
		b = append(b, '\n')
	}
	return append(b, opSTOP)
}

// marshalObject writes Ruby Marshal 4.8 data of one object of class cls
// with no instance variables: version 04 08, 'o', the class as a symbol
// (':' and its length as a Marshal fixnum), and an instance variable count
// of 0. Marshal.load fails in path2class with "undefined class/module";
// nothing is allocated, no marshal_load or _load runs.
func marshalObject(cls string) []byte {
	if len(cls) > 122 {
		cls = cls[:122] // a one-byte Marshal length: n+5 for 0 < n < 123
	}
	b := []byte{4, 8, 'o', ':', byte(len(cls) + 5)}
	b = append(b, cls...)
	return append(b, 0)
}

// Java Object Serialization Stream Protocol constants the canary uses.
const (
	javaMagic         = 0xaced
	javaVersion       = 5
	tcObject          = 0x73
	tcClassDesc       = 0x72
	tcEndBlockData    = 0x78
	tcNull            = 0x70
	scSerializable    = 0x02
	javaCanarySUID    = 0x5041524150455431 // "PARAPET1": any value works for a class that cannot be found
	javaMaxModUTFName = 0xffff
)

// javaObject writes a stream holding one object of class cls: a new class
// descriptor (serializable, no fields, no annotations, no superclass) and no
// field data. ObjectInputStream fails to resolve the class and throws
// ClassNotFoundException; no constructor or readObject runs.
func javaObject(cls string) []byte {
	if len(cls) > javaMaxModUTFName {
		cls = cls[:javaMaxModUTFName]
	}
	b := binary.BigEndian.AppendUint16(nil, javaMagic)
	b = binary.BigEndian.AppendUint16(b, javaVersion)
	b = append(b, tcObject, tcClassDesc)
	b = binary.BigEndian.AppendUint16(b, uint16(len(cls)))
	b = append(b, cls...)
	b = binary.BigEndian.AppendUint64(b, javaCanarySUID)
	b = append(b, scSerializable)
	b = binary.BigEndian.AppendUint16(b, 0) // no fields
	return append(b, tcEndBlockData, tcNull)
}
