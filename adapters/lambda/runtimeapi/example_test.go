package runtimeapi_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/nextgo-dev/nextgo/adapters/lambda/runtimeapi"
)

// Serve two built functions behind one HTTP API front on 127.0.0.1:3000, as
// `nextgo start` does.
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

	front, err := runtimeapi.NewFront([]runtimeapi.FrontRoute{
		{Pattern: "/api/user", Pool: user},
		{Pattern: "/api/post/[pid]", Pool: post},
	}, runtimeapi.FrontOptions{})
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
