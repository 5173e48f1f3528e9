package sniff

import (
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
