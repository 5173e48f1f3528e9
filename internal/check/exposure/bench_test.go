package exposure

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/parapet-scanner/parapet/internal/engine"
	"github.com/parapet-scanner/parapet/internal/finding"
)

// benchJSON is a 200 KiB API answer: a product catalogue with ids,
// timestamps, prices, prose, URLs and nested objects, pretty-printed.
func benchJSON(tb testing.TB) []byte {
	tb.Helper()
	type variant struct {
		SKU   string  `json:"sku"`
		Color string  `json:"color"`
		Stock int     `json:"stock"`
		Price float64 `json:"price"`
	}
	type item struct {
		ID          int64     `json:"id"`
		UUID        string    `json:"uuid"`
		Title       string    `json:"title"`
		Description string    `json:"description"`
		URL         string    `json:"url"`
		CreatedAt   string    `json:"created_at"`
		UpdatedMS   int64     `json:"updated_ms"`
		Tags        []string  `json:"tags"`
		Rating      float64   `json:"rating"`
		Active      bool      `json:"active"`
		Variants    []variant `json:"variants"`
	}
	var items []item
	var out []byte
	for i := 0; len(out) < 200<<10; i++ {
		if i > 0 && i%256 == 0 {
			out, _ = json.MarshalIndent(map[string]any{"items": items, "page": 1, "support": "support@shop.test"}, "", "  ")
			if len(out) >= 200<<10 {
				break
			}
		}
		items = append(items, item{
			ID: 1700000000000 + int64(i)*7919, UUID: fmt.Sprintf("%08x-4b1c-4f3a-9d2e-%012x", i*2654435761, i*40503),
			Title:       fmt.Sprintf("Stoneware mug no. %d", i),
			Description: "A heavy stoneware mug, glazed inside and out; holds 350 ml at most, dishwasher safe. Ships in 2-3 days at no extra cost.",
			URL:         fmt.Sprintf("https://cdn.shop.test/img/mug-%d@2x.png", i), CreatedAt: "2023-11-14T10:02:11.482+00:00",
			UpdatedMS: 1700000000123 + int64(i), Tags: []string{"kitchen", "stoneware", "gift"}, Rating: 4.5, Active: i%3 != 0,
			Variants: []variant{{fmt.Sprintf("MUG-%05d-BL", i), "blue", i % 17, 12.5}, {fmt.Sprintf("MUG-%05d-RD", i), "red", i % 11, 12.5}},
		})
	}
	return out[:200<<10]
}

// benchDjango500 is a Django technical 500 page of realistic size (~60 KiB):
// the recorded page with more frames and settings rows.
func benchDjango500(tb testing.TB) []byte {
	tb.Helper()
	page := readTestdata(tb, "django-500.html")
	frame := `
        <li class="frame django">
            <code class="fname">/usr/lib/python3/dist-packages/django/core/handlers/base.py</code>, line 181, in _get_response
            <div class="context" id="c140164313162112">
              <ol start="181" class="context-line">
                <li onclick="toggle('pre140164313162112', 'post140164313162112')"><pre>                response = wrapped_callback(request, *callback_args, **callback_kwargs)</pre> <span>…</span></li>
              </ol>
            </div>
            <table class="vars" id="v140164313162112"><tbody>
              <tr><td>request</td><td class="code"><pre>&lt;WSGIRequest: GET &#x27;/api/items/abc&#x27;&gt;</pre></td></tr>
              <tr><td>callback_kwargs</td><td class="code"><pre>{&#x27;item_id&#x27;: &#x27;abc&#x27;}</pre></td></tr>
            </tbody></table>
        </li>`
	var b strings.Builder
	i := strings.Index(page, "    </ul>")
	b.WriteString(page[:i])
	for b.Len() < 60<<10 {
		b.WriteString(frame)
	}
	b.WriteString(page[i:])
	return []byte(b.String())
}

// BenchmarkInspect measures the passive check on one new exchange (no cached
// anchor pass), and the pair the scan runs on every exchange: DetectStack
// then Inspect.
func BenchmarkInspect(b *testing.B) {
	cases := []struct {
		name, ct string
		status   int
		body     []byte
	}{
		{"json-200KiB", "application/json", 200, benchJSON(b)},
		{"django-500", "text/html; charset=utf-8", 500, benchDjango500(b)},
	}
	for _, c := range cases {
		for _, withStack := range []bool{false, true} {
			name := c.name
			if withStack {
				name += "/with-DetectStack"
			}
			b.Run(name, func(b *testing.B) {
				proto := makeExchange(b, exchangeOpts{status: c.status, ct: c.ct, path: "/api/items/abc"})
				proto.Body = c.body
				tgt := testTarget(b)
				chk := New()
				n := 0
				emit := func(finding.Finding) { n++ }
				b.SetBytes(int64(len(c.body)))
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					ex := new(engine.Exchange)
					*ex = *proto
					if withStack {
						chk.DetectStack(ex)
					}
					chk.Inspect(tgt, ex, emit)
				}
				b.StopTimer()
				if c.name == "django-500" && n == 0 {
					b.Fatal("no finding on the Django page")
				}
				if c.name == "json-200KiB" && n != 0 {
					b.Fatalf("%d findings on an ordinary JSON body", n/b.N)
				}
			})
		}
	}
}

func BenchmarkDetectStack(b *testing.B) {
	proto := makeExchange(b, exchangeOpts{ct: "application/json"})
	proto.Body = benchJSON(b)
	b.SetBytes(int64(len(proto.Body)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ex := new(engine.Exchange)
		*ex = *proto
		DetectStack(ex)
	}
}

// BenchmarkInspect_Adversarial runs the check on 2 MiB bodies made of one
// trigger repeated: the cost must stay linear in the body size.
func BenchmarkInspect_Adversarial(b *testing.B) {
	units := map[string]string{
		"aws-ids":     "AKIA" + "ABCDEFGHIJKLMNOP ",
		"at-frames":   "    at x (/a/b.js:1:2)\n\tat a.B.c(D.java:1)\n",
		"emails":      "a.b@c-d.ef ",
		"card-digits": "4111 1111 1111 1111 ",
		"php-lines":   "<b>Warning</b>:  x in <b>/a.php</b> on line <b>1</b> ",
		"json-secret": `"password":"a1b2c3d4", `,
		"anchors":     "DEBUG = True Traceback (most recent call last) , line Stack trace: ORA- SQLSTATE Mongo ",
		"at-signs":    "@@@@@@@@",
	}
	for name, unit := range units {
		body := []byte(strings.Repeat(unit, (2<<20)/len(unit)))
		b.Run(name, func(b *testing.B) {
			proto := makeExchange(b, exchangeOpts{status: 500, ct: "application/json"})
			proto.Body = body
			tgt := testTarget(b)
			chk := New()
			b.SetBytes(int64(len(body)))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				ex := new(engine.Exchange)
				*ex = *proto
				chk.Inspect(tgt, ex, func(finding.Finding) {})
			}
		})
	}
}
