package cli

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/parapet-scanner/parapet/internal/check"
	"github.com/parapet-scanner/parapet/internal/engine"
	"github.com/parapet-scanner/parapet/internal/finding"
	"github.com/parapet-scanner/parapet/internal/report"
	"github.com/parapet-scanner/parapet/internal/scan"
	"github.com/parapet-scanner/parapet/internal/version"
)

// outputFlags are the Output group of CONTRACT.md.
type outputFlags struct {
	formats []string
	output  string
	quiet   bool
	noColor bool
}

func (o *outputFlags) register(fs *pflag.FlagSet) {
	fs.StringArrayVarP(&o.formats, "format", "f", nil, "report format NAME[=PATH], repeatable; NAME: "+strings.Join(report.Names(), ", ")+" (default text to stdout)")
	fs.StringVarP(&o.output, "output", "o", "", "file for a single --format given without a path")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress on stderr")
	fs.BoolVar(&o.noColor, "no-color", false, "no colour in terminal output")
}

// scanFlags are every flag of `parapet scan`, grouped as in CONTRACT.md.
type scanFlags struct {
	out outputFlags

	active        bool
	profile       string
	allowHosts    []string
	excludePaths  []string
	checks        []string
	skipChecks    []string
	dryRun        bool
	insecure      bool
	allowRefFiles bool

	maxRequests int
	rate        float64
	concurrency int
	timeout     time.Duration
	maxDuration time.Duration
	maxBody     string

	spec    string
	headers []string

	failBelow int
	failOn    string
}

func (f *scanFlags) register(fs *pflag.FlagSet) {
	f.out.register(fs)
	fs.BoolVar(&f.active, "active", false, "allow state-changing probes (POST/PUT/PATCH with canary bodies); meant for staging")
	fs.StringVar(&f.profile, "profile", check.ProfileStandard, "how many probes: quick, standard or deep")
	fs.StringArrayVar(&f.allowHosts, "allow-host", nil, "another host in scope (repeatable)")
	fs.StringArrayVar(&f.excludePaths, "exclude-path", nil, "path glob never requested, e.g. /admin/** (repeatable)")
	fs.StringSliceVar(&f.checks, "checks", nil, "run only these checks or kinds (comma-separated ids; 'parapet checks' lists them)")
	fs.StringSliceVar(&f.skipChecks, "skip-checks", nil, "skip these checks or kinds")
	fs.BoolVar(&f.dryRun, "dry-run", false, "print the plan and send nothing")
	fs.BoolVar(&f.insecure, "insecure", false, "scan despite TLS certificate errors (they are still reported)")
	fs.BoolVar(&f.allowRefFiles, "allow-ref-files", false, "let a spec's $ref read files outside its own directory")

	def := engine.DefaultBudget()
	fs.IntVar(&f.maxRequests, "max-requests", def.MaxRequests, "total requests")
	fs.Float64Var(&f.rate, "rate", def.Rate, "requests per second")
	fs.IntVar(&f.concurrency, "concurrency", def.Concurrency, "requests in flight at once")
	fs.DurationVar(&f.timeout, "timeout", def.Timeout, "per-request timeout")
	fs.DurationVar(&f.maxDuration, "max-duration", def.MaxDuration, "whole-scan time budget")
	fs.StringVar(&f.maxBody, "max-body", "2MiB", "response bytes read per request, after decompression")

	fs.StringVar(&f.spec, "spec", "", "OpenAPI document (file or URL)")
	fs.StringArrayVar(&f.headers, "header", nil, `header sent on every request, "Name: value" (repeatable)`)

	fs.IntVar(&f.failBelow, "fail-below", -1, "exit 1 when the score is below SCORE (0-100; off by default)")
	fs.StringVar(&f.failOn, "fail-on", "", "exit 1 when a finding has this severity or worse")
}

func newScanCmd(e *env) *cobra.Command {
	var f scanFlags
	cmd := &cobra.Command{
		Use:   "scan URL",
		Short: "Scan an HTTP API",
		Long: "Scan probes the API at URL (a base URL or one endpoint, query string included) with safe requests\n" +
			"and writes a graded report. Without --active it sends only GET, HEAD and OPTIONS.",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("scan needs exactly one URL, got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, outs, gates, err := f.build(cmd, args[0], e)
			if err != nil {
				return err
			}
			if f.dryRun {
				return scan.WritePlan(e.stdout, cfg)
			}
			return runScan(cmd, e, cfg, outs, f.out, gates)
		},
	}
	f.register(cmd.Flags())
	return cmd
}

// gates are the --fail-* conditions.
type gates struct {
	failBelow int
	failOn    finding.Severity
}

func (g gates) check(r *report.Report) error {
	tested := 0
	for _, v := range r.Categories {
		if v != nil {
			tested++
		}
	}
	if g.failBelow >= 0 && tested == 0 {
		return fmt.Errorf("%w: no category could be tested, so the score proves nothing (see the warnings)", errGateFailed)
	}
	if g.failBelow >= 0 && r.Score < g.failBelow {
		return fmt.Errorf("%w: score %d is below %d", errGateFailed, r.Score, g.failBelow)
	}
	if g.failOn != "" {
		for _, f := range r.Findings {
			if f.Severity.Rank() >= g.failOn.Rank() {
				return fmt.Errorf("%w: a %s finding (%s)", errGateFailed, f.Severity, f.Check)
			}
		}
	}
	return nil
}

func (f *scanFlags) build(cmd *cobra.Command, target string, e *env) (scan.Config, []output, gates, error) {
	var g gates
	switch f.profile {
	case check.ProfileQuick, check.ProfileStandard, check.ProfileDeep:
	default:
		return scan.Config{}, nil, g, usagef("--profile must be quick, standard or deep, not %q", f.profile)
	}
	if _, err := scan.ParseTarget(target); err != nil {
		return scan.Config{}, nil, g, err
	}
	switch {
	case f.maxRequests < 1:
		return scan.Config{}, nil, g, usagef("--max-requests must be at least 1")
	case f.rate < 0:
		return scan.Config{}, nil, g, usagef("--rate must not be negative (0 means unlimited)")
	case f.concurrency < 1 || f.concurrency > 1000:
		return scan.Config{}, nil, g, usagef("--concurrency must be between 1 and 1000")
	case f.timeout <= 0:
		return scan.Config{}, nil, g, usagef("--timeout must be positive")
	case f.maxDuration < 0:
		return scan.Config{}, nil, g, usagef("--max-duration must not be negative")
	}
	maxBody, err := parseSize(f.maxBody)
	if err != nil {
		return scan.Config{}, nil, g, usagef("--max-body: invalid size %q (use e.g. 2MiB, 512KiB, 1000000)", f.maxBody)
	}
	if cmd.Flags().Changed("fail-below") && (f.failBelow < 0 || f.failBelow > 100) {
		return scan.Config{}, nil, g, usagef("--fail-below must be between 0 and 100")
	}
	g.failBelow = f.failBelow
	if f.failOn != "" {
		sev, ok := finding.ParseSeverity(f.failOn)
		if !ok {
			return scan.Config{}, nil, g, usagef("--fail-on must be critical, high, medium, low or info, not %q", f.failOn)
		}
		g.failOn = sev
	}
	headers, err := parseHeaders(f.headers)
	if err != nil {
		return scan.Config{}, nil, g, err
	}
	for _, h := range f.allowHosts {
		if strings.TrimSpace(h) == "" || strings.ContainsAny(h, "/ ") {
			return scan.Config{}, nil, g, usagef("--allow-host wants a host name, not %q", h)
		}
	}
	if f.spec != "" && !strings.Contains(f.spec, "://") {
		if _, err := os.Stat(f.spec); err != nil {
			return scan.Config{}, nil, g, usagef("--spec: cannot read %s: %v", f.spec, errors.Unwrap(err))
		}
	}
	outs, err := parseOutputs(f.out)
	if err != nil {
		return scan.Config{}, nil, g, err
	}
	cfg := scan.Config{
		Target: target,
		Scope: scan.Scope{AllowHosts: f.allowHosts, ExcludePaths: f.excludePaths, Active: f.active,
			Insecure: f.insecure, AllowRefFiles: f.allowRefFiles},
		Budget: engine.Budget{MaxRequests: f.maxRequests, Rate: f.rate, Concurrency: f.concurrency,
			Timeout: f.timeout, MaxDuration: f.maxDuration, MaxBody: maxBody, MaxRedirects: engine.DefaultMaxRedirects},
		Inputs:    scan.Inputs{Spec: f.spec, Headers: headers},
		Selection: scan.Selection{Profile: f.profile, Checks: f.checks, SkipChecks: f.skipChecks},
		Runtime:   scan.Runtime{Version: version.String()},
	}
	if e.scanHook != nil {
		e.scanHook(&cfg)
	}
	return cfg, outs, g, nil
}

// parseHeaders reads repeated "Name: value" flags.
func parseHeaders(list []string) (http.Header, error) {
	h := http.Header{}
	for _, raw := range list {
		name, value, ok := strings.Cut(raw, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" || strings.ContainsAny(name, " \t\r\n") || strings.ContainsAny(value, "\r\n") {
			return nil, usagef(`--header wants "Name: value", got %q`, maskedHeaderArg(raw))
		}
		h.Add(name, strings.TrimSpace(value))
	}
	return h, nil
}

// maskedHeaderArg shows a bad --header argument without its value, which may be a secret.
func maskedHeaderArg(raw string) string {
	if name, _, ok := strings.Cut(raw, ":"); ok {
		return name + ": ****"
	}
	if len(raw) > 12 {
		return raw[:4] + "****"
	}
	return raw
}

// parseSize reads a byte size such as 2MiB, 512KiB, 1MB or 1000.
func parseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	units := []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"kB", 1e3},
		{"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}}
	mult := int64(1)
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || n <= 0 || n*float64(mult) > 1<<40 {
		return 0, fmt.Errorf("invalid size %q (use e.g. 2MiB, 512KiB, 1000000)", s)
	}
	return int64(n * float64(mult)), nil
}
