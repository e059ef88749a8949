// Package api is the interface of API routes, the Pages Router model of
// Next.js: one file under pages/api is one endpoint whose
//
//	func Handler(req *api.Request, res *api.Response)
//
// receives Next's req and res, in Go. NewHandler turns such a route into
// an http.Handler, the one seam through which the local emulator and every
// Lambda function serve it.
//
// The package reproduces what Next.js does with the request and response
// byte for byte where the two can be compared:
//
//   - Request.Query is req.query: the query string parsed as Node's
//     querystring parses it, merged with the dynamic route parameters (a
//     parameter wins a name clash), in Next's shapes and key order (see
//     Values).
//   - Request.Cookies is req.cookies, parsed as the cookie package does.
//   - Request.Body is req.body, parsed by Content-Type for every method,
//     with Next's limit (Config.BodyParser.SizeLimit, "1mb" by default)
//     and its error answers: 413 "Body exceeded 1mb limit", 400 "Invalid
//     JSON", 400 "Invalid body".
//   - Response.JSON and Response.Send encode as JSON.stringify would and
//     set the same strong ETag as Next.js (FNV-1a over UTF-16 code units),
//     answering a matching If-None-Match with 304; 204 and 304 responses
//     carry no body.
//   - A panic becomes a 500 "Internal Server Error" and is logged with its
//     stack; a response of Config.ResponseLimit bytes or more is logged
//     with Next's warning.
//
// Where Go and Node differ, this package documents the choice made: in
// particular a handler that returns without answering sends the status set
// so far with an empty body (Next.js would leave the request hanging), and
// header bytes outside ASCII are read as UTF-8 where Node reads them as
// Latin-1.
package api
