package runtimeapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/aws/aws-lambda-go/events"
)

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
	if !json.Valid(payload) {
		return nil, errors.New("the response is not JSON")
	}
	var probe map[string]json.RawMessage
	if json.Unmarshal(payload, &probe) != nil || probe["statusCode"] == nil {
		h := http.Header{}
		h.Set("Content-Type", "application/json")
		return &v2Response{status: http.StatusOK, header: h, body: payload}, nil
	}
	var resp events.APIGatewayV2HTTPResponse
	d := json.NewDecoder(bytes.NewReader(payload))
	if err := d.Decode(&resp); err != nil {
		return nil, fmt.Errorf("malformed response: %w", err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 599 {
		return nil, fmt.Errorf("invalid statusCode %d", resp.StatusCode)
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(resp.Body)
		if err != nil {
			return nil, fmt.Errorf("isBase64Encoded body: %w", err)
		}
		body = b
	}
	h := http.Header{}
	for k, v := range resp.Headers {
		h.Set(k, v)
	}
	for k, vs := range resp.MultiValueHeaders {
		h.Del(k)
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	for _, c := range resp.Cookies {
		h.Add("Set-Cookie", c)
	}
	return &v2Response{status: resp.StatusCode, header: h, body: body}, nil
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
