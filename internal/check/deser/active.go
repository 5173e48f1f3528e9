package deser

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/parapet-scanner/parapet/internal/check"
	"github.com/parapet-scanner/parapet/internal/check/deser/canary"
	"github.com/parapet-scanner/parapet/internal/engine"
	"github.com/parapet-scanner/parapet/internal/evidence"
	"github.com/parapet-scanner/parapet/internal/finding"
	"github.com/parapet-scanner/parapet/internal/inventory"
	"github.com/parapet-scanner/parapet/internal/mask"
	"github.com/parapet-scanner/parapet/internal/sniff"
)

// activeBudget bounds the active proofs of one scan.
type activeBudget struct {
	recorded int  // locations where a blob was seen
	likely   int  // locations chosen by name only
	requests int  // requests of the whole proof phase
	corrupt  bool // send a truncated blob, fetch baselines, judge differentials
	formats  bool // on likely locations, every format's canary, not only pickle
}

// budgets by profile. On quick, blobs already seen get their canary only;
// standard adds the truncated blob and up to 8 likely locations; deep
// doubles the locations and tries every format where no blob was seen.
var budgets = map[string]activeBudget{
	check.ProfileQuick:    {recorded: 8, likely: 0, requests: 10},
	check.ProfileStandard: {recorded: 8, likely: 8, requests: 64, corrupt: true},
	check.ProfileDeep:     {recorded: 16, likely: 16, requests: 240, corrupt: true, formats: true},
}

// errBudget stops the proofs when their share of requests is spent.
var errBudget = errors.New("deserialization proof budget spent")

// variant is one value sent to a location.
type variant struct {
	kind    canary.Kind  // the canary shape; "" for a truncated blob
	format  sniff.Format // the format whose errors the answer may show
	value   string       // the whole value sent
	ref     string       // what the canary names
	enc     string       // its encoding chain
	label   string       // for notes
	corrupt bool
}

// tried is a variant and the answer it got.
type tried struct {
	v  variant
	ex *engine.Exchange
}

// prover runs the proofs of one scan.
type prover struct {
	st    *scanState
	t     *check.Target
	cl    *engine.Client
	emit  check.Emit
	b     activeBudget
	left  int
	names canary.Names
}

// runActive proves the locations recorded so far, then likely ones.
func (c *Check) runActive(ctx context.Context, t *check.Target, cl *engine.Client, emit check.Emit) error {
	if cl == nil {
		return nil
	}
	b, ok := budgets[t.Profile]
	if !ok {
		b = budgets[check.ProfileStandard]
	}
	st := c.state(t)
	p := &prover{st: st, t: t, cl: cl, emit: emit, b: b, left: b.requests, names: st.proofs.names}
	p.specLocations()
	for _, l := range p.plan() {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := p.prove(ctx, l); err != nil {
			if errors.Is(err, errBudget) || engine.IsPolicy(err) {
				return nil // the budget or the engine said stop
			}
			return err
		}
	}
	return nil
}

// plan returns the locations to prove, recorded blobs first, within budget.
func (p *prover) plan() []*location {
	var blobs, likely []*location
	seen := map[string]bool{}
	for _, l := range p.st.snapshot() {
		if l.match == nil || !p.probeable(l) {
			continue
		}
		seen[l.key] = true
		if len(blobs) < p.b.recorded {
			blobs = append(blobs, l)
		}
	}
	if p.b.likely > 0 {
		for _, l := range p.likelyLocations() {
			if seen[l.key] || !p.probeable(l) {
				continue
			}
			seen[l.key] = true
			likely = append(likely, l)
		}
		stableSortByRank(likely)
		if len(likely) > p.b.likely {
			likely = likely[:p.b.likely]
		}
	}
	return append(blobs, likely...)
}

// probeable reports whether a location can be probed under the policy: GET
// for query, cookie and header; documented bodies only with --active.
func (p *prover) probeable(l *location) bool {
	switch l.in {
	case finding.InQuery, finding.InCookie, finding.InHeader:
		return l.method == http.MethodGet
	case finding.InBody:
		return p.cl.Active() && l.op != nil
	}
	return false
}

func stableSortByRank(ls []*location) {
	sort.SliceStable(ls, func(i, j int) bool {
		if ls[i].rank != ls[j].rank {
			return ls[i].rank < ls[j].rank
		}
		return ls[i].key < ls[j].key
	})
}

// specLocations records the parameters whose documented examples are
// serialized objects: the spec says the API takes them.
func (p *prover) specLocations() {
	inv := p.t.Inventory
	if inv == nil {
		return
	}
	for _, op := range inv.Operations() {
		if op.StateChanging {
			continue // never probe an operation that names a state change
		}
		for _, prm := range op.Parameters {
			if len(prm.Example) < minValueLen {
				continue
			}
			l, ok := paramLocation(op, prm)
			if !ok {
				continue
			}
			for _, m := range sniff.Sniff(prm.Example) {
				if _, known := formats[m.Format]; !known {
					continue
				}
				m := m
				l.value, l.match, l.rank, l.origin = prm.Example, &m, rankSpec, "documented example"
				p.st.record(l)
				break
			}
		}
	}
}

// paramLocation is the location of a documented parameter.
func paramLocation(op inventory.Operation, prm inventory.Parameter) (location, bool) {
	l := location{host: originOf(op.URL), in: prm.In, param: prm.Name, method: op.Method, urls: []string{op.URL}, path: op.Path}
	switch prm.In {
	case finding.InQuery:
		if op.Method != http.MethodGet {
			return l, false
		}
	case finding.InCookie, finding.InHeader:
		if op.Method != http.MethodGet || (prm.In == finding.InHeader && !reusableHeader(prm.Name)) {
			return l, false
		}
		l.path = "/"
	case finding.InBody:
		switch op.Method {
		case http.MethodPost, http.MethodPut, http.MethodPatch:
		default:
			return l, false
		}
		o := op
		l.op = &o
	default:
		return l, false
	}
	if l.path == "" {
		l.path = "/"
	}
	if l.host == "" {
		return l, false
	}
	l.key = locKey(l.host, l.in, l.method, l.path, l.param)
	return l, true
}

// likelyLocations lists cookies the site set, the user's cookies, and
// documented or given parameters whose names often carry serialized state.
func (p *prover) likelyLocations() []*location {
	var out []*location
	add := func(l location, pos int) {
		l.rank = rankLikely + pos
		if l.host == "" {
			return
		}
		if l.key == "" {
			l.key = locKey(l.host, l.in, l.method, l.path, l.param)
		}
		l.urls = sameOrigin(l.urls, l.host)
		out = append(out, &l)
	}
	for name, ck := range p.st.seenCookies() {
		if pos := likelyName(name, likelyCookieNames); pos >= 0 {
			add(location{host: ck.host, in: finding.InCookie, param: name, method: http.MethodGet, urls: []string{ck.url}, path: "/",
				value: ck.value, origin: "cookie set by the server, named like serialized state"}, pos)
		}
	}
	for _, v := range p.t.Headers.Values("Cookie") {
		for _, ck := range (&http.Request{Header: http.Header{"Cookie": {v}}}).Cookies() {
			if pos := likelyName(ck.Name, likelyCookieNames); pos >= 0 {
				add(location{host: targetOrigin(p.t), in: finding.InCookie, param: ck.Name, method: http.MethodGet, path: "/",
					value: ck.Value, origin: "cookie given to the scan, named like serialized state"}, pos)
			}
		}
	}
	if p.t.Inventory != nil {
		for _, op := range p.t.Inventory.Operations() {
			if op.StateChanging {
				continue
			}
			for _, prm := range op.Parameters {
				list := likelyParamNames
				if prm.In == finding.InCookie {
					list = likelyCookieNames
				}
				pos := likelyName(prm.Name, list)
				if pos < 0 || prm.In == finding.InHeader {
					continue
				}
				l, ok := paramLocation(op, prm)
				if !ok {
					continue
				}
				l.value, l.origin = prm.Example, "parameter named like serialized state"
				if op.Source == inventory.SourceUser {
					l.origin = "parameter of the scanned URL, named like serialized state"
				}
				add(l, pos)
			}
		}
	}
	return out
}

// prove sends a location its canaries, then (standard and deep) a truncated
// blob, and judges the answers.
func (p *prover) prove(ctx context.Context, l *location) error {
	canaries, corrupt := p.variants(l)
	if len(canaries) == 0 {
		return nil
	}
	got, done, err := p.sendCanaries(ctx, l, canaries)
	if done || err != nil {
		return err
	}
	// A cookie or header is read where the application reads it: when the
	// first URL shows nothing, the first canary goes to the next one.
	if (l.in == finding.InCookie || l.in == finding.InHeader) && len(l.urls) > 1 {
		other := *l
		other.urls = l.urls[1:2]
		if _, done, err := p.sendCanaries(ctx, &other, canaries[:1]); done || err != nil {
			return err
		}
	}
	var cut *tried
	if p.b.corrupt && corrupt != nil {
		ex, err := p.send(ctx, l, corrupt.value, false)
		if err != nil {
			return err
		}
		if ex != nil {
			cut = &tried{*corrupt, ex}
		}
	}
	if done, err := p.judgeError(ctx, l, got, cut); done || err != nil {
		return err
	}
	if wholeBlob(l) && p.b.corrupt && cut != nil && len(got) > 0 {
		return p.judgeDifferential(ctx, l, got[0], *cut)
	}
	return nil
}

// sendCanaries sends the canaries to l until one is confirmed (done).
func (p *prover) sendCanaries(ctx context.Context, l *location, canaries []variant) ([]tried, bool, error) {
	var got []tried
	for _, v := range canaries {
		ex, err := p.send(ctx, l, v.value, false)
		if err != nil {
			return got, false, err
		}
		if ex == nil {
			continue
		}
		got = append(got, tried{v, ex})
		sig, proof := p.st.proofs.confirmed(v.kind, ex.Body), proofConfirmed
		if sig == "" {
			sig, proof = p.st.proofs.restricted(v.kind, ex.Body), proofRestricted
		}
		if sig != "" {
			// The baseline only adds evidence: the proof stands without it,
			// and a body baseline would be one more state-changing request.
			base, err := l.baseline, error(nil)
			if l.in != finding.InBody {
				base, err = p.baseline(ctx, l)
			}
			if err != nil {
				return got, true, ignoreBudget(err)
			}
			var ctl *tried
			if proof == proofConfirmed && v.kind == canary.Java && p.b.corrupt {
				// A JEP 290 allow-list filter lets ObjectInputStream report
				// a missing class before it rejects it: the control (an
				// empty ArrayList) tells whether a filter is in place.
				ctl, err = p.control(ctx, l, tried{v, ex})
				if err != nil && !errors.Is(err, errBudget) {
					return got, true, err
				}
				if ctl != nil && bytes.Contains(ctl.ex.Body, []byte(serialFilterRejected)) {
					proof = proofFiltered
				} else {
					ctl = nil
				}
			}
			p.reportWith(l, proof, sig, tried{v, ex}, base, nil, ctl)
			return got, true, nil
		}
	}
	return got, false, nil
}

// judgeError reports a format-specific deserializer error that an answer to
// a canary or truncated blob shows and the baseline answer does not.
func (p *prover) judgeError(ctx context.Context, l *location, got []tried, cut *tried) (bool, error) {
	all := got
	if cut != nil {
		all = append(append([]tried(nil), got...), *cut)
	}
	for _, tr := range all {
		sig := deserializerError(tr.v.format, tr.ex.Body)
		if sig == "" {
			continue
		}
		base, err := p.baseline(ctx, l)
		if err != nil && !errors.Is(err, errBudget) {
			return true, err
		}
		if base == nil || bytes.Contains(base.Body, []byte(sig)) {
			return false, nil // no baseline to compare, or the page always says it
		}
		p.report(l, proofError, sig, tr, base, cut)
		return true, nil
	}
	return false, nil
}

// judgeDifferential reports a blob location whose original value gets an
// ordinary answer while both the canary and the truncated blob make the
// server fail, twice for the canary. No deserializer named anything, so the
// finding stays firm at most.
func (p *prover) judgeDifferential(ctx context.Context, l *location, can, cut tried) error {
	if !serverError(can.ex) || !serverError(cut.ex) {
		return nil
	}
	base, err := p.baseline(ctx, l)
	if err != nil || base == nil || base.Status < 200 || base.Status >= 400 {
		// Only an ordinary (2xx or 3xx) answer to the original value makes
		// the errors of the canary and the truncated blob stand out: a 4xx
		// baseline means the value was already refused.
		return ignoreBudget(err)
	}
	again, err := p.send(ctx, l, can.v.value, false)
	if err != nil || again == nil || !serverError(again) || again.Status != can.ex.Status {
		return ignoreBudget(err)
	}
	sig := fmt.Sprintf("HTTP %d for the original value; HTTP %d for the canary (twice) and HTTP %d for the truncated blob",
		base.Status, can.ex.Status, cut.ex.Status)
	ctl, err := p.control(ctx, l, can)
	if err != nil {
		return ignoreBudget(err)
	}
	if ctl != nil && controlAccepted(ctl.ex, base) {
		sig = fmt.Sprintf("HTTP %d for a control naming the existing class %s; HTTP %d (twice) for the same document naming the missing class %s; HTTP %d for the original value",
			ctl.ex.Status, ctl.v.ref, can.ex.Status, can.v.ref, base.Status)
		p.reportWith(l, proofClassExistence, sig, can, base, &cut, ctl)
		return nil
	}
	p.report(l, proofDifferential, sig, can, base, &cut)
	return nil
}

// control sends the control of the canary's kind, in the canary's encoding
// and at the same place in the value: the same document naming an inert
// standard-library class that exists. Nil when the kind has none.
func (p *prover) control(ctx context.Context, l *location, can tried) (*tried, error) {
	m := l.match
	if m == nil || m.Start < 0 || m.End > len(l.value) || m.Start >= m.End {
		return nil, nil
	}
	chain, payload, err := canary.ParseChain(m.Encoding, l.value[m.Start:m.End])
	if err != nil {
		return nil, nil
	}
	c, ok := canary.ControlFor(can.v.kind, canary.Options{PickleProtocol: pickleProtocol(payload)})
	if !ok {
		return nil, nil
	}
	enc, err := chain.Encode(c.Data)
	if err != nil {
		return nil, nil
	}
	v := variant{kind: can.v.kind, format: can.v.format, value: canary.Splice(l.value, m.Start, m.End, enc), ref: c.Ref, enc: chain.String(),
		label: fmt.Sprintf("%s control naming the existing class %s (%s)", kindLabel[c.Kind], c.Ref, chain.String())}
	ex, err := p.sendWith(ctx, l, v.value, false, true)
	if err != nil || ex == nil {
		return nil, err
	}
	if fromCache(ex) {
		return nil, nil // a cache answered, not the application
	}
	return &tried{v, ex}, nil
}

// fromCache reports whether a cache, not the application, answered: an
// Age above 0, or an X-Cache or CF-Cache-Status that says HIT.
func fromCache(ex *engine.Exchange) bool {
	if ex == nil {
		return false
	}
	if n, err := strconv.Atoi(strings.TrimSpace(ex.Header.Get("Age"))); err == nil && n > 0 {
		return true
	}
	for _, h := range []string{"X-Cache", "CF-Cache-Status", "X-Cache-Status", "X-Proxy-Cache"} {
		for _, v := range ex.Header.Values(h) {
			if strings.Contains(strings.ToUpper(v), "HIT") {
				return true
			}
		}
	}
	return false
}

// controlAccepted: the control got an ordinary answer of the same class as
// the original value's (2xx or 3xx), not an error.
func controlAccepted(ctl, base *engine.Exchange) bool {
	return ctl != nil && ctl.OK() && base != nil && ctl.Status >= 200 && ctl.Status < 400 && ctl.Status/100 == base.Status/100
}

// wholeBlob reports whether a blob was seen and is the whole value. A blob
// that is one segment of a signed token (Django or itsdangerous signing, a
// JWT) makes the server reject any change on the signature, before any
// deserializer sees it, so a differential there says nothing.
func wholeBlob(l *location) bool {
	if l.match == nil {
		return false
	}
	t, off := strings.TrimSpace(l.value), 0
	if t != "" {
		off = strings.Index(l.value, t)
	}
	return l.match.Start <= off && l.match.End >= off+len(t)
}

func ignoreBudget(err error) error {
	if errors.Is(err, errBudget) {
		return nil
	}
	return err
}

// serverError: the server failed on the input (not a gateway or throttling).
func serverError(ex *engine.Exchange) bool {
	return ex != nil && ex.OK() && ex.Status >= 500 && ex.Status != http.StatusBadGateway &&
		ex.Status != http.StatusServiceUnavailable && ex.Status != http.StatusGatewayTimeout
}

// baseline returns an answer to the original value (or to the request
// without the value when none was seen), sending it on standard and deep
// when no such answer was observed.
func (p *prover) baseline(ctx context.Context, l *location) (*engine.Exchange, error) {
	if l.baseline != nil && (len(l.urls) == 0 || sameEndpoint(l.baseline.URL, l.urls[0])) {
		return l.baseline, nil
	}
	if !p.b.corrupt {
		return nil, nil
	}
	ex, err := p.send(ctx, l, l.value, true)
	if err != nil {
		return nil, err
	}
	l.baseline = ex
	return ex, nil
}

// sameEndpoint compares scheme, host and path.
func sameEndpoint(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	return err1 == nil && err2 == nil && ua.Scheme == ub.Scheme && ua.Host == ub.Host && ua.Path == ub.Path
}

// send puts value at the location (for the baseline, the original value or
// none) and sends the request. Transport failures return a nil exchange and
// no error; policy refusals and the budget return an error.
func (p *prover) send(ctx context.Context, l *location, value string, original bool) (*engine.Exchange, error) {
	return p.sendWith(ctx, l, value, original, original)
}

// sendWith is send; noCache asks caches on the way for a fresh answer
// (Cache-Control and Pragma no-cache), for the baseline and the control,
// whose answers are compared with the canary's.
func (p *prover) sendWith(ctx context.Context, l *location, value string, original, noCache bool) (*engine.Exchange, error) {
	if p.left <= 0 {
		return nil, errBudget
	}
	req, ok := p.request(l, value, original)
	if !ok {
		return nil, nil
	}
	if noCache {
		req.Header.Set("Cache-Control", "no-cache")
		req.Header.Set("Pragma", "no-cache")
	}
	if !original {
		p.st.markSent(value)
	}
	p.left--
	ex, err := p.cl.Do(ctx, req)
	if err != nil {
		if engine.IsPolicy(err) {
			if errors.Is(err, engine.ErrOutOfScope) || errors.Is(err, engine.ErrMethodNotAllowed) || errors.Is(err, engine.ErrBadURL) {
				return nil, nil // this location only
			}
			return nil, err
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, nil
	}
	return ex, nil
}

// request builds the probe of a location: the same URL, the other
// parameters, cookies and headers as they were, and only this value changed.
func (p *prover) request(l *location, value string, original bool) (engine.Request, bool) {
	raw := ""
	if len(l.urls) > 0 {
		raw = l.urls[0]
	}
	if raw == "" && p.t.URL != nil {
		raw = p.t.URL.String()
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return engine.Request{}, false
	}
	if l.host == "" || originOf(raw) != l.host {
		// A value seen on one host, and everything made from it, is sent
		// to that host only.
		return engine.Request{}, false
	}
	absent := original && value == ""
	req := engine.Request{Method: l.method, Check: "deserialization", NoRedirect: true, Header: http.Header{}}
	switch l.in {
	case finding.InQuery:
		u.RawQuery = setQuery(u.RawQuery, l.param, value, absent)
	case finding.InCookie:
		req.Header.Set("Cookie", cookieHeader(p.t.Headers.Values("Cookie"), l.param, value, absent))
		if req.Header.Get("Cookie") == "" {
			req.Header.Del("Cookie")
		}
	case finding.InHeader:
		if !reusableHeader(l.param) {
			return engine.Request{}, false
		}
		if !absent {
			req.Header.Set(l.param, value)
		}
	case finding.InBody:
		if l.op == nil {
			return engine.Request{}, false
		}
		body, ok := jsonBody(*l.op, l.param, value, absent)
		if !ok {
			return engine.Request{}, false
		}
		req.Body = body
		req.Header.Set("Content-Type", "application/json")
	default:
		return engine.Request{}, false
	}
	req.URL = u.String()
	return req, true
}

// setQuery replaces the first value of param in a raw query (or appends
// it), leaving the other parameters byte for byte; absent removes it.
func setQuery(raw, param, value string, absent bool) string {
	var parts []string
	if raw != "" {
		parts = strings.Split(raw, "&")
	}
	enc := url.QueryEscape(param) + "=" + url.QueryEscape(value)
	done := false
	out := parts[:0:0]
	for _, part := range parts {
		k, _, _ := strings.Cut(part, "=")
		if name, err := url.QueryUnescape(k); err == nil && name == param {
			if done || absent {
				continue
			}
			out = append(out, enc)
			done = true
			continue
		}
		out = append(out, part)
	}
	if !done && !absent {
		out = append(out, enc)
	}
	return strings.Join(out, "&")
}

// cookieHeader rebuilds the Cookie header: the user's cookies with name set
// to value (or removed).
func cookieHeader(user []string, name, value string, absent bool) string {
	var parts []string
	done := false
	for _, v := range user {
		for _, part := range strings.Split(v, ";") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			k, _, _ := strings.Cut(part, "=")
			if strings.TrimSpace(k) == name {
				if done || absent {
					continue
				}
				part = name + "=" + value
				done = true
			}
			parts = append(parts, part)
		}
	}
	if !done && !absent {
		parts = append(parts, name+"="+value)
	}
	return strings.Join(parts, "; ")
}

// jsonBody writes a documented operation's JSON body from its examples,
// with field set to value.
func jsonBody(op inventory.Operation, field, value string, absent bool) ([]byte, bool) {
	obj := map[string]any{}
	for _, prm := range op.Parameters {
		if prm.In != finding.InBody || prm.Name == field {
			continue
		}
		if prm.Example == "" && !prm.Required {
			continue
		}
		obj[prm.Name] = exampleValue(prm)
	}
	if !absent {
		obj[field] = value
	}
	b, err := json.Marshal(obj)
	return b, err == nil
}

// exampleValue turns a documented example into a JSON value of its type.
func exampleValue(prm inventory.Parameter) any {
	ex := prm.Example
	switch prm.Type {
	case "integer", "number":
		if ex == "" {
			return 1
		}
		if n, err := strconv.ParseFloat(ex, 64); err == nil {
			return n
		}
	case "boolean":
		return ex == "true"
	case "object", "array":
		var v any
		if json.Unmarshal([]byte(ex), &v) == nil {
			return v
		}
	}
	if ex == "" {
		return "parapet"
	}
	return ex
}

// variants returns the canaries to send to a location and the truncated
// blob (nil when there is none to make).
func (p *prover) variants(l *location) ([]variant, *variant) {
	if l.match != nil {
		return p.blobVariants(l)
	}
	return p.likelyVariants(l)
}

// blobVariants: canaries of the blob's own format and encoding, spliced
// where the blob sat in the value, and the blob cut to two thirds.
func (p *prover) blobVariants(l *location) ([]variant, *variant) {
	m := l.match
	if m.Start < 0 || m.End > len(l.value) || m.Start >= m.End {
		return nil, nil
	}
	chain, payload, err := canary.ParseChain(m.Encoding, l.value[m.Start:m.End])
	if err != nil || len(payload) == 0 {
		return nil, nil
	}
	align := 0
	if chain.NeedsAlign() {
		align = canary.Base64Align
	}
	var out []variant
	for _, k := range kindsFor(m.Format, payload) {
		o := canary.Options{PickleProtocol: pickleProtocol(payload), TypeKey: jacksonKey(payload), Template: payload, Align: align}
		v, ok := p.canaryVariant(k, o, chain)
		if !ok {
			continue
		}
		v.value = canary.Splice(l.value, m.Start, m.End, v.value)
		v.format = m.Format
		out = append(out, v)
	}
	trunc, ok := canary.Truncate(m.Format, payload, align)
	if !ok {
		return out, nil // no prefix is known to be inert: send no part of the blob
	}
	enc, err := chain.Encode(trunc)
	if err != nil {
		return out, nil
	}
	cut := &variant{format: m.Format, value: canary.Splice(l.value, m.Start, m.End, enc), enc: chain.String(),
		label: "the blob cut before its first class reference", corrupt: true}
	return out, cut
}

// likelyVariants: a pickle canary in base64 and base64url (one request when
// both read the same), on deep every other format, and the pickle canary
// cut short as the corrupted value.
func (p *prover) likelyVariants(l *location) ([]variant, *variant) {
	var out []variant
	seen := map[string]bool{}
	add := func(k canary.Kind, chain canary.Chain) {
		v, ok := p.canaryVariant(k, canary.Options{PickleProtocol: 2, Align: canary.Base64Align}, chain)
		if ok && !seen[v.value] {
			seen[v.value] = true
			out = append(out, v)
		}
	}
	b64 := canary.Chain{{Name: canary.LayerBase64, Pad: true}}
	b64url := canary.Chain{{Name: canary.LayerBase64URL}}
	add(canary.Pickle, b64url)
	add(canary.Pickle, b64)
	if p.b.formats {
		text := canary.Chain(nil) // raw text in a query, header or JSON field
		if l.in == finding.InCookie {
			text = b64 // quotes, spaces and braces do not survive cookie parsers
		}
		add(canary.Java, b64)
		add(canary.RubyMarshal, b64)
		if l.in == finding.InCookie {
			add(canary.PHP, canary.Chain{{Name: canary.LayerPercent}}) // PHP url-decodes cookies
		} else {
			add(canary.PHP, nil)
		}
		for _, k := range []canary.Kind{canary.YAMLPython, canary.YAMLRuby, canary.Jsonpickle, canary.JSONNet, canary.Jackson} {
			add(k, text)
		}
	}
	pk, err := canary.Build(canary.Pickle, p.names, canary.Options{PickleProtocol: 2, Align: canary.Base64Align})
	if err != nil {
		return out, nil
	}
	trunc, ok := canary.Truncate(sniff.PythonPickle, pk.Data, canary.Base64Align)
	if !ok {
		return out, nil
	}
	enc, err := b64url.Encode(trunc)
	if err != nil {
		return out, nil
	}
	return out, &variant{format: sniff.PythonPickle, value: enc, enc: b64url.String(), label: "a pickle canary cut short", corrupt: true}
}

// canaryVariant builds one canary in one encoding chain.
func (p *prover) canaryVariant(k canary.Kind, o canary.Options, chain canary.Chain) (variant, bool) {
	pl, err := canary.Build(k, p.names, o)
	if err != nil {
		return variant{}, false
	}
	enc, err := chain.Encode(pl.Data)
	if err != nil {
		return variant{}, false
	}
	return variant{kind: k, format: kindFormat[k], value: enc, ref: pl.Ref, enc: chain.String(),
		label: fmt.Sprintf("%s canary naming %s (%s)", kindLabel[k], pl.Ref, chain.String())}, true
}

// kindFormat is the sniff format of each canary kind.
var kindFormat = map[canary.Kind]sniff.Format{
	canary.Pickle: sniff.PythonPickle, canary.Java: sniff.JavaSerialized, canary.PHP: sniff.PHPSerialized,
	canary.YAMLPython: sniff.YAMLTags, canary.YAMLRuby: sniff.YAMLTags, canary.YAMLJava: sniff.YAMLTags,
	canary.Jsonpickle: sniff.JSONTypeKey, canary.JSONNet: sniff.JSONTypeKey, canary.Jackson: sniff.JSONTypeKey,
	canary.NodeSerialize: sniff.JSONTypeKey, canary.RubyMarshal: sniff.RubyMarshal,
}

// kindLabel names each canary kind in notes.
var kindLabel = map[canary.Kind]string{
	canary.Pickle: "pickle", canary.Java: "Java serialization", canary.PHP: "PHP serialize",
	canary.YAMLPython: "PyYAML python/name", canary.YAMLRuby: "Psych ruby/object", canary.YAMLJava: "SnakeYAML",
	canary.Jsonpickle: "jsonpickle py/object", canary.JSONNet: "Json.NET $type", canary.Jackson: "Jackson type id",
	canary.NodeSerialize: "node-serialize function", canary.RubyMarshal: "Ruby Marshal",
}

// kindsFor picks the canaries for a blob: its format, and for YAML and JSON
// the library its tags or keys belong to.
func kindsFor(f sniff.Format, payload []byte) []canary.Kind {
	switch f {
	case sniff.PythonPickle:
		return []canary.Kind{canary.Pickle}
	case sniff.JavaSerialized:
		return []canary.Kind{canary.Java}
	case sniff.PHPSerialized:
		return []canary.Kind{canary.PHP}
	case sniff.YAMLTags:
		switch {
		case bytes.Contains(payload, []byte("!ruby/")):
			return []canary.Kind{canary.YAMLRuby}
		case bytes.Contains(payload, []byte("!!python/")) || bytes.Contains(payload, []byte("python/")):
			return []canary.Kind{canary.YAMLPython}
		case bytes.Contains(payload, []byte("!!")):
			return []canary.Kind{canary.YAMLJava}
		}
		return []canary.Kind{canary.YAMLPython}
	case sniff.RubyMarshal:
		return []canary.Kind{canary.RubyMarshal}
	case sniff.JSONTypeKey:
		var ks []canary.Kind
		if bytes.Contains(payload, []byte(canary.NodeMarker)) {
			ks = append(ks, canary.NodeSerialize)
		}
		if bytes.Contains(payload, []byte(`"py/`)) {
			ks = append(ks, canary.Jsonpickle)
		}
		if bytes.Contains(payload, []byte(`"$type"`)) {
			ks = append(ks, canary.JSONNet)
		}
		if bytes.Contains(payload, []byte(`"@class"`)) || bytes.Contains(payload, []byte(`"@type"`)) {
			ks = append(ks, canary.Jackson)
		}
		return ks
	}
	return nil
}

// pickleProtocol is the protocol a pickle announces (0 without PROTO).
func pickleProtocol(payload []byte) int {
	if len(payload) >= 2 && payload[0] == 0x80 && payload[1] <= 5 {
		return int(payload[1])
	}
	return 0
}

// jacksonKey is the type key a Jackson/fastjson document uses.
func jacksonKey(payload []byte) string {
	if !bytes.Contains(payload, []byte(`"@class"`)) && bytes.Contains(payload, []byte(`"@type"`)) {
		return "@type"
	}
	return "@class"
}

// Proof levels, the value of details.proof.
const (
	proofConfirmed    = "canary-class-not-found"
	proofError        = "deserializer-error"
	proofDifferential = "differential"
	// proofClassExistence: a control naming an existing class is accepted
	// where the same document naming a missing class fails.
	proofClassExistence = "class-existence-differential"
	// proofRestricted: a restricted loader (PyYAML FullLoader) looked the
	// canary's name up; it parses the tags but builds no arbitrary object.
	proofRestricted = "restricted-loader"
	// proofFiltered: ObjectInputStream reported the canary's class missing,
	// but a serial filter rejected the control's ordinary class.
	proofFiltered = "serial-filter"
)

// activeTitles are the titles of proven findings, by format.
var activeTitles = map[sniff.Format]string{
	sniff.PythonPickle:   "Server unpickles client-supplied data",
	sniff.JavaSerialized: "Server deserializes client-supplied Java objects",
	sniff.PHPSerialized:  "Server unserializes client-supplied PHP objects",
	sniff.YAMLTags:       "Server loads client-supplied YAML with language tags",
	sniff.JSONTypeKey:    "Server instantiates types named in client-supplied JSON",
	sniff.RubyMarshal:    "Server restores client-supplied Ruby Marshal data",
}

// report emits the proven finding: the same check id and location as the
// passive one, so the scan's merge raises it.
func (p *prover) report(l *location, proof, sig string, hit tried, base *engine.Exchange, cut *tried) {
	p.reportWith(l, proof, sig, hit, base, cut, nil)
}

// reportWith is report with the accepted control of a class-existence
// differential (nil for the other proofs).
func (p *prover) reportWith(l *location, proof, sig string, hit tried, base *engine.Exchange, cut *tried, ctl *tried) {
	t := p.t
	f := hit.v.format
	fi := formats[f]
	if l.match != nil {
		fi = formats[l.match.Format]
		f = l.match.Format
	}
	sev, conf := finding.High, finding.Firm
	if proof == proofConfirmed || proof == proofClassExistence {
		conf, sev = finding.Confirmed, finding.Critical
		if hit.v.kind == canary.Jackson {
			sev = finding.High // Jackson needs a gadget class on the classpath; keep high
		}
	}
	where := describeSite(l.in, l.param)
	method, path, in := siteWide(l.method, l.path, l.in)
	reqURL := hit.ex.URL
	classes := []string{}
	encoding, detail := hit.v.enc, ""
	if l.match != nil {
		classes = append(classes, l.match.Classes...)
		encoding, detail = l.match.Encoding, l.match.Detail
	}
	var desc strings.Builder
	switch proof {
	case proofConfirmed:
		fmt.Fprintf(&desc, "Parapet replaced the %s with a class-not-found canary: %s, a value that only names something that cannot exist (its name carries this scan's token) and calls nothing. "+
			"The server's answer shows the deserializer failing to find exactly that name (%q): the server deserializes this client-controlled value. "+
			"Whoever can change it chooses which classes the server builds, which with this format means remote code execution. ", where, hit.v.label, clip(sig, 120))
	case proofError:
		fmt.Fprintf(&desc, "Parapet sent the %s a deliberately broken value (%s) and the server answered with a deserializer error (%q) that its answer to the original value does not show: "+
			"the server passes this client-controlled value to a deserializer. Whoever can change it chooses which classes are built, which with this format usually means remote code execution. ", where, hit.v.label, sig)
	case proofClassExistence:
		fmt.Fprintf(&desc, "The server hides its errors behind a generic answer, so Parapet compared two documents of the same format and encoding in the %s that differ only in the class they name: "+
			"a control naming %s, an inert standard-library class that exists, and a canary naming %s, which cannot exist (%s). "+
			"The control was accepted like the original value; the canary failed, twice, as did a truncated copy of the blob. "+
			"The only difference is whether the named class exists, so the server resolves classes named in this client-controlled value: it deserializes it. "+
			"Whoever can change it chooses which classes the server builds, which with this format means remote code execution. ", where, ctl.v.ref, hit.v.ref, sig)
	case proofRestricted:
		fmt.Fprintf(&desc, "Parapet replaced the %s with a class-not-found canary (%s). The server's answer (%q) shows PyYAML's FullLoader looking the canary's module up: the server parses language tags in this client-controlled YAML. "+
			"FullLoader (PyYAML 5.4 and later) builds no arbitrary object, so this is not proof of code execution, but older FullLoader versions could be abused and the safe loader refuses these tags outright. ", where, hit.v.label, clip(sig, 120))
	case proofFiltered:
		fmt.Fprintf(&desc, "Parapet replaced the %s with a class-not-found canary (%s) and ObjectInputStream reported the missing class (%q): the server deserializes this client-controlled value. "+
			"A control naming java.util.ArrayList was answered with a serial filter rejection (%q), so a JEP 290 filter limits the classes it builds; the filter's allow-list decides whether gadget classes remain reachable. ", where, hit.v.label, clip(sig, 120), serialFilterRejected)
	case proofDifferential:
		fmt.Fprintf(&desc, "The server accepts the original %s but fails (%s) on a class-not-found canary and on a truncated copy of its own blob, the same way twice. "+
			"No deserializer error was shown, so this is consistent with deserialization of the value but not proof of it. ", where, sig)
	}
	desc.WriteString("The canaries Parapet sends are listed in docs/safety.md; none of them runs code.")
	if l.origin != "" {
		fmt.Fprintf(&desc, " Location: %s (%s).", where, l.origin)
	}

	proofEv := evidence.From(hit.ex, t.Mask, proofNote(proof, hit, where), focusOf(hit.ex, sig))
	proofEv.Request = revealProbe(proofEv.Request, l, hit.v.value)
	var evs []finding.Evidence
	if ctl != nil {
		verdict, focus := ", accepted", ""
		if proof == proofFiltered {
			verdict, focus = ", rejected by a serial filter", serialFilterRejected
		}
		ctlEv := evidence.From(ctl.ex, t.Mask, "control: the "+where+" set to a "+ctl.v.label+"; HTTP "+strconv.Itoa(ctl.ex.Status)+verdict, focus)
		ctlEv.Request = revealProbe(ctlEv.Request, l, ctl.v.value)
		evs = append(evs, ctlEv)
	}
	evs = append(evs, proofEv)
	if base != nil {
		evs = append(evs, evidence.From(base, t.Mask, "baseline: the "+where+" with its original value (HTTP "+strconv.Itoa(base.Status)+")", ""))
	}
	if cut != nil && cut.ex != hit.ex && proof != proofConfirmed {
		evs = append(evs, evidence.From(cut.ex, t.Mask, "corrupted: "+cut.v.label+" (HTTP "+strconv.Itoa(cut.ex.Status)+")", ""))
	}
	details := map[string]any{
		"format":       string(f),
		"encoding":     encoding,
		"classes":      classes,
		"detail":       detail,
		"strong":       true,
		"proof":        proof,
		"canary_kind":  string(hit.v.kind),
		"canary_class": hit.v.ref,
		"canary":       hit.v.value,
		"signature":    sig,
		"origin":       l.origin,
	}
	if hit.v.corrupt {
		details["canary_kind"], details["canary_class"], details["canary"] = "", "", ""
		details["corrupted"] = hit.v.value
	}
	if base != nil {
		details["baseline_status"] = base.Status
	}
	details["probe_status"] = hit.ex.Status
	if ctl != nil {
		details["control"] = ctl.v.value
		details["control_class"] = ctl.v.ref
		details["control_status"] = ctl.ex.Status
	}
	switch proof {
	case proofRestricted:
		details["note"] = "restricted loader: PyYAML FullLoader looked the canary up but builds no arbitrary object (5.4+); not the unsafe loader"
	case proofFiltered:
		details["note"] = "serial filter in place: the canary's class was reported missing, but the control's java.util.ArrayList was rejected by an ObjectInputFilter"
	}
	if proof == proofDifferential {
		details["note"] = "differential only: the server failed on the canary and the truncated blob, not on the original value; no deserializer error named the canary"
	}
	lg := canaryLang(hit.v.kind)
	if l.match != nil {
		lg = matchLang(l.match.Format, l.match.Detail)
	}
	if lg == langAny && hit.v.kind != "" {
		lg = canaryLang(hit.v.kind) // the canary that proved it names the library
	}
	fd := finding.Finding{
		Check:       "deserialization/" + fi.kind,
		Category:    finding.Deserialization,
		Severity:    sev,
		Confidence:  conf,
		Title:       activeTitles[f],
		Description: desc.String(),
		Remediation: remediation(f, lg, t, l.dyn),
		Location:    finding.Location{Method: method, URL: reqURL, Path: path, Param: l.param, In: in},
		Evidence:    evs,
		Details:     details,
		Reproduce:   reproduce(hit.ex, t, l, hit.v.value),
	}
	addStore(&fd, t, l.dyn)
	p.emit(fd)
}

// revealProbe shows the value Parapet sent in the masked request of the
// proving exchange: it is the scan's own canary, not a secret, and without
// it the request would read exactly like the baseline.
func revealProbe(req string, l *location, value string) string {
	masked := mask.Placeholder
	switch l.in {
	case finding.InCookie:
		return replaceInLine(req, "Cookie: ", l.param+"="+masked, l.param+"="+value)
	case finding.InHeader:
		return replaceInLine(req, http.CanonicalHeaderKey(l.param)+": ", masked, value)
	case finding.InQuery:
		first, rest, _ := strings.Cut(req, "\n")
		first = strings.Replace(first, url.QueryEscape(l.param)+"="+masked, url.QueryEscape(l.param)+"="+url.QueryEscape(value), 1)
		if rest == "" {
			return first
		}
		return first + "\n" + rest
	}
	return req
}

// replaceInLine replaces old with repl once, in the first line that starts
// with prefix.
func replaceInLine(text, prefix, old, repl string) string {
	lines := strings.Split(text, "\n")
	for i, ln := range lines {
		if strings.HasPrefix(ln, prefix) && strings.Contains(ln, old) {
			lines[i] = strings.Replace(ln, old, repl, 1)
			break
		}
	}
	return strings.Join(lines, "\n")
}

func proofNote(proof string, hit tried, where string) string {
	switch proof {
	case proofConfirmed:
		return "canary: the " + where + " set to a " + hit.v.label + "; the answer names the canary"
	case proofError:
		return "probe: the " + where + " set to " + hit.v.label + "; the answer shows a deserializer error"
	}
	return "canary: the " + where + " set to a " + hit.v.label + "; HTTP " + strconv.Itoa(hit.ex.Status)
}

// focusOf returns a substring of the body to centre the excerpt on.
func focusOf(ex *engine.Exchange, sig string) string {
	if sig == "" || ex == nil {
		return ""
	}
	s := sig
	if len(s) > 40 {
		s = s[:40]
	}
	if bytes.Contains(ex.Body, []byte(s)) {
		return s
	}
	return ""
}

// reproduce is the curl command of the proving request. Cookie values are
// masked in evidence; the canary's own cookie is this scan's payload, not a
// secret, so it is passed visibly with -b.
func reproduce(ex *engine.Exchange, t *check.Target, l *location, value string) string {
	if l.in != finding.InCookie {
		return evidence.Curl(ex, t.Mask)
	}
	cp := *ex
	cp.RequestHeader = ex.RequestHeader.Clone()
	rest := cookieHeader(cp.RequestHeader.Values("Cookie"), l.param, "", true)
	cp.RequestHeader.Del("Cookie")
	if rest != "" {
		cp.RequestHeader.Set("Cookie", rest)
	}
	curl := evidence.Curl(&cp, t.Mask)
	i := strings.LastIndex(curl, " '")
	if i < 0 {
		return curl
	}
	return curl[:i] + " -b " + shellQuote(l.param+"="+value) + curl[i:]
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// targetOrigin is the origin of the scanned URL, "" without one.
func targetOrigin(t *check.Target) string {
	if t == nil || t.URL == nil {
		return ""
	}
	return originOf(t.URL.String())
}
