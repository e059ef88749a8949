package server

import (
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/nextgo-dev/nextgo/internal/pipeline"
	"github.com/nextgo-dev/nextgo/runtime/cache"
	"github.com/nextgo-dev/nextgo/runtime/router"
)

// HandlerFunc is the route-handler form of a method export:
//
//	func GET(req *server.Request) (*server.Response, error)
type HandlerFunc func(*Request) (*Response, error)

// Method is one exported method of a route: a HandlerFunc (see Func) or a
// net/http handler function (see HTTP). The zero Method means "not
// exported".
type Method struct {
	fn HandlerFunc
	h  http.HandlerFunc
}

// Func returns the Method for a route-handler function; a nil fn gives the
// zero Method.
func Func(fn func(*Request) (*Response, error)) Method {
	return Method{fn: fn}
}

// HTTP returns the Method for a net/http handler function,
//
//	func GET(w http.ResponseWriter, r *http.Request)
//
// which gets the route's params in r.Context() (router.ParamsFrom, and
// r.PathValue) and may use Cookies, Headers and the navigation functions
// with r.Context(). A nil fn gives the zero Method.
func HTTP(fn func(http.ResponseWriter, *http.Request)) Method {
	return Method{h: fn}
}

// exported reports whether m is set.
func (m Method) exported() bool { return m.fn != nil || m.h != nil }

// Route is one route handler (app/**/route.go) as the generated code hands
// it to NewHandler.
type Route struct {
	// File is the route's source file relative to the app, for logs:
	// "app/api/items/[slug]/route.go".
	File string
	// Config is the route's Config variable; the zero value when absent.
	Config Config
	// The exported methods.
	GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS Method
	// Cache is the response cache shared by the routes of the process, and
	// what RevalidatePath purges; nil turns caching off (cached routes then
	// run on every request, still with their Cache-Control header).
	Cache *cache.Cache
	// Logger receives error reports; nil means slog.Default().
	Logger *slog.Logger
}

// methods lists the route-handler methods, in the order of Next's
// HTTP_METHODS.
var methods = [...]string{
	http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPost,
	http.MethodPut, http.MethodDelete, http.MethodPatch,
}

// handler serves one Route.
type handler struct {
	file      string
	config    Config
	methods   map[string]Method // exported methods
	allow     string            // the Allow header
	cached    bool              // GET responses are cached
	static    bool              // ForceStatic: every method sees a stripped request
	limit     int64             // body size limit, -1 for none
	limitText string
	store     *cache.Cache
	log       *slog.Logger
}

// NewHandler returns the http.Handler of a route: method dispatch as Next
// (405 with Allow for a known method the route does not export, 400 for any
// other method, HEAD from GET, OPTIONS answered with 204 and Allow), the
// body limit, GET caching, panics and errors as empty 500s logged with the
// route file, and the navigation sentinels. The route's params come from
// router.ParamsFrom(r.Context()).
//
// It panics if r.Config does not pass Validate: the build checks it first.
func NewHandler(r Route) http.Handler {
	if err := r.Config.Validate(r.File); err != nil {
		panic(err)
	}
	h := &handler{
		file:    r.File,
		config:  r.Config,
		methods: map[string]Method{},
		static:  r.Config.Dynamic == ForceStatic,
		store:   r.Cache,
		log:     r.Logger,
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	for name, m := range map[string]Method{
		http.MethodGet: r.GET, http.MethodHead: r.HEAD, http.MethodPost: r.POST, http.MethodPut: r.PUT,
		http.MethodDelete: r.DELETE, http.MethodPatch: r.PATCH, http.MethodOptions: r.OPTIONS,
	} {
		if m.exported() {
			h.methods[name] = m
		}
	}
	exported := make([]string, 0, len(h.methods))
	for name := range h.methods {
		exported = append(exported, name)
	}
	h.allow = Allow(exported...)
	h.cached = r.Config.Cached(exported...)
	h.limit, _ = r.Config.bodyLimit() // validated above
	h.limitText = r.Config.BodySizeLimit
	return h
}

// Allow returns the Allow header of a route that exports methods, as Next's
// automatic OPTIONS: OPTIONS, the methods, and HEAD when GET is exported,
// sorted and joined with ", ".
func Allow(methods ...string) string {
	set := map[string]bool{http.MethodOptions: true}
	for _, m := range methods {
		set[m] = true
		if m == http.MethodGet {
			set[http.MethodHead] = true
		}
	}
	list := make([]string, 0, len(set))
	for m := range set {
		list = append(list, m)
	}
	sort.Strings(list)
	return strings.Join(list, ", ")
}

// isMethod reports whether m is one of the seven route-handler methods.
func isMethod(m string) bool {
	for _, k := range methods {
		if m == k {
			return true
		}
	}
	return false
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !isMethod(r.Method) {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	m, ok := h.methods[r.Method]
	autoHead := false
	if !ok {
		switch {
		case r.Method == http.MethodHead && h.methods[http.MethodGet].exported():
			m, autoHead = h.methods[http.MethodGet], true
		case r.Method == http.MethodOptions:
			w.Header().Set("Allow", h.allow)
			w.WriteHeader(http.StatusNoContent)
			return
		default:
			w.Header().Set("Allow", h.allow)
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
	}
	if !pipeline.LimitBody(w, r, h.limit, h.limitText) {
		return
	}
	for _, p := range router.ParamsFrom(r.Context()) {
		r.SetPathValue(p.Name, p.Value())
	}
	info := requestInfo{orig: r, action: isAction(r)}
	if h.cached && (r.Method == http.MethodGet || autoHead) {
		h.serveCached(w, r, info, m)
		return
	}
	if h.static {
		r = strip(r, true)
	}
	h.invoke(w, r, info, m, sendOptions{head: r.Method == http.MethodHead})
}

// requestInfo is what the runtime keeps from the request as it arrived,
// before ForceStatic strips it.
type requestInfo struct {
	orig   *http.Request // for NextURL: scheme and host
	action bool          // a form POST: redirects answer 303
}

// isAction reports whether r is what Next treats as a possible server action
// (getServerActionRequestMetadata): a POST with a Next-Action header, or a
// form POST. Its redirects answer 303 See Other.
func isAction(r *http.Request) bool {
	if r.Method != http.MethodPost {
		return false
	}
	if _, ok := r.Header["Next-Action"]; ok {
		return true
	}
	ct := r.Header.Get("Content-Type")
	return ct == "application/x-www-form-urlencoded" || strings.HasPrefix(ct, "multipart/form-data")
}

// strip returns r without query, headers and cookies, as Next's
// force-static request; without keepBody also without body. It keeps the
// context, path and host.
func strip(r *http.Request, keepBody bool) *http.Request {
	s := r.WithContext(r.Context())
	u := *r.URL
	u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = "", false, "", ""
	s.URL = &u
	s.RequestURI = u.RequestURI()
	s.Header = http.Header{}
	s.Trailer = nil
	s.Form, s.PostForm, s.MultipartForm = nil, nil, nil
	if !keepBody {
		s.Body, s.GetBody, s.ContentLength = http.NoBody, nil, 0
	}
	return s
}

// maxDuration returns the route's MaxDuration.
func (h *handler) maxDuration() time.Duration {
	return time.Duration(h.config.MaxDuration) * time.Second
}
