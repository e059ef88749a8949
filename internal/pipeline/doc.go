// Package pipeline is the request pipeline every nextgo route runs under,
// written once for `nextgo dev` (runtime/mux) and for Lambda
// (adapters/lambda):
//
//   - Guard runs a handler under its deadline (maxDuration: the context is
//     cancelled and the client gets 504 if nothing was sent yet) and one
//     recover: a panic becomes a 500, and so does a handler that stopped
//     its goroutine with runtime.Goexit, neither returning nor panicking.
//     A Guard nested in another (the dispatcher inside the Lambda adapter)
//     adds neither a second deadline nor a second recover.
//   - Text, Bare and TooLarge are the short answers the runtime makes
//     itself; LimitBody is the body-size limit (413 "Body exceeded …
//     limit", answered at once for a declared length over it, the
//     connection closed rather than drained); BodyAllowed says whether a
//     status carries a body.
//
// It sits outside runtime/ so that the Lambda adapter uses it without
// importing the runtime packages apps import (only runtime/httpguard, which
// imports nothing of nextgo).
package pipeline
