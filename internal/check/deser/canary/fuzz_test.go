package canary

import (
	"bytes"
	"testing"

	"github.com/parapet-scanner/parapet/internal/sniff"
)

// FuzzParseChain feeds arbitrary encoding chains and texts to ParseChain and
// Truncate: no panic, and whatever ParseChain peels re-encodes and peels back
// to the same payload.
func FuzzParseChain(f *testing.F) {
	f.Add("base64url", "gASVWAAAAAAAAACMEGRlbW9fc2hvcC5tb2RlbHOUjAdQcm9maWxllJOU")
	f.Add("percent+base64", "rO0ABXNy%2BAA%3D")
	f.Add("base64+gzip", "H4sIAAAAAAAA/w==")
	f.Add("hex", "ACED0005")
	f.Add("raw", `O:4:"User":0:{}`)
	f.Fuzz(func(t *testing.T, enc, text string) {
		if len(text) > 1<<16 {
			return
		}
		ch, data, err := ParseChain(enc, text)
		if err != nil {
			return
		}
		for _, fm := range []sniff.Format{sniff.PythonPickle, sniff.JavaSerialized, sniff.PHPSerialized, sniff.YAMLTags, sniff.JSONTypeKey} {
			if cut, ok := Truncate(fm, data, 3); ok && (len(cut) >= len(data) || !bytes.HasPrefix(data, cut)) || !ok && cut != nil {
				t.Fatalf("%s: Truncate is not a prefix", fm)
			}
		}
		again, err := ch.Encode(data)
		if err != nil {
			t.Fatalf("Encode after ParseChain(%q): %v", enc, err)
		}
		_, back, err := ParseChain(ch.String(), again)
		if err != nil || !bytes.Equal(back, data) {
			t.Fatalf("round trip of %q through %s: %q, %v", data, ch, back, err)
		}
	})
}
