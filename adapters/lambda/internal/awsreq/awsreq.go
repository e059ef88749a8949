// Package awsreq sends signed requests to AWS services from a function,
// with the credentials and region that Lambda puts in its environment.
//
// It is what a function links to reach S3 and Lambda for the shared cache:
// net/http and aws-sdk-go-v2's Signature Version 4 signer, without the
// SDK's service clients, whose size and start-up cost a route's cold start
// would pay (see bench/coldstart_test.go).
package awsreq

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Client signs and sends requests to one AWS service. It is safe for
// concurrent use.
type Client struct {
	// Service is the signing name: "s3", "lambda".
	Service string
	// Region is the region requests are signed for.
	Region string
	// Endpoint is the service's base URL, without a trailing slash.
	Endpoint string
	// Custom is true when Endpoint came from AWS_ENDPOINT_URL*: an
	// AWS-compatible endpoint that S3 addresses path-style.
	Custom bool
	// Credentials sign every request.
	Credentials aws.Credentials
	// HTTP sends the requests (http.DefaultClient when nil).
	HTTP *http.Client

	once   sync.Once
	signer *v4.Signer
}

// FromEnv returns a Client for service configured as the AWS SDKs read a
// Lambda function's environment: AWS_REGION (or AWS_DEFAULT_REGION),
// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, and the
// endpoint from AWS_ENDPOINT_URL_<SERVICE> (AWS_ENDPOINT_URL_S3,
// AWS_ENDPOINT_URL_LAMBDA), else AWS_ENDPOINT_URL, else the service's
// public endpoint in the region.
func FromEnv(service string, getenv func(string) string) (*Client, error) {
	region := getenv("AWS_REGION")
	if region == "" {
		region = getenv("AWS_DEFAULT_REGION")
	}
	if region == "" {
		return nil, errors.New("no region: AWS_REGION is not set")
	}
	id, secret := getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY")
	if id == "" || secret == "" {
		return nil, errors.New("no credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set")
	}
	c := &Client{
		Service:     service,
		Region:      region,
		Credentials: aws.Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: getenv("AWS_SESSION_TOKEN"), Source: "environment"},
	}
	endpoint := getenv("AWS_ENDPOINT_URL_" + strings.ToUpper(service))
	if endpoint == "" {
		endpoint = getenv("AWS_ENDPOINT_URL")
	}
	if endpoint != "" {
		c.Endpoint, c.Custom = strings.TrimSuffix(endpoint, "/"), true
	} else {
		c.Endpoint = "https://" + service + "." + region + ".amazonaws.com"
	}
	return c, nil
}

// emptySHA256 is the hex SHA-256 of an empty payload.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// Do signs and sends a request with body as its payload (nil for none)
// and returns the response; the caller closes its body. header may be nil.
func (c *Client) Do(ctx context.Context, method, url string, header http.Header, body []byte) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return nil, err
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	hash := emptySHA256
	if len(body) > 0 {
		sum := sha256.Sum256(body)
		hash = hex.EncodeToString(sum[:])
	}
	req.Header.Set("X-Amz-Content-Sha256", hash)
	c.once.Do(func() {
		c.signer = v4.NewSigner(func(o *v4.SignerOptions) {
			// S3 signs the path as sent, without escaping it again.
			o.DisableURIPathEscaping = c.Service == "s3"
		})
	})
	if err := c.signer.SignHTTP(ctx, c.Credentials, req, hash, c.Service, c.Region, time.Now()); err != nil {
		return nil, fmt.Errorf("%s: signing %s %s: %w", c.Service, method, req.URL.Path, err)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	return hc.Do(req)
}

// Error is an AWS error answer.
type Error struct {
	Service string
	Op      string
	Status  int
	Code    string // "NoSuchBucket", "AccessDenied", "ResourceNotFoundException", ...
	Message string
}

func (e *Error) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("%s %s: %d %s", e.Service, e.Op, e.Status, e.Code)
	}
	return fmt.Sprintf("%s %s: %d %s: %s", e.Service, e.Op, e.Status, e.Code, e.Message)
}

// ReadError reads an error answer of either shape AWS uses: S3's XML
// <Error><Code/><Message/></Error>, or the JSON of REST-JSON services
// (Lambda), whose code is in X-Amzn-ErrorType or the document's "Type" or
// "__type". It closes the body.
func (c *Client) ReadError(op string, res *http.Response) *Error {
	defer res.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	e := &Error{Service: c.Service, Op: op, Status: res.StatusCode}
	var x struct {
		Code    string
		Message string
	}
	var j struct {
		Type    string `json:"Type"`
		Type2   string `json:"__type"`
		Message string `json:"message"`
		Msg2    string `json:"Message"`
	}
	switch {
	case xml.Unmarshal(b, &x) == nil && x.Code != "":
		e.Code, e.Message = x.Code, x.Message
	case json.Unmarshal(b, &j) == nil:
		e.Code = cmp(res.Header.Get("X-Amzn-ErrorType"), j.Type2, j.Type)
		e.Message = cmp(j.Message, j.Msg2)
	}
	if i := strings.IndexByte(e.Code, ':'); i >= 0 {
		e.Code = e.Code[:i] // "ResourceNotFoundException:http://internal.amazon.com/..."
	}
	if e.Code == "" {
		e.Code = http.StatusText(res.StatusCode)
	}
	return e
}

// cmp returns the first non-empty string.
func cmp(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
