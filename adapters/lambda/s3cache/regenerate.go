package s3cache

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/nextgo-dev/nextgo/adapters/lambda/internal/awsreq"
	"github.com/nextgo-dev/nextgo/runtime/cache"
)

// maxEventPayload is the largest event an asynchronous invocation carries
// (Lambda quotas: 256 KB for asynchronous invocations).
const maxEventPayload = 256 << 10

// maxPending bounds the regenerations a Regenerator remembers having asked
// for.
const maxPending = 1024

// Regenerator asks the function itself to regenerate a stale entry: an
// asynchronous invocation (Lambda's Invoke API, InvocationType Event) of
// the version that is running, whose event is an HTTP API GET of the path
// carrying cache.RegenerateHeader. Lambda queues the event and runs it in a
// sandbox to its end, so the regeneration completes even though the sandbox
// that answered Stale is frozen. It needs lambda:InvokeFunction on the
// function alone. A Regenerator is safe for concurrent use.
type Regenerator struct {
	lambda    *awsreq.Client
	function  string
	qualifier string
	window    time.Duration

	mu   sync.Mutex
	sent map[[sha256.Size]byte]time.Time // hash of version and path → when asked
}

// NewRegenerator returns a Regenerator invoking function (its name or ARN)
// at qualifier (a version number; "" or "$LATEST" for the unpublished
// function) through c, a "lambda" client. A regeneration it has asked for
// is not asked for again within window (the function's timeout, after
// which a lost one is worth another try).
func NewRegenerator(c *awsreq.Client, function, qualifier string, window time.Duration) *Regenerator {
	if qualifier == "$LATEST" {
		qualifier = ""
	}
	return &Regenerator{lambda: c, function: function, qualifier: qualifier, window: window, sent: map[[sha256.Size]byte]time.Time{}}
}

// Regenerate sends the invocation that regenerates path's entry stored at
// version, unless this process sent it within the window. It returns once
// Lambda has accepted the event (202).
func (r *Regenerator) Regenerate(ctx context.Context, path, version string) error {
	id := sha256.Sum256([]byte(version + "\n" + path))
	now := time.Now()
	r.mu.Lock()
	if t, ok := r.sent[id]; ok && now.Sub(t) < r.window {
		r.mu.Unlock()
		return nil
	}
	if len(r.sent) >= maxPending {
		for k, t := range r.sent {
			if now.Sub(t) >= r.window {
				delete(r.sent, k)
			}
		}
		if len(r.sent) >= maxPending {
			clear(r.sent)
		}
	}
	r.sent[id] = now
	r.mu.Unlock()

	err := r.invoke(ctx, path, version, now)
	if err != nil {
		r.mu.Lock()
		delete(r.sent, id)
		r.mu.Unlock()
	}
	return err
}

// invoke sends the asynchronous invocation.
func (r *Regenerator) invoke(ctx context.Context, path, version string, now time.Time) error {
	payload, err := json.Marshal(RegenerationEvent(path, version, now))
	if err != nil {
		return err
	}
	if len(payload) > maxEventPayload {
		return fmt.Errorf("s3cache: the regeneration event of %.40s… is %d bytes, over the %d of an asynchronous invocation", path, len(payload), maxEventPayload)
	}
	u := r.lambda.Endpoint + "/2015-03-31/functions/" + url.PathEscape(r.function) + "/invocations"
	if r.qualifier != "" {
		u += "?Qualifier=" + url.QueryEscape(r.qualifier)
	}
	res, err := r.lambda.Do(ctx, http.MethodPost, u, http.Header{
		"X-Amz-Invocation-Type": {"Event"},
		"Content-Type":          {"application/json"},
	}, payload)
	if err != nil {
		return fmt.Errorf("s3cache: invoking %s to regenerate %s: %w", r.function, path, err)
	}
	if res.StatusCode != http.StatusAccepted {
		return fmt.Errorf("s3cache: invoking %s to regenerate %s: %w", r.function, path, r.lambda.ReadError("Invoke", res))
	}
	res.Body.Close()
	return nil
}

// RegenerationEvent is the event of the invocation that regenerates path's
// entry stored at version: an API Gateway HTTP API (payload format 2.0)
// GET of path with cache.RegenerateHeader.
func RegenerationEvent(path, version string, now time.Time) events.APIGatewayV2HTTPRequest {
	var id [16]byte
	_, _ = rand.Read(id[:])
	rawPath, rawQuery, _ := strings.Cut(path, "?")
	return events.APIGatewayV2HTTPRequest{
		Version:        "2.0",
		RouteKey:       "$default",
		RawPath:        rawPath,
		RawQueryString: rawQuery,
		Headers:        map[string]string{strings.ToLower(cache.RegenerateHeader): version, "user-agent": "nextgo-regenerate"},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:  "$default",
			Stage:     "$default",
			RequestID: hex.EncodeToString(id[:]),
			Time:      now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch: now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method: http.MethodGet, Path: rawPath, Protocol: "HTTP/1.1", SourceIP: "127.0.0.1", UserAgent: "nextgo-regenerate",
			},
		},
	}
}
