package evidence

import (
	"net/http"
	"strings"
	"testing"

	"github.com/parapet-scanner/parapet/internal/engine"
	"github.com/parapet-scanner/parapet/internal/mask"
)

func TestResponse_ExcerptStartsNearFocus(t *testing.T) {
	body := strings.Repeat("<script>noise();</script>\n", 200) + "line a\nline b\nValidationException: bad key\nafter\n"
	ex := &engine.Exchange{Method: "GET", URL: "http://127.0.0.1/x", Status: 500, Header: http.Header{}, Body: []byte(body)}
	got := Response(ex, &mask.Masker{}, "ValidationException")
	_, excerpt, _ := strings.Cut(got, "\n\n")
	if !strings.HasPrefix(strings.TrimPrefix(excerpt, "…"), "line a\n") {
		t.Fatalf("excerpt should start two lines above the focus, got %q", excerpt[:40])
	}
}

func TestRequest_MasksCredentials(t *testing.T) {
	ex := &engine.Exchange{Method: "GET", URL: "http://127.0.0.1/x?api_key=abcdef123&q=1",
		RequestHeader: http.Header{"Authorization": {"Bearer supersecret"}, "Cookie": {"sessionid=s3cr3tvalue"}}}
	m := &mask.Masker{}
	for _, out := range []string{Request(ex, m), Curl(ex, m)} {
		for _, bad := range []string{"supersecret", "s3cr3tvalue", "abcdef123"} {
			if strings.Contains(out, bad) {
				t.Errorf("%q shows %q", out, bad)
			}
		}
	}
}

func TestCurl_QuotesHostileValues(t *testing.T) {
	ex := &engine.Exchange{Method: "GET", URL: "http://127.0.0.1/x", RequestHeader: http.Header{"X-Probe": {"a'; rm -rf / #"}}}
	got := Curl(ex, &mask.Masker{})
	if !strings.Contains(got, `'X-Probe: a'\''; rm -rf / #'`) {
		t.Fatalf("header not shell-quoted: %s", got)
	}
}

func TestResponse_SecretAcrossTheCutIsMasked(t *testing.T) {
	m := &mask.Masker{}
	secret := "AbCdEf0123456789XyZsecretPART"
	m.AddSecret(secret)
	for pad := ExcerptBytes - 40; pad < ExcerptBytes+5; pad++ {
		body := strings.Repeat("x", pad) + "seen credential " + secret + " tail"
		ex := &engine.Exchange{Method: "GET", URL: "http://127.0.0.1/", Status: 200, Header: http.Header{}, Body: []byte(body)}
		got := Response(ex, m, "")
		for n := 6; n <= len(secret); n++ {
			if strings.Contains(got, secret[:n]) {
				t.Fatalf("pad %d: %d characters of the secret leak across the cut", pad, n)
			}
		}
	}
}

func TestResponse_HugeHeadersAreBounded(t *testing.T) {
	h := http.Header{}
	for i := 0; i < 100; i++ {
		h.Set("X-H"+strings.Repeat("a", i%7)+string(rune('a'+i%26))+string(rune('a'+i/26)), strings.Repeat("v", 2500))
	}
	ex := &engine.Exchange{Method: "GET", URL: "http://127.0.0.1/", Status: 200, Header: h}
	if got := Response(ex, &mask.Masker{}, ""); len(got) > headerBlockBytes+200 {
		t.Fatalf("evidence with huge headers is %d bytes", len(got))
	}
}
