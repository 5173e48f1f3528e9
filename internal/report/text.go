package report

import (
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/parapet-scanner/parapet/internal/finding"
	"github.com/parapet-scanner/parapet/internal/safetext"
	"github.com/parapet-scanner/parapet/internal/score"
)

// Text writes the human-readable report. Every string that may come from the
// target goes through safetext, so no escape sequence reaches the terminal.
type Text struct {
	Color bool
}

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiBlue   = "\x1b[34m"
	ansiGreen  = "\x1b[32m"
	ansiMag    = "\x1b[35m"
)

// maxEvidenceLines bounds how much of each evidence excerpt the terminal shows;
// the JSON report keeps the whole excerpt.
const maxEvidenceLines = 12

func (t *Text) paint(code, s string) string {
	if !t.Color {
		return s
	}
	return code + s + ansiReset
}

func (t *Text) severityColor(s finding.Severity) string {
	switch s {
	case finding.Critical:
		return ansiMag
	case finding.High:
		return ansiRed
	case finding.Medium:
		return ansiYellow
	case finding.Low:
		return ansiBlue
	}
	return ansiDim
}

func (t *Text) gradeColor(g string) string {
	switch g {
	case "A", "B":
		return ansiGreen
	case "C", "D":
		return ansiYellow
	}
	return ansiRed
}

// Write implements Writer.
func (t *Text) Write(w io.Writer, r *Report) error {
	var b strings.Builder
	line := safetext.Line
	fmt.Fprintf(&b, "%s %s — scan of %s\n", t.paint(ansiBold, r.Tool.Name), line(r.Tool.Version), line(r.Target))
	counts := r.CountBySeverity()
	var parts []string
	for _, s := range finding.Severities {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	summary := "no findings"
	if len(parts) > 0 {
		summary = fmt.Sprintf("%s: %s", plural(len(r.Findings), "finding", "findings"), strings.Join(parts, ", "))
	}
	fmt.Fprintf(&b, "Score %s  Grade %s  (%s)\n",
		t.paint(ansiBold, fmt.Sprintf("%d/100", r.Score)), t.paint(ansiBold+t.gradeColor(r.Grade), r.Grade), summary)
	fmt.Fprintf(&b, "%d requests, %.1f s, started %s\n", r.Stats.Requests, float64(r.DurationMS)/1000,
		r.StartedAt.UTC().Format("2006-01-02 15:04:05 UTC"))
	if why := r.Partial(); why != "" {
		fmt.Fprintf(&b, "%s\n", t.paint(ansiBold+ansiYellow, "PARTIAL SCAN ("+why+"): categories without findings were not fully tested; see Warnings"))
	}

	testedN := 0
	for _, c := range finding.Categories {
		if r.Categories[c] != nil {
			testedN++
		}
	}
	b.WriteString("\n" + t.paint(ansiBold, "Categories") + fmt.Sprintf(" (%d of %d tested)", testedN, len(finding.Categories)) + "\n")
	for _, c := range finding.Categories {
		v := r.Categories[c]
		if v == nil {
			fmt.Fprintf(&b, "  %-24s %s\n", c, t.paint(ansiDim, "not tested"))
			continue
		}
		g := score.Grade(*v)
		fmt.Fprintf(&b, "  %-24s %3d %s\n", c, *v, t.paint(t.gradeColor(g), g))
	}

	if len(r.Stack) > 0 {
		b.WriteString("\n" + t.paint(ansiBold, "Stack") + "\n")
		for _, s := range r.Stack {
			name := line(s.Name)
			if s.Version != "" {
				name += " " + line(s.Version)
			}
			fmt.Fprintf(&b, "  %-24s %s\n", name, t.paint(ansiDim, line(safetext.Truncate(s.Evidence, 100))))
		}
	}

	b.WriteString("\n" + t.paint(ansiBold, "Findings") + "\n")
	if len(r.Findings) == 0 {
		b.WriteString("  none\n")
	}
	for _, f := range r.Findings {
		t.writeFinding(&b, f)
	}

	if len(r.Warnings) > 0 {
		b.WriteString("\n" + t.paint(ansiBold, "Warnings") + "\n")
		for _, wn := range r.Warnings {
			fmt.Fprintf(&b, "  - %s\n", line(wn))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (t *Text) writeFinding(b *strings.Builder, f finding.Finding) {
	line := safetext.Line
	sev := fmt.Sprintf("%-8s", strings.ToUpper(string(f.Severity)))
	fmt.Fprintf(b, "\n  %s %s\n", t.paint(ansiBold+t.severityColor(f.Severity), sev), t.paint(ansiBold, line(f.Title)))
	loc := f.Location
	where := strings.TrimSpace(loc.Method + " " + loc.Path)
	switch {
	case loc.In == finding.InSite:
		where = "whole site"
	case loc.In == finding.InCookie || loc.In == finding.InResponseCookie:
		where = fmt.Sprintf("cookie %s, site-wide (seen at %s)", loc.Param, urlPath(loc.URL))
	case loc.Param != "":
		where += fmt.Sprintf("  (%s %s)", loc.In, loc.Param)
	}
	fmt.Fprintf(b, "           %s  %s  confidence %s  %s %s\n", line(f.Check), line(where), f.Confidence, f.OWASP, f.CWE)
	if f.Description != "" {
		writeWrapped(b, line(f.Description), "           ", 100)
	}
	for i, e := range f.Evidence {
		if i == 2 {
			fmt.Fprintf(b, "           (%s more in the JSON report)\n", plural(len(f.Evidence)-2, "piece of evidence", "pieces of evidence"))
			break
		}
		if e.Note != "" {
			fmt.Fprintf(b, "           %s %s\n", t.paint(ansiDim, "evidence:"), line(e.Note))
		}
		writeExcerpt(b, "> ", e.Request, t, loc.Param)
		writeExcerpt(b, "< ", e.Response, t, loc.Param)
	}
	if f.Remediation != "" {
		b.WriteString("           " + t.paint(ansiGreen, "fix:") + "\n")
		writeWrapped(b, line(f.Remediation), "             ", 100)
	}
	fmt.Fprintf(b, "           %s\n", t.paint(ansiDim, "id "+f.ID))
}

// routineHeaders are left out of the terminal excerpt unless the finding is
// about them; the JSON report keeps every header.
var routineHeaders = map[string]bool{
	"date": true, "content-length": true, "connection": true, "keep-alive": true, "vary": true,
	"transfer-encoding": true, "etag": true, "last-modified": true, "expires": true, "accept": true,
	"accept-encoding": true, "user-agent": true, "x-request-id": true, "age": true,
}

func writeExcerpt(b *strings.Builder, prefix, s string, t *Text, param string) {
	if s == "" {
		return
	}
	var lines []string
	inHeaders := true
	for i, l := range strings.Split(safetext.Terminal(s), "\n") {
		if l == "" {
			inHeaders = false
		}
		if i > 0 && inHeaders {
			name, _, _ := strings.Cut(l, ":")
			if routineHeaders[strings.ToLower(name)] && !strings.EqualFold(name, param) {
				continue
			}
		}
		lines = append(lines, l)
	}
	for i, l := range lines {
		if i == maxEvidenceLines {
			fmt.Fprintf(b, "             %s\n", t.paint(ansiDim, fmt.Sprintf("%s… (%s more)", prefix, plural(len(lines)-i, "line", "lines"))))
			break
		}
		fmt.Fprintf(b, "             %s\n", t.paint(ansiDim, prefix+safetext.Truncate(l, 160)))
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func urlPath(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Path != "" {
		return u.Path
	}
	return "/"
}

func writeWrapped(b *strings.Builder, s, indent string, width int) {
	words := strings.Fields(s)
	cur := 0
	b.WriteString(indent)
	for i, w := range words {
		if i > 0 && cur+1+len(w) > width {
			b.WriteString("\n" + indent)
			cur = 0
		} else if i > 0 {
			b.WriteString(" ")
			cur++
		}
		b.WriteString(w)
		cur += len(w)
	}
	b.WriteString("\n")
}
