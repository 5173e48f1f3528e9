// Package check defines what a security check is. Each category's checks live
// in a package of their own below this one and are listed in check/registry.
package check

import (
	"context"
	"net/http"
	"net/url"

	"github.com/parapet-scanner/parapet/internal/engine"
	"github.com/parapet-scanner/parapet/internal/finding"
	"github.com/parapet-scanner/parapet/internal/fingerprint"
	"github.com/parapet-scanner/parapet/internal/inventory"
	"github.com/parapet-scanner/parapet/internal/mask"
)

// Kind is one kind of finding a check can report, listed by `parapet checks`.
type Kind struct {
	// ID is "category/kind", the finding's `check` field.
	ID          string
	Title       string
	Description string
}

// Emit hands a finding to the scan. It is safe for concurrent use.
type Emit func(finding.Finding)

// Target is what a check knows about the scan. Checks read it, never change it.
type Target struct {
	// URL is the URL the user gave, query string included.
	URL *url.URL
	// Inventory is what discovery found.
	Inventory *inventory.Inventory
	// Stack is the fingerprinted stack; it may still grow while checks run.
	Stack *fingerprint.Stack
	// Headers are the user's --header values, sent by the engine on every request.
	Headers http.Header
	// Profile is quick, standard or deep.
	Profile string
	// Token is a random per-scan token for canaries.
	Token string
	// Mask hides secrets in evidence.
	Mask *mask.Masker
}

// Check is one security check. Run may send requests through the client; it
// must return when ctx is done and report only through emit.
type Check interface {
	ID() string
	Category() finding.Category
	Kinds() []Kind
	Run(ctx context.Context, t *Target, c *engine.Client, emit Emit) error
}

// Passive is implemented by checks that also inspect every exchange of the
// scan. Inspect must be safe for concurrent use and must not send requests.
type Passive interface {
	Inspect(t *Target, ex *engine.Exchange, emit Emit)
}

// Profiles.
const (
	ProfileQuick    = "quick"
	ProfileStandard = "standard"
	ProfileDeep     = "deep"
)

// Fixture is a pair of small targets a check ships for the generic table
// test: on Vulnerable the check must report Kind, on Safe it must not.
type Fixture struct {
	Name       string
	Kind       string // the finding's check id expected on Vulnerable
	Vulnerable http.Handler
	Safe       http.Handler
	// TLS serves the fixtures over HTTPS (self-signed; scanned with --insecure).
	TLS bool
	// Path is the path the scan starts from ("/" when empty).
	Path string
}

// WithFixtures is implemented by every registered check; the registry test
// asserts it.
type WithFixtures interface {
	Fixtures() []Fixture
}

// StackDetector is implemented by checks whose signatures also reveal the
// target's stack (a Django debug page, a botocore error). The scan calls it
// on every exchange and adds what it returns to Target.Stack.
type StackDetector interface {
	DetectStack(ex *engine.Exchange) []fingerprint.Tech
}

// Has reports whether the target's fingerprinted stack includes the named
// component (fingerprint ids such as "django").
func (t *Target) Has(component string) bool {
	return t != nil && t.Stack != nil && t.Stack.Has(component)
}

// StackHint returns the advice of the first hint whose component (hint[0])
// the target's stack has (hint[1]), or "".
func StackHint(t *Target, hints ...[2]string) string {
	for _, h := range hints {
		if t.Has(h[0]) {
			return h[1]
		}
	}
	return ""
}

// Remediation joins generic advice with StackHint's, so that a finding
// carries the fix for the stack Parapet fingerprinted.
func Remediation(t *Target, generic string, hints ...[2]string) string {
	if h := StackHint(t, hints...); h != "" {
		return generic + " " + h
	}
	return generic
}
