package discover

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// largeRefSpec builds an OpenAPI 3.0 document of about size bytes whose
// operations each reference params parameters of components/parameters:
// the shape that multiplied memory in the library (every $ref resolved
// into its own copy of the node tree).
func largeRefSpec(size, params int) []byte {
	var b strings.Builder
	b.WriteString(`{"openapi":"3.0.0","info":{"title":"t","version":"1"},"components":{"parameters":{`)
	for i := 0; i < params; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"P%d":{"name":"p%d","in":"query","required":true,"schema":{"type":"string","example":"x"}}`, i, i)
	}
	b.WriteString(`}},"paths":{`)
	for i := 0; b.Len() < size; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"/op%d":{"get":{"parameters":[`, i)
		for j := 0; j < params; j++ {
			if j > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"$ref":"#/components/parameters/P%d"}`, j)
		}
		b.WriteString(`],"responses":{"200":{"description":"ok"}}}}`)
	}
	b.WriteString(`}}`)
	return []byte(b.String())
}

// BenchmarkParseSpec_LargeRefParams parses an 8 MB spec of operations with
// 40 $ref parameters each; run with -benchmem. peak-heap-MiB is the largest
// heap seen while parsing (the library on the whole document: 3.4 GB).
func BenchmarkParseSpec_LargeRefParams(b *testing.B) {
	data := largeRefSpec(8<<20, 40)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var peak uint64
	for b.Loop() {
		peak = max(peak, peakHeap(func() {
			if _, err := ParseSpec(context.Background(), data); err != nil {
				b.Fatal(err)
			}
		}))
	}
	b.ReportMetric(float64(peak>>20), "peak-heap-MiB")
}
