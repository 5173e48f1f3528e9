package deser

import (
	"bytes"
	"regexp"

	"github.com/parapet-scanner/parapet/internal/check/deser/canary"
	"github.com/parapet-scanner/parapet/internal/sniff"
)

// quote matches the quote, if any, that error messages put around a name, as
// written raw, HTML-escaped (Django, Rails and PHP error pages) or
// JSON-escaped (errors echoed in a JSON body).
const quote = `(?:['"‘’` + "`" + `]|&#x27;|&#39;|&#039;|&quot;|&apos;|&#x60;|\\u0027|\\u0022|\\"|\\')?`

// proofs are one scan's signatures: for each canary kind, the deserializer
// errors that name the canary (they need the scan's token, so they are
// compiled per scan).
type proofs struct {
	names   canary.Names
	confirm map[canary.Kind][]*regexp.Regexp
	// limited are lookups of the canary's name by a loader that resolves
	// names but is restricted in what it builds: proof of the format's
	// parsing of client data, not of arbitrary object construction.
	limited map[canary.Kind][]*regexp.Regexp
	nodeFn  []byte
}

func newProofs(n canary.Names) *proofs {
	q := regexp.QuoteMeta
	py := []string{
		`No module named\s*` + quote + `\s*` + q(n.PyModule),    // pickle, PyYAML (unsafe), jsonpickle
		`cannot find module\s*` + quote + `\s*` + q(n.PyModule), // PyYAML UnsafeLoader
	}
	// PyYAML FullLoader (5.1+) looks the name up among modules already
	// imported and, from 5.4 on, builds no arbitrary object: it reads the
	// tag but is not the unsafe loader.
	fullLoader := []string{
		`module\s*` + quote + `\s*` + q(n.PyModule) + `[A-Za-z0-9_]*\s*` + quote + `\s*is not imported`,
	}
	java := []string{
		`ClassNotFoundException\s*:?\s*` + quote + `\s*` + q(n.JavaClass),
		`NoClassDefFoundError\s*:?\s*` + quote + `\s*` + q(n.JavaClass),
	}
	jackson := append([]string{
		`(?:Could not resolve type id|Invalid type id)\s*` + quote + `\s*` + q(n.JavaClass) + `[^\n]{0,400}?no such class found`,
	}, java...)
	yamlJava := []string{
		`Class not found:?\s*` + quote + `\s*` + q(n.YAMLJavaClass),
		`ClassNotFoundException\s*:?\s*` + quote + `\s*` + q(n.YAMLJavaClass),
	}
	php := []string{
		`(?s)__PHP_Incomplete_Class.{0,240}?` + q(n.PHPClass),
		`class definition\s*` + quote + `\s*` + q(n.PHPClass),
	}
	ruby := []string{
		`undefined class/module\s+` + q(n.RubyClass),
		`uninitialized constant\s+(?:[A-Za-z0-9_]+::)*` + q(n.RubyClass),
	}
	// Json.NET: only the default binder's words, which show it loading any
	// assembly the document names. "Error resolving type specified in
	// JSON" wraps whatever a binder threw, and "Type specified in JSON …
	// was not resolved" is an allow-list binder saying no: neither is proof.
	dotnet := []string{
		`Could not load type\s*` + quote + `\s*` + q(n.DotNetType),
		`Could not load (?:file or )?assembly\s*` + quote + `\s*` + q(n.DotNetAssembly),
		`Could not find type\s*` + quote + `\s*` + q(n.DotNetType) + `[^\n]{0,200}?in assembly\s*` + quote + `\s*` + q(n.DotNetAssembly),
	}
	compile := func(list []string) []*regexp.Regexp {
		out := make([]*regexp.Regexp, len(list))
		for i, s := range list {
			out[i] = regexp.MustCompile(s)
		}
		return out
	}
	return &proofs{
		names: n,
		confirm: map[canary.Kind][]*regexp.Regexp{
			canary.Pickle:      compile(py),
			canary.YAMLPython:  compile(py),
			canary.Jsonpickle:  compile(py),
			canary.Java:        compile(java),
			canary.Jackson:     compile(jackson),
			canary.YAMLJava:    compile(yamlJava),
			canary.PHP:         compile(php),
			canary.YAMLRuby:    compile(ruby),
			canary.RubyMarshal: compile(ruby),
			canary.JSONNet:     compile(dotnet),
		},
		limited: map[canary.Kind][]*regexp.Regexp{
			canary.YAMLPython: compile(fullLoader),
		},
		nodeFn: []byte(canary.NodeFunction(n)),
	}
}

// restricted returns the lookup error in body of a restricted loader (see
// proofs.limited) that names the canary of kind k, or "".
func (p *proofs) restricted(k canary.Kind, body []byte) string {
	if len(body) == 0 || safeRefusal(body) != "" {
		return ""
	}
	for _, re := range p.limited[k] {
		if loc := re.FindIndex(body); loc != nil {
			return clip(string(body[loc[0]:loc[1]]), 200)
		}
	}
	return ""
}

// serialFilterRejected is the word of a JEP 290 ObjectInputFilter refusing
// a class.
const serialFilterRejected = "filter status: REJECTED"

// confirmed returns the deserializer error in body that names the canary of
// kind k, or "" when there is none. A name the target merely echoes (the
// value reflected in a page) does not count: each signature is the wording
// of the deserializer's own lookup failure around the name.
func (p *proofs) confirmed(k canary.Kind, body []byte) string {
	if len(body) == 0 || safeRefusal(body) != "" {
		return ""
	}
	if k == canary.NodeSerialize {
		return p.nodeEvaluated(body)
	}
	for _, re := range p.confirm[k] {
		if loc := re.FindIndex(body); loc != nil {
			return clip(string(body[loc[0]:loc[1]]), 200)
		}
	}
	return ""
}

// nodeEvaluated finds the canary function's source printed without the
// node-serialize marker in front of it: the application turned the marker
// string into a function (evaluated it) and printed the function. The
// marker itself, echoed, keeps the prefix.
func (p *proofs) nodeEvaluated(body []byte) string {
	for off := 0; ; {
		i := bytes.Index(body[off:], p.nodeFn)
		if i < 0 {
			return ""
		}
		at := off + i
		before := body[max(0, at-len(canary.NodeMarker)-8):at]
		if !bytes.Contains(before, []byte(canary.NodeMarker)) && !bytes.Contains(before, []byte("ND_FUNC")) {
			return string(p.nodeFn) + " printed as a function (no " + canary.NodeMarker + " marker)"
		}
		off = at + len(p.nodeFn)
	}
}

// safeRefusals are the words of deserializers that refuse a type because
// they are configured safely; such an answer proves the opposite of a flaw.
var safeRefusals = []string{
	"could not determine a constructor", // PyYAML safe_load on a python/ tag
	"Tried to load unspecified class",   // Psych.safe_load / Psych 4 load
	"DisallowedClass",                   // Psych
	"denied resolution",                 // Jackson PolymorphicTypeValidator
	"known type ids",                    // Jackson logical type names (Id.NAME), not classes
	"is not allowed to be deserialized", // allow-list filters
	"filter status: REJECTED",           // JEP 290 ObjectInputFilter
	"' is forbidden",                    // the restricted Unpickler of Python's documentation
}

// safeRefusal returns the safe-refusal wording found in body, or "".
func safeRefusal(body []byte) string {
	for _, s := range safeRefusals {
		if bytes.Contains(body, []byte(s)) {
			return s
		}
	}
	// Json.NET with an allow-list ISerializationBinder (the
	// KnownTypesBinder of its documentation): the binder returned no type.
	if bytes.Contains(body, []byte("Type specified in JSON")) && bytes.Contains(body, []byte("was not resolved")) {
		return "Type specified in JSON … was not resolved"
	}
	return ""
}

// errorSignatures are deserializer errors that do not need the canary's
// name: the wording of a deserializer failing on input it could not read.
// They count only when the baseline answer does not show them.
var errorSignatures = map[sniff.Format][]string{
	sniff.PythonPickle: {
		"UnpicklingError", "invalid load key", "Ran out of input", "pickle data was truncated",
		"could not find MARK", "unpickling stack underflow", "pickle exhausted before end of frame",
		"_pickle.", "pickle.loads(", "pickle.load(", "cPickle",
	},
	sniff.JavaSerialized: {
		"StreamCorruptedException", "invalid stream header", "InvalidClassException", "OptionalDataException",
		"ObjectInputStream", "java.io.EOFException", "ClassNotFoundException",
	},
	sniff.PHPSerialized: {
		"unserialize(): Error at offset", "unserialize(): Extra data", "__PHP_Incomplete_Class", "unserialize(",
	},
	sniff.YAMLTags: {
		"cannot find module", "while constructing a Python", "undefined class/module",
		"Can't construct a java object", "Class not found:",
	},
	sniff.RubyMarshal: {
		"marshal data too short", "incompatible marshal file format", "dump format error", "Marshal.load", "undefined class/module",
	},
	sniff.JSONTypeKey: {
		"JsonSerializationException", "Error resolving type specified in JSON", "Could not load assembly",
		"InvalidTypeIdException", "Could not resolve type id", "Invalid type id",
		"node-serialize", "at Object.unserialize", "jsonpickle",
	},
}

// deserializerError returns the first error signature of format f in body,
// or "".
func deserializerError(f sniff.Format, body []byte) string {
	if len(body) == 0 || safeRefusal(body) != "" {
		return ""
	}
	for _, s := range errorSignatures[f] {
		if bytes.Contains(body, []byte(s)) {
			return s
		}
	}
	return ""
}

// clip cuts s to at most n bytes.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
