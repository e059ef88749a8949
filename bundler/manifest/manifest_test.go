package manifest

import (
	"reflect"
	"strings"
	"testing"
)

func TestFunctionEnv(t *testing.T) {
	built := map[string]string{"API_KEY": "s3cr3t", "MODE": "production"}
	var f Function
	f.Name = "api-user"
	f.SetEnv(built)
	if !reflect.DeepEqual(f.Env, []string{"API_KEY", "MODE"}) || len(f.EnvSHA256) != 64 {
		t.Fatalf("SetEnv: names %v digest %q", f.Env, f.EnvSHA256)
	}
	tests := []struct {
		name    string
		now     map[string]string
		want    map[string]string
		wantErr string
	}{
		{"unchanged", map[string]string{"API_KEY": "s3cr3t", "MODE": "production"}, built, ""},
		{"others ignored", map[string]string{"API_KEY": "s3cr3t", "MODE": "production", "NEW": "x"}, built, ""},
		{"value changed", map[string]string{"API_KEY": "other", "MODE": "production"}, nil,
			"function api-user: the environment changed since the build (.env files or the environment): build again"},
		{"values swapped", map[string]string{"API_KEY": "production", "MODE": "s3cr3t"}, nil,
			"function api-user: the environment changed since the build (.env files or the environment): build again"},
		{"variable gone", map[string]string{"MODE": "production"}, nil,
			"function api-user: API_KEY is no longer set (.env files or the environment): build again"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := f.Environ(tt.now)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "s3cr3t") || strings.Contains(err.Error(), "other") {
					t.Errorf("the error shows a value: %v", err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Environ = %v, %v; want %v", got, err, tt.want)
			}
		})
	}

	var none Function
	none.SetEnv(nil)
	if got, err := none.Environ(map[string]string{"X": "1"}); err != nil || len(got) != 0 || none.Env != nil || none.EnvSHA256 != "" {
		t.Errorf("no environment: %v %v, names %v digest %q", got, err, none.Env, none.EnvSHA256)
	}
	// Names and values are delimited: moving a character across does
	// not give the same digest.
	if EnvDigest(map[string]string{"AB": "C"}) == EnvDigest(map[string]string{"A": "BC"}) {
		t.Error("digest does not delimit names and values")
	}
}
