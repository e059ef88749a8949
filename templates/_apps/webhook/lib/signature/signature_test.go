package signature

import "testing"

func TestSignVerify(t *testing.T) {
	// The example of GitHub's docs on validating webhook deliveries.
	const secret, body = "It's a Secret to Everybody", "Hello, World!"
	const want = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
	if got := Sign(secret, []byte(body)); got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
	tests := []struct {
		name, header string
		ok           bool
	}{
		{"valid", want, true},
		{"other body", Sign(secret, []byte("Hello, World?")), false},
		{"other secret", Sign("x", []byte(body)), false},
		{"no prefix", want[len("sha256="):], false},
		{"not hex", "sha256=zz", false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		if got := Verify(secret, []byte(body), tt.header); got != tt.ok {
			t.Errorf("%s: Verify = %v, want %v", tt.name, got, tt.ok)
		}
	}
}
