// Command echo is the test function of package localaws: it answers its
// event, appends it to the file named by $MARK, and fails on an event
// holding "fail".
package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(_ context.Context, ev json.RawMessage) (json.RawMessage, error) {
		if f, err := os.OpenFile(os.Getenv("MARK"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
			f.Write(append(ev, '\n'))
			f.Close()
		}
		if strings.Contains(string(ev), "fail") {
			return nil, errors.New("asked to fail")
		}
		return ev, nil
	})
}
