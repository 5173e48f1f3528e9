package sniff

import (
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
)

// Hand-assembled Marshal 4.8 pieces (marshal.c's w_long, w_symbol, ...).
func rmLen(n int) string     { return string(appendRubyLong(nil, n)) }
func rmSym(s string) string  { return ":" + rmLen(len(s)) + s }
func rmStr(s string) string  { return `"` + rmLen(len(s)) + s }
func rmUTF8(s string) string { return "I" + rmStr(s) + "\x06" + rmSym("E") + "T" }
func rmObj(class string, ivars ...string) string {
	return "o" + rmSym(class) + rmLen(len(ivars)/2) + strings.Join(ivars, "")
}

const rmHead = "\x04\x08"

func TestRubyMarshal_Table(t *testing.T) {
	tests := []struct {
		name, value string
		classes     []string
	}{
		{"object with ivars", rmHead + rmObj("Shop::Profile", rmSym("@name"), rmUTF8("alice"), rmSym("@admin"), "T"), []string{"Shop::Profile"}},
		{"object without ivars", rmHead + rmObj("Object"), []string{"Object"}},
		{"symlink to a class name", rmHead + "[\x07" + rmObj("Shop::Item") + "o;\x00\x00", []string{"Shop::Item"}},
		{"symlink to an ivar name", rmHead + "[\x07" + rmObj("A", rmSym("@x"), "i\x06") + "o" + rmSym("B") + "\x06;\x06i\x07", []string{"A", "B"}},
		{"object link", rmHead + "[\x07" + rmObj("Shop::Item") + "@\x06", []string{"Shop::Item"}},
		{"self-referencing array, twice", rmHead + "[\x07" + "[\x06@\x06" + "@\x06", nil},
		{"struct", rmHead + "S" + rmSym("Point") + "\x07" + rmSym("x") + "i\x06" + rmSym("y") + "i\xfa", []string{"Point"}},
		{"hash with default", rmHead + "}\x06" + rmSym("a") + "i\x06" + rmUTF8("n/a"), nil},
		{"user class string", rmHead + "IC" + rmSym("MyStr") + rmStr("ab") + "\x06" + rmSym("E") + "T", []string{"MyStr"}},
		{"user class hash", rmHead + "C" + rmSym("Prefs") + "{\x06" + rmUTF8("k") + "F", []string{"Prefs"}},
		{"extended", rmHead + "e" + rmSym("Tracking") + rmObj("Object"), []string{"Tracking", "Object"}},
		{"_dump with ivars", rmHead + "Iu" + rmSym("Time") + "\x0d" + "\x20\x80\x11\x80\x00\x00\x00\x00" + "\x07" + rmSym("offset") + "i\x00" + rmSym("zone") + rmUTF8("UTC"), []string{"Time"}},
		{"marshal_dump", rmHead + "U" + rmSym("Rational") + "[\x07i\x06i\x08", []string{"Rational"}},
		{"_dump_data", rmHead + "d" + rmSym("OpenSSL::X509::Name") + rmStr("CN=x"), []string{"OpenSSL::X509::Name"}},
		{"class ref", rmHead + "c" + rmLen(13) + "Shop::Profile", []string{"Shop::Profile"}},
		{"module ref", rmHead + "m" + rmLen(10) + "Comparable", []string{"Comparable"}},
		{"old module ref", rmHead + "M" + rmLen(6) + "Kernel", []string{"Kernel"}},
		{"floats and bignums", rmHead + "[\x0a" + "f" + rmStr("1.5")[1:] + "f" + rmStr("inf")[1:] + "f" + rmStr("-1e-05")[1:] + "l+\x08" + "\x00\x00\x00\x00\x40\x00" + "l-\x06\x01\x00", nil},
		{"regexp with encoding", rmHead + "[\x07I/\x08ab+\x01\x06" + rmSym("E") + "F" + "i\x06", nil},
		{"utf-8 symbol", rmHead + "[\x07I" + rmSym("gr\xc3\xbc\xc3\x9fe") + "\x06" + rmSym("E") + "T" + "i\x06", nil},
		{"multi-byte integers", rmHead + "[\x08" + "i\x02\x2c\x01" + "i\xfe\xd4\xfe" + "i\x03\x70\x11\x01", nil},
		{"long class name", rmHead + rmObj("A"+strings.Repeat("b", 300)), []string{"A" + strings.Repeat("b", 300)}},
		{"utf-8 class name", rmHead + "o" + "I" + rmSym("Caf\xc3\xa9") + "\x06" + rmSym("E") + "T" + "\x00", []string{"Café"}},
		{"range (ivars without @)", rmHead + rmObj("Range", rmSym("excl"), "F", rmSym("begin"), "i\x06", rmSym("end"), "i\x0f"), []string{"Range"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, v := range []string{tt.value, b64(tt.value)} {
				if len(v) < 4 || (v != tt.value && len(v) < minEncodedLen) {
					continue
				}
				m := only(t, v)
				if m.Format != RubyMarshal || !m.Strong {
					t.Fatalf("got %+v", m)
				}
				if !slices.Equal(m.Classes, tt.classes) && len(m.Classes)+len(tt.classes) > 0 {
					t.Errorf("classes %q, want %q", m.Classes, tt.classes)
				}
			}
		})
	}
}

// Streams that start with 04 08 but that Marshal.load would reject, or
// that are too short to tell from chance.
func TestRubyMarshal_InconsistentStreamsRejected(t *testing.T) {
	for name, v := range map[string]string{
		"version 4.7":             "\x04\x07" + rmObj("Shop::Profile"),
		"link to a later object":  rmHead + "[\x07" + "@\x06" + rmObj("Shop::Item"),
		"link past the table":     rmHead + "[\x07" + rmObj("Shop::Item") + "@\x07",
		"symlink past the table":  rmHead + "[\x07" + rmObj("Shop::Item") + "o;\x06\x00",
		"lower-case class name":   rmHead + rmObj("shop::profile"),
		"class name with a space": rmHead + rmObj("Shop Profile"),
		"class name ending in ::": rmHead + "c\x0bShop::Item:",
		"ivar name with a space":  rmHead + rmObj("Shop::Item", rmSym("@a b"), "T"),
		"ivar wrapper, no ivars":  rmHead + "I" + rmStr("hello world") + "\x00",
		"ivar around an object":   rmHead + "I" + rmObj("Shop::Item") + "\x06" + rmSym("E") + "T",
		"symlink with encoding":   rmHead + "[\x07" + rmSym("abc") + "I;\x00\x06" + rmSym("E") + "T",
		"user class of an object": rmHead + "C" + rmSym("Shop::Item") + rmObj("Shop::Item"),
		"float text":              rmHead + "[\x07f\x08abc" + rmObj("Shop::Item"),
		"bignum sign":             rmHead + "[\x07l*\x06\x01\x00" + rmObj("Shop::Item"),
		"negative length":         rmHead + "[\x07\"\xfa" + rmObj("Shop::Item"),
		"negative count":          rmHead + "[\xfa" + rmObj("Shop::Item"),
		"unknown type byte":       rmHead + "[\x07X" + rmObj("Shop::Item"),
		"regexp options":          rmHead + "[\x07/\x06a\xc0" + rmObj("Shop::Item"),
		"nil only":                rmHead + "0",
		"true then text":          rmHead + "T and some more text to be long",
		"short string":            rmHead + rmStr("random-ish bytes"),
		"short class, trailing":   rmHead + "c\x06Q" + strings.Repeat("\x9a", 40),
		"binary symbol":           rmHead + "[\x07" + rmSym("\xff\xfe") + rmObj("Shop::Item"),
	} {
		t.Run(name, func(t *testing.T) {
			none(t, v)
			if len(v) >= 12 {
				none(t, b64(v))
			}
		})
	}
}

func TestRubyMarshal_TruncatedAndTrailingAreWeak(t *testing.T) {
	full := rmHead + rmObj("Shop::Profile", rmSym("@name"), rmUTF8("alice"), rmSym("@roles"), "[\x07"+rmSym("admin")+";\x07")
	if m := only(t, full); !m.Strong {
		t.Fatalf("full stream not strong: %+v", m)
	}
	for name, v := range map[string]string{
		"cut":      full[:len(full)-4],
		"trailing": full + "--0123456789abcdef",
	} {
		t.Run(name, func(t *testing.T) {
			m := only(t, v)
			if m.Format != RubyMarshal || m.Strong || !slices.Equal(m.Classes, []string{"Shop::Profile"}) {
				t.Fatalf("got %+v", m)
			}
			if !strings.Contains(m.Detail, "truncated") && !strings.Contains(m.Detail, "trailing") {
				t.Errorf("detail %q does not say why", m.Detail)
			}
		})
	}
	// A cut stream that named no class needs many values to be reported.
	none(t, b64(rmHead+"[\x0f"+rmUTF8("a")))
}

func TestRubyMarshal_DepthLimitHolds(t *testing.T) {
	v := rmHead + strings.Repeat("[\x06", 1000) + rmObj("Shop::Item")
	m := only(t, v)
	if m.Format != RubyMarshal || m.Strong || !strings.Contains(m.Detail, "nesting limit") {
		t.Fatalf("got %+v", m)
	}
	// A declared count far past the input ends the walk at once.
	none(t, rmHead+"[\x04\xff\xff\xff\x7f"+"0")
	m = only(t, rmHead+rmObj("Shop::Item", rmSym("@a"), "[\x04\xff\xff\xff\x7f0000000000000"))
	if m.Strong {
		t.Fatalf("got %+v", m)
	}
}

// The lab's values (labs/ruby-marshal/README.md): the canary, the control,
// and Marshal.dump(nil), which is too short to tell from chance.
func TestRubyMarshal_LabValues(t *testing.T) {
	for v, class := range map[string]string{
		"BAhvOhJQYXJhcGV0Q2FuYXJ5AA==": "ParapetCanary",
		"BAhvOgtPYmplY3QA":             "Object",
	} {
		m := only(t, v)
		if m.Format != RubyMarshal || m.Encoding != EncBase64 || !m.Strong || !slices.Equal(m.Classes, []string{class}) {
			t.Errorf("%s: got %+v", v, m)
		}
	}
	none(t, "BAgw")
}

func TestRubyMarshalClassRef(t *testing.T) {
	// Byte for byte what Ruby's Marshal.dump writes for an instance of a
	// class with no ivars (testdata/gen/gen_ruby_marshal.rb).
	b, err := os.ReadFile("testdata/positive/marshal_canary.b64")
	if err != nil {
		t.Fatal(err)
	}
	want, err := base64.StdEncoding.DecodeString(string(b))
	if err != nil {
		t.Fatal(err)
	}
	if got := RubyMarshalClassRef("ParapetCanary"); string(got) != string(want) {
		t.Fatalf("RubyMarshalClassRef = %x, Ruby wrote %x", got, want)
	}
	// The lab's control value (labs/ruby-marshal/README.md) is Marshal.dump(Object.new).
	if got := b64(string(RubyMarshalClassRef("Object"))); got != "BAhvOgtPYmplY3QA" {
		t.Errorf("RubyMarshalClassRef(Object) in base64 = %s, want BAhvOgtPYmplY3QA", got)
	}
	if got, want := hex.EncodeToString(RubyMarshalClassRef("X")), "04086f3a065800"; got != want {
		t.Errorf("RubyMarshalClassRef(X) = %s, want %s", got, want)
	}
	for _, name := range []string{"ParapetCanary", "Parapet::Canary7f3a", "X", "Z" + strings.Repeat("z", 122), "Z" + strings.Repeat("z", 400)} {
		ref := string(RubyMarshalClassRef(name))
		for _, v := range []string{ref, b64(ref), b64url(ref), hex.EncodeToString([]byte(ref)), url.QueryEscape(ref)} {
			if len(v) < 4 {
				continue
			}
			ms := Sniff(v)
			if len(v) < minEncodedLen && v != ref && v != url.QueryEscape(ref) {
				continue
			}
			if len(ms) != 1 || ms[0].Format != RubyMarshal || !ms[0].Strong || !slices.Equal(ms[0].Classes, []string{name}) {
				t.Errorf("Sniff(%.40q) for %q = %+v", v, name, ms)
			}
		}
	}
	for _, bad := range []string{"", "lower", "Two Words", "A::", "::A", "A:B", "A\x00", "Ok\xff", "Canaryé", strings.Repeat("A", 1025)} {
		if ref := RubyMarshalClassRef(bad); ref != nil {
			t.Errorf("RubyMarshalClassRef(%q) = %x, want nil", bad, ref)
		}
	}
}

func TestRubyMarshal_SignedValues(t *testing.T) {
	payload := b64(rmHead + "{\x06" + rmUTF8("user") + rmObj("Shop::Address", rmSym("@city"), rmUTF8("Ogdenville")))
	digest := "7322834d2af9ba6234b70926cbb98b507815f756"
	v := payload + "--" + digest
	m := only(t, v)
	if m.Format != RubyMarshal || m.Encoding != EncBase64 || !m.Strong || v[m.Start:m.End] != payload {
		t.Fatalf("got %+v", m)
	}
	// As a Set-Cookie value, percent-encoded.
	m = only(t, url.QueryEscape(v))
	if m.Encoding != "percent+base64" || !m.Strong {
		t.Fatalf("got %+v", m)
	}
	// Rails 5.2+ purpose envelope.
	env := b64(`{"_rails":{"message":"` + payload + `","exp":null,"pur":"cookie.remember_me"}}`)
	m = only(t, env+"--"+digest)
	if m.Encoding != "base64+base64" || !m.Strong || !slices.Equal(m.Classes, []string{"Shop::Address"}) {
		t.Fatalf("got %+v", m)
	}
	// In a larger text, the blob ends at the "--".
	text := `{"remember_token":"` + v + `"}`
	m = only(t, text)
	if text[m.Start:m.End] != payload || !m.Strong {
		t.Fatalf("got %+v", m)
	}
	// JSON-serialized signed values and non-base64 text around "--" are not.
	none(t, b64url(`{"v":1,"user":"ada","cart":[{"sku":"MUG-001","qty":2}]}`)+"--"+digest+digest[:24])
	none(t, b64(`{"_rails":{"message":"eyJ1c2VyX2lkIjo3fQ==","exp":null,"pur":"cookie.user_id"}}`)+"--"+digest)
	none(t, "2024-04-08--"+digest)
}
