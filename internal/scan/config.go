// Package scan runs one scan from plan to report: it validates the input,
// discovers the target, runs the checks through one engine client, judges
// the findings (deduplication, mapping, scoring) and builds the Report.
package scan

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/parapet-scanner/parapet/internal/engine"
)

// Errors the CLI maps to exit codes.
var (
	// ErrUsage wraps invalid input: a bad URL, an unknown check id. Exit 2.
	ErrUsage = errors.New("usage error")
	// ErrCannotRun wraps a target that gave no response at all. Exit 3.
	ErrCannotRun = errors.New("the scan could not run")
	// ErrInterrupted means the scan was cancelled; the partial report is
	// returned alongside. Exit 130.
	ErrInterrupted = errors.New("scan interrupted")
)

// Scope groups what the scan may touch and how.
type Scope struct {
	AllowHosts    []string
	ExcludePaths  []string
	Active        bool
	Insecure      bool
	AllowRefFiles bool
}

// Inputs groups what the user told Parapet about the target.
type Inputs struct {
	Spec    string
	Headers http.Header
}

// Selection groups which checks run and how thoroughly.
type Selection struct {
	Profile    string
	Checks     []string
	SkipChecks []string
}

// Runtime groups what is injected: version, clock, randomness, network, progress.
type Runtime struct {
	Version     string
	Now         func() time.Time
	Rand        io.Reader
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	Transport   http.RoundTripper
	Progress    func(Event)
}

// Config is one scan's configuration, grouped by concern.
type Config struct {
	Target    string
	Scope     Scope
	Budget    engine.Budget
	Inputs    Inputs
	Selection Selection
	Runtime   Runtime
}

// Event is a progress update.
type Event struct {
	Phase       string // plan, discover, probe, judge, done
	Message     string
	Requests    int64
	ChecksDone  int
	ChecksTotal int
}
