package fingerprint

import (
	"net/http"
	"strings"
	"testing"

	"github.com/parapet-scanner/parapet/internal/engine"
)

func BenchmarkDetect(b *testing.B) {
	bodies := map[string][]byte{
		"small-json": []byte(`{"items":[{"id":1,"name":"Mug"}],"total":1}`),
		"large-json": []byte(`{"items":[` + strings.Repeat(`{"id":1,"name":"Enamel mug","category":"kitchen","price":12.5},`, 4000) + `{}]}`),
	}
	for name, body := range bodies {
		ex := &engine.Exchange{Status: 200, Header: http.Header{"Server": {"nginx/1.25.3"}, "Content-Type": {"application/json"}}, Body: body}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				Detect(ex)
			}
		})
	}
}
