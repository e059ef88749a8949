// Package lambdalimit holds AWS Lambda's limits on a function, defined once
// for every part of nextgo that checks or enforces them: the project and
// route configuration, the build, deploy and the Lambda adapter.
//
// Source: AWS Lambda Developer Guide, "Lambda quotas"
// (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html):
// function timeout 900 seconds, memory 128 MB to 10,240 MB, invocation
// payload 6 MB for synchronous requests and responses.
package lambdalimit

const (
	// MinTimeout and MaxTimeout bound a function's timeout, in seconds.
	MinTimeout = 1
	MaxTimeout = 900
	// MinMemory and MaxMemory bound a function's memory, in MB.
	MinMemory = 128
	MaxMemory = 10240
	// MaxResponse is the largest buffered (synchronous) response payload,
	// in bytes: the JSON answer, after base64 growth.
	MaxResponse = 6_291_556
)
