// Package sniff recognises serialized objects inside strings seen in HTTP
// exchanges (cookie values, headers, query parameters, JSON string fields,
// whole bodies) and reports their format, their encoding and the classes or
// modules they reference.
//
// The package is pure and never deserializes anything: it walks the wire
// structure of each format with bounded readers (a pickle opcode walker that
// only tracks stack depth, marks and memoised strings; a Java stream grammar
// reader; a Ruby Marshal grammar reader that keeps only its symbol and
// object table sizes; an MS-NRBF (.NET BinaryFormatter) record reader that
// keeps only ids and member types; a PHP serialize grammar checker; tag and
// key scanners for YAML and JSON) and constructs no object of the scanned
// format. Every reader is
// bounded in input size, recursion depth and steps, so hostile input costs at
// most linear time.
//
// Sniff is called on every value of every response, so the common case (a
// value that is not serialized data) is rejected after a few byte tests
// without allocating.
package sniff

import (
	"strings"
)

// Format identifies a serialization format.
type Format string

// The formats Sniff recognises.
const (
	// PythonPickle is Python's pickle format, protocols 0 to 5.
	PythonPickle Format = "python-pickle"
	// JavaSerialized is the Java Object Serialization Stream Protocol
	// (stream magic AC ED 00 05).
	JavaSerialized Format = "java-serialization"
	// PHPSerialized is the output of PHP's serialize(): arrays (a:),
	// objects (O:), custom-serialized objects (C:) and enums (E:).
	PHPSerialized Format = "php-serialize"
	// YAMLTags is a YAML document carrying language-specific tags that make
	// unsafe loaders instantiate classes: !!python/object..., !ruby/object...,
	// SnakeYAML's !!java.class.Name, !!perl/..., Symfony's !php/object.
	YAMLTags Format = "yaml-tags"
	// JSONTypeKey is JSON that names the types to instantiate: jsonpickle
	// (py/object, py/reduce, py/type, py/function, ...), Json.NET ($type),
	// Jackson/fastjson (@class, @type with a Java class name) and
	// node-serialize (_$$ND_FUNC$$_).
	JSONTypeKey Format = "json-type-indicator"
	// RubyMarshal is Ruby's Marshal format 4.8 (bytes 04 08), the default
	// coder of Rack::Session::Cookie and of Rails' MessageVerifier and
	// cookie store before JSON became their default.
	RubyMarshal Format = "ruby-marshal"
	// DotNetBinaryFormatter is the .NET Remoting Binary Format (MS-NRBF)
	// that BinaryFormatter writes: a SerializationHeaderRecord (00, RootId,
	// HeaderId, version 1.0; base64 "AAEAAAD/////AQAAAAAAAAA"), records,
	// MessageEnd.
	DotNetBinaryFormatter Format = "dotnet-binaryformatter"
)

// Encoding names used in Match.Encoding. When a value was peeled more than
// once the names are joined with "+", outermost first (e.g.
// "percent+base64", "base64+gzip").
const (
	// EncRaw: the object is the value itself.
	EncRaw = "raw"
	// EncBase64: standard base64 (RFC 4648 §4), padding optional.
	EncBase64 = "base64"
	// EncBase64URL: URL-safe base64 (RFC 4648 §5), or text without padding.
	EncBase64URL = "base64url"
	// EncHex: hexadecimal, either case.
	EncHex = "hex"
	// EncPercent: %XX escapes (and '+' for space, as forms and PHP's
	// urlencode write it).
	EncPercent = "percent"
	// EncGzip: a gzip member, after a base64 or hex layer.
	EncGzip = "gzip"
	// EncZlib: a zlib stream, after a base64 or hex layer or in the
	// '.'-prefixed payload of a Django or itsdangerous signed value.
	EncZlib = "zlib"
)

// Limits that bound the work done on one value.
const (
	// MaxValueLen is the longest value Sniff looks at; longer values are
	// ignored (Sniff returns nil).
	MaxValueLen = 1 << 20
	// MaxClasses caps Match.Classes.
	MaxClasses = 32
	// maxDepth is the number of text decoding layers (percent, base64,
	// hex) peeled off a value; one decompression may follow a base64 or
	// hex layer on top of that.
	maxDepth = 2
	// maxInflate caps the output of one decompression.
	maxInflate = 256 << 10
	// minEncodedLen is the shortest base64 or hex string that is decoded.
	minEncodedLen = 16
	// maxSegments is the most '.'/':'-separated token segments tried.
	maxSegments = 5
	// maxEmbedded is the most embedded blobs decoded per value.
	maxEmbedded = 8
)

// Match describes one serialized object found in a value.
type Match struct {
	// Format is the serialization format.
	Format Format
	// Encoding tells how the object was wrapped in the value: "raw",
	// "base64", "base64url", "hex" or "percent", or a chain such as
	// "percent+base64" (outermost first). A base64 or hex layer may be
	// followed by "gzip" or "zlib" ("base64+gzip": a compressed JSF
	// ViewState; "base64url+zlib": a compressed Django or itsdangerous
	// signed value). "base64+base64" is a Rails 5.2+ signed value whose JSON
	// envelope carries the base64 message. "base64url" is reported when the
	// text uses the URL-safe alphabet or omits padding; text valid in both
	// alphabets is "base64".
	Encoding string
	// Classes lists the modules/classes the object references (for
	// example "shop.models.Profile", "java.util.HashMap", "App\\User",
	// "Shop::Profile", "Shop.Models.Cart"), deduplicated, in the order seen,
	// at most MaxClasses. For BinaryFormatter these are the type names as
	// the stream writes them (generic arguments assembly-qualified); the
	// assemblies are listed in Detail.
	Classes []string
	// Detail is a short human-readable summary, e.g. "pickle protocol 4,
	// 3 global references, REDUCE×1".
	Detail string
	// Strong is true when the structure parsed fully and consistently.
	// It is false for: a pickle cut short (a long valid prefix) or followed
	// by trailing bytes; a Java stream cut short, or whose magic is
	// followed by content the walker could not read as a class
	// descriptor; a Ruby Marshal stream cut short, stopped at a walker
	// limit or followed by trailing bytes (Marshal.load ignores them); a
	// BinaryFormatter stream after whose canonical header the records do
	// not read to a MessageEnd with every reference resolved (the 17-byte
	// header alone identifies the format); JSON type indicators in text
	// that is not one valid JSON document. PHP
	// matches are always whole; YAML tags are only reported at token
	// positions outside comments and quotes, so they are Strong.
	Strong bool
	// Start and End delimit the bytes of the value that carry the object,
	// value[Start:End]: the whole value for a raw object; the value without
	// surrounding whitespace, or the token after an authentication scheme
	// ("Bearer ..."), when that token was decoded; one '.'- or ':'-separated
	// segment of a token (JWT, Django or itsdangerous signed value); the
	// payload before "--<digest>" of a Rails or Rack signed value (the
	// whole value when it was percent-encoded); or a base64/hex blob
	// embedded in a larger text.
	Start, End int
}

// Sniff inspects one value and returns the serialized objects found in it,
// or nil when there are none. Values longer than MaxValueLen are ignored.
// Sniff never deserializes: it only reads structure.
func Sniff(value string) []Match {
	if len(value) < 2 || len(value) > MaxValueLen {
		return nil
	}
	var s sniffer
	// Raw formats see the value exactly as it is: trailing bytes of a
	// binary stream may well be whitespace.
	s.detect(value, encChain{}, 0, len(value))
	// Encodings are peeled off the value without surrounding whitespace,
	// and off the token of an "<auth-scheme> <token>" header value.
	t, off := trimSpace(value)
	s.peel(t, encChain{}, off, off+len(t))
	tokens := [2]struct {
		v   string
		off int
	}{{t, off}}
	if sp := strings.IndexByte(t, ' '); sp > 0 && isScheme(t[:sp]) && strings.IndexByte(t[sp+1:], ' ') < 0 && len(t)-sp-1 >= minEncodedLen {
		tokens[1].v, tokens[1].off = t[sp+1:], off+sp+1
		s.peel(tokens[1].v, encChain{}, tokens[1].off, tokens[1].off+len(tokens[1].v))
	}
	if !s.wholeEncoded {
		for _, tk := range tokens {
			if tk.v != "" {
				s.segments(tk.v, tk.off)
			}
		}
		s.embedded(value)
	}
	return s.out
}

// trimSpace trims ASCII whitespace and returns the offset of what is left.
func trimSpace(v string) (string, int) {
	i, j := 0, len(v)
	for i < j && (v[i] == ' ' || v[i] == '\t' || v[i] == '\r' || v[i] == '\n') {
		i++
	}
	for j > i && (v[j-1] == ' ' || v[j-1] == '\t' || v[j-1] == '\r' || v[j-1] == '\n') {
		j--
	}
	return v[i:j], i
}

// isScheme reports whether w looks like an HTTP authentication scheme
// ("Bearer", "Token", "JWT").
func isScheme(w string) bool {
	if len(w) > 16 {
		return false
	}
	for i := 0; i < len(w); i++ {
		if c := w[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// encKind is one peeling step.
type encKind uint8

const (
	encNone encKind = iota
	encPercent
	encBase64
	encBase64URL
	encHex
	encGzip
	encZlib
)

func (e encKind) String() string {
	switch e {
	case encPercent:
		return EncPercent
	case encBase64:
		return EncBase64
	case encBase64URL:
		return EncBase64URL
	case encHex:
		return EncHex
	case encGzip:
		return EncGzip
	case encZlib:
		return EncZlib
	}
	return EncRaw
}

// encChain is the list of peeling steps applied so far, outermost first.
type encChain struct {
	n    uint8
	step [maxDepth + 1]encKind
}

func (c encChain) push(e encKind) encChain {
	if int(c.n) < len(c.step) {
		c.step[c.n] = e
		c.n++
	}
	return c
}

// last is the innermost step, encNone for a raw value.
func (c encChain) last() encKind {
	if c.n == 0 {
		return encNone
	}
	return c.step[c.n-1]
}

func (c encChain) String() string {
	switch c.n {
	case 0:
		return EncRaw
	case 1:
		return c.step[0].String()
	}
	var b strings.Builder
	for i := uint8(0); i < c.n; i++ {
		if i > 0 {
			b.WriteByte('+')
		}
		b.WriteString(c.step[i].String())
	}
	return b.String()
}

// sniffer collects matches for one value.
type sniffer struct {
	out []Match
	// wholeEncoded is set when the whole value looked like base64 or hex,
	// which makes segment and embedded scans pointless.
	wholeEncoded bool
}

// result is what a format detector reports.
type result struct {
	format  Format
	classes classList
	detail  string
	strong  bool
}

func (s *sniffer) add(r result, enc encChain, start, end int) {
	for i := range s.out {
		m := &s.out[i]
		if m.Format == r.format && m.Start <= start && end <= m.End && (m.Start != start || m.End != end) {
			// Part of an object already found through a wider span (an
			// embedded-blob scan inside a percent-encoded value).
			return
		}
	}
	e := enc.String()
	for i := range s.out {
		m := &s.out[i]
		if m.Format == r.format && m.Start == start && m.End == end {
			// The same object reached through another peel: keep the
			// stronger, then the first.
			if !m.Strong && r.strong {
				*m = r.match(e, start, end)
			}
			return
		}
	}
	s.out = append(s.out, r.match(e, start, end))
}

func (r result) match(enc string, start, end int) Match {
	return Match{
		Format:   r.format,
		Encoding: enc,
		Classes:  r.classes.list(),
		Detail:   r.detail,
		Strong:   r.strong,
		Start:    start,
		End:      end,
	}
}

// detect runs every format detector on data.
func (s *sniffer) detect(data string, enc encChain, start, end int) {
	if r, ok := detectPickle(data); ok {
		s.add(r, enc, start, end)
	}
	if r, ok := detectJava(data); ok {
		s.add(r, enc, start, end)
	}
	if r, ok := detectPHP(data); ok {
		s.add(r, enc, start, end)
	}
	if r, ok := detectYAML(data); ok {
		s.add(r, enc, start, end)
	}
	if r, ok := detectJSON(data); ok {
		s.add(r, enc, start, end)
	}
	if r, ok := detectRubyMarshal(data); ok {
		s.add(r, enc, start, end)
	}
	if r, ok := detectDotNet(data); ok {
		s.add(r, enc, start, end)
	}
}

// layer detects formats in data and peels further encodings off it.
func (s *sniffer) layer(data string, enc encChain, start, end int) {
	s.detect(data, enc, start, end)
	if l := enc.last(); l == encBase64 || l == encBase64URL || l == encHex {
		if d, kind, ok := inflate(data); ok {
			s.detect(d, enc.push(kind), start, end)
		}
	}
	s.peel(data, enc, start, end)
}

// peel decodes the percent, base64 and hex encodings data may be in and
// hands each result to layer.
func (s *sniffer) peel(data string, enc encChain, start, end int) {
	if int(enc.n) >= maxDepth {
		return
	}
	if hasPercentEscape(data) {
		d := percentDecode(data, false)
		s.layer(d, enc.push(encPercent), start, end)
		if strings.IndexByte(data, '+') >= 0 {
			// Form encoding turns spaces into '+'; PHP's urlencode() does
			// too, and serialized string lengths only match once undone.
			s.layer(percentDecode(data, true), enc.push(encPercent), start, end)
		}
	}
	if (enc.n == 0 || enc.last() == encPercent) && s.signedMessage(data, enc, start, end) {
		s.wholeEncoded = s.wholeEncoded || enc.n == 0
		return
	}
	if kind, ok := base64Plausible(data); ok {
		s.wholeEncoded = s.wholeEncoded || enc.n == 0
		if d, ok := decodeBase64(data, kind); ok {
			s.layer(d, enc.push(kind), start, end)
		}
	}
	if hexPlausible(data) {
		s.wholeEncoded = s.wholeEncoded || enc.n == 0
		if d, ok := decodeHex(data); ok {
			s.layer(d, enc.push(encHex), start, end)
		}
	}
}

// signedMessage reads a "<base64>--<digest>" value: Rails'
// ActiveSupport::MessageVerifier (signed cookies, the Rails 3 and 4 cookie
// store) and Rack::Session::Cookie sign base64 of the serialized message
// that way. The payload before the last "--" is decoded and detected; when
// it is Rails' JSON envelope ({"_rails":{"message":"<base64>",...}}, Rails
// 5.2 and later for messages with a purpose), the message inside is too.
// It reports whether data had that shape, in which case decoding the whole
// of data as base64 is pointless.
func (s *sniffer) signedMessage(data string, enc encChain, start, end int) bool {
	if len(data) < minEncodedLen+2+minDigest {
		return false
	}
	i := digestSep(data)
	if i < minEncodedLen || !base64Head(data) {
		return false
	}
	payload := data[:i]
	kind, ok := base64Plausible(payload)
	if !ok {
		return false
	}
	d, ok := decodeBase64(payload, kind)
	if !ok {
		return false
	}
	if enc.n == 0 {
		end = start + i
	}
	enc = enc.push(kind)
	s.detect(d, enc, start, end)
	if msg, ok := railsEnvelope(d); ok {
		if k, ok := base64Plausible(msg); ok {
			if m, ok := decodeBase64(msg, k); ok {
				s.detect(m, enc.push(k), start, end)
			}
		}
	}
	return true
}

// base64Head reports whether the first 8 characters of s are base64 that
// decodes to bytes that could start a serialized object.
func base64Head(s string) bool {
	var p [6]byte
	for i := 0; i < 8; i += 4 {
		a, b, c, d := b64val[s[i]], b64val[s[i+1]], b64val[s[i+2]], b64val[s[i+3]]
		if (a|b|c|d)&0xc0 != 0 {
			return false
		}
		p[i/4*3], p[i/4*3+1], p[i/4*3+2] = a<<2|b>>4, b<<4|c>>2, c<<6|d
	}
	return maybeSerialized(p[:])
}

// Lengths of the signature after "--": hex or base64 of 8 to 128 bytes.
const (
	minDigest = 16
	maxDigest = 172
)

// digestSep returns the index of the "--" that separates a signature (hex
// or base64 text of minDigest to maxDigest characters) from the end of
// data, or -1. It reads only the tail of data.
func digestSep(data string) int {
	tail := max(0, len(data)-maxDigest-2)
	if strings.IndexByte(data[tail:], '-') < 0 {
		return -1
	}
	for j := len(data); j >= 2 && len(data)-j <= maxDigest; j-- {
		c := data[j-1]
		if c == '-' && data[j-2] == '-' {
			if len(data)-j < minDigest {
				return -1
			}
			return j - 2
		}
		if b64val[c] == 0xff && c != '=' {
			return -1
		}
	}
	return -1
}

// railsEnvelope returns the message of Rails' message metadata envelope,
// {"_rails":{"message":"...","exp":...,"pur":"..."}}.
func railsEnvelope(d string) (string, bool) {
	const head = `{"_rails":{`
	if !strings.HasPrefix(d, head) {
		return "", false
	}
	const key = `"message":"`
	i := strings.Index(d, key)
	if i < 0 {
		return "", false
	}
	msg := d[i+len(key):]
	j := strings.IndexByte(msg, '"')
	if j < 0 {
		return "", false
	}
	return msg[:j], true
}

// segments tries each part of a '.'- or ':'-separated token (a JWT, a Django
// or itsdangerous signed value) as base64 or hex.
func (s *sniffer) segments(v string, off int) {
	if strings.IndexByte(v, '.') < 0 && strings.IndexByte(v, ':') < 0 {
		return
	}
	parts := 1
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '.' || c == ':':
			parts++
			if parts > maxSegments {
				return
			}
		case b64val[c] == 0xff && c != '-' && c != '_' && c != '=':
			return
		}
	}
	if parts < 2 {
		return
	}
	begin := 0
	for i := 0; i <= len(v); i++ {
		if i < len(v) && v[i] != '.' && v[i] != ':' {
			continue
		}
		part := v[begin:i]
		if kind, ok := base64Plausible(part); ok {
			if d, ok := decodeBase64(part, kind); ok {
				enc := encChain{}.push(kind)
				s.detect(d, enc, off+begin, off+i)
				// Django (compress=True) and itsdangerous mark a zlib
				// payload with a leading '.'.
				if begin == 1 {
					if z, zk, ok := inflate(d); ok {
						s.detect(z, enc.push(zk), off+begin, off+i)
					}
				}
			}
		}
		if hexPlausible(part) {
			if d, ok := decodeHex(part); ok {
				s.detect(d, encChain{}.push(encHex), off+begin, off+i)
			}
		}
		begin = i + 1
	}
}

// embedded looks inside a larger text for base64 or hex blobs that start
// with a Java, pickle or Ruby Marshal magic (e.g. a JSF ViewState in an HTML
// form, a pickle in a JSON document) and decodes only those. "BAh" is base64
// of 04 08 and a type byte of 0x40-0x7f: objects, structs, arrays, hashes,
// strings with an encoding, _dump and marshal_dump data;
// "AAEAAAD/////AQAAAAAAAAA" is BinaryFormatter's header.
func (s *sniffer) embedded(v string) {
	// A blob needs a boundary before it (a blob at offset 0 that is not the
	// whole value is left to the segment scan).
	if len(v) < minEncodedLen+2 || strings.IndexAny(v, boundaryChars) < 0 {
		return
	}
	budget := maxEmbedded
	for _, needle := range [...]string{"rO0AB", "gA", "BAh", "AAEAAAD/////AQAAAAAAAAA", "aced0005", "ACED0005"} {
		for i := 0; budget > 0; {
			j := strings.Index(v[i:], needle)
			if j < 0 {
				break
			}
			at := i + j
			i = at + len(needle)
			if at > 0 && !isBoundary(v[at-1]) {
				continue
			}
			if needle == "gA" && (at+2 >= len(v) || v[at+2] < 'I' || v[at+2] > 'X') {
				continue
			}
			if needle[0] == 'a' || needle[0] == 'A' {
				end := at
				for end < len(v) && hexVal[v[end]] != 0xff {
					end++
				}
				i = end
				if end-at == len(v) || end-at < minEncodedLen {
					continue // the whole value was already peeled
				}
				budget--
				if d, ok := decodeHex(v[at:end]); ok {
					s.detect(d, encChain{}.push(encHex), at, end)
				}
				continue
			}
			end := at
			url, std := false, false
			for end < len(v) {
				c := v[end]
				if c == '-' && needle == "BAh" && end+1 < len(v) && v[end+1] == '-' {
					break // the "--" before a Rails or Rack signature
				}
				if c == '-' || c == '_' {
					url = true
				} else if c == '+' || c == '/' {
					std = true
				} else if b64val[c] == 0xff {
					break
				}
				end++
			}
			for end < len(v) && v[end] == '=' {
				end++
			}
			i = end
			if url && std || end-at < minEncodedLen || end-at == len(v) {
				continue
			}
			budget--
			kind := encBase64
			if url {
				kind = encBase64URL
			}
			if d, ok := decodeBase64(v[at:end], kind); ok {
				s.detect(d, encChain{}.push(kind), at, end)
			}
		}
	}
}

// boundaryChars may precede an embedded blob.
const boundaryChars = "\"'=:> \t\r\n,;([{`"

// isBoundary reports whether c may precede an embedded blob.
func isBoundary(c byte) bool {
	return strings.IndexByte(boundaryChars, c) >= 0
}
