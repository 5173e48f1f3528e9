package exposure

import (
	"bytes"
	"regexp"
	"strings"

	"github.com/parapet-scanner/parapet/internal/finding"
)

// secretHit is one credential seen in a response.
type secretHit struct {
	// typ is a stable id of the kind of secret ("aws-access-key-id" …).
	typ string
	// label names it for people.
	label string
	// value is the raw text, used only to hide it in evidence.
	value string
	// masked is what evidence and details show instead.
	masked   string
	severity finding.Severity
	// confidence is how sure the detector is that the value is live.
	confidence finding.Confidence
}

// Anchors of the secret detectors.
var (
	aAKIA          = anchor("AKIA")
	aASIA          = anchor("ASIA")
	aSkLive        = anchor("sk_live_")
	aRkLive        = anchor("rk_live_")
	aGhp           = anchor("ghp_")
	aGho           = anchor("gho_")
	aGhu           = anchor("ghu_")
	aGhs           = anchor("ghs_")
	aGhr           = anchor("ghr_")
	aGhPat         = anchor("github_pat_")
	aXox           = anchor("xox")
	aSlackHook     = anchor("hooks.slack.com")
	aPrivKey       = anchor("PRIVATE KEY-----")
	aPGPKey        = anchor("PRIVATE KEY BLOCK-----")
	aGoogleKey     = anchor("AIza")
	aDjangoKey     = anchor("django-insecure-")
	aAwsSecretName = anchor("ecret_access_key")
	aAwsSecretUp   = anchor("ECRET_ACCESS_KEY")
	aAwsSecretCC   = anchor("ecretAccessKey")
	aPassword      = anchor("assword")
	aPasswordUp    = anchor("ASSWORD")
	aPasswd        = anchor("passwd")
	aPasswdUp      = anchor("PASSWD")
	aSecret        = anchor("ecret")
	aSecretUp      = anchor("ECRET")
	aPrivateKeyKey = anchor("rivate_key")
	aEnvToken      = anchor("TOKEN")
	aEnvAPIKey     = anchor("API_KEY")
	aConnPostgres  = anchor("postgres://")
	aConnPostgres2 = anchor("postgresql://")
	aConnMySQL     = anchor("mysql://")
	aConnMongo     = anchor("mongodb://")
	aConnMongoSrv  = anchor("mongodb+srv://")
	aConnRedis     = anchor("redis://")
	aConnRediss    = anchor("rediss://")
	aConnAMQP      = anchor("amqp://")
)

var (
	slackHookRe = regexp.MustCompile(`hooks\.slack\.com(?:\\?/)services\\?/T[A-Z0-9]{6,12}\\?/B[A-Z0-9]{6,12}\\?/[A-Za-z0-9]{20,32}`)
	// A 40-character AWS secret access key: base64 alphabet, bounded.
	awsSecretRe = regexp.MustCompile(`(?:^|[^A-Za-z0-9/+=])([A-Za-z0-9/+]{40})(?:$|[^A-Za-z0-9/+=])`)
	// JSON members whose name says they hold a password or secret.
	jsonSecretRe = regexp.MustCompile(`(?i)"([a-z0-9_.\-]*(?:password|passwd|passphrase|secret|private_?key)[a-z0-9_.\-]*)"\s*:\s*"((?:[^"\\\n]|\\.)+)"`)
	// Environment files and shell exports: NAME=value with a secret-looking name.
	envSecretRe = regexp.MustCompile(`(?m)^[ \t]*(?:export[ \t]+)?([A-Z][A-Z0-9_]*(?:PASSWORD|PASSWD|SECRET|PRIVATE_KEY|API_KEY|ACCESS_KEY|TOKEN)[A-Z0-9_]*)[ \t]*=[ \t]*["']?([^\s"'#]{6,})`)
	// Connection strings with a password: scheme://user:password@host.
	connStringRe = regexp.MustCompile(`\b(postgres(?:ql)?|mysql|mongodb(?:\+srv)?|rediss?|amqp)://([^\s:/@"'<>]*):([^\s@/"'<>]+)@[^\s/"'<>]+`)
	// AWS secret keys named as such: JSON members, NAME=value lines.
	awsSecretNamedRe = regexp.MustCompile(`(?i)["']?(?:aws_?)?secret_?access_?key["']?\s*[:=]\s*["']?([A-Za-z0-9/+]{40})(?:$|[^A-Za-z0-9/+=])`)
)

// detectSecrets finds credentials in p. Each secret value is reported once.
func detectSecrets(p *page) []secretHit {
	h := &p.hits
	b := p.body
	var out []secretHit
	seen := map[string]bool{}
	add := func(s secretHit) {
		if seen[s.value] || reflected(p.ex, s.value) {
			return
		}
		seen[s.value] = true
		if s.confidence == "" {
			s.confidence = finding.Firm
		}
		out = append(out, s)
	}

	// Each detector looks at a bounded number of well-formed candidates, so
	// that a body made of one token repeated costs linear time.
	const maxCandidates = 64
	budget := maxCandidates
	// AWS access key ids, and the secret key that goes with them.
	for _, a := range []int{aAKIA, aASIA} {
		if !h.has(a) {
			continue
		}
		eachIndex(b, anchors.lits[a], func(i int) bool {
			j := i + 20
			if i > 0 && isAlnum(b[i-1]) || j > len(b) || j < len(b) && isAlnum(b[j]) {
				return true
			}
			for _, c := range b[i+4 : j] {
				if !isUpper(c) && !isDigit(c) {
					return true
				}
			}
			if budget--; budget < 0 {
				return false
			}
			id := string(b[i:j])
			if strings.Contains(id, "EXAMPLE") {
				return true
			}
			sec := awsSecretNear(b, i, j)
			if sec != "" {
				add(secretHit{typ: "aws-secret-access-key", label: "AWS secret access key", value: sec,
					masked: maskKeep(sec, 0), severity: finding.Critical, confidence: finding.Confirmed})
			}
			s := secretHit{typ: "aws-access-key-id", label: "AWS access key ID", value: id,
				masked: id[:4] + "****" + id[16:], severity: finding.Medium}
			if sec != "" {
				s.severity = finding.Critical
				s.confidence = finding.Confirmed
			}
			add(s)
			return len(out) < 20
		})
	}
	// An AWS secret key named as such, even without its key id.
	if h.any(aAwsSecretName, aAwsSecretUp, aAwsSecretCC) {
		for _, sm := range awsSecretNamedRe.FindAllSubmatch(b, 5) {
			m := string(sm[1])
			if awsSecretShape(m) {
				add(secretHit{typ: "aws-secret-access-key", label: "AWS secret access key", value: m,
					masked: maskKeep(m, 0), severity: finding.Critical, confidence: finding.Firm})
			}
		}
	}
	// Prefixed tokens.
	prefixed := []struct {
		anchor        int
		typ, label    string
		min, max      int
		extra         string // characters allowed besides letters and digits
		sev           finding.Severity
		keepPrefixLen int
	}{
		{aSkLive, "stripe-live-secret-key", "Stripe live secret key", 20, 247, "", finding.Critical, 8},
		{aRkLive, "stripe-live-restricted-key", "Stripe live restricted key", 20, 247, "", finding.Critical, 8},
		{aGhp, "github-token", "GitHub personal access token", 36, 36, "", finding.High, 4},
		{aGho, "github-token", "GitHub OAuth token", 36, 36, "", finding.High, 4},
		{aGhu, "github-token", "GitHub user-to-server token", 36, 36, "", finding.High, 4},
		{aGhs, "github-token", "GitHub server-to-server token", 36, 36, "", finding.High, 4},
		{aGhr, "github-token", "GitHub refresh token", 36, 36, "", finding.High, 4},
		{aGhPat, "github-token", "GitHub fine-grained personal access token", 60, 255, "_", finding.High, 11},
		{aDjangoKey, "django-secret-key", "Django SECRET_KEY", 20, 100, "!@#$%^&*(-_=+)", finding.High, 16},
	}
	for _, t := range prefixed {
		if !h.has(t.anchor) {
			continue
		}
		budget = maxCandidates
		lit := anchors.lits[t.anchor]
		eachIndex(b, lit, func(i int) bool {
			if i > 0 && (isAlnum(b[i-1]) || b[i-1] == '_') {
				return true
			}
			j := i + len(lit)
			for j < len(b) && j-i-len(lit) < t.max && (isAlnum(b[j]) || strings.IndexByte(t.extra, b[j]) >= 0) {
				j++
			}
			n := j - i - len(lit)
			if n < t.min || j < len(b) && (isAlnum(b[j]) || strings.IndexByte(t.extra, b[j]) >= 0) {
				return true
			}
			if budget--; budget < 0 {
				return false
			}
			v := string(b[i:j])
			if placeholder(v[len(lit):]) || !mixedChars(v[len(lit):]) {
				return true
			}
			add(secretHit{typ: t.typ, label: t.label, value: v, masked: v[:t.keepPrefixLen] + "****", severity: t.sev})
			return len(out) < 20
		})
	}
	// Slack tokens: xoxb-, xoxp-, xoxa-, xoxr-, xoxs-, xoxe.xoxp- …
	if h.has(aXox) {
		budget = maxCandidates
		eachIndex(b, "xox", func(i int) bool {
			if v, ok := slackToken(b, i); ok {
				if budget--; budget < 0 {
					return false
				}
				add(secretHit{typ: "slack-token", label: "Slack token", value: v, masked: v[:5] + "****", severity: finding.High})
			}
			return len(out) < 20
		})
	}
	if h.has(aSlackHook) {
		for _, m := range slackHookRe.FindAll(b, 5) {
			v := string(m)
			add(secretHit{typ: "slack-webhook", label: "Slack incoming webhook URL", value: v,
				masked: "hooks.slack.com/services/****", severity: finding.High})
		}
	}
	// Private keys.
	if h.any(aPrivKey, aPGPKey) {
		for _, k := range privateKeys(b) {
			add(k)
		}
	}
	// Google API keys are meant to ship in web pages and apps (restricted by
	// referrer or app); they are reported only from API responses.
	if h.has(aGoogleKey) && (p.class == classJSON || p.class == classText || p.class == classXML) {
		budget = maxCandidates
		eachIndex(b, "AIza", func(i int) bool {
			j := i + 39
			if i > 0 && (isAlnum(b[i-1]) || b[i-1] == '_' || b[i-1] == '-') || j > len(b) ||
				j < len(b) && (isAlnum(b[j]) || b[j] == '_' || b[j] == '-') {
				return true
			}
			for _, c := range b[i+4 : j] {
				if !isAlnum(c) && c != '_' && c != '-' {
					return true
				}
			}
			if budget--; budget < 0 {
				return false
			}
			v := string(b[i:j])
			add(secretHit{typ: "google-api-key", label: "Google API key", value: v, masked: "AIza****",
				severity: finding.Medium, confidence: finding.Tentative})
			return len(out) < 20
		})
	}
	// Connection strings with passwords, and named secrets in JSON and env
	// files. Not in HTML or scripts, where a login form or a config loader
	// names the same fields; not in API documents, whose examples are fake.
	if p.spec || p.class == classHTML || p.class == classScript {
		return out
	}
	if h.any(aConnPostgres, aConnPostgres2, aConnMySQL, aConnMongo, aConnMongoSrv, aConnRedis, aConnRediss, aConnAMQP) {
		near := windows(b, []string{"postgres://", "postgresql://", "mysql://", "mongodb://", "mongodb+srv://", "redis://", "rediss://", "amqp://"}, 16, 512)
		for _, m := range connStringRe.FindAllSubmatch(near, 10) {
			pw := string(m[3])
			if len(pw) > 128 || len(m[2]) > 64 || placeholder(pw) || strings.EqualFold(pw, string(m[2])) {
				continue
			}
			add(secretHit{typ: "connection-string-password", label: "database/broker URL with password", value: pw,
				masked: string(m[1]) + "://" + string(m[2]) + ":****@…", severity: finding.High})
		}
	}
	// TOTP enrolment answers carry the new "secret" for its owner by design.
	if p.class == classJSON && h.any(aPassword, aPasswordUp, aPasswd, aPasswdUp, aSecret, aSecretUp, aPrivateKeyKey) &&
		!bytes.Contains(b, []byte("otpauth://")) {
		near := windows(b, []string{"assword", "ASSWORD", "passwd", "PASSWD", "ecret", "ECRET", "rivate_key"}, 72, 400)
		for _, m := range jsonSecretRe.FindAllSubmatch(near, 50) {
			name, v := string(m[1]), string(m[2])
			if len(name) > 64 || !secretName(name) || seen[v] || !plausibleSecret(v) {
				continue
			}
			lname := strings.ToLower(name)
			label := "password"
			typ := "password"
			if !strings.Contains(lname, "pass") && !strings.Contains(lname, "pwd") {
				label, typ = "secret", "secret"
			}
			add(secretHit{typ: typ, label: label + " in JSON member " + quoteName(lname), value: v,
				masked: "****", severity: finding.High})
		}
	}
	if p.class == classText && h.any(aPasswordUp, aPasswdUp, aSecretUp, aEnvToken, aEnvAPIKey) {
		for _, m := range envSecretRe.FindAllSubmatch(b, 50) {
			name, v := string(m[1]), string(m[2])
			if !secretName(name) || seen[v] || !plausibleSecret(v) {
				continue
			}
			add(secretHit{typ: "env-secret", label: "secret in environment/config line " + quoteName(name), value: v,
				masked: "****", severity: finding.High})
		}
	}
	return out
}

// awsSecretNear finds a 40-character secret key within 300 bytes of the key
// id at [i, j).
func awsSecretNear(b []byte, i, j int) string {
	lo, hi := max(0, i-300), min(len(b), j+300)
	for _, m := range awsSecretRe.FindAllSubmatchIndex(b[lo:hi], 8) {
		v := string(b[lo+m[2] : lo+m[3]])
		if awsSecretShape(v) {
			return v
		}
	}
	return ""
}

// awsSecretShape reports whether a 40-character string looks like random
// base64 (upper, lower and digits), not a hex digest or a path.
func awsSecretShape(v string) bool {
	var up, lo, dg int
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case isUpper(c):
			up++
		case isLower(c):
			lo++
		case isDigit(c):
			dg++
		}
	}
	return up >= 3 && lo >= 3 && dg >= 2 && !strings.Contains(v, "EXAMPLE") && !strings.Contains(v, "//")
}

func slackToken(b []byte, i int) (string, bool) {
	if i > 0 && (isAlnum(b[i-1]) || b[i-1] == '_') || i+5 > len(b) {
		return "", false
	}
	if strings.IndexByte("abposre", b[i+3]) < 0 || (b[i+4] != '-' && b[i+4] != '.') {
		return "", false
	}
	j := i + 5
	digitsRun, longestDigits := 0, 0
	for j < len(b) && (isAlnum(b[j]) || b[j] == '-' || b[j] == '.') && j-i < 256 {
		if isDigit(b[j]) {
			digitsRun++
			longestDigits = max(longestDigits, digitsRun)
		} else {
			digitsRun = 0
		}
		j++
	}
	if j-i < 24 || longestDigits < 8 {
		return "", false
	}
	return string(b[i:j]), true
}

var privKeyHeaderRe = regexp.MustCompile(`-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?)PRIVATE KEY(?: BLOCK)?-----`)

// privateKeys finds PEM/OpenSSH/PGP private keys that carry key material.
func privateKeys(b []byte) []secretHit {
	var out []secretHit
	for _, loc := range privKeyHeaderRe.FindAllSubmatchIndex(b, 5) {
		kind := string(b[loc[2]:loc[3]])
		rest := b[loc[1]:min(len(b), loc[1]+8192)]
		end := bytes.Index(rest, []byte("-----END"))
		if end < 0 {
			end = len(rest)
		}
		body := rest[:end]
		if base64Run(body) < 40 {
			continue // "-----BEGIN PRIVATE KEY-----\n...\n" in documentation
		}
		value := string(b[loc[0] : loc[1]+end])
		s := secretHit{typ: "private-key", label: "private key (" + strings.TrimSpace(kind+"PRIVATE KEY") + ")", value: value,
			masked: "-----BEGIN " + kind + "PRIVATE KEY-----****", severity: finding.Critical, confidence: finding.Confirmed}
		if kind == "ENCRYPTED " || bytes.Contains(body, []byte("Proc-Type: 4,ENCRYPTED")) {
			s.severity = finding.High
			s.label = "encrypted private key"
		}
		out = append(out, s)
	}
	return out
}

// base64Run returns the longest run of base64 characters in b, ignoring line
// breaks written raw or as JSON escapes.
func base64Run(b []byte) int {
	best, run := 0, 0
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case isAlnum(c) || c == '+' || c == '/' || c == '=':
			run++
			best = max(best, run)
		case c == '\n' || c == '\r':
		case c == '\\' && i+1 < len(b) && (b[i+1] == 'n' || b[i+1] == 'r'):
			i++
		default:
			run = 0
		}
	}
	return best
}

// notSecretWords are name parts that make a secret-looking name something
// else: a hash, a setting or flag about secrets, a one-time enrolment secret
// shown to its owner by design.
var notSecretWords = map[string]bool{
	"hash": true, "hashed": true, "digest": true, "crypt": true, "encrypted": true, "salt": true,
	"reset": true, "policy": true, "policies": true, "expire": true, "expires": true, "expiry": true,
	"expiration": true, "changed": true, "updated": true, "created": true, "at": true, "date": true,
	"age": true, "hint": true, "strength": true, "length": true, "required": true, "enabled": true,
	"set": true, "has": true, "is": true, "question": true, "url": true, "link": true, "field": true,
	"label": true, "placeholder": true, "help": true, "message": true, "error": true, "rule": true,
	"rules": true, "min": true, "max": true, "last": true, "count": true, "type": true, "format": true,
	"ttl": true, "timeout": true, "lifetime": true, "rotation": true, "name": true, "path": true,
	"file": true, "manager": true, "prompt": true, "confirm": true, "confirmation": true, "forgot": true,
	"validator": true, "validators": true, "id": true, "version": true, "mode": true, "strategy": true,
	"store": true, "storage": true, "backend": true, "provider": true, "algorithm": true, "otp": true,
	"totp": true, "mfa": true, "2fa": true, "arn": true, "ref": true, "len": true, "location": true,
}

// secretName reports whether a member or variable name names a secret value
// rather than a setting about secrets.
func secretName(name string) bool {
	for _, w := range nameWords(name) {
		if notSecretWords[w] {
			return false
		}
	}
	return true
}

// nameWords splits a name into lowercase words at separators and camelCase
// boundaries: "dbPassword_hash" → db, password, hash.
func nameWords(name string) []string {
	var out []string
	start := 0
	flush := func(end int) {
		if end > start {
			out = append(out, strings.ToLower(name[start:end]))
		}
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case !isAlnum(c):
			flush(i)
			start = i + 1
		case isUpper(c) && i > start && isLower(name[i-1]):
			flush(i)
			start = i
		}
	}
	flush(len(name))
	return out
}

// plausibleSecret reports whether v looks like a real password or key rather
// than a placeholder, a label, a hash or an empty value.
func plausibleSecret(v string) bool {
	if len(v) < 6 || len(v) > 300 || placeholder(v) {
		return false
	}
	if strings.ContainsAny(v, " \t") || strings.Contains(v, "://") {
		return false // prose or a URL, not a credential
	}
	// Hashes belong to the property-authorization check.
	for _, p := range []string{"$2a$", "$2b$", "$2y$", "$argon2", "pbkdf2_", "$pbkdf2", "$6$", "$5$", "$1$", "sha1$", "sha256$", "bcrypt$", "scrypt$"} {
		if strings.HasPrefix(v, p) {
			return false
		}
	}
	if isHexString(v) && (len(v) == 32 || len(v) == 40 || len(v) == 64 || len(v) == 128) {
		return false
	}
	return credentialChars(v)
}

// credentialChars reports whether v mixes letters with digits or symbols
// the way passwords and keys do. Labels ("Passwort", "Password:") and
// translations have letters only, or one punctuation mark at the end.
func credentialChars(v string) bool {
	letters, digits, inner := 0, 0, 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case isLower(c) || isUpper(c) || c >= 0x80:
			letters++
		case isDigit(c):
			digits++
		case i < len(v)-1:
			inner++
		}
	}
	if letters+digits == 0 || strings.Count(v, v[:1]) == len(v) {
		return false
	}
	return digits > 0 && letters > 0 || inner > 0 || digits > 0 && len(v) >= 12
}

// mixedChars reports whether v mixes at least two of lower case, upper case,
// digits and symbols, and is not one character repeated.
func mixedChars(v string) bool {
	var lo, up, dg, sy int
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case isLower(c):
			lo = 1
		case isUpper(c):
			up = 1
		case isDigit(c):
			dg = 1
		default:
			sy = 1
		}
	}
	if strings.Count(v, v[:1]) == len(v) {
		return false
	}
	return lo+up+dg+sy >= 2
}

func isHexString(v string) bool {
	for i := 0; i < len(v); i++ {
		if !isHex(v[i]) {
			return false
		}
	}
	return true
}

// placeholders are values that stand in for a secret in samples and templates.
var placeholderWords = []string{"example", "xxxx", "****", "•••", "changeme", "change_me", "change-me", "your", "placeholder",
	"redacted", "hidden", "masked", "dummy", "sample", "replace", "insert", "todo", "fixme", "<", ">", "${", "{{", "%(",
	"process.env", "env(", "getenv", "undefined", "null", "none", "secret_here", "password_here", "notasecret",
	"..."}

func placeholder(v string) bool {
	l := strings.ToLower(v)
	for _, w := range placeholderWords {
		if strings.Contains(l, w) {
			return true
		}
	}
	switch l {
	case "password", "passwd", "secret", "string", "true", "false", "test", "testing", "admin", "pass", "pwd":
		return true
	}
	return false
}

// maskKeep hides a secret, keeping n leading characters.
func maskKeep(v string, n int) string {
	if n > len(v) {
		n = len(v)
	}
	return v[:n] + "****"
}

// quoteName bounds a target-controlled member name for a label.
func quoteName(name string) string {
	if len(name) > 48 {
		name = name[:48]
	}
	return `"` + name + `"`
}
