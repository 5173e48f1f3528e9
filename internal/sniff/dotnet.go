package sniff

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// .NET Remoting Binary Format ([MS-NRBF]), the stream BinaryFormatter and
// SoapFormatter's binary sibling write: record types (2.1.2.1
// RecordTypeEnumeration).
const (
	nrHeader                         = 0
	nrClassWithID                    = 1
	nrSystemClassWithMembers         = 2
	nrClassWithMembers               = 3
	nrSystemClassWithMembersAndTypes = 4
	nrClassWithMembersAndTypes       = 5
	nrBinaryObjectString             = 6
	nrBinaryArray                    = 7
	nrMemberPrimitiveTyped           = 8
	nrMemberReference                = 9
	nrObjectNull                     = 10
	nrMessageEnd                     = 11
	nrBinaryLibrary                  = 12
	nrObjectNullMultiple256          = 13
	nrObjectNullMultiple             = 14
	nrArraySinglePrimitive           = 15
	nrArraySingleObject              = 16
	nrArraySingleString              = 17
	nrMethodCall                     = 21
	nrMethodReturn                   = 22
)

// BinaryTypeEnumeration (2.1.2.2).
const (
	nrBTPrimitive      = 0
	nrBTString         = 1
	nrBTObject         = 2
	nrBTSystemClass    = 3
	nrBTClass          = 4
	nrBTObjectArray    = 5
	nrBTStringArray    = 6
	nrBTPrimitiveArray = 7
)

// PrimitiveTypeEnumeration values with a variable size (2.1.2.3).
const (
	nrPTChar    = 3
	nrPTDecimal = 5
	nrPTNull    = 17
	nrPTString  = 18
)

// Limits of the NRBF walker.
const (
	nrMaxDepth   = 64
	nrMaxName    = 4096
	nrMaxClasses = 1 << 12 // class metadata records tracked for ClassWithId
	nrMaxIDs     = 1 << 16 // object ids and references tracked
	nrMaxLibs    = 256     // BinaryLibrary records (one per assembly)
)

// nrMagic is the SerializationHeaderRecord of nearly every stream: record
// type 0, RootId 1, HeaderId -1, version 1.0 (base64 "AAEAAAD/////AQAAAAAAAAA").
const nrMagic = "\x00\x01\x00\x00\x00\xff\xff\xff\xff\x01\x00\x00\x00\x00\x00\x00\x00"

// nrErr is why an NRBF walk stopped early.
type nrErr uint8

const (
	nrOK nrErr = iota
	nrTruncated
	nrInvalid
	nrLimit
)

func (e nrErr) String() string {
	switch e {
	case nrTruncated:
		return "truncated"
	case nrInvalid:
		return "malformed"
	case nrLimit:
		return "walker limit reached"
	}
	return "ok"
}

// nrClass is what the walker keeps of a class record for ClassWithId
// records that reuse it: its object id and member types.
type nrClass struct {
	id    int32
	types []byte // BinaryTypeEnumeration per member; nil when untyped
	prims []byte // PrimitiveTypeEnumeration per member (Primitive members)
	n     int
}

// nrWalker reads the records of an NRBF stream, checking every length,
// count, type code and cross-record id (libraries, class metadata, object
// references). It loads no type and builds no object.
type nrWalker struct {
	d     string
	pos   int
	depth int
	err   nrErr

	rootID  int32
	libs    []int32 // BinaryLibrary ids
	libRefs []int32 // library ids named by member type information
	metas   map[int32]nrClass
	ids     []int32 // object ids defined
	refs    []int32 // MemberReference targets
	records int

	classes  classList
	libNames classList
}

// detectDotNet reports whether d is a .NET BinaryFormatter (MS-NRBF)
// stream.
func detectDotNet(d string) (result, bool) {
	if len(d) < 17 || d[0] != nrHeader || d[9:17] != nrMagic[9:17] {
		return result{}, false
	}
	w := nrWalker{d: d, pos: 17}
	w.rootID = int32(le32(d[1:]))
	if w.rootID < 0 {
		return result{}, false
	}
	// BinaryFormatter.Serialize writes RootId 1 (or another small id)
	// and HeaderId -1: those 17 bytes identify the format by themselves,
	// so a stream that is cut or damaged after them is still reported,
	// weakly. Other headers (remoting messages) must be followed by
	// records that read.
	canonical := d[5:9] == "\xff\xff\xff\xff" && w.rootID > 0 && w.rootID < 1<<20
	end := false
	for w.err == nrOK && w.pos < len(d) {
		if d[w.pos] == nrMessageEnd {
			w.pos++
			end = true
			break
		}
		w.record(true)
	}
	if w.err == nrOK && !end {
		w.err = nrTruncated
	}
	trailing := len(d) - w.pos
	resolved := w.err == nrOK && w.consistent()
	full := resolved && trailing == 0
	if !canonical && (w.err == nrInvalid || w.records == 0 || w.err == nrOK && !resolved ||
		!full && len(w.classes.names) == 0 && w.records < 2) {
		return result{}, false
	}
	r := result{format: DotNetBinaryFormatter, classes: w.classes, strong: full}
	var b strings.Builder
	b.WriteString("MS-NRBF (BinaryFormatter) stream, ")
	b.WriteString(strconv.Itoa(len(w.classes.names)))
	b.WriteString(" classes")
	writeNames(&b, w.classes.names)
	if len(w.libNames.names) > 0 {
		b.WriteString(", libraries")
		writeNames(&b, w.libNames.names)
	}
	switch {
	case full:
		b.WriteString(", stream fully parsed")
	case resolved:
		b.WriteString("; ")
		b.WriteString(strconv.Itoa(trailing))
		b.WriteString(" trailing bytes after MessageEnd")
	case w.err == nrOK:
		b.WriteString("; references to objects or libraries the stream does not hold")
	default:
		b.WriteString("; structure ")
		b.WriteString(w.err.String())
		b.WriteString(" after ")
		b.WriteString(strconv.Itoa(w.pos))
		b.WriteString(" valid bytes")
	}
	r.detail = b.String()
	return r, true
}

// writeNames appends " (a, b, c, …)".
func writeNames(b *strings.Builder, names []string) {
	if len(names) == 0 {
		return
	}
	b.WriteString(" (")
	for i, n := range names {
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

// consistent checks, once the whole stream is read, that the root object,
// every object reference and every library named by type information
// exist.
func (w *nrWalker) consistent() bool {
	slices.Sort(w.ids)
	if _, ok := slices.BinarySearch(w.ids, w.rootID); w.rootID != 0 && !ok {
		return false
	}
	for _, r := range w.refs {
		if _, ok := slices.BinarySearch(w.ids, r); !ok {
			return false
		}
	}
	for _, l := range w.libRefs {
		if !containsID(w.libs, l) {
			return false
		}
	}
	return true
}

func containsID(s []int32, id int32) bool {
	for _, v := range s {
		if v == id {
			return true
		}
	}
	return false
}

func le32(s string) uint32 {
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}

func (w *nrWalker) fail(e nrErr) bool {
	if w.err == nrOK {
		w.err = e
	}
	return false
}

func (w *nrWalker) need(n int64) bool {
	if n < 0 || n > int64(len(w.d)-w.pos) {
		return w.fail(nrTruncated)
	}
	return true
}

func (w *nrWalker) u8() (byte, bool) {
	if !w.need(1) {
		return 0, false
	}
	w.pos++
	return w.d[w.pos-1], true
}

func (w *nrWalker) i32() (int32, bool) {
	if !w.need(4) {
		return 0, false
	}
	w.pos += 4
	return int32(le32(w.d[w.pos-4:])), true
}

// count reads a non-negative INT32 count of items of at least per bytes.
func (w *nrWalker) count(per int64) (int64, bool) {
	n, ok := w.i32()
	if !ok {
		return 0, false
	}
	if n < 0 {
		return 0, w.fail(nrInvalid)
	}
	if int64(n) > int64(len(w.d)-w.pos)/per {
		return 0, w.fail(nrTruncated)
	}
	return int64(n), true
}

// str reads a LengthPrefixedString (2.1.1.6): a 7-bit encoded length of
// one to five bytes, then UTF-8.
func (w *nrWalker) str() (string, bool) {
	var n int64
	for i := 0; ; i++ {
		b, ok := w.u8()
		if !ok {
			return "", false
		}
		if i == 4 && b > 0x07 {
			return "", w.fail(nrInvalid)
		}
		n |= int64(b&0x7f) << (7 * i)
		if b&0x80 == 0 {
			break
		}
	}
	if !w.need(n) {
		return "", false
	}
	w.pos += int(n)
	s := w.d[w.pos-int(n) : w.pos]
	if !utf8.ValidString(s) {
		return "", w.fail(nrInvalid)
	}
	return s, true
}

// name reads a LengthPrefixedString that must be a type, member or
// library name.
func (w *nrWalker) name() (string, bool) {
	s, ok := w.str()
	if !ok {
		return "", false
	}
	if !nrNameOK(s) {
		return "", w.fail(nrInvalid)
	}
	return s, true
}

func (w *nrWalker) addID(id int32, list *[]int32) bool {
	if len(*list) == nrMaxIDs {
		return w.fail(nrLimit)
	}
	*list = append(*list, id)
	return true
}

// record reads one record. At the top level any record may come; inside a
// class or an array only values do (value() handles BinaryLibrary).
func (w *nrWalker) record(top bool) bool {
	if w.depth >= nrMaxDepth {
		return w.fail(nrLimit)
	}
	w.depth++
	defer func() { w.depth-- }()
	rt, ok := w.u8()
	if !ok {
		return false
	}
	w.records++
	switch rt {
	case nrBinaryLibrary:
		id, ok := w.i32()
		if !ok {
			return false
		}
		lib, ok := w.name()
		if !ok {
			return false
		}
		w.libNames.add(lib)
		if len(w.libs) == nrMaxLibs {
			return w.fail(nrLimit)
		}
		w.libs = append(w.libs, id)
		return true
	case nrClassWithMembersAndTypes, nrSystemClassWithMembersAndTypes, nrClassWithMembers, nrSystemClassWithMembers:
		c, ok := w.classInfo()
		if !ok {
			return false
		}
		typed := rt == nrClassWithMembersAndTypes || rt == nrSystemClassWithMembersAndTypes
		if typed && !w.memberTypes(&c) {
			return false
		}
		if rt == nrClassWithMembersAndTypes || rt == nrClassWithMembers {
			lib, ok := w.i32()
			if !ok {
				return false
			}
			if !containsID(w.libs, lib) {
				return w.fail(nrInvalid) // the library record comes first
			}
		}
		if w.metas == nil {
			w.metas = make(map[int32]nrClass)
		}
		if len(w.metas) == nrMaxClasses {
			return w.fail(nrLimit)
		}
		w.metas[c.id] = c
		return w.members(&c)
	case nrClassWithID:
		id, ok := w.i32()
		if !ok {
			return false
		}
		meta, ok := w.i32()
		if !ok {
			return false
		}
		c, found := w.metas[meta]
		if !found {
			return w.fail(nrInvalid)
		}
		return w.addID(id, &w.ids) && w.members(&c)
	case nrBinaryObjectString:
		id, ok := w.i32()
		if !ok {
			return false
		}
		if _, ok := w.str(); !ok {
			return false
		}
		return w.addID(id, &w.ids)
	case nrMemberPrimitiveTyped:
		pt, ok := w.u8()
		if !ok {
			return false
		}
		if pt == nrPTNull || pt == nrPTString {
			return w.fail(nrInvalid)
		}
		return w.primitive(pt)
	case nrMemberReference:
		id, ok := w.i32()
		return ok && w.addID(id, &w.refs)
	case nrObjectNull:
		return true
	case nrArraySinglePrimitive, nrArraySingleObject, nrArraySingleString:
		id, ok := w.i32()
		if !ok || !w.addID(id, &w.ids) {
			return false
		}
		if rt == nrArraySinglePrimitive {
			n, ok := w.count(1)
			if !ok {
				return false
			}
			pt, ok := w.u8()
			if !ok {
				return false
			}
			if pt == nrPTNull || pt == nrPTString {
				return w.fail(nrInvalid)
			}
			for ; n > 0; n-- {
				if !w.primitive(pt) {
					return false
				}
			}
			return true
		}
		// Runs of nulls take a few bytes for many elements: the count is
		// not bounded by the input, but every element read consumes some.
		n, ok := w.i32()
		if !ok {
			return false
		}
		if n < 0 {
			return w.fail(nrInvalid)
		}
		return w.elements(int64(n), nrBTObject, 0)
	case nrBinaryArray:
		return w.binaryArray()
	case nrMethodCall, nrMethodReturn:
		return w.method(rt == nrMethodCall)
	}
	return w.fail(nrInvalid)
}

// MessageFlags bits (2.2.1.1) that decide which fields a method call or
// return carries inline.
const (
	nrMFArgsInline        = 0x2
	nrMFContextInline     = 0x20
	nrMFReturnValueInline = 0x800
	nrMFKnown             = 0xffff &^ 0x4000
)

// method reads a BinaryMethodCall or BinaryMethodReturn record (2.2.3):
// .NET Remoting messages. A call names the remote type, which is recorded.
func (w *nrWalker) method(call bool) bool {
	flags, ok := w.i32()
	if !ok {
		return false
	}
	if flags&^nrMFKnown != 0 {
		return w.fail(nrInvalid)
	}
	if call {
		if _, ok := w.stringWithCode(); !ok { // MethodName
			return false
		}
		typ, ok := w.stringWithCode()
		if !ok {
			return false
		}
		if !nrNameOK(typ) {
			return w.fail(nrInvalid)
		}
		if t, ok := dotNetType(typ); ok {
			typ = t
		}
		w.classes.add(typ)
	} else if flags&nrMFReturnValueInline != 0 && !w.valueWithCode() {
		return false
	}
	if flags&nrMFContextInline != 0 {
		if _, ok := w.stringWithCode(); !ok {
			return false
		}
	}
	if flags&nrMFArgsInline != 0 {
		n, ok := w.count(1)
		if !ok {
			return false
		}
		for ; n > 0; n-- {
			if !w.valueWithCode() {
				return false
			}
		}
	}
	return true
}

// stringWithCode reads a StringValueWithCode (2.2.2.2): the String
// primitive type code, then a LengthPrefixedString.
func (w *nrWalker) stringWithCode() (string, bool) {
	pt, ok := w.u8()
	if !ok {
		return "", false
	}
	if pt != nrPTString {
		return "", w.fail(nrInvalid)
	}
	return w.str()
}

// valueWithCode reads a ValueWithCode (2.2.2.1): a primitive type code and
// its value.
func (w *nrWalker) valueWithCode() bool {
	pt, ok := w.u8()
	return ok && w.primitive(pt)
}

// classInfo reads ClassInfo (2.3.1.1) and records the class name.
func (w *nrWalker) classInfo() (nrClass, bool) {
	id, ok := w.i32()
	if !ok {
		return nrClass{}, false
	}
	name, ok := w.name()
	if !ok {
		return nrClass{}, false
	}
	w.classes.add(name)
	n, ok := w.count(2) // a member name takes 2 bytes at least
	if !ok {
		return nrClass{}, false
	}
	for i := int64(0); i < n; i++ {
		if _, ok := w.name(); !ok {
			return nrClass{}, false
		}
	}
	return nrClass{id: id, n: int(n)}, w.addID(id, &w.ids)
}

// memberTypes reads MemberTypeInfo (2.3.1.2): one BinaryTypeEnumeration per
// member, then the additional information of each.
func (w *nrWalker) memberTypes(c *nrClass) bool {
	if !w.need(int64(c.n)) {
		return false
	}
	c.types = []byte(w.d[w.pos : w.pos+c.n])
	c.prims = make([]byte, c.n)
	w.pos += c.n
	for i, bt := range c.types {
		pt, ok := w.typeInfo(bt)
		if !ok {
			return false
		}
		c.prims[i] = pt
	}
	return true
}

// typeInfo reads the additional information of a BinaryTypeEnumeration and
// returns the primitive type for Primitive and PrimitiveArray.
func (w *nrWalker) typeInfo(bt byte) (byte, bool) {
	switch bt {
	case nrBTPrimitive, nrBTPrimitiveArray:
		pt, ok := w.u8()
		if !ok {
			return 0, false
		}
		if !nrPrimitiveOK(pt) || pt == nrPTNull || pt == nrPTString {
			return 0, w.fail(nrInvalid)
		}
		return pt, true
	case nrBTString, nrBTObject, nrBTObjectArray, nrBTStringArray:
		return 0, true
	case nrBTSystemClass:
		name, ok := w.name()
		if ok {
			w.classes.add(name)
		}
		return 0, ok
	case nrBTClass:
		name, ok := w.name()
		if !ok {
			return 0, false
		}
		lib, ok := w.i32()
		if !ok {
			return 0, false
		}
		w.classes.add(name)
		return 0, w.addID(lib, &w.libRefs)
	}
	return 0, w.fail(nrInvalid)
}

// members reads the member values of an object of class c.
func (w *nrWalker) members(c *nrClass) bool {
	for i := 0; i < c.n; i++ {
		if c.types != nil && c.types[i] == nrBTPrimitive {
			if !w.primitive(c.prims[i]) {
				return false
			}
			continue
		}
		if !w.value() {
			return false
		}
	}
	return true
}

// value reads a record in a member or element position, after any
// BinaryLibrary records in front of it.
func (w *nrWalker) value() bool {
	for {
		if !w.need(1) {
			return false
		}
		switch w.d[w.pos] {
		case nrBinaryLibrary:
			if !w.record(false) {
				return false
			}
			continue
		case nrHeader, nrMessageEnd, nrObjectNullMultiple, nrObjectNullMultiple256, nrMethodCall, nrMethodReturn:
			return w.fail(nrInvalid)
		}
		return w.record(false)
	}
}

// elements reads n array elements of binary type bt (primitive type pt):
// untyped primitive values, or records where null runs count for several.
func (w *nrWalker) elements(n int64, bt, pt byte) bool {
	if bt == nrBTPrimitive {
		for ; n > 0; n-- {
			if !w.primitive(pt) {
				return false
			}
		}
		return true
	}
	for n > 0 {
		if !w.need(1) {
			return false
		}
		var nulls int64
		switch w.d[w.pos] {
		case nrObjectNullMultiple256:
			w.pos++
			b, ok := w.u8()
			if !ok {
				return false
			}
			nulls = int64(b)
		case nrObjectNullMultiple:
			w.pos++
			c, ok := w.i32()
			if !ok {
				return false
			}
			nulls = int64(c)
		default:
			if !w.value() {
				return false
			}
			n--
			continue
		}
		if nulls < 1 || nulls > n {
			return w.fail(nrInvalid)
		}
		n -= nulls
	}
	return true
}

// binaryArray reads a BinaryArray record (2.4.3.1).
func (w *nrWalker) binaryArray() bool {
	id, ok := w.i32()
	if !ok || !w.addID(id, &w.ids) {
		return false
	}
	kind, ok := w.u8()
	if !ok {
		return false
	}
	if kind > 5 {
		return w.fail(nrInvalid)
	}
	rank, ok := w.count(4)
	if !ok {
		return false
	}
	if rank == 0 || rank > 32 {
		return w.fail(nrInvalid)
	}
	total := int64(1)
	for i := int64(0); i < rank; i++ {
		l, ok := w.i32()
		if !ok {
			return false
		}
		if l < 0 {
			return w.fail(nrInvalid)
		}
		if total *= int64(l); total > 1<<31 {
			return w.fail(nrInvalid)
		}
	}
	if kind >= 3 { // offset arrays carry lower bounds
		if !w.need(4 * rank) {
			return false
		}
		w.pos += int(4 * rank)
	}
	bt, ok := w.u8()
	if !ok {
		return false
	}
	pt, ok := w.typeInfo(bt)
	if !ok {
		return false
	}
	if bt == nrBTPrimitive && !w.need(total) { // a primitive takes a byte at least
		return false
	}
	return w.elements(total, bt, pt)
}

// primitive steps over one untyped primitive value (2.2.2.2
// MemberPrimitiveUnTyped).
func (w *nrWalker) primitive(pt byte) bool {
	if !nrPrimitiveOK(pt) {
		return w.fail(nrInvalid)
	}
	switch pt {
	case nrPTNull:
		return true
	case nrPTString, nrPTDecimal:
		_, ok := w.str()
		return ok
	case nrPTChar:
		b, ok := w.u8()
		if !ok {
			return false
		}
		n := 0
		switch {
		case b < 0x80:
		case b&0xe0 == 0xc0:
			n = 1
		case b&0xf0 == 0xe0:
			n = 2
		case b&0xf8 == 0xf0:
			n = 3
		default:
			return w.fail(nrInvalid)
		}
		if !w.need(int64(n)) {
			return false
		}
		w.pos += n
		return true
	}
	size := nrPrimSize(pt)
	if !w.need(int64(size)) {
		return false
	}
	if pt == 1 && w.d[w.pos] > 1 { // Boolean
		return w.fail(nrInvalid)
	}
	w.pos += size
	return true
}

// nrPrimitiveOK reports whether pt is a PrimitiveTypeEnumeration value.
func nrPrimitiveOK(pt byte) bool {
	return pt >= 1 && pt <= 18 && pt != 4
}

// nrPrimSize is the size of a fixed-size primitive type.
func nrPrimSize(pt byte) int {
	switch pt {
	case 1, 2, 10: // Boolean, Byte, SByte
		return 1
	case 7, 14: // Int16, UInt16
		return 2
	case 8, 11, 15: // Int32, Single, UInt32
		return 4
	case 6, 9, 12, 13, 16: // Double, Int64, TimeSpan, DateTime, UInt64
		return 8
	}
	return 0
}

// nrNameOK reports whether s can be a .NET type, member or assembly name
// as BinaryFormatter writes them ("Shop.Models.Cart",
// "System.Collections.Generic.List`1[[System.String, mscorlib, ...]]",
// "<Name>k__BackingField", "Shop, Version=1.0.0.0, Culture=neutral,
// PublicKeyToken=null"): printable, no control characters, starting with a
// letter, '_' or '<'.
func nrNameOK(s string) bool {
	if s == "" || len(s) > nrMaxName {
		return false
	}
	if c := s[0]; !(c == '_' || c == '<' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}
