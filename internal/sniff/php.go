package sniff

import (
	"strconv"
	"strings"
)

// Limits of the PHP serialize checker.
const (
	phpMaxDepth = 64
	phpMaxName  = 256
)

// phpWalker checks the grammar of PHP's serialize() output with a bounded
// recursive descent. It reads declared lengths and counts and verifies
// them; it creates nothing.
type phpWalker struct {
	d       string
	pos     int
	depth   int
	values  int // values read, for r:/R: back-references
	objects int
	arrays  int
	classes classList
}

// detectPHP reports whether d is exactly one serialized PHP array, object,
// custom-serialized object or enum. Serialized scalars alone (s:3:"foo";,
// i:5;) are too weak a signal and are not reported.
func detectPHP(d string) (result, bool) {
	if len(d) < 6 || d[1] != ':' {
		return result{}, false
	}
	switch d[0] {
	case 'a', 'O', 'C', 'E':
	default:
		return result{}, false
	}
	w := phpWalker{d: d}
	if !w.value() {
		return result{}, false
	}
	if strings.TrimRight(d[w.pos:], " \t\r\n") != "" {
		return result{}, false
	}
	var b strings.Builder
	b.WriteString("PHP serialize: ")
	b.WriteString(strconv.Itoa(w.objects))
	b.WriteString(" objects, ")
	b.WriteString(strconv.Itoa(w.arrays))
	b.WriteString(" arrays")
	if len(w.classes.names) > 0 {
		b.WriteString(", classes ")
		for i, n := range w.classes.names {
			if i == 3 {
				b.WriteString(", …")
				break
			}
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(n)
		}
	}
	return result{format: PHPSerialized, classes: w.classes, detail: b.String(), strong: true}, true
}

// lit consumes the literal s.
func (w *phpWalker) lit(s string) bool {
	if !strings.HasPrefix(w.d[w.pos:], s) {
		return false
	}
	w.pos += len(s)
	return true
}

// uint reads an unsigned decimal (PHP also accepts a leading '+').
func (w *phpWalker) uint() (int, bool) {
	if w.pos < len(w.d) && w.d[w.pos] == '+' {
		w.pos++
	}
	start := w.pos
	n := 0
	for w.pos < len(w.d) && w.d[w.pos] >= '0' && w.d[w.pos] <= '9' {
		if w.pos-start >= 9 {
			return 0, false
		}
		n = n*10 + int(w.d[w.pos]-'0')
		w.pos++
	}
	return n, w.pos > start
}

// intText reads a signed decimal.
func (w *phpWalker) intText() bool {
	if w.pos < len(w.d) && (w.d[w.pos] == '-' || w.d[w.pos] == '+') {
		w.pos++
	}
	start := w.pos
	for w.pos < len(w.d) && w.d[w.pos] >= '0' && w.d[w.pos] <= '9' {
		w.pos++
	}
	return w.pos > start && w.pos-start <= 20
}

// quoted reads `N:"<N bytes>"` and returns the bytes.
func (w *phpWalker) quoted() (string, bool) {
	n, ok := w.uint()
	if !ok || !w.lit(`:"`) || n > len(w.d)-w.pos-1 {
		return "", false
	}
	s := w.d[w.pos : w.pos+n]
	w.pos += n
	if !w.lit(`"`) {
		return "", false
	}
	return s, true
}

// value reads one serialized value.
func (w *phpWalker) value() bool {
	if w.pos+1 >= len(w.d) || w.depth >= phpMaxDepth {
		return false
	}
	w.values++
	t := w.d[w.pos]
	if t == 'N' {
		return w.lit("N;")
	}
	w.pos++
	if !w.lit(":") {
		return false
	}
	switch t {
	case 'b':
		if !w.lit("0;") && !w.lit("1;") {
			return false
		}
		return true
	case 'i':
		return w.intText() && w.lit(";")
	case 'd':
		start := w.pos
		// serialize_precision=17 and older settings print long digit strings.
		for w.pos < len(w.d) && w.d[w.pos] != ';' && w.pos-start <= 1024 {
			w.pos++
		}
		if !phpFloat(w.d[start:w.pos]) {
			return false
		}
		return w.lit(";")
	case 's':
		_, ok := w.quoted()
		return ok && w.lit(";")
	case 'r', 'R':
		n, ok := w.uint()
		return ok && n >= 1 && n <= w.values && w.lit(";")
	case 'a':
		w.arrays++
		return w.members()
	case 'O':
		name, ok := w.quoted()
		if !ok || !phpClassName(name) || !w.lit(":") {
			return false
		}
		w.objects++
		w.classes.add(name)
		return w.members()
	case 'C':
		name, ok := w.quoted()
		if !ok || !phpClassName(name) || !w.lit(":") {
			return false
		}
		n, ok := w.uint()
		if !ok || !w.lit(":{") || n > len(w.d)-w.pos {
			return false
		}
		w.pos += n
		if !w.lit("}") {
			return false
		}
		w.objects++
		w.classes.add(name)
		return true
	case 'E':
		s, ok := w.quoted()
		if !ok || !w.lit(";") {
			return false
		}
		i := strings.IndexByte(s, ':')
		if i < 0 || !phpClassName(s[:i]) || !phpClassName(s[i+1:]) {
			return false
		}
		w.classes.add(s[:i])
		return true
	}
	return false
}

// members reads `N:{key value ...}` of an array or object.
func (w *phpWalker) members() bool {
	n, ok := w.uint()
	if !ok || !w.lit(":{") {
		return false
	}
	if n > (len(w.d)-w.pos)/4 {
		return false // each pair takes at least 4 bytes ("i:0;N;" is 6)
	}
	w.depth++
	for i := 0; i < n; i++ {
		if w.pos+1 >= len(w.d) {
			return false
		}
		// Keys are integers or strings (PHP accepts integer property
		// names for objects too).
		if k := w.d[w.pos]; k != 'i' && k != 's' {
			return false
		}
		w.values-- // keys are not counted as values for references
		if !w.value() || !w.value() {
			return false
		}
	}
	w.depth--
	return w.lit("}")
}

// phpFloat reports whether s is the text of a serialized PHP float.
func phpFloat(s string) bool {
	switch s {
	case "INF", "-INF", "NAN":
		return true
	}
	if s == "" {
		return false
	}
	digits := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits = true
		case c == '.' || c == 'E' || c == 'e' || c == '+' || c == '-':
		default:
			return false
		}
	}
	return digits
}

// phpClassName reports whether s is a PHP class name, optionally
// namespaced with backslashes ("stdClass", "App\\Models\\User").
func phpClassName(s string) bool {
	if s == "" || len(s) > phpMaxName {
		return false
	}
	start := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			if start && i != 0 {
				return false
			}
			start = true
			continue
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
