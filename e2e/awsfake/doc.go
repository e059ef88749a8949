// Package awsfake is a local AWS-compatible endpoint for tests of `nextgo
// deploy`: an HTTP server on 127.0.0.1 that speaks the wire protocols
// aws-sdk-go-v2 uses for Lambda (REST-JSON), API Gateway v2 (REST-JSON),
// IAM and STS (query protocol, XML responses) and S3 (REST-XML, served by
// github.com/johannesboyne/gofakes3 in process; see S3), with AWS's error
// shapes. Point the SDK at it with AWS_ENDPOINT_URL.
//
// It keeps functions with their $LATEST configuration, published versions,
// aliases, tags and resource policies; stores every uploaded zip; keeps
// HTTP APIs with their stages, integrations and routes; and IAM roles.
// It records every call, counts code uploads and can inject faults
// (Throttle, FailUpdate, Fail) and refuse IAM actions (Deny). It throttles
// Lambda's control-plane calls on its own at Lambda's published rate
// (Options.ControlPlaneRate).
//
// And it serves each deployed HTTP API for real, on a listener of its own
// whose URL is the API's endpoint: a request is routed as API Gateway v2
// routes it (route keys, most specific path first, greedy {proxy+}, method
// before ANY, the $default route for what no other route matches), checked
// against the function's resource policy, turned into
// a payload format 2.0 event and sent to the version the integration's
// alias points at, whose bootstrap is extracted from its zip and run by
// the Runtime API emulator of package runtimeapi.
//
// Request signatures are accepted without being verified.
package awsfake
