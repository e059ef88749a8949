// Command nextgo brings Next.js file-system API routing to Go and ships each
// route to AWS Lambda as its own function.
//
//	nextgo dev [dir]      run the app locally, rebuilding on change
//	nextgo routes [dir]   print the route table
//	nextgo check [dir]    type-check every route as it will be compiled
//	nextgo build [dir]    compile one Lambda function per route
//	nextgo start [dir]    serve the built functions locally under a Lambda emulator
//	nextgo deploy [dir]   deploy to AWS Lambda behind an HTTP API
//	nextgo export cloudformation [dir]
//	                      write what deploy creates as a CloudFormation template
//	nextgo sync [dir]     set an app up for the go command and editors
//	nextgo env [NAME]     print nextgo's settings for tools (GOPACKAGESDRIVER)
//
// Started under the name nextgo-packages-driver (the link that `nextgo env
// GOPACKAGESDRIVER` names), it is the app's go/packages driver.
//
// Run `nextgo help <command>` for the flags of each.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/nextgo-dev/nextgo"
	"github.com/nextgo-dev/nextgo/bundler/packagesdriver"
	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	if packagesdriver.Invoked(os.Args[0]) {
		// Started as GOPACKAGESDRIVER (nextgo env GOPACKAGESDRIVER).
		code := packagesdriver.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	err := newRootCmd().ExecuteContext(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "nextgo:", err)
		os.Exit(1)
	}
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "nextgo",
		Short:         "Next.js-style file-system API routes for Go, one AWS Lambda function per route",
		Version:       nextgo.Version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newDevCmd(), newRoutesCmd(), newCheckCmd(), newBuildCmd(), newStartCmd(), newInvokeCmd(), newDeployCmd(), newRollbackCmd(), newRemoveCmd(), newInitCmd(), newTestCmd(), newSyncCmd(), newEnvCmd(), newExportCmd())
	return root
}

// appDir returns the app directory argument, "." by default.
func appDir(args []string) string {
	if len(args) > 0 {
		return args[0]
	}
	return "."
}
