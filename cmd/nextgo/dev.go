package main

import (
	"fmt"
	"time"

	"github.com/nextgo-dev/nextgo/internal/dashboard"
	"github.com/nextgo-dev/nextgo/internal/devloop"
	"github.com/spf13/cobra"
)

func newDevCmd() *cobra.Command {
	var port int
	var hostname string
	var poll time.Duration
	cmd := &cobra.Command{
		Use:   "dev [dir]",
		Short: "Run the app locally, rebuilding on every change",
		Long: `Build every route of the app into one local server and run it, like next dev.
nextgo watches the route trees, the app's packages, go.mod, go.sum, nextgo.json
and .env files and rebuilds on a change; a request never gets an answer from
stale code: one that arrives during a build waits for it. A route that fails
to compile answers 500 with the compiler's errors (your file:line) while the
other routes serve their new code. A server that exits (os.Exit in a route)
is restarted. The dashboard at /_nextgo/ shows the routes, the requests and
the build. A busy port moves to the next free one.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.ErrOrStderr()
			color := useColor(out)
			l, err := listen(hostname, port, out, color)
			if err != nil {
				return err
			}
			var loop *devloop.Loop
			// While the dashboard is open, every request goes through the
			// front and is recorded in detail; before, the dev server's
			// reports wait until the dashboard is asked for them.
			dash := dashboard.New(dashboard.Options{Mode: "dev", Watch: func(on bool) { loop.Watching(on) }, Sync: func() { loop.SyncReports() }})
			loop, err = devloop.New(devloop.Options{Dir: appDir(args), Out: out, Poll: poll, Color: color, Live: isTerminal(out), Dashboard: dash})
			if err != nil {
				l.Close()
				return err
			}
			fmt.Fprintf(out, "  ▲ nextgo dev\n  - Local:     http://%s\n  - Dashboard: http://%s%s\n\n", l.Addr(), l.Addr(), dashboard.Prefix)
			return loop.Serve(cmd.Context(), l, dash.Handler(loop))
		},
	}
	cmd.Flags().IntVarP(&port, "port", "p", 3000, "port to listen on (the next free one when it is in use)")
	cmd.Flags().StringVarP(&hostname, "hostname", "H", "127.0.0.1", "hostname to listen on")
	cmd.Flags().DurationVar(&poll, "poll", devloop.DefaultPoll, "how often to look for changes")
	return cmd
}
