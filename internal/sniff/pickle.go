package sniff

import (
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// Pickle opcodes, as listed by Python's pickletools (protocols 0 to 5).
const (
	pkMARK            = '('
	pkSTOP            = '.'
	pkPOP             = '0'
	pkPOPMARK         = '1'
	pkDUP             = '2'
	pkFLOAT           = 'F'
	pkINT             = 'I'
	pkBININT          = 'J'
	pkBININT1         = 'K'
	pkLONG            = 'L'
	pkBININT2         = 'M'
	pkNONE            = 'N'
	pkPERSID          = 'P'
	pkBINPERSID       = 'Q'
	pkREDUCE          = 'R'
	pkSTRING          = 'S'
	pkBINSTRING       = 'T'
	pkSHORTBINSTRING  = 'U'
	pkUNICODE         = 'V'
	pkBINUNICODE      = 'X'
	pkAPPEND          = 'a'
	pkBUILD           = 'b'
	pkGLOBAL          = 'c'
	pkDICT            = 'd'
	pkEMPTYDICT       = '}'
	pkAPPENDS         = 'e'
	pkGET             = 'g'
	pkBINGET          = 'h'
	pkINST            = 'i'
	pkLONGBINGET      = 'j'
	pkLIST            = 'l'
	pkEMPTYLIST       = ']'
	pkOBJ             = 'o'
	pkPUT             = 'p'
	pkBINPUT          = 'q'
	pkLONGBINPUT      = 'r'
	pkSETITEM         = 's'
	pkTUPLE           = 't'
	pkEMPTYTUPLE      = ')'
	pkSETITEMS        = 'u'
	pkBINFLOAT        = 'G'
	pkBINBYTES        = 'B'
	pkSHORTBINBYTES   = 'C'
	pkPROTO           = 0x80
	pkNEWOBJ          = 0x81
	pkEXT1            = 0x82
	pkEXT2            = 0x83
	pkEXT4            = 0x84
	pkTUPLE1          = 0x85
	pkTUPLE2          = 0x86
	pkTUPLE3          = 0x87
	pkNEWTRUE         = 0x88
	pkNEWFALSE        = 0x89
	pkLONG1           = 0x8a
	pkLONG4           = 0x8b
	pkSHORTBINUNICODE = 0x8c
	pkBINUNICODE8     = 0x8d
	pkBINBYTES8       = 0x8e
	pkEMPTYSET        = 0x8f
	pkADDITEMS        = 0x90
	pkFROZENSET       = 0x91
	pkNEWOBJEX        = 0x92
	pkSTACKGLOBAL     = 0x93
	pkMEMOIZE         = 0x94
	pkFRAME           = 0x95
	pkBYTEARRAY8      = 0x96
	pkNEXTBUFFER      = 0x97
	pkREADONLYBUFFER  = 0x98
)

// pickleProto0Ops are the opcodes of the text protocol 0; a stream that uses
// only these and has no PROTO opcode is reported as protocol 0.
const pickleProto0Ops = "(.012FILNPRSVabcdgilpst"

// Limits of the pickle walker.
const (
	pkMaxStack = 1 << 16 // stack items tracked
	pkMaxMemo  = 1 << 16 // highest memo index tracked
	pkMaxName  = 512     // longest GLOBAL/INST line
	// pkMinPrefix is the valid prefix a truncated stream needs.
	pkMinPrefix = 64
)

// pkStatus is how a walk ended.
type pkStatus uint8

const (
	pkDone      pkStatus = iota // STOP with one item on the stack, no mark
	pkTruncated                 // input ended inside the stream
	pkLimit                     // a walker limit was reached
	pkInvalid                   // not a pickle
)

// pkItem is what the walker remembers of a stack or memo entry: whether it
// is a text string (needed by STACK_GLOBAL) and where that text lies.
type pkItem struct {
	str    bool
	set    bool // memo only: the slot was written
	off, n int32
}

// pkWalker walks a pickle opcode stream. It tracks stack depth, marks and
// the memo the way Python's Unpickler does, so inconsistent streams are
// rejected, but it builds no object: only string offsets are kept.
type pkWalker struct {
	d       string
	pos     int
	opPos   int  // offset of the opcode being walked
	atEnd   bool // the walk ran out of input between two opcodes
	stack   []pkItem
	marks   []int32
	memo    []pkItem
	memoN   int // distinct memo keys, for MEMOIZE
	proto   int // -1 when no PROTO opcode
	ops     int
	nonText bool
	short   bool // a FRAME announced more bytes than the input holds

	globals, reduces, builds, insts, objs, newobjs, exts, puts int

	// firstRef is the offset of the first opcode that looks up a name or
	// calls something (see PickleReferenceOffset), -1 before one is seen.
	firstRef int

	classes classList
}

// pkWalkers recycles walkers: many benign values start with a byte that is
// also a pickle opcode, and the walk usually ends within a few bytes.
var pkWalkers = sync.Pool{New: func() any { return new(pkWalker) }}

// reset prepares w for d, keeping the capacity of its slices.
func (w *pkWalker) reset(d string) {
	const keep = 1 << 12 // do not pin huge slices from a past walk
	stack, marks, memo := w.stack[:0], w.marks[:0], w.memo[:0]
	if cap(stack) > keep {
		stack = nil
	}
	if cap(marks) > keep {
		marks = nil
	}
	if cap(memo) > keep {
		memo = nil
	}
	*w = pkWalker{d: d, proto: -1, stack: stack, marks: marks, memo: memo, firstRef: -1}
}

// detectPickle reports whether d is a pickle stream.
func detectPickle(d string) (result, bool) {
	if len(d) < 4 {
		return result{}, false
	}
	switch c := d[0]; {
	case c == pkPROTO:
		if d[1] < 2 || d[1] > 5 {
			return result{}, false
		}
	case strings.IndexByte("(]}).cNIJKLMSTUVXFG\x8c", c) < 0:
		// Other opcodes can start a pickle, but no real-world one.
		return result{}, false
	}
	w := pkWalkers.Get().(*pkWalker)
	w.reset(d)
	defer func() {
		w.d = "" // do not pin the value while pooled
		pkWalkers.Put(w)
	}()
	st := w.walk()
	r := result{format: PythonPickle}
	switch st {
	case pkDone:
		if w.short {
			return result{}, false // STOP inside a frame that is cut short
		}
		if w.proto < 0 && w.globals == 0 && w.puts == 0 {
			// "N.", "I5\n." and the like: too little structure to tell
			// a pickle from text.
			return result{}, false
		}
		trailing := len(d) - w.pos
		if trailing > 0 && (w.pos < 32 || w.ops < 6) {
			// Python ignores bytes after STOP, but a short pickle ("(dp0\n.",
			// an empty dict; "cmod\nX\n.", one GLOBAL) followed by other
			// bytes is more likely chance than a pickle with a suffix.
			return result{}, false
		}
		r.strong = trailing == 0
		r.detail = w.describe("")
		if trailing > 0 {
			r.detail = w.describe(strconv.Itoa(trailing) + " trailing bytes after STOP")
		}
	case pkTruncated, pkLimit:
		if w.pos < pkMinPrefix || w.ops < 8 || (w.proto < 0 && w.globals == 0) {
			return result{}, false
		}
		why := "truncated after " + strconv.Itoa(w.pos) + " valid bytes"
		if st == pkLimit {
			why = "walk stopped at a limit after " + strconv.Itoa(w.pos) + " bytes"
		}
		r.detail = w.describe(why)
	default:
		return result{}, false
	}
	r.classes = w.classes
	return r, true
}

func (w *pkWalker) describe(note string) string {
	var b strings.Builder
	b.WriteString("pickle protocol ")
	switch {
	case w.proto >= 0:
		b.WriteString(strconv.Itoa(w.proto))
	case w.nonText:
		b.WriteString("1")
	default:
		b.WriteString("0")
	}
	b.WriteString(", ")
	b.WriteString(strconv.Itoa(w.globals))
	if w.globals == 1 {
		b.WriteString(" global reference")
	} else {
		b.WriteString(" global references")
	}
	for _, c := range [...]struct {
		name string
		n    int
	}{{"REDUCE", w.reduces}, {"BUILD", w.builds}, {"INST", w.insts}, {"OBJ", w.objs}, {"NEWOBJ", w.newobjs}, {"EXT", w.exts}} {
		if c.n > 0 {
			b.WriteString(", ")
			b.WriteString(c.name)
			b.WriteString("×")
			b.WriteString(strconv.Itoa(c.n))
		}
	}
	if note != "" {
		b.WriteString("; ")
		b.WriteString(note)
	}
	return b.String()
}

// frame is the number of stack items above the innermost mark.
func (w *pkWalker) frame() int {
	if len(w.marks) == 0 {
		return len(w.stack)
	}
	return len(w.stack) - int(w.marks[len(w.marks)-1])
}

func (w *pkWalker) push(it pkItem) pkStatus {
	if len(w.stack) >= pkMaxStack {
		return pkLimit
	}
	w.stack = append(w.stack, it)
	return pkDone
}

// popMark removes the innermost mark and the items above it, returning how
// many items there were, or -1 when there is no mark.
func (w *pkWalker) popMark() int {
	if len(w.marks) == 0 {
		return -1
	}
	k := int(w.marks[len(w.marks)-1])
	w.marks = w.marks[:len(w.marks)-1]
	n := len(w.stack) - k
	w.stack = w.stack[:k]
	return n
}

func (w *pkWalker) need(n int) bool { return w.pos+n <= len(w.d) }

func (w *pkWalker) u1() int { v := int(w.d[w.pos]); w.pos++; return v }

func (w *pkWalker) u2() int {
	v := int(w.d[w.pos]) | int(w.d[w.pos+1])<<8
	w.pos += 2
	return v
}

func (w *pkWalker) u4() uint32 {
	v := uint32(w.d[w.pos]) | uint32(w.d[w.pos+1])<<8 | uint32(w.d[w.pos+2])<<16 | uint32(w.d[w.pos+3])<<24
	w.pos += 4
	return v
}

func (w *pkWalker) u8() uint64 {
	lo := uint64(w.u4())
	return lo | uint64(w.u4())<<32
}

// line reads up to the next '\n' (not included); ok is false when there is
// none.
func (w *pkWalker) line() (string, bool) {
	i := strings.IndexByte(w.d[w.pos:], '\n')
	if i < 0 {
		return "", false
	}
	l := w.d[w.pos : w.pos+i]
	w.pos += i + 1
	return l, true
}

// skip consumes a length-prefixed payload of n bytes.
func (w *pkWalker) skip(n uint64) pkStatus {
	if n > uint64(len(w.d)-w.pos) {
		return pkTruncated
	}
	w.pos += int(n)
	return pkDone
}

// pushStr consumes n bytes of string payload and pushes it as text.
func (w *pkWalker) pushStr(n uint64) pkStatus {
	if n > uint64(len(w.d)-w.pos) {
		return pkTruncated
	}
	it := pkItem{str: true, off: int32(w.pos), n: int32(n)}
	w.pos += int(n)
	return w.push(it)
}

func (w *pkWalker) memoPut(i uint64) pkStatus {
	if w.frame() < 1 {
		return pkInvalid
	}
	if i >= pkMaxMemo {
		return pkLimit
	}
	for uint64(len(w.memo)) <= i {
		w.memo = append(w.memo, pkItem{})
	}
	if !w.memo[i].set {
		w.memoN++
	}
	it := w.stack[len(w.stack)-1]
	it.set = true
	w.memo[i] = it
	w.puts++
	return pkDone
}

func (w *pkWalker) memoGet(i uint64) pkStatus {
	if i >= uint64(len(w.memo)) || !w.memo[i].set {
		return pkInvalid
	}
	it := w.memo[i]
	it.set = false
	return w.push(it)
}

// global records a module/name reference from GLOBAL or INST lines.
func (w *pkWalker) global() pkStatus {
	start := w.pos
	mod, ok := w.line()
	if !ok {
		if len(w.d)-start > 2*pkMaxName {
			return pkInvalid
		}
		return pkTruncated
	}
	name, ok := w.line()
	if !ok {
		if len(w.d)-start > 2*pkMaxName {
			return pkInvalid
		}
		return pkTruncated
	}
	if !pyDotted(mod) || !pyDotted(name) || len(mod)+len(name) > pkMaxName {
		return pkInvalid
	}
	w.globals++
	w.classes.add2(mod, name)
	return pkDone
}

// pkRefOp reports whether op looks up a name (GLOBAL, STACK_GLOBAL, INST,
// EXT1/2/4), asks the application for an object (PERSID, BINPERSID) or calls
// something (REDUCE, BUILD, OBJ, NEWOBJ, NEWOBJ_EX).
func pkRefOp(op byte) bool {
	switch op {
	case pkGLOBAL, pkSTACKGLOBAL, pkINST, pkEXT1, pkEXT2, pkEXT4, pkPERSID, pkBINPERSID,
		pkREDUCE, pkBUILD, pkOBJ, pkNEWOBJ, pkNEWOBJEX:
		return true
	}
	return false
}

// PickleReferenceOffset returns the offset of the first opcode of the pickle
// stream in data that looks up a module or class, asks the application for
// a persistent object, or calls anything (GLOBAL, STACK_GLOBAL, INST,
// EXT1/2/4, PERSID, BINPERSID, REDUCE, BUILD, OBJ, NEWOBJ, NEWOBJ_EX): the
// bytes before it only push plain values, so an unpickler that reads just
// that prefix imports and runs nothing. A stream without such an opcode
// gives the end of the walk: the offset after STOP; len(data) when the input
// ends between two opcodes, or the offset of the opcode it ends in; or, when
// a walker limit (memo index, stack
// or mark count) stops the walk, the offset of the opcode that hit it, since
// nothing after it was checked. ok is false when data is not a pickle the
// walker could follow to a clean end or a clean truncation; a caller must
// then not send any part of it. Like Sniff, it only reads structure.
func PickleReferenceOffset(data string) (offset int, ok bool) {
	if len(data) < 2 {
		return 0, false
	}
	if data[0] == pkPROTO && (data[1] < 2 || data[1] > 5) {
		return 0, false
	}
	w := pkWalkers.Get().(*pkWalker)
	w.reset(data)
	defer func() {
		w.d = ""
		pkWalkers.Put(w)
	}()
	st := w.walk()
	switch st {
	case pkDone:
		if w.firstRef >= 0 {
			return w.firstRef, true
		}
		return w.pos, true // after STOP; what follows was not walked
	case pkTruncated:
		if w.firstRef >= 0 {
			return w.firstRef, true
		}
		if w.atEnd {
			return len(data), true // the input ends between two opcodes
		}
		return w.opPos, true // before the opcode the input ends in
	case pkLimit:
		// The walker stopped tracking the stream at the opcode that hit
		// the limit: the bytes before it are known to hold no reference,
		// the bytes from it on are not.
		if w.firstRef >= 0 && w.firstRef < w.opPos {
			return w.firstRef, true
		}
		return w.opPos, true
	}
	return 0, false // not a pickle, or one the walker cannot follow
}

// walk runs the opcode stream until STOP, the end of input or an error.
func (w *pkWalker) walk() pkStatus {
	for w.pos < len(w.d) {
		op := w.d[w.pos]
		w.opPos = w.pos
		if w.firstRef < 0 && pkRefOp(op) {
			w.firstRef = w.pos
		}
		w.pos++
		w.ops++
		if !w.nonText && strings.IndexByte(pickleProto0Ops, op) < 0 {
			w.nonText = true
		}
		var st pkStatus
		switch op {
		case pkMARK:
			if len(w.marks) >= pkMaxStack {
				return pkLimit
			}
			w.marks = append(w.marks, int32(len(w.stack)))
		case pkSTOP:
			if len(w.marks) != 0 || len(w.stack) != 1 {
				return pkInvalid
			}
			return pkDone
		case pkPOP:
			switch {
			case w.frame() > 0:
				w.stack = w.stack[:len(w.stack)-1]
			case len(w.marks) > 0:
				w.popMark()
			default:
				return pkInvalid
			}
		case pkPOPMARK:
			if w.popMark() < 0 {
				return pkInvalid
			}
		case pkDUP:
			if w.frame() < 1 {
				return pkInvalid
			}
			st = w.push(w.stack[len(w.stack)-1])
		case pkFLOAT:
			l, ok := w.line()
			if !ok {
				return pkTruncated
			}
			if !pyFloatText(l) {
				return pkInvalid
			}
			st = w.push(pkItem{})
		case pkINT, pkLONG:
			l, ok := w.line()
			if !ok {
				return pkTruncated
			}
			if op == pkLONG {
				l = strings.TrimSuffix(l, "L")
			}
			if !pyIntText(l) {
				return pkInvalid
			}
			st = w.push(pkItem{})
		case pkBININT, pkBININT1, pkBININT2, pkBINFLOAT:
			n := map1(op)
			if !w.need(n) {
				return pkTruncated
			}
			w.pos += n
			st = w.push(pkItem{})
		case pkNONE, pkNEWTRUE, pkNEWFALSE, pkEMPTYDICT, pkEMPTYLIST, pkEMPTYTUPLE, pkEMPTYSET, pkNEXTBUFFER:
			st = w.push(pkItem{})
		case pkPERSID:
			l, ok := w.line()
			if !ok {
				return pkTruncated
			}
			for i := 0; i < len(l); i++ {
				if l[i] >= 0x80 {
					return pkInvalid
				}
			}
			st = w.push(pkItem{})
		case pkBINPERSID, pkREADONLYBUFFER:
			if w.frame() < 1 {
				return pkInvalid
			}
			w.stack[len(w.stack)-1] = pkItem{}
		case pkREDUCE:
			if w.frame() < 2 {
				return pkInvalid
			}
			w.stack = w.stack[:len(w.stack)-1]
			w.stack[len(w.stack)-1] = pkItem{}
			w.reduces++
		case pkSTRING:
			start := w.pos
			l, ok := w.line()
			if !ok {
				return pkTruncated
			}
			if len(l) < 2 || (l[0] != '\'' && l[0] != '"') || l[len(l)-1] != l[0] {
				return pkInvalid
			}
			st = w.push(pkItem{str: true, off: int32(start + 1), n: int32(len(l) - 2)})
		case pkUNICODE:
			start := w.pos
			l, ok := w.line()
			if !ok {
				return pkTruncated
			}
			st = w.push(pkItem{str: true, off: int32(start), n: int32(len(l))})
		case pkBINSTRING:
			if !w.need(4) {
				return pkTruncated
			}
			n := int32(w.u4())
			if n < 0 {
				return pkInvalid
			}
			st = w.pushStr(uint64(n))
		case pkSHORTBINSTRING, pkSHORTBINUNICODE:
			if !w.need(1) {
				return pkTruncated
			}
			st = w.pushStr(uint64(w.u1()))
		case pkBINUNICODE:
			if !w.need(4) {
				return pkTruncated
			}
			st = w.pushStr(uint64(w.u4()))
		case pkBINUNICODE8:
			if !w.need(8) {
				return pkTruncated
			}
			st = w.pushStr(w.u8())
		case pkBINBYTES, pkSHORTBINBYTES, pkBINBYTES8, pkBYTEARRAY8, pkLONG1, pkLONG4:
			var n uint64
			switch op {
			case pkSHORTBINBYTES, pkLONG1:
				if !w.need(1) {
					return pkTruncated
				}
				n = uint64(w.u1())
			case pkBINBYTES:
				if !w.need(4) {
					return pkTruncated
				}
				n = uint64(w.u4())
			case pkLONG4:
				if !w.need(4) {
					return pkTruncated
				}
				v := int32(w.u4())
				if v < 0 {
					return pkInvalid
				}
				n = uint64(v)
			default:
				if !w.need(8) {
					return pkTruncated
				}
				n = w.u8()
			}
			if st = w.skip(n); st != pkDone {
				return st
			}
			st = w.push(pkItem{})
		case pkAPPEND, pkBUILD:
			if w.frame() < 2 {
				return pkInvalid
			}
			w.stack = w.stack[:len(w.stack)-1]
			if op == pkBUILD {
				w.builds++
			}
		case pkSETITEM:
			if w.frame() < 3 {
				return pkInvalid
			}
			w.stack = w.stack[:len(w.stack)-2]
		case pkAPPENDS, pkSETITEMS, pkADDITEMS:
			n := w.popMark()
			if n < 0 || w.frame() < 1 || (op == pkSETITEMS && n%2 != 0) {
				return pkInvalid
			}
		case pkLIST, pkTUPLE, pkDICT, pkFROZENSET:
			n := w.popMark()
			if n < 0 || (op == pkDICT && n%2 != 0) {
				return pkInvalid
			}
			st = w.push(pkItem{})
		case pkTUPLE1, pkTUPLE2, pkTUPLE3:
			n := int(op - pkTUPLE1 + 1)
			if w.frame() < n {
				return pkInvalid
			}
			w.stack = w.stack[:len(w.stack)-n]
			st = w.push(pkItem{})
		case pkGLOBAL:
			if st = w.global(); st != pkDone {
				return st
			}
			st = w.push(pkItem{})
		case pkINST:
			if st = w.global(); st != pkDone {
				return st
			}
			if w.popMark() < 0 {
				return pkInvalid
			}
			w.insts++
			st = w.push(pkItem{})
		case pkOBJ:
			if n := w.popMark(); n < 1 {
				return pkInvalid
			}
			w.objs++
			st = w.push(pkItem{})
		case pkNEWOBJ, pkNEWOBJEX:
			n := 2
			if op == pkNEWOBJEX {
				n = 3
			}
			if w.frame() < n {
				return pkInvalid
			}
			w.stack = w.stack[:len(w.stack)-n+1]
			w.stack[len(w.stack)-1] = pkItem{}
			w.newobjs++
		case pkSTACKGLOBAL:
			if w.frame() < 2 {
				return pkInvalid
			}
			mod, name := w.stack[len(w.stack)-2], w.stack[len(w.stack)-1]
			if !mod.str || !name.str {
				return pkInvalid
			}
			m := w.d[mod.off : mod.off+mod.n]
			nm := w.d[name.off : name.off+name.n]
			if !pyDotted(m) || !pyDotted(nm) {
				return pkInvalid
			}
			w.globals++
			w.classes.add2(m, nm)
			w.stack = w.stack[:len(w.stack)-1]
			w.stack[len(w.stack)-1] = pkItem{}
		case pkGET, pkPUT:
			l, ok := w.line()
			if !ok {
				return pkTruncated
			}
			i, err := strconv.ParseUint(l, 10, 64)
			if err != nil {
				return pkInvalid
			}
			if op == pkGET {
				st = w.memoGet(i)
			} else {
				st = w.memoPut(i)
			}
		case pkBINGET, pkBINPUT:
			if !w.need(1) {
				return pkTruncated
			}
			i := uint64(w.u1())
			if op == pkBINGET {
				st = w.memoGet(i)
			} else {
				st = w.memoPut(i)
			}
		case pkLONGBINGET, pkLONGBINPUT:
			if !w.need(4) {
				return pkTruncated
			}
			i := uint64(w.u4())
			if op == pkLONGBINGET {
				st = w.memoGet(i)
			} else {
				st = w.memoPut(i)
			}
		case pkMEMOIZE:
			st = w.memoPut(uint64(w.memoN))
		case pkEXT1, pkEXT2, pkEXT4:
			n := 1
			if op == pkEXT2 {
				n = 2
			} else if op == pkEXT4 {
				n = 4
			}
			if !w.need(n) {
				return pkTruncated
			}
			w.pos += n
			w.exts++
			st = w.push(pkItem{})
		case pkPROTO:
			if !w.need(1) {
				return pkTruncated
			}
			p := w.u1()
			if p < 2 || p > 5 || w.proto >= 0 {
				return pkInvalid
			}
			w.proto = p
		case pkFRAME:
			if !w.need(8) {
				return pkTruncated
			}
			if n := w.u8(); n > uint64(len(w.d)-w.pos) {
				// The frame runs past the input: the stream is cut. Keep
				// walking so a long valid prefix can still be judged.
				w.short = true
			}
		default:
			return pkInvalid
		}
		if st != pkDone {
			return st
		}
	}
	w.atEnd = true // every opcode read was complete
	return pkTruncated
}

// map1 is the argument size of the fixed-size numeric opcodes.
func map1(op byte) int {
	switch op {
	case pkBININT:
		return 4
	case pkBININT1:
		return 1
	case pkBININT2:
		return 2
	}
	return 8 // BINFLOAT
}

// pyDotted reports whether s is a plausible Python module or qualified name:
// identifiers joined by dots (non-ASCII letters must be valid UTF-8).
func pyDotted(s string) bool {
	if s == "" || len(s) > pkMaxName {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			if !utf8.ValidString(s) {
				return false
			}
			break
		}
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

// pyIntText reports whether s is a protocol 0 INT/LONG argument.
func pyIntText(s string) bool {
	if s != "" && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	if s == "" || len(s) > 4096 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// pyFloatText reports whether s is a protocol 0 FLOAT argument (repr of a
// float).
func pyFloatText(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	switch strings.ToLower(strings.TrimLeft(s, "+-")) {
	case "inf", "nan", "infinity":
		return true
	}
	digits := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits = true
		case c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-':
		default:
			return false
		}
	}
	return digits
}
