package awsfake

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nextgo-dev/nextgo/internal/lambdalimit"
)

// maxZip is Lambda's limit on a zip uploaded directly.
const maxZip = lambdalimit.MaxZipUpload

// serveLambda routes a Lambda REST-JSON request.
func (s *Server) serveLambda(w http.ResponseWriter, r *http.Request) {
	mux := http.NewServeMux()
	route := func(pattern, op string, h restOp) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) { s.runLambda(w, r, op, h) })
	}
	const fns = "/2015-03-31/functions"
	route("POST "+fns, "CreateFunction", s.createFunction)
	route("GET "+fns, "ListFunctions", s.listFunctions)
	route("GET "+fns+"/{$}", "ListFunctions", s.listFunctions)
	route("GET "+fns+"/{name}", "GetFunction", s.getFunction)
	route("DELETE "+fns+"/{name}", "DeleteFunction", s.deleteFunction)
	route("GET "+fns+"/{name}/configuration", "GetFunctionConfiguration", s.getFunctionConfiguration)
	route("PUT "+fns+"/{name}/configuration", "UpdateFunctionConfiguration", s.updateFunctionConfiguration)
	route("PUT "+fns+"/{name}/code", "UpdateFunctionCode", s.updateFunctionCode)
	route("POST "+fns+"/{name}/versions", "PublishVersion", s.publishVersion)
	route("GET "+fns+"/{name}/versions", "ListVersionsByFunction", s.listVersions)
	route("POST "+fns+"/{name}/aliases", "CreateAlias", s.createAlias)
	route("GET "+fns+"/{name}/aliases", "ListAliases", s.listAliases)
	route("GET "+fns+"/{name}/aliases/{alias}", "GetAlias", s.getAlias)
	route("PUT "+fns+"/{name}/aliases/{alias}", "UpdateAlias", s.updateAlias)
	route("DELETE "+fns+"/{name}/aliases/{alias}", "DeleteAlias", s.deleteAlias)
	route("POST "+fns+"/{name}/policy", "AddPermission", s.addPermission)
	route("GET "+fns+"/{name}/policy", "GetPolicy", s.getPolicy)
	route("DELETE "+fns+"/{name}/policy/{sid}", "RemovePermission", s.removePermission)
	route("GET /2017-03-31/tags/{arn...}", "ListTags", s.listTags)
	route("POST /2017-03-31/tags/{arn...}", "TagResource", s.tagResource)
	route("DELETE /2017-03-31/tags/{arn...}", "UntagResource", s.untagResource)
	mux.HandleFunc("POST "+fns+"/{name}/invocations", s.invoke)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSONError(w, "lambda", errorf(http.StatusNotFound, "UnknownOperationException", "Unknown operation %s %s", r.Method, r.URL.Path))
	})
	mux.ServeHTTP(w, r)
}

// runLambda runs one operation, counting the code uploads.
func (s *Server) runLambda(w http.ResponseWriter, r *http.Request, op string, h restOp) {
	body, err := readBody(r, maxZip*2)
	if err != nil {
		writeJSONError(w, "lambda", errorf(http.StatusRequestEntityTooLarge, "RequestEntityTooLargeException", "Request must be smaller than %d bytes for the %s operation", maxZip*2, op))
		return
	}
	resource := r.PathValue("name")
	if resource == "" && op == "CreateFunction" {
		var in struct{ FunctionName string }
		json.Unmarshal(body, &in)
		resource = in.FunctionName
	}
	if resource == "" {
		resource = r.PathValue("arn")
	}
	if op == "UpdateFunctionCode" || op == "CreateFunction" && bytes.Contains(body, []byte(`"ZipFile"`)) {
		s.mu.Lock()
		s.codeUploads++
		s.mu.Unlock()
	}
	s.runREST(w, r, "lambda", op, resource, body, h)
}

func readBody(r *http.Request, limit int64) ([]byte, error) {
	var buf bytes.Buffer
	n, err := buf.ReadFrom(http.MaxBytesReader(nil, r.Body, limit))
	if err != nil {
		return nil, err
	}
	_ = n
	return buf.Bytes(), nil
}

func decodeJSON(body []byte, v any) *awsError {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return errorf(http.StatusBadRequest, "InvalidRequestContentException", "Could not parse request body into json: %v", err)
	}
	return nil
}

// lookup finds a function by name, partial ARN or ARN, with an optional
// ":qualifier" suffix, and returns the qualifier too.
func (s *Server) lookup(ref string) (*function, string, *awsError) {
	name, qualifier := ref, ""
	if strings.HasPrefix(ref, "arn:") {
		parts := strings.Split(ref, ":")
		if len(parts) < 7 || parts[2] != "lambda" || parts[5] != "function" {
			return nil, "", lambdaValidation("1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern", ref)
		}
		name = parts[6]
		if len(parts) > 7 {
			qualifier = parts[7]
		}
	} else if i := strings.LastIndexByte(ref, ':'); i >= 0 {
		name, qualifier = ref[:i], ref[i+1:]
		if j := strings.LastIndexByte(name, ':'); j >= 0 { // account:function:name
			name = name[j+1:]
		}
	}
	f := s.functions[name]
	if f == nil {
		return nil, "", lambdaNotFound("Function not found: arn:aws:lambda:%s:%s:function:%s", s.opts.Region, s.opts.Account, name)
	}
	return f, qualifier, nil
}

// lookupQualified resolves the function and the qualifier, from the path
// or from the Qualifier query parameter.
func (s *Server) lookupQualified(r *http.Request) (*function, string, *awsError) {
	f, q, err := s.lookup(r.PathValue("name"))
	if err != nil {
		return nil, "", err
	}
	if qq := r.URL.Query().Get("Qualifier"); qq != "" {
		q = qq
	}
	if _, _, ok := f.resolve(q); !ok {
		return nil, "", lambdaNotFound("Function not found: %s:%s", f.arn, q)
	}
	return f, q, nil
}

// checkRole validates a role ARN as Lambda does when it is set.
func (s *Server) checkRole(arn string) *awsError {
	prefix := fmt.Sprintf("arn:aws:iam::%s:role/", s.opts.Account)
	if !strings.HasPrefix(arn, prefix) {
		return lambdaValidation("1 validation error detected: Value '%s' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+", arn)
	}
	ro := s.roles[arn[strings.LastIndexByte(arn, '/')+1:]]
	if ro == nil || !ro.trustsLambda() {
		return lambdaInvalid("The role defined for the function cannot be assumed by Lambda.")
	}
	if ro.propagation > 0 {
		ro.propagation--
		return lambdaInvalid("The role defined for the function cannot be assumed by Lambda.")
	}
	return nil
}

// maxS3Zip is the largest zip Lambda takes from S3: its unzipped limit,
// 250 MB, bounds it (Lambda developer guide, "Lambda quotas": "250 MB
// unzipped, including layers"; "50 MB zipped, for direct upload";
// larger packages go through Amazon S3).
const maxS3Zip = lambdalimit.MaxUnzipped

// codeFrom returns the zip of a CreateFunction or UpdateFunctionCode
// request: uploaded directly (at most 50 MB), or named by S3Bucket and
// S3Key in the endpoint's S3, as Lambda reads it (API reference,
// FunctionCode).
func (s *Server) codeFrom(zipFile []byte, bucket, key string) ([]byte, *awsError) {
	switch {
	case bucket == "" && key == "":
		if len(zipFile) > maxZip {
			return nil, errorf(http.StatusRequestEntityTooLarge, "RequestEntityTooLargeException", "Request must be smaller than %d bytes for the operation", maxZip)
		}
		return zipFile, nil
	case len(zipFile) > 0:
		return nil, lambdaInvalid("Please do not provide other FunctionCode parameters when providing a ZipFile.")
	case bucket == "" || key == "":
		return nil, lambdaInvalid("Please provide a source for function code.")
	}
	data, ok := s.S3.Object(bucket, key)
	if !ok {
		return nil, lambdaInvalid("Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist.")
	}
	if len(data) > maxS3Zip {
		return nil, lambdaInvalid("Unzipped size must be smaller than %d bytes", maxS3Zip)
	}
	return data, nil
}

// storeZip checks and stores a zip and returns its hashes.
func (s *Server) storeZip(data []byte) (b64, hexSum string, aerr *awsError) {
	if len(data) == 0 {
		return "", "", lambdaInvalid("Uploaded file must be a non-empty zip")
	}
	if _, err := zip.NewReader(bytes.NewReader(data), int64(len(data))); err != nil {
		return "", "", lambdaInvalid("Could not unzip uploaded file. Please check your file, then try to upload again.")
	}
	sum := sha256.Sum256(data)
	hexSum = hex.EncodeToString(sum[:])
	path := filepath.Join(s.dir, "code", hexSum+".zip")
	if _, err := os.Stat(path); err != nil {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return "", "", errorf(http.StatusInternalServerError, "ServiceException", "store code: %v", err)
		}
	}
	return base64.StdEncoding.EncodeToString(sum[:]), hexSum, nil
}

func (s *Server) newRevision() string { return newRequestID() }

type createFunctionInput struct {
	FunctionName  string
	Runtime       string
	Role          string
	Handler       string
	Description   string
	Timeout       *int
	MemorySize    *int
	Publish       bool
	PackageType   string
	Architectures []string
	Environment   *struct{ Variables map[string]string }
	Tags          map[string]string
	Code          struct {
		ZipFile  []byte
		S3Bucket string
		S3Key    string
		ImageUri string
	}
}

func (s *Server) createFunction(r *http.Request, body []byte) (int, any, *awsError) {
	var in createFunctionInput
	if err := decodeJSON(body, &in); err != nil {
		return 0, nil, err
	}
	if !functionNameRE.MatchString(in.FunctionName) {
		return 0, nil, lambdaValidation("1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?", in.FunctionName)
	}
	if in.PackageType != "" && in.PackageType != "Zip" {
		return 0, nil, lambdaInvalid("Only PackageType Zip is supported here")
	}
	cfg := fnConfig{Runtime: in.Runtime, Handler: in.Handler, Role: in.Role, Description: in.Description, Timeout: lambdalimit.DefaultTimeout, MemorySize: lambdalimit.DefaultMemory, Arch: "x86_64"}
	if aerr := s.checkConfig(&cfg, in.Timeout, in.MemorySize, in.Environment, in.Architectures); aerr != nil {
		return 0, nil, aerr
	}
	if cfg.Runtime == "" || cfg.Handler == "" {
		return 0, nil, lambdaInvalid("Runtime and Handler are mandatory parameters for functions created with deployment packages.")
	}
	if aerr := checkTags(in.Tags); aerr != nil {
		return 0, nil, aerr
	}
	if in.Code.ImageUri != "" {
		return 0, nil, lambdaInvalid("Only zip code (ZipFile or S3Bucket and S3Key) is supported here")
	}
	zipData, aerr := s.codeFrom(in.Code.ZipFile, in.Code.S3Bucket, in.Code.S3Key)
	if aerr != nil {
		return 0, nil, aerr
	}
	if _, exists := s.functions[in.FunctionName]; exists {
		return 0, nil, lambdaConflict("Function already exist: %s", in.FunctionName)
	}
	if aerr := s.checkRole(cfg.Role); aerr != nil {
		return 0, nil, aerr
	}
	b64, hexSum, aerr := s.storeZip(zipData)
	if aerr != nil {
		return 0, nil, aerr
	}
	cfg.CodeSHA, cfg.CodeHex, cfg.CodeSize = b64, hexSum, int64(len(zipData))
	f := &function{
		name:     in.FunctionName,
		arn:      fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", s.opts.Region, s.opts.Account, in.FunctionName),
		latest:   cfg,
		modified: time.Now(),
		revision: s.newRevision(),
		aliases:  map[string]*fnAlias{},
		tags:     map[string]string{},
		policies: map[string][]statement{},
	}
	for k, v := range in.Tags {
		f.tags[k] = v
	}
	f.state, f.lastUpdate = "Active", "Successful"
	if n := s.opts.PendingPolls; n > 0 {
		f.state, f.lastUpdate = "Pending", "InProgress"
		f.pending, f.settleState, f.settleUpdate = n, "Active", "Successful"
	}
	s.functions[f.name] = f
	q := ""
	if in.Publish {
		q = s.publish(f, "").number
	}
	return http.StatusCreated, f.configJSON(q), nil
}

// checkConfig applies and validates configuration fields.
func (s *Server) checkConfig(cfg *fnConfig, timeout, memory *int, env *struct{ Variables map[string]string }, arch []string) *awsError {
	if cfg.Runtime != "" && !slices.Contains(runtimes, cfg.Runtime) {
		return lambdaInvalid("Value %s at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: %v", cfg.Runtime, runtimes)
	}
	if timeout != nil {
		if *timeout < lambdalimit.MinTimeout || *timeout > lambdalimit.MaxTimeout {
			return lambdaValidation("1 validation error detected: Value '%d' at 'timeout' failed to satisfy constraint: Member must have value between %d and %d", *timeout, lambdalimit.MinTimeout, lambdalimit.MaxTimeout)
		}
		cfg.Timeout = *timeout
	}
	if memory != nil {
		if *memory < lambdalimit.MinMemory || *memory > lambdalimit.MaxMemory {
			return lambdaValidation("1 validation error detected: Value '%d' at 'memorySize' failed to satisfy constraint: Member must have value between %d and %d", *memory, lambdalimit.MinMemory, lambdalimit.MaxMemory)
		}
		cfg.MemorySize = *memory
	}
	if env != nil {
		if aerr := checkEnv(env.Variables); aerr != nil {
			return aerr
		}
		cfg.Env = env.Variables
		if len(cfg.Env) == 0 {
			cfg.Env = nil
		}
	}
	if arch != nil {
		if len(arch) != 1 || (arch[0] != "x86_64" && arch[0] != "arm64") {
			return lambdaValidation("1 validation error detected: Value '%v' at 'architectures' failed to satisfy constraint: Member must have length less than or equal to 1, Member must satisfy enum value set: [x86_64, arm64]", arch)
		}
		cfg.Arch = arch[0]
	}
	return nil
}

func (s *Server) listFunctions(r *http.Request, _ []byte) (int, any, *awsError) {
	names := slices.Sorted(maps.Keys(s.functions))
	marker := r.URL.Query().Get("Marker")
	limit := 50
	if v, err := strconv.Atoi(r.URL.Query().Get("MaxItems")); err == nil && v > 0 && v < limit {
		limit = v
	}
	start := 0
	if marker != "" {
		start = slices.IndexFunc(names, func(n string) bool { return n > marker })
		if start < 0 {
			start = len(names)
		}
	}
	out := map[string]any{}
	var list []map[string]any
	for _, n := range names[start:] {
		if len(list) == limit {
			out["NextMarker"] = list[len(list)-1]["FunctionName"]
			break
		}
		list = append(list, s.functions[n].configJSON(""))
	}
	if list == nil {
		list = []map[string]any{}
	}
	out["Functions"] = list
	return http.StatusOK, out, nil
}

func (s *Server) getFunction(r *http.Request, _ []byte) (int, any, *awsError) {
	f, q, aerr := s.lookupQualified(r)
	if aerr != nil {
		return 0, nil, aerr
	}
	cfg, _, _ := f.resolve(q)
	out := map[string]any{
		"Configuration": f.configJSON(q),
		"Code":          map[string]string{"RepositoryType": "S3", "Location": s.URL + "/_code/" + cfg.CodeHex + ".zip"},
	}
	// Lambda API reference, GetFunction: "Tags: The function's tags. Lambda
	// returns tag data only if you have explicit allow permissions for
	// lambda:ListTags."
	if !s.denied["lambda:ListTags"] {
		out["Tags"] = f.tags
	}
	s.readState(f, q)
	return http.StatusOK, out, nil
}

func (s *Server) getFunctionConfiguration(r *http.Request, _ []byte) (int, any, *awsError) {
	f, q, aerr := s.lookupQualified(r)
	if aerr != nil {
		return 0, nil, aerr
	}
	out := f.configJSON(q)
	s.readState(f, q)
	return http.StatusOK, out, nil
}

// readState advances pending states after a read: a state is pending
// for PendingPolls reads, which see it pending.
func (s *Server) readState(f *function, q string) {
	if q == "" || q == "$LATEST" {
		f.read()
		return
	}
	if v := f.version(q); v != nil && v.pending > 0 {
		v.pending--
	}
}

func (s *Server) deleteFunction(r *http.Request, _ []byte) (int, any, *awsError) {
	f, q, aerr := s.lookup(r.PathValue("name"))
	if aerr != nil {
		return 0, nil, aerr
	}
	if qq := r.URL.Query().Get("Qualifier"); qq != "" {
		q = qq
	}
	if q != "" && q != "$LATEST" {
		v := f.version(q)
		if v == nil {
			return 0, nil, lambdaNotFound("Function not found: %s:%s", f.arn, q)
		}
		for _, a := range f.aliases {
			if a.version == q {
				return 0, nil, lambdaConflict("Unable to delete version because the following aliases reference it: [%s]", a.name)
			}
		}
		f.versions = slices.DeleteFunc(f.versions, func(x *fnVersion) bool { return x == v })
		return http.StatusNoContent, nil, nil
	}
	delete(s.functions, f.name)
	s.retirePools(f.name)
	return http.StatusNoContent, nil, nil
}

type updateConfigInput struct {
	Role        *string
	Handler     *string
	Description *string
	Timeout     *int
	MemorySize  *int
	Runtime     *string
	Environment *struct{ Variables map[string]string }
	RevisionId  string
}

func (s *Server) updateFunctionConfiguration(r *http.Request, body []byte) (int, any, *awsError) {
	f, _, aerr := s.lookup(r.PathValue("name"))
	if aerr != nil {
		return 0, nil, aerr
	}
	var in updateConfigInput
	if err := decodeJSON(body, &in); err != nil {
		return 0, nil, err
	}
	if aerr := s.checkUpdatable(f, in.RevisionId); aerr != nil {
		return 0, nil, aerr
	}
	cfg := f.latest
	if in.Runtime != nil {
		cfg.Runtime = *in.Runtime
	}
	if in.Handler != nil {
		cfg.Handler = *in.Handler
	}
	if in.Description != nil {
		cfg.Description = *in.Description
	}
	if aerr := s.checkConfig(&cfg, in.Timeout, in.MemorySize, in.Environment, nil); aerr != nil {
		return 0, nil, aerr
	}
	if in.Role != nil {
		if aerr := s.checkRole(*in.Role); aerr != nil {
			return 0, nil, aerr
		}
		cfg.Role = *in.Role
	}
	f.latest = cfg
	s.startUpdate(f)
	return http.StatusOK, f.configJSON(""), nil
}

type updateCodeInput struct {
	ZipFile       []byte
	S3Bucket      string
	S3Key         string
	ImageUri      string
	Architectures []string
	Publish       bool
	DryRun        bool
	RevisionId    string
}

func (s *Server) updateFunctionCode(r *http.Request, body []byte) (int, any, *awsError) {
	f, _, aerr := s.lookup(r.PathValue("name"))
	if aerr != nil {
		return 0, nil, aerr
	}
	var in updateCodeInput
	if err := decodeJSON(body, &in); err != nil {
		return 0, nil, err
	}
	if in.ImageUri != "" {
		return 0, nil, lambdaInvalid("Only zip code (ZipFile or S3Bucket and S3Key) is supported here")
	}
	zipData, aerr := s.codeFrom(in.ZipFile, in.S3Bucket, in.S3Key)
	if aerr != nil {
		return 0, nil, aerr
	}
	if aerr := s.checkUpdatable(f, in.RevisionId); aerr != nil {
		return 0, nil, aerr
	}
	cfg := f.latest
	if aerr := s.checkConfig(&cfg, nil, nil, nil, in.Architectures); aerr != nil {
		return 0, nil, aerr
	}
	b64, hexSum, aerr := s.storeZip(zipData)
	if aerr != nil {
		return 0, nil, aerr
	}
	if in.DryRun {
		return http.StatusOK, f.configJSON(""), nil
	}
	cfg.CodeSHA, cfg.CodeHex, cfg.CodeSize = b64, hexSum, int64(len(zipData))
	f.latest = cfg
	s.startUpdate(f)
	q := ""
	if in.Publish && !f.inProgress() {
		q = s.publish(f, "").number
	}
	return http.StatusOK, f.configJSON(q), nil
}

// checkUpdatable refuses an update while another is in progress, or with a
// stale revision id.
func (s *Server) checkUpdatable(f *function, revision string) *awsError {
	if f.inProgress() {
		return lambdaConflict("The operation cannot be performed at this time. An update is in progress for resource: %s", f.arn)
	}
	if revision != "" && revision != f.revision {
		return errorf(http.StatusPreconditionFailed, "PreconditionFailedException", "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id")
	}
	return nil
}

// startUpdate marks $LATEST updated: in progress for PendingPolls reads,
// then Successful, or Failed when FailUpdate armed it.
func (s *Server) startUpdate(f *function) {
	f.modified = time.Now()
	f.revision = s.newRevision()
	final := "Successful"
	f.updateReason = ""
	if s.takeUpdateFault(f.name) {
		final = "Failed"
		f.updateReason = "An internal error occurred while applying the update."
	}
	if n := s.opts.PendingPolls; n > 0 {
		f.lastUpdate = "InProgress"
		f.pending, f.settleState, f.settleUpdate = n, "Active", final
		return
	}
	f.state, f.lastUpdate = "Active", final
}

func (s *Server) publishVersion(r *http.Request, body []byte) (int, any, *awsError) {
	f, _, aerr := s.lookup(r.PathValue("name"))
	if aerr != nil {
		return 0, nil, aerr
	}
	var in struct {
		CodeSha256  string
		Description string
		RevisionId  string
	}
	if err := decodeJSON(body, &in); err != nil {
		return 0, nil, err
	}
	if aerr := s.checkUpdatable(f, in.RevisionId); aerr != nil {
		return 0, nil, aerr
	}
	if f.lastUpdate == "Failed" {
		return 0, nil, lambdaConflict("The operation cannot be performed at this time. The last update of %s failed: %s", f.arn, f.updateReason)
	}
	if in.CodeSha256 != "" && in.CodeSha256 != f.latest.CodeSHA {
		return 0, nil, lambdaInvalid("CodeSHA256 (%s) is different from current CodeSHA256 in $LATEST (%s). Please try again with the CodeSHA256 in $LATEST.", in.CodeSha256, f.latest.CodeSHA)
	}
	v := s.publish(f, in.Description)
	return http.StatusCreated, f.configJSON(v.number), nil
}

// publish publishes $LATEST, or returns the last version when $LATEST has
// not changed since, as Lambda does.
func (s *Server) publish(f *function, description string) *fnVersion {
	if n := len(f.versions); n > 0 && f.versions[n-1].cfg.equal(f.latest) {
		return f.versions[n-1]
	}
	number := 1
	if n := len(f.versions); n > 0 {
		last, _ := strconv.Atoi(f.versions[n-1].number)
		number = last + 1
	}
	v := &fnVersion{
		number:      strconv.Itoa(number),
		cfg:         f.latest,
		description: description,
		modified:    time.Now(),
		revision:    s.newRevision(),
		pending:     s.opts.PendingPolls,
	}
	f.versions = append(f.versions, v)
	return v
}

func (s *Server) listVersions(r *http.Request, _ []byte) (int, any, *awsError) {
	f, _, aerr := s.lookup(r.PathValue("name"))
	if aerr != nil {
		return 0, nil, aerr
	}
	list := []map[string]any{f.configJSON("")}
	for _, v := range f.versions {
		list = append(list, f.configJSON(v.number))
	}
	return http.StatusOK, map[string]any{"Versions": list}, nil
}

func aliasJSON(f *function, a *fnAlias) map[string]any {
	return map[string]any{
		"AliasArn":        f.arn + ":" + a.name,
		"Name":            a.name,
		"FunctionVersion": a.version,
		"Description":     a.description,
		"RevisionId":      a.revision,
	}
}

type aliasInput struct {
	Name            string
	FunctionVersion *string
	Description     *string
	RevisionId      string
	RoutingConfig   *struct{ AdditionalVersionWeights map[string]float64 }
}

func (s *Server) createAlias(r *http.Request, body []byte) (int, any, *awsError) {
	f, _, aerr := s.lookup(r.PathValue("name"))
	if aerr != nil {
		return 0, nil, aerr
	}
	var in aliasInput
	if err := decodeJSON(body, &in); err != nil {
		return 0, nil, err
	}
	if !aliasNameRE.MatchString(in.Name) || digitsRE.MatchString(in.Name) {
		return 0, nil, lambdaValidation("1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)", in.Name)
	}
	if in.RoutingConfig != nil && len(in.RoutingConfig.AdditionalVersionWeights) > 0 {
		return 0, nil, lambdaInvalid("Weighted aliases are not supported here")
	}
	if in.FunctionVersion == nil || *in.FunctionVersion == "" {
		return 0, nil, lambdaValidation("1 validation error detected: Value null at 'functionVersion' failed to satisfy constraint: Member must not be null")
	}
	if *in.FunctionVersion != "$LATEST" && f.version(*in.FunctionVersion) == nil {
		return 0, nil, lambdaNotFound("Function not found: %s:%s", f.arn, *in.FunctionVersion)
	}
	if _, exists := f.aliases[in.Name]; exists {
		return 0, nil, lambdaConflict("Alias already exists: %s:%s", f.arn, in.Name)
	}
	a := &fnAlias{name: in.Name, version: *in.FunctionVersion, revision: s.newRevision()}
	if in.Description != nil {
		a.description = *in.Description
	}
	f.aliases[a.name] = a
	return http.StatusCreated, aliasJSON(f, a), nil
}

func (s *Server) listAliases(r *http.Request, _ []byte) (int, any, *awsError) {
	f, _, aerr := s.lookup(r.PathValue("name"))
	if aerr != nil {
		return 0, nil, aerr
	}
	list := []map[string]any{}
	for _, n := range slices.Sorted(maps.Keys(f.aliases)) {
		list = append(list, aliasJSON(f, f.aliases[n]))
	}
	return http.StatusOK, map[string]any{"Aliases": list}, nil
}

func (s *Server) alias(r *http.Request) (*function, *fnAlias, *awsError) {
	f, _, aerr := s.lookup(r.PathValue("name"))
	if aerr != nil {
		return nil, nil, aerr
	}
	a := f.aliases[r.PathValue("alias")]
	if a == nil {
		return nil, nil, lambdaNotFound("Alias not found: %s:%s", f.arn, r.PathValue("alias"))
	}
	return f, a, nil
}

func (s *Server) getAlias(r *http.Request, _ []byte) (int, any, *awsError) {
	f, a, aerr := s.alias(r)
	if aerr != nil {
		return 0, nil, aerr
	}
	return http.StatusOK, aliasJSON(f, a), nil
}

func (s *Server) updateAlias(r *http.Request, body []byte) (int, any, *awsError) {
	f, a, aerr := s.alias(r)
	if aerr != nil {
		return 0, nil, aerr
	}
	var in aliasInput
	if err := decodeJSON(body, &in); err != nil {
		return 0, nil, err
	}
	if in.RevisionId != "" && in.RevisionId != a.revision {
		return 0, nil, errorf(http.StatusPreconditionFailed, "PreconditionFailedException", "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id")
	}
	if in.FunctionVersion != nil {
		if *in.FunctionVersion != "$LATEST" && f.version(*in.FunctionVersion) == nil {
			return 0, nil, lambdaNotFound("Function not found: %s:%s", f.arn, *in.FunctionVersion)
		}
		a.version = *in.FunctionVersion
	}
	if in.Description != nil {
		a.description = *in.Description
	}
	a.revision = s.newRevision()
	return http.StatusOK, aliasJSON(f, a), nil
}

func (s *Server) deleteAlias(r *http.Request, _ []byte) (int, any, *awsError) {
	f, a, aerr := s.alias(r)
	if aerr != nil {
		return 0, nil, aerr
	}
	delete(f.aliases, a.name)
	delete(f.policies, a.name)
	return http.StatusNoContent, nil, nil
}

func (s *Server) addPermission(r *http.Request, body []byte) (int, any, *awsError) {
	f, q, aerr := s.lookupQualified(r)
	if aerr != nil {
		return 0, nil, aerr
	}
	var in struct {
		StatementId   string
		Action        string
		Principal     string
		SourceArn     string
		SourceAccount string
	}
	if err := decodeJSON(body, &in); err != nil {
		return 0, nil, err
	}
	if !sidRE.MatchString(in.StatementId) {
		return 0, nil, lambdaValidation("1 validation error detected: Value '%s' at 'statementId' failed to satisfy constraint: Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+)", in.StatementId)
	}
	if in.Action != "lambda:InvokeFunction" && in.Action != "lambda:*" {
		return 0, nil, lambdaInvalid("The action %q is not supported here", in.Action)
	}
	if in.Principal == "" {
		return 0, nil, lambdaValidation("1 validation error detected: Value null at 'principal' failed to satisfy constraint: Member must not be null")
	}
	for _, st := range f.policies[q] {
		if st.Sid == in.StatementId {
			return 0, nil, lambdaConflict("The statement id (%s) provided already exists. Please provide a new statement id, or remove the existing statement.", in.StatementId)
		}
	}
	resource := f.arn
	if q != "" {
		resource += ":" + q
	}
	st := statement{Sid: in.StatementId, Effect: "Allow", Action: in.Action, Resource: resource}
	if strings.Contains(in.Principal, ".amazonaws.com") {
		st.Principal = map[string]string{"Service": in.Principal}
	} else {
		st.Principal = map[string]string{"AWS": in.Principal}
	}
	if in.SourceArn != "" {
		st.Condition = map[string]map[string]string{"ArnLike": {"AWS:SourceArn": in.SourceArn}}
	}
	if in.SourceAccount != "" {
		if st.Condition == nil {
			st.Condition = map[string]map[string]string{}
		}
		st.Condition["StringEquals"] = map[string]string{"AWS:SourceAccount": in.SourceAccount}
	}
	f.policies[q] = append(f.policies[q], st)
	b, _ := json.Marshal(st)
	return http.StatusCreated, map[string]string{"Statement": string(b)}, nil
}

func (s *Server) getPolicy(r *http.Request, _ []byte) (int, any, *awsError) {
	f, q, aerr := s.lookupQualified(r)
	if aerr != nil {
		return 0, nil, aerr
	}
	if len(f.policies[q]) == 0 {
		return 0, nil, lambdaNotFound("The resource you requested does not exist.")
	}
	return http.StatusOK, map[string]string{"Policy": f.policyJSON(q), "RevisionId": f.revision}, nil
}

func (s *Server) removePermission(r *http.Request, _ []byte) (int, any, *awsError) {
	f, q, aerr := s.lookupQualified(r)
	if aerr != nil {
		return 0, nil, aerr
	}
	sid := r.PathValue("sid")
	n := len(f.policies[q])
	f.policies[q] = slices.DeleteFunc(f.policies[q], func(st statement) bool { return st.Sid == sid })
	if len(f.policies[q]) == n {
		return 0, nil, lambdaNotFound("Statement %s is not found in resource policy.", sid)
	}
	return http.StatusNoContent, nil, nil
}

// tagged resolves the function of a tags call: tags belong to functions,
// never to versions or aliases.
func (s *Server) tagged(r *http.Request) (*function, *awsError) {
	arn := r.PathValue("arn")
	if !strings.HasPrefix(arn, "arn:") {
		return nil, lambdaValidation("1 validation error detected: Value '%s' at 'resource' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:function:[a-zA-Z0-9-_]+(:(\\$LATEST|[a-zA-Z0-9-_]+))?", arn)
	}
	f, q, aerr := s.lookup(arn)
	if aerr != nil {
		return nil, aerr
	}
	if q != "" {
		return nil, lambdaInvalid("Tags are not supported on versions or aliases: %s", arn)
	}
	return f, nil
}

func (s *Server) listTags(r *http.Request, _ []byte) (int, any, *awsError) {
	f, aerr := s.tagged(r)
	if aerr != nil {
		return 0, nil, aerr
	}
	return http.StatusOK, map[string]any{"Tags": f.tags}, nil
}

func (s *Server) tagResource(r *http.Request, body []byte) (int, any, *awsError) {
	f, aerr := s.tagged(r)
	if aerr != nil {
		return 0, nil, aerr
	}
	var in struct{ Tags map[string]string }
	if err := decodeJSON(body, &in); err != nil {
		return 0, nil, err
	}
	merged := map[string]string{}
	for k, v := range f.tags {
		merged[k] = v
	}
	for k, v := range in.Tags {
		merged[k] = v
	}
	if aerr := checkTags(merged); aerr != nil {
		return 0, nil, aerr
	}
	f.tags = merged
	return http.StatusNoContent, nil, nil
}

func (s *Server) untagResource(r *http.Request, _ []byte) (int, any, *awsError) {
	f, aerr := s.tagged(r)
	if aerr != nil {
		return 0, nil, aerr
	}
	for _, k := range r.URL.Query()["tagKeys"] {
		delete(f.tags, k)
	}
	return http.StatusNoContent, nil, nil
}

// serveCode serves a stored zip: the Code.Location of GetFunction.
func (s *Server) serveCode(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/_code/")
	if !strings.HasSuffix(name, ".zip") || strings.ContainsAny(name, `/\`) {
		http.NotFound(w, r)
		return
	}
	http.ServeFile(w, r, filepath.Join(s.dir, "code", name))
}
