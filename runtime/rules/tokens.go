package rules

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// token is one piece of a parsed path-to-regexp 6 path: literal text, or a
// key (a named parameter, an unnamed group, or a {…} group).
//
// runtime/internal/pathmatch compiles sources into regular expressions;
// this parser gives the keys of a source, in the order of the capture
// groups, and the tokens of a destination to fill in, which pathmatch does
// not expose.
type token struct {
	literal  string
	isKey    bool
	name     string // parameter name; a decimal index for an unnamed group
	unnamed  bool
	prefix   string
	suffix   string
	pattern  string // "" for a {…} group without a parameter (no capture)
	modifier string // "", "?", "*" or "+"
}

func (t token) optional() bool { return t.modifier == "?" || t.modifier == "*" }
func (t token) repeated() bool { return t.modifier == "*" || t.modifier == "+" }

// lexeme kinds, as path-to-regexp names them.
const (
	lxOpen = iota
	lxClose
	lxPattern
	lxName
	lxChar
	lxEscaped
	lxModifier
	lxEnd
)

type lexeme struct {
	kind  int
	value string
}

func lexPath(s string) ([]lexeme, error) {
	var out []lexeme
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '*' || c == '+' || c == '?':
			out = append(out, lexeme{lxModifier, s[i : i+1]})
			i++
		case c == '\\':
			if i+1 >= len(s) {
				return nil, fmt.Errorf("trailing \\ at %d", i)
			}
			_, n := utf8.DecodeRuneInString(s[i+1:])
			out = append(out, lexeme{lxEscaped, s[i+1 : i+1+n]})
			i += 1 + n
		case c == '{':
			out = append(out, lexeme{lxOpen, "{"})
			i++
		case c == '}':
			out = append(out, lexeme{lxClose, "}"})
			i++
		case c == ':':
			j := i + 1
			for j < len(s) && isNameByte(s[j]) {
				j++
			}
			if j == i+1 {
				return nil, fmt.Errorf("Missing parameter name at %d", i)
			}
			out = append(out, lexeme{lxName, s[i+1 : j]})
			i = j
		case c == '(':
			depth, j := 1, i+1
			if j < len(s) && s[j] == '?' {
				return nil, fmt.Errorf("Pattern cannot start with \"?\" at %d", j)
			}
			for ; j < len(s) && depth > 0; j++ {
				switch s[j] {
				case '\\':
					j++
				case ')':
					depth--
				case '(':
					depth++
					if j+1 >= len(s) || s[j+1] != '?' {
						return nil, fmt.Errorf("Capturing groups are not allowed at %d", j)
					}
				}
			}
			if depth > 0 {
				return nil, fmt.Errorf("Unbalanced pattern at %d", i)
			}
			pat := s[i+1 : j-1]
			if pat == "" {
				return nil, fmt.Errorf("Missing pattern at %d", i)
			}
			out = append(out, lexeme{lxPattern, pat})
			i = j
		default:
			_, n := utf8.DecodeRuneInString(s[i:])
			out = append(out, lexeme{lxChar, s[i : i+n]})
			i += n
		}
	}
	return append(out, lexeme{kind: lxEnd}), nil
}

func isNameByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '_'
}

// parsePath parses s as path-to-regexp 6's parse does, with its default
// options.
func parsePath(s string) ([]token, error) {
	lx, err := lexPath(s)
	if err != nil {
		return nil, err
	}
	var out []token
	i, key := 0, 0
	try := func(kind int) (string, bool) {
		if lx[i].kind == kind {
			i++
			return lx[i-1].value, true
		}
		return "", false
	}
	text := func() string {
		var b strings.Builder
		for {
			if v, ok := try(lxChar); ok {
				b.WriteString(v)
			} else if v, ok := try(lxEscaped); ok {
				b.WriteString(v)
			} else {
				return b.String()
			}
		}
	}
	nextKey := func() string { key++; return strconv.Itoa(key - 1) }
	path := ""
	flush := func() {
		if path != "" {
			out = append(out, token{literal: path})
			path = ""
		}
	}
	for {
		char, _ := try(lxChar)
		name, hasName := try(lxName)
		pattern, hasPattern := try(lxPattern)
		if hasName || hasPattern {
			prefix := char
			if prefix != "." && prefix != "/" {
				path += prefix
				prefix = ""
			}
			flush()
			t := token{isKey: true, name: name, prefix: prefix, pattern: pattern}
			if !hasName {
				t.name, t.unnamed = nextKey(), true
			}
			if !hasPattern {
				t.pattern = "[^/#?]+?"
			}
			t.modifier, _ = try(lxModifier)
			out = append(out, t)
			continue
		}
		if char != "" {
			path += char
			continue
		}
		if v, ok := try(lxEscaped); ok {
			path += v
			continue
		}
		flush()
		if _, ok := try(lxOpen); ok {
			t := token{isKey: true, prefix: text()}
			t.name, hasName = try(lxName)
			t.pattern, hasPattern = try(lxPattern)
			t.suffix = text()
			if _, ok := try(lxClose); !ok {
				return nil, fmt.Errorf("Unexpected token at %d, expected CLOSE", i)
			}
			switch {
			case hasName && !hasPattern:
				t.pattern = "[^/#?]+?"
			case !hasName && hasPattern:
				t.name, t.unnamed = nextKey(), true
			}
			t.modifier, _ = try(lxModifier)
			out = append(out, t)
			continue
		}
		if _, ok := try(lxEnd); !ok {
			return nil, fmt.Errorf("Unexpected token at %d, expected END", i)
		}
		return out, nil
	}
}

// captureKeys returns the keys of tokens that capture, in the order of
// their groups in the compiled expression.
func captureKeys(toks []token) []token {
	var keys []token
	for _, t := range toks {
		if t.isKey && t.pattern != "" {
			keys = append(keys, t)
		}
	}
	return keys
}

// fill builds a path from toks and params as path-to-regexp's compile does
// with validate off and no encoding: a parameter is inserted as it is, a
// list joined with its prefix and suffix.
func fill(toks []token, ps params) (string, error) {
	var b strings.Builder
	for _, t := range toks {
		if !t.isKey {
			b.WriteString(t.literal)
			continue
		}
		if t.pattern == "" && t.name == "" { // a {…} group of plain text
			b.WriteString(t.prefix + t.suffix)
			continue
		}
		p, ok := ps.get(t.name)
		switch {
		case !ok:
			if t.optional() {
				continue
			}
			if t.repeated() {
				return "", fmt.Errorf("Expected %q to be an array", t.name)
			}
			return "", fmt.Errorf("Expected %q to be a string", t.name)
		case p.list:
			if !t.repeated() {
				return "", fmt.Errorf("Expected %q to not repeat, but got an array: to use a multi-match in the destination you must add `*` at the end of the param name to signify it should repeat", t.name)
			}
			if len(p.values) == 0 {
				if t.optional() {
					continue
				}
				return "", fmt.Errorf("Expected %q to not be empty", t.name)
			}
			for _, v := range p.values {
				b.WriteString(t.prefix + v + t.suffix)
			}
		default:
			b.WriteString(t.prefix + p.values[0] + t.suffix)
		}
	}
	return b.String(), nil
}
