package projectconfig

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// value is a JSON value with its object keys in document order, so that
// errors come in the order a reader sees them.
type value struct {
	kind  kind
	keys  []string // object
	vals  []*value // object values, by key index
	items []*value // array
	str   string
	num   json.Number
	b     bool
}

type kind uint8

const (
	kNull kind = iota
	kBool
	kNumber
	kString
	kArray
	kObject
)

// describe names v for an error: its JSON text when short, else its kind.
func (v *value) describe() string {
	switch v.kind {
	case kNull:
		return "null"
	case kBool:
		return strconv.FormatBool(v.b)
	case kNumber:
		return v.num.String()
	case kString:
		b, _ := json.Marshal(v.str)
		if len(b) > 40 {
			return "a string"
		}
		return string(b)
	case kArray:
		return "an array"
	}
	return "an object"
}

func (v *value) get(key string) (*value, bool) {
	for i, k := range v.keys {
		if k == key {
			return v.vals[i], true
		}
	}
	return nil, false
}

// parseJSON decodes data into a value tree. Syntax errors give the line and
// column.
func parseJSON(data []byte) (*value, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := readValue(dec, "")
	if err == nil {
		off := dec.InputOffset()
		if _, extra := dec.Token(); extra != io.EOF {
			for off < int64(len(data)) && strings.IndexByte(" \t\r\n", data[off]) >= 0 {
				off++
			}
			line, col := position(data, off)
			return nil, &syntaxError{line: line, col: col, msg: "unexpected data after the top-level value"}
		}
	}
	if err != nil {
		var pe *pathError
		if errors.As(err, &pe) {
			return nil, err
		}
		line, col := position(data, dec.InputOffset())
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line, col = position(data, se.Offset)
		}
		msg := err.Error()
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			msg = "unexpected end of file"
		}
		return nil, &syntaxError{line: line, col: col, msg: msg}
	}
	return v, nil
}

// syntaxError is malformed JSON, at a line and column.
type syntaxError struct {
	line, col int
	msg       string
}

func (e *syntaxError) Error() string {
	return fmt.Sprintf("%d:%d: invalid JSON: %s", e.line, e.col, e.msg)
}

// pathError is a problem found while reading, at a key path.
type pathError struct {
	path string
	msg  string
}

func (e *pathError) Error() string {
	if e.path == "" {
		return e.msg
	}
	return e.path + ": " + e.msg
}

func readValue(dec *json.Decoder, path string) (*value, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case nil:
		return &value{kind: kNull}, nil
	case bool:
		return &value{kind: kBool, b: t}, nil
	case json.Number:
		return &value{kind: kNumber, num: t}, nil
	case string:
		return &value{kind: kString, str: t}, nil
	case json.Delim:
		if t == '[' {
			v := &value{kind: kArray}
			for i := 0; dec.More(); i++ {
				item, err := readValue(dec, fmt.Sprintf("%s[%d]", path, i))
				if err != nil {
					return nil, err
				}
				v.items = append(v.items, item)
			}
			_, err := dec.Token()
			return v, err
		}
		v := &value{kind: kObject}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, err
			}
			key := kt.(string)
			sub := joinPath(path, key)
			if _, dup := v.get(key); dup {
				return nil, &pathError{path: sub, msg: "appears twice"}
			}
			val, err := readValue(dec, sub)
			if err != nil {
				return nil, err
			}
			v.keys = append(v.keys, key)
			v.vals = append(v.vals, val)
		}
		_, err := dec.Token()
		return v, err
	}
	return nil, fmt.Errorf("unexpected token %v", tok)
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// position turns a byte offset into a 1-based line and column.
func position(data []byte, off int64) (int, int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(off) - bytes.LastIndexByte(before, '\n')
	return line, col
}

// closest returns the known key nearest to key, when one is near enough to
// be a typo.
func closest(key string, known []string) string {
	best, bestD := "", 3
	for _, k := range known {
		if d := distance(strings.ToLower(key), strings.ToLower(k)); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

// distance is the Levenshtein distance of a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
