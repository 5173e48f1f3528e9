// Package report holds the scan report model (schema_version "1" of
// CONTRACT.md) and its writers, one file per format. A writer never decides
// severity or scores; it only renders the Report it is given.
package report

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/parapet-scanner/parapet/internal/finding"
	"github.com/parapet-scanner/parapet/internal/fingerprint"
)

// SchemaVersion is the JSON report's schema_version.
const SchemaVersion = "1"

// Tool names the scanner that wrote a report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Stats are the report's counters: the engine's plus the scan's own.
type Stats struct {
	Requests          int64 `json:"requests"`
	BytesRead         int64 `json:"bytes_read"`
	Throttled         int64 `json:"throttled"`
	Errors            int64 `json:"errors"`
	RedirectsFollowed int64 `json:"redirects_followed"`
	Refused           int64 `json:"refused"`
	Operations        int   `json:"operations"`
	ChecksRun         int   `json:"checks_run"`
	BudgetExhausted   bool  `json:"budget_exhausted"`
	DurationExceeded  bool  `json:"duration_exceeded"`
	TargetFailing     bool  `json:"target_failing"`
	Interrupted       bool  `json:"interrupted"`
}

// Report is one scan's result.
type Report struct {
	SchemaVersion string                    `json:"schema_version"`
	Tool          Tool                      `json:"tool"`
	Target        string                    `json:"target"`
	StartedAt     time.Time                 `json:"started_at"`
	DurationMS    int64                     `json:"duration_ms"`
	Score         int                       `json:"score"`
	Grade         string                    `json:"grade"`
	Categories    map[finding.Category]*int `json:"categories"`
	Stack         []fingerprint.Tech        `json:"stack"`
	Stats         Stats                     `json:"stats"`
	Warnings      []string                  `json:"warnings"`
	Findings      []finding.Finding         `json:"findings"`
}

// SortFindings orders findings by severity (worst first), then confidence,
// check and location, so that every writer shows them the same way.
func SortFindings(fs []finding.Finding) {
	conf := map[finding.Confidence]int{finding.Confirmed: 0, finding.Firm: 1, finding.Tentative: 2}
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Severity.Rank() != b.Severity.Rank() {
			return a.Severity.Rank() > b.Severity.Rank()
		}
		if conf[a.Confidence] != conf[b.Confidence] {
			return conf[a.Confidence] < conf[b.Confidence]
		}
		if a.Check != b.Check {
			return a.Check < b.Check
		}
		if a.Location.Path != b.Location.Path {
			return a.Location.Path < b.Location.Path
		}
		return a.ID < b.ID
	})
}

// Partial returns why the scan did not finish, or "" when it did.
func (r *Report) Partial() string {
	switch {
	case r.Stats.Interrupted:
		return "interrupted"
	case r.Stats.TargetFailing:
		return "the target kept failing"
	case r.Stats.BudgetExhausted:
		return "request budget used up"
	case r.Stats.DurationExceeded:
		return "time budget used up"
	}
	return ""
}

// CountBySeverity counts findings per severity.
func (r *Report) CountBySeverity() map[finding.Severity]int {
	out := map[finding.Severity]int{}
	for _, f := range r.Findings {
		out[f.Severity]++
	}
	return out
}

// Options are what a writer may need beyond the report.
type Options struct {
	// Color enables ANSI colour in the text format.
	Color bool
}

// Writer renders a report in one format.
type Writer interface {
	Write(w io.Writer, r *Report) error
}

// Format is one output format: its name for --format and its writer.
type Format struct {
	Name        string
	Description string
	New         func(Options) Writer
}

// Formats lists every output format; it drives both the --format flag and the
// dispatch. A new format is one file and one entry here.
var Formats = []Format{
	{Name: "text", Description: "human-readable report for a terminal", New: func(o Options) Writer { return &Text{Color: o.Color} }},
	{Name: "json", Description: "the JSON report of CONTRACT.md (schema_version 1)", New: func(Options) Writer { return JSON{} }},
}

// Lookup returns the format named name.
func Lookup(name string) (Format, error) {
	for _, f := range Formats {
		if f.Name == name {
			return f, nil
		}
	}
	return Format{}, fmt.Errorf("unknown format %q (available: %s)", name, strings.Join(Names(), ", "))
}

// Names lists the format names.
func Names() []string {
	out := make([]string, len(Formats))
	for i, f := range Formats {
		out[i] = f.Name
	}
	return out
}
