package api

import (
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/nextgo-dev/nextgo/runtime/api"
)

// The side effect a light route must never see.
func init() { fmt.Fprintln(os.Stderr, "HEAVY INIT RAN") }

func Handler(req *api.Request, res *api.Response) {
	client := s3.New(s3.Options{Region: "eu-west-1"})
	res.JSON(map[string]string{"service": s3.ServiceID, "region": client.Options().Region})
}
