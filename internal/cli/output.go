package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/parapet-scanner/parapet/internal/report"
	"github.com/parapet-scanner/parapet/internal/safetext"
	"github.com/parapet-scanner/parapet/internal/scan"
)

// output is one report destination: a format and a file ("" = stdout).
type output struct {
	format report.Format
	path   string
}

// parseOutputs applies the --format / --output rules of CONTRACT.md.
func parseOutputs(o outputFlags) ([]output, error) {
	specs := o.formats
	if len(specs) == 0 {
		specs = []string{"text"}
	}
	var outs []output
	toStdout := 0
	for _, s := range specs {
		name, path, _ := strings.Cut(s, "=")
		f, err := report.Lookup(strings.TrimSpace(name))
		if err != nil {
			return nil, usagef("--format: %v", err)
		}
		if path == "-" {
			path = "" // the usual spelling of stdout
		}
		outs = append(outs, output{format: f, path: path})
	}
	if o.output != "" {
		n := 0
		for i := range outs {
			if outs[i].path == "" {
				outs[i].path = o.output
				n++
			}
		}
		if n != 1 {
			return nil, usagef("--output is the file of the one --format given without a path; give each format its own path instead (-f NAME=PATH)")
		}
	}
	for _, out := range outs {
		if out.path == "" {
			toStdout++
		}
	}
	if toStdout > 1 {
		return nil, usagef("at most one --format may go to stdout; give the others a path (NAME=PATH)")
	}
	paths := map[string]bool{}
	for _, out := range outs {
		if out.path == "" {
			continue
		}
		abs, _ := filepath.Abs(out.path)
		if paths[abs] {
			return nil, usagef("two formats would write the same file %s", out.path)
		}
		paths[abs] = true
		if st, err := os.Stat(out.path); err == nil && st.IsDir() {
			return nil, usagef("cannot write %s: it is a directory", out.path)
		}
		dir := filepath.Dir(out.path)
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return nil, usagef("cannot write %s: directory %s does not exist", out.path, dir)
		}
	}
	return outs, nil
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func (e *env) colorFor(w io.Writer, o outputFlags) bool {
	return !o.noColor && e.getenv("NO_COLOR") == "" && e.getenv("TERM") != "dumb" && isTerminal(w)
}

// progressPrinter shows one updating status line on a terminal's stderr.
type progressPrinter struct {
	mu    sync.Mutex
	w     io.Writer
	last  time.Time
	shown bool
}

func (p *progressPrinter) event(ev scan.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if ev.Phase != "done" && time.Since(p.last) < 100*time.Millisecond && ev.Phase == "probe" && ev.ChecksDone != ev.ChecksTotal {
		return
	}
	p.last = time.Now()
	msg := fmt.Sprintf("[%s] %s", ev.Phase, safetext.Line(ev.Message))
	if ev.ChecksTotal > 0 {
		msg = fmt.Sprintf("[%s] %d/%d checks  %s", ev.Phase, ev.ChecksDone, ev.ChecksTotal, safetext.Line(ev.Message))
	}
	msg = fmt.Sprintf("%s  (%d requests)", safetext.Truncate(msg, 100), ev.Requests)
	fmt.Fprintf(p.w, "\r\x1b[K%s", msg)
	p.shown = true
}

func (p *progressPrinter) clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}

// runScan runs the scan, writes every requested output, and applies the gates.
func runScan(cmd *cobra.Command, e *env, cfg scan.Config, outs []output, o outputFlags, g gates) error {
	var pp *progressPrinter
	if !o.quiet && isTerminal(e.stderr) {
		pp = &progressPrinter{w: e.stderr}
		cfg.Runtime.Progress = pp.event
	}
	rep, err := scan.Run(cmd.Context(), cfg)
	if pp != nil {
		pp.clear()
	}
	if rep == nil {
		return err
	}
	if !o.quiet {
		for _, w := range rep.Warnings {
			fmt.Fprintf(e.stderr, "parapet: warning: %s\n", safetext.Line(w))
		}
	}
	if werr := writeOutputs(e, rep, outs, o); werr != nil {
		return errors.Join(err, werr)
	}
	if err != nil {
		return err
	}
	return g.check(rep)
}

func writeOutputs(e *env, rep *report.Report, outs []output, o outputFlags) error {
	var errs []error
	for _, out := range outs {
		if out.path == "" {
			w := out.format.New(report.Options{Color: e.colorFor(e.stdout, o)})
			if err := w.Write(e.stdout, rep); err != nil {
				errs = append(errs, fmt.Errorf("write %s report: %w", out.format.Name, err))
			}
			continue
		}
		if err := writeFile(out.path, out.format.New(report.Options{}), rep); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// writeFile writes a regular file atomically: a temporary file renamed into
// place, so an interrupted run never leaves half a report. A path that is not
// a regular file (/dev/null, /dev/stdout, a named pipe) is written in place:
// renaming onto it would replace the device with a file.
func writeFile(path string, w report.Writer, rep *report.Report) error {
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		if err := w.Write(f, rep); err != nil {
			f.Close()
			return fmt.Errorf("write %s: %w", path, err)
		}
		return f.Close()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".parapet-report-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := w.Write(tmp, rep); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
