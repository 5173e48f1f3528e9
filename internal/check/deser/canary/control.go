package canary

// Control payloads: the counterpart of a canary that names a class which
// always exists. Where a deserializer hides its errors behind a generic
// answer, a control that is accepted while the canary (the same document
// naming a missing class) fails shows that the server looks classes up by
// the name in the client's bytes.
//
// Each control names an inert standard-library class and builds nothing of
// consequence: an empty object of a class with no deserialization hooks, or
// the class object itself. The allow-list, and why each is inert, is in
// docs/safety.md ("Control payloads"); the package tests enforce the shapes.
// Formats without a control whose inertness can be argued have none.

// Control is one control payload.
type Control struct {
	Kind Kind
	// Data is the serialized control, before any encoding.
	Data []byte
	// Ref is the existing class the control names.
	Ref string
}

// ControlFor returns the control of canary kind k, written like the canary
// it accompanies (o.PickleProtocol), or false when k has none.
func ControlFor(k Kind, o Options) (Control, bool) {
	switch k {
	case RubyMarshal:
		// Marshal.dump(Object.new): an Object with no instance variables.
		return Control{Kind: k, Data: marshalObject("Object"), Ref: "Object"}, true
	case Pickle:
		// GLOBAL (or STACK_GLOBAL) builtins.object, STOP: unpickles to the
		// class object itself; nothing is called or built.
		return Control{Kind: k, Data: pickleGlobal("builtins", "object", o.PickleProtocol), Ref: "builtins.object"}, true
	case PHP:
		// serialize(new stdClass): no properties; stdClass has no magic
		// methods.
		return Control{Kind: k, Data: []byte(`O:8:"stdClass":0:{}`), Ref: "stdClass"}, true
	case Java:
		// An empty java.util.ArrayList, as ObjectOutputStream writes it.
		return Control{Kind: k, Data: append([]byte(nil), javaEmptyArrayList...), Ref: "java.util.ArrayList"}, true
	case YAMLPython:
		// A name lookup of the always-imported builtins.object.
		return Control{Kind: k, Data: []byte("!!python/name:builtins.object ''"), Ref: "builtins.object"}, true
	}
	return Control{}, false
}

// javaEmptyArrayList is new java.util.ArrayList<>() written by
// ObjectOutputStream: magic, version, TC_OBJECT, TC_CLASSDESC
// "java.util.ArrayList" (serialVersionUID 8683452581122892189,
// SC_WRITE_METHOD|SC_SERIALIZABLE, one field: int size), TC_ENDBLOCKDATA,
// no serializable superclass (TC_NULL), size 0, then writeObject's block
// (TC_BLOCKDATA of 4 bytes: capacity 0) and TC_ENDBLOCKDATA.
// ArrayList.readObject reads the size and capacity and, with size 0, no
// elements: no other class is resolved and nothing else runs.
var javaEmptyArrayList = []byte{
	0xac, 0xed, 0x00, 0x05, 0x73, 0x72, 0x00, 0x13,
	'j', 'a', 'v', 'a', '.', 'u', 't', 'i', 'l', '.', 'A', 'r', 'r', 'a', 'y', 'L', 'i', 's', 't',
	0x78, 0x81, 0xd2, 0x1d, 0x99, 0xc7, 0x61, 0x9d, // serialVersionUID
	0x03, 0x00, 0x01, 'I', 0x00, 0x04, 's', 'i', 'z', 'e',
	0x78, 0x70, // TC_ENDBLOCKDATA, no superclass
	0x00, 0x00, 0x00, 0x00, // size 0
	0x77, 0x04, 0x00, 0x00, 0x00, 0x00, // TC_BLOCKDATA: capacity 0
	0x78,
}
