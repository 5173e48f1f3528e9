// Package exposure is the data-exposure check: framework debug pages and
// stack traces, secrets, personal data and internal data-store errors in the
// target's responses. It is passive on every exchange of the scan, and its
// Run sends a few GET probes (a random missing path, malformed ids) to make
// error pages show themselves.
package exposure

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/parapet-scanner/parapet/internal/check"
	"github.com/parapet-scanner/parapet/internal/engine"
	"github.com/parapet-scanner/parapet/internal/evidence"
	"github.com/parapet-scanner/parapet/internal/finding"
	"github.com/parapet-scanner/parapet/internal/fingerprint"
	"github.com/parapet-scanner/parapet/internal/mask"
)

// ID is the check's id and the prefix of its kinds.
const ID = "data-exposure"

// The kinds this check reports (the finding's `check` field).
const (
	KindDebugPage     = ID + "/debug-page"
	KindSecret        = ID + "/secret"
	KindPersonalData  = ID + "/personal-data"
	KindInternalError = ID + "/internal-error"
)

// Check is the data-exposure check. It holds no state and is safe for
// concurrent use.
type Check struct{}

// New returns the data-exposure check.
func New() *Check { return &Check{} }

var (
	_ check.Check         = (*Check)(nil)
	_ check.Passive       = (*Check)(nil)
	_ check.StackDetector = (*Check)(nil)
	_ check.WithFixtures  = (*Check)(nil)
)

// ID returns "data-exposure".
func (c *Check) ID() string { return ID }

// Category returns the data-exposure category.
func (c *Check) Category() finding.Category { return finding.DataExposure }

// Kinds lists the four kinds of finding.
func (c *Check) Kinds() []check.Kind {
	return []check.Kind{
		{ID: KindDebugPage, Title: "Debug page or stack trace",
			Description: "Framework debug pages (Django DEBUG=True, Werkzeug debugger, Laravel/Whoops, Rails, ASP.NET, Symfony) and stack traces in responses."},
		{ID: KindSecret, Title: "Secret in response",
			Description: "Credentials in responses: AWS keys, Stripe live keys, GitHub and Slack tokens, private keys, Django SECRET_KEY, passwords in JSON or env files."},
		{ID: KindPersonalData, Title: "Personal data in response",
			Description: "Luhn-valid card numbers, Social Security numbers and users' email addresses in API responses."},
		{ID: KindInternalError, Title: "Internal data-store error",
			Description: "DynamoDB/botocore, SQL (PostgreSQL, MySQL, SQLite, Oracle, SQL Server), MongoDB and Redis error messages in responses."},
	}
}

// DetectStack reports the stack that this check's signatures reveal in ex;
// see the package function DetectStack.
func (c *Check) DetectStack(ex *engine.Exchange) []fingerprint.Tech { return DetectStack(ex) }

// Inspect looks for exposed data in one exchange's response.
func (c *Check) Inspect(t *check.Target, ex *engine.Exchange, emit check.Emit) {
	p := newPage(ex)
	if p == nil {
		return
	}
	debug := detectDebug(p)
	stores := detectStoreErrors(p)
	secrets := detectSecrets(p)
	pii := detectPII(p)
	if len(debug) == 0 && len(stores) == 0 && len(secrets) == 0 &&
		len(pii.cards) == 0 && len(pii.ssns) == 0 && len(pii.emails) == 0 {
		return
	}
	r := &reporter{t: t, ex: ex, emit: emit, secrets: secrets, pii: pii, stack: stackOf(p, debug, stores)}
	for _, d := range debug {
		r.debugFinding(d)
	}
	if len(stores) > 0 {
		r.storeFinding(stores)
	}
	if len(secrets) > 0 {
		r.secretFinding()
	}
	r.piiFindings()
}

// reporter turns what the detectors found in one exchange into findings.
type reporter struct {
	t       *check.Target
	ex      *engine.Exchange
	emit    check.Emit
	secrets []secretHit
	pii     piiHits
	stack   []fingerprint.Tech
	// shown is the exchange with the secrets and personal data this check
	// found replaced by their masked forms, built on first use.
	shown *engine.Exchange
}

// masker returns the scan's masker (a zero one when a test left it nil).
func (r *reporter) masker() *mask.Masker {
	if r.t != nil && r.t.Mask != nil {
		return r.t.Mask
	}
	return &mask.Masker{}
}

// redacted returns the exchange to build evidence from: the body has every
// secret and personal value found replaced by its masked form, so the excerpt
// cannot leak them even where the shared masker has no pattern for them.
func (r *reporter) redacted() *engine.Exchange {
	if r.shown != nil {
		return r.shown
	}
	var pairs []string
	for _, s := range r.secrets {
		pairs = append(pairs, s.value, s.masked)
	}
	for _, e := range r.pii.emails {
		pairs = append(pairs, e, maskEmail(e))
	}
	for _, s := range r.pii.ssns {
		pairs = append(pairs, s, maskSSN(s))
	}
	for _, d := range r.pii.cards {
		pairs = append(pairs, d, maskCardDigits(d))
	}
	if len(pairs) == 0 {
		r.shown = r.ex
		return r.shown
	}
	// Longer values first, so that a value inside another is not half-replaced.
	type pair struct{ from, to string }
	ps := make([]pair, 0, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		if pairs[i] != "" {
			ps = append(ps, pair{pairs[i], pairs[i+1]})
		}
	}
	sort.SliceStable(ps, func(i, j int) bool { return len(ps[i].from) > len(ps[j].from) })
	args := make([]string, 0, 2*len(ps))
	for _, p := range ps {
		args = append(args, p.from, p.to)
	}
	cp := *r.ex
	cp.Body = []byte(strings.NewReplacer(args...).Replace(string(r.ex.Body)))
	r.shown = &cp
	return r.shown
}

func (r *reporter) evidence(note, focus string) []finding.Evidence {
	return []finding.Evidence{evidence.From(r.redacted(), r.masker(), note, focus)}
}

func (r *reporter) reproduce() string { return evidence.Curl(r.ex, r.masker()) }

// location places a finding: site-wide, or on the endpoint's path template.
func (r *reporter) location(site bool, param string) finding.Location {
	u, err := url.Parse(r.ex.URL)
	token := ""
	if r.t != nil {
		token = r.t.Token
	}
	if err != nil || site || (token != "" && strings.Contains(u.Path, token)) {
		return finding.Location{URL: safeURL(r.ex.URL, r.masker()), Path: "/", Param: param, In: finding.InSite}
	}
	return finding.Location{Method: r.ex.Method, URL: safeURL(r.ex.URL, r.masker()),
		Path: endpointPath(r.t, u.Path), Param: param, In: finding.InResponseBody}
}

func (r *reporter) stackNames() []string {
	out := make([]string, 0, len(r.stack))
	for _, s := range r.stack {
		out = append(out, s.Name)
	}
	return out
}

func (r *reporter) fromProbe() bool { return r.ex.Check == ID }

func (r *reporter) targetStack() *fingerprint.Stack {
	if r.t == nil {
		return nil
	}
	return r.t.Stack
}

// debugTitles are the titles of site-wide debug findings, by framework.
var debugTitles = map[string]string{
	"django":    "Django debug mode is on (DEBUG = True)",
	"werkzeug":  "Werkzeug interactive debugger exposed",
	"starlette": "Starlette/FastAPI debug mode is on",
	"rails":     "Rails development error pages exposed",
	"laravel":   "Laravel debug mode is on (APP_DEBUG=true)",
	"symfony":   "Symfony debug mode and profiler exposed",
	"aspnet":    "ASP.NET error page shows exception details",
	"spring":    "Spring Boot error page shows stack traces",
	"express":   "Express error handler shows stack traces",
	"php":       "PHP errors are displayed to clients",
	"whoops":    "PHP debug error page (Whoops) exposed",
}

func (r *reporter) debugFinding(d debugHit) {
	f := finding.Finding{
		Check:       KindDebugPage,
		Category:    finding.DataExposure,
		Severity:    d.severity,
		Confidence:  finding.Confirmed,
		Remediation: debugRemediation(d.framework, r.targetStack()),
		Reproduce:   r.reproduce(),
		Details: map[string]any{
			"framework":  d.framework,
			"stack":      d.framework,
			"signal":     d.signal,
			"status":     r.ex.Status,
			"debug_mode": d.debugMode,
		},
	}
	if d.version != "" {
		f.Details["version"] = d.version
	}
	if d.interactive {
		f.Details["interactive"] = true
	}
	if names := r.stackNames(); len(names) > 0 {
		f.Details["stack_revealed"] = names
	}
	if d.site {
		f.Location = r.location(true, d.framework)
		f.Title = debugTitles[d.framework]
		if f.Title == "" {
			f.Title = "Debug error page exposed"
		}
	} else {
		f.Location = r.location(false, "")
		f.Title = "Stack trace in error response"
		if r.ex.Status < 400 && classify(r.ex.ContentType(), r.ex.Body) == classHTML {
			f.Confidence = finding.Tentative
		} else {
			f.Confidence = finding.Firm
		}
	}
	switch {
	case d.debugMode:
		f.CWE = "CWE-489"
		f.Description = "The application runs with its framework's debug mode on in a reachable environment: " +
			"error responses are the framework's debug page (" + d.signal + "). Such pages show source code, " +
			"stack frames with file paths, library versions, request data (headers and cookies of the request) " +
			"and often settings or the full URL map, which hands an attacker a map of the application and " +
			"the data to attack it."
		if d.interactive {
			f.Description += " This debugger also offers an interactive console that runs code on the " +
				"server; it is protected only by a PIN that can be brute-forced or derived from leaked " +
				"machine data, so it is a path to remote code execution."
		}
	case d.site:
		f.CWE = "CWE-209"
		f.Description = "The application's default error handling sends exception details to clients (" +
			d.signal + "). Stack traces reveal file paths, framework and library names and versions, and " +
			"the code path of a failure, which helps an attacker find and tune attacks; in production " +
			"this setting should show a generic error."
	default:
		f.CWE = "CWE-209"
		f.Description = "An error response contains a " + d.signal + ". Stack traces reveal file paths, " +
			"function names, framework and library versions and the code path of a failure, which helps " +
			"an attacker understand the application and tune attacks against it. Error details belong " +
			"in server-side logs, not in responses."
	}
	note := "debug output: " + d.signal
	if d.version != "" {
		note += "; version " + d.version
	}
	f.Evidence = r.evidence(note, d.focus)
	r.emit(f)
}

// storeTitles are the internal-error titles, by the first store named.
var storeTitles = map[string]string{
	"dynamodb": "DynamoDB error details in response",
	"aws":      "AWS SDK error details in response",
	"mongodb":  "MongoDB error details in response",
	"redis":    "Redis error details in response",
}

func (r *reporter) storeFinding(stores []storeHit) {
	first := stores[0]
	names := make([]string, 0, len(stores))
	signals := make([]string, 0, len(stores))
	for _, s := range stores {
		names = append(names, s.store)
		signals = append(signals, s.signal)
	}
	title := storeTitles[first.store]
	if title == "" {
		title = "Database error details in response"
	}
	framework := ""
	for _, s := range r.stack {
		if _, ok := debugAdvice[s.Name]; ok && s.Name != "python" && s.Name != "java" && s.Name != "node" {
			framework = s.Name
			break
		}
	}
	f := finding.Finding{
		Check:       KindInternalError,
		Category:    finding.DataExposure,
		Severity:    finding.Medium,
		Confidence:  finding.Firm,
		Title:       title,
		CWE:         "CWE-209",
		Location:    r.location(false, ""),
		Remediation: storeRemediation(first.store, framework, r.targetStack()),
		Reproduce:   r.reproduce(),
		Details: map[string]any{
			"stores":  names,
			"stack":   first.store,
			"signals": signals,
			"status":  r.ex.Status,
		},
	}
	if first.client != "" {
		f.Details["client"] = first.client
	}
	if first.operation != "" {
		f.Details["operation"] = first.operation
	}
	if r.fromProbe() {
		f.Details["triggered_by_probe"] = true
		f.Confidence = finding.Confirmed
	}
	desc := "A response carries the raw error of the application's data store (" + strings.Join(signals, "; ") +
		"). Such messages reveal the database or service in use, table, key and attribute names, query " +
		"fragments and library versions, and tell an attacker which inputs reach the data layer unchecked: " +
		"the first step toward injection (SQL, NoSQL or DynamoDB expression injection) and data enumeration."
	if first.store == "dynamodb" {
		desc += " For DynamoDB, the message names the operation and the key schema or expression that " +
			"failed, which shows how the table is queried."
	}
	if r.fromProbe() {
		desc += " The error followed one of Parapet's probes (a quote or malformed value added to an id), " +
			"so the input reaches the data layer without validation."
	}
	f.Description = desc
	f.Evidence = r.evidence("data-store error: "+strings.Join(signals, "; "), first.focus)
	r.emit(f)
}

// secretTitles, by the most severe secret's type.
var secretTitles = map[string]string{
	"private-key":                "Private key exposed in response",
	"aws-secret-access-key":      "AWS credentials exposed in response",
	"aws-access-key-id":          "AWS access key ID exposed in response",
	"stripe-live-secret-key":     "Live Stripe secret key exposed in response",
	"stripe-live-restricted-key": "Live Stripe restricted key exposed in response",
	"github-token":               "GitHub token exposed in response",
	"slack-token":                "Slack token exposed in response",
	"slack-webhook":              "Slack webhook URL exposed in response",
	"google-api-key":             "Google API key in API response",
	"django-secret-key":          "Django SECRET_KEY exposed in response",
	"connection-string-password": "Database password exposed in response",
}

// authenticated reports whether the request carried credentials.
func authenticated(ex *engine.Exchange) bool {
	for k := range ex.RequestHeader {
		if mask.IsSensitiveHeader(k) {
			return true
		}
	}
	if u, err := url.Parse(ex.URL); err == nil {
		for k := range u.Query() {
			if credentialParam(k) {
				return true
			}
		}
	}
	return false
}

func (r *reporter) secretFinding() {
	hits := append([]secretHit(nil), r.secrets...)
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].severity.Rank() > hits[j].severity.Rank() })
	top := hits[0]
	// A password or secret member in a response to an authenticated request
	// may be the caller's own (an API client's secret shown to its owner).
	generic := true
	for _, h := range hits {
		if h.typ != "password" && h.typ != "secret" {
			generic = false
		}
	}
	sev, conf := top.severity, top.confidence
	if generic && authenticated(r.ex) {
		sev, conf = finding.Medium, finding.Tentative
	}
	var types, labels, masked []string
	seenType := map[string]bool{}
	for _, h := range hits {
		if !seenType[h.typ] {
			seenType[h.typ] = true
			types = append(types, h.typ)
		}
		labels = append(labels, h.label)
		masked = append(masked, h.masked)
	}
	title := secretTitles[top.typ]
	if title == "" {
		title = "Secret exposed in response"
	}
	f := finding.Finding{
		Check:       KindSecret,
		Category:    finding.DataExposure,
		Severity:    sev,
		Confidence:  conf,
		Title:       title,
		CWE:         "CWE-522",
		Location:    r.location(false, ""),
		Remediation: secretRemediation(types, r.targetStack()),
		Reproduce:   r.reproduce(),
		Details: map[string]any{
			"types":  types,
			"labels": labels,
			"masked": masked,
			"count":  len(hits),
		},
		Description: fmt.Sprintf("The response contains %d secret value(s) (%s). Anyone who can send "+
			"this request can read them and act with the owner's rights: call the cloud or payment "+
			"provider, sign tokens, or reach internal systems. Secrets that reached a response may "+
			"also sit in proxies, caches, browser history and logs.", len(hits), strings.Join(uniq(labelsOnly(hits)), ", ")),
	}
	if top.typ == "google-api-key" {
		f.Description += " Google API keys are sometimes meant to be public (browser keys restricted by " +
			"referrer); an unrestricted key lets others use the project's quota and billing."
	}
	f.Evidence = r.evidence("secret: "+top.label+" ("+top.masked+")", top.masked)
	r.emit(f)
}

func labelsOnly(hs []secretHit) []string {
	out := make([]string, 0, len(hs))
	for _, h := range hs {
		l := h.label
		if i := strings.Index(l, " in "); i > 0 {
			l = l[:i]
		}
		out = append(out, l)
	}
	return out
}

func uniq(ss []string) []string {
	seen := map[string]bool{}
	out := ss[:0:0]
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// piiControls are the compliance controls of personal-data findings.
func piiControls(typ string) []finding.Control {
	pci := "6.2.4"
	if typ == "card-number" {
		pci = "3.4.1"
	}
	return []finding.Control{
		{Framework: finding.FrameworkPCI, Control: pci},
		{Framework: finding.FrameworkSOC2, Control: "CC6.1"},
		{Framework: finding.FrameworkHIPAA, Control: "164.312(a)(1)"},
		{Framework: finding.FrameworkGDPR, Control: "Art. 5(1)(f)"},
	}
}

func (r *reporter) piiFindings() {
	p := r.pii
	base := func(typ string) finding.Finding {
		return finding.Finding{
			Check:       KindPersonalData,
			Category:    finding.DataExposure,
			CWE:         "CWE-359",
			OWASP:       "API3:2023",
			Compliance:  piiControls(typ),
			Location:    r.location(false, typ),
			Remediation: piiRemediation(typ, r.targetStack()),
			Reproduce:   r.reproduce(),
		}
	}
	if len(p.cards) > 0 {
		f := base("card-number")
		f.Severity, f.Confidence = finding.High, finding.Firm
		f.Title = "Card numbers (PAN) in API response"
		samples := make([]string, 0, min(5, len(p.cards)))
		for _, c := range p.cards[:min(5, len(p.cards))] {
			samples = append(samples, maskCardDigits(c))
		}
		f.Details = map[string]any{"type": "card-number", "count": len(p.cards), "masked": samples}
		f.Description = fmt.Sprintf("The response contains %d full payment card number(s) (Luhn-valid, "+
			"with a card issuer's prefix and length). Full PANs in API responses break PCI DSS (3.4.1) and "+
			"let anyone who can call this endpoint, or read its logs and caches, commit card fraud.", len(p.cards))
		if p.testCards > 0 {
			f.Details["test_numbers"] = p.testCards
			f.Description += " Some are well-known test numbers; the endpoint still returns whole card " +
				"numbers, so it would return real ones with real data."
		}
		f.Evidence = r.evidence(fmt.Sprintf("%d card number(s), e.g. %s", len(p.cards), samples[0]), samples[0])
		r.emit(f)
	}
	if len(p.ssns) > 0 {
		f := base("ssn")
		f.Severity, f.Confidence = finding.High, finding.Firm
		f.Title = "Social Security numbers in API response"
		samples := make([]string, 0, min(5, len(p.ssns)))
		for _, s := range p.ssns[:min(5, len(p.ssns))] {
			samples = append(samples, maskSSN(s))
		}
		f.Details = map[string]any{"type": "ssn", "count": len(p.ssns), "masked": samples}
		f.Description = fmt.Sprintf("The response contains %d US Social Security number(s) under an SSN "+
			"field or label. SSNs are the key to identity theft and cannot be changed by their owners; "+
			"returning them exposes every person listed.", len(p.ssns))
		f.Evidence = r.evidence(fmt.Sprintf("%d SSN(s), e.g. %s", len(p.ssns), samples[0]), samples[0])
		r.emit(f)
	}
	// One address is most likely the caller's own (a profile, a "me"
	// endpoint, even when the session came from a cookie the server just
	// set); two or more are other people's.
	if n := len(p.emails); n >= 2 {
		f := base("email")
		f.Title = "Users' email addresses in API response"
		f.Severity, f.Confidence = finding.Low, finding.Firm
		if n >= 5 {
			f.Severity = finding.Medium
		}
		samples := make([]string, 0, min(5, n))
		for _, e := range p.emails[:min(5, n)] {
			samples = append(samples, maskEmail(e))
		}
		f.Details = map[string]any{"type": "email", "count": n, "masked": samples}
		f.Description = fmt.Sprintf("The response lists %d personal email address(es) (role mailboxes such "+
			"as support@ are not counted). Email addresses of other users are personal data (GDPR) and feed "+
			"phishing, account enumeration and credential-stuffing; an API should return them only to "+
			"callers entitled to them.", n)
		f.Evidence = r.evidence(fmt.Sprintf("%d email address(es), e.g. %s", n, samples[0]), samples[0])
		r.emit(f)
	}
}

// safeURL masks credentials in a URL's query string for the Location.
func safeURL(raw string, m *mask.Masker) string {
	u, err := url.Parse(raw)
	if err != nil {
		return m.Text(raw)
	}
	u.Fragment = ""
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	if u.RawQuery != "" {
		parts := strings.Split(u.RawQuery, "&")
		for i, p := range parts {
			k, _, ok := strings.Cut(p, "=")
			if ok && credentialParam(k) {
				parts[i] = k + "=" + mask.Placeholder
			}
		}
		u.RawQuery = strings.Join(parts, "&")
	}
	return m.Text(u.String())
}

// endpointPath returns the inventory's path template that matches p, or p
// with id-like segments (numbers, UUIDs, hex ids, the scan's canary token)
// replaced by {id}, so that one endpoint gives one finding.
func endpointPath(t *check.Target, p string) string {
	if p == "" {
		return "/"
	}
	segs := strings.Split(p, "/")
	if t != nil && t.Inventory != nil {
		best, bestScore := "", -1
		for _, op := range t.Inventory.Operations() {
			if score := templateScore(op.Path, segs); score > bestScore {
				best, bestScore = op.Path, score
			}
		}
		if best != "" {
			// A concrete path recorded as an operation still has concrete ids.
			segs = strings.Split(best, "/")
			for i, s := range segs {
				if !strings.HasPrefix(s, "{") && idSegment(s) {
					segs[i] = "{id}"
				}
			}
			return strings.Join(segs, "/")
		}
	}
	token := ""
	if t != nil {
		token = t.Token
	}
	for i, s := range segs {
		if idSegment(s) || token != "" && strings.Contains(s, token) {
			segs[i] = "{id}"
		}
	}
	return strings.Join(segs, "/")
}

// templateScore says how well a path template fits the concrete segments:
// -1 when it does not, else the number of literal segments matched.
func templateScore(tmpl string, segs []string) int {
	ts := strings.Split(tmpl, "/")
	if len(ts) != len(segs) {
		return -1
	}
	score := 0
	for i, s := range ts {
		switch {
		case strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}"):
			if segs[i] == "" {
				return -1
			}
		case s == segs[i]:
			score++
		default:
			return -1
		}
	}
	return score
}

// idSegment reports whether a path segment is an identifier value (after
// dropping the quote or percent sign a probe may have added).
func idSegment(s string) bool {
	s = strings.TrimRight(s, "'\"%")
	if s == "" {
		return false
	}
	if dec, err := url.PathUnescape(s); err == nil {
		s = strings.TrimRight(dec, "'\"%")
	}
	if s == "" {
		return false
	}
	allDigits, allHex := true, true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isDigit(c) {
			allDigits = false
		}
		if !isHex(c) && c != '-' {
			allHex = false
		}
	}
	return allDigits || (allHex && len(s) >= 16 && strings.IndexFunc(s, func(r rune) bool { return r >= '0' && r <= '9' }) >= 0)
}

// Run sends the light probes that make error pages appear; the passive
// Inspect, which the scan calls on every exchange, reports what comes back.
func (c *Check) Run(ctx context.Context, t *check.Target, cl *engine.Client, emit check.Emit) error {
	for _, u := range probeURLs(t) {
		if ctx.Err() != nil {
			return nil
		}
		_, err := cl.Do(ctx, engine.Request{Method: "GET", URL: u, Check: ID})
		if err != nil && (errors.Is(err, engine.ErrBudgetExhausted) || errors.Is(err, engine.ErrDurationExceeded) ||
			errors.Is(err, engine.ErrTargetFailing) || ctx.Err() != nil) {
			return nil
		}
	}
	return nil
}
