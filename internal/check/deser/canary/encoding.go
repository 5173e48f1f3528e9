package canary

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/parapet-scanner/parapet/internal/sniff"
)

// Layer names, as internal/sniff writes them in Match.Encoding.
const (
	LayerPercent   = "percent"
	LayerBase64    = "base64"
	LayerBase64URL = "base64url"
	LayerHex       = "hex"
	LayerGzip      = "gzip"
	LayerZlib      = "zlib"
	LayerRaw       = "raw"
)

// maxInflated bounds what one decompression layer may produce.
const maxInflated = 1 << 20

// Layer is one encoding step and the conventions of the original text, so
// that a payload can be wrapped exactly the way the target wrapped its own.
type Layer struct {
	// Name is one of the Layer* constants (never LayerRaw).
	Name string
	// Pad: base64 with '=' padding.
	Pad bool
	// Upper: hex in upper case.
	Upper bool
}

// Chain is a list of layers, outermost first ("percent+base64": percent
// around base64 around the payload).
type Chain []Layer

// String writes the chain the way internal/sniff does ("raw" when empty).
func (c Chain) String() string {
	if len(c) == 0 {
		return LayerRaw
	}
	names := make([]string, len(c))
	for i, l := range c {
		names[i] = l.Name
	}
	return strings.Join(names, "+")
}

// ErrEncoding means an encoding chain could not be read or applied.
var ErrEncoding = errors.New("canary: bad encoding chain")

// ParseChain reads an encoding chain such as "percent+base64url+zlib" and
// peels it off text, the encoded blob the target sent, recording each
// layer's conventions (padding, hex case). It returns the chain and the
// innermost payload.
func ParseChain(encoding, text string) (Chain, []byte, error) {
	var chain Chain
	data := []byte(text)
	if encoding == "" || encoding == LayerRaw {
		return chain, data, nil
	}
	names := strings.Split(encoding, "+")
	for i, name := range names {
		l := Layer{Name: name}
		s := string(data)
		var err error
		switch name {
		case LayerPercent:
			// '+' is a space only in form encoding of text; base64 and hex
			// inside keep theirs.
			data = percentDecode(s, i == len(names)-1)
		case LayerBase64, LayerBase64URL:
			l.Pad = strings.HasSuffix(s, "=") || (name == LayerBase64 && len(s)%4 == 0 && len(s) > 0)
			data, err = decodeBase64(s)
		case LayerHex:
			l.Upper = strings.ContainsAny(s, "ABCDEF")
			data, err = hex.DecodeString(s)
		case LayerGzip, LayerZlib:
			data, err = inflate(name, data)
		default:
			return nil, nil, fmt.Errorf("%w: unknown layer %q", ErrEncoding, name)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%w: %s: %v", ErrEncoding, name, err)
		}
		chain = append(chain, l)
	}
	return chain, data, nil
}

// Encode wraps payload in the chain, innermost layer first.
func (c Chain) Encode(payload []byte) (string, error) {
	data := payload
	for i := len(c) - 1; i >= 0; i-- {
		l := c[i]
		switch l.Name {
		case LayerPercent:
			data = []byte(PercentEncode(string(data)))
		case LayerBase64:
			if l.Pad {
				data = []byte(base64.StdEncoding.EncodeToString(data))
			} else {
				data = []byte(base64.RawStdEncoding.EncodeToString(data))
			}
		case LayerBase64URL:
			if l.Pad {
				data = []byte(base64.URLEncoding.EncodeToString(data))
			} else {
				data = []byte(base64.RawURLEncoding.EncodeToString(data))
			}
		case LayerHex:
			s := hex.EncodeToString(data)
			if l.Upper {
				s = strings.ToUpper(s)
			}
			data = []byte(s)
		case LayerGzip:
			var b bytes.Buffer
			w := gzip.NewWriter(&b) // zero header: no name, no mtime, so the output is deterministic
			_, _ = w.Write(data)
			_ = w.Close()
			data = b.Bytes()
		case LayerZlib:
			var b bytes.Buffer
			w := zlib.NewWriter(&b)
			_, _ = w.Write(data)
			_ = w.Close()
			data = b.Bytes()
		default:
			return "", fmt.Errorf("%w: unknown layer %q", ErrEncoding, l.Name)
		}
	}
	return string(data), nil
}

// Base64Align is the payload length multiple that base64 encodes without
// padding.
const Base64Align = 3

// NeedsAlign reports whether the innermost layer is base64, where a payload
// whose length is a multiple of Base64Align encodes the same with or without
// padding.
func (c Chain) NeedsAlign() bool {
	return len(c) > 0 && (c[len(c)-1].Name == LayerBase64 || c[len(c)-1].Name == LayerBase64URL)
}

// Truncate returns the deterministic corruption of a decoded blob of format
// f: a prefix of it, at most two thirds long, that ends before the blob's
// first class reference (see firstReference), cut down to a multiple of
// align when align > 1 and such a multiple remains. It never flips, adds or
// reorders a byte, and a deserializer reading it runs out of input before
// it looks up, builds or calls anything. ok is false, and nothing may be
// sent, when the safe prefix is unknown (a pickle the walker cannot follow
// to a clean end) or empty.
func Truncate(f sniff.Format, payload []byte, align int) (cut []byte, ok bool) {
	ref, known := firstReference(f, payload)
	if !known {
		return nil, false
	}
	n := min(len(payload)*2/3, ref)
	if align > 1 && n >= align {
		n -= n % align
	}
	if n >= len(payload) && len(payload) > 0 {
		n = len(payload) - 1
	}
	if n <= 0 {
		return nil, false
	}
	return append([]byte(nil), payload[:n]...), true
}

// firstReference is the length of the longest prefix of a blob that names
// no class and calls nothing:
//   - pickle: up to the first lookup or call opcode, never including it
//     (a pickle that starts with one has no safe prefix);
//   - Java: into the middle of the first class name (a class is resolved
//     only once its descriptor is complete);
//   - PHP: up to the "O:", "C:" or "E:" of the first object, plus those two
//     bytes, so no object is created;
//   - YAML: up to the first tag ("!!" when the document starts with one);
//   - JSON type indicators: up to the first type key;
//   - Ruby Marshal: the version and the first type byte.
//
// known is false for a pickle whose safe prefix is unknown.
func firstReference(f sniff.Format, p []byte) (ref int, known bool) {
	if f == sniff.PythonPickle {
		ref, ok := sniff.PickleReferenceOffset(string(p))
		if !ok {
			return 0, false // no safe prefix is known: send nothing
		}
		return ref, true // the cut never holds the opcode, not even alone
	}
	return firstTextReference(f, p), true
}

// firstTextReference is firstReference for the formats other than pickle.
func firstTextReference(f sniff.Format, p []byte) int {
	switch f {
	case sniff.JavaSerialized:
		if len(p) < 8 || p[0] != 0xac || p[1] != 0xed {
			return 4
		}
		switch {
		case p[5] == tcClassDesc && bytes.IndexByte([]byte{tcObject, 0x75, 0x76, 0x7e}, p[4]) >= 0:
			n := int(p[6])<<8 | int(p[7])
			return 8 + max(1, n/2)
		case p[5] == 0x7d: // TC_PROXYCLASSDESC
			return 6
		}
		return 5
	case sniff.PHPSerialized:
		ref := len(p)
		for _, tok := range []string{"O:", "C:", "E:"} {
			if i := bytes.Index(p, []byte(tok)); i >= 0 && i+2 < ref {
				ref = i + 2
			}
		}
		return ref
	case sniff.YAMLTags:
		i := bytes.IndexByte(p, '!')
		switch {
		case i < 0:
			return len(p)
		case i == 0:
			return 2
		}
		return i
	case sniff.RubyMarshal:
		// Version bytes and the first type byte: Marshal.load stops with
		// "marshal data too short" before it reads any class name.
		return min(len(p), 3)
	case sniff.JSONTypeKey:
		ref := len(p)
		for _, key := range []string{`"$type"`, `"@class"`, `"@type"`, `"py/`, NodeMarker} {
			if i := bytes.Index(p, []byte(key)); i >= 0 && i < ref {
				ref = i
			}
		}
		return max(ref, 1)
	}
	return len(p)
}

// Splice replaces value[start:end] with repl; out-of-range bounds replace
// the whole value.
func Splice(value string, start, end int, repl string) string {
	if start < 0 || end > len(value) || start > end || (start == 0 && end == 0) {
		return repl
	}
	return value[:start] + repl + value[end:]
}

// PercentEncode escapes every byte except ASCII letters, digits and "-_.~"
// as %XX. Spaces become %20, which both form decoders and plain
// percent-decoders read as a space.
func PercentEncode(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

func percentDecode(s string, plus bool) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			out = append(out, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		case c == '+' && plus:
			out = append(out, ' ')
		default:
			out = append(out, c)
		}
	}
	return out
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// decodeBase64 reads either alphabet, padding optional, ignoring non-zero
// trailing bits as most decoders do.
func decodeBase64(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	s = strings.NewReplacer("-", "+", "_", "/").Replace(s)
	return base64.RawStdEncoding.DecodeString(s)
}

func inflate(kind string, data []byte) ([]byte, error) {
	var r io.Reader
	var err error
	if kind == LayerGzip {
		var g *gzip.Reader
		g, err = gzip.NewReader(bytes.NewReader(data))
		if err == nil {
			g.Multistream(false)
			r = g
		}
	} else {
		r, err = zlib.NewReader(bytes.NewReader(data))
	}
	if err != nil {
		return nil, err
	}
	out, err := io.ReadAll(io.LimitReader(r, maxInflated))
	if err != nil && len(out) == 0 {
		return nil, err // a cut stream still yields what it holds
	}
	return out, nil
}
