// Package inventory holds what discovery learned about the target API: its
// operations, their parameters and the authentication schemes it declares.
// Checks read the Inventory; only discovery writes it.
package inventory

import (
	"net/url"
	"sort"
	"strings"
	"sync"
)

// Where an operation came from.
const (
	SourceSpec  = "spec"  // an OpenAPI document
	SourceCrawl = "crawl" // a link found in a response
	SourceUser  = "user"  // the URL given on the command line
)

// Parameter is one input of an operation.
type Parameter struct {
	Name     string
	In       string // path, query, header, cookie, body
	Required bool
	Type     string // schema type when known: string, integer, …
	Format   string // schema format when known: uri, uuid, …
	Example  string // an example or default value when known
}

// Operation is one method on one path.
type Operation struct {
	Method string
	// Path is the template (/items/{id}) when known, else the concrete path.
	Path string
	// URL is a concrete URL to request, with path parameters filled in from
	// examples where possible.
	URL         string
	OperationID string
	Summary     string
	Tags        []string
	Parameters  []Parameter
	// Secured is true when the spec requires a security scheme for it.
	Secured    bool
	Deprecated bool
	Source     string
	// StateChanging is true when the operation's URL, path or operationId
	// names a state change (logout, delete, revoke, unsubscribe, …): a
	// request to it may change state on the target even with a safe method
	// such as GET. Requests that are not meant to change state (the scan's
	// baseline, passive probes) must skip it. Unsafe methods are not marked
	// for that alone; the method policy covers them.
	StateChanging bool
}

// Key identifies an operation by method and path template.
func (o Operation) Key() string { return strings.ToUpper(o.Method) + " " + o.Path }

// AuthScheme is a security scheme the spec declares.
type AuthScheme struct {
	Name   string
	Type   string // http, apiKey, oauth2, openIdConnect
	Scheme string // bearer, basic for type http
	In     string // header, query, cookie for apiKey
	Param  string // header/query/cookie name for apiKey
}

// Inventory is the target as discovery found it. Safe for concurrent use.
type Inventory struct {
	// Base is the URL the scan started from.
	Base *url.URL
	// SpecURL is where the OpenAPI document came from ("" when none).
	SpecURL string
	// SpecVersion is the document's version string ("3.0.3", "2.0", …).
	SpecVersion string

	mu          sync.RWMutex
	ops         []Operation
	keys        map[string]int
	authSchemes []AuthScheme
}

// New returns an empty inventory for base.
func New(base *url.URL) *Inventory {
	return &Inventory{Base: base, keys: map[string]int{}}
}

// Add records an operation; a second one with the same method and path only
// fills in what the first lacked. It reports whether the operation was new.
func (inv *Inventory) Add(op Operation) bool {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	op.Method = strings.ToUpper(op.Method)
	if i, ok := inv.keys[op.Key()]; ok {
		old := &inv.ops[i]
		old.StateChanging = old.StateChanging || op.StateChanging // either sighting is enough to hold back
		if old.URL == "" {
			old.URL = op.URL
		}
		if len(old.Parameters) == 0 {
			old.Parameters = op.Parameters
		}
		return false
	}
	inv.keys[op.Key()] = len(inv.ops)
	inv.ops = append(inv.ops, op)
	return true
}

// Operations returns a copy of the operations, sorted by path then method.
func (inv *Inventory) Operations() []Operation {
	inv.mu.RLock()
	out := append([]Operation(nil), inv.ops...)
	inv.mu.RUnlock()
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Method < out[j].Method
	})
	return out
}

// Len returns how many operations are known.
func (inv *Inventory) Len() int {
	inv.mu.RLock()
	defer inv.mu.RUnlock()
	return len(inv.ops)
}

// AddAuthScheme records a declared security scheme.
func (inv *Inventory) AddAuthScheme(a AuthScheme) {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	inv.authSchemes = append(inv.authSchemes, a)
}

// AuthSchemes returns the declared security schemes.
func (inv *Inventory) AuthSchemes() []AuthScheme {
	inv.mu.RLock()
	defer inv.mu.RUnlock()
	return append([]AuthScheme(nil), inv.authSchemes...)
}
