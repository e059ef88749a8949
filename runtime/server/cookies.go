package server

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// CookieStore is the cookie jar of one request (see Cookies): reads see the
// request's cookies and those set since; sets and deletes become Set-Cookie
// headers. It is safe for concurrent use by the request's goroutines.
type CookieStore struct {
	mu      sync.Mutex
	header  http.Header       // the request's headers, parsed on first read
	request map[string]string // the request's cookies, once parsed
	set     []*http.Cookie    // set or deleted, one per name, in first-set order
	now     func() time.Time
}

func newCookieStore(h http.Header) *CookieStore {
	return &CookieStore{header: h, now: time.Now}
}

// requestCookies returns the parsed request cookies; c.mu is held.
func (c *CookieStore) requestCookies() map[string]string {
	if c.request == nil {
		c.request = parseCookieHeader(c.header)
	}
	return c.request
}

// Get returns the value of the named cookie, and whether it is present.
func (c *CookieStore) Get(name string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s := c.find(name); s != nil {
		return s.Value, !deleted(s, c.now())
	}
	v, ok := c.requestCookies()[name]
	return v, ok
}

// Has reports whether the named cookie is present.
func (c *CookieStore) Has(name string) bool {
	_, ok := c.Get(name)
	return ok
}

// All returns every present cookie, name to value.
func (c *CookieStore) All() map[string]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	req := c.requestCookies()
	all := make(map[string]string, len(req)+len(c.set))
	for k, v := range req {
		all[k] = v
	}
	now := c.now()
	for _, s := range c.set {
		if deleted(s, now) {
			delete(all, s.Name)
		} else {
			all[s.Name] = s.Value
		}
	}
	return all
}

// Set sets the cookie name to value with the default attributes
// (`Path=/`). It panics if name is not a valid cookie name.
func (c *CookieStore) Set(name, value string) {
	c.SetCookie(&http.Cookie{Name: name, Value: value})
}

// SetCookie sets a cookie with its attributes. An empty Path means "/". The
// value is sent percent-encoded as JavaScript's encodeURIComponent does,
// and MaxAge > 0 also sets Expires, as Next's cookies().set. It panics if the
// name is not a valid cookie name or the path or domain contains a control
// character or ';'.
func (c *CookieStore) SetCookie(ck *http.Cookie) {
	if err := checkCookie(ck); err != nil {
		panic(err)
	}
	cp := *ck
	c.mu.Lock()
	defer c.mu.Unlock()
	if s := c.find(cp.Name); s != nil {
		*s = cp
		return
	}
	c.set = append(c.set, &cp)
}

// Delete removes the named cookie: it is absent from later reads and the
// response expires it (`name=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00
// GMT`).
func (c *CookieStore) Delete(name string) {
	c.SetCookie(deletion(name))
}

// find returns the set cookie named name; c.mu is held.
func (c *CookieStore) find(name string) *http.Cookie {
	for _, s := range c.set {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// setCookieHeaders returns the Set-Cookie values for the cookies set.
func (c *CookieStore) setCookieHeaders() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.set) == 0 {
		return nil
	}
	now := c.now()
	out := make([]string, len(c.set))
	for i, s := range c.set {
		out[i] = formatSetCookie(s, now)
	}
	return out
}

// deletion is the cookie that expires name.
func deletion(name string) *http.Cookie {
	return &http.Cookie{Name: name, Expires: time.Unix(0, 0)}
}

// deleted reports whether a set cookie removes the cookie.
func deleted(c *http.Cookie, now time.Time) bool {
	return c.MaxAge < 0 || (!c.Expires.IsZero() && !c.Expires.After(now))
}

// checkCookie reports a cookie that cannot be serialised safely.
func checkCookie(c *http.Cookie) error {
	if c.Name == "" || strings.IndexFunc(c.Name, func(r rune) bool { return !isTokenRune(r) }) >= 0 {
		return fmt.Errorf("server: invalid cookie name %q", c.Name)
	}
	for _, attr := range [...]struct{ name, v string }{{"path", c.Path}, {"domain", c.Domain}} {
		if strings.IndexFunc(attr.v, func(r rune) bool { return r < 0x20 || r == 0x7f || r == ';' }) >= 0 {
			return fmt.Errorf("server: invalid cookie %s %q for %s", attr.name, attr.v, c.Name)
		}
	}
	return nil
}

// isTokenRune reports whether r may appear in an RFC 9110 token.
func isTokenRune(r rune) bool {
	if r >= 0x7f || r <= 0x20 {
		return false
	}
	return !strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r)
}

// formatSetCookie serialises c as Next's cookies do (edge-runtime's
// stringifyCookie after normalizeCookie): `name=<encodeURIComponent(value)>`,
// then Path (default "/"), Expires (now+MaxAge when MaxAge > 0), Max-Age,
// Domain, Secure, HttpOnly, SameSite and Partitioned.
func formatSetCookie(c *http.Cookie, now time.Time) string {
	var b strings.Builder
	b.WriteString(c.Name)
	b.WriteByte('=')
	b.WriteString(encodeURIComponent(c.Value))
	path := c.Path
	if path == "" {
		path = "/"
	}
	b.WriteString("; Path=")
	b.WriteString(path)
	expires := c.Expires
	if c.MaxAge > 0 {
		expires = now.Add(time.Duration(c.MaxAge) * time.Second)
	}
	if !expires.IsZero() {
		b.WriteString("; Expires=")
		b.WriteString(expires.UTC().Format(http.TimeFormat))
	}
	switch {
	case c.MaxAge > 0:
		b.WriteString("; Max-Age=")
		b.WriteString(strconv.Itoa(c.MaxAge))
	case c.MaxAge < 0:
		b.WriteString("; Max-Age=0")
	}
	if c.Domain != "" {
		b.WriteString("; Domain=")
		b.WriteString(c.Domain)
	}
	if c.Secure {
		b.WriteString("; Secure")
	}
	if c.HttpOnly {
		b.WriteString("; HttpOnly")
	}
	switch c.SameSite {
	case http.SameSiteLaxMode:
		b.WriteString("; SameSite=lax")
	case http.SameSiteStrictMode:
		b.WriteString("; SameSite=strict")
	case http.SameSiteNoneMode:
		b.WriteString("; SameSite=none")
	}
	if c.Partitioned {
		b.WriteString("; Partitioned")
	}
	return b.String()
}

// cookiePair is one name and value of a Cookie header.
type cookiePair struct{ name, value string }

// parseCookiePairs parses the Cookie header lines of h as Next's route
// handlers do (edge-runtime's parseCookie): pairs split on ";" and the spaces
// after it, a pair without "=" has the value "true", values are decoded
// with decodeURIComponent and a pair whose value does not decode is
// dropped. Duplicates are kept, in order.
func parseCookiePairs(h http.Header) []cookiePair {
	lines := h.Values("Cookie")
	if len(lines) == 0 {
		return nil
	}
	var pairs []cookiePair
	for _, line := range lines {
		for part := range strings.SplitSeq(line, ";") {
			part = strings.TrimLeft(part, " ")
			if part == "" {
				continue
			}
			name, value, ok := strings.Cut(part, "=")
			if !ok {
				pairs = append(pairs, cookiePair{part, "true"})
				continue
			}
			if dec, ok := decodeURIComponent(value); ok {
				pairs = append(pairs, cookiePair{name, dec})
			}
		}
	}
	return pairs
}

// parseCookieHeader returns the request cookies of h, name to value: the
// last of duplicate names wins, as in Next's route handlers.
func parseCookieHeader(h http.Header) map[string]string {
	pairs := parseCookiePairs(h)
	m := make(map[string]string, len(pairs))
	for _, p := range pairs {
		m[p.name] = p.value
	}
	return m
}

// encodeURIComponent escapes s as JavaScript's encodeURIComponent: every
// byte but A–Z a–z 0–9 - _ . ! ~ * ' ( ) is percent-encoded (as UTF-8).
func encodeURIComponent(s string) string {
	const hex = "0123456789ABCDEF"
	n := 0
	for i := 0; i < len(s); i++ {
		if !uriUnreserved(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if uriUnreserved(c) {
			b = append(b, c)
		} else {
			b = append(b, '%', hex[c>>4], hex[c&15])
		}
	}
	return string(b)
}

func uriUnreserved(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-_.!~*'()", c) >= 0
}

// decodeURIComponent decodes s as JavaScript's decodeURIComponent, which
// fails on a malformed escape or on escapes that do not form UTF-8.
func decodeURIComponent(s string) (string, bool) {
	if !strings.Contains(s, "%") {
		return s, true
	}
	b := make([]byte, 0, len(s))
	var run []byte // consecutive escaped bytes, checked as UTF-8 together
	flush := func() bool {
		ok := utf8.Valid(run)
		b = append(b, run...)
		run = run[:0]
		return ok
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			if !flush() {
				return "", false
			}
			b = append(b, s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", false
		}
		hi, ok1 := unhex(s[i+1])
		lo, ok2 := unhex(s[i+2])
		if !ok1 || !ok2 {
			return "", false
		}
		run = append(run, hi<<4|lo)
		i += 2
	}
	if !flush() {
		return "", false
	}
	return string(b), true
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
