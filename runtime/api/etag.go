package api

import (
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file computes Next.js's ETags (packages/next/src/server/lib/etag.ts)
// and answers conditional requests with the rules of the fresh package.

const (
	fnvOffset = 0xcbf29ce484222325
	fnvPrime  = 0x100000001b3
)

// etagHash is FNV-1a over 16-bit units, folded to 52 bits as Next.js's
// fnv1a52 does, with a count of the units hashed (the JavaScript string
// length).
type etagHash struct {
	h uint64
	n uint64
}

func newETagHash() etagHash { return etagHash{h: fnvOffset} }

func (e *etagHash) unit(u uint16) {
	e.h ^= uint64(u)
	e.h *= fnvPrime
	e.n++
}

// hashText hashes the UTF-16 code units of the UTF-8 text b; ill-formed
// bytes count as U+FFFD, as they would once decoded into a JavaScript
// string.
func hashText[T string | []byte](e *etagHash, b T) {
	h, n := e.h, e.n
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			h = (h ^ uint64(c)) * fnvPrime
			n++
			i++
			continue
		}
		// A rune is at most 4 bytes: converting them does not allocate.
		r, size := utf8.DecodeRuneInString(string(b[i:min(i+utf8.UTFMax, len(b))]))
		i += size
		if r >= 0x10000 {
			r -= 0x10000
			h = (h ^ uint64(0xD800+(r>>10))) * fnvPrime
			h = (h ^ uint64(0xDC00+(r&0x3FF))) * fnvPrime
			n += 2
			continue
		}
		h = (h ^ uint64(r)) * fnvPrime
		n++
	}
	e.h, e.n = h, n
}

// ascii hashes an ASCII string.
func (e *etagHash) ascii(s string) {
	for i := 0; i < len(s); i++ {
		e.unit(uint16(s[i]))
	}
}

// sum52 is fnv1a52's result: the top 4 bits of the last 16-bit word kept,
// its other 12 bits folded into the lowest word.
func (e *etagHash) sum52() uint64 {
	v3, v2, v1, v0 := e.h>>48, (e.h>>32)&0xFFFF, (e.h>>16)&0xFFFF, e.h&0xFFFF
	return (v3&15)<<48 | v2<<32 | v1<<16 | (v0 ^ (v3 >> 4))
}

// appendETag appends the strong ETag `"<hash base36><length base36>"`.
func (e *etagHash) appendETag(b []byte) []byte {
	b = append(b, '"')
	b = appendBase36(b, e.sum52())
	b = appendBase36(b, e.n)
	return append(b, '"')
}

// appendBase36 appends u in base 36 with lower-case digits, as JavaScript's
// Number.prototype.toString(36) writes an integer. (strconv.AppendUint
// does the same, but divides by a variable base.)
func appendBase36(b []byte, u uint64) []byte {
	const digits = "0123456789abcdefghijklmnopqrstuvwxyz"
	var a [13]byte // 36^13 > 2^64
	i := len(a)
	for u >= 36 {
		i--
		q := u / 36
		a[i] = digits[u-q*36]
		u = q
	}
	i--
	a[i] = digits[u]
	return append(b, a[i:]...)
}

// bufferETag returns Next's ETag of a Buffer body, which Next.js computes
// over the Buffer's JSON form, {"type":"Buffer","data":[…]}.
func bufferETag(b []byte) etagHash {
	e := newETagHash()
	e.ascii(`{"type":"Buffer","data":[`)
	var digits [3]byte
	for i, c := range b {
		if i > 0 {
			e.unit(',')
		}
		for _, d := range strconv.AppendUint(digits[:0], uint64(c), 10) {
			e.unit(uint16(d))
		}
	}
	e.ascii(`]}`)
	return e
}

// fresh reports whether the request's validators match etag, with the rules
// of the fresh package that Next.js uses: If-None-Match is a comma list in
// which "*" or the tag, weak or not, matches; "Cache-Control: no-cache"
// disables the check; and any If-Modified-Since makes the response stale
// since API routes never send Last-Modified.
func fresh(h http.Header, etag string) bool {
	modifiedSince := firstHeader(h, "If-Modified-Since")
	noneMatch := h["If-None-Match"]
	if modifiedSince == "" && joinedEmpty(noneMatch) {
		return false
	}
	if cc := h["Cache-Control"]; len(cc) > 0 && hasNoCache(cc) {
		return false
	}
	if !joinedEmpty(noneMatch) {
		nm := noneMatch[0]
		if len(noneMatch) > 1 {
			nm = strings.Join(noneMatch, ", ")
		}
		if nm != "*" && !etagListMatches(nm, etag) {
			return false
		}
	}
	// Node keeps the first If-Modified-Since line; with no Last-Modified on
	// the response it can only be stale.
	return modifiedSince == ""
}

// firstHeader returns the first line of header k, as Node does for the
// headers it does not join.
func firstHeader(h http.Header, k string) string {
	if v := h[k]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// joinedEmpty reports whether lines joined with ", " would be "".
func joinedEmpty(lines []string) bool {
	return len(lines) == 0 || (len(lines) == 1 && lines[0] == "")
}

// etagListMatches splits s as fresh's parseTokenList does (at ',', leading
// spaces dropped, a trailing run of spaces kept out) and compares each
// token with etag, ignoring a W/ prefix on either side.
func etagListMatches(s, etag string) bool {
	start, end := 0, 0
	match := func(tok string) bool {
		return tok == etag ||
			(len(tok) == len(etag)+2 && strings.HasPrefix(tok, "W/") && tok[2:] == etag) ||
			(len(etag) == len(tok)+2 && strings.HasPrefix(etag, "W/") && etag[2:] == tok)
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ':
			if start == end {
				start, end = i+1, i+1
			}
		case ',':
			if match(s[start:end]) {
				return true
			}
			start, end = i+1, i+1
		default:
			end = i + 1
		}
	}
	return match(s[start:end])
}

// hasNoCache reports whether the Cache-Control lines, joined with ", ",
// contain a no-cache directive: /(?:^|,)\s*?no-cache\s*?(?:,|$)/.
func hasNoCache(lines []string) bool {
	for _, line := range lines {
		for part := range strings.SplitSeq(line, ",") {
			// A JavaScript \s matches what String.prototype.trim trims.
			if jsTrim(part) == "no-cache" {
				return true
			}
		}
	}
	return false
}
