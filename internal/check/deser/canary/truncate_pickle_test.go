package canary

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parapet-scanner/parapet/internal/sniff"
)

// pickleArg is the argument layout of each pickle opcode, as pickletools
// documents it: a fixed length, a length-prefixed string (1, 4 or 8 byte
// length), or one or two newline-terminated lines. It is independent of
// sniff's walker on purpose, so the test does not trust the code it checks.
var pickleArg = func() map[byte]int {
	const (
		line1 = -1 // one line
		line2 = -2 // two lines
		len1  = -3 // 1-byte length, then data
		len4  = -4 // 4-byte length, then data
		len8  = -5 // 8-byte length, then data
	)
	m := map[byte]int{}
	for _, op := range []byte("()0.12NQRbdelostu]}\x85\x86\x87\x88\x89\x8f\x90\x91\x93\x94\x97\x98") {
		m[op] = 0
	}
	for _, op := range []byte("IFLSVPgpa") {
		m[op] = line1
	}
	m['a'] = 0 // APPEND
	m['c'], m['i'] = line2, line2
	m['K'], m['h'], m['q'], m['\x82'], m['\x80'] = 1, 1, 1, 1, 1
	m['M'], m['\x83'] = 2, 2
	m['J'], m['j'], m['r'], m['\x84'] = 4, 4, 4, 4
	m['G'], m['\x95'] = 8, 8
	m['U'], m['C'], m['\x8c'], m['\x8a'] = len1, len1, len1, len1
	m['T'], m['B'], m['X'], m['\x8b'] = len4, len4, len4, len4
	m['\x8d'], m['\x8e'], m['\x96'] = len8, len8, len8
	m['\x81'], m['\x92'] = 0, 0 // NEWOBJ, NEWOBJ_EX
	return m
}()

// pickleCallingOps are the opcodes that import or call: GLOBAL,
// STACK_GLOBAL, REDUCE, BUILD, INST, OBJ, NEWOBJ, NEWOBJ_EX, EXT1/2/4, and
// PERSID/BINPERSID, which hand a value to the application.
const pickleCallingOps = "c\x93Rbio\x81\x92\x82\x83\x84PQ"

// pickleCallingOp disassembles data the way an unpickler reads it and
// returns the offset of the first calling opcode it would reach, -1 when
// the unpickler reaches none (it stops at STOP, an unknown opcode or the end
// of the input).
func pickleCallingOp(data []byte) int {
	for pos := 0; pos < len(data); {
		op := data[pos]
		if strings.IndexByte(pickleCallingOps, op) >= 0 {
			return pos
		}
		arg, known := pickleArg[op]
		if !known || op == '.' {
			return -1
		}
		pos++
		switch arg {
		case -1, -2:
			for range -arg {
				i := strings.IndexByte(string(data[pos:]), '\n')
				if i < 0 {
					return -1
				}
				pos += i + 1
			}
		case -3, -4, -5:
			w := map[int]int{-3: 1, -4: 4, -5: 8}[arg]
			if pos+w > len(data) {
				return -1
			}
			var n uint64
			switch w {
			case 1:
				n = uint64(data[pos])
			case 4:
				n = uint64(binary.LittleEndian.Uint32(data[pos:]))
			case 8:
				n = binary.LittleEndian.Uint64(data[pos:])
			}
			pos += w
			if n > uint64(len(data)-pos) {
				return -1
			}
			pos += int(n)
		default:
			pos += arg
		}
	}
	return -1
}

// pickleMemoLimitReproducer is the crafted stream of the safety review:
// a LONG_BINPUT past the walker's memo limit, then os.system('id') by
// STACK_GLOBAL + REDUCE, then padding so that two thirds of the stream
// reach past the REDUCE.
var pickleMemoLimitReproducer = []byte("\x80\x04Nr\x00\x00\x02\x00\x8c\x02os\x8c\x06system\x93\x8c\x02id\x85R" + strings.Repeat("N0", 40) + "N.")

// TestTruncate_MemoLimitPickleNeverCarriesItsCall guards the corrupted blob
// against a pickle that hits a walker limit before its first reference:
// the cut must end before the limit, never at two thirds of the stream.
func TestTruncate_MemoLimitPickleNeverCarriesItsCall(t *testing.T) {
	if pickleCallingOp(pickleMemoLimitReproducer) < 0 {
		t.Fatal("the reproducer must call something")
	}
	for _, align := range []int{0, 3} {
		cut, ok := Truncate(sniff.PythonPickle, pickleMemoLimitReproducer, align)
		if ok && pickleCallingOp(cut) >= 0 {
			t.Fatalf("align %d: cut %q reaches a calling opcode", align, cut)
		}
		if ok && strings.Contains(string(cut), "system") {
			t.Fatalf("align %d: cut %q carries the call's name", align, cut)
		}
	}
	// Stack and mark limits stop the walk the same way.
	for name, prefix := range map[string]string{
		"stack": strings.Repeat("N", 1<<16+1),
		"marks": strings.Repeat("(", 1<<16+1),
	} {
		p := []byte("\x80\x04" + prefix + "\x8c\x02os\x8c\x06system\x93\x8c\x02id\x85R.")
		if cut, ok := Truncate(sniff.PythonPickle, p, 3); ok && pickleCallingOp(cut) >= 0 {
			t.Fatalf("%s limit: the cut reaches a calling opcode at %d", name, pickleCallingOp(cut))
		}
	}
}

// TestTruncate_UnknownPickleOffsetSendsNothing guards the refusal: a
// stream the walker cannot follow yields no truncation at all.
func TestTruncate_UnknownPickleOffsetSendsNothing(t *testing.T) {
	for _, p := range []string{"\x80\x02)u.", "\x80\x09cos\nsystem\n.", "hello world"} {
		if cut, ok := Truncate(sniff.PythonPickle, []byte(p), 0); ok || cut != nil {
			t.Errorf("%q: Truncate = %q, %v; want nothing", p, cut, ok)
		}
	}
}

// TestTruncate_NoPickleCutReachesACall runs every pickle of the sniff
// corpus, our own canaries and the reproducer through Truncate and checks,
// with a disassembler independent of sniff, that no cut holds an opcode the
// unpickler would reach that imports or calls anything.
func TestTruncate_NoPickleCutReachesACall(t *testing.T) {
	var samples [][]byte
	files, _ := filepath.Glob("../../../sniff/testdata/positive/*")
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range sniff.Sniff(string(raw)) {
			if m.Format != sniff.PythonPickle || m.Start < 0 || m.End > len(raw) || m.Start >= m.End {
				continue
			}
			if _, data, err := ParseChain(m.Encoding, string(raw[m.Start:m.End])); err == nil {
				samples = append(samples, data)
			}
		}
	}
	if len(samples) < 10 {
		t.Fatalf("only %d pickle samples found in the corpus", len(samples))
	}
	for proto := 0; proto <= 5; proto++ {
		p, _ := Build(Pickle, NamesFor(testToken), Options{PickleProtocol: proto, Align: 3})
		samples = append(samples, p.Data)
	}
	samples = append(samples, pickleMemoLimitReproducer)
	calling := 0
	for _, s := range samples {
		if pickleCallingOp(s) >= 0 {
			calling++
		}
	}
	if calling < len(samples)/2 {
		t.Fatalf("the disassembler reaches a call in only %d of %d full samples", calling, len(samples))
	}
	for i, s := range samples {
		for _, align := range []int{0, 3} {
			cut, ok := Truncate(sniff.PythonPickle, s, align)
			if !ok {
				continue
			}
			if at := pickleCallingOp(cut); at >= 0 {
				t.Errorf("sample %d (align %d): cut of %d bytes reaches opcode %q at %d", i, align, len(cut), cut[at], at)
			}
		}
	}
}

// TestPickleCallingOp_FindsCallsInFullSamples checks the test's own
// disassembler: on the untruncated corpus it must reach the calls.
func TestPickleCallingOp_FindsCallsInFullSamples(t *testing.T) {
	for _, p := range []string{
		"\x80\x02]q\x00(K\x01}q\x01ecos\nsystem\nq\x02.",
		"\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00}\x94\x8c\x02os\x94\x8c\x06system\x94\x93.",
		string(pickleMemoLimitReproducer),
	} {
		if pickleCallingOp([]byte(p)) < 0 {
			t.Errorf("%q: no calling opcode found", p)
		}
	}
}
