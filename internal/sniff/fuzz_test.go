package sniff

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzSniff feeds arbitrary values to Sniff. Seeds are every positive sample
// (raw bytes and encodings), a slice of the negative corpus and the inline
// table values; crashers found so far live in testdata/fuzz/FuzzSniff.
func FuzzSniff(f *testing.F) {
	for _, s := range loadPositive(f) {
		b, err := os.ReadFile(filepath.Join("testdata/positive", s.File))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	values, _ := loadNegative(f)
	for i := 0; i < len(values); i += 7 {
		f.Add(values[i])
	}
	f.Add(pickleP2)
	f.Add(pickleP4)
	f.Add(jMagic + "\x73\x72")
	f.Add(`a:1:{i:0;O:1:"A":0:{}}`)
	f.Add("!!python/object/apply:os.system [id]")
	f.Add(`{"$type": "A.B, C", "@class": "a.B", "py/object": "a.b"}`)
	f.Add(string(RubyMarshalClassRef("ParapetCanary")))
	f.Add("\x04\x08[\x07o:\x06A\x06:\x07@aI\"\x06x\x06:\x06ET@\x06")
	f.Add("BAh7BkkiCXVzZXIGOgZFVG86EFNob3A6OkFkZHIGOgpAY2l0eUkiCk9nZGVuBjsAVA==--0123456789abcdef0123")
	f.Fuzz(func(t *testing.T, v string) {
		ms := Sniff(v)
		for _, m := range ms {
			if m.Format == "" {
				t.Fatalf("match without a format: %+v", m)
			}
			if m.Encoding == "" || m.Detail == "" {
				t.Fatalf("match without encoding or detail: %+v", m)
			}
			if len(m.Classes) > MaxClasses {
				t.Fatalf("%d classes, cap is %d", len(m.Classes), MaxClasses)
			}
			if m.Start < 0 || m.End > len(v) || m.Start >= m.End {
				t.Fatalf("span [%d,%d) outside a value of %d bytes", m.Start, m.End, len(v))
			}
		}
		if len(v) > MaxValueLen && ms != nil {
			t.Fatal("value over MaxValueLen was inspected")
		}
		if off, ok := PickleReferenceOffset(v); ok && (off < 0 || off > len(v)) {
			t.Fatalf("PickleReferenceOffset %d outside a value of %d bytes", off, len(v))
		}
	})
}
