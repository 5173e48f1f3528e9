package sniff

import (
	"encoding/json"
	"strconv"
	"strings"
)

// nodeSerializeMarker prefixes functions serialized by node-serialize;
// unserialize() evaluates them.
const nodeSerializeMarker = "_$$ND_FUNC$$_"

// Keys of jsonpickle that carry a module or class name, and keys that only
// occur in objects jsonpickle rebuilds by calling something.
var (
	jsonpickleClassKeys = [...]string{"py/object", "py/type", "py/function", "py/mod", "py/repr"}
	jsonpickleCallKeys  = [...]string{"py/reduce", "py/newobj", "py/newargs", "py/newargsex", "py/initargs", "py/state"}
)

// jsonCounts tallies type indicators per library.
type jsonCounts struct {
	jsonpickle, jsonnet, jackson, node int
}

// detectJSON reports JSON type-indicator keys in d.
func detectJSON(d string) (result, bool) {
	// Every indicator needs a double quote, except a node-serialize
	// function string passed alone.
	if strings.IndexByte(d, '"') < 0 && !strings.HasPrefix(d, nodeSerializeMarker) {
		return result{}, false
	}
	r := result{format: JSONTypeKey}
	var n jsonCounts
	if strings.Contains(d, `"py/`) {
		scanKeys(d, `"py/`, func(key, val string, isStr bool) {
			for _, k := range jsonpickleClassKeys {
				if key != k || !isStr {
					continue
				}
				switch k {
				case "py/repr", "py/mod":
					if i := strings.IndexByte(val, '/'); i >= 0 {
						val = val[:i]
					}
				}
				if pyDotted(val) {
					n.jsonpickle++
					r.classes.add(val)
				}
				return
			}
			for _, k := range jsonpickleCallKeys {
				if key == k && !isStr {
					n.jsonpickle++
					return
				}
			}
		})
	}
	if strings.Contains(d, `"$type"`) {
		scanKeys(d, `"$type"`, func(_, val string, isStr bool) {
			if t, ok := dotNetType(val); isStr && ok {
				n.jsonnet++
				r.classes.add(t)
			}
		})
	}
	for _, key := range [...]string{`"@class"`, `"@type"`} {
		if !strings.Contains(d, key) {
			continue
		}
		// "@type" is also JSON-LD's key ("Person", "schema:Person"): it
		// needs a package-qualified Java name. "@class" is Jackson's own,
		// so a nested class of the default package ("Outer$Inner") counts.
		atClass := key == `"@class"`
		scanKeys(d, key, func(_, val string, isStr bool) {
			if isStr && (javaTypeName(val) || atClass && strings.IndexByte(val, '$') > 0 && javaDotted(val, false)) {
				n.jackson++
				r.classes.add(val)
			}
		})
	}
	nodeAtStart := strings.HasPrefix(d, nodeSerializeMarker)
	if nodeAtStart || strings.Contains(d, `"`+nodeSerializeMarker) {
		// A serialized function is a JSON string value starting with the
		// marker (or, passed alone, the value itself).
		n.node = strings.Count(d, `"`+nodeSerializeMarker)
		if nodeAtStart {
			n.node++
		}
	}
	if n == (jsonCounts{}) {
		return result{}, false
	}
	// Strong when the indicators sit in a whole, valid JSON document (or the
	// value is one node-serialize function string); weak in a fragment, a
	// truncated body or JSON inside another text.
	r.strong = nodeAtStart || jsonValid(d)
	var b strings.Builder
	b.WriteString("JSON type indicators:")
	sep := " "
	for _, c := range [...]struct {
		what string
		n    int
	}{{"jsonpickle py/ keys", n.jsonpickle}, {"Json.NET $type", n.jsonnet}, {"Jackson/fastjson @class/@type", n.jackson}, {"node-serialize " + nodeSerializeMarker, n.node}} {
		if c.n > 0 {
			b.WriteString(sep)
			b.WriteString(c.what)
			b.WriteString(" ×")
			b.WriteString(strconv.Itoa(c.n))
			sep = ", "
		}
	}
	r.detail = b.String()
	return r, true
}

// scanKeys calls fn for each occurrence of the quoted key prefix needle
// that sits where JSON allows a key (after '{' or ',') and is followed by a
// complete key, a colon and a value. key is the key without quotes; val is
// the decoded string value when isStr.
func scanKeys(d, needle string, fn func(key, val string, isStr bool)) {
	for i, seen := 0, 0; i < len(d) && seen < 4096; {
		j := strings.Index(d[i:], needle)
		if j < 0 {
			return
		}
		seen++
		at := i + j
		i = at + len(needle)
		end := strings.IndexByte(d[at+1:], '"')
		if end < 0 || end > 64 {
			continue
		}
		key := d[at+1 : at+1+end]
		p := skipJSONSpace(d, at+2+end)
		if p >= len(d) || d[p] != ':' {
			continue
		}
		p = skipJSONSpace(d, p+1)
		if p >= len(d) {
			return
		}
		k := at - 1
		for k >= 0 && (d[k] == ' ' || d[k] == '\t' || d[k] == '\n' || d[k] == '\r') {
			k--
		}
		if k < 0 || (d[k] != '{' && d[k] != ',') {
			continue
		}
		if d[p] != '"' {
			fn(key, "", false)
			continue
		}
		val, n, ok := jsonString(d, p)
		if !ok {
			continue
		}
		fn(key, val, true)
		i = n
	}
}

func skipJSONSpace(d string, i int) int {
	for i < len(d) && (d[i] == ' ' || d[i] == '\t' || d[i] == '\n' || d[i] == '\r') {
		i++
	}
	return i
}

// jsonString decodes the JSON string whose opening quote is at d[i] and
// returns it with the index after the closing quote. Values longer than
// 1024 bytes are refused: no class name is that long.
func jsonString(d string, i int) (string, int, bool) {
	start := i + 1
	esc := false
	for j := start; j < len(d) && j-start <= 1024; j++ {
		switch d[j] {
		case '\\':
			esc = true
			j++
		case '"':
			if !esc {
				return d[start:j], j + 1, true
			}
			s, ok := unescapeJSON(d[start:j])
			return s, j + 1, ok
		}
	}
	return "", 0, false
}

// unescapeJSON undoes JSON escapes in s (the text between the quotes).
// Type names are sometimes hidden behind \u escapes ("java\u002elang...").
func unescapeJSON(s string) (string, bool) {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(s) {
			return "", false
		}
		switch s[i] {
		case '"', '\\', '/':
			b.WriteByte(s[i])
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			if i+4 >= len(s) {
				return "", false
			}
			v, err := strconv.ParseUint(s[i+1:i+5], 16, 16)
			if err != nil {
				return "", false
			}
			b.WriteRune(rune(v))
			i += 4
		default:
			return "", false
		}
	}
	return b.String(), true
}

// dotNetType reports whether s is a .NET type name as Json.NET writes it in
// "$type" ("Namespace.Type, Assembly", "System.Collections.Generic.List`1
// [[System.String, mscorlib]], mscorlib") and returns it without the
// assembly. A bare word ("Person") is not enough: it needs a namespace dot
// or an assembly.
func dotNetType(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 1024 {
		return "", false
	}
	// Split off the assembly at the first comma outside brackets.
	depth, cut := 0, -1
	for i := 0; i < len(s) && cut < 0; i++ {
		switch s[i] {
		case '[':
			depth++
		case ']':
			depth--
		case ',':
			if depth == 0 {
				cut = i
			}
		}
	}
	typ, asm := s, ""
	if cut >= 0 {
		typ, asm = strings.TrimSpace(s[:cut]), strings.TrimSpace(s[cut+1:])
	}
	base := typ
	if i := strings.IndexByte(base, '['); i >= 0 {
		base = base[:i]
	}
	if !dotNetDotted(base) {
		return "", false
	}
	if asm != "" {
		a := asm
		if i := strings.IndexByte(a, ','); i >= 0 {
			a = a[:i] // "mscorlib, Version=4.0.0.0, ..."
		}
		if !dotNetDotted(strings.TrimSpace(a)) {
			return "", false
		}
		return typ, true
	}
	return typ, strings.IndexByte(base, '.') >= 0
}

// dotNetDotted reports whether s is identifiers joined by '.' or '+'
// (nested types), with optional generic arity suffixes ("List`1").
func dotNetDotted(s string) bool {
	if s == "" {
		return false
	}
	start := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.' || c == '+':
			if start {
				return false
			}
			start = true
			continue
		case c == '`':
			if start {
				return false
			}
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80:
		case c >= '0' && c <= '9':
			if start {
				return false
			}
		default:
			return false
		}
		start = false
	}
	return !start
}

// jsonValid reports whether d is one valid JSON document. It only runs once
// a type indicator was found, so the copy does not matter.
func jsonValid(d string) bool {
	return json.Valid([]byte(d))
}
