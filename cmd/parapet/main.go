// Command parapet is an API security scanner. All logic lives in internal/;
// main only wires signals and the process exit code.
package main

import (
	"context"
	"io"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/parapet-scanner/parapet/internal/cli"
)

func main() {
	// net/http reports some peer misbehaviour through the standard logger;
	// Parapet reports what matters itself, and stderr stays one line per error.
	log.SetOutput(io.Discard)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
