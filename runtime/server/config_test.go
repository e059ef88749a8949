package server

import "testing"

func TestConfigValidate(t *testing.T) {
	const prefix = `Invalid segment configuration options detected for "/api/items/[slug]". Read more at https://nextjs.org/docs/app/api-reference/file-conventions/route-segment-config: `
	tests := []struct {
		c    Config
		want string
	}{
		{Config{}, ""},
		{Config{Dynamic: ForceStatic, Revalidate: 60, MaxDuration: 10, BodySizeLimit: "1mb", Memory: 256}, ""},
		{Config{Dynamic: Auto}, ""},
		{Config{Dynamic: Error, MaxDuration: 900, Memory: 10240}, ""},
		{Config{Memory: 128, BodySizeLimit: "1048576"}, ""},
		{Config{Revalidate: -1}, prefix + `Invalid revalidate value -1 on "/api/items/[slug]", must be a non-negative number at "Revalidate"`},
		{Config{Dynamic: "static"}, prefix + `Invalid enum value. Expected 'auto' | 'error' | 'force-static' | 'force-dynamic', received 'static' at "Dynamic"`},
		{Config{MaxDuration: -5}, prefix + `Number must be greater than or equal to 0 at "MaxDuration"`},
		{Config{MaxDuration: 901}, prefix + `Number must be less than or equal to 900 at "MaxDuration"`},
		{Config{Memory: 64}, prefix + `Number must be greater than or equal to 128 at "Memory"`},
		{Config{Memory: -1}, prefix + `Number must be greater than or equal to 128 at "Memory"`},
		{Config{Memory: 10241}, prefix + `Number must be less than or equal to 10240 at "Memory"`},
		{Config{BodySizeLimit: "1 megabyte"}, prefix + `Invalid bodySizeLimit value "1 megabyte" on "/api/items/[slug]", must be a size such as "1mb" or a number of bytes at "BodySizeLimit"`},
		{Config{Revalidate: -1, Dynamic: "x", BodySizeLimit: "-1"}, prefix +
			`Invalid enum value. Expected 'auto' | 'error' | 'force-static' | 'force-dynamic', received 'x' at "Dynamic"; ` +
			`Invalid revalidate value -1 on "/api/items/[slug]", must be a non-negative number at "Revalidate"; ` +
			`Invalid bodySizeLimit value "-1" on "/api/items/[slug]", must be a size such as "1mb" or a number of bytes at "BodySizeLimit"`},
	}
	for _, tt := range tests {
		err := tt.c.Validate("/api/items/[slug]")
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("Validate(%+v)\n got %s\nwant %s", tt.c, got, tt.want)
		}
	}
}

func TestConfigCached(t *testing.T) {
	get := []string{"GET"}
	tests := []struct {
		c       Config
		methods []string
		want    bool
	}{
		{Config{}, get, false},
		{Config{Dynamic: Auto}, get, false},
		{Config{Revalidate: 1}, get, true},
		{Config{Dynamic: ForceStatic}, get, true},
		{Config{Dynamic: Error}, get, true},
		{Config{Dynamic: ForceDynamic}, get, false},
		{Config{Dynamic: ForceDynamic, Revalidate: 60}, get, false},
		{Config{Dynamic: ForceStatic}, []string{"GET", "HEAD"}, true},
		{Config{Dynamic: ForceStatic}, []string{"HEAD"}, false},
		{Config{Dynamic: ForceStatic}, nil, false},
		{Config{Dynamic: ForceStatic}, []string{"GET", "POST"}, false},
		{Config{Revalidate: 60}, []string{"GET", "PUT"}, false},
		{Config{Revalidate: 60}, []string{"DELETE", "GET"}, false},
		{Config{Revalidate: 60}, []string{"GET", "PATCH"}, false},
		{Config{Revalidate: 60}, []string{"GET", "OPTIONS"}, false},
	}
	for _, tt := range tests {
		if got := tt.c.Cached(tt.methods...); got != tt.want {
			t.Errorf("%+v.Cached(%v) = %v, want %v", tt.c, tt.methods, got, tt.want)
		}
	}
}

func TestCacheControl(t *testing.T) {
	for _, tt := range []struct {
		c    Config
		want string
	}{
		{Config{Dynamic: ForceStatic}, "s-maxage=31536000"},
		{Config{Revalidate: 1}, "s-maxage=1, stale-while-revalidate=31535999"},
		{Config{Revalidate: 60}, "s-maxage=60, stale-while-revalidate=31535940"},
		{Config{Revalidate: 3600}, "s-maxage=3600, stale-while-revalidate=31532400"},
		{Config{Revalidate: 31535999}, "s-maxage=31535999, stale-while-revalidate=1"},
		{Config{Revalidate: 31536000}, "s-maxage=31536000"},
		{Config{Revalidate: 40000000}, "s-maxage=40000000"},
	} {
		if got := tt.c.CacheControl(); got != tt.want {
			t.Errorf("%+v.CacheControl() = %q, want %q", tt.c, got, tt.want)
		}
	}
}
