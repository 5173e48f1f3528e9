package sniff

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/hex"
	"math/rand"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// only returns the single match of Sniff(v), failing otherwise.
func only(t *testing.T, v string) Match {
	t.Helper()
	ms := Sniff(v)
	if len(ms) != 1 {
		t.Fatalf("Sniff(%.60q) = %+v, want exactly one match", v, ms)
	}
	return ms[0]
}

func none(t *testing.T, v string) {
	t.Helper()
	if ms := Sniff(v); len(ms) != 0 {
		t.Fatalf("Sniff(%.80q) = %+v, want no match", v, ms)
	}
}

func b64(s string) string    { return base64.StdEncoding.EncodeToString([]byte(s)) }
func b64url(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// Hand-assembled pickles: protocol 2 "GLOBAL + EMPTY_TUPLE + NEWOBJ + dict +
// BUILD" of shop.models.Profile, and protocol 4 with STACK_GLOBAL and MEMOIZE.
const (
	pickleP2 = "\x80\x02cshop.models\nProfile\nq\x00)\x81q\x01}q\x02X\x04\x00\x00\x00nameq\x03X\x05\x00\x00\x00aliceq\x04sb."
	pickleP4 = "\x80\x04\x95\x2c\x00\x00\x00\x00\x00\x00\x00\x8c\x0bshop.models\x94\x8c\x07Profile\x94\x93\x94)\x81\x94}\x94\x8c\x04name\x94\x8c\x03bob\x94sb."
)

func TestSniff_Table(t *testing.T) {
	tests := []struct {
		name, value string
		format      Format
		encoding    string
		classes     []string
		strong      bool
	}{
		{"pickle p2 raw", pickleP2, PythonPickle, "raw", []string{"shop.models.Profile"}, true},
		{"pickle p2 base64", b64(pickleP2), PythonPickle, "base64", []string{"shop.models.Profile"}, true},
		{"pickle p4 base64url", b64url(pickleP4), PythonPickle, "base64url", []string{"shop.models.Profile"}, true},
		{"pickle p4 hex", hex.EncodeToString([]byte(pickleP4)), PythonPickle, "hex", []string{"shop.models.Profile"}, true},
		{"pickle p4 percent base64", url.QueryEscape(b64(pickleP4)), PythonPickle, "percent+base64", []string{"shop.models.Profile"}, true},
		{"pickle p0 canary", "cparapet_canary\nX\n.", PythonPickle, "raw", []string{"parapet_canary.X"}, true},
		{"pickle p0 dict", "(dp0\nVa\np1\nI1\ns.", PythonPickle, "raw", nil, true},
		{"pickle p0 inst", "(ishop.models\nProfile\np0\n(dp1\nVname\np2\nVx\np3\nsb.", PythonPickle, "raw", []string{"shop.models.Profile"}, true},
		{"java cut in a descriptor", "\xac\xed\x00\x05\x73\x72\x00\x11java.util.HashMap\x05\x07\xda\xc1\xc3\x16\x60\xd1\x03\x00\x02F\x00", JavaSerialized, "raw", []string{"java.util.HashMap"}, false},
		{"php object", `O:8:"stdClass":1:{s:1:"a";i:1;}`, PHPSerialized, "raw", []string{"stdClass"}, true},
		{"php namespaced", `O:8:"App\User":0:{}`, PHPSerialized, "raw", []string{`App\User`}, true},
		{"php array", `a:2:{i:0;s:3:"foo";i:1;d:0.5;}`, PHPSerialized, "raw", nil, true},
		{"php custom", `C:11:"ArrayObject":21:{x:i:0;a:0:{};m:a:0:{}}`, PHPSerialized, "raw", []string{"ArrayObject"}, true},
		{"php percent", url.QueryEscape(`O:4:"User":1:{s:4:"name";s:9:"Jane Doe!";}`), PHPSerialized, "percent", []string{"User"}, true},
		{"php base64", b64(`a:1:{s:1:"u";O:4:"User":0:{}}`), PHPSerialized, "base64", []string{"User"}, true},
		{"yaml python apply", "!!python/object/apply:os.system [\"id\"]", YAMLTags, "raw", []string{"os.system"}, true},
		{"yaml python new", "a: !!python/object/new:shop.models.Profile {}", YAMLTags, "raw", []string{"shop.models.Profile"}, true},
		{"yaml python module", "- !!python/module:os\n", YAMLTags, "raw", []string{"os"}, true},
		{"yaml ruby", "--- !ruby/object:Gem::Installer\ni: x\n", YAMLTags, "raw", []string{"Gem::Installer"}, true},
		{"yaml ruby class", "k: !ruby/class 'Kernel'\n", YAMLTags, "raw", []string{"Kernel"}, true},
		{"yaml snakeyaml", "!!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL [\"http://x/\"]]]]", YAMLTags, "raw",
			[]string{"javax.script.ScriptEngineManager", "java.net.URLClassLoader", "java.net.URL"}, true},
		{"jsonpickle object", `{"py/object": "shop.models.Profile", "name": "x"}`, JSONTypeKey, "raw", []string{"shop.models.Profile"}, true},
		{"jsonpickle reduce", `{"py/reduce": [{"py/function": "os.system"}, {"py/tuple": ["id"]}]}`, JSONTypeKey, "raw", []string{"os.system"}, true},
		{"jsonpickle repr", `{"py/repr": "os/os.system('id')"}`, JSONTypeKey, "raw", []string{"os"}, true},
		{"json.net", `{"$type": "Shop.Order, Shop", "Id": 1}`, JSONTypeKey, "raw", []string{"Shop.Order"}, true},
		{"json.net assembly only", `{"$type": "Order, Shop"}`, JSONTypeKey, "raw", []string{"Order"}, true},
		{"jackson class", `{"@class": "com.example.Order", "id": 1}`, JSONTypeKey, "raw", []string{"com.example.Order"}, true},
		{"fastjson type", `{"@type": "com.sun.rowset.JdbcRowSetImpl"}`, JSONTypeKey, "raw", []string{"com.sun.rowset.JdbcRowSetImpl"}, true},
		{"node-serialize", `{"f":"_$$ND_FUNC$$_function(){}"}`, JSONTypeKey, "raw", nil, true},
		{"node-serialize field", `_$$ND_FUNC$$_function(){ return 1 }`, JSONTypeKey, "raw", nil, true},
		{"jsonpickle fragment", `"a": {"py/object": "app.User"}`, JSONTypeKey, "raw", []string{"app.User"}, false},
		{"yaml field value", "!!python/name:os.system", YAMLTags, "raw", []string{"os.system"}, true},
		{"jsonpickle in base64", b64(`{"py/object": "app.User"}`), JSONTypeKey, "base64", []string{"app.User"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := only(t, tt.value)
			if m.Format != tt.format || m.Encoding != tt.encoding || m.Strong != tt.strong {
				t.Errorf("got %s/%s strong=%v, want %s/%s strong=%v (%s)", m.Format, m.Encoding, m.Strong,
					tt.format, tt.encoding, tt.strong, m.Detail)
			}
			if !slices.Equal(m.Classes, tt.classes) && len(m.Classes)+len(tt.classes) > 0 {
				t.Errorf("classes %q, want %q", m.Classes, tt.classes)
			}
			if m.Start != 0 || m.End != len(tt.value) {
				t.Errorf("span [%d,%d), want whole value [0,%d)", m.Start, m.End, len(tt.value))
			}
		})
	}
}

func TestSniff_UUIDIsNotPickle(t *testing.T) {
	for _, v := range []string{
		"0b6cf1a2-4b3e-4f5c-9d2a-7e1f3c5a9b0d",
		"8004a1b2-0000-4000-8000-00000000002e", // starts with a PROTO 4 byte pair in hex
		"8004a1b200004000800000000000002e",
		"{8004a1b2-0000-4000-8000-00000000002e}",
	} {
		none(t, v)
	}
}

func TestSniff_JWTIsNotPickle(t *testing.T) {
	h := b64url(`{"alg":"HS256","typ":"JWT"}`)
	p := b64url(`{"sub":"42","iat":1714566600,"name":"gASV"}`)
	none(t, h+"."+p+"."+b64url(strings.Repeat("\x80\x04", 16)))
	// A type indicator inside the payload is found, in the payload segment.
	p2 := b64url(`{"sub":"42","p":{"py/object":"shop.models.Prefs"}}`)
	v := h + "." + p2 + ".c2ln"
	m := only(t, v)
	if m.Format != JSONTypeKey || v[m.Start:m.End] != p2 || !slices.Equal(m.Classes, []string{"shop.models.Prefs"}) {
		t.Fatalf("got %+v", m)
	}
}

func TestSniff_JSONLDTypeIsNotJackson(t *testing.T) {
	none(t, `{"@context": "https://schema.org", "@type": "Person", "name": "Jane"}`)
	none(t, `{"@type": "schema:Person"}`)
	none(t, `{"@type": "http://schema.org/Person"}`)
	none(t, `{"@type": "type.googleapis.com/google.rpc.ErrorInfo"}`)
}

func TestSniff_DollarTypeBareWordIgnored(t *testing.T) {
	none(t, `{"$type": "Person"}`)
	none(t, `{"age": {"$type": "number"}}`) // MongoDB query operator
	none(t, `{"$type": 2}`)
}

func TestSniff_PHPScalarsIgnored(t *testing.T) {
	for _, v := range []string{`s:3:"foo";`, `i:5;`, `b:1;`, `N;`, `d:0.5;`, `s:11:"hello world";`} {
		none(t, v)
	}
}

func TestSniff_PHPDeclaredLengthsChecked(t *testing.T) {
	for _, v := range []string{
		`O:8:"stdClass":1:{s:2:"a";i:1;}`, // string length 2, one byte given
		`O:9:"stdClass":0:{}`,             // class name length wrong
		`a:2:{i:0;s:3:"foo";}`,            // count says 2, one pair
		`a:1:{i:0;s:3:"foo";}trailing`,    // trailing data
		`O:8:"std-lass":0:{}`,             // not a class name
		`C:3:"Foo":5:{abc}`,               // custom data length wrong
		strings.Repeat("a:1:{i:0;", 200) + "N;" + strings.Repeat("}", 200), // deeper than the limit
	} {
		none(t, v)
	}
}

func TestSniff_PNGBase64IsNotPickle(t *testing.T) {
	none(t, "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
	none(t, "R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
	none(t, "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHR8eHRwcICQuJyAiLCMcHCg3KSwwMTQ0NB8nOT04MjwuMzQy")
}

func TestSniff_GzipOfJSONIsNotSerialized(t *testing.T) {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(`{"id": 1, "items": [1, 2, 3], "name": "widget"}`))
	zw.Close()
	none(t, base64.StdEncoding.EncodeToString(b.Bytes()))
	// ...but gzip of a pickle is found.
	b.Reset()
	zw = gzip.NewWriter(&b)
	zw.Write([]byte(pickleP4))
	zw.Close()
	m := only(t, base64.StdEncoding.EncodeToString(b.Bytes()))
	if m.Format != PythonPickle || m.Encoding != "base64+gzip" {
		t.Fatalf("got %+v", m)
	}
}

func TestSniff_FernetTokenIsNotPickle(t *testing.T) {
	// Fernet tokens start with version byte 0x80, like PROTO.
	none(t, "gAAAAABmMgx7rL0tX5m0S3vQ0Vn8Yx1x0mJ2oU8b1W6bB0gN6T8mP7Q6v2e0t1r8J3mJxQK4dHkP1d0Qv9o3Y0d1h2QZ9G4w8a7X1kY6w==")
}

func TestSniff_HexHashIsNotJava(t *testing.T) {
	none(t, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
	none(t, "d41d8cd98f00b204e9800998ecf8427e")
	none(t, "aced0005"+strings.Repeat("00", 12)) // magic, then no valid content byte
	// Magic and a valid type code, then noise (the negative corpus drew
	// this one: 0x7a is TC_BLOCKDATALONG).
	none(t, "aced00057a86c81c034b1ffa798c5cc9883f92186484b283")
	none(t, "\xac\xed\x00\x05\x73garbage")
}

func TestSniff_DjangoSignedJSONCookieIsNotPickle(t *testing.T) {
	none(t, "eyJ1c2VyIjoxLCJjYXJ0IjpbMV19:1s2GxY:Yp7a2wB8Kk6GqgH4lE3bXQvJmF0yR5cTnU1oZ9dWs8A")
	none(t, ".eJyrVipNLS7JzM9TslIqzs9NVdJRSs_PT89RsjI0AAA8HwXV:1s2GxY:abc")
}

func TestSniff_CloudFormationTagsAreNotYAMLTags(t *testing.T) {
	none(t, "Resources:\n  Bucket:\n    Name: !Ref MyBucket\n    Arn: !GetAtt Fn.Arn\n    S: !Sub '${AWS::StackName}'\n")
	none(t, "key: !!str 123\nwhen: !!timestamp 2001-12-14\ndata: !!binary R0lGODlh\n")
	none(t, "Wow!! Amazing!!! x=!!java.lang.Runtime")
}

func TestSniff_CodeIsNotYAMLTags(t *testing.T) {
	// JavaScript double negation (jquery.js).
	none(t, "\t\t\treturn ( nodeName === \"input\" && !!elem.checked ) ||\n\t\t\t\t( nodeName === \"option\" && !!elem.selected );")
	none(t, "if (!!window.Config && !!this.state.User) {}")
	// YAML comments (PyYAML's and Ruby's own sources).
	none(t, "        #   !!python/object:module.name { ... state ... }")
	none(t, "#     - !ruby/struct:Person\n#       name: x\n")
	// Tags quoted in code are strings, not tags.
	none(t, "        when '!ruby/object:BigDecimal'")
	none(t, `{"cfg": "!!python/name:os.system"}`) // the field value alone is reported (raw, at 0)
	none(t, "var FUNCFLAG = '_$$ND_FUNC$$_';")
	none(t, `obj["py/object"] = "a.b"`)
}

func TestSniff_TextIsNotPickle(t *testing.T) {
	for _, v := range []string{
		"(555) 123-4567",
		"cats\nand dogs\n.", // GLOBAL lines must be dotted identifiers
		"cat dog.",
		"ccopy_reg\n_reconstructor\n", // GLOBAL, never STOPped, too short for a truncated report
		"I am here.",
		"N.",
		"I5\n.",
		"(lp0\nI1\naI2\na",        // no STOP
		"\x80\x04a.",              // APPEND on an empty stack
		"\x80\x04h\x05.",          // BINGET of a memo slot never written
		"\x80\x04N\x93.",          // STACK_GLOBAL on one item
		"\x80\x04K\x01K\x02\x93.", // STACK_GLOBAL on ints
		"\x80\x09N.",              // protocol 9
	} {
		none(t, v)
	}
}

func TestSniff_PickleTruncatedIsWeak(t *testing.T) {
	var b strings.Builder
	b.WriteString("\x80\x04")
	for i := 0; i < 10; i++ {
		b.WriteString("\x8c\x0bshop.models\x94\x8c\x07Profile\x94\x93\x94)\x81\x94")
	}
	m := only(t, b.String())
	if m.Format != PythonPickle || m.Strong || !strings.Contains(m.Detail, "truncated") {
		t.Fatalf("got %+v", m)
	}
}

func TestSniff_PickleTrailingBytesAreWeak(t *testing.T) {
	m := only(t, pickleP2+"\x00\x01\x02sig")
	if m.Strong || !strings.Contains(m.Detail, "trailing") {
		t.Fatalf("got %+v", m)
	}
}

func TestSniff_ClassesAreCapped(t *testing.T) {
	var b strings.Builder
	b.WriteString("\x80\x02(")
	for i := 0; i < 100; i++ {
		b.WriteString("cmod" + strconv.Itoa(i) + "\nC\n")
	}
	b.WriteString("l.")
	m := only(t, b.String())
	if len(m.Classes) != MaxClasses || m.Classes[0] != "mod0.C" || !strings.Contains(m.Detail, "100 global references") {
		t.Fatalf("got %d classes, detail %q", len(m.Classes), m.Detail)
	}
}

func TestSniff_LimitsHold(t *testing.T) {
	// Over MaxValueLen: ignored outright.
	none(t, pickleP2+strings.Repeat(" ", MaxValueLen))
	// Deep Java nesting stops at the depth limit without failing.
	var b strings.Builder
	b.WriteString(jMagic)
	for i := 0; i < 500; i++ {
		b.WriteString("\x75\x72\x00\x13[Ljava.lang.Object;\x90\xce\x58\x9f\x10\x73\x29\x6c\x02\x00\x00\x78\x70\x00\x00\x00\x01")
	}
	ms := Sniff(b.String())
	if len(ms) != 1 || ms[0].Format != JavaSerialized {
		t.Fatalf("got %+v", ms)
	}
	// A huge declared count or length does not make the walkers loop.
	none(t, "a:999999999:{i:0;N;}")
	only(t, jMagic+"\x75\x72\x00\x02[I\x4d\xba\x60\x26\x76\xea\xb2\xa5\x02\x00\x00\x78\x70\x7f\xff\xff\xff")
}

func TestSniff_EmbeddedBlobNeedsBoundary(t *testing.T) {
	enc := b64(pickleP4)
	m := only(t, `<input type="hidden" name="state" value="`+enc+`">`)
	if m.Encoding != "base64" || m.Start != 41 || m.End != 41+len(enc) {
		t.Fatalf("got %+v", m)
	}
	none(t, "xyz"+enc+" tail") // glued to a word: not a blob of its own
}

func TestSniff_PercentPlusSpaces(t *testing.T) {
	// PHP's urlencode() turns spaces into '+'; the lengths only match once
	// that is undone.
	v := "O%3A4%3A%22User%22%3A1%3A%7Bs%3A4%3A%22name%22%3Bs%3A8%3A%22Jane+Doe%22%3B%7D"
	m := only(t, v)
	if m.Format != PHPSerialized || m.Encoding != "percent" {
		t.Fatalf("got %+v", m)
	}
}

// The decoders are written for strings without allocating on rejection; they
// must agree with the standard library.
func TestDecoders_AgreeWithStdlib(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for n := 0; n < 200; n++ {
		raw := make([]byte, n)
		rng.Read(raw)
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
			s := enc.EncodeToString(raw)
			got, ok := decodeBase64(s, encBase64)
			if !ok || got != string(raw) {
				t.Fatalf("decodeBase64(%q) = %x, %v; want %x", s, got, ok, raw)
			}
		}
		got, ok := decodeHex(hex.EncodeToString(raw))
		if !ok || got != string(raw) {
			t.Fatalf("decodeHex mismatch for %x", raw)
		}
		q := url.QueryEscape(string(raw))
		want, _ := url.QueryUnescape(q)
		if got := percentDecode(q, true); got != want {
			t.Fatalf("percentDecode(%q) = %q, want %q", q, got, want)
		}
	}
	if _, ok := decodeBase64("abc$defg", encBase64); ok {
		t.Error("decodeBase64 accepted '$'")
	}
	if _, ok := decodeHex("0g"); ok {
		t.Error("decodeHex accepted 'g'")
	}
}

func TestSniff_Deterministic(t *testing.T) {
	a, b := Sniff(b64(pickleP4)), Sniff(b64(pickleP4))
	if len(a) != 1 || len(b) != 1 || !slices.Equal(a[0].Classes, b[0].Classes) || a[0].Detail != b[0].Detail {
		t.Fatal("Sniff is not deterministic")
	}
}

func TestSniff_AuthSchemeAndWhitespace(t *testing.T) {
	h := b64url(`{"alg":"HS256"}`)
	p := b64url(`{"$type":"Shop.Models.Session, Shop"}`)
	v := "Bearer " + h + "." + p + ".c2lnbmF0dXJl"
	m := only(t, v)
	if m.Format != JSONTypeKey || v[m.Start:m.End] != p {
		t.Fatalf("got %+v", m)
	}
	enc := b64(pickleP4)
	m = only(t, "Token "+enc)
	if m.Format != PythonPickle || m.Start != 6 || m.End != 6+len(enc) {
		t.Fatalf("got %+v", m)
	}
	m = only(t, "  "+enc+"\r\n")
	if m.Start != 2 || m.End != 2+len(enc) {
		t.Fatalf("got %+v", m)
	}
}

// TestSniff_RandomBytesAreNotSerialized draws random bytes behind prefixes
// that start real formats (a PROTO header, a protocol 0 dict, a GLOBAL, PHP,
// gzip/zlib headers, Ruby Marshal 4.8 and its container type bytes, the
// first bytes of an MS-NRBF header) and checks that, in every encoding, the walkers
// still need real structure. (Behind the Java magic, random bytes can form a
// valid stream of block data now and then, which is then reported weakly.)
func TestSniff_RandomBytesAreNotSerialized(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	prefixes := []string{"", "\x80\x02", "\x80\x04\x95", "(dp0\n", "ccopy_reg\n", "a:", "O:8:\"", "\x1f\x8b\x08", "\x78\x9c", "(", "}q\x00(X",
		"\x04\x08", "\x04\x08{", "\x04\x08[", "\x04\x08I\"", "\x00\x01\x00\x00\x00"}
	n := 200000
	if testing.Short() {
		n = 20000
	}
	for i := 0; i < n; i++ {
		b := make([]byte, 8+rng.Intn(120))
		rng.Read(b)
		b = append([]byte(prefixes[i%len(prefixes)]), b...)
		var v string
		switch i / len(prefixes) % 4 {
		case 0:
			v = base64.StdEncoding.EncodeToString(b)
		case 1:
			v = base64.RawURLEncoding.EncodeToString(b)
		case 2:
			v = hex.EncodeToString(b)
		default:
			v = string(b)
		}
		if ms := Sniff(v); len(ms) > 0 {
			t.Fatalf("random value %q matched %+v", v, ms)
		}
	}
}
