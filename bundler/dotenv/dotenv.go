// Package dotenv loads an app's .env files with Next.js's precedence.
//
// For mode m ("development", "production" or "test") the files are, from
// the highest precedence to the lowest:
//
//	.env.m.local
//	.env.local      (not in test mode: tests give everyone the same results)
//	.env.m
//	.env
//
// and a variable already set in the real environment wins over all of
// them. Files are parsed with github.com/joho/godotenv: `KEY=value`,
// `export KEY=value`, quotes, `#` comments, and `${KEY}` references to keys
// defined earlier in the same file.
//
// Values are secrets: nothing in this package prints one, and its errors
// name files, lines and keys, never values.
package dotenv

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/joho/godotenv"
)

// The modes of Load.
const (
	Development = "development"
	Production  = "production"
	Test        = "test"
)

// Files returns the env files of mode, from the highest precedence to the
// lowest, or an error for an unknown mode.
func Files(mode string) ([]string, error) {
	switch mode {
	case Development, Production:
		return []string{".env." + mode + ".local", ".env.local", ".env." + mode, ".env"}, nil
	case Test:
		return []string{".env.test.local", ".env.test", ".env"}, nil
	}
	return nil, fmt.Errorf("dotenv: unknown mode %q: want development, production or test", mode)
}

// Load reads the env files of mode in dir. It returns every variable they
// define, each with the value of the file of highest precedence that
// defines it, or with its value in the real environment (os.LookupEnv)
// when it is set there, as Next does; variables found only in the real
// environment are not returned. It also returns the files read, relative to
// dir, from the highest precedence to the lowest. Missing files are
// skipped; a file that cannot be read or parsed is an error naming it and
// the line, without its contents.
func Load(dir, mode string) (map[string]string, []string, error) {
	names, err := Files(mode)
	if err != nil {
		return nil, nil, err
	}
	env := map[string]string{}
	var read []string
	for _, name := range names {
		vars, ok, err := readFile(filepath.Join(dir, name))
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
		if !ok {
			continue
		}
		read = append(read, name)
		for k, v := range vars {
			if _, seen := env[k]; seen {
				continue
			}
			if real, set := os.LookupEnv(k); set {
				v = real
			}
			env[k] = v
		}
	}
	return env, read, nil
}

// readFile parses one env file; ok is false when it does not exist or is
// not a regular file.
func readFile(name string) (vars map[string]string, ok bool, err error) {
	info, err := os.Stat(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if !info.Mode().IsRegular() {
		return nil, false, nil
	}
	src, err := os.ReadFile(name)
	if err != nil {
		return nil, false, err
	}
	vars, err = godotenv.UnmarshalBytes(src)
	if err != nil {
		return nil, false, parseError(src, err)
	}
	return vars, true, nil
}

// parseError turns a parse failure into an error that gives the line and
// the kind of problem but none of the file's text: godotenv's own messages
// quote the source, which may hold secrets.
func parseError(src []byte, err error) error {
	what := "malformed line"
	switch msg := err.Error(); {
	case strings.HasPrefix(msg, "unterminated quoted value"):
		what = "unterminated quoted value"
	case strings.HasPrefix(msg, "unexpected character"):
		what = "invalid character in a variable name (names are letters, digits, _ and .)"
	}
	return fmt.Errorf("line %d: %s (the line is not shown: it may hold a secret)", errorLine(src), what)
}

// errorLine finds the line where parsing goes wrong for good: one past the
// longest prefix of whole lines that parses.
func errorLine(src []byte) int {
	src = bytes.ReplaceAll(src, []byte("\r\n"), []byte("\n"))
	lines := bytes.SplitAfter(src, []byte("\n"))
	for n := len(lines) - 1; n > 0; n-- {
		if _, err := godotenv.UnmarshalBytes(bytes.Join(lines[:n], nil)); err == nil {
			return n + 1
		}
	}
	return 1
}
