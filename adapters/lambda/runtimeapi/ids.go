package runtimeapi

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"time"
)

// newRequestID returns a random UUID (version 4), the form of Lambda's
// request ids.
func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// newTraceID returns an X-Ray trace header value as Lambda passes it in
// Lambda-Runtime-Trace-Id: "Root=1-<epoch>-<96 bits>;Parent=<64 bits>;Sampled=0".
func newTraceID(now time.Time) string {
	var b [20]byte
	rand.Read(b[:])
	return fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=0", now.Unix(), hex.EncodeToString(b[:12]), hex.EncodeToString(b[12:]))
}

// newGatewayRequestID returns an id in the form API Gateway gives HTTP API
// requests (requestContext.requestId and the apigw-requestid header).
func newGatewayRequestID() string {
	var b [10]byte
	rand.Read(b[:])
	return base64.StdEncoding.EncodeToString(b[:])
}
