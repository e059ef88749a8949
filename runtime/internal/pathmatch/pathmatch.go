// Package pathmatch compiles the path patterns of Next.js matchers
// (middleware `matcher`, and the `source` of headers, redirects and
// rewrites) exactly as Next does: with path-to-regexp 6 (`:name`, `:name*`,
// `:name+`, `:name?`, `:name(regex)`, `(regex)`, `{…}` groups and `\`
// escapes), case-sensitive, with an optional trailing delimiter, anchored at
// both ends.
//
// The regular expression is JavaScript's. It runs on Go's regexp package
// when that accepts it, which is the common case; patterns that need
// JavaScript-only syntax, above all the negative lookahead of the classic
// `/((?!api|_next/static).*)` matcher, run on a backtracking engine with
// ECMAScript semantics and a match timeout.
package pathmatch

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dlclark/regexp2"
)

// matchTimeout bounds one match on the backtracking engine, so that a
// pathological user pattern cannot stall a request.
const matchTimeout = 100 * time.Millisecond

// delimiter is path-to-regexp's default set of segment delimiters.
const delimiter = "/#?"

// prefixes are the characters that become a parameter's prefix when they
// stand right before it.
const prefixes = "./"

// Pattern is one compiled source.
type Pattern struct {
	source string
	expr   string
	keys   []Token         // the keys that capture, in the order of their groups
	re     *regexp.Regexp  // when Go's engine accepts expr
	re2    *regexp2.Regexp // otherwise
}

// Compile compiles source, which must start with "/".
func Compile(source string) (*Pattern, error) {
	if !strings.HasPrefix(source, "/") {
		return nil, fmt.Errorf("`source` does not start with /: %q", source)
	}
	toks, err := Parse(source)
	if err != nil {
		return nil, fmt.Errorf("error parsing %q: %w", source, err)
	}
	expr := toRegexp(toks)
	p := &Pattern{source: source, expr: expr}
	for _, t := range toks {
		if t.IsKey && t.Pattern != "" {
			p.keys = append(p.keys, t)
		}
	}
	if re, err := compileGo(expr); err == nil {
		p.re = re
		return p, nil
	}
	re2, err := regexp2.Compile(expr, regexp2.ECMAScript)
	if err != nil {
		return nil, fmt.Errorf("error parsing %q: invalid regular expression %s: %w", source, expr, err)
	}
	re2.MatchTimeout = matchTimeout
	p.re2 = re2
	return p, nil
}

// compileGo compiles expr with Go's engine, made greedy: whether a string
// matches does not depend on greediness, and Go matches greedy repetitions
// faster.
func compileGo(expr string) (*regexp.Regexp, error) {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil, err
	}
	var greedy func(*syntax.Regexp)
	greedy = func(r *syntax.Regexp) {
		r.Flags &^= syntax.NonGreedy
		for _, sub := range r.Sub {
			greedy(sub)
		}
	}
	greedy(re)
	return regexp.Compile(re.String())
}

// Source returns the source the pattern was compiled from.
func (p *Pattern) Source() string { return p.source }

// Expr returns the regular expression, in JavaScript syntax, as Next would
// build it.
func (p *Pattern) Expr() string { return p.expr }

// Keys returns the keys that capture (those with a pattern), in the order
// of their groups in Expr, as the source wrote them: a repeated key keeps
// the prefix and suffix it was written with. The slice is shared; do not
// modify it.
func (p *Pattern) Keys() []Token { return p.keys }

// Match reports whether path (an escaped URL path, as Next matches
// `pathname`) matches the pattern. A match that times out on the
// backtracking engine is no match.
func (p *Pattern) Match(path string) bool {
	if p.re != nil {
		return p.re.MatchString(path)
	}
	ok, err := p.re2.MatchString(path)
	return err == nil && ok
}

// lexKind is the kind of a lexical token.
type lexKind uint8

const (
	lexOpen lexKind = iota
	lexClose
	lexPattern
	lexName
	lexChar
	lexEscapedChar
	lexModifier
	lexEnd
)

var lexNames = [...]string{"OPEN", "CLOSE", "PATTERN", "NAME", "CHAR", "ESCAPED_CHAR", "MODIFIER", "END"}

type lexToken struct {
	kind  lexKind
	index int
	value string
}

// lex splits str into path-to-regexp's lexical tokens. Indexes count
// UTF-16 code units in JavaScript; here they count bytes, which only
// differs in error positions after non-ASCII text.
func lex(str string) ([]lexToken, error) {
	var toks []lexToken
	i := 0
	for i < len(str) {
		c := str[i]
		switch {
		case c == '*' || c == '+' || c == '?':
			toks = append(toks, lexToken{lexModifier, i, str[i : i+1]})
			i++
		case c == '\\':
			if i+1 >= len(str) {
				return nil, fmt.Errorf("trailing \\ at %d", i)
			}
			_, n := utf8.DecodeRuneInString(str[i+1:])
			toks = append(toks, lexToken{lexEscapedChar, i, str[i+1 : i+1+n]})
			i += 1 + n
		case c == '{':
			toks = append(toks, lexToken{lexOpen, i, "{"})
			i++
		case c == '}':
			toks = append(toks, lexToken{lexClose, i, "}"})
			i++
		case c == ':':
			j := i + 1
			for j < len(str) && isNameByte(str[j]) {
				j++
			}
			if j == i+1 {
				return nil, fmt.Errorf("Missing parameter name at %d", i)
			}
			toks = append(toks, lexToken{lexName, i, str[i+1 : j]})
			i = j
		case c == '(':
			count := 1
			j := i + 1
			if j < len(str) && str[j] == '?' {
				return nil, fmt.Errorf("Pattern cannot start with \"?\" at %d", j)
			}
			var pat strings.Builder
			for j < len(str) {
				if str[j] == '\\' {
					end := min(j+2, len(str))
					pat.WriteString(str[j:end])
					j = end
					continue
				}
				if str[j] == ')' {
					count--
					if count == 0 {
						j++
						break
					}
				} else if str[j] == '(' {
					count++
					if j+1 >= len(str) || str[j+1] != '?' {
						return nil, fmt.Errorf("Capturing groups are not allowed at %d", j)
					}
				}
				pat.WriteByte(str[j])
				j++
			}
			if count != 0 {
				return nil, fmt.Errorf("Unbalanced pattern at %d", i)
			}
			if pat.Len() == 0 {
				return nil, fmt.Errorf("Missing pattern at %d", i)
			}
			toks = append(toks, lexToken{lexPattern, i, pat.String()})
			i = j
		default:
			_, n := utf8.DecodeRuneInString(str[i:])
			toks = append(toks, lexToken{lexChar, i, str[i : i+n]})
			i += n
		}
	}
	return append(toks, lexToken{lexEnd, i, ""}), nil
}

func isNameByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '_'
}

// Token is one piece of a parsed pattern, as path-to-regexp's parse gives
// it: literal text, or a key (a named parameter, an unnamed group, or a
// {…} group).
type Token struct {
	Literal  string // the text of a literal token
	IsKey    bool
	Name     string // the parameter's name; a decimal index for an unnamed group
	Unnamed  bool   // an unnamed group, named by its index
	Prefix   string
	Suffix   string
	Pattern  string // "" for a {…} group without a parameter, which captures nothing
	Modifier string // "", "?", "*" or "+"
}

// Optional reports whether the key may be absent ("?" or "*").
func (t Token) Optional() bool { return t.Modifier == "?" || t.Modifier == "*" }

// Repeated reports whether the key may repeat ("*" or "+").
func (t Token) Repeated() bool { return t.Modifier == "*" || t.Modifier == "+" }

// parser walks the lexical tokens as path-to-regexp's parse does.
type parser struct {
	toks []lexToken
	i    int
	key  int
	out  []Token
}

func (p *parser) try(k lexKind) (string, bool) {
	if p.i < len(p.toks) && p.toks[p.i].kind == k {
		v := p.toks[p.i].value
		p.i++
		return v, true
	}
	return "", false
}

func (p *parser) must(k lexKind) error {
	if _, ok := p.try(k); ok {
		return nil
	}
	t := p.toks[p.i]
	return fmt.Errorf("Unexpected %s at %d, expected %s", lexNames[t.kind], t.index, lexNames[k])
}

func (p *parser) text() string {
	var b strings.Builder
	for {
		if v, ok := p.try(lexChar); ok {
			b.WriteString(v)
			continue
		}
		if v, ok := p.try(lexEscapedChar); ok {
			b.WriteString(v)
			continue
		}
		return b.String()
	}
}

// safePattern is the default pattern of a parameter: any run of
// non-delimiters, which must not start with the text before it when that
// text has no delimiter (so "/:a-:b" splits at the dash).
func (p *parser) safePattern(prefix string) (string, error) {
	var prev *Token
	if len(p.out) > 0 {
		prev = &p.out[len(p.out)-1]
	}
	prevText := prefix
	if prevText == "" && prev != nil && !prev.IsKey {
		prevText = prev.Literal
	}
	if prev != nil && prevText == "" {
		return "", fmt.Errorf("Must have text between two parameters, missing text after %q", prev.Name)
	}
	if prevText == "" || strings.ContainsAny(prevText, delimiter) {
		return "[^" + escape(delimiter) + "]+?", nil
	}
	return "(?:(?!" + escape(prevText) + ")[^" + escape(delimiter) + "])+?", nil
}

func (p *parser) nextKey() string {
	s := strconv.Itoa(p.key)
	p.key++
	return s
}

// Parse parses str as path-to-regexp 6's parse does with its default
// options (delimiter "/#?", prefixes "./"): the tokens Compile builds its
// expression from, and from which a destination is filled in.
func Parse(str string) ([]Token, error) {
	toks, err := lex(str)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	path := ""
	flush := func() {
		if path != "" {
			p.out = append(p.out, Token{Literal: path})
			path = ""
		}
	}
	for p.i < len(p.toks) {
		char, _ := p.try(lexChar)
		name, hasName := p.try(lexName)
		pattern, hasPattern := p.try(lexPattern)
		if hasName || hasPattern {
			prefix := char
			if prefix != "" && !strings.Contains(prefixes, prefix) {
				path += prefix
				prefix = ""
			}
			flush()
			unnamed := !hasName
			if unnamed {
				name = p.nextKey()
			}
			if !hasPattern {
				if pattern, err = p.safePattern(prefix); err != nil {
					return nil, err
				}
			}
			mod, _ := p.try(lexModifier)
			p.out = append(p.out, Token{IsKey: true, Name: name, Unnamed: unnamed, Prefix: prefix, Pattern: pattern, Modifier: mod})
			continue
		}
		if char != "" {
			path += char
			continue
		}
		if v, ok := p.try(lexEscapedChar); ok {
			path += v
			continue
		}
		flush()
		if _, ok := p.try(lexOpen); ok {
			prefix := p.text()
			name, hasName := p.try(lexName)
			pattern, hasPattern := p.try(lexPattern)
			suffix := p.text()
			if err := p.must(lexClose); err != nil {
				return nil, err
			}
			if hasName && !hasPattern {
				if pattern, err = p.safePattern(prefix); err != nil {
					return nil, err
				}
			}
			unnamed := !hasName && hasPattern
			if unnamed {
				name = p.nextKey()
			}
			mod, _ := p.try(lexModifier)
			p.out = append(p.out, Token{IsKey: true, Name: name, Unnamed: unnamed, Prefix: prefix, Suffix: suffix, Pattern: pattern, Modifier: mod})
			continue
		}
		if err := p.must(lexEnd); err != nil {
			return nil, err
		}
	}
	return p.out, nil
}

// toRegexp builds the expression as tokensToRegexp does with Next's
// options (strict false, end true), after Next's normalisation that gives a
// repeated parameter with neither prefix nor suffix the prefix "/".
func toRegexp(toks []Token) string {
	var b strings.Builder
	b.WriteString("^")
	for _, t := range toks {
		if !t.IsKey {
			b.WriteString(escape(t.Literal))
			continue
		}
		repeat := t.Repeated()
		if t.Pattern != "" && repeat && t.Prefix == "" && t.Suffix == "" {
			t.Prefix = "/"
		}
		prefix, suffix := escape(t.Prefix), escape(t.Suffix)
		switch {
		case t.Pattern == "":
			fmt.Fprintf(&b, "(?:%s%s)%s", prefix, suffix, t.Modifier)
		case prefix != "" || suffix != "":
			if repeat {
				mod := ""
				if t.Modifier == "*" {
					mod = "?"
				}
				fmt.Fprintf(&b, "(?:%s((?:%s)(?:%s%s(?:%s))*)%s)%s", prefix, t.Pattern, suffix, prefix, t.Pattern, suffix, mod)
			} else {
				fmt.Fprintf(&b, "(?:%s(%s)%s)%s", prefix, t.Pattern, suffix, t.Modifier)
			}
		default:
			fmt.Fprintf(&b, "(%s)%s", t.Pattern, t.Modifier)
		}
	}
	b.WriteString("[" + escape(delimiter) + "]?$")
	return b.String()
}

// escape backslash-escapes the characters path-to-regexp escapes.
func escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(`.+*?=^!:${}()[]|/\`, s[i]) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
