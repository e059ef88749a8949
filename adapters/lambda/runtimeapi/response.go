package runtimeapi

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/aws/aws-lambda-go/events"
)

// ErrStreamCut is wrapped by the error WriteGatewayResponse returns when a
// streamed response fails after it has begun: the client has part of it.
var ErrStreamCut = errors.New("runtimeapi: response stream failed part-way")

// WriteGatewayResponse writes a function's result to w the way API
// Gateway's HTTP API passes a payload format 2.0 response on:
//
//   - a buffered payload that is a JSON object with a statusCode is a
//     structured response (status 200 to 599; headers, multiValueHeaders,
//     cookies as Set-Cookie, a body base64-decoded when isBase64Encoded);
//     any other valid JSON is the body of a 200 application/json response;
//   - a stream is written as the function writes it, flushed piece by
//     piece, with the status, headers and cookies of its prelude, if any,
//     else the content type it was posted with.
//
// A response without a Content-Type goes out without one, not with a
// sniffed one. WriteGatewayResponse closes res.Stream.
//
// It returns an error, having written nothing, when HTTP API would answer
// 500 instead (StatusFunctionError): the invocation failed
// (res.FunctionError), the payload is not a response it can read, or a
// streamed status is out of range; the caller writes that answer. When a
// stream fails part-way it returns an error wrapping ErrStreamCut, and the
// caller cuts the response off (panic(http.ErrAbortHandler)) so that the
// client sees it incomplete. A failed write to w (the client went away)
// ends the response without an error.
func WriteGatewayResponse(w http.ResponseWriter, res *Result) error {
	if res.Stream != nil {
		defer res.Stream.Close()
	}
	if res.FunctionError != "" {
		return fmt.Errorf("function error: %w", res.Err())
	}
	if res.Stream != nil {
		return writeStream(w, res)
	}
	resp, err := parseV2Response(res.Payload)
	if err != nil {
		return err
	}
	resp.write(w)
	return nil
}

// writeStream writes a streamed response, flushing each piece as the
// function writes it.
func writeStream(w http.ResponseWriter, res *Result) error {
	h := w.Header()
	status := http.StatusOK
	if p := res.Prelude; p != nil {
		status = p.StatusCode
		if status < 200 || status > 599 {
			return fmt.Errorf("invalid streamed statusCode %d", status)
		}
		setHeaders(h, p.Headers, p.MultiValueHeaders, p.Cookies)
	} else if res.ContentType != "" {
		h.Set("Content-Type", res.ContentType)
	}
	if _, ok := h["Content-Type"]; !ok {
		h["Content-Type"] = nil // no sniffing: send what the function sent
	}
	rc := http.NewResponseController(w)
	w.WriteHeader(status)
	rc.Flush()
	buf := make([]byte, 32<<10)
	for {
		n, err := res.Stream.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return nil // the client went away
			}
			rc.Flush()
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: %w", ErrStreamCut, err)
		}
	}
}

// v2Response is a function's answer to an HTTP API event, checked and ready
// to write.
type v2Response struct {
	status int
	header http.Header
	body   []byte
}

// parseV2Response reads a function's response the way HTTP API reads
// payload format 2.0: a JSON object with a statusCode is a structured
// response; any other valid JSON is the body of a 200 application/json
// response; anything else is an error.
func parseV2Response(payload []byte) (*v2Response, error) {
	// One pass: the probe field, shallower than the embedded one, tells a
	// structured response from any other JSON.
	var resp struct {
		events.APIGatewayV2HTTPResponse
		StatusCode json.RawMessage `json:"statusCode"`
	}
	err := json.Unmarshal(payload, &resp)
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) || (err != nil && !json.Valid(payload)) {
		return nil, errors.New("the response is not JSON")
	}
	if resp.StatusCode == nil {
		h := http.Header{}
		h.Set("Content-Type", "application/json")
		return &v2Response{status: http.StatusOK, header: h, body: payload}, nil
	}
	var status int
	if err == nil {
		err = json.Unmarshal(resp.StatusCode, &status)
	}
	if err != nil {
		return nil, fmt.Errorf("malformed response: %w", err)
	}
	if status < 200 || status > 599 {
		return nil, fmt.Errorf("invalid statusCode %d", status)
	}
	body, err := responseBody(resp.Body, resp.IsBase64Encoded)
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	setHeaders(h, resp.Headers, resp.MultiValueHeaders, resp.Cookies)
	return &v2Response{status: status, header: h, body: body}, nil
}

// responseBody is a function response's body, decoded from base64 when the
// response says it is encoded.
func responseBody(body string, isBase64 bool) ([]byte, error) {
	if !isBase64 {
		return []byte(body), nil
	}
	b, err := base64.StdEncoding.DecodeString(body)
	if err != nil {
		return nil, fmt.Errorf("isBase64Encoded body: %w", err)
	}
	return b, nil
}

// setHeaders sets the headers of a function's response on h: the
// multi-value ones replace single ones of the same name, and each cookie is
// a Set-Cookie header.
func setHeaders(h http.Header, single map[string]string, multi map[string][]string, cookies []string) {
	for k, v := range single {
		h.Set(k, v)
	}
	for k, vs := range multi {
		h.Del(k)
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	for _, c := range cookies {
		h.Add("Set-Cookie", c)
	}
}

// write sends the response. A response without a Content-Type goes out
// without one, as from API Gateway, rather than with a sniffed one.
func (r *v2Response) write(w http.ResponseWriter) {
	h := w.Header()
	for k, vs := range r.header {
		h[k] = vs
	}
	if _, ok := h["Content-Type"]; !ok {
		h["Content-Type"] = nil
	}
	if bodyAllowed(r.status) {
		h.Set("Content-Length", strconv.Itoa(len(r.body)))
	}
	w.WriteHeader(r.status)
	if bodyAllowed(r.status) {
		w.Write(r.body)
	}
}

// bodyAllowed reports whether a response with this status carries a body.
func bodyAllowed(status int) bool {
	return status != http.StatusNoContent && status != http.StatusNotModified && status >= 200
}
