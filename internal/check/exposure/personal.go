package exposure

import (
	"bytes"
	"regexp"
	"strings"

	"github.com/parapet-scanner/parapet/internal/mask"
)

// piiHits is the personal data seen in one response.
type piiHits struct {
	// emails are the distinct personal addresses (role accounts excluded).
	emails []string
	// cards are the distinct Luhn-valid card numbers (digits only).
	cards []string
	// testCards counts those that are well-known test numbers.
	testCards int
	// ssns are the distinct valid SSNs, as written.
	ssns []string
}

// Limits on what one response contributes.
const (
	maxPIIValues = 200
	// maxEmailCandidates bounds the '@' signs looked at in one body.
	maxEmailCandidates = 5000
)

var (
	aSSN1   = anchor("ssn")
	aSSN2   = anchor("SSN")
	aSSN3   = anchor("Ssn")
	aSocial = anchor("ocial")
	aSOCIAL = anchor("OCIAL")

	// An SSN with its key or label right before it: "ssn": "123-45-6789",
	// SSN: 123-45-6789, <ssn>123456789</ssn>, socialSecurityNumber …
	ssnRe = regexp.MustCompile(`(?i)(?:\bssn|ssn\b|_ssn|social[\s_-]?security(?:[\s_-]?(?:number|no|num|nr))?|soc_sec(?:_no)?)[a-z_]{0,12}["']?\s*(?:[:=]|>|\bis\b)\s*["']?(\d{3}-\d{2}-\d{4}|\d{3} \d{2} \d{4}|\d{9})\b`)
)

// detectPII finds card numbers, SSNs and email addresses in API responses:
// JSON, XML and plain-text bodies, not HTML pages or scripts.
func detectPII(p *page) piiHits {
	var out piiHits
	if p.spec || p.class == classHTML || p.class == classScript {
		return out
	}
	b := p.body
	out.cards, _ = findCards(b)
	if p.hits.any(aSSN1, aSSN2, aSSN3, aSocial, aSOCIAL) {
		seen := map[string]bool{}
		near := windows(b, []string{"ssn", "SSN", "Ssn", "ocial", "OCIAL"}, 32, 128)
		for _, m := range ssnRe.FindAllSubmatch(near, maxPIIValues) {
			v := string(m[1])
			if validSSN(v) && !seen[v] {
				seen[v] = true
				out.ssns = append(out.ssns, v)
			}
		}
	}
	if p.class == classJSON || p.class == classXML {
		out.emails = findEmails(b)
	}
	// Values the request carried are echoes, not leaks.
	out.cards = notReflected(p, out.cards)
	out.testCards = 0
	for _, c := range out.cards {
		if testCardNumbers[c] {
			out.testCards++
		}
	}
	out.ssns = notReflected(p, out.ssns)
	out.emails = notReflected(p, out.emails)
	return out
}

func notReflected(p *page, vs []string) []string {
	kept := vs[:0]
	for _, v := range vs {
		if !reflected(p.ex, v) {
			kept = append(kept, v)
		}
	}
	return kept
}

// validSSN applies the SSA's rules: area 000, 666 and 900–999, group 00 and
// serial 0000 are never issued; 078-05-1120 and 219-09-9999 are famous
// advertising numbers.
func validSSN(v string) bool {
	d := make([]byte, 0, 9)
	for i := 0; i < len(v); i++ {
		if isDigit(v[i]) {
			d = append(d, v[i])
		}
	}
	if len(d) != 9 {
		return false
	}
	s := string(d)
	area, group, serial := s[:3], s[3:5], s[5:]
	switch {
	case area == "000", area == "666", area[0] == '9', group == "00", serial == "0000":
		return false
	case s == "078051120", s == "219099999":
		return false
	}
	return true
}

// Card numbers.

// testCardNumbers are the numbers payment providers publish for testing.
var testCardNumbers = map[string]bool{
	"4111111111111111": true, "4242424242424242": true, "4012888888881881": true, "4222222222222": true,
	"5555555555554444": true, "5105105105105100": true, "5454545454545454": true, "2223003122003222": true,
	"378282246310005": true, "371449635398431": true, "378734493671000": true, "6011111111111117": true,
	"6011000990139424": true, "3530111333300000": true, "3566002020360505": true, "30569309025904": true,
	"38520000023237": true, "4000056655665556": true, "5200828282828210": true, "6200000000000005": true,
	"4000000000000002": true, "4000000000009995": true,
}

// cardKeyWords and idKeyWords classify the JSON member or label in front of a number.
var (
	cardKeyWords = []string{"card", "pan", "ccnum", "cc_num", "ccnumber", "cc_number", "creditcard", "credit_card", "cardnumber", "primary_account"}
	idKeyWords   = []string{"id", "uuid", "guid", "time", "stamp", "date", "created", "updated", "seq", "nonce", "hash",
		"phone", "tel", "mobile", "fax", "isbn", "ean", "gtin", "upc", "barcode", "tracking", "imei", "iccid",
		"serial", "order", "invoice", "count", "size", "bytes", "amount", "total", "price", "version", "snowflake",
		"account_id", "accountid", "ref", "reference", "token", "nanos", "millis", "epoch", "ts"}
)

// findCards finds Luhn-valid card numbers with a known issuer prefix and
// length, written as one group of digits behind a card-like member name or
// label, or grouped the way cards are printed (4-4-4-4, 4-6-5).
func findCards(b []byte) (cards []string, tests int) {
	seen := map[string]bool{}
	const minRun = 13
	// A run of at least 13 card characters covers one of every 13th byte;
	// only those bytes are looked at first.
	for p := minRun - 1; p < len(b); p += minRun {
		// A sample inside a card number is a digit, or a separator with a
		// digit after it; whitespace (indentation) is skipped at once.
		if c := b[p]; !isDigit(c) && ((c != ' ' && c != '-') || p+1 >= len(b) || !isDigit(b[p+1])) {
			continue
		}
		s, e := p, p
		for s > 0 && isCardChar(b[s-1]) {
			s--
		}
		for e < len(b) && isCardChar(b[e]) {
			e++
		}
		for _, c := range cardCandidates(b, s, e) {
			if !seen[c.digits] {
				seen[c.digits] = true
				cards = append(cards, c.digits)
				if testCardNumbers[c.digits] {
					tests++
				}
				if len(cards) >= maxPIIValues {
					return cards, tests
				}
			}
		}
		p = e // the next sample lies past this run
	}
	return cards, tests
}

func isCardChar(c byte) bool { return isDigit(c) || c == ' ' || c == '-' }

type cardCandidate struct {
	digits string
}

// cardCandidates splits the run b[s:e) of digits, spaces and dashes into
// numbers and keeps those that are cards.
func cardCandidates(b []byte, s, e int) []cardCandidate {
	var out []cardCandidate
	i := s
	for i < e {
		for i < e && !isDigit(b[i]) {
			i++
		}
		if i >= e {
			break
		}
		// Collect groups joined by one separator of the same kind.
		start := i
		var groupBuf [6]int
		groups := groupBuf[:0]
		var sep byte
		j, digits := i, 0
		for {
			k := j
			for k < e && isDigit(b[k]) {
				k++
			}
			groups = append(groups, k-j)
			digits += k - j
			if k+1 < e && (b[k] == ' ' || b[k] == '-') && isDigit(b[k+1]) && (sep == 0 || sep == b[k]) && len(groups) < cap(groups) {
				sep = b[k]
				j = k + 1
				continue
			}
			j = k
			break
		}
		end := j
		// No card number starts with 0, 1, 7, 8 or 9: timestamps and most
		// long ids stop here.
		if digits >= 13 && digits <= 19 && strings.IndexByte("23456", b[start]) >= 0 {
			if c, ok := cardAt(b, start, end, groups, sep); ok {
				out = append(out, c)
			}
		}
		i = end
	}
	return out
}

// cardAt judges the number b[start:end) made of the given digit groups.
func cardAt(b []byte, start, end int, groups []int, sep byte) (cardCandidate, bool) {
	// Bounded by something that is not part of a longer token.
	if start > 0 {
		if c := b[start-1]; isAlnum(c) || c == '.' || c == '_' || c == '/' || c == '+' || c == '#' || c == '$' || c == '\\' {
			return cardCandidate{}, false
		}
	}
	if end < len(b) {
		if c := b[end]; isAlnum(c) || c == '.' || c == '_' || c == '/' || c == '%' || c == '$' {
			return cardCandidate{}, false
		}
	}
	var buf [19]byte
	digits := buf[:0]
	for k := start; k < end && len(digits) < cap(buf); k++ {
		if isDigit(b[k]) {
			digits = append(digits, b[k])
		}
	}
	n := len(digits)
	if n < 13 || n > 19 {
		return cardCandidate{}, false
	}
	formatted := len(groups) > 1
	if formatted && !cardGrouping(groups) {
		return cardCandidate{}, false
	}
	d := string(digits)
	if !issuerLength(d) || !mask.Luhn(d) || strings.Count(d, d[:1]) == n {
		return cardCandidate{}, false
	}
	key := contextKey(b, start)
	switch {
	case keyHas(key, cardKeyWords):
	case key != "" && keyHas(key, idKeyWords):
		return cardCandidate{}, false
	case formatted && key == "" && labelBefore(b, start, "card"):
	case formatted && key != "":
		// "4111 1111 1111 1111" under a neutral name
	default:
		return cardCandidate{}, false
	}
	return cardCandidate{digits: d}, true
}

// cardGrouping accepts the ways card numbers are printed.
func cardGrouping(g []int) bool {
	switch len(g) {
	case 3:
		return g[0] == 4 && g[1] == 6 && (g[2] == 5 || g[2] == 4) // Amex, Diners
	case 4:
		return g[0] == 4 && g[1] == 4 && g[2] == 4 && g[3] == 4
	case 5:
		return g[0] == 4 && g[1] == 4 && g[2] == 4 && g[3] == 4 && g[4] <= 3
	}
	return false
}

// issuerLength reports whether d starts with a card issuer's prefix and has a
// length that issuer uses.
func issuerLength(d string) bool {
	n := len(d)
	p2 := int(d[0]-'0')*10 + int(d[1]-'0')
	p3 := p2*10 + int(d[2]-'0')
	p4 := p3*10 + int(d[3]-'0')
	switch {
	case d[0] == '4': // Visa
		return n == 13 || n == 16 || n == 19
	case p2 >= 51 && p2 <= 55, p4 >= 2221 && p4 <= 2720: // Mastercard
		return n == 16
	case p2 == 34 || p2 == 37: // American Express
		return n == 15
	case p4 == 6011 || p2 == 65 || p3 >= 644 && p3 <= 649: // Discover
		return n >= 16 && n <= 19
	case p4 >= 3528 && p4 <= 3589: // JCB
		return n >= 16 && n <= 19
	case p3 >= 300 && p3 <= 305, p2 == 36, p2 == 38, p2 == 39: // Diners Club
		return n >= 14 && n <= 16
	case p2 == 62: // UnionPay
		return n >= 16 && n <= 19
	case p2 == 50, p2 >= 56 && p2 <= 58, p2 == 67: // Maestro
		return n >= 13 && n <= 19
	}
	return false
}

// contextKey returns the JSON member name (or XML element name) that holds
// the value starting at i, lowercased, or "".
func contextKey(b []byte, i int) string {
	j := i - 1
	skip := func() {
		for j >= 0 && (b[j] == ' ' || b[j] == '\t' || b[j] == '\n' || b[j] == '\r') {
			j--
		}
	}
	if j >= 0 && (b[j] == '"' || b[j] == '\'') {
		j--
	}
	skip()
	if j >= 0 && b[j] == '>' { // <cardNumber>4111…
		k := j - 1
		for k >= 0 && j-k < 64 && b[k] != '<' {
			k--
		}
		if k >= 0 && b[k] == '<' {
			return strings.ToLower(strings.Fields(string(b[k+1:j]) + " ")[0])
		}
		return ""
	}
	if j < 0 || (b[j] != ':' && b[j] != '=') {
		return ""
	}
	j--
	skip()
	if j >= 0 && (b[j] == '"' || b[j] == '\'') {
		q := b[j]
		k := j - 1
		for k >= 0 && j-k < 64 && b[k] != q {
			k--
		}
		if k >= 0 {
			return strings.ToLower(string(b[k+1 : j]))
		}
		return ""
	}
	k := j
	for k >= 0 && j-k < 64 && (isAlnum(b[k]) || b[k] == '_' || b[k] == '-' || b[k] == ' ') {
		k--
	}
	return strings.ToLower(strings.TrimSpace(string(b[k+1 : j+1])))
}

// keyHas reports whether a member name contains one of words as a word or
// name part ("card_number", "cardNumber" → card).
func keyHas(key string, words []string) bool {
	parts := nameWords(key)
	joined := strings.ReplaceAll(key, "-", "_")
	for _, w := range words {
		if strings.Contains(w, "_") {
			if strings.Contains(joined, w) {
				return true
			}
			continue
		}
		for _, p := range parts {
			if p == w || len(w) >= 4 && strings.Contains(p, w) {
				return true
			}
		}
	}
	return false
}

// labelBefore reports whether word occurs in the 40 bytes before i.
func labelBefore(b []byte, i int, word string) bool {
	return bytes.Contains(bytes.ToLower(b[max(0, i-40):i]), []byte(word))
}

// Email addresses.

// roleLocalParts are mailbox names of functions, not people.
var roleLocalParts = map[string]bool{
	"noreply": true, "no-reply": true, "no_reply": true, "donotreply": true, "do-not-reply": true,
	"support": true, "info": true, "admin": true, "administrator": true, "contact": true, "help": true,
	"sales": true, "security": true, "webmaster": true, "postmaster": true, "hostmaster": true,
	"abuse": true, "privacy": true, "hello": true, "team": true, "office": true, "billing": true,
	"careers": true, "jobs": true, "press": true, "marketing": true, "feedback": true, "notifications": true,
	"alerts": true, "root": true, "git": true, "mailer-daemon": true, "legal": true, "dpo": true,
	"compliance": true, "service": true, "enquiries": true, "inquiries": true, "api": true, "dev": true,
	"developers": true, "ops": true, "it": true, "hr": true, "accounts": true, "bounce": true, "bounces": true,
}

// notEmailTLDs are file extensions that follow an @ in asset names (icon@2x.png).
var notEmailTLDs = map[string]bool{
	"png": true, "jpg": true, "jpeg": true, "gif": true, "svg": true, "webp": true, "ico": true,
	"js": true, "css": true, "json": true, "map": true, "ts": true, "tsx": true, "jsx": true,
	"woff": true, "woff2": true, "ttf": true, "html": true, "htm": true, "txt": true, "md": true,
	"py": true, "rb": true, "go": true, "java": true, "lock": true, "yml": true, "yaml": true, "xml": true,
}

// findEmails returns the distinct personal email addresses in b.
func findEmails(b []byte) (emails []string) {
	seen := map[string]bool{}
	candidates := 0
	for off := 0; off < len(b); {
		k := bytes.IndexByte(b[off:], '@')
		if k < 0 {
			break
		}
		if candidates++; candidates > maxEmailCandidates {
			break
		}
		at := off + k
		off = at + 1
		s := at
		for s > 0 && at-s < 64 && isLocalChar(b[s-1]) {
			s--
		}
		e := at + 1
		for e < len(b) && e-at < 254 && (isAlnum(b[e]) || b[e] == '.' || b[e] == '-') {
			e++
		}
		for e > at+1 && (b[e-1] == '.' || b[e-1] == '-') {
			e--
		}
		if s == at || e == at+1 || !plausibleDomain(b[at+1:e]) {
			continue
		}
		local := strings.ToLower(string(b[s:at]))
		domain := strings.ToLower(string(b[at+1 : e]))
		if !validEmail(local, domain) || roleLocalParts[local] || roleLocalParts[strings.SplitN(local, "+", 2)[0]] {
			continue
		}
		addr := local + "@" + domain
		if seen[addr] {
			continue
		}
		seen[addr] = true
		emails = append(emails, string(b[s:e]))
		if len(emails) >= maxPIIValues {
			break
		}
	}
	return emails
}

// plausibleDomain checks, without allocating, that d ends in a dot and an
// alphabetic top-level domain that is not a file extension.
func plausibleDomain(d []byte) bool {
	dot := bytes.LastIndexByte(d, '.')
	if dot <= 0 || len(d)-dot-1 < 2 || len(d)-dot-1 > 24 {
		return false
	}
	tld := d[dot+1:]
	for _, c := range tld {
		if !isLower(c) && !isUpper(c) {
			return false
		}
	}
	return !notEmailTLDs[strings.ToLower(string(tld))]
}

func isLocalChar(c byte) bool {
	return isAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'
}

func validEmail(local, domain string) bool {
	if local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, "..") {
		return false
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
	}
	tld := labels[len(labels)-1]
	if len(tld) < 2 || len(tld) > 24 || notEmailTLDs[tld] {
		return false
	}
	for i := 0; i < len(tld); i++ {
		if !isLower(tld[i]) {
			return false
		}
	}
	return true
}

// maskEmail keeps the first character of the local part and the domain.
func maskEmail(e string) string {
	at := strings.IndexByte(e, '@')
	if at <= 0 {
		return "****"
	}
	return e[:1] + "***" + e[at:]
}

// maskCardDigits keeps the last four digits.
func maskCardDigits(d string) string {
	return strings.Repeat("*", len(d)-4) + d[len(d)-4:]
}

// maskSSN keeps the last four digits.
func maskSSN(s string) string {
	d := make([]byte, 0, 9)
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			d = append(d, s[i])
		}
	}
	if len(d) < 4 {
		return "****"
	}
	return "***-**-" + string(d[len(d)-4:])
}
