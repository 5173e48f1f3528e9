package sniff

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Ruby Marshal format 4.8 type bytes (Ruby's marshal.c, TYPE_*).
const (
	rmMajor = 4
	rmMinor = 8

	rmNil        = '0'
	rmTrue       = 'T'
	rmFalse      = 'F'
	rmFixnum     = 'i'
	rmExtended   = 'e' // module the next object was extended with
	rmUClass     = 'C' // user subclass of String, Regexp, Array or Hash
	rmObject     = 'o'
	rmData       = 'd' // T_DATA object: _dump_data / _load_data
	rmUserDef    = 'u' // _dump / self._load
	rmUsrMarshal = 'U' // marshal_dump / marshal_load
	rmFloat      = 'f'
	rmBignum     = 'l'
	rmString     = '"'
	rmRegexp     = '/'
	rmArray      = '['
	rmHash       = '{'
	rmHashDef    = '}' // hash with a default value
	rmStruct     = 'S'
	rmModuleOld  = 'M'
	rmClass      = 'c'
	rmModule     = 'm'
	rmSymbol     = ':'
	rmSymlink    = ';'
	rmIvar       = 'I' // object followed by instance variables (encoding)
	rmLink       = '@'
)

// Limits of the Marshal walker.
const (
	rmMaxDepth = 128
	rmMaxName  = 1024
	rmMaxSyms  = 1 << 16 // symbol table entries tracked
	// rmMinWeak is the valid prefix a cut stream, or one followed by
	// trailing bytes, needs before it is reported.
	rmMinWeak = 12
	// rmMinNodes is how many values a stream that names no class needs
	// before it is reported: random bytes after 04 08 seldom form more
	// than a couple of consistent values.
	rmMinNodes = 4
)

// rmValueTypes are the type bytes that may start a value.
const rmValueTypes = "0TFieCoduUflI\"/[{}SMcm:;@"

// rmErr is why a Marshal walk stopped early.
type rmErr uint8

const (
	rmOK rmErr = iota
	rmTruncated
	rmInvalid
	rmTooDeep
	rmLimit
)

func (e rmErr) String() string {
	switch e {
	case rmTruncated:
		return "truncated"
	case rmInvalid:
		return "malformed"
	case rmTooDeep:
		return "nesting limit reached"
	case rmLimit:
		return "symbol table limit reached"
	}
	return "ok"
}

// symKind is what a symbol names, which decides how its text is checked.
type symKind uint8

const (
	symAny   symKind = iota // a Symbol value or hash key
	symIvar                 // an instance variable or struct member name
	symClass                // a class or module name
)

// rmWalker reads the grammar of a Marshal 4.8 stream the way Marshal.load
// does (symbol table, object table for links, instance variables), checking
// every declared length, count, index and name. It resolves no class and
// builds no object.
type rmWalker struct {
	d     string
	pos   int
	depth int
	syms  []string // symbol table: names as they appear in d
	objs  int      // object table size, for '@' links
	nodes int      // values and symbols read
	err   rmErr

	longestName int // longest class or module name seen

	classes classList
	// counts for the summary
	objects, structs, userDefs, usrMarshals, datas, extended, classRefs int
}

// detectRubyMarshal reports whether d is a Ruby Marshal stream.
func detectRubyMarshal(d string) (result, bool) {
	if len(d) < 3 || d[0] != rmMajor || d[1] != rmMinor || strings.IndexByte(rmValueTypes, d[2]) < 0 {
		return result{}, false
	}
	w := rmWalker{d: d, pos: 2}
	w.value()
	trailing := len(d) - w.pos
	named := w.classes.total > 0
	switch {
	case w.err == rmOK && trailing == 0:
		if !named && w.nodes < rmMinNodes {
			return result{}, false
		}
	case w.err == rmInvalid:
		return result{}, false
	default:
		// Cut short, stopped at a limit, or followed by bytes
		// Marshal.load ignores: a long enough valid prefix that names a
		// class, or one with many values, is reported weakly.
		if w.pos < rmMinWeak || !named && (w.nodes < 2*rmMinNodes || w.pos < 32) ||
			named && w.nodes < 2 && w.longestName < 4 {
			return result{}, false
		}
	}
	r := result{format: RubyMarshal, classes: w.classes, strong: w.err == rmOK && trailing == 0}
	r.detail = w.describe(trailing)
	return r, true
}

func (w *rmWalker) describe(trailing int) string {
	var b strings.Builder
	b.WriteString("Ruby Marshal 4.8 ")
	top := w.d[2]
	if top == rmIvar && len(w.d) > 3 {
		top = w.d[3]
	}
	b.WriteString(rmTypeName(top))
	b.WriteString(", ")
	b.WriteString(strconv.Itoa(len(w.classes.names)))
	if len(w.classes.names) == 1 {
		b.WriteString(" class/module")
	} else {
		b.WriteString(" classes/modules")
	}
	if len(w.classes.names) > 0 {
		b.WriteString(" (")
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
		b.WriteString(")")
	}
	for _, c := range [...]struct {
		name string
		n    int
	}{{"object", w.objects}, {"struct", w.structs}, {"_dump", w.userDefs}, {"marshal_dump", w.usrMarshals},
		{"_dump_data", w.datas}, {"extended", w.extended}, {"class/module ref", w.classRefs}} {
		if c.n > 0 {
			b.WriteString(", ")
			b.WriteString(c.name)
			b.WriteString("×")
			b.WriteString(strconv.Itoa(c.n))
		}
	}
	switch {
	case w.err == rmOK && trailing == 0:
		b.WriteString(", stream fully parsed")
	case w.err == rmOK:
		b.WriteString("; ")
		b.WriteString(strconv.Itoa(trailing))
		b.WriteString(" trailing bytes after the object")
	default:
		b.WriteString("; structure ")
		b.WriteString(w.err.String())
		b.WriteString(" after ")
		b.WriteString(strconv.Itoa(w.pos))
		b.WriteString(" valid bytes")
	}
	return b.String()
}

// rmTypeName names the value a type byte starts.
func rmTypeName(t byte) string {
	switch t {
	case rmNil, rmTrue, rmFalse:
		return "nil/true/false"
	case rmFixnum, rmBignum:
		return "Integer"
	case rmFloat:
		return "Float"
	case rmSymbol, rmSymlink:
		return "Symbol"
	case rmString:
		return "String"
	case rmRegexp:
		return "Regexp"
	case rmArray:
		return "Array"
	case rmHash, rmHashDef:
		return "Hash"
	case rmObject:
		return "object"
	case rmStruct:
		return "Struct"
	case rmUClass:
		return "subclass of a core class"
	case rmExtended:
		return "extended object"
	case rmUserDef:
		return "_dump data"
	case rmUsrMarshal:
		return "marshal_dump data"
	case rmData:
		return "_dump_data data"
	case rmClass, rmModule, rmModuleOld:
		return "class/module reference"
	}
	return "value"
}

func (w *rmWalker) fail(e rmErr) bool {
	if w.err == rmOK {
		w.err = e
	}
	return false
}

// need reports whether n more bytes are there.
func (w *rmWalker) need(n int64) bool {
	return w.needN(n, 1)
}

// needN reports whether n items of at least per bytes each can be there.
func (w *rmWalker) needN(n, per int64) bool {
	if n < 0 || n > int64(len(w.d)-w.pos)/per {
		return w.fail(rmTruncated)
	}
	return true
}

func (w *rmWalker) byte() (byte, bool) {
	if !w.need(1) {
		return 0, false
	}
	w.pos++
	return w.d[w.pos-1], true
}

// long reads Ruby's packed integer (marshal.c r_long): 0; 5..127 for 0..122
// and -128..-5 for -123..-1 in one byte; otherwise 1 to 8 little-endian
// bytes (negative count: a negative number).
func (w *rmWalker) long() (int64, bool) {
	b, ok := w.byte()
	if !ok {
		return 0, false
	}
	c := int(int8(b))
	switch {
	case c == 0:
		return 0, true
	case c > 4:
		return int64(c - 5), true
	case c < -4:
		return int64(c + 5), true
	}
	n := c
	if n < 0 {
		n = -n
	}
	if !w.need(int64(n)) {
		return 0, false
	}
	var x uint64
	if c < 0 {
		x = ^uint64(0)
	}
	for i := 0; i < n; i++ {
		x &^= 0xff << (8 * i)
		x |= uint64(w.d[w.pos+i]) << (8 * i)
	}
	w.pos += n
	return int64(x), true
}

// count reads a length or element count: a non-negative long.
func (w *rmWalker) count() (int64, bool) {
	n, ok := w.long()
	if !ok {
		return 0, false
	}
	if n < 0 {
		return 0, w.fail(rmInvalid)
	}
	return n, true
}

// bytes reads a length-prefixed byte string.
func (w *rmWalker) bytes() (string, bool) {
	n, ok := w.count()
	if !ok || !w.need(n) {
		return "", false
	}
	w.pos += int(n)
	return w.d[w.pos-int(n) : w.pos], true
}

// symbol reads a symbol where the grammar wants one (marshal.c r_symbol):
// ':' and a new name, ';' and an index into the symbol table, or 'I' and a
// new name followed by its encoding.
func (w *rmWalker) symbol(kind symKind) (string, bool) {
	t, ok := w.byte()
	if !ok {
		return "", false
	}
	w.nodes++
	ivar := false
	if t == rmIvar {
		ivar = true
		if t, ok = w.byte(); !ok {
			return "", false
		}
	}
	switch t {
	case rmSymbol:
		name, ok := w.bytes()
		if !ok {
			return "", false
		}
		if !symbolOK(name, kind, ivar) {
			return "", w.fail(rmInvalid)
		}
		if len(w.syms) == rmMaxSyms {
			return "", w.fail(rmLimit)
		}
		w.syms = append(w.syms, name)
		if ivar && !w.ivars() {
			return "", false
		}
		return name, true
	case rmSymlink:
		if ivar {
			return "", w.fail(rmInvalid)
		}
		i, ok := w.long()
		if !ok {
			return "", false
		}
		if i < 0 || i >= int64(len(w.syms)) {
			return "", w.fail(rmInvalid)
		}
		name := w.syms[i]
		if !symbolOK(name, kind, true) {
			return "", w.fail(rmInvalid)
		}
		return name, true
	}
	return "", w.fail(rmInvalid)
}

// ivars reads an instance variable count (at least one: Marshal.dump
// writes 'I' only when there are some) and the name/value pairs.
func (w *rmWalker) ivars() bool {
	n, ok := w.count()
	if !ok {
		return false
	}
	if n == 0 {
		return w.fail(rmInvalid)
	}
	return w.pairs(n, symIvar)
}

// pairs reads n (symbol, value) pairs: instance variables or struct members.
func (w *rmWalker) pairs(n int64, kind symKind) bool {
	if !w.needN(n, 3) { // a symbol takes 2 bytes at least, a value 1
		return false
	}
	for ; n > 0; n-- {
		if _, ok := w.symbol(kind); !ok {
			return false
		}
		if !w.value() {
			return false
		}
	}
	return true
}

// addClass records a class or module name.
func (w *rmWalker) addClass(name string) {
	w.classes.add(name)
	w.longestName = max(w.longestName, len(name))
}

// className reads the symbol naming a class or module and records it.
func (w *rmWalker) className() bool {
	name, ok := w.symbol(symClass)
	if ok {
		w.addClass(name)
	}
	return ok
}

// peekIn reports whether the next byte is one of set.
func (w *rmWalker) peekIn(set string) bool {
	if !w.need(1) {
		return false
	}
	if strings.IndexByte(set, w.d[w.pos]) < 0 {
		return w.fail(rmInvalid)
	}
	return true
}

// value reads one value (marshal.c r_object).
func (w *rmWalker) value() bool {
	if w.depth >= rmMaxDepth {
		return w.fail(rmTooDeep)
	}
	w.depth++
	ok := w.value1()
	w.depth--
	return ok
}

// value1 is value without the depth accounting.
func (w *rmWalker) value1() bool {
	t, ok := w.byte()
	if !ok {
		return false
	}
	w.nodes++
	switch t {
	case rmNil, rmTrue, rmFalse:
		return true
	case rmFixnum:
		_, ok := w.long()
		return ok
	case rmSymbol, rmSymlink:
		w.pos--
		w.nodes-- // counted by symbol
		_, ok := w.symbol(symAny)
		return ok
	case rmIvar:
		// What Marshal.dump wraps: strings, regexps, symbols, _dump
		// data, arrays, hashes, structs and user subclasses with
		// instance variables or an encoding.
		if !w.peekIn("\"/:u[{}SCedU") {
			return false
		}
		if w.d[w.pos] == rmSymbol {
			w.pos--
			w.nodes--
			_, ok := w.symbol(symAny)
			return ok
		}
		return w.value() && w.ivars()
	case rmExtended:
		w.extended++
		return w.className() && w.peekIn("eCoSuUd\"/[{}") && w.value()
	case rmUClass:
		return w.className() && w.peekIn("\"/[{}") && w.value()
	case rmObject:
		w.objs++
		w.objects++
		if !w.className() {
			return false
		}
		n, ok := w.count()
		return ok && w.pairs(n, symIvar)
	case rmStruct:
		w.objs++
		w.structs++
		if !w.className() {
			return false
		}
		n, ok := w.count()
		return ok && w.pairs(n, symIvar)
	case rmUserDef:
		w.userDefs++
		if !w.className() {
			return false
		}
		if _, ok := w.bytes(); !ok {
			return false
		}
		w.objs++
		return true
	case rmUsrMarshal:
		w.usrMarshals++
		if !w.className() {
			return false
		}
		w.objs++
		return w.value()
	case rmData:
		w.datas++
		if !w.className() {
			return false
		}
		w.objs++
		return w.value()
	case rmFloat:
		s, ok := w.bytes()
		if !ok {
			return false
		}
		if !rmFloatText(s) {
			return w.fail(rmInvalid)
		}
		w.objs++
		return true
	case rmBignum:
		sign, ok := w.byte()
		if !ok {
			return false
		}
		if sign != '+' && sign != '-' {
			return w.fail(rmInvalid)
		}
		n, ok := w.count() // in 16-bit words
		if !ok {
			return false
		}
		if n == 0 {
			return w.fail(rmInvalid)
		}
		if !w.needN(n, 2) {
			return false
		}
		w.pos += int(2 * n)
		w.objs++
		return true
	case rmString:
		_, ok := w.bytes()
		w.objs++
		return ok
	case rmRegexp:
		if _, ok := w.bytes(); !ok {
			return false
		}
		opts, ok := w.byte()
		if !ok {
			return false
		}
		if opts&^0x3f != 0 {
			return w.fail(rmInvalid)
		}
		w.objs++
		return true
	case rmArray:
		n, ok := w.count()
		if !ok || !w.need(n) {
			return false
		}
		w.objs++
		for ; n > 0; n-- {
			if !w.value() {
				return false
			}
		}
		return true
	case rmHash, rmHashDef:
		n, ok := w.count()
		if !ok || !w.needN(n, 2) {
			return false
		}
		w.objs++
		for ; n > 0; n-- {
			if !w.value() || !w.value() {
				return false
			}
		}
		return t == rmHash || w.value()
	case rmClass, rmModule, rmModuleOld:
		name, ok := w.bytes()
		if !ok {
			return false
		}
		if !rmConstPath(name) {
			return w.fail(rmInvalid)
		}
		w.addClass(name)
		w.classRefs++
		w.objs++
		return true
	case rmLink:
		i, ok := w.long()
		if !ok {
			return false
		}
		if i < 0 || i >= int64(w.objs) {
			return w.fail(rmInvalid)
		}
		return true
	}
	return w.fail(rmInvalid)
}

// symbolOK checks a symbol's text against what it names. Class and module
// names are constant paths; instance variable and struct member names are
// identifiers ("@name", "E", "encoding", Range's "excl"); other symbols
// are printable ASCII, or anything when an encoding follows (a non-ASCII
// symbol is always written with one).
func symbolOK(s string, kind symKind, encoded bool) bool {
	switch kind {
	case symClass:
		return rmConstPath(s)
	case symIvar:
		return rmIdent(s)
	}
	if encoded {
		return len(s) <= rmMaxName
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// rmConstPath reports whether s is a Ruby constant path ("Shop::Profile",
// "Gem::Requirement"): segments joined by "::", each an upper-case letter
// followed by letters, digits and underscores (non-ASCII letters must be
// valid UTF-8).
func rmConstPath(s string) bool {
	if s == "" || len(s) > rmMaxName {
		return false
	}
	start := true
	for i := 0; i < len(s); {
		c := s[i]
		if c == ':' {
			if start || i+2 >= len(s) || s[i+1] != ':' {
				return false
			}
			i += 2
			start = true
			continue
		}
		r, size := rune(c), 1
		if c >= 0x80 {
			if r, size = utf8.DecodeRuneInString(s[i:]); r == utf8.RuneError {
				return false
			}
		}
		switch {
		case start && !unicode.IsUpper(r):
			return false
		case r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
		default:
			return false
		}
		i += size
		start = false
	}
	return !start
}

// rmIdent reports whether s is an instance variable or member name: up to
// two '@', then an identifier (letters, digits not first, underscores;
// non-ASCII letters as valid UTF-8), optionally ending in '?', '!' or '='.
func rmIdent(s string) bool {
	i := 0
	for i < len(s) && i < 2 && s[i] == '@' {
		i++
	}
	if i == len(s) || len(s) > rmMaxName {
		return false
	}
	if c := s[i]; c >= '0' && c <= '9' {
		return false
	}
	for j := i; j < len(s); {
		c := s[j]
		r, size := rune(c), 1
		if c >= 0x80 {
			if r, size = utf8.DecodeRuneInString(s[j:]); r == utf8.RuneError {
				return false
			}
		}
		switch {
		case r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
		case (c == '?' || c == '!' || c == '=') && j == len(s)-1 && j > i:
		default:
			return false
		}
		j += size
	}
	return true
}

// rmFloatText reports whether s is a float as Marshal writes it: "nan",
// "inf", "-inf" or a decimal number with an optional exponent.
func rmFloatText(s string) bool {
	switch s {
	case "nan", "inf", "-inf":
		return true
	}
	if s == "" || len(s) > 40 {
		return false
	}
	digits := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits = true
		case c == '.' || c == 'e' || c == 'E':
		case (c == '-' || c == '+') && (i == 0 || s[i-1] == 'e' || s[i-1] == 'E'):
		default:
			return false
		}
	}
	return digits
}

// RubyMarshalClassRef returns a Marshal 4.8 stream of one object of class
// name with no instance variables: 04 08 'o' ':' <len> name 00. It is the
// canary for proving that a server feeds a value to Marshal.load.
//
// It is inert. Marshal.load reads the class name first and resolves it
// (rb_path_to_class) before it allocates anything: when no constant of
// that name exists, it raises ArgumentError "undefined class/module NAME"
// and stops, without calling const_missing; when one does exist, it
// allocates a bare instance with the class's C allocator (neither a
// Ruby-level allocate nor initialize runs), sets no instance variable (the
// count is 0) and calls no hook (marshal_load, _load and _load_data belong
// to the 'U', 'u' and 'd' types, never to 'o'). The stream holds no other
// value, so no gadget chain can be reached from it. The one side effect a
// name can have is an autoload registered for exactly that constant (the
// application's own file is then required), so pick a name no application
// defines or autoloads (e.g. "ParapetCanary" plus a random suffix) for a
// class-not-found answer, and a core class ("Object") for the control.
// Checked with Ruby 3.1 (testdata/gen/gen_ruby_marshal.rb writes the
// canary with Marshal.dump and checks the error).
//
// name must be an ASCII constant path (upper-case first letter, letters,
// digits and '_', "::" between segments, at most 1024 bytes); otherwise
// RubyMarshalClassRef returns nil.
func RubyMarshalClassRef(name string) []byte {
	for i := 0; i < len(name); i++ {
		if name[i] >= 0x80 {
			return nil
		}
	}
	if !rmConstPath(name) {
		return nil
	}
	b := make([]byte, 0, 4+5+len(name)+1)
	b = append(b, rmMajor, rmMinor, rmObject, rmSymbol)
	b = appendRubyLong(b, len(name))
	b = append(b, name...)
	return append(b, 0) // no instance variables
}

// appendRubyLong appends a non-negative n in Marshal's packed form
// (marshal.c w_long).
func appendRubyLong(b []byte, n int) []byte {
	switch {
	case n == 0:
		return append(b, 0)
	case n < 123:
		return append(b, byte(n+5))
	}
	var buf [8]byte
	i := 0
	for ; n > 0; n >>= 8 {
		buf[i] = byte(n)
		i++
	}
	b = append(b, byte(i))
	return append(b, buf[:i]...)
}
