// Package lambdalimit holds AWS Lambda's limits on a function, and those of
// the API Gateway front nextgo deploys it behind, defined once for every
// part of nextgo that checks, enforces or models them: the project and
// route configuration, the build, deploy, the Lambda adapter, the Runtime
// API emulator and the test double of AWS.
//
// Source: AWS Lambda Developer Guide, "Lambda quotas"
// (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html):
// function timeout 900 seconds, memory 128 MB to 10,240 MB, invocation
// payload 6 MB for synchronous requests and responses and 1 MB for
// asynchronous ones, environment variables 4 KB, deployment package 50 MB
// zipped for direct upload and 250 MB unzipped including layers; "Configure Lambda
// function timeout" (configuration-timeout.html): "The default value for
// this setting is 3 seconds"; "Configure Lambda function memory"
// (configuration-memory.html): 128 MB unless set. Amazon API Gateway Developer Guide, "Amazon API Gateway quotas"
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html):
// an HTTP API's integration timeout is 30 seconds at most, for every
// integration type, and its payload 10 MB.
package lambdalimit

// Architectures maps the GOARCH of each instruction set Lambda runs
// functions on to Lambda's name for it ("Lambda instruction set
// architectures", foundation-arch.html: arm64 and x86_64).
var Architectures = map[string]string{"arm64": "arm64", "amd64": "x86_64"}

const (
	// MinTimeout and MaxTimeout bound a function's timeout, in seconds.
	MinTimeout = 1
	MaxTimeout = 900
	// DefaultTimeout is the timeout of a function created without one, in
	// seconds.
	DefaultTimeout = 3
	// MinMemory and MaxMemory bound a function's memory, in MB.
	MinMemory = 128
	MaxMemory = 10240
	// DefaultMemory is the memory of a function created without one, in MB.
	DefaultMemory = 128
	// MaxRequest is the largest event of a synchronous invocation, in
	// bytes.
	MaxRequest = 6 * 1024 * 1024
	// MaxResponse is the largest buffered (synchronous) response payload,
	// in bytes: the JSON answer, after base64 growth; the Runtime API takes
	// 100 bytes more than MaxRequest.
	MaxResponse = MaxRequest + 100
	// MaxAsyncRequest is the largest event of an asynchronous (Event)
	// invocation, in bytes.
	MaxAsyncRequest = 1 << 20
	// MaxEnvironment is the largest environment of a function, in bytes,
	// measured on the JSON of its variables map.
	MaxEnvironment = 4096
	// MaxZipUpload is the largest zip a function's code can be uploaded as
	// in the request itself, in bytes; a larger one goes through S3.
	MaxZipUpload = 50 << 20
	// MaxUnzipped is the largest a function's code can be unzipped,
	// layers included, in bytes.
	MaxUnzipped = 250 << 20
	// MaxGatewayRequest is the largest request an HTTP API front takes,
	// in bytes.
	MaxGatewayRequest = 10 << 20
	// MaxBinaryBody is about the largest binary request body that fits
	// MaxRequest once base64 grows it by 4/3 inside the event, in bytes.
	MaxBinaryBody = 4_500_000
	// MaxIntegrationTimeout is API Gateway's limit on an HTTP API
	// integration, in seconds: the longest a request through the front
	// can wait for its function.
	MaxIntegrationTimeout = 30
)
