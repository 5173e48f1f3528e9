package engine

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Back-off tuning. The engine slows down on its own when the target throttles
// or fails, and stops when it keeps failing.
const (
	maxRetryAfter        = 30 * time.Second
	defaultThrottleDelay = 2 * time.Second
	maxThrottleRetries   = 2
	errorSurgeSlowdown   = 5  // consecutive transport failures before slowing down
	errorSurgeStop       = 25 // consecutive transport failures before stopping
)

// Stats are the engine's counters, reported in the scan report's `stats`.
type Stats struct {
	Requests          int64 `json:"requests"`
	BytesRead         int64 `json:"bytes_read"`
	Throttled         int64 `json:"throttled"`
	Errors            int64 `json:"errors"`
	RedirectsFollowed int64 `json:"redirects_followed"`
	Refused           int64 `json:"refused"`
	BudgetExhausted   bool  `json:"budget_exhausted"`
	DurationExceeded  bool  `json:"duration_exceeded"`
	TargetFailing     bool  `json:"target_failing"`
}

// Client sends every request of a scan. It is safe for concurrent use.
type Client struct {
	opts    Options
	http    *http.Client
	now     func() time.Time
	sleep   func(context.Context, time.Duration) error
	start   time.Time
	sem     chan struct{}
	limiter limiter

	seq               atomic.Int64
	requests          atomic.Int64
	reserved          atomic.Int64
	bytesRead         atomic.Int64
	throttled         atomic.Int64
	errCount          atomic.Int64
	redirects         atomic.Int64
	refused           atomic.Int64
	consecutiveErrors atomic.Int64
	budgetHit         atomic.Bool
	durationHit       atomic.Bool
	stopped           atomic.Bool

	mu       sync.Mutex
	log      []*Exchange
	warnings map[string]struct{}
	warnList []string
}

// New builds a Client from opts, filling budget defaults.
func New(opts Options) (*Client, error) {
	opts.Budget = opts.Budget.WithDefaults()
	b := &opts.Budget
	c := &Client{opts: opts, now: opts.Now, sleep: opts.Sleep, warnings: map[string]struct{}{}}
	if c.now == nil {
		c.now = time.Now
	}
	if c.sleep == nil {
		c.sleep = sleepCtx
	}
	c.start = c.now()
	c.sem = make(chan struct{}, b.Concurrency)
	if b.Rate > 0 {
		c.limiter.interval = time.Duration(float64(time.Second) / b.Rate)
	}
	c.limiter.base = c.limiter.interval
	rt := opts.Transport
	if rt == nil {
		dial := opts.DialContext
		if dial == nil {
			dial = (&net.Dialer{Timeout: b.Timeout, KeepAlive: 30 * time.Second}).DialContext
		}
		rt = &http.Transport{
			Proxy:                  nil,
			DialContext:            dial,
			TLSClientConfig:        &tls.Config{InsecureSkipVerify: opts.Insecure, MinVersion: tls.VersionTLS10}, //nolint:gosec // --insecure is the user's explicit choice; problems are still reported
			MaxIdleConnsPerHost:    b.Concurrency,
			IdleConnTimeout:        30 * time.Second,
			TLSHandshakeTimeout:    b.Timeout,
			ResponseHeaderTimeout:  b.Timeout,
			MaxResponseHeaderBytes: 256 << 10,
		}
	}
	c.http = &http.Client{Transport: rt}
	return c, nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// InScope reports whether u may be requested: http(s), a host in scope and a
// path not excluded.
func (c *Client) InScope(u *url.URL) bool {
	if u == nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return false
	}
	if !hostInScope(u, c.opts.Scope.Hosts) {
		return false
	}
	return !pathExcluded(u.Path, c.opts.Scope.ExcludePaths)
}

func hostInScope(u *url.URL, hosts []string) bool {
	h := strings.ToLower(u.Hostname())
	for _, s := range hosts {
		s = strings.ToLower(strings.TrimSpace(s))
		if sh, sp, err := net.SplitHostPort(s); err == nil {
			if strings.Trim(sh, "[]") == h && sp == Port(u) {
				return true
			}
			continue
		}
		if strings.Trim(s, "[]") == h {
			return true
		}
	}
	return false
}

// Port returns u's port, or the default port of its scheme.
func Port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if u.Scheme == "https" {
		return "443"
	}
	return "80"
}

func pathExcluded(p string, globs []string) bool {
	p = normalizePath(p)
	for _, g := range globs {
		g = strings.ToLower(g)
		if strings.HasSuffix(g, "/**") {
			prefix := strings.TrimSuffix(g, "/**")
			if p == prefix || strings.HasPrefix(p, prefix+"/") {
				return true
			}
			continue
		}
		if ok, _ := path.Match(g, p); ok {
			return true
		}
	}
	return false
}

// normalizePath folds the spellings of one path that servers treat alike, so
// that an exclusion cannot be dodged: case, ";params" in segments (servlet
// containers), trailing dots in segments (IIS), "." and ".." segments and
// repeated slashes.
func normalizePath(p string) string {
	if p == "" {
		return "/"
	}
	segs := strings.Split(strings.ToLower(p), "/")
	for i, s := range segs {
		if j := strings.IndexByte(s, ';'); j >= 0 {
			s = s[:j]
		}
		if s != "." && s != ".." {
			s = strings.TrimRight(s, ".")
		}
		segs[i] = s
	}
	out := path.Clean("/" + strings.Join(segs, "/"))
	if strings.HasSuffix(p, "/") && out != "/" {
		out += "/"
	}
	return out
}

// allowed is InScope, widened to the spec hosts for spec fetches.
func (c *Client) allowed(u *url.URL, r Request) bool {
	if c.InScope(u) {
		return true
	}
	return r.Spec && (u.Scheme == "http" || u.Scheme == "https") && hostInScope(u, c.opts.Scope.SpecHosts)
}

// MethodAllowed applies the safety policy of DESIGN.md to one request.
func (c *Client) MethodAllowed(r Request) bool {
	switch strings.ToUpper(r.Method) {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return true
	case http.MethodPost:
		return c.opts.Active || r.LLMChat
	case http.MethodPut, http.MethodPatch:
		return c.opts.Active
	}
	return false // DELETE, TRACE, CONNECT and anything unknown are never sent
}

// Active reports whether state-changing probes are allowed.
func (c *Client) Active() bool { return c.opts.Active }

// Do sends one request under the scan's policy and budgets and returns the
// exchange. A policy refusal returns a nil exchange and a policy error; a
// transport failure returns the exchange (with Err set) and the error.
func (c *Client) Do(ctx context.Context, r Request) (*Exchange, error) {
	if r.Method == "" {
		r.Method = http.MethodGet
	}
	r.Method = strings.ToUpper(r.Method)
	u, err := url.Parse(r.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%w: %q", ErrBadURL, r.URL)
	}
	if !c.allowed(u, r) {
		c.refused.Add(1)
		return nil, fmt.Errorf("%w: %s", ErrOutOfScope, u.Redacted())
	}
	if !c.MethodAllowed(r) {
		c.refused.Add(1)
		return nil, fmt.Errorf("%w: %s %s", ErrMethodNotAllowed, r.Method, u.Redacted())
	}
	if c.stopped.Load() {
		return nil, ErrTargetFailing
	}
	if err := c.checkDuration(); err != nil {
		return nil, err
	}
	if err := c.reserve(); err != nil {
		return nil, err
	}
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-c.sem }()

	var ex *Exchange
	for attempt := 0; ; attempt++ {
		if err := c.wait(ctx); err != nil {
			if ex != nil {
				c.reserved.Add(-1) // the retry was reserved but never sent
				break              // keep the throttled response
			}
			return nil, err
		}
		ex = c.send(ctx, u, r)
		if !c.throttledResponse(ex) || attempt >= maxThrottleRetries {
			break
		}
		c.throttled.Add(1)
		c.warn("the target throttled requests (429/503); Parapet backed off and slowed down")
		c.limiter.backoff(c.now().Add(retryAfter(ex.Header.Get("Retry-After"), c.now())))
		if c.reserve() != nil {
			break // keep the throttled response; no budget left to retry
		}
	}
	c.afterExchange(ex)
	if c.opts.Observe != nil {
		c.opts.Observe(ex)
	}
	c.mu.Lock()
	c.log = append(c.log, ex.forLog())
	c.mu.Unlock()
	return ex, ex.Err
}

func (c *Client) throttledResponse(ex *Exchange) bool {
	return ex.Err == nil && (ex.Status == http.StatusTooManyRequests ||
		(ex.Status == http.StatusServiceUnavailable && ex.Header.Get("Retry-After") != ""))
}

func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	d := defaultThrottleDelay
	if v != "" {
		if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
			d = time.Duration(secs) * time.Second
		} else if t, err := http.ParseTime(v); err == nil {
			d = t.Sub(now)
		}
	}
	if d < 0 {
		d = 0
	}
	if d > maxRetryAfter {
		d = maxRetryAfter
	}
	return d
}

func (c *Client) checkDuration() error {
	if c.opts.Budget.MaxDuration > 0 && c.now().Sub(c.start) >= c.opts.Budget.MaxDuration {
		return c.durationExceeded()
	}
	return nil
}

func (c *Client) durationExceeded() error {
	if !c.durationHit.Swap(true) {
		c.warn(fmt.Sprintf("the scan stopped at its duration budget (--max-duration %s); results are partial", c.opts.Budget.MaxDuration))
	}
	return ErrDurationExceeded
}

func (c *Client) remaining() time.Duration {
	if c.opts.Budget.MaxDuration <= 0 {
		return 0
	}
	return c.opts.Budget.MaxDuration - c.now().Sub(c.start)
}

func (c *Client) reserve() error {
	if c.reserved.Add(1) > int64(c.opts.Budget.MaxRequests) {
		c.reserved.Add(-1)
		if !c.budgetHit.Swap(true) {
			c.warn(fmt.Sprintf("the scan used its whole request budget (--max-requests %d); results are partial", c.opts.Budget.MaxRequests))
		}
		return ErrBudgetExhausted
	}
	return nil
}

func (c *Client) wait(ctx context.Context) error {
	d := c.limiter.reserve(c.now())
	if c.opts.Budget.MaxDuration > 0 && d >= c.remaining() {
		return c.durationExceeded()
	}
	return c.sleep(ctx, d)
}

func (c *Client) send(ctx context.Context, u *url.URL, r Request) *Exchange {
	ex := &Exchange{
		Seq:     c.seq.Add(1),
		Check:   r.Check,
		Method:  r.Method,
		URL:     u.String(),
		Started: c.now(),
	}
	timeout := c.opts.Budget.Timeout
	if rem := c.remaining(); c.opts.Budget.MaxDuration > 0 && rem < timeout {
		timeout = max(rem, time.Millisecond)
	}
	rctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var body io.Reader
	if len(r.Body) > 0 {
		body = bytes.NewReader(r.Body)
		ex.RequestBody = r.Body
	}
	req, err := http.NewRequestWithContext(rctx, r.Method, u.String(), body)
	if err != nil {
		ex.Err = err
		return ex
	}
	if c.opts.UserAgent != "" {
		req.Header.Set("User-Agent", c.opts.UserAgent)
	}
	req.Header.Set("Accept", "application/json, text/html;q=0.9, */*;q=0.8")
	for k, vs := range c.opts.Headers {
		req.Header[k] = append([]string(nil), vs...)
	}
	for k, vs := range r.Header {
		if strings.EqualFold(k, "Host") && len(vs) > 0 {
			req.Host = vs[0]
			continue
		}
		req.Header[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
	}
	ex.RequestHeader = req.Header.Clone()
	if ex.RequestHeader.Get("Host") == "" && req.Host != "" {
		ex.RequestHeader.Set("Host", req.Host)
	}

	hc := *c.http
	hc.CheckRedirect = func(next *http.Request, via []*http.Request) error {
		if r.NoRedirect {
			return http.ErrUseLastResponse
		}
		if !c.allowed(next.URL, r) {
			ex.OffScopeTarget = next.URL.Redacted()
			return http.ErrUseLastResponse
		}
		if len(via) > c.opts.Budget.MaxRedirects {
			c.warn(fmt.Sprintf("stopped following redirects after %d hops", c.opts.Budget.MaxRedirects))
			return http.ErrUseLastResponse
		}
		if c.reserve() != nil {
			return http.ErrUseLastResponse
		}
		c.requests.Add(1)
		c.redirects.Add(1)
		ex.Redirects = append(ex.Redirects, next.URL.String())
		return nil
	}
	c.requests.Add(1)
	resp, err := hc.Do(req)
	if err != nil {
		ex.Err = err
		ex.Duration = c.now().Sub(ex.Started)
		return ex
	}
	defer resp.Body.Close()
	ex.Status = resp.StatusCode
	ex.Proto = resp.Proto
	ex.Header = resp.Header
	ex.TLS = resp.TLS
	ex.FinalURL = resp.Request.URL.String()
	limit := c.opts.Budget.MaxBody
	data, rerr := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if int64(len(data)) > limit {
		data = data[:limit]
		ex.BodyTruncated = true
	}
	ex.Body = data
	c.bytesRead.Add(int64(len(data)))
	if rerr != nil && !errors.Is(rerr, io.EOF) {
		// The body broke off: keep what arrived; a timeout mid-body is not a
		// failed exchange when headers and some body came back.
		ex.BodyTruncated = true
	}
	ex.Duration = c.now().Sub(ex.Started)
	return ex
}

func (c *Client) afterExchange(ex *Exchange) {
	if ex.Err != nil {
		c.errCount.Add(1)
		n := c.consecutiveErrors.Add(1)
		if n == errorSurgeSlowdown {
			c.limiter.slowDown()
			c.warn("requests to the target started failing; Parapet slowed down")
		}
		if n >= errorSurgeStop && !c.stopped.Swap(true) {
			c.warn(fmt.Sprintf("the target failed %d requests in a row; the scan stopped sending (%s)", n, DescribeNetError(ex.Err)))
		}
		return
	}
	c.consecutiveErrors.Store(0)
}

// Stats returns a snapshot of the counters.
func (c *Client) Stats() Stats {
	return Stats{
		Requests:          c.requests.Load(),
		BytesRead:         c.bytesRead.Load(),
		Throttled:         c.throttled.Load(),
		Errors:            c.errCount.Load(),
		RedirectsFollowed: c.redirects.Load(),
		Refused:           c.refused.Load(),
		BudgetExhausted:   c.budgetHit.Load(),
		DurationExceeded:  c.durationHit.Load(),
		TargetFailing:     c.stopped.Load(),
	}
}

// Exchanges returns the exchange log in the order the exchanges completed.
func (c *Client) Exchanges() []*Exchange {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]*Exchange, len(c.log))
	copy(out, c.log)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
}

// Warnings returns what the engine had to tell the user, each once, in order.
func (c *Client) Warnings() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.warnList...)
}

func (c *Client) warn(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.warnings[s]; ok {
		return
	}
	c.warnings[s] = struct{}{}
	c.warnList = append(c.warnList, s)
}

// limiter spaces requests at the configured rate and holds them back while the
// target asked us to wait.
type limiter struct {
	mu         sync.Mutex
	base       time.Duration
	interval   time.Duration
	next       time.Time
	pauseUntil time.Time
}

// reserve returns how long the caller must wait before sending.
func (l *limiter) reserve(now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	t := now
	if l.next.After(t) {
		t = l.next
	}
	if l.pauseUntil.After(t) {
		t = l.pauseUntil
	}
	l.next = t.Add(l.interval)
	return t.Sub(now)
}

// backoff pauses everyone until the given time and halves the rate.
func (l *limiter) backoff(until time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if until.After(l.pauseUntil) {
		l.pauseUntil = until
	}
	l.slowDownLocked()
}

func (l *limiter) slowDown() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.slowDownLocked()
}

func (l *limiter) slowDownLocked() {
	const floor = 50 * time.Millisecond
	const ceiling = 2 * time.Second
	switch {
	case l.interval < floor:
		l.interval = floor
	case l.interval*2 > ceiling:
		l.interval = ceiling
	default:
		l.interval *= 2
	}
}
