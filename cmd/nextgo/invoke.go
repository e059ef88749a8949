package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/nextgo-dev/nextgo/adapters/lambda/runtimeapi"
	"github.com/spf13/cobra"
)

func newInvokeCmd() *cobra.Command {
	var dir, eventFile, kind string
	cmd := &cobra.Command{
		Use:   "invoke ROUTE",
		Short: "Invoke one built function once and print its response",
		Long: `Invoke the function serving ROUTE (a path such as /api/post/1, a route pattern
such as /api/post/[pid], or a function name) once, under the Lambda Runtime API
emulator, and print the response payload. The event is read from --event
(a file, or - for standard input), or made up as a GET of ROUTE in the shape
--kind selects: v1 (API Gateway REST), v2 (HTTP API), alb or url (Function URL).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			fns, err := buildLocal(cmd.Context(), dir, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			fn, path, err := findFunction(fns, args[0])
			if err != nil {
				return err
			}
			var payload []byte
			switch eventFile {
			case "":
				payload, err = runtimeapi.SampleEvent(kind, runtimeapi.SampleRequest{Target: path})
			case "-":
				payload, err = io.ReadAll(cmd.InOrStdin())
			default:
				payload, err = os.ReadFile(eventFile)
			}
			if err != nil {
				return err
			}
			logger := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil))
			res, err := runtimeapi.Invoke(cmd.Context(), fn.fn, payload, runtimeapi.Options{Output: cmd.ErrOrStderr(), Logger: logger})
			if err != nil {
				return err
			}
			if res.Stream != nil {
				defer res.Stream.Close()
				if res.Prelude != nil {
					head, _ := json.Marshal(res.Prelude)
					fmt.Fprintf(cmd.OutOrStdout(), "%s\n", head)
				}
				_, err := io.Copy(cmd.OutOrStdout(), res.Stream)
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s\n", res.Payload)
			if res.FunctionError != "" {
				return fmt.Errorf("the function failed: %s", res.ErrorType)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", ".", "app directory")
	cmd.Flags().StringVar(&eventFile, "event", "", "event JSON file, or - for standard input")
	cmd.Flags().StringVar(&kind, "kind", "v2", "shape of the made-up event: v1, v2, alb or url")
	return cmd
}

// findFunction picks the function for a path, pattern or function name:
// the fallback serves a path no route serves, when the app has one.
func findFunction(fns []localFunction, route string) (localFunction, string, error) {
	var routes []runtimeapi.FrontRoute
	byPattern := map[string]localFunction{}
	for _, f := range fns {
		if (f.pattern == route && !f.fallback) || f.fn.Name == route || strings.HasSuffix(f.fn.Name, "-"+route) {
			return f, f.pattern, nil
		}
		if f.fallback {
			byPattern[runtimeapi.DefaultRouteKey] = f
			continue
		}
		byPattern[f.pattern] = f
		routes = append(routes, runtimeapi.FrontRoute{Pattern: f.pattern, Pool: notInvoked{}})
	}
	// The front routes the path as nextgo start does; nothing is invoked.
	front, err := runtimeapi.NewFront(routes, runtimeapi.FrontOptions{})
	if err != nil {
		return localFunction{}, "", err
	}
	if f, ok := byPattern[front.Route(route)]; ok {
		return f, route, nil
	}
	return localFunction{}, "", fmt.Errorf("no route serves %s (see nextgo routes)", route)
}

// notInvoked stands for a function in a front used only to route.
type notInvoked struct{}

func (notInvoked) Invoke(context.Context, []byte) (*runtimeapi.Result, error) {
	return nil, errors.New("not invoked")
}
