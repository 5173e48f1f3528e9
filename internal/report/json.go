package report

import (
	"encoding/json"
	"io"
	"time"

	"github.com/parapet-scanner/parapet/internal/finding"
	"github.com/parapet-scanner/parapet/internal/fingerprint"
)

// JSON writes the report of CONTRACT.md, indented, with a trailing newline.
// Empty lists are written as [] so that readers never see null where an
// array is documented.
type JSON struct{}

// Write implements Writer.
func (JSON) Write(w io.Writer, r *Report) error {
	out := *r
	out.StartedAt = r.StartedAt.UTC().Truncate(time.Second)
	if out.Warnings == nil {
		out.Warnings = []string{}
	}
	if out.Findings == nil {
		out.Findings = []finding.Finding{}
	}
	if out.Stack == nil {
		out.Stack = []fingerprint.Tech{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(&out)
}
