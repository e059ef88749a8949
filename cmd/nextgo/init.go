package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/nextgo-dev/nextgo/templates"
	"github.com/spf13/cobra"
)

func newInitCmd() *cobra.Command {
	var tmpl, module string
	var force bool
	var list strings.Builder
	for _, t := range templates.List() {
		fmt.Fprintf(&list, "  %-15s %s\n", t.Name, t.Summary)
	}
	cmd := &cobra.Command{
		Use:   "init [dir]",
		Short: "Create a new app from a template",
		Long: `Create a new nextgo app in dir (default: the current directory) from one of
the templates embedded in nextgo. The app runs at once, offline, with
nextgo dev, and its route tests with nextgo test.

The app is an ordinary Go module: init writes nextgo's runtime into
.nextgo/runtime (go.mod replaces github.com/nextgo-dev/nextgo with it) and runs
go mod tidy, so go.mod and go.sum record every dependency, and go get, go
build, go vet and go test work on the app's own packages. It also writes
VS Code settings that point gopls at nextgo's packages driver.

Templates:
` + list.String() + `
The app's module path is --module, or example.com/<dir name>. A directory
that is not empty is refused unless --force is given; with --force, files the
template writes replace existing ones and other files are kept.`,
		Example: `  nextgo init myapp
  nextgo init shop --template rest --module github.com/acme/shop`,
		Args: cobra.MaximumNArgs(1),
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return nil, cobra.ShellCompDirectiveFilterDirs
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runInit(cmd, appDir(args), tmpl, module, force)
		},
	}
	cmd.Flags().StringVarP(&tmpl, "template", "t", templates.Default, "template to start from: "+strings.Join(templates.Names(), ", "))
	cmd.Flags().StringVar(&module, "module", "", "module path of the new app (default example.com/<dir name>)")
	cmd.Flags().BoolVar(&force, "force", false, "write into a directory that is not empty")
	_ = cmd.RegisterFlagCompletionFunc("template", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		var out []string
		for _, t := range templates.List() {
			out = append(out, t.Name+"\t"+t.Summary)
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}

func runInit(cmd *cobra.Command, dir, tmpl, module string, force bool) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if module == "" {
		module = "example.com/" + defaultModuleName(filepath.Base(abs))
	}
	if err := checkModulePath(cmd.Context(), module); err != nil {
		return err
	}
	files, err := templates.Render(tmpl, module)
	if err != nil {
		return err
	}
	if entries, err := os.ReadDir(abs); err == nil && len(entries) > 0 && !force {
		return fmt.Errorf("%s is not empty: choose a new directory, or pass --force to write the template's files into it", dir)
	} else if err != nil && !os.IsNotExist(err) {
		return err
	}
	for _, f := range files {
		target := filepath.Join(abs, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(target, f.Data, 0o644); err != nil {
			return err
		}
	}
	if err := syncApp(cmd.Context(), abs); err != nil {
		return fmt.Errorf("created %s, but: %w", dir, err)
	}
	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "✓ Created %s from the %s template (module %s, %d files)\n\n", dir, tmpl, module, len(files))
	cd := ""
	if dir != "." {
		cd = "cd " + dir + " && "
	}
	fmt.Fprintf(out, "  %snextgo dev     run it on http://127.0.0.1:3000\n", cd)
	fmt.Fprintf(out, "  %snextgo test    run its route tests\n", cd)
	return nil
}

// defaultModuleName turns a folder name into a module path element.
func defaultModuleName(base string) string {
	s := regexp.MustCompile(`[^a-z0-9._-]+`).ReplaceAllString(strings.ToLower(base), "-")
	s = strings.Trim(s, "-.")
	if s == "" {
		return "app"
	}
	return s
}

// checkModulePath asks the go command whether module is a valid module
// path, in a scratch directory.
func checkModulePath(ctx context.Context, module string) error {
	tmp, err := os.MkdirTemp("", "nextgo-init-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	gomod := filepath.Join(tmp, "go.mod")
	if err := os.WriteFile(gomod, []byte("module example.com/app\n"), 0o644); err != nil {
		return err
	}
	c := exec.CommandContext(ctx, "go", "mod", "edit", "-module="+module, gomod)
	c.Dir = tmp
	if out, err := c.CombinedOutput(); err != nil {
		msg := strings.TrimSpace(string(out))
		msg = strings.TrimPrefix(msg, "go: invalid -module: ")
		if msg == "" {
			msg = err.Error()
		}
		return fmt.Errorf("--module %q: %s", module, msg)
	}
	return nil
}
