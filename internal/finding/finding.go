// Package finding defines what a check reports: the Finding model, its stable
// fingerprint, severities, confidences, categories and the mapping of each
// category to OWASP API Security Top 10 (2023), CWE and compliance controls.
package finding

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Severity says how bad a finding is. Values are the lowercase words of CONTRACT.md.
type Severity string

// Severities from worst to least.
const (
	Critical Severity = "critical"
	High     Severity = "high"
	Medium   Severity = "medium"
	Low      Severity = "low"
	Info     Severity = "info"
)

// Severities lists every severity, worst first.
var Severities = []Severity{Critical, High, Medium, Low, Info}

// Rank orders severities: critical is 4, info 0, an unknown value -1.
func (s Severity) Rank() int {
	switch s {
	case Critical:
		return 4
	case High:
		return 3
	case Medium:
		return 2
	case Low:
		return 1
	case Info:
		return 0
	}
	return -1
}

// ParseSeverity reads a severity word, case-insensitively.
func ParseSeverity(s string) (Severity, bool) {
	v := Severity(strings.ToLower(strings.TrimSpace(s)))
	return v, v.Rank() >= 0
}

// Confidence says how sure the check is that the finding is real.
type Confidence string

// Confidences from most to least sure.
const (
	Confirmed Confidence = "confirmed"
	Firm      Confidence = "firm"
	Tentative Confidence = "tentative"
)

// Location says where a finding was seen.
type Location struct {
	Method string `json:"method"`
	URL    string `json:"url"`
	// Path is the path template when known, else the concrete path.
	Path  string `json:"path"`
	Param string `json:"param"`
	// In is one of the In* constants.
	In string `json:"in"`
}

// Where a parameter or piece of evidence lives (Location.In).
const (
	InPath           = "path"
	InQuery          = "query"
	InHeader         = "header"
	InCookie         = "cookie"
	InBody           = "body"
	InResponseHeader = "response-header"
	InResponseCookie = "response-cookie"
	InResponseBody   = "response-body"
	InSite           = "site"
)

// Evidence is one request and an excerpt of its response, both masked.
type Evidence struct {
	Request  string `json:"request"`
	Response string `json:"response"`
	Note     string `json:"note"`
}

// Control is one compliance control a finding maps to.
type Control struct {
	Framework string `json:"framework"`
	Control   string `json:"control"`
}

// Finding is one weakness found by a check. Field names and JSON keys follow
// the report contract (CONTRACT.md).
type Finding struct {
	ID          string         `json:"id"`
	Check       string         `json:"check"`
	Category    Category       `json:"category"`
	Severity    Severity       `json:"severity"`
	Confidence  Confidence     `json:"confidence"`
	Title       string         `json:"title"`
	Description string         `json:"description"`
	Remediation string         `json:"remediation"`
	CWE         string         `json:"cwe"`
	OWASP       string         `json:"owasp"`
	Compliance  []Control      `json:"compliance"`
	Location    Location       `json:"location"`
	Evidence    []Evidence     `json:"evidence"`
	Details     map[string]any `json:"details"`
	Reproduce   string         `json:"reproduce"`
}

// Fingerprint computes the stable id of a finding: a hash of its check, method,
// path template, parameter and where the parameter lives. The concrete URL,
// evidence and wording do not take part, so the id survives re-scans.
func Fingerprint(check string, loc Location) string {
	h := sha256.New()
	for _, part := range []string{check, strings.ToUpper(loc.Method), loc.Path, loc.Param, loc.In} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:10])
}

// Normalize fills what can be derived: the id, the category's default OWASP item
// and CWE when the check left them empty, compliance controls, and empty
// collections instead of nil so that JSON readers see arrays and objects.
func (f *Finding) Normalize() {
	if f.Category == "" {
		if i := strings.IndexByte(f.Check, '/'); i > 0 {
			f.Category = Category(f.Check[:i])
		}
	}
	meta := f.Category.Meta()
	if f.OWASP == "" {
		f.OWASP = meta.OWASP
	}
	if f.CWE == "" {
		f.CWE = meta.CWE
	}
	if len(f.Compliance) == 0 {
		f.Compliance = append([]Control(nil), meta.Compliance...)
	}
	if f.Confidence == "" {
		f.Confidence = Tentative
	}
	if f.Location.Method == "" && f.Location.In != InSite {
		f.Location.Method = "GET"
	}
	f.ID = Fingerprint(f.Check, f.Location)
	if f.Evidence == nil {
		f.Evidence = []Evidence{}
	}
	if f.Details == nil {
		f.Details = map[string]any{}
	}
}

// ConfidenceRank orders confidences: confirmed 2, firm 1, tentative (or
// unknown) 0.
func (c Confidence) Rank() int {
	switch c {
	case Confirmed:
		return 2
	case Firm:
		return 1
	}
	return 0
}

// Merge folds g, a finding with the same id, into f. The stronger of the two
// (higher confidence, then higher severity) gives the wording, details,
// remediation and reproduction, and its evidence comes first; at most
// maxEvidence pieces are kept, without repeating a request.
func (f *Finding) Merge(g Finding, maxEvidence int) {
	stronger := g.Confidence.Rank() > f.Confidence.Rank() ||
		(g.Confidence.Rank() == f.Confidence.Rank() && g.Severity.Rank() > f.Severity.Rank())
	first, second := f.Evidence, g.Evidence
	if stronger {
		first, second = g.Evidence, f.Evidence
		f.Title, f.Description, f.Details = g.Title, g.Description, g.Details
		f.Remediation, f.Reproduce = g.Remediation, g.Reproduce
		f.Confidence = g.Confidence
		if g.CWE != "" {
			f.CWE = g.CWE
		}
		f.Location.URL = g.Location.URL
	}
	if g.Severity.Rank() > f.Severity.Rank() {
		f.Severity = g.Severity
	}
	if g.Confidence.Rank() > f.Confidence.Rank() {
		f.Confidence = g.Confidence
	}
	merged := make([]Evidence, 0, maxEvidence)
	seen := map[string]bool{}
	for _, e := range append(append([]Evidence(nil), first...), second...) {
		if len(merged) == maxEvidence {
			break
		}
		if seen[e.Request] {
			continue
		}
		seen[e.Request] = true
		merged = append(merged, e)
	}
	f.Evidence = merged
}
