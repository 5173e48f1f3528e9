// Package mask hides secrets and personal data in evidence before it is
// stored or shown: credential headers and cookies, tokens and keys, card
// numbers and SSNs (which keep their last four digits), and any literal
// secret the user handed to the scan.
package mask

import (
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// Placeholder replaces a hidden value.
const Placeholder = "****"

// sensitiveHeaders carry credentials; their values are always masked.
var sensitiveHeaders = map[string]bool{
	"authorization": true, "proxy-authorization": true, "cookie": true, "set-cookie": true,
	"x-api-key": true, "api-key": true, "x-auth-token": true, "x-access-token": true,
	"x-csrf-token": true, "x-xsrf-token": true, "x-amz-security-token": true,
}

// IsSensitiveHeader reports whether a header carries credentials by its name.
func IsSensitiveHeader(name string) bool {
	n := strings.ReplaceAll(strings.ToLower(name), "_", "-")
	if sensitiveHeaders[n] {
		return true
	}
	for _, w := range []string{"token", "secret", "api-key", "apikey", "password", "session"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// Masker masks text. The zero value masks the built-in patterns; AddSecret
// adds literal values. Safe for concurrent use.
type Masker struct {
	mu      sync.RWMutex
	secrets []string
}

// AddSecret registers a literal value (a token, password, cookie value) that
// must never appear in output. Values shorter than 4 bytes are ignored: they
// would mask ordinary text.
func (m *Masker) AddSecret(v string) {
	v = strings.TrimSpace(v)
	if len(v) < 4 {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.secrets = append(m.secrets, v)
	sort.Slice(m.secrets, func(i, j int) bool { return len(m.secrets[i]) > len(m.secrets[j]) })
}

var (
	bearerRe      = regexp.MustCompile(`(?i)\b(bearer|basic|token)\s+[A-Za-z0-9\-._~+/=]{8,}`)
	jwtRe         = regexp.MustCompile(`\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*`)
	awsKeyRe      = regexp.MustCompile(`\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b`)
	kvRe          = regexp.MustCompile(`(?i)((?:[a-z0-9_-]*(?:password|passwd|secret|api[_-]?key|access[_-]?token|refresh[_-]?token|auth[_-]?token|private[_-]?key)[a-z0-9_-]*)["']?\s*[:=]\s*["']?)([^"'\s,;&}<]{4,})`)
	tokenRe       = regexp.MustCompile(`\b(sk_live_|rk_live_|sk_test_|rk_test_|ghp_|gho_|ghs_|ghu_|ghr_|github_pat_|xox[abposr]-|AIza|django-insecure-)[A-Za-z0-9_\-]{8,}`)
	slackHookRe   = regexp.MustCompile(`(https://hooks\.slack\.com/services/)[A-Za-z0-9/_-]+`)
	urlPassRe     = regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s"']+:)([^@\s/"']+)@`)
	privKeyRe     = regexp.MustCompile(`-----BEGIN ([A-Z ]*)PRIVATE KEY( BLOCK)?-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY( BLOCK)?-----|$)`)
	cardRe        = regexp.MustCompile(`\b(?:\d[ -]?){12,18}\d\b`)
	ssnRe         = regexp.MustCompile(`\b\d{3}-\d{2}-(\d{4})\b`)
	emailRe       = regexp.MustCompile(`\b([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})\b`)
	tokenPrefixes = []string{"sk_", "rk_", "gh", "github_pat_", "xox", "AIza", "django-insecure-"}
)

// Text masks secrets and personal data in free text. Each pattern is tried
// only when a cheap byte test says it could match.
func (m *Masker) Text(s string) string {
	if s == "" {
		return s
	}
	if m != nil {
		m.mu.RLock()
		for _, sec := range m.secrets {
			s = strings.ReplaceAll(s, sec, Placeholder)
		}
		m.mu.RUnlock()
	}
	if strings.Contains(s, "PRIVATE KEY") {
		s = privKeyRe.ReplaceAllString(s, "-----BEGIN ${1}PRIVATE KEY${2}-----"+Placeholder+"-----END ${1}PRIVATE KEY${2}-----")
	}
	if strings.Contains(s, "eyJ") {
		s = jwtRe.ReplaceAllStringFunc(s, func(t string) string { return t[:min(len(t), 10)] + Placeholder })
	}
	lower := strings.ToLower(s)
	if strings.Contains(lower, "bearer") || strings.Contains(lower, "basic") || strings.Contains(lower, "token") {
		s = bearerRe.ReplaceAllString(s, "${1} "+Placeholder)
	}
	for _, p := range tokenPrefixes {
		if strings.Contains(s, p) {
			s = tokenRe.ReplaceAllString(s, "${1}"+Placeholder)
			break
		}
	}
	if strings.Contains(s, "hooks.slack.com") {
		s = slackHookRe.ReplaceAllString(s, "${1}"+Placeholder)
	}
	if strings.Contains(s, "://") && strings.Contains(s, "@") {
		s = urlPassRe.ReplaceAllString(s, "${1}"+Placeholder+"@")
	}
	if strings.Contains(s, "A") {
		s = awsKeyRe.ReplaceAllStringFunc(s, func(k string) string { return k[:4] + Placeholder + k[len(k)-4:] })
	}
	if strings.ContainsAny(lower, "pskt") && strings.ContainsAny(s, ":=") {
		s = kvRe.ReplaceAllString(s, "${1}"+Placeholder)
	}
	if strings.ContainsAny(s, "0123456789") {
		s = cardRe.ReplaceAllStringFunc(s, maskCard)
		s = ssnRe.ReplaceAllString(s, "***-**-${1}")
	}
	if strings.Contains(s, "@") {
		s = emailRe.ReplaceAllString(s, "${1}***@${2}")
	}
	return s
}

// maskCard keeps the last four digits of a Luhn-valid card number.
func maskCard(s string) string {
	digits := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			digits = append(digits, s[i])
		}
	}
	if len(digits) < 13 || len(digits) > 19 || !Luhn(string(digits)) {
		return s
	}
	return strings.Repeat("*", len(digits)-4) + string(digits[len(digits)-4:])
}

// Luhn reports whether a string of digits passes the Luhn checksum.
func Luhn(digits string) bool {
	sum, double := 0, false
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if d < 0 || d > 9 {
			return false
		}
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return len(digits) > 0 && sum%10 == 0
}

// Header masks one header value: credential headers lose their value (the
// cookie and Set-Cookie names stay visible), others go through Text.
func (m *Masker) Header(name, value string) string {
	switch strings.ToLower(name) {
	case "cookie":
		parts := strings.Split(value, ";")
		for i, p := range parts {
			if k, _, ok := strings.Cut(p, "="); ok {
				parts[i] = k + "=" + Placeholder
			}
		}
		return strings.Join(parts, ";")
	case "set-cookie":
		k, rest, ok := strings.Cut(value, "=")
		if !ok {
			return Placeholder
		}
		_, attrs, _ := strings.Cut(rest, ";")
		if attrs != "" {
			return k + "=" + Placeholder + ";" + attrs
		}
		return k + "=" + Placeholder
	case "authorization", "proxy-authorization":
		if scheme, _, ok := strings.Cut(value, " "); ok {
			return scheme + " " + Placeholder
		}
		return Placeholder
	}
	if IsSensitiveHeader(name) {
		return Placeholder
	}
	return m.Text(value)
}

// Headers returns a masked copy of h.
func (m *Masker) Headers(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for k, vs := range h {
		for _, v := range vs {
			out[k] = append(out[k], m.Header(k, v))
		}
	}
	return out
}
