package sniff

import (
	"strconv"
	"strings"
)

// Java Object Serialization Stream Protocol constants
// (java.io.ObjectStreamConstants).
const (
	jMagic = "\xac\xed\x00\x05"

	jTCNull           = 0x70
	jTCReference      = 0x71
	jTCClassDesc      = 0x72
	jTCObject         = 0x73
	jTCString         = 0x74
	jTCArray          = 0x75
	jTCClass          = 0x76
	jTCBlockData      = 0x77
	jTCEndBlockData   = 0x78
	jTCReset          = 0x79
	jTCBlockDataLong  = 0x7a
	jTCException      = 0x7b
	jTCLongString     = 0x7c
	jTCProxyClassDesc = 0x7d
	jTCEnum           = 0x7e

	jBaseWireHandle = 0x7e0000

	jSCWriteMethod    = 0x01
	jSCSerializable   = 0x02
	jSCExternalizable = 0x04
	jSCBlockData      = 0x08
	jSCEnum           = 0x10

	jMaxDepth     = 64
	jMaxHierarchy = 64
	jMaxNameLen   = 1024
)

// jErr is why a Java walk stopped early.
type jErr uint8

const (
	jOK jErr = iota
	jTruncated
	jInvalid
	jUnsupported // externalizable data written without block data (protocol 1)
	jTooDeep
)

func (e jErr) String() string {
	switch e {
	case jTruncated:
		return "truncated"
	case jInvalid:
		return "malformed"
	case jUnsupported:
		return "externalizable data in protocol 1"
	case jTooDeep:
		return "nesting limit reached"
	}
	return "ok"
}

// jDesc is what the walker keeps of a class descriptor: the field type
// codes needed to step over instance data.
type jDesc struct {
	name   string
	flags  byte
	fields []byte
	super  *jDesc
	proxy  bool
}

// jWalker reads the grammar of a Java serialization stream. It follows
// handles and class descriptors so it can step over instance data, but it
// loads no class and builds no object.
type jWalker struct {
	d       string
	pos     int
	handles []*jDesc // nil for handles that are not class descriptors
	classes classList
	descs   int
	objects int // content elements other than block data, null and reset
	depth   int
	err     jErr
}

// detectJava reports whether d is a Java serialization stream.
func detectJava(d string) (result, bool) {
	if len(d) < 5 || d[:4] != jMagic {
		return result{}, false
	}
	if d[4] < jTCNull || d[4] > jTCEnum {
		return result{}, false
	}
	w := jWalker{d: d, pos: 4}
	for w.pos < len(d) && w.err == jOK {
		w.content(true)
	}
	full := w.err == jOK
	stopped := w.pos
	if !full {
		w.scanDescs()
		if w.descs == 0 && len(w.classes.names) == 0 {
			// The magic and a type code, then nothing the walker or the
			// descriptor scan can read: too little to tell a Java stream
			// from four unlucky bytes.
			return result{}, false
		}
	}
	// Strong: the grammar walk reached the end, or it read at least one
	// whole class descriptor and stopped for a reason other than running
	// out of input (a cut stream is reported, but weakly, as for pickle).
	// A stream of block data alone (primitives, no object) is weak too.
	strong := full && w.objects > 0 || w.descs > 0 && w.err != jTruncated
	r := result{format: JavaSerialized, classes: w.classes, strong: strong}
	var b strings.Builder
	b.WriteString("Java stream magic ACED0005, ")
	b.WriteString(strconv.Itoa(len(w.classes.names)))
	b.WriteString(" classes")
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
	if full {
		b.WriteString(", stream fully parsed")
	} else {
		b.WriteString(", structure ")
		b.WriteString(w.err.String())
		b.WriteString(" at byte ")
		b.WriteString(strconv.Itoa(stopped))
		if w.descs == 0 {
			b.WriteString(" (class names found by scanning)")
		}
	}
	r.detail = b.String()
	return r, true
}

func (w *jWalker) fail(e jErr) bool {
	if w.err == jOK {
		w.err = e
	}
	return false
}

func (w *jWalker) need(n int) bool {
	if n < 0 || w.pos+n > len(w.d) || w.pos+n < w.pos {
		return w.fail(jTruncated)
	}
	return true
}

func (w *jWalker) u1() (byte, bool) {
	if !w.need(1) {
		return 0, false
	}
	w.pos++
	return w.d[w.pos-1], true
}

func (w *jWalker) u2() (int, bool) {
	if !w.need(2) {
		return 0, false
	}
	w.pos += 2
	return int(w.d[w.pos-2])<<8 | int(w.d[w.pos-1]), true
}

func (w *jWalker) i4() (int64, bool) {
	if !w.need(4) {
		return 0, false
	}
	v := int32(uint32(w.d[w.pos])<<24 | uint32(w.d[w.pos+1])<<16 | uint32(w.d[w.pos+2])<<8 | uint32(w.d[w.pos+3]))
	w.pos += 4
	return int64(v), true
}

func (w *jWalker) utf() (string, bool) {
	n, ok := w.u2()
	if !ok || !w.need(n) {
		return "", false
	}
	w.pos += n
	return w.d[w.pos-n : w.pos], true
}

func (w *jWalker) newHandle(d *jDesc) {
	w.handles = append(w.handles, d)
}

func (w *jWalker) handle() (int, bool) {
	h, ok := w.i4()
	if !ok {
		return 0, false
	}
	i := h - jBaseWireHandle
	if i < 0 || i >= int64(len(w.handles)) {
		return 0, w.fail(jInvalid)
	}
	return int(i), true
}

// content reads one content element. Block data is only allowed at the top
// level and inside annotations.
func (w *jWalker) content(block bool) bool {
	if w.depth >= jMaxDepth {
		return w.fail(jTooDeep)
	}
	w.depth++
	defer func() { w.depth-- }()
	tc, ok := w.u1()
	if !ok {
		return false
	}
	if tc != jTCBlockData && tc != jTCBlockDataLong && tc != jTCReset && tc != jTCNull {
		w.objects++
	}
	switch tc {
	case jTCNull:
		return true
	case jTCReference:
		_, ok := w.handle()
		return ok
	case jTCClassDesc, jTCProxyClassDesc:
		w.pos--
		_, ok := w.classDesc()
		return ok
	case jTCObject:
		desc, ok := w.classDesc()
		if !ok {
			return false
		}
		if desc == nil {
			return w.fail(jInvalid)
		}
		w.newHandle(nil)
		return w.classData(desc)
	case jTCClass:
		if _, ok := w.classDesc(); !ok {
			return false
		}
		w.newHandle(nil)
		return true
	case jTCArray:
		desc, ok := w.classDesc()
		if !ok {
			return false
		}
		if desc == nil || len(desc.name) < 2 || desc.name[0] != '[' {
			return w.fail(jInvalid)
		}
		w.newHandle(nil)
		n, ok := w.i4()
		if !ok {
			return false
		}
		if n < 0 {
			return w.fail(jInvalid)
		}
		if size := jPrimSize(desc.name[1]); size > 0 {
			return w.need(int(n)*size) && w.skip(int(n)*size)
		}
		if n > int64(len(w.d)-w.pos) {
			return w.fail(jTruncated)
		}
		for i := int64(0); i < n; i++ {
			if !w.content(false) {
				return false
			}
		}
		return true
	case jTCString:
		w.newHandle(nil)
		_, ok := w.utf()
		return ok
	case jTCLongString:
		w.newHandle(nil)
		hi, ok1 := w.i4()
		lo, ok2 := w.i4()
		if !ok1 || !ok2 {
			return false
		}
		if hi != 0 || lo < 0 {
			return w.fail(jTruncated)
		}
		return w.need(int(lo)) && w.skip(int(lo))
	case jTCEnum:
		desc, ok := w.classDesc()
		if !ok {
			return false
		}
		if desc == nil {
			return w.fail(jInvalid)
		}
		w.newHandle(nil)
		return w.stringObject()
	case jTCException:
		w.handles = w.handles[:0]
		ok := w.content(false)
		w.handles = w.handles[:0]
		return ok
	case jTCReset:
		w.handles = w.handles[:0]
		return true
	case jTCBlockData, jTCBlockDataLong:
		if !block {
			return w.fail(jInvalid)
		}
		var n int64
		if tc == jTCBlockData {
			b, ok := w.u1()
			if !ok {
				return false
			}
			n = int64(b)
		} else if n, ok = w.i4(); !ok {
			return false
		}
		if n < 0 {
			return w.fail(jInvalid)
		}
		return w.need(int(n)) && w.skip(int(n))
	}
	return w.fail(jInvalid)
}

func (w *jWalker) skip(n int) bool {
	w.pos += n
	return true
}

// stringObject reads a TC_STRING, TC_LONGSTRING or a reference to one.
func (w *jWalker) stringObject() bool {
	if !w.need(1) {
		return false
	}
	switch w.d[w.pos] {
	case jTCString, jTCLongString, jTCReference:
		return w.content(false)
	}
	return w.fail(jInvalid)
}

// annotation reads contents up to TC_ENDBLOCKDATA.
func (w *jWalker) annotation() bool {
	for {
		if !w.need(1) {
			return false
		}
		if w.d[w.pos] == jTCEndBlockData {
			w.pos++
			return true
		}
		if !w.content(true) {
			return false
		}
	}
}

// classDesc reads a class descriptor (new, proxy, null or a reference).
func (w *jWalker) classDesc() (*jDesc, bool) {
	if w.depth >= jMaxDepth {
		return nil, w.fail(jTooDeep)
	}
	w.depth++
	defer func() { w.depth-- }()
	tc, ok := w.u1()
	if !ok {
		return nil, false
	}
	switch tc {
	case jTCNull:
		return nil, true
	case jTCReference:
		i, ok := w.handle()
		if !ok {
			return nil, false
		}
		if w.handles[i] == nil {
			return nil, w.fail(jInvalid)
		}
		return w.handles[i], true
	case jTCClassDesc:
		name, ok := w.utf()
		if !ok {
			return nil, false
		}
		if !javaClassName(name) {
			return nil, w.fail(jInvalid)
		}
		if !w.need(8) {
			return nil, false
		}
		w.pos += 8 // serialVersionUID
		desc := &jDesc{name: name}
		w.newHandle(desc)
		if desc.flags, ok = w.u1(); !ok {
			return nil, false
		}
		if !jFlagsOK(desc.flags) {
			return nil, w.fail(jInvalid)
		}
		n, ok := w.u2()
		if !ok {
			return nil, false
		}
		if n > len(w.d)-w.pos {
			return nil, w.fail(jTruncated)
		}
		desc.fields = make([]byte, 0, n)
		for i := 0; i < n; i++ {
			tc, ok := w.u1()
			if !ok {
				return nil, false
			}
			fname, ok := w.utf()
			if !ok {
				return nil, false
			}
			if fname == "" {
				return nil, w.fail(jInvalid)
			}
			switch {
			case tc == 'L' || tc == '[':
				if !w.stringObject() {
					return nil, false
				}
			case jPrimSize(tc) == 0:
				return nil, w.fail(jInvalid)
			}
			desc.fields = append(desc.fields, tc)
		}
		w.classes.add(name)
		if !w.annotation() {
			return nil, false
		}
		if desc.super, ok = w.classDesc(); !ok {
			return nil, false
		}
		w.descs++
		return desc, true
	case jTCProxyClassDesc:
		desc := &jDesc{proxy: true, name: "(proxy)", flags: jSCSerializable}
		w.newHandle(desc)
		n, ok := w.i4()
		if !ok {
			return nil, false
		}
		if n < 0 || n > 65535 {
			return nil, w.fail(jInvalid)
		}
		for i := int64(0); i < n; i++ {
			name, ok := w.utf()
			if !ok {
				return nil, false
			}
			if !javaClassName(name) {
				return nil, w.fail(jInvalid)
			}
			w.classes.add(name)
		}
		if !w.annotation() {
			return nil, false
		}
		if desc.super, ok = w.classDesc(); !ok {
			return nil, false
		}
		w.descs++
		return desc, true
	}
	return nil, w.fail(jInvalid)
}

// classData steps over the instance data of an object of class desc,
// superclass data first.
func (w *jWalker) classData(desc *jDesc) bool {
	var chain [jMaxHierarchy]*jDesc
	n := 0
	for c := desc; c != nil; c = c.super {
		if n == len(chain) {
			return w.fail(jTooDeep)
		}
		chain[n] = c
		n++
	}
	for i := n - 1; i >= 0; i-- {
		c := chain[i]
		switch {
		case c.proxy:
		case c.flags&jSCSerializable != 0:
			for _, tc := range c.fields {
				if size := jPrimSize(tc); size > 0 {
					if !w.need(size) {
						return false
					}
					w.pos += size
				} else if !w.content(false) {
					return false
				}
			}
			if c.flags&jSCWriteMethod != 0 && !w.annotation() {
				return false
			}
		case c.flags&jSCExternalizable != 0:
			if c.flags&jSCBlockData == 0 {
				return w.fail(jUnsupported)
			}
			if !w.annotation() {
				return false
			}
		}
	}
	return true
}

// scanDescs finds class descriptors the grammar walk did not reach by
// looking for TC_CLASSDESC followed by a length, a plausible class name, a
// serialVersionUID and valid flags.
func (w *jWalker) scanDescs() {
	d := w.d
	for i := 4; i+3 < len(d); i++ {
		if d[i] != jTCClassDesc {
			continue
		}
		n := int(d[i+1])<<8 | int(d[i+2])
		end := i + 3 + n
		if n == 0 || n > 256 || end+8+1+2 > len(d) {
			continue
		}
		name := d[i+3 : end]
		if !javaClassNameASCII(name) {
			continue
		}
		flags := d[end+8]
		if !jFlagsOK(flags) || flags&(jSCSerializable|jSCExternalizable) == 0 {
			continue
		}
		if nf := int(d[end+9])<<8 | int(d[end+10]); nf > 1024 {
			continue
		}
		w.classes.add(name)
		i = end - 1
	}
}

// jFlagsOK reports whether flags is a valid classDescFlags byte.
func jFlagsOK(f byte) bool {
	if f&^0x1f != 0 {
		return false
	}
	if f&jSCSerializable != 0 && f&jSCExternalizable != 0 {
		return false
	}
	return f&jSCEnum == 0 || f&jSCSerializable != 0
}

// jPrimSize is the size of a primitive field type code, 0 for others.
func jPrimSize(tc byte) int {
	switch tc {
	case 'B', 'Z':
		return 1
	case 'C', 'S':
		return 2
	case 'I', 'F':
		return 4
	case 'J', 'D':
		return 8
	}
	return 0
}

// javaClassName reports whether s is a Java binary class name as written in
// a class descriptor ("java.util.HashMap", "a.B$C", "[Ljava.lang.String;",
// "[I"). Non-ASCII (modified UTF-8) letters are accepted.
func javaClassName(s string) bool {
	if s == "" || len(s) > jMaxNameLen {
		return false
	}
	if s[0] == '[' {
		i := 0
		for i < len(s) && s[i] == '[' {
			i++
		}
		if i == len(s) {
			return false
		}
		if jPrimSize(s[i]) > 0 {
			return i == len(s)-1
		}
		return s[i] == 'L' && s[len(s)-1] == ';' && javaDotted(s[i+1:len(s)-1], true)
	}
	return javaDotted(s, true)
}

// javaClassNameASCII is javaClassName restricted to ASCII, for scanning.
func javaClassNameASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return javaClassName(s)
}

// javaDotted reports whether s is identifiers joined by dots (Java
// identifier characters: letters, digits, '_' and '$').
func javaDotted(s string, unicode bool) bool {
	if s == "" {
		return false
	}
	start := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.':
			if start {
				return false
			}
			start = true
			continue
		case c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		case c >= 0x80 && unicode:
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
