package sniff

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestPickleReferenceOffset(t *testing.T) {
	proto4, _ := base64.RawURLEncoding.DecodeString("gASVWAAAAAAAAACMEGRlbW9fc2hvcC5tb2RlbHOUjAdQcm9maWxllJOUKYGUfZQojAR1c2VylIwFYWxpY2WUjARyb2xllIwIY3VzdG9tZXKUjARjYXJ0lF2UKEtlS81ldWIu")
	for _, tc := range []struct {
		name string
		data string
		want int
		ok   bool
	}{
		// PROTO, FRAME, two strings with MEMOIZE, then STACK_GLOBAL.
		{"protocol 4 object", string(proto4), 2 + 9 + 2 + 16 + 1 + 2 + 7 + 1, true},
		{"protocol 0 GLOBAL first", "cos\nsystem\n(S'ls'\ntR.", 0, true},
		{"protocol 2 dict then INST", "\x80\x02}q\x00(X\x01\x00\x00\x00aq\x01(i__main__\nC\nq\x02u.", 15, true},
		{"plain data then trailing bytes", "\x80\x04K\x05.cos\nsystem\n", 5, true},
		{"inconsistent stream", "\x80\x02)u.", 0, false},
		// A memo index past the walker's limit stops the walk: only the
		// bytes before the LONG_BINPUT are known to be plain values.
		{"memo limit before a reference", "\x80\x04Nr\x00\x00\x02\x00\x8c\x02os\x8c\x06system\x93\x8c\x02id\x85R" + strings.Repeat("N0", 40) + "N.", 3, true},
		{"plain data only", "\x80\x04K\x05.", 5, true},
		{"persistent id", "\x80\x02Pk1\n.", 2, true},
		{"not a pickle", "hello world", 0, false},
		{"bad protocol", "\x80\x09cos\nsystem\n.", 0, false},
	} {
		got, ok := PickleReferenceOffset(tc.data)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: PickleReferenceOffset = %d, %v; want %d, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

// TestPickleReferenceOffset_TruncatedInsideAnOpcode guards the end of a
// truncated stream: the safe prefix stops before the opcode the input ends
// in, whose argument the walker could not check.
func TestPickleReferenceOffset_TruncatedInsideAnOpcode(t *testing.T) {
	for _, tc := range []struct {
		data string
		want int
	}{
		{"\x80\x04K\x05K\x06", 6},                     // ends between opcodes
		{"\x80\x04K\x05X\x10\x00\x00\x00abc", 4},      // inside a BINUNICODE
		{"\x80\x04K\x05\x95\x00\x00", 4},              // inside a FRAME length
		{"\x80\x04K\x05\x8c\x02os\x8c\x06sys", 4 + 4}, // inside the second string
	} {
		if got, ok := PickleReferenceOffset(tc.data); !ok || got != tc.want {
			t.Errorf("%q: %d, %v; want %d", tc.data, got, ok, tc.want)
		}
	}
}
