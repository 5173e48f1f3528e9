package mask

import (
	"net/http"
	"strings"
	"testing"
)

func TestText_MasksSecretsAndPersonalData(t *testing.T) {
	tests := []struct {
		in      string
		mustNot []string
		keep    []string
	}{
		{`{"aws_access_key_id": "AKIAPARAPETLAB7Q2XZ3"}`, []string{"AKIAPARAPETLAB7Q2XZ3"}, []string{"AKIA", "XZ3"}},
		{`aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`, []string{"wJalrXUtnFEMI"}, nil},
		{`{"secret_key": "django-insecure-abc123def456ghi789"}`, []string{"abc123def456"}, []string{"secret_key"}},
		{`"password":"hunter2hunter2"`, []string{"hunter2"}, []string{"password"}},
		{`Authorization: Bearer abcdefghijklmnop`, []string{"abcdefghijklmnop"}, []string{"Bearer"}},
		{`token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U`, []string{"dozjgNryP4J3"}, nil},
		{`key: sk_live_4eC39HqLyjWDarjtT1zdp7dc`, []string{"4eC39HqLyjWDarjtT1zdp7dc"}, []string{"sk_live_"}},
		{`ghp_16C7e42F292c6912E7710c838347Ae178B4a`, []string{"16C7e42F292c"}, nil},
		{`https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX`, []string{"XXXXXXXXXXXXXXXX"}, nil},
		{`postgres://app:s3cretpass@db.internal:5432/app`, []string{"s3cretpass"}, []string{"postgres://app:"}},
		{"-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----", []string{"MIIEowIBAAKCAQEA"}, []string{"BEGIN RSA PRIVATE KEY"}},
		{`"card_number": "4111111111111111"`, []string{"4111111111111111"}, []string{"1111"}},
		{`card 4111 1111 1111 1111`, []string{"4111 1111 1111 1111"}, []string{"1111"}},
		{`"ssn": "123-45-6789"`, []string{"123-45-6789"}, []string{"6789"}},
		{`contact alice.smith@example.com`, []string{"alice.smith@"}, []string{"example.com"}},
		{`AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI`, []string{"SyDdI0hCZtE6vySjMm"}, nil},
	}
	m := &Masker{}
	for _, tc := range tests {
		got := m.Text(tc.in)
		for _, bad := range tc.mustNot {
			if strings.Contains(got, bad) {
				t.Errorf("Text(%q) = %q still shows %q", tc.in, got, bad)
			}
		}
		for _, k := range tc.keep {
			if !strings.Contains(got, k) {
				t.Errorf("Text(%q) = %q lost %q", tc.in, got, k)
			}
		}
	}
}

func TestText_LeavesOrdinaryTextAlone(t *testing.T) {
	m := &Masker{}
	for _, s := range []string{
		`{"id": 1234567890123, "total": 19.5}`, // a long id that is not Luhn-valid
		"Hello, world",
		`{"name":"Lamp","price":19.5,"created":"2026-12-03T12:00:00Z"}`,
		`{"sha": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}`,
	} {
		if got := m.Text(s); got != s {
			t.Errorf("Text(%q) = %q: ordinary text changed", s, got)
		}
	}
}

func TestAddSecret(t *testing.T) {
	m := &Masker{}
	m.AddSecret("abc") // too short: ignored
	m.AddSecret("my-long-token-value")
	if got := m.Text("x abc my-long-token-value y"); got != "x abc **** y" {
		t.Fatalf("got %q", got)
	}
}

func TestHeaders(t *testing.T) {
	m := &Masker{}
	h := m.Headers(http.Header{
		"Authorization": {"Bearer abc.def.ghi"},
		"Cookie":        {"sessionid=abc; csrftoken=def"},
		"Set-Cookie":    {"profile=gASV...; Path=/; HttpOnly"},
		"X-Api-Key":     {"k-123456"},
		"Api_key":       {"k-123456"},
		"Content-Type":  {"application/json"},
	})
	want := map[string]string{
		"Authorization": "Bearer ****",
		"Cookie":        "sessionid=****; csrftoken=****",
		"Set-Cookie":    "profile=****; Path=/; HttpOnly",
		"X-Api-Key":     "****",
		"Api_key":       "****",
		"Content-Type":  "application/json",
	}
	for k, v := range want {
		if h.Get(k) != v && h[k][0] != v {
			t.Errorf("%s: got %q, want %q", k, h[k], v)
		}
	}
}

func TestLuhn(t *testing.T) {
	for s, want := range map[string]bool{"4111111111111111": true, "4111111111111112": false, "79927398713": true, "": false, "12a4": false} {
		if Luhn(s) != want {
			t.Errorf("Luhn(%q) != %v", s, want)
		}
	}
}

func BenchmarkText_1KiBPlain(b *testing.B) {
	s := strings.Repeat(`{"name":"Lamp","price":19.5,"tags":["home","light"]}`, 20)
	m := &Masker{}
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		_ = m.Text(s)
	}
}
