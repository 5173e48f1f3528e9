package sniff

import (
	"compress/flate"
	"compress/gzip"
	"io"
	"strings"
	"sync"
)

// b64val maps both base64 alphabets (standard and URL-safe) to their 6-bit
// values; every other byte maps to 0xff.
var b64val = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	const std = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := 0; i < len(std); i++ {
		t[std[i]] = byte(i)
	}
	t['-'] = 62
	t['_'] = 63
	return t
}()

// hexVal maps hex digits to their value; every other byte maps to 0xff.
var hexVal = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c - '0')
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] = byte(c - 'a' + 10)
		t[c-'a'+'A'] = byte(c - 'a' + 10)
	}
	return t
}()

// base64Plausible reports whether s looks like base64 (one alphabet,
// padding only at the end, a possible length, at least minEncodedLen
// characters) and whether its first decoded bytes could start a serialized
// object. It returns the alphabet: encBase64 or encBase64URL. It does not
// allocate.
func base64Plausible(s string) (encKind, bool) {
	if len(s) < minEncodedLen {
		return encNone, false
	}
	n := len(s)
	for n > 0 && s[n-1] == '=' {
		n--
	}
	pad := len(s) - n
	if pad > 2 || (pad > 0 && len(s)%4 != 0) || n%4 == 1 {
		return encNone, false
	}
	url, std := false, false
	for i := 0; i < n; i++ {
		c := s[i]
		switch {
		case c == '-' || c == '_':
			url = true
		case c == '+' || c == '/':
			std = true
		case b64val[c] == 0xff:
			return encNone, false
		}
	}
	if url && std {
		return encNone, false
	}
	var p [6]byte
	q := p[:0]
	for i := 0; i+4 <= 8 && i+4 <= n; i += 4 {
		a, b, c, d := b64val[s[i]], b64val[s[i+1]], b64val[s[i+2]], b64val[s[i+3]]
		q = append(q, a<<2|b>>4, b<<4|c>>2, c<<6|d)
	}
	if !maybeSerialized(q) {
		return encNone, false
	}
	// Without alphabet-specific characters, a missing padding is the
	// URL-safe convention (RFC 7515, Django and itsdangerous tokens).
	if url || (!std && pad == 0 && len(s)%4 != 0) {
		return encBase64URL, true
	}
	return encBase64, true
}

// decodeBase64 decodes s (either alphabet, padding optional). It ignores
// non-zero trailing bits, as most decoders in the wild do.
func decodeBase64(s string, _ encKind) (string, bool) {
	for len(s) > 0 && s[len(s)-1] == '=' {
		s = s[:len(s)-1]
	}
	if len(s)%4 == 1 {
		return "", false
	}
	var b strings.Builder
	b.Grow(len(s) * 3 / 4)
	i := 0
	for ; i+4 <= len(s); i += 4 {
		a, c1, c2, d := b64val[s[i]], b64val[s[i+1]], b64val[s[i+2]], b64val[s[i+3]]
		if (a|c1|c2|d)&0xc0 != 0 {
			return "", false
		}
		b.WriteByte(a<<2 | c1>>4)
		b.WriteByte(c1<<4 | c2>>2)
		b.WriteByte(c2<<6 | d)
	}
	switch len(s) - i {
	case 2:
		a, c1 := b64val[s[i]], b64val[s[i+1]]
		if (a|c1)&0xc0 != 0 {
			return "", false
		}
		b.WriteByte(a<<2 | c1>>4)
	case 3:
		a, c1, c2 := b64val[s[i]], b64val[s[i+1]], b64val[s[i+2]]
		if (a|c1|c2)&0xc0 != 0 {
			return "", false
		}
		b.WriteByte(a<<2 | c1>>4)
		b.WriteByte(c1<<4 | c2>>2)
	}
	return b.String(), true
}

// hexPlausible reports whether s is an even-length hex string of at least
// minEncodedLen digits whose first decoded bytes could start a serialized
// object. It does not allocate.
func hexPlausible(s string) bool {
	if len(s) < minEncodedLen || len(s)%2 != 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if hexVal[s[i]] == 0xff {
			return false
		}
	}
	var p [6]byte
	for i := range p {
		p[i] = hexVal[s[2*i]]<<4 | hexVal[s[2*i+1]]
	}
	return maybeSerialized(p[:])
}

// decodeHex decodes an even-length hex string.
func decodeHex(s string) (string, bool) {
	if len(s)%2 != 0 {
		return "", false
	}
	var b strings.Builder
	b.Grow(len(s) / 2)
	for i := 0; i+1 < len(s); i += 2 {
		hi, lo := hexVal[s[i]], hexVal[s[i+1]]
		if (hi|lo)&0xf0 != 0 {
			return "", false
		}
		b.WriteByte(hi<<4 | lo)
	}
	return b.String(), true
}

// hasPercentEscape reports whether s contains a %XX escape.
func hasPercentEscape(s string) bool {
	for {
		i := strings.IndexByte(s, '%')
		if i < 0 || i+2 >= len(s) {
			return false
		}
		if hexVal[s[i+1]] != 0xff && hexVal[s[i+2]] != 0xff {
			return true
		}
		s = s[i+1:]
	}
}

// percentDecode undoes %XX escapes, leaving malformed ones as they are.
// With plus, '+' becomes a space (form encoding).
func percentDecode(s string, plus bool) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%' && i+2 < len(s) && hexVal[s[i+1]] != 0xff && hexVal[s[i+2]] != 0xff:
			b.WriteByte(hexVal[s[i+1]]<<4 | hexVal[s[i+2]])
			i += 2
		case c == '+' && plus:
			b.WriteByte(' ')
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// maybeSerialized is the cheap gate in front of a full decode: p holds the
// first decoded bytes (up to 6). It accepts a pickle PROTO header, the Java
// stream magic, the Ruby Marshal 4.8 version bytes, the start of an MS-NRBF
// header, the first opcode of a protocol 0/1 pickle, and text (for PHP,
// YAML and JSON).
func maybeSerialized(p []byte) bool {
	if len(p) < 2 {
		return false
	}
	switch {
	case p[0] == 0x80:
		return p[1] >= 2 && p[1] <= 5
	case p[0] == 0xac:
		return p[1] == 0xed
	case p[0] == 0x04:
		return p[1] == 0x08 // Ruby Marshal 4.8
	case p[0] == 0x00:
		// MS-NRBF SerializationHeaderRecord: a small RootId (INT32).
		return len(p) >= 5 && p[1] != 0 && p[2] == 0 && p[3] == 0 && p[4] == 0
	case p[0] == 0xef && len(p) >= 3 && p[1] == 0xbb && p[2] == 0xbf:
		return true // UTF-8 byte order mark before text
	case isGzip(p) || isZlib(p):
		return true
	case strings.IndexByte("(]})c", p[0]) >= 0:
		return true // usual first opcodes of protocol 0/1 pickles
	}
	for _, c := range p {
		if (c < 0x20 || c > 0x7e) && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return true
}

// isGzip reports whether p starts with a gzip member header (deflate).
func isGzip(p []byte) bool {
	return len(p) >= 3 && p[0] == 0x1f && p[1] == 0x8b && p[2] == 8
}

// isZlib reports whether p starts with a zlib header (deflate, valid check
// bits, no preset dictionary).
func isZlib(p []byte) bool {
	return len(p) >= 2 && p[0]&0x0f == 8 && p[0]>>4 <= 7 && (uint(p[0])<<8|uint(p[1]))%31 == 0 && p[1]&0x20 == 0
}

// inflater holds reusable decompressors and an output buffer: flate's
// 32 KiB window is by far the largest allocation Sniff would otherwise make
// on benign traffic (compressed Flask and Django cookies are common).
type inflater struct {
	flate io.ReadCloser // also a flate.Resetter
	gzip  *gzip.Reader
	src   strings.Reader
	buf   []byte
}

var inflaters = sync.Pool{New: func() any { return new(inflater) }}

// inflate decompresses a gzip or zlib payload, at most maxInflate bytes of
// output (a longer one is cut there, which the format walkers then see as
// truncated). It gives up early when the first decompressed bytes cannot
// start a serialized object. It reports which wrapper it found.
func inflate(d string) (string, encKind, bool) {
	if len(d) < 8 {
		return "", encNone, false
	}
	var p [3]byte
	copy(p[:], d)
	gz, zl := isGzip(p[:]), isZlib(p[:])
	if !gz && !zl {
		return "", encNone, false
	}
	z := inflaters.Get().(*inflater)
	defer inflaters.Put(z)
	var r io.Reader
	kind := encZlib
	if gz {
		kind = encGzip
		z.src.Reset(d)
		if z.gzip == nil {
			g, err := gzip.NewReader(&z.src)
			if err != nil {
				return "", encNone, false
			}
			z.gzip = g
		} else if err := z.gzip.Reset(&z.src); err != nil {
			return "", encNone, false
		}
		z.gzip.Multistream(false)
		r = z.gzip
	} else {
		// The zlib wrapper is two header bytes and a trailing Adler-32;
		// reading the raw deflate stream skips the checksum, which a cut
		// value would not have anyway.
		z.src.Reset(d[2:])
		if z.flate == nil {
			z.flate = flate.NewReader(&z.src)
		} else if err := z.flate.(flate.Resetter).Reset(&z.src, nil); err != nil {
			return "", encNone, false
		}
		r = z.flate
	}
	if cap(z.buf) < 512 {
		z.buf = make([]byte, 0, 4096)
	}
	buf := z.buf[:0]
	gated := false
	for len(buf) < maxInflate {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):min(cap(buf), maxInflate)])
		buf = buf[:len(buf)+n]
		if !gated && (len(buf) >= 6 || err != nil) {
			if !maybeSerialized(buf[:min(len(buf), 6)]) {
				z.buf = buf
				return "", encNone, false
			}
			gated = true
		}
		if err != nil {
			if err != io.EOF && err != io.ErrUnexpectedEOF && len(buf) == 0 {
				z.buf = buf
				return "", encNone, false
			}
			break
		}
	}
	z.buf = buf
	if len(buf) == 0 {
		return "", encNone, false
	}
	return string(buf), kind, true
}
