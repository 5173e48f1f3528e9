package cli

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/parapet-scanner/parapet/internal/check/registry"
)

func newChecksCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "checks",
		Short: "List every check kind: id, category, description",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tCATEGORY\tDESCRIPTION")
			for _, c := range registry.All() {
				for _, k := range c.Kinds() {
					fmt.Fprintf(tw, "%s\t%s\t%s\n", k.ID, c.Category(), k.Description)
				}
			}
			return tw.Flush()
		},
	}
}
