package sniff

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkSniff measures the common case: Sniff runs on every value of
// every response, and nearly all of them are benign. One op is one value of
// the negative corpus (ids, tokens, JWTs, hashes, cookies, text, JSON, ...),
// taken round-robin.
func BenchmarkSniff(b *testing.B) {
	values, _ := loadNegative(b)
	b.Run("benign", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			Sniff(values[i%len(values)])
		}
	})
	// Short header and cookie values with no encoded payload: the path that
	// must not allocate.
	var short []string
	for _, v := range values {
		if len(v) < 64 && !strings.ContainsAny(v, "{\"") {
			short = append(short, v)
		}
	}
	b.Run("benign-short", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			Sniff(short[i%len(short)])
		}
	})
	// A 64 KiB JSON body with no type indicators.
	body := `{"items": [` + strings.Repeat(`{"id": 12345, "name": "widget", "tags": ["a", "b"], "price": 9.99, "url": "https://example.com/p/12345"}, `, 600) + `{}]}`
	b.Run("json-body-64k", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			Sniff(body)
		}
	})
	var pos []string
	for _, s := range loadPositive(b) {
		v, err := os.ReadFile(filepath.Join("testdata/positive", s.File))
		if err != nil {
			b.Fatal(err)
		}
		pos = append(pos, string(v))
	}
	b.Run("positive", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			Sniff(pos[i%len(pos)])
		}
	})
}

// adversarialValues are 1 MiB values built to hit the slowest path of each
// walker (many tag candidates, keys, magics, marks, memo slots, nested
// containers). Each must stay linear: they are benchmarks, not timed tests.
func adversarialValues() map[string]string {
	rnd := make([]byte, 700<<10)
	for i := range rnd {
		rnd[i] = byte(i*7919 + i>>3)
	}
	n := MaxValueLen
	return map[string]string{
		"yaml-bangs":     strings.Repeat(" !!", n/3),
		"yaml-ruby-open": strings.Repeat("- !ruby/class '", n/15), // was quadratic: quote search ran to the end each time
		"json-pykeys":    strings.Repeat(`{"py/object": "a.b", `, n/22),
		"json-typekeys":  strings.Repeat(`,"$type":"`, n/10),
		"embedded-gA":    strings.Repeat(" gAJ", n/4),
		"embedded-java":  strings.Repeat(" rO0AB", n/6),
		"pickle-marks":   strings.Repeat("(", n),
		"pickle-lists":   "\x80\x04" + strings.Repeat("]", n-2),
		"pickle-memo":    "\x80\x04" + strings.Repeat("N\x94", n/2-1),
		"php-nesting":    strings.Repeat("a:1:{i:0;", n/9),
		"hex":            strings.Repeat("ac", n/2),
		"base64":         base64.StdEncoding.EncodeToString(rnd),
		"percent":        strings.Repeat("%41", n/3),
		"java-arrays":    jMagic + strings.Repeat("\x75\x72\x00\x13[Ljava.lang.Object;\x90\xce\x58\x9f\x10\x73\x29\x6c\x02\x00\x00\x78\x70\x00\x00\x00\x01", n/40),
		"segments":       strings.Repeat("A", n/2) + "." + strings.Repeat("B", n/2-2),
		"marshal-arrays": "\x04\x08" + strings.Repeat("[\x06", n/2-1),
		"marshal-ivars":  "\x04\x08o:\x06A" + string(appendRubyLong(nil, n/4-4)) + ":\x07@a0" + strings.Repeat(";\x06i\x06", n/4-5),
		"marshal-syms":   "\x04\x08[" + string(appendRubyLong(nil, n/3-3)) + strings.Repeat(":\x06a", n/3-3),
		"embedded-BAh":   strings.Repeat(" BAhvOgtPYmplY3QA", n/17),
		"nrbf-strings":   nrbfHead + strings.Repeat("\x06\x02\x00\x00\x00\x01a", n/7-3),
		"nrbf-refs":      nrbfHead + "\x10\x01\x00\x00\x00\xff\xff\x00\x00" + strings.Repeat("\x09\x01\x00\x00\x00", n/5-6),
		"nrbf-classid": nrbfHead + "\x0c\x02\x00\x00\x00\x01L" + "\x05\x03\x00\x00\x00\x01C\x00\x00\x00\x00\x02\x00\x00\x00" +
			"\x10\x01\x00\x00\x00\xff\xff\x00\x00" + strings.Repeat("\x01\x04\x00\x00\x00\x03\x00\x00\x00", n/9-5),
		"signed-dashes": strings.Repeat("BAhvOgtPYmplY3QA--", n/18),
	}
}

// nrbfHead is BinaryFormatter's canonical SerializationHeaderRecord.
const nrbfHead = "\x00\x01\x00\x00\x00\xff\xff\xff\xff\x01\x00\x00\x00\x00\x00\x00\x00"

func BenchmarkSniff_Adversarial(b *testing.B) {
	for name, v := range adversarialValues() {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(v)))
			for b.Loop() {
				Sniff(v)
			}
		})
	}
}
