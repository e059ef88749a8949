package projectconfig

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/nextgo-dev/nextgo/runtime/rules"
)

func TestParseValid(t *testing.T) {
	tests := []struct {
		name string
		json string
		want Config
	}{
		{"empty object", `{}`, Config{}},
		{"everything", `{
			"$schema": "https://example.com/nextgo.schema.json",
			"name": "shop",
			"region": "eu-west-1",
			"maxDuration": 10,
			"memory": 512,
			"architecture": "x86_64",
			"bodyLimit": "2mb",
			"trailingSlash": true,
			"basePath": "/shop",
			"headers": [{"source": "/api/:path*", "headers": [{"key": "X-Frame-Options", "value": "DENY"}],
			             "has": [{"type": "header", "key": "x-a", "value": "(?<v>.*)"}], "missing": [{"type": "host", "value": "x\\.com"}]}],
			"redirects": [
				{"source": "/old/:slug", "destination": "/api/items/:slug", "permanent": true},
				{"source": "/gone", "destination": "https://example.com", "statusCode": 301, "basePath": false}
			],
			"rewrites": [{"source": "/items/:id", "destination": "/api/items/:id"}]
		}`, Config{
			Name: "shop", Region: "eu-west-1", MaxDuration: 10, Memory: 512, Architecture: "x86_64",
			BodyLimit: "2mb", BodyLimitBytes: 2 << 20, TrailingSlash: true, BasePath: "/shop",
			Headers: []rules.Header{{Source: "/api/:path*", Headers: []rules.KeyValue{{Key: "X-Frame-Options", Value: "DENY"}},
				Has: []rules.Condition{{Type: "header", Key: "x-a", Value: "(?<v>.*)"}}, Missing: []rules.Condition{{Type: "host", Value: `x\.com`}}}},
			Redirects: []rules.Redirect{
				{Source: "/old/:slug", Destination: "/api/items/:slug", Permanent: true},
				{Source: "/gone", Destination: "https://example.com", StatusCode: 301, NoBasePath: true},
			},
			Rewrites: rules.Rewrites{AfterFiles: []rules.Rewrite{{Source: "/items/:id", Destination: "/api/items/:id"}}},
		}},
		{"rewrites object form", `{"rewrites": {
			"beforeFiles": [{"source": "/a", "destination": "/b"}],
			"afterFiles": [{"source": "/c", "destination": "/d"}],
			"fallback": [{"source": "/:path*", "destination": "https://old.example.com/:path*"}]}}`,
			Config{Rewrites: rules.Rewrites{
				BeforeFiles: []rules.Rewrite{{Source: "/a", Destination: "/b"}},
				AfterFiles:  []rules.Rewrite{{Source: "/c", Destination: "/d"}},
				Fallback:    []rules.Rewrite{{Source: "/:path*", Destination: "https://old.example.com/:path*"}},
			}}},
		{"body limit in bytes", `{"bodyLimit": 1024}`, Config{BodyLimit: "1024", BodyLimitBytes: 1024}},
		{"arm64", `{"architecture": "arm64"}`, Config{Architecture: "arm64"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.json))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", *got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ name, json, want string }{
		{"wrong type", `{"redirects": [{"source": "/a", "destination": "/b", "permanent": "yes"}]}`,
			`nextgo.json: redirects[0].permanent: want a boolean, got "yes"`},
		{"unknown key with a suggestion", `{"redirects": [{"source": "/a", "destination": "/b", "permanet": true}]}`,
			`nextgo.json: redirects[0].permanet: unknown key (did you mean "permanent"?)`},
		{"unknown top-level key", `{"functions": {}}`,
			`nextgo.json: functions: unknown key (known keys: $schema, name, region, keepReleases, maxDuration, memory, architecture, bodyLimit, trailingSlash, basePath, headers, redirects, rewrites)`},
		{"typo at the top", `{"trailingslash": true}`, `nextgo.json: trailingslash: unknown key (did you mean "trailingSlash"?)`},
		{"not an object", `[]`, `nextgo.json: want an object, got an array`},
		{"syntax", "{\n  \"name\": \"x\",\n}", `nextgo.json:3:1: invalid JSON: invalid character '}' looking for beginning of object key string`},
		{"truncated", `{"name": "x"`, `nextgo.json:1:13: invalid JSON: unexpected end of file`},
		{"trailing data", `{} {}`, `nextgo.json:1:4: invalid JSON: unexpected data after the top-level value`},
		{"duplicate key", `{"memory": 128, "memory": 256}`, `nextgo.json: memory: appears twice`},
		{"maxDuration range", `{"maxDuration": 901}`, `nextgo.json: maxDuration: want 1 to 900, got 901`},
		{"maxDuration fraction", `{"maxDuration": 1.5}`, `nextgo.json: maxDuration: want an integer, got 1.5`},
		{"maxDuration string", `{"maxDuration": "10"}`, `nextgo.json: maxDuration: want an integer, got "10"`},
		{"memory range", `{"memory": 64}`, `nextgo.json: memory: want 128 to 10240, got 64`},
		{"architecture", `{"architecture": "amd64"}`, `nextgo.json: architecture: want "arm64" or "x86_64", got "amd64"`},
		{"body limit", `{"bodyLimit": "big"}`, `nextgo.json: bodyLimit: "big" is not a size: want a number of bytes or a string like "500kb" or "1mb"`},
		{"body limit type", `{"bodyLimit": true}`, `nextgo.json: bodyLimit: want a size (a number of bytes or a string like "1mb"), got true`},
		{"name", `{"name": "my app"}`, `nextgo.json: name: "my app" is not a valid name: 1 to 40 letters, digits, - and _, starting with a letter or digit`},
		{"region", `{"region": "Europe"}`, `nextgo.json: region: "Europe" is not an AWS region (like "us-east-1")`},
		{"trailingSlash type", `{"trailingSlash": "true"}`, `nextgo.json: trailingSlash: want a boolean, got "true"`},
		{"basePath", `{"basePath": "docs"}`, `nextgo.json: basePath: "docs" must be a path like /docs: starting with /, not ending with /, without ? # : * ( ) [ ] { } or spaces`},
		{"headers not an array", `{"headers": {}}`, `nextgo.json: headers: want an array, got an object`},
		{"header missing value", `{"headers": [{"source": "/a", "headers": [{"key": "x"}]}]}`, `nextgo.json: headers[0].headers[0]: missing key "value"`},
		{"header value type", `{"headers": [{"source": "/a", "headers": [{"key": "x", "value": 1}]}]}`, `nextgo.json: headers[0].headers[0].value: want a string, got 1`},
		{"header missing source", `{"headers": [{"headers": []}]}`, `nextgo.json: headers[0]: missing key "source"`},
		{"redirect missing destination", `{"redirects": [{"source": "/a", "permanent": true}]}`, `nextgo.json: redirects[0]: missing key "destination"`},
		{"redirect without permanent", `{"redirects": [{"source": "/a", "destination": "/b"}]}`, `nextgo.json: redirects[0]: missing key "permanent" (true for 308, false for 307) or "statusCode"`},
		{"redirect with both", `{"redirects": [{"source": "/a", "destination": "/b", "permanent": true, "statusCode": 301}]}`, "nextgo.json: redirects[0]: `permanent` and `statusCode` cannot both be set"},
		{"redirect status", `{"redirects": [{"source": "/a", "destination": "/b", "statusCode": 200}]}`, `nextgo.json: redirects[0].statusCode: 200 is not a redirect status: want 301, 302, 303, 307 or 308`},
		{"rule basePath true", `{"rewrites": [{"source": "/a", "destination": "/b", "basePath": true}]}`, `nextgo.json: rewrites[0].basePath: want false (or no basePath key), got true`},
		{"bad source, array form", `{"rewrites": [{"source": "/a", "destination": "/b"}, {"source": "a", "destination": "/b"}]}`, "nextgo.json: rewrites[1].source: `source` does not start with /: \"a\""},
		{"bad source, object form", `{"rewrites": {"afterFiles": [{"source": "a", "destination": "/b"}]}}`, "nextgo.json: rewrites.afterFiles[0].source: `source` does not start with /: \"a\""},
		{"rewrites object key", `{"rewrites": {"before": []}}`, `nextgo.json: rewrites.before: unknown key (known keys: beforeFiles, afterFiles, fallback)`},
		{"rewrites type", `{"rewrites": "x"}`, `nextgo.json: rewrites: want an array or an object with beforeFiles, afterFiles and fallback, got "x"`},
		{"unknown destination param", `{"redirects": [{"source": "/a/:x", "destination": "/b/:y", "permanent": false}]}`, "nextgo.json: redirects[0].destination: has segments not in `source` or `has` (y)"},
		{"has without type", `{"redirects": [{"source": "/a", "destination": "/b", "permanent": false, "has": [{"key": "x"}]}]}`, `nextgo.json: redirects[0].has[0]: missing key "type" (header, cookie, query or host)`},
		{"has bad type", `{"headers": [{"source": "/a", "headers": [{"key": "a", "value": "b"}], "has": [{"type": "ip", "key": "x"}]}]}`, "nextgo.json: headers[0].has[0]: invalid `type` \"ip\": want header, cookie, query or host"},
		{"has unknown key", `{"headers": [{"source": "/a", "headers": [], "has": [{"type": "query", "name": "x"}]}]}`, `nextgo.json: headers[0].has[0].name: unknown key (known keys: type, key, value)`},
		{"locale is not supported", `{"redirects": [{"source": "/a", "destination": "/b", "permanent": true, "locale": false}]}`, `nextgo.json: redirects[0].locale: unknown key (known keys: source, destination, permanent, statusCode, basePath, has, missing)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.json))
			if err == nil {
				t.Fatal("no error")
			}
			if err.Error() != tt.want {
				t.Errorf("error\n got %s\nwant %s", err, tt.want)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	c, err := Load(dir)
	if err != nil || !reflect.DeepEqual(*c, Config{}) {
		t.Fatalf("no file: %+v, %v", c, err)
	}
	if err := os.WriteFile(filepath.Join(dir, File), []byte(`{"memory": 256, "rewrites": [{"source": "/a", "destination": "/b"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err = Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if c.Memory != 256 || !c.HasRules() || c.GOARCH() != "" {
		t.Errorf("got %+v", c)
	}
	rc := c.Rules([]string{"/b"})
	if len(rc.Rewrites.AfterFiles) != 1 || len(rc.Routes) != 1 {
		t.Errorf("Rules = %+v", rc)
	}
	if (&Config{Architecture: "x86_64"}).GOARCH() != "amd64" || (&Config{Memory: 1}).HasRules() {
		t.Error("GOARCH or HasRules")
	}
}
