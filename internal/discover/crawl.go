package discover

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"

	"github.com/parapet-scanner/parapet/internal/engine"
	"github.com/parapet-scanner/parapet/internal/inventory"
)

// Crawl bounds.
const (
	maxCrawlDepth = 3
	// With a spec the crawl is light: it looks for undocumented endpoints
	// near the pages already seen.
	maxCrawlDepthWithSpec = 2
	crawlWorkers          = 4
)

type crawlItem struct {
	u      *url.URL
	depth  int
	params []inventory.Parameter
}

// crawl fetches pages breadth-first from the pages already fetched, within
// scope, up to MaxCrawl pages and a fixed depth, never following a link that
// looks state-changing or names a static file, and visiting each
// path template (/items/1 and /items/2 are one) once.
func (d *discoverer) crawl(ctx context.Context, pages []*engine.Exchange, withSpec bool, m *templateMatcher) {
	budget, depthLimit := d.o.MaxCrawl, maxCrawlDepth
	if withSpec {
		budget = max(5, budget/4)
		depthLimit = maxCrawlDepthWithSpec
	}
	visited := map[string]bool{}
	for _, ex := range pages {
		visited[crawlKey(ex.URL)] = true
		if f := ex.FinalURL; f != "" {
			visited[crawlKey(f)] = true
		}
	}
	visited[crawlKey(d.origin.ResolveReference(&url.URL{Path: notFoundPath}).String())] = true
	d.mu.Lock()
	for u := range d.fetched {
		visited[crawlKey(u)] = true // spec probes
	}
	d.mu.Unlock()

	var level []crawlItem
	enqueue := func(from *engine.Exchange, depth int) {
		if depth > depthLimit {
			return
		}
		for _, l := range pageLinks(from) {
			u := l.u
			u.Fragment = ""
			if !d.c.InScope(u) || isStaticAsset(u) || LooksStateChanging(u) {
				continue
			}
			k := crawlKey(u.String())
			if visited[k] {
				continue
			}
			visited[k] = true
			level = append(level, crawlItem{u: u, depth: depth, params: l.params})
		}
	}
	for _, ex := range pages {
		enqueue(ex, 1)
	}
	fetched := 0
	for len(level) > 0 && fetched < budget && ctx.Err() == nil {
		items := level
		if len(items) > budget-fetched {
			items = items[:budget-fetched]
		}
		level = nil
		results := d.fetchAll(ctx, items)
		stop := false
		for i, r := range results {
			if r.err != nil && stopErr(ctx, r.err) {
				stop = true
			}
			if r.ex == nil {
				continue
			}
			fetched++
			d.addCrawled(r.ex, items[i].params, m)
			if f := r.ex.FinalURL; f != "" {
				visited[crawlKey(f)] = true
			}
			enqueue(r.ex, items[i].depth+1)
		}
		if stop {
			break
		}
		if fetched > 0 && fetched%10 == 0 {
			d.progress("crawled %d pages", fetched)
		}
	}
	d.progress("crawled %d pages", fetched)
}

type fetchResult struct {
	ex  *engine.Exchange
	err error
}

// fetchAll fetches items concurrently and returns results in items' order,
// so the inventory does not depend on timing.
func (d *discoverer) fetchAll(ctx context.Context, items []crawlItem) []fetchResult {
	out := make([]fetchResult, len(items))
	sem := make(chan struct{}, crawlWorkers)
	var wg sync.WaitGroup
	for i := range items {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				out[i].err = ctx.Err()
				return
			}
			defer func() { <-sem }()
			out[i].ex, out[i].err = d.fetch(ctx, items[i].u.String())
		}()
	}
	wg.Wait()
	return out
}

// addCrawled records a fetched page as an operation (Source crawl) when it
// answered like an endpoint that exists and is not already a spec operation.
func (d *discoverer) addCrawled(ex *engine.Exchange, formParams []inventory.Parameter, m *templateMatcher) {
	if !ex.OK() || !existingEndpoint(ex.Status) {
		return
	}
	u, err := url.Parse(ex.URL)
	if err != nil {
		return
	}
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	if m.match(http.MethodGet, p) >= 0 {
		return // the spec already documents it
	}
	params := queryParams(u)
	for _, fp := range formParams {
		dup := false
		for _, q := range params {
			if q.Name == fp.Name {
				dup = true
			}
		}
		if !dup {
			params = append(params, fp)
		}
	}
	op := inventory.Operation{
		Method:     http.MethodGet,
		Path:       p,
		URL:        u.String(),
		Parameters: params,
		Source:     inventory.SourceCrawl,
	}
	op.StateChanging = stateChanging(op)
	d.inv.Add(op)
}

// existingEndpoint reports whether a status says the endpoint exists: any
// success or redirect, or a refusal that needs credentials.
func existingEndpoint(status int) bool {
	return status >= 200 && status < 400 || status == http.StatusUnauthorized ||
		status == http.StatusForbidden || status == http.StatusMethodNotAllowed
}

var (
	numericSegRe = regexp.MustCompile(`^\d+$`)
	uuidSegRe    = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	hexSegRe     = regexp.MustCompile(`^[0-9a-fA-F]{12,}$`)
)

// crawlKey identifies a page for deduplication: host and path with numeric,
// UUID and long hexadecimal segments collapsed to {id}; the query is left
// out, so /items?page=2 is /items.
func crawlKey(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	segs := strings.Split(u.EscapedPath(), "/")
	for i, s := range segs {
		if numericSegRe.MatchString(s) || uuidSegRe.MatchString(s) || hexSegRe.MatchString(s) && strings.ContainsAny(s, "0123456789") {
			segs[i] = "{id}"
		}
	}
	p := strings.Join(segs, "/")
	if p == "" {
		p = "/"
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host) + p
}

// templateMatcher matches concrete paths against spec path templates.
type templateMatcher struct {
	methods []string
	res     []*regexp.Regexp
}

func newTemplateMatcher(ops []inventory.Operation) *templateMatcher {
	m := &templateMatcher{}
	for _, op := range ops {
		var b strings.Builder
		b.WriteString("^")
		last := 0
		for _, loc := range templateVarRe.FindAllStringIndex(op.Path, -1) {
			b.WriteString(regexp.QuoteMeta(op.Path[last:loc[0]]))
			b.WriteString("[^/]+")
			last = loc[1]
		}
		b.WriteString(regexp.QuoteMeta(op.Path[last:]))
		b.WriteString("$")
		re, err := regexp.Compile(b.String())
		if err != nil {
			re = nil
		}
		m.methods = append(m.methods, op.Method)
		m.res = append(m.res, re)
	}
	return m
}

// match returns the index of the first operation with method whose template
// matches the concrete path p, or -1.
func (m *templateMatcher) match(method, p string) int {
	if m == nil {
		return -1
	}
	if p == "" {
		p = "/"
	}
	for i, re := range m.res {
		if re != nil && m.methods[i] == method && re.MatchString(p) {
			return i
		}
	}
	// A path given without its trailing slash still names the operation.
	alt := strings.TrimSuffix(p, "/")
	if alt == p {
		alt = p + "/"
	}
	for i, re := range m.res {
		if re != nil && m.methods[i] == method && re.MatchString(alt) {
			return i
		}
	}
	return -1
}
