package gobuild

import "testing"

func TestUserAdvice(t *testing.T) {
	in := "pages/api/x.go:3:2: missing go.sum entry for module providing package github.com/joho/godotenv (imported by example.com/app/_nextgo/build/routes/api-x); to add:\n\tgo get example.com/app/_nextgo/build/routes/api-x"
	want := "pages/api/x.go:3:2: missing go.sum entry for module providing package github.com/joho/godotenv (imported by example.com/app/_nextgo/build/routes/api-x); to add:\n\tgo get github.com/joho/godotenv"
	if got := userAdvice(in); got != want {
		t.Errorf("userAdvice =\n%s\nwant\n%s", got, want)
	}
	other := "lib/x.go:3:2: missing go.sum entry for module providing package a.b/c (imported by example.com/app/lib); to add:\n\tgo get example.com/app/lib"
	if got := userAdvice(other); got != other {
		t.Errorf("advice about the app's own package changed:\n%s", got)
	}
}
