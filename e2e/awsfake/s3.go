package awsfake

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// S3 is the endpoint's S3 service: github.com/johannesboyne/gofakes3 with
// its in-memory backend, run in process, for buckets and objects; and
// bucket tagging, which gofakes3 does not implement, answered here in S3's
// XML shapes. Requests reach it path-style (/bucket/key), as the SDK sends
// them to an endpoint whose host is an IP address.
//
// It is usable on its own (NewS3) by anything that needs an S3 endpoint
// on loopback, and is part of every Server (Server.S3).
type S3 struct {
	backend *s3mem.Backend
	fake    http.Handler

	mu   sync.Mutex
	tags map[string]map[string]string // bucket → tags
}

// NewS3 returns an empty S3 service.
func NewS3() *S3 {
	b := s3mem.New()
	return &S3{
		backend: b,
		fake:    gofakes3.New(b, gofakes3.WithAutoBucket(false), gofakes3.WithTimeSkewLimit(0)).Server(),
		tags:    map[string]map[string]string{},
	}
}

// ServeHTTP answers one S3 request.
func (s *S3) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	bucket, key := s3Path(r)
	if _, ok := r.URL.Query()["tagging"]; ok && bucket != "" && key == "" {
		s.serveBucketTagging(w, r, bucket)
		return
	}
	if r.Method == http.MethodDelete && bucket != "" && key == "" {
		defer func() {
			if ok, _ := s.backend.BucketExists(bucket); !ok {
				s.mu.Lock()
				delete(s.tags, bucket)
				s.mu.Unlock()
			}
		}()
	}
	s.fake.ServeHTTP(w, r)
}

// Object returns the content of an object; ok is false when the bucket or
// the object does not exist.
func (s *S3) Object(bucket, key string) (data []byte, ok bool) {
	obj, err := s.backend.GetObject(bucket, key, nil)
	if err != nil {
		return nil, false
	}
	defer obj.Contents.Close()
	data, err = io.ReadAll(obj.Contents)
	return data, err == nil
}

// Buckets lists the buckets, sorted.
func (s *S3) Buckets() []string {
	list, err := s.backend.ListBuckets()
	if err != nil {
		return nil
	}
	var out []string
	for _, b := range list {
		out = append(out, b.Name)
	}
	slices.Sort(out)
	return out
}

// Keys lists the keys of a bucket under prefix, sorted.
func (s *S3) Keys(bucket, prefix string) []string {
	list, err := s.backend.ListBucket(bucket, &gofakes3.Prefix{Prefix: prefix, HasPrefix: true}, gofakes3.ListBucketPage{})
	if err != nil {
		return nil
	}
	var out []string
	for _, c := range list.Contents {
		out = append(out, c.Key)
	}
	slices.Sort(out)
	return out
}

// BucketTags returns a bucket's tags (nil when it has none).
func (s *S3) BucketTags(bucket string) map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.tags[bucket])
}

// s3Path splits a path-style request path into bucket and key.
func s3Path(r *http.Request) (bucket, key string) {
	p := strings.TrimPrefix(r.URL.Path, "/")
	bucket, key, _ = strings.Cut(p, "/")
	return bucket, key
}

// s3Op names the S3 operation of a request, for the call record.
func s3Op(r *http.Request) string {
	bucket, key := s3Path(r)
	q := r.URL.Query()
	_, tagging := q["tagging"]
	switch {
	case bucket == "":
		return "ListBuckets"
	case tagging && key == "":
		return map[string]string{http.MethodGet: "GetBucketTagging", http.MethodPut: "PutBucketTagging", http.MethodDelete: "DeleteBucketTagging"}[r.Method]
	case key == "":
		if _, ok := q["delete"]; ok && r.Method == http.MethodPost {
			return "DeleteObjects"
		}
		return map[string]string{http.MethodGet: "ListObjects", http.MethodPut: "CreateBucket", http.MethodDelete: "DeleteBucket", http.MethodHead: "HeadBucket"}[r.Method]
	}
	return map[string]string{http.MethodGet: "GetObject", http.MethodPut: "PutObject", http.MethodDelete: "DeleteObject", http.MethodHead: "HeadObject"}[r.Method]
}

type s3Tagging struct {
	XMLName xml.Name `xml:"Tagging"`
	Xmlns   string   `xml:"xmlns,attr,omitempty"`
	TagSet  []xmlTag `xml:"TagSet>Tag"`
}

// serveBucketTagging answers GetBucketTagging, PutBucketTagging and
// DeleteBucketTagging as S3 does (S3 API reference, PutBucketTagging: at
// most 50 tags, keys up to 128 and values up to 256 characters; a bucket
// without tags answers 404 NoSuchTagSet to GetBucketTagging).
func (s *S3) serveBucketTagging(w http.ResponseWriter, r *http.Request, bucket string) {
	if ok, _ := s.backend.BucketExists(bucket); !ok {
		writeS3Error(w, http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist", bucket)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch r.Method {
	case http.MethodGet:
		tags := s.tags[bucket]
		if len(tags) == 0 {
			writeS3Error(w, http.StatusNotFound, "NoSuchTagSet", "The TagSet does not exist", bucket)
			return
		}
		doc := s3Tagging{Xmlns: "http://s3.amazonaws.com/doc/2006-03-01/"}
		for _, k := range slices.Sorted(maps.Keys(tags)) {
			doc.TagSet = append(doc.TagSet, xmlTag{k, tags[k]})
		}
		var buf bytes.Buffer
		buf.WriteString(xml.Header)
		xml.NewEncoder(&buf).Encode(doc)
		w.Header().Set("Content-Type", "application/xml")
		w.Write(buf.Bytes())
	case http.MethodPut:
		var doc s3Tagging
		if err := xml.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&doc); err != nil {
			writeS3Error(w, http.StatusBadRequest, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema", bucket)
			return
		}
		if len(doc.TagSet) > 50 {
			writeS3Error(w, http.StatusBadRequest, "InvalidTag", "Object tags cannot be greater than 50", bucket)
			return
		}
		tags := map[string]string{}
		for _, t := range doc.TagSet {
			if t.Key == "" || len([]rune(t.Key)) > 128 || len([]rune(t.Value)) > 256 {
				writeS3Error(w, http.StatusBadRequest, "InvalidTag", fmt.Sprintf("The TagKey you have provided is invalid: %q", t.Key), bucket)
				return
			}
			if _, dup := tags[t.Key]; dup {
				writeS3Error(w, http.StatusBadRequest, "InvalidTag", "Cannot provide multiple Tags with the same key", bucket)
				return
			}
			tags[t.Key] = t.Value
		}
		s.tags[bucket] = tags
		w.WriteHeader(http.StatusNoContent)
	case http.MethodDelete:
		delete(s.tags, bucket)
		w.WriteHeader(http.StatusNoContent)
	default:
		writeS3Error(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.", bucket)
	}
}

// writeS3Error writes an S3 error document.
func writeS3Error(w http.ResponseWriter, status int, code, message, bucket string) {
	type errDoc struct {
		XMLName    xml.Name `xml:"Error"`
		Code       string
		Message    string
		BucketName string `xml:",omitempty"`
		RequestID  string `xml:"RequestId"`
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	xml.NewEncoder(&buf).Encode(errDoc{Code: code, Message: message, BucketName: bucket, RequestID: newRequestID()})
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// serveS3 answers an S3 request of the endpoint: it records the call,
// applies injected faults and denials, and hands the request to s.S3.
func (s *Server) serveS3(w http.ResponseWriter, r *http.Request) {
	op := s3Op(r)
	bucket, _ := s3Path(r)
	s.mu.Lock()
	aerr := s.gate("s3", op, bucket)
	if aerr == nil {
		aerr = s.functionS3Denied(r)
	}
	s.mu.Unlock()
	if aerr != nil {
		s.mu.Lock()
		s.record("s3", op, bucket, aerr.status)
		s.mu.Unlock()
		writeS3Error(w, aerr.status, aerr.code, aerr.message, bucket)
		return
	}
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	s.S3.ServeHTTP(rec, r)
	s.mu.Lock()
	s.record("s3", op, bucket, rec.status)
	s.mu.Unlock()
}

// statusRecorder remembers the status a handler answered.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}
