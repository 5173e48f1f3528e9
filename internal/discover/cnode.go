package discover

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"
)

// cnode is one value of a document held compactly: the form in which a whole
// spec stays in memory while the library only ever sees small pieces of it
// (a yaml.Node costs twice as much, the library's models fifty times more).
// A tree parsed from JSON shares nothing; one converted from YAML shares the
// nodes that aliases point to.
type cnode struct {
	kind ckind
	// height and size of an object or array are measured once (see
	// measure): the depth of the tree below, and the length of the JSON it
	// serializes to, aliases expanded. size 0 means not measured yet, -1
	// being measured. They serve budgets: measured after the $refs were
	// resolved, they are not updated by later changes.
	height int32
	size   int64
	val    string   // cStr: the string; cNum: JSON number text; cBool: true/false
	keys   []string // cObj: keys in document order (no duplicates)
	kids   []*cnode // cObj: values, parallel to keys; cArr: elements
}

type ckind uint8

const (
	cNull ckind = iota
	cBool
	cNum
	cStr
	cObj
	cArr
)

// Bounds on a document tree.
const (
	// maxTreeHeight bounds nesting, aliases expanded: every walk of a tree
	// recurses.
	maxTreeHeight = 512
	// maxExpandedBytes bounds the JSON a tree serializes to with its YAML
	// aliases expanded (an alias bomb is small written, huge expanded).
	maxExpandedBytes = 4 * MaxSpecBytes
)

// errTreeBounds means a document nests too deep or expands too far.
var errTreeBounds = errors.New("the document nests or expands beyond Parapet's limits")

// get returns the value of key in an object, or nil.
func (n *cnode) get(key string) *cnode {
	if n == nil || n.kind != cObj {
		return nil
	}
	for i, k := range n.keys {
		if k == key {
			return n.kids[i]
		}
	}
	return nil
}

// str returns a string value.
func (n *cnode) str() (string, bool) {
	if n == nil || n.kind != cStr {
		return "", false
	}
	return n.val, true
}

// ref returns the "$ref" of an object that holds a string one.
func (n *cnode) ref() (string, bool) {
	if n == nil || n.kind != cObj {
		return "", false
	}
	return n.get("$ref").str()
}

// set sets key in an object, adding it at the end when missing.
func (n *cnode) set(key string, v *cnode) {
	for i, k := range n.keys {
		if k == key {
			n.kids[i] = v
			return
		}
	}
	n.keys = append(n.keys, key)
	n.kids = append(n.kids, v)
}

// blank empties an object in place: what an unusable $ref becomes.
func (n *cnode) blank() {
	n.keys, n.kids = nil, nil
	n.size, n.height = 0, 0
}

// pointerTokens splits a local JSON pointer reference ("#/components/
// schemas/Pet") into its unescaped tokens. ok is false for a reference that
// is not a JSON pointer into this document (a file, a plain-name fragment).
func pointerTokens(ref string) ([]string, bool) {
	if !strings.HasPrefix(ref, "#") {
		return nil, false
	}
	frag := ref[1:]
	if frag == "" {
		return nil, true
	}
	if !strings.HasPrefix(frag, "/") {
		return nil, false // a plain-name fragment ($anchor)
	}
	if u, err := url.PathUnescape(frag); err == nil {
		frag = u
	}
	toks := strings.Split(frag[1:], "/")
	for i, t := range toks {
		toks[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	return toks, true
}

// measure returns the size and height of n, computing them once per node;
// a node reached again while being measured is a recursive alias.
func (n *cnode) measure() (int64, int32, error) {
	switch n.kind {
	case cNull:
		return 4, 0, nil
	case cBool, cNum:
		return int64(len(n.val)), 0, nil
	case cStr:
		return int64(len(n.val)) + 2, 0, nil // escapes are not counted
	}
	// Only objects and arrays remember: scalar nodes may be shared by
	// trees of other goroutines, and are never written.
	if n.size > 0 {
		return n.size, n.height, nil
	}
	if n.size < 0 {
		return 0, 0, fmt.Errorf("%w: a YAML alias contains itself", errTreeBounds)
	}
	n.size = -1
	size, height := int64(2), int32(0)
	for i, k := range n.kids {
		s, h, err := k.measure()
		if err != nil {
			n.size = 0
			return 0, 0, err
		}
		size += s + 1
		if n.kind == cObj {
			size += int64(len(n.keys[i])) + 3
		}
		height = max(height, h+1)
		if size > maxExpandedBytes || height > maxTreeHeight {
			n.size = 0
			return 0, 0, errTreeBounds
		}
	}
	n.size, n.height = size, height
	return n.size, n.height, nil
}

// walkObjects calls fn once for every object below n, n included, each
// shared node once; fn returns false to skip the object's children.
func walkObjects(n *cnode, seen map[*cnode]bool, fn func(*cnode) bool) {
	if n == nil || (n.kind != cObj && n.kind != cArr) {
		return
	}
	if seen != nil {
		if seen[n] {
			return
		}
		seen[n] = true
	}
	if n.kind == cObj && !fn(n) {
		return
	}
	for _, k := range n.kids {
		walkObjects(k, seen, fn)
	}
}

// jsonWriter serializes trees as JSON.
type jsonWriter struct {
	b []byte
	// keepRef, when set, decides whether a "$ref" is written; an object
	// whose reference is not kept is written without it.
	keepRef func(ref string) bool
}

func (w *jsonWriter) value(n *cnode) {
	switch n.kind {
	case cNull:
		w.b = append(w.b, "null"...)
	case cBool, cNum:
		w.b = append(w.b, n.val...)
	case cStr:
		w.str(n.val)
	case cArr:
		w.b = append(w.b, '[')
		for i, k := range n.kids {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.value(k)
		}
		w.b = append(w.b, ']')
	case cObj:
		drop := false
		if w.keepRef != nil {
			if r, ok := n.ref(); ok && !w.keepRef(r) {
				drop = true
			}
		}
		w.b = append(w.b, '{')
		first := true
		for i, k := range n.keys {
			if drop && k == "$ref" {
				continue
			}
			if !first {
				w.b = append(w.b, ',')
			}
			first = false
			w.str(k)
			w.b = append(w.b, ':')
			w.value(n.kids[i])
		}
		w.b = append(w.b, '}')
	}
}

// str writes s as a JSON string; invalid UTF-8 becomes U+FFFD.
func (w *jsonWriter) str(s string) {
	const hex = "0123456789abcdef"
	w.b = append(w.b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			w.b = append(w.b, s[start:i]...)
			switch c {
			case '"', '\\':
				w.b = append(w.b, '\\', c)
			case '\n':
				w.b = append(w.b, '\\', 'n')
			case '\r':
				w.b = append(w.b, '\\', 'r')
			case '\t':
				w.b = append(w.b, '\\', 't')
			default:
				w.b = append(w.b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			w.b = append(w.b, s[start:i]...)
			w.b = append(w.b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	w.b = append(w.b, s[start:]...)
	w.b = append(w.b, '"')
}
