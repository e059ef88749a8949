package runtimeapi_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	"github.com/nextgo-dev/nextgo/adapters/lambda/runtimeapi"
)

// Serve two built functions behind one HTTP API front on 127.0.0.1:3000, as
// `nextgo start` does, with the app's fallback function behind the $default
// route for every other path.
func ExampleNewFront() {
	opts := runtimeapi.Options{Output: os.Stdout}
	user := runtimeapi.NewPool(runtimeapi.Function{
		Name:      "api-user",
		Bootstrap: ".nextgo/functions/api-user/bootstrap",
		Timeout:   5 * time.Second,
		MemoryMB:  256,
		Env:       map[string]string{"NODE_ENV": "production"},
	}, opts)
	defer user.Close()
	post := runtimeapi.NewPool(runtimeapi.Function{
		Name:      "api-post-pid",
		Bootstrap: ".nextgo/functions/api-post-pid/bootstrap",
	}, opts)
	defer post.Close()
	fallback := runtimeapi.NewPool(runtimeapi.Function{
		Name:      "_fallback",
		Bootstrap: ".nextgo/functions/_fallback/bootstrap",
	}, opts)
	defer fallback.Close()

	front, err := runtimeapi.NewFront([]runtimeapi.FrontRoute{
		{Pattern: "/api/user", Pool: user},
		{Pattern: "/api/post/[pid]", Pool: post},
	}, runtimeapi.FrontOptions{Fallback: fallback})
	if err != nil {
		log.Fatal(err)
	}
	log.Fatal(http.ListenAndServe("127.0.0.1:3000", front))
}

// Invoke a built function once with an event, as `nextgo invoke` does.
func ExampleInvoke() {
	res, err := runtimeapi.Invoke(context.Background(), runtimeapi.Function{
		Bootstrap: ".nextgo/functions/api-user/bootstrap",
	}, []byte(`{"version":"2.0","rawPath":"/api/user","requestContext":{"http":{"method":"GET"}}}`), runtimeapi.Options{})
	if err != nil {
		log.Fatal(err)
	}
	if err := res.Err(); err != nil {
		log.Fatal(err) // e.g. Sandbox.Timedout: RequestId: … Error: Task timed out after 3.00 seconds
	}
	fmt.Printf("%s\n", res.Payload)
}

// Build the event an HTTP API sends a function for a request, as a gateway
// of one's own does before invoking the function.
func ExampleGatewayEvent() {
	r := httptest.NewRequest(http.MethodGet, "http://shop.example.com/api/post/a%2Fb?x=1&x=2", nil)
	r.Header.Set("Cookie", "a=1; b=2")
	ev := runtimeapi.GatewayEvent(r, runtimeapi.GatewayEventInput{
		RouteKey:       "GET /api/post/{pid}",
		PathParameters: map[string]string{"pid": "a/b"},
		RequestID:      "Ab1Cd2EfGhI=",
		Time:           time.Unix(0, 0),
	})
	fmt.Println(ev.RawPath, ev.Cookies, ev.QueryStringParameters, ev.PathParameters, ev.RequestContext.Stage, ev.RequestContext.DomainPrefix)

	payload, err := runtimeapi.MarshalGatewayEvent(ev) // what to invoke the function with
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(strings.Contains(string(payload), `"rawPath":"/api/post/a/b"`))
	// Output:
	// /api/post/a/b [a=1 b=2] map[x:1,2] map[pid:a/b] $default shop
	// true
}

// Write a function's payload format 2.0 response as HTTP API does.
func ExampleWriteGatewayResponse() {
	res := &runtimeapi.Result{Payload: []byte(`{"statusCode":201,"headers":{"content-type":"text/plain"},"cookies":["s=1"],"body":"aGk=","isBase64Encoded":true}`)}
	w := httptest.NewRecorder()
	if err := runtimeapi.WriteGatewayResponse(w, res); err != nil {
		// HTTP API's own answer.
		http.Error(w, `{"message":"Internal Server Error"}`, runtimeapi.StatusFunctionError)
	}
	fmt.Println(w.Code, w.Header().Get("Content-Type"), w.Header().Get("Set-Cookie"), w.Body)
	// Output: 201 text/plain s=1 hi
}
