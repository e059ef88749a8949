package bundler

// ManifestVersion is the schema version written to manifest.json.
const ManifestVersion = 1

// Manifest describes the output of `nextgo build`: one Lambda function per
// route. It is written as manifest.json in the output directory and read by
// `nextgo start`, `nextgo invoke` and `nextgo deploy`.
type Manifest struct {
	Version   int        `json:"version"`
	App       string     `json:"app"`       // project name (nextgo.json "name", else the module's last path element)
	Module    string     `json:"module"`    // the app's Go module path
	Arch      string     `json:"arch"`      // "arm64" or "amd64" (GOARCH spelling)
	Nextgo    string     `json:"nextgo"`    // nextgo version that built it
	Functions []Function `json:"functions"` // in route precedence order
}

// Function is one route compiled into one Lambda function.
type Function struct {
	Name          string            `json:"name"`                    // stable, DNS-safe, unique in the app: e.g. "api-post-pid"
	Pattern       string            `json:"pattern"`                 // Next-style route pattern: "/api/post/[pid]"
	File          string            `json:"file"`                    // route file relative to the app: "pages/api/post/[pid].go"
	Kind          string            `json:"kind"`                    // "api" (pages/api) or "route" (app/**/route.go)
	Methods       []string          `json:"methods"`                 // methods served; API routes serve every method: ["*"]
	MaxDuration   int               `json:"maxDuration"`             // seconds: Lambda timeout
	Memory        int               `json:"memory"`                  // MB
	BodyLimit     int64             `json:"bodyLimit"`               // bytes; -1 when the body parser is disabled (no limit)
	BodyLimitText string            `json:"bodyLimitText,omitempty"` // the limit as configured ("1mb"), echoed in 413s
	Cache         string            `json:"cache"`                   // "none", "static" or "revalidate=N"
	Arch          string            `json:"arch"`                    // "arm64" or "amd64"
	Zip           string            `json:"zip"`                     // path of the zip, relative to the manifest's directory
	SHA256        string            `json:"sha256"`                  // hex SHA-256 of the zip
	Size          int64             `json:"size"`                    // zip size in bytes
	BinarySize    int64             `json:"binarySize"`              // size of bootstrap in bytes
	Streaming     bool              `json:"streaming"`               // the route streams: Function URL RESPONSE_STREAM
	SharedCache   bool              `json:"sharedCache,omitempty"`   // caches GETs or revalidates: uses the app's shared response cache
	Environment   map[string]string `json:"environment,omitempty"`   // production .env set (values never printed)
}
