package lambda

import "strings"

// How buildHeader treats a header field, worked out in its first pass.
const (
	keyPlain            uint8 = iota // the key is canonical as it is
	keyBuffered                      // the canonical key is in the shared buffer
	keyHost                          // Host: moves to r.Host
	keyContentLength                 // Content-Length: set from the body
	keyTransferEncoding              // Transfer-Encoding: dropped, as net/http does
	keyCookie                        // Cookie: merged with the event's cookies
	keySkip                          // taken out of the header
)

// specialKey returns the treatment of a canonical header name.
func specialKey(k string) uint8 {
	switch k {
	case "Host":
		return keyHost
	case "Content-Length":
		return keyContentLength
	case "Transfer-Encoding":
		return keyTransferEncoding
	case "Cookie":
		return keyCookie
	}
	return keyPlain
}

// specialKeyFold is specialKey for a name in any case.
func specialKeyFold(k string) uint8 {
	switch {
	case strings.EqualFold(k, "Host"):
		return keyHost
	case strings.EqualFold(k, "Content-Length"):
		return keyContentLength
	case strings.EqualFold(k, "Transfer-Encoding"):
		return keyTransferEncoding
	case strings.EqualFold(k, "Cookie"):
		return keyCookie
	}
	return keyPlain
}

// commonKey returns the canonical form of a header name that HTTP API,
// ALB and function URL events commonly carry in lower case, and its
// treatment, without allocating; canonical is "" for other names.
func commonKey(k string) (canonical string, treat uint8) {
	switch k {
	case "accept":
		return "Accept", keyPlain
	case "accept-charset":
		return "Accept-Charset", keyPlain
	case "accept-encoding":
		return "Accept-Encoding", keyPlain
	case "accept-language":
		return "Accept-Language", keyPlain
	case "authorization":
		return "Authorization", keyPlain
	case "cache-control":
		return "Cache-Control", keyPlain
	case "cloudfront-forwarded-proto":
		return "Cloudfront-Forwarded-Proto", keyPlain
	case "cloudfront-is-desktop-viewer":
		return "Cloudfront-Is-Desktop-Viewer", keyPlain
	case "cloudfront-is-mobile-viewer":
		return "Cloudfront-Is-Mobile-Viewer", keyPlain
	case "cloudfront-is-smarttv-viewer":
		return "Cloudfront-Is-Smarttv-Viewer", keyPlain
	case "cloudfront-is-tablet-viewer":
		return "Cloudfront-Is-Tablet-Viewer", keyPlain
	case "cloudfront-viewer-asn":
		return "Cloudfront-Viewer-Asn", keyPlain
	case "cloudfront-viewer-country":
		return "Cloudfront-Viewer-Country", keyPlain
	case "connection":
		return "Connection", keyPlain
	case "content-encoding":
		return "Content-Encoding", keyPlain
	case "content-length":
		return "Content-Length", keyContentLength
	case "content-type":
		return "Content-Type", keyPlain
	case "cookie":
		return "Cookie", keyCookie
	case "dnt":
		return "Dnt", keyPlain
	case "host":
		return "Host", keyHost
	case "if-match":
		return "If-Match", keyPlain
	case "if-modified-since":
		return "If-Modified-Since", keyPlain
	case "if-none-match":
		return "If-None-Match", keyPlain
	case "if-unmodified-since":
		return "If-Unmodified-Since", keyPlain
	case "origin":
		return "Origin", keyPlain
	case "pragma":
		return "Pragma", keyPlain
	case "priority":
		return "Priority", keyPlain
	case "range":
		return "Range", keyPlain
	case "referer":
		return "Referer", keyPlain
	case "sec-ch-ua":
		return "Sec-Ch-Ua", keyPlain
	case "sec-ch-ua-mobile":
		return "Sec-Ch-Ua-Mobile", keyPlain
	case "sec-ch-ua-platform":
		return "Sec-Ch-Ua-Platform", keyPlain
	case "sec-fetch-dest":
		return "Sec-Fetch-Dest", keyPlain
	case "sec-fetch-mode":
		return "Sec-Fetch-Mode", keyPlain
	case "sec-fetch-site":
		return "Sec-Fetch-Site", keyPlain
	case "sec-fetch-user":
		return "Sec-Fetch-User", keyPlain
	case "te":
		return "Te", keyPlain
	case "traceparent":
		return "Traceparent", keyPlain
	case "tracestate":
		return "Tracestate", keyPlain
	case "transfer-encoding":
		return "Transfer-Encoding", keyTransferEncoding
	case "upgrade-insecure-requests":
		return "Upgrade-Insecure-Requests", keyPlain
	case "user-agent":
		return "User-Agent", keyPlain
	case "via":
		return "Via", keyPlain
	case "x-amz-cf-id":
		return "X-Amz-Cf-Id", keyPlain
	case "x-amzn-trace-id":
		return "X-Amzn-Trace-Id", keyPlain
	case "x-api-key":
		return "X-Api-Key", keyPlain
	case "x-forwarded-for":
		return "X-Forwarded-For", keyPlain
	case "x-forwarded-host":
		return "X-Forwarded-Host", keyPlain
	case "x-forwarded-port":
		return "X-Forwarded-Port", keyPlain
	case "x-forwarded-proto":
		return "X-Forwarded-Proto", keyPlain
	case "x-request-id":
		return "X-Request-Id", keyPlain
	case "x-requested-with":
		return "X-Requested-With", keyPlain
	}
	return "", keyPlain
}
