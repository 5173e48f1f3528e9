package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/parapet-scanner/parapet/internal/check"
	"github.com/parapet-scanner/parapet/internal/demo"
	"github.com/parapet-scanner/parapet/internal/engine"
	"github.com/parapet-scanner/parapet/internal/scan"
	"github.com/parapet-scanner/parapet/internal/version"
)

func newDemoCmd(e *env) *cobra.Command {
	var o outputFlags
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Scan a built-in vulnerable API on 127.0.0.1 (offline)",
		Long: "Demo starts a small, deliberately vulnerable API on a random port of 127.0.0.1 inside this\n" +
			"process, scans it with the default settings and prints the report. Nothing leaves the machine.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			outs, err := parseOutputs(o)
			if err != nil {
				return err
			}
			srv, err := demo.Start()
			if err != nil {
				return fmt.Errorf("%w: %v", scan.ErrCannotRun, err)
			}
			defer srv.Close()
			if !o.quiet && isTerminal(e.stderr) {
				fmt.Fprintf(e.stderr, "demo API listening on %s\n", srv.URL)
			}
			cfg := scan.Config{
				Target:    srv.URL,
				Budget:    engine.DefaultBudget(),
				Selection: scan.Selection{Profile: check.ProfileStandard},
				Runtime:   scan.Runtime{Version: version.String()},
			}
			if e.scanHook != nil {
				e.scanHook(&cfg)
			}
			return runScan(cmd, e, cfg, outs, o, gates{failBelow: -1})
		},
	}
	o.register(cmd.Flags())
	return cmd
}
