package api

import (
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// This file reads and parses request bodies as Next.js's parseBody does
// (packages/next/src/server/api-utils/node/parse-body.ts), with the
// content-type, raw-body and iconv-lite semantics underneath it.

// mediaKind is how a body is parsed.
type mediaKind uint8

const (
	kindText mediaKind = iota // anything else: the body is a string
	kindJSON                  // application/json, application/ld+json
	kindForm                  // application/x-www-form-urlencoded
)

// Messages of the body errors, as Next.js words them.
const (
	msgInvalidJSON = "Invalid JSON"
	msgInvalidBody = "Invalid body"
)

// mediaInfo is what a Content-Type header says about how to parse a body.
type mediaInfo struct {
	typ  string // lower-cased media type, "text/plain" when absent or invalid
	kind mediaKind
}

// contentTypeOf reads the first Content-Type line of h. It also returns the
// charset parameter as written, "" when absent.
func contentTypeOf(h http.Header) (m mediaInfo, charset string) {
	m.typ = "text/plain"
	if v := firstHeader(h, "Content-Type"); v != "" {
		if typ, cs, ok := parseContentType(v); ok {
			m.typ, charset = typ, cs
		}
	}
	switch m.typ {
	case "application/json", "application/ld+json":
		m.kind = kindJSON
	case "application/x-www-form-urlencoded":
		m.kind = kindForm
	}
	return m, charset
}

// isTokenChar reports whether c may appear in an RFC 7230 token.
func isTokenChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+.^_`|~-", c) >= 0
}

// tokenEnd returns the end of the token starting at i.
func tokenEnd(s string, i int) int {
	for i < len(s) && isTokenChar(s[i]) {
		i++
	}
	return i
}

// skipSpaces returns the first position at or after i that is not ' '.
func skipSpaces(s string, i int) int {
	for i < len(s) && s[i] == ' ' {
		i++
	}
	return i
}

// parseContentType parses a Content-Type header as the content-type
// package (1.0.x) does, reporting false where it would throw. It returns the
// lower-cased media type and the value of the last charset parameter.
func parseContentType(h string) (typ, charset string, ok bool) {
	semi := strings.IndexByte(h, ';')
	typ = h
	if semi >= 0 {
		typ = h[:semi]
	}
	typ = jsTrim(typ)
	slash := strings.IndexByte(typ, '/')
	if slash <= 0 || tokenEnd(typ, 0) != slash || slash == len(typ)-1 || tokenEnd(typ, slash+1) != len(typ) {
		return "", "", false
	}
	typ = strings.ToLower(typ)
	if semi < 0 {
		return typ, "", true
	}
	// Parameters: (; *token *= *(token|quoted-string) *)* up to the end.
	i := semi
	for i < len(h) {
		if h[i] != ';' {
			return "", "", false
		}
		i = skipSpaces(h, i+1)
		kEnd := tokenEnd(h, i)
		if kEnd == i {
			return "", "", false
		}
		key := h[i:kEnd]
		i = skipSpaces(h, kEnd)
		if i >= len(h) || h[i] != '=' {
			return "", "", false
		}
		i = skipSpaces(h, i+1)
		var val string
		if i < len(h) && h[i] == '"' {
			var end int
			val, end, ok = quotedString(h, i)
			if !ok {
				return "", "", false
			}
			i = end
		} else {
			vEnd := tokenEnd(h, i)
			if vEnd == i {
				return "", "", false
			}
			val, i = h[i:vEnd], vEnd
		}
		i = skipSpaces(h, i)
		if strings.EqualFold(key, "charset") {
			charset = val
		}
	}
	return typ, charset, true
}

// quotedString reads the quoted string starting at s[i] == '"' and returns
// its unescaped content and the position after the closing quote.
func quotedString(s string, i int) (string, int, bool) {
	var b []byte
	escaped := false
	for j := i + 1; j < len(s); j++ {
		c := s[j]
		switch {
		case c == '"':
			if !escaped {
				return s[i+1 : j], j + 1, true
			}
			return string(b), j + 1, true
		case c == '\\':
			if j+1 >= len(s) || !(s[j+1] == 0x0b || s[j+1] >= 0x20) {
				return "", 0, false
			}
			if !escaped {
				escaped = true
				b = append(b, s[i+1:j]...)
			}
			b = append(b, s[j+1])
			j++
		case c == 0x0b || c == 0x20 || c == 0x21 || (c >= 0x23 && c <= 0x7e) || c >= 0x80:
			if escaped {
				b = append(b, c)
			}
		default:
			return "", 0, false
		}
	}
	return "", 0, false
}

// decoder turns body bytes into UTF-8 text, as iconv-lite does for one
// charset: ill-formed input becomes U+FFFD and a byte order mark is
// dropped where iconv-lite drops it.
type decoder func([]byte) []byte

// decoderFor returns the decoder of a charset parameter ("" is UTF-8), or
// false when the charset is not supported; Next.js then answers 400.
// Supported: UTF-8, UTF-16 (LE, BE, and BOM-detected), ISO-8859-1,
// US-ASCII and windows-1252, under iconv-lite's names and aliases.
func decoderFor(charset string) (decoder, bool) {
	if charset == "" {
		return decodeUTF8, true
	}
	switch normaliseCharset(charset) {
	case "utf8", "unicode11utf8":
		return decodeUTF8, true
	case "ucs2", "utf16le":
		return decodeUTF16LE, true
	case "utf16be":
		return decodeUTF16BE, true
	case "utf16":
		return decodeUTF16, true
	case "latin1", "binary", "iso88591", "l1", "cp819", "ibm819", "isoir100", "csisolatin1":
		return decodeLatin1, true
	case "ascii", "usascii", "ascii8bit", "ansix34", "ansix341968", "ansix341986", "csascii", "cp367", "ibm367", "isoir6", "iso646us", "us":
		return decodeASCII, true
	case "windows1252", "win1252", "cp1252":
		return decodeWindows1252, true
	}
	return nil, false
}

// normaliseCharset lower-cases a charset name and drops a ":yyyy" suffix
// and every character that is not a letter or a digit, as iconv-lite does.
func normaliseCharset(s string) string {
	s = strings.ToLower(s)
	if n := len(s); n >= 5 && s[n-5] == ':' && isDigits(s[n-4:]) {
		s = s[:n-5]
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if c := s[i]; ('a' <= c && c <= 'z') || ('0' <= c && c <= '9') {
			b = append(b, c)
		}
	}
	return string(b)
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

const utf8BOM = "\xEF\xBB\xBF"

func decodeUTF8(b []byte) []byte {
	b = trimPrefix(b, utf8BOM)
	if utf8.Valid(b) {
		return b
	}
	return appendLossyUTF8(make([]byte, 0, len(b)+8), b)
}

func trimPrefix(b []byte, p string) []byte {
	if len(b) >= len(p) && string(b[:len(p)]) == p {
		return b[len(p):]
	}
	return b
}

func decodeLatin1(b []byte) []byte {
	out := make([]byte, 0, len(b)+len(b)/4)
	for _, c := range b {
		out = utf8.AppendRune(out, rune(c))
	}
	return out
}

func decodeASCII(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for _, c := range b {
		if c >= utf8.RuneSelf {
			out = append(out, replacement...)
			continue
		}
		out = append(out, c)
	}
	return out
}

// cp1252 holds the characters of windows-1252 bytes 0x80 to 0x9F; the
// bytes iconv-lite leaves undefined map to U+FFFD.
var cp1252 = [32]rune{
	0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
	0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
}

func decodeWindows1252(b []byte) []byte {
	out := make([]byte, 0, len(b)+len(b)/4)
	for _, c := range b {
		r := rune(c)
		if c >= 0x80 && c <= 0x9F {
			r = cp1252[c-0x80]
		}
		out = utf8.AppendRune(out, r)
	}
	return out
}

func decodeUTF16LE(b []byte) []byte { return decodeUTF16With(b, false) }
func decodeUTF16BE(b []byte) []byte { return decodeUTF16With(b, true) }

// decodeUTF16 picks the byte order from a BOM or, without one, from where
// the zero bytes of ASCII characters sit in the first 64 bytes, as
// iconv-lite's utf16 codec does; little-endian by default.
func decodeUTF16(b []byte) []byte {
	be := false
	switch {
	case len(b) >= 2 && b[0] == 0xFE && b[1] == 0xFF:
		be = true
	case len(b) >= 2 && b[0] == 0xFF && b[1] == 0xFE:
	default:
		le, bec := 0, 0
		n := min(len(b)-len(b)%2, 64)
		for i := 0; i < n; i += 2 {
			if b[i] == 0 && b[i+1] != 0 {
				bec++
			}
			if b[i] != 0 && b[i+1] == 0 {
				le++
			}
		}
		be = bec > le
	}
	return decodeUTF16With(b, be)
}

// decodeUTF16With decodes UTF-16 text, dropping a leading BOM and a final
// odd byte; unpaired surrogates become U+FFFD.
func decodeUTF16With(b []byte, be bool) []byte {
	units := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		if be {
			units = append(units, uint16(b[i])<<8|uint16(b[i+1]))
		} else {
			units = append(units, uint16(b[i+1])<<8|uint16(b[i]))
		}
	}
	if len(units) > 0 && units[0] == 0xFEFF {
		units = units[1:]
	}
	out := make([]byte, 0, len(units)*2)
	for _, r := range utf16.Decode(units) {
		out = utf8.AppendRune(out, r)
	}
	return out
}

// maxZeroReads bounds the number of consecutive empty reads tolerated from
// a request body before it is declared broken.
const maxZeroReads = 100

// errBodyTooLarge and errBodyInvalid are the outcomes of readLimited that
// Next.js answers with 413 and 400.
var (
	errBodyTooLarge = errors.New("body exceeds the limit")
	errBodyInvalid  = errors.New("body could not be read")
)

// readLimited reads the whole body of r, failing with errBodyTooLarge as
// soon as it is longer than limit (before reading anything when
// Content-Length says so) and with errBodyInvalid when it cannot be read or
// is shorter than its Content-Length. probe is a one-byte scratch buffer
// that lets a body of unknown length turn out empty without an allocation.
func readLimited(r *http.Request, limit int64, probe []byte) ([]byte, error) {
	body := r.Body
	if body == nil || body == http.NoBody {
		return nil, nil
	}
	cl := r.ContentLength
	if cl > limit {
		return nil, errBodyTooLarge
	}
	var buf []byte
	if cl > 0 {
		// One spare byte, so that the final read can report EOF.
		buf = make([]byte, 0, cl+1)
	} else {
		n, err := readSome(body, probe[:1])
		switch {
		case n == 0 && err == io.EOF:
			return nil, nil
		case n == 0:
			return nil, bodyError(err)
		case limit < 1:
			return nil, errBodyTooLarge
		}
		buf = make([]byte, 1, min(512, limit+1))
		buf[0] = probe[0]
		if err == io.EOF {
			return finishRead(buf, cl)
		}
		if err != nil {
			return nil, bodyError(err)
		}
	}
	zero := 0
	for {
		if len(buf) == cap(buf) {
			// Double, but never past limit+1 bytes: one more than
			// the limit is enough to know the body is too large.
			grow := max(1, min(int64(len(buf)), limit+1-int64(len(buf))))
			buf = slices.Grow(buf, int(grow))
		}
		n, err := body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > limit {
			return nil, errBodyTooLarge
		}
		if err == io.EOF {
			return finishRead(buf, cl)
		}
		if err != nil {
			return nil, bodyError(err)
		}
		if n == 0 {
			if zero++; zero >= maxZeroReads {
				return nil, errBodyInvalid
			}
		} else {
			zero = 0
		}
	}
}

// readSome reads into p until it gets a byte or an error.
func readSome(r io.Reader, p []byte) (int, error) {
	for range maxZeroReads {
		n, err := r.Read(p)
		if n > 0 || err != nil {
			return n, err
		}
	}
	return 0, errBodyInvalid
}

// finishRead checks the length read against Content-Length.
func finishRead(buf []byte, cl int64) ([]byte, error) {
	if cl > 0 && int64(len(buf)) != cl {
		return nil, errBodyInvalid
	}
	return buf, nil
}

// bodyError maps a read error: a limit enforced further out (an
// http.MaxBytesReader) is a 413 like ours, anything else a 400.
func bodyError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errBodyTooLarge
	}
	return errBodyInvalid
}
