package awsfake

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/nextgo-dev/nextgo/adapters/lambda/runtimeapi"
)

// Options configure a Server.
type Options struct {
	// Region is the region in ARNs (default us-east-1).
	Region string
	// Account is the account id in ARNs (default 123456789012).
	Account string
	// PendingPolls makes a created function Pending, a published version
	// Pending and an updated function InProgress for that many reads
	// (GetFunction, GetFunctionConfiguration) before they settle, as
	// Lambda's asynchronous state changes do. 0 settles at once.
	PendingPolls int
	// RolePropagation makes Lambda refuse a role created less than that
	// many CreateFunction or UpdateFunctionConfiguration calls ago, with
	// the error Lambda gives while IAM has not propagated a new role.
	RolePropagation int
	// FunctionOutput receives what the functions' processes print (default
	// io.Discard).
	FunctionOutput io.Writer
	// Dir holds stored zips and extracted code (default: a new temporary
	// directory, removed by Close).
	Dir string
	// ControlPlaneRate is how many Lambda control-plane requests per
	// second the endpoint answers before it throttles (0 means Lambda's
	// 15; negative turns throttling off). See throttle.go.
	ControlPlaneRate float64
}

// Call is one request the server answered.
type Call struct {
	Service  string // "lambda", "apigateway", "iam", "sts", "s3"
	Op       string // the operation: "CreateFunction", "GetApis", ...
	Action   string // the IAM action it needs: "lambda:CreateFunction", "apigateway:GET", ...
	Resource string // the function, API or role named, when there is one
	Mutating bool   // anything but Get*, List*, Head*
	Status   int    // the HTTP status answered
}

// Server is the fake endpoint. Create it with New; it is safe for
// concurrent use.
type Server struct {
	// URL is the endpoint, for AWS_ENDPOINT_URL: "http://127.0.0.1:<port>".
	URL string
	// S3 is the endpoint's S3 service (buckets, objects, bucket tags).
	S3 *S3

	opts    Options
	ln      net.Listener
	srv     *http.Server
	dir     string
	ownsDir bool
	started time.Time

	mu          sync.Mutex
	calls       []Call
	codeUploads int
	faults      []*fault
	functions   map[string]*function // by name
	apis        map[string]*api      // by id
	restAPIs    map[string]*restAPI  // by id; see restapi.go
	roles       map[string]*role     // by name
	pools       map[string]*runtimeapi.Pool
	extracted   map[string]string // code hex SHA-256 → bootstrap path
	closed      bool
	denied      map[string]bool // IAM actions refused: "lambda:ListTags"
	limits      *limits
	poolMu      sync.Mutex     // serialises pool creation and zip extraction
	bg          sync.WaitGroup // listeners and pools being closed
}

// New starts a server on 127.0.0.1.
func New(opts Options) (*Server, error) {
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.Account == "" {
		opts.Account = "123456789012"
	}
	if opts.FunctionOutput == nil {
		opts.FunctionOutput = io.Discard
	}
	s := &Server{
		opts:      opts,
		dir:       opts.Dir,
		started:   time.Now(),
		functions: map[string]*function{},
		apis:      map[string]*api{},
		roles:     map[string]*role{},
		pools:     map[string]*runtimeapi.Pool{},
		extracted: map[string]string{},
		denied:    map[string]bool{},
		S3:        NewS3(),
		limits:    newLimits(opts.ControlPlaneRate),
	}
	if s.dir == "" {
		d, err := os.MkdirTemp("", "awsfake-")
		if err != nil {
			return nil, fmt.Errorf("awsfake: %w", err)
		}
		s.dir, s.ownsDir = d, true
	}
	for _, sub := range []string{"code", "run"} {
		if err := os.MkdirAll(filepath.Join(s.dir, sub), 0o755); err != nil {
			return nil, fmt.Errorf("awsfake: %w", err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("awsfake: %w", err)
	}
	s.ln = ln
	s.URL = "http://" + ln.Addr().String()
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go s.srv.Serve(ln)
	return s, nil
}

// Close stops the server, every API listener and every function process,
// and removes the temporary directory it created.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	apis := make([]*api, 0, len(s.apis))
	for _, a := range s.apis {
		apis = append(apis, a)
	}
	var rest []*http.Server
	for _, a := range s.restAPIs {
		rest = append(rest, a.srv)
	}
	pools := s.pools
	s.pools = map[string]*runtimeapi.Pool{}
	s.mu.Unlock()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	for _, a := range apis {
		a.close()
	}
	for _, srv := range rest {
		srv.Close()
	}
	s.poolMu.Lock()
	for _, p := range pools {
		p.Close()
	}
	s.poolMu.Unlock()
	s.bg.Wait()
	if s.ownsDir {
		err = errors.Join(err, os.RemoveAll(s.dir))
	}
	return err
}

// Calls returns every call answered so far, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// Mutations returns the mutating calls answered so far, successful or not.
func (s *Server) Mutations() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if c.Mutating {
			out = append(out, c)
		}
	}
	return out
}

// CodeUploads counts the requests that carried a zip: CreateFunction and
// UpdateFunctionCode, whether they succeeded or not.
func (s *Server) CodeUploads() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.codeUploads
}

// ResetCalls forgets the recorded calls and code uploads.
func (s *Server) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = nil
	s.codeUploads = 0
}

// fault is one injected failure.
type fault struct {
	op       string // operation name; "" for FailUpdate
	function string // FailUpdate: the function whose next update fails
	left     int    // calls to let through before failing
	status   int
	code     string
	message  string
}

// Throttle makes the nth call to op from now (1 for the next one) fail
// with 429 TooManyRequestsException (Lambda) or TooManyRequestsException
// (API Gateway), or 400 Throttling (IAM, STS).
func (s *Server) Throttle(op string, nth int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{op: op, left: max(nth, 1) - 1, status: http.StatusTooManyRequests, code: "throttle"})
}

// Fail makes the next call to op fail with the given status, error code and
// message.
func (s *Server) Fail(op string, status int, code, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{op: op, status: status, code: code, message: message})
}

// FailUpdate makes the next update of the function (UpdateFunctionCode or
// UpdateFunctionConfiguration) end with LastUpdateStatus Failed, as an
// update that Lambda accepted and then could not apply.
func (s *Server) FailUpdate(function string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{function: function})
}

// takeFault returns the fault armed for this call of op, if any. s.mu must
// be held.
func (s *Server) takeFault(op string) *fault {
	for i, f := range s.faults {
		if f.op != op || f.function != "" {
			continue
		}
		if f.left > 0 {
			f.left--
			continue
		}
		s.faults = append(s.faults[:i], s.faults[i+1:]...)
		return f
	}
	return nil
}

// takeUpdateFault reports whether the next update of function is to fail.
// s.mu must be held.
func (s *Server) takeUpdateFault(function string) bool {
	for i, f := range s.faults {
		if f.function == function {
			s.faults = append(s.faults[:i], s.faults[i+1:]...)
			return true
		}
	}
	return false
}

// ServeHTTP dispatches a request to the service it is for: by the SigV4
// credential scope when the request is signed, else by its shape.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch service := requestService(r); service {
	case "lambda":
		s.serveLambda(w, r)
	case "apigateway":
		s.serveAPIGateway(w, r)
	case "iam", "sts":
		s.serveQuery(w, r, service)
	case "s3":
		s.serveS3(w, r)
	default:
		if strings.HasPrefix(r.URL.Path, "/_code/") {
			s.serveCode(w, r)
			return
		}
		http.Error(w, "awsfake: unknown service for "+r.Method+" "+r.URL.Path, http.StatusBadRequest)
	}
}

// requestService names the service a request is for.
func requestService(r *http.Request) string {
	auth := r.Header.Get("Authorization")
	if i := strings.Index(auth, "Credential="); i >= 0 {
		scope := auth[i+len("Credential="):]
		if j := strings.IndexAny(scope, ", "); j >= 0 {
			scope = scope[:j]
		}
		// access-key/date/region/service/aws4_request
		if parts := strings.Split(scope, "/"); len(parts) == 5 {
			return parts[3]
		}
	}
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/2015-03-31/"), strings.HasPrefix(p, "/2017-03-31/"):
		return "lambda"
	case strings.HasPrefix(p, "/v2/"), strings.HasPrefix(p, "/restapis"):
		return "apigateway"
	case r.Method == http.MethodPost && p == "/":
		if err := r.ParseForm(); err == nil {
			switch r.PostForm.Get("Version") {
			case "2010-05-08":
				return "iam"
			case "2011-06-15":
				return "sts"
			}
		}
	}
	return ""
}

// inBackground runs f on its own goroutine; Close waits for it.
func (s *Server) inBackground(f func()) {
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		f()
	}()
}

// restOp is one operation of a REST-JSON service (Lambda, API Gateway).
// It runs with s.mu held and returns the status and the JSON body to answer
// with.
type restOp func(r *http.Request, body []byte) (int, any, *awsError)

// runREST runs operation op of a REST-JSON service under s.mu, unless an
// injected fault fails it, records the call under resource and writes the
// answer in the service's shape.
func (s *Server) runREST(w http.ResponseWriter, r *http.Request, service, op, resource string, body []byte, h restOp) {
	s.mu.Lock()
	var (
		status int
		out    any
		aerr   *awsError
	)
	if aerr = s.gate(service, op, resource); aerr == nil {
		status, out, aerr = h(r, body)
	}
	if aerr != nil {
		status = aerr.status
	}
	s.record(service, op, resource, status)
	s.mu.Unlock()
	if aerr != nil {
		writeJSONError(w, service, aerr)
		return
	}
	w.Header().Set("X-Amzn-RequestId", newRequestID())
	if out == nil {
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(out)
}

// record notes a call. s.mu must be held.
func (s *Server) record(service, op, resource string, status int) {
	s.calls = append(s.calls, Call{
		Service:  service,
		Op:       op,
		Action:   iamAction(service, op),
		Resource: resource,
		Mutating: !(strings.HasPrefix(op, "Get") || strings.HasPrefix(op, "List") || strings.HasPrefix(op, "Head")),
		Status:   status,
	})
}

// newID returns n random characters of [a-z0-9], the alphabet of API
// Gateway ids.
func newID(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// newRequestID returns a UUID-shaped request id.
func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
