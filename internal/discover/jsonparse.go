package discover

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// parseJSONTree parses a JSON document into a tree. Strings without escapes
// share the memory of one copy of the document. A key that appears twice in
// an object keeps its first value.
func parseJSONTree(data []byte) (*cnode, error) {
	p := &jsonParser{s: string(data), interned: map[string]*cnode{}}
	if strings.HasPrefix(p.s, "\ufeff") {
		p.i = len("\ufeff") // a byte order mark
	}
	p.skipSpace()
	n, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.i != len(p.s) {
		return nil, p.errorf("data after the document")
	}
	return n, nil
}

type jsonParser struct {
	s string
	i int
	// keys and kids are the stack of the objects and arrays being parsed:
	// each gets slices of its exact size when it ends.
	keys []string
	kids []*cnode
	// interned shares the nodes of short scalars written many times
	// ("string", "query", "#/components/schemas/Id"). Scalar nodes are
	// never modified, so sharing them is safe.
	interned map[string]*cnode
}

// Scalar nodes shared by every tree.
var (
	nullNode  = &cnode{kind: cNull}
	trueNode  = &cnode{kind: cBool, val: "true"}
	falseNode = &cnode{kind: cBool, val: "false"}
)

// maxInterned bounds the interning table of one parse.
const maxInterned = 1 << 16

// scalar returns a node for a string or number, shared when short.
func (p *jsonParser) scalar(kind ckind, v string) *cnode {
	if len(v) > 96 || p.interned == nil {
		return &cnode{kind: kind, val: v}
	}
	key := v
	if kind == cNum {
		key = "\x00" + v // numbers and strings apart
	}
	if n, ok := p.interned[key]; ok {
		return n
	}
	n := &cnode{kind: kind, val: v}
	if len(p.interned) < maxInterned {
		p.interned[key] = n
	}
	return n
}

func (p *jsonParser) errorf(format string, args ...any) error {
	return fmt.Errorf("invalid JSON at byte %d: %s", p.i, fmt.Sprintf(format, args...))
}

func (p *jsonParser) skipSpace() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonParser) value(depth int) (*cnode, error) {
	if depth > maxTreeHeight {
		return nil, errTreeBounds
	}
	if p.i >= len(p.s) {
		return nil, p.errorf("unexpected end")
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		s, err := p.string()
		if err != nil {
			return nil, err
		}
		return p.scalar(cStr, s), nil
	case c == 't':
		return p.literal("true", trueNode)
	case c == 'f':
		return p.literal("false", falseNode)
	case c == 'n':
		return p.literal("null", nullNode)
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	default:
		return nil, p.errorf("unexpected %q", c)
	}
}

func (p *jsonParser) literal(word string, n *cnode) (*cnode, error) {
	if len(p.s)-p.i < len(word) || p.s[p.i:p.i+len(word)] != word {
		return nil, p.errorf("unexpected literal")
	}
	p.i += len(word)
	return n, nil
}

// number scans a number by the JSON grammar.
func (p *jsonParser) number() (*cnode, error) {
	start := p.i
	digits := func() bool {
		n := p.i
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			p.i++
		}
		return p.i > n
	}
	if p.s[p.i] == '-' {
		p.i++
	}
	if p.i < len(p.s) && p.s[p.i] == '0' {
		p.i++
	} else if !digits() {
		return nil, p.errorf("invalid number")
	}
	if p.i < len(p.s) && p.s[p.i] == '.' {
		p.i++
		if !digits() {
			return nil, p.errorf("invalid number")
		}
	}
	if p.i < len(p.s) && (p.s[p.i] == 'e' || p.s[p.i] == 'E') {
		p.i++
		if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
			p.i++
		}
		if !digits() {
			return nil, p.errorf("invalid number")
		}
	}
	return p.scalar(cNum, p.s[start:p.i]), nil
}

// string parses a string at p.i (which is '"').
func (p *jsonParser) string() (string, error) {
	p.i++
	start := p.i
	for p.i < len(p.s) {
		switch c := p.s[p.i]; {
		case c == '"':
			s := p.s[start:p.i]
			p.i++
			return s, nil
		case c == '\\':
			return p.escapedString(start)
		case c < 0x20:
			return "", p.errorf("control character in a string")
		default:
			p.i++
		}
	}
	return "", p.errorf("unterminated string")
}

// escapedString continues a string that holds escapes, from start.
func (p *jsonParser) escapedString(start int) (string, error) {
	b := []byte(p.s[start:p.i])
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return string(b), nil
		case c < 0x20:
			return "", p.errorf("control character in a string")
		case c != '\\':
			b = append(b, c)
			p.i++
			continue
		}
		if p.i+1 >= len(p.s) {
			break
		}
		e := p.s[p.i+1]
		p.i += 2
		switch e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return "", p.errorf("invalid \\u escape")
			}
			if utf16.IsSurrogate(r) {
				r2 := utf8.RuneError
				if len(p.s)-p.i >= 2 && p.s[p.i] == '\\' && p.s[p.i+1] == 'u' {
					save := p.i
					p.i += 2
					if lo, ok := p.hex4(); ok {
						r2 = utf16.DecodeRune(r, lo)
					}
					if r2 == utf8.RuneError {
						p.i = save
					}
				}
				r = r2
			}
			b = utf8.AppendRune(b, r)
		default:
			return "", p.errorf("invalid escape")
		}
	}
	return "", p.errorf("unterminated string")
}

func (p *jsonParser) hex4() (rune, bool) {
	if len(p.s)-p.i < 4 {
		return 0, false
	}
	v, err := strconv.ParseUint(p.s[p.i:p.i+4], 16, 32)
	if err != nil {
		return 0, false
	}
	p.i += 4
	return rune(v), true
}

func (p *jsonParser) object(depth int) (*cnode, error) {
	p.i++ // {
	n := &cnode{kind: cObj}
	kbase, vbase := len(p.keys), len(p.kids)
	defer func() { p.keys, p.kids = p.keys[:kbase], p.kids[:vbase] }()
	var index map[string]bool // for objects with many keys
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return n, nil
	}
	for {
		p.skipSpace()
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return nil, p.errorf("expected a key")
		}
		k, err := p.string()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return nil, p.errorf("expected ':'")
		}
		p.i++
		p.skipSpace()
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		if !hasKeyIn(p.keys[kbase:], k, &index) {
			p.keys = append(p.keys, k)
			p.kids = append(p.kids, v)
		}
		p.skipSpace()
		if p.i >= len(p.s) {
			return nil, p.errorf("unterminated object")
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			n.keys = append([]string(nil), p.keys[kbase:]...)
			n.kids = append([]*cnode(nil), p.kids[vbase:]...)
			return n, nil
		default:
			return nil, p.errorf("expected ',' or '}'")
		}
	}
}

// hasKey reports whether object n already has key k (and records it), with
// a map once the object is large.
func hasKey(n *cnode, k string, index *map[string]bool) bool {
	return hasKeyIn(n.keys, k, index)
}

func hasKeyIn(keys []string, k string, index *map[string]bool) bool {
	if *index == nil && len(keys) < 16 {
		for _, e := range keys {
			if e == k {
				return true
			}
		}
		return false
	}
	if *index == nil {
		*index = make(map[string]bool, 2*len(keys))
		for _, e := range keys {
			(*index)[e] = true
		}
	}
	if (*index)[k] {
		return true
	}
	(*index)[k] = true
	return false
}

func (p *jsonParser) array(depth int) (*cnode, error) {
	p.i++ // [
	n := &cnode{kind: cArr}
	base := len(p.kids)
	defer func() { p.kids = p.kids[:base] }()
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		return n, nil
	}
	for {
		p.skipSpace()
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		p.kids = append(p.kids, v)
		p.skipSpace()
		if p.i >= len(p.s) {
			return nil, p.errorf("unterminated array")
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			n.kids = append([]*cnode(nil), p.kids[base:]...)
			return n, nil
		default:
			return nil, p.errorf("expected ',' or ']'")
		}
	}
}

var errNotObject = errors.New("the document is not an object")
