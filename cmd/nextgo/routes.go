package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/nextgo-dev/nextgo/bundler"
	"github.com/nextgo-dev/nextgo/bundler/routes"
	"github.com/spf13/cobra"
)

func newRoutesCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "routes [dir]",
		Short: "Print the app's route table in precedence order",
		Long: `Print the route table: every pages/api route and app route handler, in the
order requests are matched (Next.js precedence), with its file, kind and Config.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := bundler.Load(cmd.Context(), appDir(args))
			if err != nil {
				return err
			}
			if asJSON {
				return writeRoutesJSON(cmd.OutOrStdout(), p.Table)
			}
			writeRoutes(cmd.OutOrStdout(), p.Table)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the table as JSON")
	return cmd
}

// routeJSON is one row of `nextgo routes --json`.
type routeJSON struct {
	Pattern string             `json:"pattern"`
	File    string             `json:"file"`
	Kind    routes.Kind        `json:"kind"`
	Name    string             `json:"name"`
	Methods []string           `json:"methods"`
	Config  routes.RouteConfig `json:"config"`
}

func writeRoutesJSON(w io.Writer, t *routes.Table) error {
	rows := []routeJSON{}
	for _, r := range t.Routes {
		rows = append(rows, routeJSON{Pattern: r.Pattern, File: r.File, Kind: r.Kind, Name: r.Name, Methods: r.MethodNames(), Config: r.Config})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rows)
}

func writeRoutes(w io.Writer, t *routes.Table) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ROUTE\tKIND\tMETHODS\tFILE\tCONFIG")
	for _, r := range t.Routes {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Pattern, r.Kind, strings.Join(r.MethodNames(), ","), r.File, configSummary(r.Config))
	}
	tw.Flush()
	if t.Middleware != nil {
		fmt.Fprintf(w, "\nmiddleware: %s", t.Middleware.File)
		if len(t.Middleware.Matcher) > 0 {
			fmt.Fprintf(w, " (matcher %s)", strings.Join(t.Middleware.Matcher, ", "))
		}
		fmt.Fprintln(w)
	}
}

// configSummary renders the Config fields a route sets, or "-".
func configSummary(c routes.RouteConfig) string {
	var parts []string
	add := func(cond bool, format string, args ...any) {
		if cond {
			parts = append(parts, fmt.Sprintf(format, args...))
		}
	}
	add(c.MaxDuration > 0, "maxDuration=%ds", c.MaxDuration)
	add(c.Memory > 0, "memory=%dMB", c.Memory)
	add(c.SizeLimit != "", "sizeLimit=%s", c.SizeLimit)
	add(c.BodyParserDisabled, "bodyParser=off")
	add(c.ResponseLimit != "", "responseLimit=%s", c.ResponseLimit)
	add(c.NoResponseLimit, "responseLimit=off")
	add(c.ExternalResolver, "externalResolver")
	add(c.Dynamic != "" && c.Dynamic != "Auto", "dynamic=%s", c.Dynamic)
	add(c.Revalidate > 0, "revalidate=%ds", c.Revalidate)
	add(c.BodySizeLimit != "", "bodySizeLimit=%s", c.BodySizeLimit)
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, " ")
}
