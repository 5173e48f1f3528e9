// Package engine is the only place in Parapet that sends HTTP requests. Its
// Client enforces the scan's scope, method policy, budgets and rate, backs off
// when the target is throttling or failing, and records every Exchange for
// evidence and passive analysis.
package engine

import (
	"context"
	"net"
	"net/http"
	"time"
)

// Defaults from CONTRACT.md (Budgets).
const (
	DefaultMaxRequests  = 2000
	DefaultRate         = 100
	DefaultConcurrency  = 10
	DefaultTimeout      = 10 * time.Second
	DefaultMaxDuration  = 5 * time.Minute
	DefaultMaxBody      = 2 << 20
	DefaultMaxRedirects = 5
	// LoggedBodyBytes bounds how much of each response body the exchange log
	// keeps for evidence once the exchange's observers have seen the whole body.
	LoggedBodyBytes = 16 << 10
)

// Scope says which hosts and paths the scan may touch.
type Scope struct {
	// Hosts are host names (optionally host:port) requests may go to.
	Hosts []string
	// ExcludePaths are path globs (path.Match syntax, plus a trailing /** for
	// "this prefix") that are never requested.
	ExcludePaths []string
	// SpecHosts are hosts in scope only for requests marked Request.Spec: the
	// host of an explicit --spec URL, for the spec and its $refs.
	SpecHosts []string
}

// Budget bounds the cost of a scan for the target and for the scanner.
type Budget struct {
	MaxRequests  int
	Rate         float64 // requests per second; 0 means unlimited
	Concurrency  int
	Timeout      time.Duration // per request, body included
	MaxDuration  time.Duration // whole scan; 0 means unlimited
	MaxBody      int64         // response bytes read after decompression
	MaxRedirects int
}

// DefaultBudget returns the budgets of CONTRACT.md.
func DefaultBudget() Budget {
	return Budget{
		MaxRequests:  DefaultMaxRequests,
		Rate:         DefaultRate,
		Concurrency:  DefaultConcurrency,
		Timeout:      DefaultTimeout,
		MaxDuration:  DefaultMaxDuration,
		MaxBody:      DefaultMaxBody,
		MaxRedirects: DefaultMaxRedirects,
	}
}

// WithDefaults returns b with every zero or invalid field set to its default.
func (b Budget) WithDefaults() Budget {
	def := DefaultBudget()
	if b.MaxRequests <= 0 {
		b.MaxRequests = def.MaxRequests
	}
	if b.Rate < 0 {
		b.Rate = def.Rate
	}
	if b.Concurrency <= 0 {
		b.Concurrency = def.Concurrency
	}
	if b.Timeout <= 0 {
		b.Timeout = def.Timeout
	}
	if b.MaxBody <= 0 {
		b.MaxBody = def.MaxBody
	}
	if b.MaxRedirects <= 0 {
		b.MaxRedirects = def.MaxRedirects
	}
	return b
}

// Options configures a Client. Zero budget fields take their defaults.
type Options struct {
	Scope  Scope
	Budget Budget
	// Active allows state-changing methods (POST, PUT, PATCH with bodies).
	Active bool
	// UserAgent is sent on every request.
	UserAgent string
	// Headers are sent on every request (the user's --header values and auth).
	Headers http.Header
	// Insecure skips TLS certificate verification. Certificate problems are
	// still recorded on the exchange.
	Insecure bool
	// DialContext replaces the network dialer (tests inject resolvers and
	// failures here). Nil uses net.Dialer.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// Transport replaces the whole transport; DialContext and Insecure are then ignored.
	Transport http.RoundTripper
	// Now is the clock; nil uses time.Now.
	Now func() time.Time
	// Sleep waits for d or until ctx is done; nil uses a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Observe is called with every completed exchange, full body included,
	// before Do returns. It must be safe for concurrent use.
	Observe func(*Exchange)
}
