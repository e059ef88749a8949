package api

import (
	"fmt"
	"os"

	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/nextgo-dev/nextgo/runtime/api"
)

// The side effect a light route must never see.
func init() { fmt.Fprintln(os.Stderr, "HEAVY INIT RAN") }

// Handler links the AWS SDK's Lambda client, a heavy dependency.
func Handler(req *api.Request, res *api.Response) {
	client := awslambda.New(awslambda.Options{Region: "eu-west-1"})
	res.JSON(map[string]string{"service": awslambda.ServiceID, "region": client.Options().Region})
}
