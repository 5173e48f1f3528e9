package sniff

import (
	"strconv"
	"strings"
)

// yamlFullTagPrefix is the verbatim form of "!!" ("!<tag:yaml.org,2002:x>").
const yamlFullTagPrefix = "<tag:yaml.org,2002:"

// Limits of the YAML tag scanner.
const (
	// yamlMaxCandidates bounds the '!' at token positions examined per
	// value, so a body full of them stays linear.
	yamlMaxCandidates = 1 << 14
	// yamlMaxPHPObject bounds the serialized object read after !php/object.
	yamlMaxPHPObject = 64 << 10
)

// yamlTag describes one language tag family.
type yamlTag struct {
	prefix string // after the leading "!" or "!!"
	double bool   // only valid as "!!" (a global tag), as PyYAML requires
	target byte   // 'p' python dotted, 'r' ruby/perl "A::B", 'q' quoted ruby name, 0 none
}

// yamlTags lists tags that make unsafe YAML loaders instantiate classes or
// call functions, longest prefix first within each family.
var yamlTags = [...]yamlTag{
	{"python/object/apply:", true, 'p'},
	{"python/object/new:", true, 'p'},
	{"python/object:", true, 'p'},
	{"python/name:", true, 'p'},
	{"python/module:", true, 'p'},
	{"ruby/object:", false, 'r'},
	{"ruby/hash-with-ivars:", false, 'r'},
	{"ruby/hash:", false, 'r'},
	{"ruby/struct:", false, 'r'},
	{"ruby/array:", false, 'r'},
	{"ruby/string:", false, 'r'},
	{"ruby/exception:", false, 'r'},
	{"ruby/marshalable:", false, 'r'},
	{"ruby/class", false, 'q'},
	{"ruby/module", false, 'q'},
	{"perl/hash:", false, 'r'},
	{"perl/array:", false, 'r'},
	{"perl/scalar:", false, 'r'},
	{"perl/code", false, 0},
	{"perl/glob", false, 0},
	{"php/object", false, 'P'},
	{"php/const", false, 'C'},
}

// detectYAML reports language-specific YAML tags in d.
func detectYAML(d string) (result, bool) {
	if strings.IndexByte(d, '!') < 0 {
		return result{}, false
	}
	r := result{format: YAMLTags}
	tags, candidates := 0, 0
	first := ""
	var cm commentTracker
	for i := 0; i < len(d); {
		j := strings.IndexByte(d[i:], '!')
		if j < 0 {
			break
		}
		at := i + j
		i = at + 1
		if at > 0 {
			switch d[at-1] {
			case ' ', '\t', '\n', '\r', '-', ':', '[', '{', ',', '?':
			default:
				// Inside a word or a quoted string, after "!" (the second
				// bang of "!!"), "=", ">" and the like: not a tag a YAML
				// parser would see.
				continue
			}
		}
		if candidates++; candidates > yamlMaxCandidates {
			break
		}
		if cm.at(d, at) {
			continue
		}
		tag, target, next, ok := yamlTagAt(d, at)
		if !ok {
			continue
		}
		i = next
		tags++
		if first == "" {
			first = tag
			if target != "" {
				first += " → " + target
			}
		}
		if target != "" {
			r.classes.add(target)
		}
	}
	if tags == 0 {
		return result{}, false
	}
	r.detail = "YAML: " + strconv.Itoa(tags) + " language tag"
	if tags > 1 {
		r.detail += "s"
	}
	r.detail += ", first " + first
	// Only tags at YAML token positions outside comments are counted, so
	// what is reported is what a YAML parser would resolve.
	r.strong = true
	return r, true
}

// yamlTagAt recognises a language tag whose '!' is at d[at]. It returns the
// tag as written, the class or module it targets (may be empty), and where
// scanning resumes.
func yamlTagAt(d string, at int) (tag, target string, next int, ok bool) {
	p := at + 1
	double, verbatim := false, false
	switch {
	case strings.HasPrefix(d[p:], "!"):
		double = true
		p++
	case strings.HasPrefix(d[p:], yamlFullTagPrefix):
		double, verbatim = true, true
		p += len(yamlFullTagPrefix)
	}
	rest := d[p:]
	for _, t := range yamlTags {
		if !strings.HasPrefix(rest, t.prefix) {
			continue
		}
		if t.double && !double {
			return "", "", 0, false
		}
		q := p + len(t.prefix)
		end := tagEnd(d, q)
		tag = d[at:q]
		next = end
		switch t.target {
		case 'p':
			target = d[q:end]
			if !pyDotted(target) {
				return "", "", 0, false
			}
		case 'r':
			target = d[q:end]
			if !rubyConst(target) {
				return "", "", 0, false
			}
		case 'q':
			if end != q {
				return "", "", 0, false // e.g. "!ruby/classy"
			}
			target, next = quotedAfter(d, end, 256)
			if !rubyConst(target) {
				return "", "", 0, false
			}
		case 'C':
			// Symfony: "!php/const App\Foo::BAR" (older: "!php/const:...").
			s := q
			if s < len(d) && d[s] == ':' {
				s++
			} else if end != q {
				return "", "", 0, false
			}
			s = skipSpaces(d, s)
			e := tagEnd(d, s)
			target = d[s:e]
			if k := strings.Index(target, "::"); k > 0 {
				target = target[:k]
			}
			if !phpClassName(target) {
				return "", "", 0, false
			}
			next = e
		case 'P':
			// Symfony: "!php/object 'O:8:\"stdClass\":0:{}'".
			if end != q && !(q < len(d) && d[q] == ':') {
				return "", "", 0, false
			}
			s, n := quotedAfter(d, end, yamlMaxPHPObject)
			if pr, ok := detectPHP(s); ok && len(pr.classes.names) > 0 {
				target = pr.classes.names[0]
			}
			next = n
		default:
			if end != q {
				return "", "", 0, false
			}
		}
		if verbatim && next < len(d) && d[next] == '>' {
			next++
		}
		return tag, target, next, true
	}
	if !double {
		return "", "", 0, false
	}
	// SnakeYAML and similar: "!!java.net.URL", "!!javax.script.X".
	end := tagEnd(d, p)
	target = d[p:end]
	if !javaTagClass(target) {
		return "", "", 0, false
	}
	next = end
	if verbatim && next < len(d) && d[next] == '>' {
		next++
	}
	return d[at:p], target, next, true
}

// tagEnd returns where a tag or its target starting at i ends.
func tagEnd(d string, i int) int {
	for i < len(d) {
		switch d[i] {
		case ' ', '\t', '\n', '\r', ',', '[', ']', '{', '}', '>', '"', '\'':
			return i
		}
		i++
	}
	return i
}

func skipSpaces(d string, i int) int {
	for i < len(d) && (d[i] == ' ' || d[i] == '\t') {
		i++
	}
	return i
}

// quotedAfter reads a scalar after spaces, looking at most max bytes ahead:
// quoted with ' or ", or plain up to the end of the line.
func quotedAfter(d string, i, max int) (string, int) {
	i = skipSpaces(d, i)
	if i >= len(d) {
		return "", i
	}
	w := d[i:min(len(d), i+max)]
	if nl := strings.IndexByte(w, '\n'); nl >= 0 {
		w = w[:nl]
	}
	if q := w[0]; q == '\'' || q == '"' {
		// A PHP serialized string inside single quotes contains double
		// quotes itself: for ' take the last quote on the line.
		var j int
		if q == '\'' {
			j = strings.LastIndexByte(w[1:], q)
		} else {
			j = strings.IndexByte(w[1:], q)
		}
		if j < 0 {
			return "", i + len(w)
		}
		return w[1 : 1+j], i + 2 + j
	}
	return strings.TrimRight(w, " \t\r"), i + len(w)
}

// rubyConst reports whether s is a Ruby constant path ("Gem::Installer").
// Perl package names ("Foo::Bar") have the same shape.
func rubyConst(s string) bool {
	if s == "" || len(s) > 256 {
		return false
	}
	for part := range strings.SplitSeq(s, "::") {
		if part == "" {
			return false
		}
		for i := 0; i < len(part); i++ {
			c := part[i]
			if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' && i > 0) {
				return false
			}
		}
	}
	return true
}

// javaTypeName reports whether s looks like a fully qualified Java class
// name: a lower-case first package segment and at least one dot
// ("java.util.HashMap", "com.sun.rowset.JdbcRowSetImpl").
func javaTypeName(s string) bool {
	if len(s) < 3 || len(s) > jMaxNameLen || s[0] < 'a' || s[0] > 'z' || strings.IndexByte(s, '.') < 0 {
		return false
	}
	return javaDotted(s, false)
}

// javaRoots are the first package segments a "!!a.b.C" YAML tag must start
// with to be taken for a Java class: "!!" is also JavaScript's double
// negation ("!!elem.checked").
var javaRoots = [...]string{"java", "javax", "jdk", "sun", "com", "org", "net", "io", "ch", "de", "fr", "nl", "uk", "edu", "gov", "dev", "app", "me", "co", "cn", "ru", "jp", "br", "au", "it", "es", "se", "be", "at", "pl", "in"}

// javaTagClass reports whether s, the text after "!!", names a Java class
// the way SnakeYAML tags do: a known package root, then segments, the last
// one capitalised ("java.net.URL", "org.springframework.x.SomeBean",
// "a.b.Outer$Inner").
func javaTagClass(s string) bool {
	if !javaTypeName(s) {
		return false
	}
	dot := strings.IndexByte(s, '.')
	root, last := s[:dot], s[strings.LastIndexByte(s, '.')+1:]
	if last == "" || last[0] < 'A' || last[0] > 'Z' {
		return false
	}
	for _, r := range javaRoots {
		if root == r {
			return true
		}
	}
	return false
}

// isWordByte reports whether c is a letter, digit or underscore.
func isWordByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// commentTracker tells whether positions, asked in increasing order, lie
// inside a YAML comment: after a '#' that starts its line or follows
// whitespace, up to the end of that line. It reads each byte once.
type commentTracker struct {
	pos       int
	inComment bool
}

func (c *commentTracker) at(d string, at int) bool {
	for ; c.pos < at; c.pos++ {
		switch d[c.pos] {
		case '\n':
			c.inComment = false
		case '#':
			if c.pos == 0 || d[c.pos-1] == ' ' || d[c.pos-1] == '\t' || d[c.pos-1] == '\n' {
				c.inComment = true
			}
		}
	}
	return c.inComment
}
