package api

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// serve runs fn as an API route on one request and returns the recorder.
func serve(t *testing.T, cfg Config, fn func(*Request, *Response), r *http.Request) (*httptest.ResponseRecorder, *logSink) {
	t.Helper()
	logs := &logSink{}
	hd := NewHandler(Route{File: "pages/api/t.go", Config: cfg, Handler: fn, Logger: slog.New(slog.NewJSONHandler(logs, nil))})
	w := httptest.NewRecorder()
	hd.ServeHTTP(w, r)
	return w, logs
}

func TestStatusAndHeaders(t *testing.T) {
	var codes []int
	w, _ := serve(t, Config{}, func(req *Request, res *Response) {
		codes = append(codes, res.StatusCode())
		res.Status(201)
		codes = append(codes, res.StatusCode())
		res.Write([]byte("x"))
		res.Status(500) // too late: the headers are sent
		codes = append(codes, res.StatusCode())
		res.WriteString("y")
		res.End()
		if n, err := res.WriteString("z"); n != 0 || err != ErrEnded {
			t.Errorf("WriteString after End = %d, %v", n, err)
		}
	}, httptest.NewRequest("GET", "/", nil))
	if want := []int{200, 201, 201}; !reflect.DeepEqual(codes, want) {
		t.Errorf("StatusCode sequence %v, want %v", codes, want)
	}
	if w.Code != 201 || w.Body.String() != "xy" {
		t.Errorf("got %d %q", w.Code, w.Body.String())
	}
}

func TestHelpersAfterTheEnd(t *testing.T) {
	w, logs := serve(t, Config{}, func(req *Request, res *Response) {
		res.Send("first")
		res.Send("second")
		res.Redirect("/x")
		res.End()
	}, httptest.NewRequest("GET", "/", nil))
	if w.Code != 200 || w.Body.String() != "first" || w.Header().Get("Location") != "" {
		t.Errorf("got %d %q %v", w.Code, w.Body.String(), w.Header())
	}
	checkLogs(t, logs.take(t), []string{
		"api: Send called after the response was sent; ignored",
		"api: Redirect called after the response was sent; ignored",
	})
}

func TestDecodeForms(t *testing.T) {
	form := func() *http.Request {
		r := httptest.NewRequest("POST", "/", strings.NewReader("a=1&a=2&b=x"))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return r
	}
	var vals Values
	var uv url.Values
	var m map[string]any
	serve(t, Config{}, func(req *Request, res *Response) {
		for _, v := range []any{&vals, &uv, &m} {
			if err := req.Decode(v); err != nil {
				t.Errorf("Decode(%T): %v", v, err)
			}
		}
		if err := req.Decode(&struct{ A int }{}); err == nil || !strings.HasPrefix(err.Error(), "api: decode form body: ") {
			t.Errorf("Decode into a mismatched struct: %v", err)
		}
		res.End()
	}, form())
	if !reflect.DeepEqual(vals.Values("a"), []string{"1", "2"}) || vals.Get("b") != "x" {
		t.Errorf("Values: %v", vals)
	}
	if want := (url.Values{"a": {"1", "2"}, "b": {"x"}}); !reflect.DeepEqual(uv, want) {
		t.Errorf("url.Values: %v", uv)
	}
	if want := map[string]any{"a": []any{"1", "2"}, "b": "x"}; !reflect.DeepEqual(m, want) {
		t.Errorf("map: %v", m)
	}
	// With the parser disabled, Decode reads the stream, once.
	serve(t, Config{BodyParser: BodyParser{Disabled: true}}, func(req *Request, res *Response) {
		if req.Body != nil || req.RawBody() != nil {
			t.Errorf("disabled parser: Body %v, RawBody %q", req.Body, req.RawBody())
		}
		var v Values
		if err := req.Decode(&v); err != nil || v.Get("b") != "x" {
			t.Errorf("Decode: %v, %v", v, err)
		}
		if err := req.Decode(&v); err != nil || string(req.RawBody()) != "a=1&a=2&b=x" {
			t.Errorf("second Decode: %v, raw %q", err, req.RawBody())
		}
		res.End()
	}, form())
}

// failingBody fails every read.
type failingBody struct{}

func (failingBody) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }
func (failingBody) Close() error             { return nil }

func TestDecodeStreamErrors(t *testing.T) {
	r := httptest.NewRequest("POST", "/", nil)
	r.Body = failingBody{}
	r.Header.Set("Content-Type", "application/json")
	serve(t, Config{BodyParser: BodyParser{Disabled: true}}, func(req *Request, res *Response) {
		var v any
		if err := req.Decode(&v); err == nil || err.Error() != "api: read body: unexpected EOF" {
			t.Errorf("first Decode: %v", err)
		}
		if err := req.Decode(&v); err == nil || err.Error() != "api: the body was already read" {
			t.Errorf("second Decode: %v", err)
		}
		res.End()
	}, r)
	// With the parser on, the same body is a 400 before the handler.
	r = httptest.NewRequest("POST", "/", nil)
	r.Body = failingBody{}
	called := false
	w, _ := serve(t, Config{}, func(*Request, *Response) { called = true }, r)
	if called || w.Code != 400 || w.Body.String() != "Invalid body" {
		t.Errorf("parser on: called %t, %d %q", called, w.Code, w.Body.String())
	}
}

func TestSendAfterWriteHeader(t *testing.T) {
	w, _ := serve(t, Config{}, func(req *Request, res *Response) {
		res.WriteHeader(206)
		res.Send(strings.NewReader("rest"))
	}, httptest.NewRequest("GET", "/", nil))
	if w.Code != 206 || w.Body.String() != "rest" {
		t.Errorf("got %d %q", w.Code, w.Body.String())
	}
}
