//go:build linux

package devserver

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/textproto"
	"path"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/nextgo-dev/nextgo/internal/pipeline"
)

// h1Writer is the http.ResponseWriter of a request that h1Conn serves. It
// answers as net/http's server answers the same request, byte for byte:
// the body waits in a 2 KB buffer, so that a short answer goes out with its
// Content-Length and a longer or flushed one chunked; a Content-Type is
// sniffed when none was set; Date is added; 1xx answers go out at once;
// trailers are sent after a chunked body; misuse is logged in net/http's
// words. It knows only the requests h1Conn takes (HTTP/1.1, no body, not
// HEAD, no Connection: close), which spares it net/http's branches for the
// others.
type h1Writer struct {
	c   *h1Conn
	req *http.Request

	handlerHeader http.Header
	// header is the header as the status was written, when the handler
	// had the map before (net/http's chunkWriter.header): what is sent.
	header http.Header

	calledHeader  bool // Header was called
	wroteHeader   bool // the status is written, logically
	sentHeader    bool // the status and header are in the connection's buffer
	chunking      bool
	handlerDone   bool
	closeAfter    bool
	status        int
	slot          []byte // the connection's slot, marked answered at the first byte (see handed)
	contentLength int64  // declared; -1 when not
	written       int64
	trailers      []string // declared in a Trailer header

	body *bufio.Writer // bufferBeforeChunking bytes, over chunks

	dateBuf   [len(http.TimeFormat)]byte
	clenBuf   [20]byte
	statusBuf [3]byte
	numBuf    [16]byte
}

// bufferBeforeChunking is how much of a body net/http's server holds
// before it sends the header: an answer that fits is sent with its length.
const bufferBeforeChunking = 2048

// reset prepares w for req, keeping its buffers.
func (w *h1Writer) reset(c *h1Conn, req *http.Request) {
	trailers := w.trailers[:0]
	body := w.body
	*w = h1Writer{c: c, req: req, handlerHeader: make(http.Header), contentLength: -1, trailers: trailers, body: body}
	if w.body == nil {
		w.body = bufio.NewWriterSize(chunks{w}, bufferBeforeChunking)
	} else {
		w.body.Reset(chunks{w})
	}
}

// Header returns the header map.
func (w *h1Writer) Header() http.Header {
	if w.header == nil && w.wroteHeader && !w.sentHeader {
		// Read between writing the status and sending it: what is sent
		// is the header as it was.
		w.header = w.handlerHeader.Clone()
	}
	w.calledHeader = true
	return w.handlerHeader
}

// WriteHeader writes the status: a 1xx other than 101 goes out at once
// with the header; any other status is sent with the body's first bytes.
func (w *h1Writer) WriteHeader(code int) {
	if w.c.hijacked {
		w.c.logMisuse("http: response.WriteHeader on hijacked connection from %s (%s:%d)")
		return
	}
	if w.wroteHeader {
		w.c.logMisuse("http: superfluous response.WriteHeader call from %s (%s:%d)")
		return
	}
	if code < 100 || code > 999 {
		panic(fmt.Sprintf("invalid WriteHeader code %v", code))
	}
	if code >= 100 && code <= 199 && code != http.StatusSwitchingProtocols {
		bw := w.c.bw
		writeStatusLine(bw, code, w.statusBuf[:])
		_ = w.handlerHeader.WriteSubset(bw, excludedNoBody)
		_, _ = bw.WriteString("\r\n")
		_ = bw.Flush()
		return
	}
	w.wroteHeader = true
	w.status = code
	w.markAnswered()
	if w.calledHeader && w.header == nil {
		w.header = w.handlerHeader.Clone()
	}
	if cl := headerGet(w.handlerHeader, "Content-Length"); cl != "" {
		v, err := strconv.ParseInt(cl, 10, 64)
		if err == nil && v >= 0 {
			w.contentLength = v
		} else {
			w.c.s.logf("http: invalid Content-Length of %q", cl)
			w.handlerHeader.Del("Content-Length")
		}
	}
}

// Write writes body bytes.
func (w *h1Writer) Write(p []byte) (int, error) { return w.write(len(p), p, "") }

// WriteString writes body bytes.
func (w *h1Writer) WriteString(s string) (int, error) { return w.write(len(s), nil, s) }

func (w *h1Writer) write(n int, b []byte, s string) (int, error) {
	if w.c.hijacked {
		if n > 0 {
			w.c.logMisuse("http: response.Write on hijacked connection from %s (%s:%d)")
		}
		return 0, http.ErrHijacked
	}
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	w.markAnswered()
	if n == 0 {
		return 0, nil
	}
	if !pipeline.BodyAllowed(w.status) {
		return 0, http.ErrBodyNotAllowed
	}
	w.written += int64(n)
	if w.contentLength != -1 && w.written > w.contentLength {
		return 0, http.ErrContentLength
	}
	if b != nil {
		return w.body.Write(b)
	}
	return w.body.WriteString(s)
}

// Flush sends what is buffered.
func (w *h1Writer) Flush() { _ = w.FlushError() }

// FlushError sends what is buffered and returns the error writing it.
func (w *h1Writer) FlushError() error {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	w.markAnswered()
	err := w.body.Flush()
	if !w.sentHeader {
		w.sendHeader(nil)
	}
	if e := w.c.bw.Flush(); err == nil {
		err = e
	}
	return err
}

// markAnswered marks the connection's slot answered, when handed set it.
func (w *h1Writer) markAnswered() {
	if w.slot != nil {
		setSlot(w.slot, SlotAnswered)
		w.slot = nil
	}
}

// SetReadDeadline sets the connection's read deadline
// (http.ResponseController).
func (w *h1Writer) SetReadDeadline(t time.Time) error {
	w.c.deadline = t
	return w.c.tc.SetReadDeadline(t)
}

// SetWriteDeadline sets the connection's write deadline
// (http.ResponseController); it is lifted after the response.
func (w *h1Writer) SetWriteDeadline(t time.Time) error {
	w.c.writeDeadline = true
	return w.c.tc.SetWriteDeadline(t)
}

// EnableFullDuplex lets the handler read the body while it writes
// (http.ResponseController); the requests h1Conn serves have none.
func (w *h1Writer) EnableFullDuplex() error { return nil }

// Hijack hands the connection to the handler.
func (w *h1Writer) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if w.handlerDone {
		panic("net/http: Hijack called after ServeHTTP finished")
	}
	if w.wroteHeader {
		if !w.sentHeader {
			w.sendHeader(nil)
		}
		_ = w.c.bw.Flush()
	}
	return w.c.hijack()
}

// CloseNotify returns a channel that receives true when the client goes
// away while the handler runs (the deprecated http.CloseNotifier).
func (w *h1Writer) CloseNotify() <-chan bool {
	ch := make(chan bool, 1)
	ctx, c := w.req.Context(), w.c
	go func() {
		<-ctx.Done()
		if c.gone.Load() {
			ch <- true
		}
	}()
	return ch
}

// finish ends the response once the handler has returned.
func (w *h1Writer) finish() {
	w.handlerDone = true
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	_ = w.body.Flush()
	if !w.sentHeader {
		w.sendHeader(nil)
	}
	if w.chunking {
		bw := w.c.bw
		_, _ = bw.WriteString("0\r\n")
		if t := w.finalTrailers(); t != nil {
			_ = t.Write(bw)
		}
		_, _ = bw.WriteString("\r\n")
	}
	_ = w.c.bw.Flush()
}

// reusable reports whether the connection may serve another request.
func (w *h1Writer) reusable() bool {
	if w.closeAfter {
		return false
	}
	if w.contentLength != -1 && pipeline.BodyAllowed(w.status) && w.contentLength != w.written {
		return false // fewer bytes than declared: the client would read on
	}
	return w.c.werr == nil
}

// chunks is what the body buffer writes to: the header first, then the
// body, chunked or not (net/http's chunkWriter).
type chunks struct{ w *h1Writer }

func (cw chunks) Write(p []byte) (int, error) {
	w := cw.w
	if !w.sentHeader {
		w.sendHeader(p)
	}
	bw := w.c.bw
	if w.chunking {
		_, _ = bw.Write(strconv.AppendInt(w.numBuf[:0], int64(len(p)), 16))
		if _, err := bw.WriteString("\r\n"); err != nil {
			w.c.tc.Close()
			return 0, err
		}
	}
	n, err := bw.Write(p)
	if w.chunking && err == nil {
		_, err = bw.WriteString("\r\n")
	}
	if err != nil {
		w.c.tc.Close()
	}
	return n, err
}

// extraHeader holds the header lines the server adds, written after the
// handler's in net/http's order.
type extraHeader struct {
	contentType, connection, transferEncoding string
	date, contentLength                       []byte
}

func (h extraHeader) write(bw *bufio.Writer) {
	if h.date != nil {
		_, _ = bw.WriteString("Date: ")
		_, _ = bw.Write(h.date)
		_, _ = bw.WriteString("\r\n")
	}
	if h.contentLength != nil {
		_, _ = bw.WriteString("Content-Length: ")
		_, _ = bw.Write(h.contentLength)
		_, _ = bw.WriteString("\r\n")
	}
	for _, kv := range [...][2]string{{"Content-Type", h.contentType}, {"Connection", h.connection}, {"Transfer-Encoding", h.transferEncoding}} {
		if kv[1] != "" {
			_, _ = bw.WriteString(kv[0])
			_, _ = bw.WriteString(": ")
			_, _ = bw.WriteString(kv[1])
			_, _ = bw.WriteString("\r\n")
		}
	}
}

// sendHeader puts the status line and the header into the connection's
// buffer; p is the body's first bytes, sniffed for a Content-Type and, when
// the handler is done, measured for Content-Length (net/http's
// chunkWriter.writeHeader, for the requests h1Conn takes).
func (w *h1Writer) sendHeader(p []byte) {
	w.sentHeader = true
	keepAlives := !w.c.s.shutting.Load()

	header := w.header
	owned := header != nil
	if !owned {
		header = w.handlerHeader
	}
	var exclude map[string]bool
	del := func(key string) {
		if owned {
			header.Del(key)
			return
		}
		if _, ok := header[key]; !ok {
			return
		}
		if exclude == nil {
			exclude = make(map[string]bool)
		}
		exclude[key] = true
	}
	var set extraHeader

	trailers := false
	for k := range w.header {
		if strings.HasPrefix(k, http.TrailerPrefix) {
			if exclude == nil {
				exclude = make(map[string]bool)
			}
			exclude[k] = true
			trailers = true
		}
	}
	for _, v := range w.header["Trailer"] {
		trailers = true
		eachHeaderElement(v, w.declareTrailer)
	}

	te := headerGet(header, "Transfer-Encoding")
	hasTE := te != ""
	if _, hasCLHeader := header["Content-Length"]; w.handlerDone && !trailers && !hasTE && pipeline.BodyAllowed(w.status) && !hasCLHeader {
		w.contentLength = int64(len(p))
		set.contentLength = strconv.AppendInt(w.clenBuf[:0], int64(len(p)), 10)
	}
	hasCL := w.contentLength != -1
	if headerGet(header, "Connection") == "close" || !keepAlives {
		w.closeAfter = true
	}

	code := w.status
	if pipeline.BodyAllowed(code) {
		_, haveType := header["Content-Type"]
		if header.Get("Content-Encoding") == "" && !haveType && !hasTE && len(p) > 0 {
			set.contentType = http.DetectContentType(p)
		}
	} else {
		for _, k := range suppressedHeaders(code) {
			del(k)
		}
	}
	if _, ok := header["Date"]; !ok {
		now := time.Now()
		w.c.now = now
		set.date = w.c.s.date(now, w.dateBuf[:0])
	}
	if hasCL && hasTE && te != "identity" {
		w.c.s.logf("http: WriteHeader called with both Transfer-Encoding of %q and a Content-Length of %d", te, w.contentLength)
		del("Content-Length")
		hasCL = false
	}
	switch {
	case !pipeline.BodyAllowed(code), hasCL:
		del("Transfer-Encoding")
	case hasTE && te == "identity":
		// No length and no chunking: the connection's end ends the body.
		w.chunking = false
		w.closeAfter = true
		del("Transfer-Encoding")
	default:
		w.chunking = true
		set.transferEncoding = "chunked"
		if hasTE && te == "chunked" {
			del("Transfer-Encoding")
		}
	}
	if w.chunking {
		del("Content-Length")
	}
	if w.closeAfter && (!keepAlives || !hasToken(headerGet(w.header, "Connection"), "close")) && !isProtocolSwitch(w.status, header) {
		del("Connection")
		set.connection = "close"
	}

	bw := w.c.bw
	writeStatusLine(bw, code, w.statusBuf[:])
	_ = w.header.WriteSubset(bw, exclude)
	set.write(bw)
	_, _ = bw.WriteString("\r\n")
}

// declareTrailer notes a trailer the Trailer header announced.
func (w *h1Writer) declareTrailer(k string) {
	k = http.CanonicalHeaderKey(k)
	if strings.HasPrefix(k, "If-") || badTrailer[k] {
		return // RFC 9110 §6.5.1: not allowed in a trailer
	}
	w.trailers = append(w.trailers, k)
}

// finalTrailers returns the trailers to send after a chunked body, or nil.
func (w *h1Writer) finalTrailers() http.Header {
	var t http.Header
	for k, vv := range w.handlerHeader {
		if kk, found := strings.CutPrefix(k, http.TrailerPrefix); found {
			if t == nil {
				t = make(http.Header)
			}
			t[kk] = vv
		}
	}
	for _, k := range w.trailers {
		if t == nil {
			t = make(http.Header)
		}
		for _, v := range w.handlerHeader[k] {
			t.Add(k, v)
		}
	}
	return t
}

// badTrailer are the fields a trailer may not carry, as net/http's server
// drops them.
var badTrailer = map[string]bool{
	"Authorization": true, "Cache-Control": true, "Connection": true, "Content-Encoding": true,
	"Content-Length": true, "Content-Range": true, "Content-Type": true, "Expect": true, "Host": true,
	"Keep-Alive": true, "Max-Forwards": true, "Pragma": true, "Proxy-Authenticate": true,
	"Proxy-Authorization": true, "Proxy-Connection": true, "Range": true, "Realm": true, "Te": true,
	"Trailer": true, "Transfer-Encoding": true, "Www-Authenticate": true,
}

// excludedNoBody are the fields an answer without a body does not send.
var excludedNoBody = map[string]bool{"Content-Length": true, "Transfer-Encoding": true}

// suppressedHeaders are the fields dropped from an answer with status
// code, which has no body.
func suppressedHeaders(code int) []string {
	switch {
	case code == http.StatusNotModified:
		return []string{"Content-Type", "Content-Length", "Transfer-Encoding"} // RFC 9110 §15.4.5
	case !pipeline.BodyAllowed(code):
		return []string{"Content-Length", "Transfer-Encoding"}
	}
	return nil
}

// writeStatusLine writes "HTTP/1.1 <code> <text>".
func writeStatusLine(bw *bufio.Writer, code int, scratch []byte) {
	_, _ = bw.WriteString("HTTP/1.1 ")
	if text := http.StatusText(code); text != "" {
		_, _ = bw.Write(strconv.AppendInt(scratch[:0], int64(code), 10))
		_ = bw.WriteByte(' ')
		_, _ = bw.WriteString(text)
		_, _ = bw.WriteString("\r\n")
	} else {
		fmt.Fprintf(bw, "%03d status code %d\r\n", code, code)
	}
}

// headerGet returns the first value of key, which is canonical.
func headerGet(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// isProtocolSwitch reports whether an answer switches protocols.
func isProtocolSwitch(code int, h http.Header) bool {
	if code != http.StatusSwitchingProtocols || h.Get("Upgrade") == "" {
		return false
	}
	for _, v := range h["Connection"] {
		if hasToken(v, "upgrade") {
			return true
		}
	}
	return false
}

// eachHeaderElement calls fn for each element of a comma-separated list.
func eachHeaderElement(v string, fn func(string)) {
	v = textproto.TrimString(v)
	if v == "" {
		return
	}
	for f := range strings.SplitSeq(v, ",") {
		if f = textproto.TrimString(f); f != "" {
			fn(f)
		}
	}
}

// hasToken reports whether token (lower case) is one of v's
// comma-or-space-separated elements, in any case.
func hasToken(v, token string) bool {
	if len(token) > len(v) || token == "" {
		return false
	}
	for sp := 0; sp <= len(v)-len(token); sp++ {
		if sp > 0 && !isTokenBoundary(v[sp-1]) {
			continue
		}
		if end := sp + len(token); end != len(v) && !isTokenBoundary(v[end]) {
			continue
		}
		if strings.EqualFold(v[sp:sp+len(token)], token) {
			return true
		}
	}
	return false
}

func isTokenBoundary(b byte) bool { return b == ' ' || b == ',' || b == '\t' }

// logMisuse logs format with the caller outside the response writers.
func (c *h1Conn) logMisuse(format string) {
	pc := make([]uintptr, 16)
	frames := runtime.CallersFrames(pc[:runtime.Callers(2, pc)])
	for {
		f, more := frames.Next()
		if !strings.HasPrefix(f.Function, "net/http.") && !strings.Contains(f.Function, "devserver.(*h1") {
			c.s.logf(format, f.Function, path.Base(f.File), f.Line)
			return
		}
		if !more {
			c.s.logf(format, "", "", 0)
			return
		}
	}
}
