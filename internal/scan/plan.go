package scan

import (
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"

	"github.com/parapet-scanner/parapet/internal/check"
	"github.com/parapet-scanner/parapet/internal/check/registry"
)

// WritePlan validates cfg and writes what a scan would do, sending nothing
// (--dry-run).
func WritePlan(w io.Writer, cfg Config) error {
	start, err := ParseTarget(cfg.Target)
	if err != nil {
		return err
	}
	checks, kinds, err := SelectChecks(registry.All(), cfg.Selection.Checks, cfg.Selection.SkipChecks)
	if err != nil {
		return err
	}
	profile := cfg.Selection.Profile
	if profile == "" {
		profile = check.ProfileStandard
	}
	b := cfg.Budget.WithDefaults()
	var sb strings.Builder
	fmt.Fprintf(&sb, "Plan for %s (dry run: nothing is sent)\n", start.Redacted())
	fmt.Fprintf(&sb, "  scope:    %s\n", strings.Join(append(targetHosts(start), cfg.Scope.AllowHosts...), ", "))
	if len(cfg.Scope.ExcludePaths) > 0 {
		fmt.Fprintf(&sb, "  excluded: %s\n", strings.Join(cfg.Scope.ExcludePaths, ", "))
	}
	methods := "GET, HEAD, OPTIONS (plus text-only POST to LLM chat endpoints); DELETE never"
	if cfg.Scope.Active {
		methods = "GET, HEAD, OPTIONS, POST, PUT, PATCH with canary bodies (--active); DELETE never"
	}
	fmt.Fprintf(&sb, "  methods:  %s\n", methods)
	rate := "unlimited"
	if b.Rate > 0 {
		rate = fmt.Sprintf("%g/s", b.Rate)
	}
	dur := "unlimited"
	if b.MaxDuration > 0 {
		dur = b.MaxDuration.String()
	}
	fmt.Fprintf(&sb, "  budget:   %d requests, %s, concurrency %d, timeout %s, duration %s, body %d bytes, %d redirects\n",
		b.MaxRequests, rate, b.Concurrency, b.Timeout, dur, b.MaxBody, b.MaxRedirects)
	fmt.Fprintf(&sb, "  profile:  %s\n", profile)
	spec := "looked for at the usual places"
	if cfg.Inputs.Spec != "" {
		spec = cfg.Inputs.Spec
	}
	fmt.Fprintf(&sb, "  spec:     %s\n", spec)
	if len(cfg.Inputs.Headers) > 0 {
		fmt.Fprintf(&sb, "  headers:  %s (values not shown)\n", strings.Join(headerNames(cfg.Inputs.Headers), ", "))
	}
	fmt.Fprintf(&sb, "  checks:\n")
	for _, c := range checks {
		var ids []string
		for _, k := range c.Kinds() {
			if kinds == nil || kinds[k.ID] {
				ids = append(ids, k.ID)
			}
		}
		fmt.Fprintf(&sb, "    %-24s %s\n", c.ID(), strings.Join(ids, ", "))
	}
	_, err = io.WriteString(w, sb.String())
	return err
}

func headerNames(h http.Header) []string {
	out := make([]string, 0, len(h))
	for k := range h {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
