package sniff

import (
	"encoding/binary"
	"slices"
	"strings"
	"testing"
)

// Hand-built MS-NRBF streams. Each helper writes one structure of the
// [MS-NRBF] specification (section numbers in the comments), byte for byte
// as the spec lays it out; the tests compose them into streams the way
// BinaryFormatter does (header, BinaryLibrary before the first class of its
// assembly, the root object, then the objects it references, MessageEnd).
// Real BinaryFormatter output (Mono, the .NET Framework reference source)
// is in the positive corpus (testdata/gen/GenNrbf.cs).

// nrI32 is an INT32, little-endian (2.1.1).
func nrI32(v int32) string {
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], uint32(v))
	return string(b[:])
}

// nrLPS is a LengthPrefixedString (2.1.1.6): the UTF-8 length in 7-bit
// groups, low first, high bit set on all but the last, then the bytes.
func nrLPS(s string) string {
	var b []byte
	n := len(s)
	for n >= 0x80 {
		b = append(b, byte(n)|0x80)
		n >>= 7
	}
	return string(append(b, byte(n))) + s
}

// nrHead is a SerializationHeaderRecord (2.6.1): record type 0, RootId,
// HeaderId, MajorVersion 1, MinorVersion 0.
func nrHead(root, header int32) string {
	return "\x00" + nrI32(root) + nrI32(header) + nrI32(1) + nrI32(0)
}

// nrLib is a BinaryLibrary record (2.6.2): type 12, LibraryId, LibraryName.
func nrLib(id int32, name string) string { return "\x0c" + nrI32(id) + nrLPS(name) }

// nrMember is one member of a class: its name, BinaryTypeEnumeration
// (2.1.2.2) and additional type information (2.3.1.2).
type nrMember struct {
	name string
	bt   byte
	info string
}

func nrPrim(name string, pt byte) nrMember { return nrMember{name, 0, string([]byte{pt})} }
func nrStrM(name string) nrMember          { return nrMember{name, 1, ""} }
func nrObjM(name string) nrMember          { return nrMember{name, 2, ""} }
func nrClassM(name, class string, lib int32) nrMember {
	return nrMember{name, 4, nrLPS(class) + nrI32(lib)}
}
func nrSysM(name, class string) nrMember { return nrMember{name, 3, nrLPS(class)} }
func nrStrArrM(name string) nrMember     { return nrMember{name, 6, ""} }

// nrClassInfo is ClassInfo (2.3.1.1): ObjectId, Name, MemberCount,
// MemberNames.
func nrClassInfo(id int32, name string, ms []nrMember) string {
	s := nrI32(id) + nrLPS(name) + nrI32(int32(len(ms)))
	for _, m := range ms {
		s += nrLPS(m.name)
	}
	return s
}

// nrTypes is MemberTypeInfo (2.3.1.2): the BinaryTypeEnums, then the
// AdditionalInfos.
func nrTypes(ms []nrMember) string {
	s := ""
	for _, m := range ms {
		s += string([]byte{m.bt})
	}
	for _, m := range ms {
		s += m.info
	}
	return s
}

// nrClassWMT is ClassWithMembersAndTypes (2.3.2.1): type 5, ClassInfo,
// MemberTypeInfo, LibraryId; the member values follow.
func nrClassWMT(id int32, name string, lib int32, ms []nrMember, values ...string) string {
	return "\x05" + nrClassInfo(id, name, ms) + nrTypes(ms) + nrI32(lib) + strings.Join(values, "")
}

// nrSysClassWMT is SystemClassWithMembersAndTypes (2.3.2.3): type 4,
// ClassInfo, MemberTypeInfo.
func nrSysClassWMT(id int32, name string, ms []nrMember, values ...string) string {
	return "\x04" + nrClassInfo(id, name, ms) + nrTypes(ms) + strings.Join(values, "")
}

// nrStr is BinaryObjectString (2.5.7): type 6, ObjectId, Value.
func nrStr(id int32, v string) string { return "\x06" + nrI32(id) + nrLPS(v) }

// nrRef is MemberReference (2.5.3): type 9, IdRef.
func nrRef(id int32) string { return "\x09" + nrI32(id) }

const (
	nrNull    = "\x0a" // ObjectNull (2.5.4)
	nrEnd     = "\x0b" // MessageEnd (2.6.3)
	nrLibName = "Shop, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null"
)

var (
	nrUserMembers = []nrMember{nrStrM("<Name>k__BackingField"), nrPrim("<Age>k__BackingField", 8), nrClassM("Home", "Shop.Models.Address", 2)}
	nrAddrMembers = []nrMember{nrStrM("City"), nrPrim("Zip", 8)}
	// A user with a reference to an address that follows it.
	nrUserStream = nrHead(1, -1) + nrLib(2, nrLibName) +
		nrClassWMT(1, "Shop.Models.User", 2, nrUserMembers, nrStr(3, "ada"), nrI32(36), nrRef(4)) +
		nrClassWMT(4, "Shop.Models.Address", 2, nrAddrMembers, nrStr(5, "Springfield"), nrI32(62704)) + nrEnd
)

func TestDotNet_HandBuilt(t *testing.T) {
	listMembers := []nrMember{nrStrArrM("_items"), nrPrim("_size", 8), nrPrim("_version", 8)}
	tests := []struct {
		name, value string
		classes     []string
	}{
		{"class with members and types, forward reference", nrUserStream, []string{"Shop.Models.User", "Shop.Models.Address"}},
		{"ClassWithId reuses metadata (2.3.2.5)", nrHead(1, -1) + nrLib(2, nrLibName) +
			"\x10" + nrI32(1) + nrI32(2) + // ArraySingleObject (2.4.3.2): ObjectId, Length
			nrClassWMT(3, "Shop.Models.Address", 2, nrAddrMembers, nrStr(4, "A"), nrI32(1)) +
			"\x01" + nrI32(5) + nrI32(3) + nrStr(6, "B") + nrI32(2) + nrEnd, // ClassWithId: ObjectId, MetadataId
			[]string{"Shop.Models.Address"}},
		{"system class, string array with nulls (2.4.3.4, 2.5.5)", nrHead(1, -1) +
			nrSysClassWMT(1, "System.Collections.Generic.List`1[[System.String, mscorlib, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089]]",
				listMembers, nrRef(2), nrI32(2), nrI32(2)) +
			"\x11" + nrI32(2) + nrI32(6) + nrStr(3, "a") + "\x0d\x03" + nrRef(3) + "\x0e" + nrI32(1) + nrEnd,
			[]string{"System.Collections.Generic.List`1[[System.String, mscorlib, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089]]"}},
		{"primitive array (2.4.3.3)", nrHead(1, -1) + "\x0f" + nrI32(1) + nrI32(5) + "\x02" + "hello" + nrEnd, nil},
		{"object array of boxed values (2.5.1 MemberPrimitiveTyped)", nrHead(1, -1) + "\x10" + nrI32(1) + nrI32(4) +
			"\x08\x08" + nrI32(5) + "\x08\x01\x01" + "\x08\x06" + strings.Repeat("\x00", 8) + nrNull + nrEnd, nil},
		{"rectangular and offset binary arrays (2.4.3.1)", nrHead(1, -1) + "\x10" + nrI32(1) + nrI32(2) + nrRef(2) + nrRef(3) +
			"\x07" + nrI32(2) + "\x02" + nrI32(2) + nrI32(2) + nrI32(3) + "\x00\x08" + strings.Repeat(nrI32(7), 6) +
			"\x07" + nrI32(3) + "\x03" + nrI32(1) + nrI32(2) + nrI32(10) + "\x01" + nrStr(4, "x") + nrNull + nrEnd, nil},
		{"untyped system class (2.3.2.4)", nrHead(1, -1) +
			"\x02" + nrClassInfo(1, "System.Version", []nrMember{{"_Major", 0, ""}, {"_Minor", 0, ""}}) +
			"\x08\x08" + nrI32(4) + "\x08\x08" + nrI32(8) + nrEnd, []string{"System.Version"}},
		{"untyped class with library (2.3.2.2)", nrHead(1, -1) + nrLib(3, nrLibName) +
			"\x03" + nrClassInfo(1, "Shop.Models.Flag", []nrMember{{"On", 0, ""}}) + nrI32(3) + "\x08\x01\x01" + nrEnd,
			[]string{"Shop.Models.Flag"}},
		{"system class member type (SystemClass additional info)", nrHead(1, -1) + nrLib(2, nrLibName) +
			nrClassWMT(1, "Shop.Models.Event", 2, []nrMember{nrSysM("At", "System.DateTimeOffset"), nrObjM("Tag")},
				nrSysClassWMT(3, "System.DateTimeOffset", []nrMember{nrPrim("m_dateTime", 13), nrPrim("m_offsetMinutes", 7)},
					strings.Repeat("\x00", 8), "\x3c\x00"), nrNull) + nrEnd,
			[]string{"Shop.Models.Event", "System.DateTimeOffset"}},
		{"remoting method call (2.2.3.1)", nrHead(0, 0) +
			"\x15" + nrI32(0x12) + "\x12" + nrLPS("GetCart") + "\x12" + nrLPS("Shop.Services.ICartService, Shop, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null") +
			nrI32(2) + "\x08" + nrI32(7) + "\x12" + nrLPS("EUR") + nrEnd,
			[]string{"Shop.Services.ICartService"}},
		{"remoting method return (2.2.3.3)", nrHead(0, 0) + "\x16" + nrI32(0x810) + "\x01\x01" + nrEnd, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i, v := range []string{tt.value, b64(tt.value)} {
				if i > 0 && strings.HasPrefix(tt.name, "remoting") {
					continue // RootId 0: remoting messages travel as raw HTTP bodies
				}
				m := only(t, v)
				if m.Format != DotNetBinaryFormatter || !m.Strong {
					t.Fatalf("got %+v", m)
				}
				if !slices.Equal(m.Classes, tt.classes) && len(m.Classes)+len(tt.classes) > 0 {
					t.Errorf("classes %q, want %q", m.Classes, tt.classes)
				}
			}
		})
	}
	m := only(t, b64(nrUserStream))
	if m.Encoding != EncBase64 || !strings.Contains(m.Detail, nrLibName) {
		t.Errorf("got %+v", m)
	}
	if !strings.HasPrefix(b64(nrUserStream), "AAEAAAD/////AQAAAAAAAAA") {
		t.Error("the canonical header does not encode as AAEAAAD/////AQAAAAAAAAA")
	}
}

// After BinaryFormatter's canonical header (RootId 1, HeaderId -1,
// version 1.0) a stream that does not read is still BinaryFormatter's, but
// weak; without that header, it is not reported.
func TestDotNet_InconsistentStreams(t *testing.T) {
	head := nrHead(1, -1)
	body := nrUserStream[len(head):]
	weak := map[string]string{
		"reference to a missing object": head + nrLib(2, nrLibName) +
			nrClassWMT(1, "Shop.Models.User", 2, nrUserMembers, nrStr(3, "ada"), nrI32(36), nrRef(9)) + nrEnd,
		"library not declared first": head + nrClassWMT(1, "Shop.Models.User", 2, nrUserMembers, nrStr(3, "ada"), nrI32(36), nrNull) + nrEnd,
		"unknown record type":        head + "\x42" + body,
		"boolean out of range":       head + "\x0f" + nrI32(1) + nrI32(1) + "\x01\x02" + nrEnd,
		"null run past the array":    head + "\x10" + nrI32(1) + nrI32(2) + "\x0d\x05" + nrEnd,
		"cut":                        nrUserStream[:len(nrUserStream)-12],
		"no MessageEnd":              nrUserStream[:len(nrUserStream)-1],
		"trailing bytes":             nrUserStream + "\x00\x01\x02",
		"header only":                head,
		"root never written":         head + nrStr(7, "x") + nrEnd,
	}
	for name, v := range weak {
		t.Run(name, func(t *testing.T) {
			m := only(t, v)
			if m.Format != DotNetBinaryFormatter || m.Strong {
				t.Fatalf("got %+v", m)
			}
		})
	}
	for name, v := range map[string]string{
		"version 2.0":                     "\x00" + nrI32(1) + nrI32(-1) + nrI32(2) + nrI32(0) + body,
		"remoting header, garbage":        nrHead(0, 0) + "\x42\x13\x37" + strings.Repeat("\xa5", 20),
		"remoting header, bad flags":      nrHead(0, 0) + "\x15" + nrI32(0x4000) + "\x12" + nrLPS("M") + nrEnd,
		"remoting header, class name NUL": nrHead(0, 0) + nrSysClassWMT(1, "Bad\x00Name", nil) + nrEnd,
		"length prefix over five bytes":   nrHead(0, 0) + "\x06" + nrI32(1) + "\xff\xff\xff\xff\x7f" + nrEnd,
		"zeros":                           strings.Repeat("\x00", 40),
		"negative root":                   nrHead(-5, -1) + body,
	} {
		t.Run(name, func(t *testing.T) {
			none(t, v)
			none(t, b64(v))
		})
	}
}

func TestDotNet_LimitsHold(t *testing.T) {
	// Deep nesting: object arrays inside object arrays.
	v := nrHead(1, -1) + strings.Repeat("\x10"+nrI32(1)+nrI32(1), 500) + nrNull + nrEnd
	m := only(t, v)
	if m.Strong || !strings.Contains(m.Detail, "limit") {
		t.Fatalf("got %+v", m)
	}
	// Huge declared counts end the walk without looping.
	only(t, nrHead(1, -1)+"\x10"+nrI32(1)+nrI32(1<<30)+"\x0e"+nrI32(1<<30-1)+nrNull+nrEnd)
	only(t, nrHead(1, -1)+"\x07"+nrI32(1)+"\x02"+nrI32(3)+nrI32(1<<15)+nrI32(1<<15)+nrI32(1<<15)+"\x02"+nrEnd)
}
