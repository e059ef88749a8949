package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/nextgo-dev/nextgo"
	"github.com/nextgo-dev/nextgo/bundler"
	"github.com/nextgo-dev/nextgo/bundler/packagesdriver"
	"github.com/spf13/cobra"
)

// envVars are the settings `nextgo env` prints, in order.
var envVars = []string{"GOPACKAGESDRIVER", "NEXTGO_APP", "NEXTGO_RUNTIME", "NEXTGO_VERSION"}

func newEnvCmd() *cobra.Command {
	var dir string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "env [NAME...]",
		Short: "Print nextgo's settings for tools, as go env does",
		Long: `Print nextgo's settings for the app that contains --dir (default: the
current directory), one NAME='value' line each, or only the values of the
NAMEs given:

  GOPACKAGESDRIVER  the packages driver to give gopls, staticcheck and other
                    go/packages tools, so that they see each route as the
                    package nextgo compiles (installed into the app's .nextgo
                    folder when missing)
  NEXTGO_APP        the app's root folder (its go.mod's)
  NEXTGO_RUNTIME    the runtime module the app's go.mod points at
  NEXTGO_VERSION    this nextgo's version`,
		Example: `  GOPACKAGESDRIVER=$(nextgo env GOPACKAGESDRIVER) staticcheck ./...
  nextgo env --json`,
		ValidArgs: envVars,
		RunE: func(cmd *cobra.Command, args []string) error {
			vals, err := envValues(dir)
			if err != nil {
				return err
			}
			names := args
			if len(names) == 0 {
				names = envVars
			}
			for _, n := range names {
				if _, ok := vals[n]; !ok {
					return fmt.Errorf("unknown setting %s (settings: %v)", n, envVars)
				}
			}
			out := cmd.OutOrStdout()
			switch {
			case asJSON:
				sel := map[string]string{}
				for _, n := range names {
					sel[n] = vals[n]
				}
				b, err := json.MarshalIndent(sel, "", "  ")
				if err != nil {
					return err
				}
				fmt.Fprintln(out, string(b))
			case len(args) > 0:
				for _, n := range names {
					fmt.Fprintln(out, vals[n])
				}
			default:
				for _, n := range names {
					fmt.Fprintf(out, "%s='%s'\n", n, vals[n])
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", ".", "a folder inside the app")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON object")
	return cmd
}

// envValues computes the settings for the app containing dir; the app's
// own settings are empty outside an app.
func envValues(dir string) (map[string]string, error) {
	vals := map[string]string{"NEXTGO_VERSION": "v" + nextgo.Version, "GOPACKAGESDRIVER": "", "NEXTGO_APP": "", "NEXTGO_RUNTIME": ""}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	root := appRoot(abs)
	if root == "" {
		return vals, nil
	}
	vals["NEXTGO_APP"] = root
	vals["NEXTGO_RUNTIME"] = filepath.Join(root, filepath.FromSlash(bundler.RuntimeDir))
	driver, err := installDriver(root)
	if err != nil {
		return nil, err
	}
	vals["GOPACKAGESDRIVER"] = driver
	return vals, nil
}

// appRoot is the folder of the go.mod that governs dir, or "".
func appRoot(dir string) string {
	for d := dir; ; d = filepath.Dir(d) {
		if fi, err := os.Stat(filepath.Join(d, "go.mod")); err == nil && !fi.IsDir() {
			return d
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

// installDriver links the app's packages driver to this executable.
func installDriver(appDir string) (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("find the nextgo executable: %w", err)
	}
	return packagesdriver.Install(appDir, exe)
}
