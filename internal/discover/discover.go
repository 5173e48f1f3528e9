// Package discover learns what the target is before the checks run: it
// fetches the start URL, finds and parses the OpenAPI document, crawls a
// bounded number of pages, and fingerprints the stack from every response it
// sees. What it learns is the scan's Inventory and Stack.
//
// Every request goes through the engine client, so discovery obeys the
// scan's scope, method policy and budgets; it only ever sends GET.
package discover

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/parapet-scanner/parapet/internal/engine"
	"github.com/parapet-scanner/parapet/internal/fingerprint"
	"github.com/parapet-scanner/parapet/internal/inventory"
)

// CheckID marks discovery's requests in the exchange log.
const CheckID = "discover"

// Crawl budgets per profile, in pages fetched by the crawl.
const (
	CrawlQuick    = 10
	CrawlStandard = 40
	CrawlDeep     = 150
)

// Spec probes per profile: how many well-known locations and links are
// tried when no --spec is given.
const (
	probesQuick    = 6
	probesStandard = 14
	probesDeep     = 24
)

// notFoundPath is requested once, when nothing else revealed the framework,
// to see the target's 404 page ("Cannot GET", Whitelabel, {"detail":…}).
const notFoundPath = "/parapet-not-found"

// ErrUnreachable means the start URL got no response at all (DNS failure,
// connection refused, TLS failure, timeout). Run wraps it together with the
// transport error, so engine.DescribeNetError can explain the cause.
var ErrUnreachable = errors.New("target unreachable")

// ErrSpec means the spec given with --spec could not be read or is not an
// OpenAPI document. A spec found by discovery that fails to parse is only a
// warning.
var ErrSpec = errors.New("cannot load the spec")

// Options configures one discovery.
type Options struct {
	// Spec is the --spec FILE or URL; "" means look for one.
	Spec string
	// MaxCrawl is the most pages the crawl fetches; 0 takes the profile's
	// default (quick 10, standard 40, deep 150). A negative value disables
	// the crawl.
	MaxCrawl int
	// Profile is quick, standard or deep ("" is standard).
	Profile string
	// AllowRefFiles lets a local spec's $refs read files outside its
	// directory (--allow-ref-files).
	AllowRefFiles bool
	// Warn receives warnings for the report (a broken part of a spec is a
	// warning, not a failure). Nil drops them.
	Warn func(string)
	// Progress receives short progress lines. Nil drops them.
	Progress func(string)
}

// Result is what discovery learned.
type Result struct {
	// Root is the response to the start URL.
	Root *engine.Exchange
	// Inventory holds the operations found (spec, crawl, user).
	Inventory *inventory.Inventory
	// Stack is the fingerprinted stack; checks may add to it later.
	Stack *fingerprint.Stack
}

// Run fetches the start URL (exactly as given, query string included) and
// the site root, finds and parses the OpenAPI document, crawls, and
// fingerprints every response. When the start URL gets no response at all it
// returns an error wrapping ErrUnreachable and the transport error; a
// --spec that cannot be loaded returns an error wrapping ErrSpec.
func Run(ctx context.Context, c *engine.Client, start *url.URL, o Options) (*Result, error) {
	if c == nil || start == nil {
		return nil, errors.New("discover: nil client or start URL")
	}
	d := newDiscoverer(c, start, o)
	return d.run(ctx)
}

type discoverer struct {
	c      *engine.Client
	start  *url.URL
	origin *url.URL
	o      Options
	inv    *inventory.Inventory
	stack  *fingerprint.Stack

	mu      sync.Mutex
	fetched map[string]*engine.Exchange // by URL: discovery never asks twice
	warned  map[string]bool
}

func newDiscoverer(c *engine.Client, start *url.URL, o Options) *discoverer {
	if o.Profile == "" {
		o.Profile = "standard"
	}
	if o.MaxCrawl == 0 {
		switch o.Profile {
		case "quick":
			o.MaxCrawl = CrawlQuick
		case "deep":
			o.MaxCrawl = CrawlDeep
		default:
			o.MaxCrawl = CrawlStandard
		}
	}
	origin := &url.URL{Scheme: start.Scheme, Host: start.Host, Path: "/"}
	return &discoverer{
		c: c, start: start, origin: origin, o: o,
		inv:     inventory.New(start),
		stack:   fingerprint.NewStack(),
		fetched: map[string]*engine.Exchange{},
		warned:  map[string]bool{},
	}
}

func (d *discoverer) warn(s string) {
	d.mu.Lock()
	seen := d.warned[s]
	d.warned[s] = true
	d.mu.Unlock()
	if !seen && d.o.Warn != nil {
		d.o.Warn(s)
	}
}

func (d *discoverer) progress(format string, args ...any) {
	if d.o.Progress != nil {
		d.o.Progress(fmt.Sprintf(format, args...))
	}
}

// fetch GETs u once per discovery and fingerprints the response.
func (d *discoverer) fetch(ctx context.Context, u string) (*engine.Exchange, error) {
	return d.get(ctx, engine.Request{Method: http.MethodGet, URL: u, Check: CheckID})
}

// fetchSpec fetches an explicit --spec URL, which may live on a spec-only host.
func (d *discoverer) fetchSpec(ctx context.Context, u string) (*engine.Exchange, error) {
	return d.get(ctx, engine.Request{Method: http.MethodGet, URL: u, Check: CheckID, Spec: true})
}

func (d *discoverer) get(ctx context.Context, r engine.Request) (*engine.Exchange, error) {
	d.mu.Lock()
	if ex, ok := d.fetched[r.URL]; ok {
		d.mu.Unlock()
		return ex, ex.Err
	}
	d.mu.Unlock()
	ex, err := d.c.Do(ctx, r)
	if ex == nil {
		return nil, err
	}
	d.stack.AddFrom(ex)
	d.mu.Lock()
	d.fetched[r.URL] = ex
	d.mu.Unlock()
	return ex, err
}

// stopErr reports whether err means discovery must stop sending.
func stopErr(ctx context.Context, err error) bool {
	return ctx.Err() != nil || errors.Is(err, engine.ErrBudgetExhausted) ||
		errors.Is(err, engine.ErrDurationExceeded) || errors.Is(err, engine.ErrTargetFailing)
}

func (d *discoverer) run(ctx context.Context) (*Result, error) {
	root, err := d.fetch(ctx, d.start.String())
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if engine.IsPolicy(err) {
			return nil, fmt.Errorf("fetch the start URL: %w", err)
		}
		return nil, fmt.Errorf("%w: %w", ErrUnreachable, err)
	}
	res := &Result{Root: root, Inventory: d.inv, Stack: d.stack}
	pages := []*engine.Exchange{root}
	if p := d.start.EscapedPath(); p != "" && p != "/" {
		if ex, err := d.fetch(ctx, d.origin.String()); err == nil && ex.OK() {
			pages = append(pages, ex)
		}
	}

	user := userOperation(d.start)
	var specOps []inventory.Operation
	spec, specURL, err := d.loadSpec(ctx, pages)
	if err != nil {
		return nil, err
	}
	if spec != nil {
		for _, w := range spec.Warnings {
			d.warn(w)
		}
		d.inv.SpecVersion = spec.Version
		specOps = spec.Operations(d.start, specURL, d.warn)
		for _, a := range spec.AuthSchemes {
			d.inv.AddAuthScheme(a)
		}
		d.progress("spec: %d operations (OpenAPI %s)", len(specOps), spec.Version)
	}
	if specURL != nil && sameResource(specURL, d.start) {
		user = nil // the start URL is the document itself, not an endpoint
	}
	matcher := newTemplateMatcher(specOps)
	if i := matcher.match(http.MethodGet, d.start.EscapedPath()); i >= 0 && user != nil {
		mergeUser(&specOps[i], user)
		user = nil
	}
	for _, op := range specOps {
		op.StateChanging = stateChanging(op)
		d.inv.Add(op)
	}
	if user != nil {
		user.StateChanging = stateChanging(*user)
		d.inv.Add(*user)
	}
	for _, ex := range pages[1:] {
		d.addCrawled(ex, nil, matcher)
	}

	if d.o.MaxCrawl > 0 && ctx.Err() == nil {
		d.crawl(ctx, pages, spec != nil, matcher)
	}
	if !d.hasFramework() && ctx.Err() == nil {
		nf := d.origin.ResolveReference(&url.URL{Path: notFoundPath})
		_, _ = d.fetch(ctx, nf.String())
	}
	return res, nil
}

// hasFramework reports whether the stack names an application framework
// (not only a web server or language).
func (d *discoverer) hasFramework() bool {
	for _, n := range []string{
		fingerprint.Django, fingerprint.Flask, fingerprint.FastAPI, fingerprint.Express,
		fingerprint.Rails, fingerprint.Laravel, fingerprint.Symfony, fingerprint.Spring,
		fingerprint.ASPNet, fingerprint.NextJS,
	} {
		if d.stack.Has(n) {
			return true
		}
	}
	return false
}

// stateChanging reports whether an operation names a state change: its
// concrete URL, its path template or its operationId holds a word of the
// crawler's deny list. Spec operations are not crawled links, so the crawl
// filter never saw them; the flag lets the scan skip them where it must not
// change state (the baseline requests every GET operation).
func stateChanging(op inventory.Operation) bool {
	if op.URL != "" {
		if u, err := url.Parse(op.URL); err != nil || LooksStateChanging(u) {
			return true // an unparsable URL is not worth the risk either
		}
	}
	return NamesStateChange(op.Path) || NamesStateChange(op.OperationID)
}

// sameResource reports whether a and b name the same URL, fragment aside.
func sameResource(a, b *url.URL) bool {
	x, y := *a, *b
	x.Fragment, y.Fragment = "", ""
	return x.String() == y.String()
}

// userOperation is the start URL as an operation, its query parameters
// included: users often point Parapet at one endpoint.
func userOperation(u *url.URL) *inventory.Operation {
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	return &inventory.Operation{
		Method:     http.MethodGet,
		Path:       p,
		URL:        u.String(),
		Parameters: queryParams(u),
		Source:     inventory.SourceUser,
	}
}

// queryParams lists a URL's query parameters with their values as examples.
func queryParams(u *url.URL) []inventory.Parameter {
	q := u.Query()
	var out []inventory.Parameter
	for _, name := range sortedKeys(q) {
		if name == "" {
			continue
		}
		v := ""
		if len(q[name]) > 0 {
			v = q[name][0]
		}
		out = append(out, inventory.Parameter{Name: name, In: "query", Type: guessType(v), Example: v})
	}
	return out
}

// guessType names the JSON-schema type a sample value looks like.
func guessType(v string) string {
	if v == "" {
		return "string"
	}
	if _, err := strconv.ParseInt(v, 10, 64); err == nil {
		return "integer"
	}
	if _, err := strconv.ParseFloat(v, 64); err == nil && !strings.ContainsAny(v, "xXpP") {
		return "number"
	}
	if v == "true" || v == "false" {
		return "boolean"
	}
	return "string"
}

// mergeUser folds the user's start URL into the spec operation it matches:
// the user's URL becomes the one to request, and the user's query values
// become the parameters' examples.
func mergeUser(op *inventory.Operation, user *inventory.Operation) {
	op.URL = user.URL
	tmpl, concrete := strings.Split(op.Path, "/"), strings.Split(strings.TrimSuffix(user.Path, "/"), "/")
	for i, seg := range tmpl {
		if i >= len(concrete) || !templateVarRe.MatchString(seg) || !strings.HasPrefix(seg, "{") || !strings.HasSuffix(seg, "}") {
			continue
		}
		name := seg[1 : len(seg)-1]
		v, err := url.PathUnescape(concrete[i])
		if err != nil {
			continue
		}
		for j := range op.Parameters {
			if p := &op.Parameters[j]; p.In == "path" && p.Name == name {
				p.Example = v
			}
		}
	}
	for _, up := range user.Parameters {
		found := false
		for i := range op.Parameters {
			p := &op.Parameters[i]
			if p.In == "query" && p.Name == up.Name {
				p.Example = up.Example
				found = true
			}
		}
		if !found {
			op.Parameters = append(op.Parameters, up)
		}
	}
}
