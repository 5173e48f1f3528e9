package scan

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/parapet-scanner/parapet/internal/check"
	"github.com/parapet-scanner/parapet/internal/check/registry"
	"github.com/parapet-scanner/parapet/internal/discover"
	"github.com/parapet-scanner/parapet/internal/engine"
	"github.com/parapet-scanner/parapet/internal/evidence"
	"github.com/parapet-scanner/parapet/internal/finding"
	"github.com/parapet-scanner/parapet/internal/fingerprint"
	"github.com/parapet-scanner/parapet/internal/inventory"
	"github.com/parapet-scanner/parapet/internal/mask"
	"github.com/parapet-scanner/parapet/internal/report"
	"github.com/parapet-scanner/parapet/internal/score"
)

// maxEvidencePerFinding bounds how many exchanges one merged finding keeps.
const maxEvidencePerFinding = 3

// pendingBodyBytes bounds the bodies kept for passive analysis of the
// exchanges that arrive before discovery has built the scan's Target.
const pendingBodyBytes = 512 << 10

// ParseTarget validates the URL given to `parapet scan`.
func ParseTarget(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, fmt.Errorf("%w: no target URL given", ErrUsage)
	}
	if !strings.Contains(raw, "://") {
		return nil, fmt.Errorf("%w: URL %q must start with http:// or https://", ErrUsage, raw)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: invalid URL %q: %v", ErrUsage, raw, errors.Unwrap(err))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%w: URL %q must start with http:// or https://", ErrUsage, raw)
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("%w: URL %q has no host", ErrUsage, raw)
	}
	if u.User != nil {
		return nil, fmt.Errorf("%w: URL %q carries credentials; use --auth or --header instead", ErrUsage, u.Redacted())
	}
	if p := u.Port(); p != "" {
		var n int
		if _, err := fmt.Sscanf(p, "%d", &n); err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("%w: URL %q has an invalid port", ErrUsage, raw)
		}
	}
	if u.Path == "" {
		u.Path = "/"
	}
	u.Fragment = ""
	return u, nil
}

// SelectChecks returns the registered checks that --checks and --skip-checks
// leave, and the kind ids to keep (nil: all kinds of the selected checks).
// An id may name a check ("data-exposure") or a kind ("data-exposure/secret").
func SelectChecks(all []check.Check, only, skip []string) ([]check.Check, map[string]bool, error) {
	known := map[string]bool{}
	for _, c := range all {
		known[c.ID()] = true
		for _, k := range c.Kinds() {
			known[k.ID] = true
		}
	}
	for _, id := range append(append([]string(nil), only...), skip...) {
		if !known[id] {
			return nil, nil, fmt.Errorf("%w: unknown check %q (see `parapet checks`)", ErrUsage, id)
		}
	}
	if len(only) == 0 && len(skip) == 0 {
		return all, nil, nil
	}
	want := func(id string, list []string) bool {
		for _, x := range list {
			if x == id {
				return true
			}
		}
		return false
	}
	kinds := map[string]bool{}
	var out []check.Check
	for _, c := range all {
		kept := false
		for _, k := range c.Kinds() {
			in := len(only) == 0 || want(c.ID(), only) || want(k.ID, only)
			if in && !want(c.ID(), skip) && !want(k.ID, skip) {
				kinds[k.ID] = true
				kept = true
			}
		}
		if kept {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return nil, nil, fmt.Errorf("%w: --checks and --skip-checks leave no check to run", ErrUsage)
	}
	return out, kinds, nil
}

// scanner is the state of one running scan.
type scanner struct {
	cfg    Config
	checks []check.Check
	kinds  map[string]bool
	mask   *mask.Masker
	stack  *fingerprint.Stack

	mu       sync.Mutex
	target   *check.Target
	pending  []*engine.Exchange
	findings map[string]*finding.Finding
	order    []string
}

// Run performs one scan. On ErrInterrupted it still returns the partial report.
func Run(ctx context.Context, cfg Config) (*report.Report, error) {
	start, err := ParseTarget(cfg.Target)
	if err != nil {
		return nil, err
	}
	if cfg.Selection.Profile == "" {
		cfg.Selection.Profile = check.ProfileStandard
	}
	checks, kinds, err := SelectChecks(registry.All(), cfg.Selection.Checks, cfg.Selection.SkipChecks)
	if err != nil {
		return nil, err
	}
	now := cfg.Runtime.Now
	if now == nil {
		now = time.Now
	}
	token, err := newToken(cfg.Runtime.Rand)
	if err != nil {
		return nil, err
	}
	s := &scanner{cfg: cfg, checks: checks, kinds: kinds, mask: &mask.Masker{}, stack: fingerprint.NewStack(),
		findings: map[string]*finding.Finding{}}
	registerSecrets(s.mask, cfg.Inputs.Headers, start)
	began := now()
	progress := func(e Event) {
		if cfg.Runtime.Progress != nil {
			cfg.Runtime.Progress(e)
		}
	}

	client, err := engine.New(engine.Options{
		Scope: engine.Scope{Hosts: append(targetHosts(start), cfg.Scope.AllowHosts...),
			ExcludePaths: cfg.Scope.ExcludePaths, SpecHosts: specHosts(cfg.Inputs.Spec)},
		Budget:      cfg.Budget,
		Active:      cfg.Scope.Active,
		UserAgent:   "parapet/" + cfg.Runtime.Version,
		Headers:     cfg.Inputs.Headers,
		Insecure:    cfg.Scope.Insecure,
		DialContext: cfg.Runtime.DialContext,
		Transport:   cfg.Runtime.Transport,
		Now:         cfg.Runtime.Now,
		Observe:     s.observe,
	})
	if err != nil {
		return nil, err
	}
	if d := cfg.Budget.MaxDuration; d > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d+5*time.Second)
		defer cancel()
	}

	var warnings []string
	var warnMu sync.Mutex
	warn := func(w string) {
		warnMu.Lock()
		defer warnMu.Unlock()
		warnings = append(warnings, w)
	}
	progress(Event{Phase: "discover", Message: "discovering " + start.Redacted()})
	res, derr := discover.Run(ctx, client, start, discover.Options{
		Spec:          cfg.Inputs.Spec,
		Profile:       cfg.Selection.Profile,
		AllowRefFiles: cfg.Scope.AllowRefFiles,
		Warn:          warn,
		Progress:      func(m string) { progress(Event{Phase: "discover", Message: m, Requests: client.Stats().Requests}) },
	})
	interrupted := false
	switch {
	case ctx.Err() != nil && errors.Is(context.Cause(ctx), context.Canceled):
		interrupted = true
	case derr != nil && errors.Is(derr, discover.ErrSpec):
		return nil, fmt.Errorf("%w: %v", ErrUsage, derr)
	case derr != nil && errors.Is(derr, discover.ErrUnreachable):
		return nil, fmt.Errorf("%w: %s: %s", ErrCannotRun, start.Redacted(), engine.DescribeNetError(derr))
	case derr != nil:
		return nil, fmt.Errorf("%w: %v", ErrCannotRun, derr)
	}
	inv := inventory.New(start)
	if res != nil && res.Inventory != nil {
		inv = res.Inventory
	}
	if res != nil && res.Stack != nil {
		for _, t := range res.Stack.List() {
			s.stack.Add(t)
		}
	}
	if res != nil && res.Root != nil && res.Root.Status >= 400 {
		warn(fmt.Sprintf("the start URL answered HTTP %d; check the URL: findings only cover what Parapet could reach", res.Root.Status))
	}
	target := &check.Target{URL: start, Inventory: inv, Stack: s.stack, Headers: cfg.Inputs.Headers,
		Profile: cfg.Selection.Profile, Token: token, Mask: s.mask}
	s.setTarget(target)

	if !interrupted {
		progress(Event{Phase: "baseline", Message: fmt.Sprintf("requesting %d operations once", inv.Len()), Requests: client.Stats().Requests})
		if left := baseline(ctx, client, inv, cfg.Selection.Profile, cfg.Budget.Concurrency); left > 0 {
			warn(fmt.Sprintf("the %s profile requests at most %d operations once each; %d more were found but not requested (use --profile deep)",
				cfg.Selection.Profile, baselineCap[cfg.Selection.Profile], left))
		}
		interrupted = ctx.Err() != nil && errors.Is(context.Cause(ctx), context.Canceled)
	}
	if !interrupted {
		progress(Event{Phase: "probe", Message: fmt.Sprintf("running %d checks on %d operations", len(checks), inv.Len()),
			Requests: client.Stats().Requests, ChecksTotal: len(checks)})
		var wg sync.WaitGroup
		var doneMu sync.Mutex
		done := 0
		for _, c := range checks {
			wg.Add(1)
			go func(c check.Check) {
				defer wg.Done()
				defer func() {
					if r := recover(); r != nil {
						warn(fmt.Sprintf("check %s failed: %v", c.ID(), r))
					}
				}()
				if err := c.Run(ctx, target, client, s.emit); err != nil && !engine.IsPolicy(err) && ctx.Err() == nil {
					warn(fmt.Sprintf("check %s: %v", c.ID(), err))
				}
				doneMu.Lock()
				done++
				progress(Event{Phase: "probe", Message: c.ID() + " done", Requests: client.Stats().Requests,
					ChecksDone: done, ChecksTotal: len(checks)})
				doneMu.Unlock()
			}(c)
		}
		wg.Wait()
		if ctx.Err() != nil && errors.Is(context.Cause(ctx), context.Canceled) {
			interrupted = true
		}
	}

	progress(Event{Phase: "judge", Requests: client.Stats().Requests})
	rep := s.judge(began, now(), client, warnings, interrupted)
	rep.Stats.Interrupted = interrupted
	if interrupted {
		rep.Warnings = append(rep.Warnings, "the scan was interrupted; this report is partial")
		return rep, ErrInterrupted
	}
	progress(Event{Phase: "done", Requests: client.Stats().Requests})
	return rep, nil
}

// Baseline caps: how many operations get one plain request each, by profile.
var baselineCap = map[string]int{check.ProfileQuick: 50, check.ProfileStandard: 300, check.ProfileDeep: 1000}

// baseline requests every safe operation of the inventory once, as documented
// or found, so that passive checks see each response even when no active
// check probes it. URLs discovery already fetched are not requested again.
// It returns how many operations the profile's cap left out.
func baseline(ctx context.Context, c *engine.Client, inv *inventory.Inventory, profile string, workers int) int {
	seen := map[string]bool{}
	for _, ex := range c.Exchanges() {
		if ex.Method == http.MethodGet {
			seen[ex.URL] = true
		}
	}
	var urls []string
	for _, op := range inv.Operations() {
		if op.Method != http.MethodGet || op.URL == "" || op.StateChanging || seen[op.URL] {
			continue // a GET /logout from a spec is still never sent
		}
		seen[op.URL] = true
		urls = append(urls, op.URL)
	}
	left := 0
	if max := baselineCap[profile]; max > 0 && len(urls) > max {
		left = len(urls) - max
		urls = urls[:max]
	}
	if workers < 1 {
		workers = engine.DefaultConcurrency
	}
	jobs := make(chan string)
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for u := range jobs {
				_, _ = c.Do(ctx, engine.Request{URL: u, Check: "baseline"})
			}
		}()
	}
	for _, u := range urls {
		if ctx.Err() != nil {
			break
		}
		jobs <- u
	}
	close(jobs)
	wg.Wait()
	return left
}

// registerSecrets tells the masker every credential the user handed over:
// whole values of credential headers, their parts (the token after "Bearer ",
// each cookie's value) and credential-named query values of the target URL,
// so that none of them shows up in evidence even when the target echoes it.
func registerSecrets(m *mask.Masker, h http.Header, target *url.URL) {
	for k, vs := range h {
		if !mask.IsSensitiveHeader(k) {
			continue
		}
		for _, v := range vs {
			m.AddSecret(v)
			if _, after, ok := strings.Cut(v, " "); ok {
				m.AddSecret(after)
			}
			for _, part := range strings.Split(v, ";") {
				if _, val, ok := strings.Cut(part, "="); ok {
					m.AddSecret(strings.Trim(strings.TrimSpace(val), `"`))
				}
			}
		}
	}
	for k, vs := range target.Query() {
		if mask.IsSensitiveHeader(k) {
			for _, v := range vs {
				m.AddSecret(v)
			}
		}
	}
}

// targetHosts is the target's part of the scope: its host on its own port and
// on the standard HTTP and HTTPS ports (where the http-to-https redirect and
// its reverse live), but not on any other port, which is another service.
func targetHosts(u *url.URL) []string {
	h := u.Hostname()
	if strings.Contains(h, ":") {
		h = "[" + h + "]"
	}
	return []string{h + ":" + engine.Port(u), h + ":80", h + ":443"}
}

// specHosts returns the host of an explicit --spec URL: in scope for the
// spec and its $refs only (DESIGN.md, Scope).
func specHosts(spec string) []string {
	if !strings.Contains(spec, "://") {
		return nil
	}
	u, err := url.Parse(spec)
	if err != nil || u.Hostname() == "" {
		return nil
	}
	return []string{u.Host}
}

func newToken(r io.Reader) (string, error) {
	if r == nil {
		r = rand.Reader
	}
	b := make([]byte, 5)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("random token: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// observe runs on every exchange: fingerprinting and passive checks.
func (s *scanner) observe(ex *engine.Exchange) {
	s.mu.Lock()
	t := s.target
	if t == nil {
		c := *ex
		if len(c.Body) > pendingBodyBytes {
			c.Body = append([]byte(nil), c.Body[:pendingBodyBytes]...) // free the rest
		}
		s.pending = append(s.pending, &c)
		s.mu.Unlock()
		return
	}
	s.mu.Unlock()
	s.inspect(t, ex)
}

func (s *scanner) inspect(t *check.Target, ex *engine.Exchange) {
	if !ex.OK() {
		return
	}
	for _, tech := range fingerprint.Detect(ex) {
		s.stack.Add(tech)
	}
	for _, c := range s.checks {
		if d, ok := c.(check.StackDetector); ok {
			for _, tech := range d.DetectStack(ex) {
				s.stack.Add(tech)
			}
		}
	}
	for _, c := range s.checks {
		if p, ok := c.(check.Passive); ok {
			p.Inspect(t, ex, s.emit)
		}
	}
}

// setTarget makes the target known and analyses the exchanges that came before.
func (s *scanner) setTarget(t *check.Target) {
	s.mu.Lock()
	s.target = t
	pending := s.pending
	s.pending = nil
	s.mu.Unlock()
	for _, ex := range pending {
		s.inspect(t, ex)
	}
}

// emit receives findings from checks: it normalizes them and merges
// duplicates (same id) with finding.Merge: the strongest proof leads.
func (s *scanner) emit(f finding.Finding) {
	if s.kinds != nil && !s.kinds[f.Check] {
		return
	}
	f.Normalize()
	f.Location.URL = evidence.URL(f.Location.URL, s.mask)
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.findings[f.ID]
	if !ok {
		s.findings[f.ID] = &f
		s.order = append(s.order, f.ID)
		return
	}
	old.Merge(f, maxEvidencePerFinding)
}

func (s *scanner) judge(began, ended time.Time, client *engine.Client, warnings []string, interrupted bool) *report.Report {
	s.mu.Lock()
	fs := make([]finding.Finding, 0, len(s.order))
	for _, id := range s.order {
		fs = append(fs, *s.findings[id])
	}
	s.mu.Unlock()
	report.SortFindings(fs)
	st := client.Stats()
	allWarnings := append(append([]string(nil), warnings...), client.Warnings()...)
	// A category counts as tested only when its checks ran to the end: in a
	// partial scan, a category without findings proves nothing.
	tested := map[finding.Category]bool{}
	partial := interrupted || st.BudgetExhausted || st.DurationExceeded || st.TargetFailing
	if !partial {
		for _, c := range s.checks {
			tested[c.Category()] = true
		}
	} else {
		allWarnings = append(allWarnings, "the scan did not finish: categories without findings are shown as not tested")
	}
	sc := score.Compute(fs, tested)
	return &report.Report{
		SchemaVersion: report.SchemaVersion,
		Tool:          report.Tool{Name: "parapet", Version: s.cfg.Runtime.Version},
		Target:        evidence.URL(s.cfg.Target, s.mask),
		StartedAt:     began.UTC(),
		DurationMS:    ended.Sub(began).Milliseconds(),
		Score:         sc.Score,
		Grade:         sc.Grade,
		Categories:    sc.Categories,
		Stack:         s.stack.List(),
		Stats: report.Stats{
			Requests: st.Requests, BytesRead: st.BytesRead, Throttled: st.Throttled, Errors: st.Errors,
			RedirectsFollowed: st.RedirectsFollowed, Refused: st.Refused,
			Operations: s.target.Inventory.Len(), ChecksRun: len(s.checks),
			BudgetExhausted: st.BudgetExhausted, DurationExceeded: st.DurationExceeded, TargetFailing: st.TargetFailing,
		},
		Warnings: allWarnings,
		Findings: fs,
	}
}
