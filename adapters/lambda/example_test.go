package lambda_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path"
	"time"

	"github.com/nextgo-dev/nextgo/adapters/lambda"
)

// The main package of a function built by nextgo: one route, one handler.
func ExampleStart() {
	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"hello":"world"}`)
	})
	lambda.Start(hello, lambda.Options{
		MaxDuration:   10 * time.Second,
		BodyLimit:     1 << 20,
		BodyLimitText: "1mb",
		Route:         "/api/hello",
		File:          "pages/api/hello.go",
	})
}

// Invoke takes the raw event, whatever its source, and returns the JSON
// response in that source's shape.
func ExampleHandler_Invoke() {
	h := lambda.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		theme, err := r.Cookie("theme")
		if err != nil {
			http.Error(w, "no theme", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		http.SetCookie(w, &http.Cookie{Name: "seen", Value: "1", Path: "/"})
		fmt.Fprintf(w, `{"post":%q,"q":%q,"theme":%q,"stage":%q}`,
			path.Base(r.URL.Path), r.URL.Query().Get("q"), theme.Value, lambda.Stage(r.Context()))
	}), lambda.Options{})

	event := `{
	  "version": "2.0",
	  "rawPath": "/api/post/42",
	  "rawQueryString": "q=go%20lambda",
	  "cookies": ["session=3f9a", "theme=dark"],
	  "headers": {"host": "api.example.com", "accept": "application/json"},
	  "requestContext": {
	    "http": {"method": "GET", "path": "/api/post/42", "protocol": "HTTP/1.1", "sourceIp": "203.0.113.7"},
	    "requestId": "JKJaXmPLvHcESHA=",
	    "stage": "$default"
	  },
	  "isBase64Encoded": false
	}`
	out, err := h.Invoke(context.Background(), []byte(event))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(out))
	// Output:
	// {"statusCode":200,"headers":{"Content-Type":"application/json"},"cookies":["seen=1; Path=/"],"body":"{\"post\":\"42\",\"q\":\"go lambda\",\"theme\":\"dark\",\"stage\":\"$default\"}","isBase64Encoded":false}
}
