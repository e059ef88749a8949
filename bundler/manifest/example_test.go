package manifest_test

import (
	"fmt"

	"github.com/nextgo-dev/nextgo/bundler/manifest"
)

// A function's manifest entry records the names and digest of its
// environment, never the values; Environ takes them from the .env files
// again and refuses values that changed since the build.
func ExampleFunction_Environ() {
	fn := manifest.Function{Name: "api-user"}
	fn.SetEnv(map[string]string{"GREETING": "hello"})
	fmt.Println(fn.Env)

	env, err := fn.Environ(map[string]string{"GREETING": "hello", "OTHER": "x"})
	fmt.Println(env, err)
	_, err = fn.Environ(map[string]string{"GREETING": "bonjour"})
	fmt.Println(err)
	// Output:
	// [GREETING]
	// map[GREETING:hello] <nil>
	// function api-user: the environment changed since the build (.env files or the environment): build again
}
