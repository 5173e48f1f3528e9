// Package cli wires Parapet's commands, flags and exit codes. It holds no scan
// logic: it parses input, calls internal/scan and the report writers, and maps
// errors to the exit codes of CONTRACT.md in one place (exitCode).
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/parapet-scanner/parapet/internal/safetext"
	"github.com/parapet-scanner/parapet/internal/scan"
	"github.com/parapet-scanner/parapet/internal/version"
)

// Exit codes (CONTRACT.md).
const (
	ExitOK          = 0
	ExitGateFailed  = 1
	ExitUsage       = 2
	ExitCannotRun   = 3
	ExitInterrupted = 130
)

// errGateFailed is returned when a --fail-* gate fails after a complete scan.
var errGateFailed = errors.New("gate failed")

// usageError marks input errors found by the CLI itself.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

// env is what the commands write to and read from.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	// scanHook lets tests inject a transport or dialer into scans.
	scanHook func(*scan.Config)
}

// Run executes Parapet with args (without the program name) and returns the
// process exit code.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return run(ctx, args, &env{stdout: stdout, stderr: stderr, getenv: os.Getenv})
}

func run(ctx context.Context, args []string, e *env) int {
	root := newRoot(e)
	root.SetArgs(args)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	err := root.ExecuteContext(ctx)
	code := exitCode(err)
	if err != nil {
		fmt.Fprintf(e.stderr, "parapet: %s\n", safetext.Line(oneLine(err)))
	}
	return code
}

// exitCode is the one place errors become exit codes.
func exitCode(err error) int {
	var ue usageError
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, errGateFailed):
		return ExitGateFailed
	case errors.Is(err, scan.ErrInterrupted):
		return ExitInterrupted
	case errors.Is(err, scan.ErrCannotRun):
		return ExitCannotRun
	case errors.As(err, &ue), errors.Is(err, scan.ErrUsage):
		return ExitUsage
	}
	// Anything else that reaches here is an input problem cobra reported
	// (unknown flag, bad value) or a file we could not read or write.
	return ExitUsage
}

// cleanFlagError drops the Go parser's wording from a flag error:
// `invalid argument "abc" for "--rate" flag: strconv.ParseFloat: …` becomes
// `invalid argument "abc" for --rate: not a number`.
func cleanFlagError(err error) string {
	msg := err.Error()
	i := strings.Index(msg, " flag: ")
	if !strings.HasPrefix(msg, "invalid argument") || i < 0 {
		return msg
	}
	head := strings.Replace(msg[:i], `for "`, "for ", 1)
	head = strings.TrimSuffix(head, `"`)
	detail := msg[i+len(" flag: "):]
	switch {
	case strings.Contains(detail, "strconv.Parse"):
		detail = "not a number"
	case strings.Contains(detail, "time: "):
		detail = "not a duration (use e.g. 500ms, 10s, 5m)"
	}
	return head + ": " + detail
}

func oneLine(err error) string {
	s := err.Error()
	s = strings.TrimPrefix(s, scan.ErrUsage.Error()+": ")
	return strings.Join(strings.Fields(s), " ")
}

func newRoot(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:           "parapet",
		Short:         "Parapet probes HTTP APIs from the outside with safe requests and grades their security.",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version.String(),
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{cleanFlagError(err)} })
	root.AddCommand(newScanCmd(e), newDemoCmd(e), newVersionCmd(e), newChecksCmd(e))
	return root
}

func newVersionCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print Parapet's version",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintf(e.stdout, "parapet %s\n", version.String())
			return err
		},
	}
}
