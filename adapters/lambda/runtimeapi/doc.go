// Package runtimeapi runs built Lambda functions locally, the way AWS Lambda
// runs them: it is the engine behind `nextgo start` and `nextgo invoke`.
//
// Three layers, each usable on its own:
//
//   - An emulator of the Lambda Runtime API (version 2018-06-01). Every
//     execution environment gets its own endpoint on 127.0.0.1, exactly as a
//     Lambda sandbox does, serving GET /runtime/invocation/next, POST
//     /runtime/invocation/{id}/response (buffered, or streamed with
//     Lambda-Runtime-Function-Response-Mode: streaming or aws-lambda-go's
//     application/vnd.awslambda.http-integration-response, including the
//     Lambda-Runtime-Function-Error-Type/-Body trailers), POST
//     /runtime/invocation/{id}/error and POST /runtime/init/error, with
//     Lambda's status codes and error documents.
//
//   - A Pool per function: a function's bootstrap runs as a child process per
//     execution environment, started on demand (a cold start, logged with its
//     duration), kept warm, given one invocation at a time, multiplied under
//     concurrency up to a bound, and killed and replaced after a timeout or a
//     crash, reporting the error Lambda reports ("Task timed out after 3.00
//     seconds", "Runtime exited with error: exit status 2", ...).
//
//   - A Front: an http.Handler that plays API Gateway's HTTP API (payload
//     format 2.0) in front of several pools, choosing the function with
//     nextgo's router (or, for a path no route serves, the fallback
//     function behind the $default route), sending a real
//     events.APIGatewayV2HTTPRequest and writing back the function's
//     response, streamed responses included.
//     Its event and response handling stand on their own for other
//     handlers that play HTTP API: GatewayEvent and MarshalGatewayEvent
//     build and serialize the event, WriteGatewayResponse writes the
//     function's answer.
//
// Everything listens on the loopback interface only.
package runtimeapi
