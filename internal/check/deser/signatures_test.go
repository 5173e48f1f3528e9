package deser

import (
	"strings"
	"testing"

	"github.com/parapet-scanner/parapet/internal/check/deser/canary"
	"github.com/parapet-scanner/parapet/internal/sniff"
)

const sigToken = "9f3ab27c01"

// TestConfirmed_RecordedAnswers runs the canary signatures over answers in
// the shapes real frameworks give when their deserializer fails on a
// canary (Django's DEBUG page, Werkzeug's debugger, plain tracebacks, JSON
// error bodies, Java, PHP, Ruby and .NET messages), and over answers that
// only echo the canary or refuse it safely, which must not confirm.
func TestConfirmed_RecordedAnswers(t *testing.T) {
	p := newProofs(canary.NamesFor(sigToken))
	mod := "parapet_canary_" + sigToken
	for _, tc := range []struct {
		name string
		kind canary.Kind
		body string
		want bool
	}{
		{"django debug 500 (html-escaped quotes)", canary.Pickle,
			`<title>ModuleNotFoundError at /api/cart/</title>` + "\n" + `<pre class="exception_value">No module named &#x27;` + mod + `&#x27;</pre>`, true},
		{"django text 500 (non-html Accept)", canary.Pickle,
			"ModuleNotFoundError at /api/cart/\nNo module named '" + mod + "'\n\nRequest Method: GET\n", true},
		{"werkzeug debugger (&#39;)", canary.Pickle,
			`<h1>ModuleNotFoundError</h1><div class="detail"><p class="errormsg">ModuleNotFoundError: No module named &#39;` + mod + `&#39;</p></div>`, true},
		{"python 2 ImportError", canary.Pickle, "ImportError: No module named " + mod, true},
		{"fastapi json detail", canary.Pickle, `{"detail":"No module named '` + mod + `'"}`, true},
		{"json with unicode-escaped quote", canary.Pickle, `{"error":"No module named \u0027` + mod + `\u0027"}`, true},
		{"another scan's token", canary.Pickle, `No module named 'parapet_canary_0000000000'`, false},
		{"canary only echoed", canary.Pickle, `{"error":"invalid state","state":"gAJjcGFyYXBldF9jYW5hcnlf"}`, false},
		{"pyyaml unsafe loader", canary.YAMLPython,
			"yaml.constructor.ConstructorError: while constructing a Python object\ncannot find module '" + mod + "' (No module named '" + mod + "')", true},
		{"pyyaml full loader (restricted, not confirmed)", canary.YAMLPython,
			"while constructing a Python object\nmodule '" + mod + "' is not imported\n  in \"<unicode string>\", line 1, column 1", false},
		{"pyyaml safe loader refuses (safe)", canary.YAMLPython,
			"could not determine a constructor for the tag 'tag:yaml.org,2002:python/name:" + mod + ".Probe'", false},
		{"yaml canary reflected in a 400", canary.YAMLPython,
			`{"error":"bad value: !!python/name:` + mod + `.Probe ''"}`, false},
		{"java stack trace", canary.Java,
			"java.lang.ClassNotFoundException: parapet.canary.P" + sigToken + "__\n\tat java.base/jdk.internal.loader.BuiltinClassLoader.loadClass", true},
		{"java class name in an unrelated 500", canary.Java,
			"java.lang.IllegalStateException: session parapet.canary.P" + sigToken + " rejected", false},
		{"jackson default typing", canary.Jackson,
			"com.fasterxml.jackson.databind.exc.InvalidTypeIdException: Could not resolve type id 'parapet.canary.P" + sigToken + "' as a subtype of `java.lang.Object`: no such class found", true},
		{"jackson PTV denial (safe)", canary.Jackson,
			"Could not resolve type id 'parapet.canary.P" + sigToken + "' as a subtype of `java.lang.Object`: Configured `PolymorphicTypeValidator` (of type `BasicPolymorphicTypeValidator`) denied resolution", false},
		{"jackson logical names (safe)", canary.Jackson,
			"Could not resolve type id 'parapet.canary.P" + sigToken + "' as a subtype of `shop.Item`: known type ids = [book, mug]", false},
		{"php var_dump", canary.PHP,
			"object(__PHP_Incomplete_Class)#1 (1) {\n  [\"__PHP_Incomplete_Class_Name\"]=>\n  string(23) \"ParapetCanary" + sigToken + "\"\n}", true},
		{"php print_r", canary.PHP,
			"__PHP_Incomplete_Class Object\n(\n    [__PHP_Incomplete_Class_Name] => ParapetCanary" + sigToken + "\n)", true},
		{"php warning", canary.PHP,
			`Warning: main(): The script tried to access a property on an incomplete object. Please ensure that the class definition &quot;ParapetCanary` + sigToken + `&quot; of the object you are trying to operate on was loaded`, true},
		{"php canary echoed", canary.PHP, `bad cart: O:23:"ParapetCanary` + sigToken + `":0:{}`, false},
		{"ruby psych unsafe_load", canary.YAMLRuby, "ArgumentError: undefined class/module ParapetCanary" + sigToken, true},
		{"rails uninitialized constant", canary.YAMLRuby, "NameError (uninitialized constant ParapetCanary" + sigToken + ")", true},
		{"ruby Marshal.load", canary.RubyMarshal, "ArgumentError (undefined class/module ParapetCanary" + sigToken + "):\n  app/controllers/cart_controller.rb:7", true},
		{"psych safe_load (safe)", canary.YAMLRuby, "Psych::DisallowedClass: Tried to load unspecified class: ParapetCanary" + sigToken, false},
		{"json.net default binder (outer and inner)", canary.JSONNet,
			"Newtonsoft.Json.JsonSerializationException: Error resolving type specified in JSON 'Parapet.Canary" + sigToken + ".Probe, ParapetCanary" + sigToken + "'. Path '$type', line 1, position 62.\n ---> Newtonsoft.Json.JsonSerializationException: Could not load assembly 'ParapetCanary" + sigToken + "'.", true},
		{"json.net outer message only (any binder)", canary.JSONNet,
			"Newtonsoft.Json.JsonSerializationException: Error resolving type specified in JSON 'Parapet.Canary" + sigToken + ".Probe, ParapetCanary" + sigToken + "'. Path '$type', line 1, position 62.", false},
		{"json.net default binder, type missing", canary.JSONNet,
			"Could not find type 'Parapet.Canary" + sigToken + ".Probe' in assembly 'ParapetCanary" + sigToken + ", Version=1.0.0.0, Culture=neutral, PublicKeyToken=null'.", true},
		{".net core assembly load", canary.JSONNet,
			"System.IO.FileNotFoundException: Could not load file or assembly 'ParapetCanary" + sigToken + ", Culture=neutral, PublicKeyToken=null'. The system cannot find the file specified.", true},
		{"json.net inner assembly", canary.JSONNet, "Could not load assembly 'ParapetCanary" + sigToken + "'.", true},
		{"node-serialize evaluated and printed", canary.NodeSerialize,
			`{"greeting":"Welcome back, function parapet_canary_` + sigToken + `(){return 1}!"}`, true},
		{"node-serialize marker echoed", canary.NodeSerialize,
			`{"prefs":{"displayName":"_$$ND_FUNC$$_function parapet_canary_` + sigToken + `(){return 1}"}}`, false},
		{"empty", canary.Pickle, "", false},
	} {
		got := p.confirmed(tc.kind, []byte(tc.body))
		if (got != "") != tc.want {
			t.Errorf("%s: confirmed = %q, want %v", tc.name, got, tc.want)
		}
		if got != "" && !strings.Contains(got, sigToken) && tc.kind != canary.NodeSerialize {
			t.Errorf("%s: signature %q does not carry the token", tc.name, got)
		}
	}
}

func TestDeserializerError_RecordedAnswers(t *testing.T) {
	for _, tc := range []struct {
		f    sniff.Format
		body string
		want string
	}{
		{sniff.PythonPickle, "<h1>UnpicklingError at /api/cart/</h1><pre class=\"exception_value\">pickle data was truncated</pre>", "UnpicklingError"},
		{sniff.PythonPickle, "EOFError: Ran out of input", "Ran out of input"},
		{sniff.PythonPickle, "_pickle.UnpicklingError: invalid load key, '\\x00'.", "UnpicklingError"},
		{sniff.RubyMarshal, "ArgumentError: marshal data too short", "marshal data too short"},
		{sniff.JavaSerialized, "java.io.StreamCorruptedException: invalid stream header: 61626364", "StreamCorruptedException"},
		{sniff.PHPSerialized, "Notice: unserialize(): Error at offset 14 of 20 bytes in /var/www/cart.php on line 9", "unserialize(): Error at offset"},
		{sniff.JSONTypeKey, "SyntaxError: Unexpected end of JSON input<br> &nbsp; &nbsp;at JSON.parse (&lt;anonymous&gt;)<br> &nbsp; &nbsp;at Object.unserialize (/app/node_modules/node-serialize/lib/serialize.js:62:16)", "node-serialize"},
		{sniff.PythonPickle, `{"error":"bad request"}`, ""},
		{sniff.PythonPickle, "_pickle.UnpicklingError: global 'parapet_canary_x.Probe' is forbidden", ""}, // restricted unpickler: the fix
		{sniff.YAMLTags, "could not determine a constructor for the tag 'tag:yaml.org,2002:python/name:x.Probe'", ""},
	} {
		if got := deserializerError(tc.f, []byte(tc.body)); got != tc.want {
			t.Errorf("%s %q: got %q, want %q", tc.f, tc.body[:min(40, len(tc.body))], got, tc.want)
		}
	}
}

// TestConfirmed_JsonNetAllowListBinderIsASafeRefusal guards the Json.NET
// proof: "Type specified in JSON '…' was not resolved." is what an
// allow-list ISerializationBinder (the KnownTypesBinder the remediation
// recommends) answers, so it is neither a confirmation nor a deserializer
// error; a bare JsonSerializationException is at most firm.
func TestConfirmed_JsonNetAllowListBinderIsASafeRefusal(t *testing.T) {
	p := newProofs(canary.NamesFor(sigToken))
	for _, body := range []string{
		"Newtonsoft.Json.JsonSerializationException: Type specified in JSON 'Parapet.Canary" + sigToken + ".Probe, ParapetCanary" + sigToken + "' was not resolved. Path '$type', line 1, position 62.",
		`{"title":"One or more validation errors occurred.","errors":{"$type":["Type specified in JSON 'Parapet.Canary` + sigToken + `.Probe, ParapetCanary` + sigToken + `' was not resolved. Path '$type', line 1, position 62."]}}`,
	} {
		if got := p.confirmed(canary.JSONNet, []byte(body)); got != "" {
			t.Errorf("allow-list binder confirmed: %q", got)
		}
		if got := deserializerError(sniff.JSONTypeKey, []byte(body)); got != "" {
			t.Errorf("allow-list binder counted as a deserializer error: %q", got)
		}
	}
	bare := "Newtonsoft.Json.JsonSerializationException: Unexpected end when reading JSON. Path '', line 1, position 12."
	if got := p.confirmed(canary.JSONNet, []byte(bare)); got != "" {
		t.Errorf("bare JsonSerializationException confirmed: %q", got)
	}
	if got := deserializerError(sniff.JSONTypeKey, []byte(bare)); got == "" {
		t.Error("a bare JsonSerializationException should still be a (firm) deserializer error")
	}
}

// TestRestricted_PyYAMLFullLoaderIsNotCritical guards the FullLoader
// answer: "module … is not imported" is PyYAML's FullLoader, which (5.4+)
// builds no arbitrary object, so it is a restricted-loader lookup, never a
// class-not-found confirmation.
func TestRestricted_PyYAMLFullLoaderIsNotCritical(t *testing.T) {
	p := newProofs(canary.NamesFor(sigToken))
	mod := "parapet_canary_" + sigToken
	body := "yaml.constructor.ConstructorError: while constructing a Python object\nmodule '" + mod + "' is not imported\n  in \"<unicode string>\", line 1, column 1"
	if got := p.confirmed(canary.YAMLPython, []byte(body)); got != "" {
		t.Fatalf("FullLoader confirmed: %q", got)
	}
	if got := p.restricted(canary.YAMLPython, []byte(body)); !strings.Contains(got, mod) {
		t.Fatalf("FullLoader not seen as restricted: %q", got)
	}
	if got := p.restricted(canary.YAMLPython, []byte("cannot find module '"+mod+"' (No module named '"+mod+"')")); got != "" {
		t.Fatalf("the unsafe loader is not restricted: %q", got)
	}
}
