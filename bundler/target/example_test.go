package target_test

import (
	"fmt"
	"testing/fstest"

	"github.com/nextgo-dev/nextgo/bundler/routes"
	"github.com/nextgo-dev/nextgo/bundler/stage"
	"github.com/nextgo-dev/nextgo/bundler/target"
)

// The Lambda target builds static linux binaries without aws-lambda-go's
// RPC mode, zipped as bootstrap, and resolves each route's settings with
// Lambda's defaults.
func ExampleLambda() {
	var lambda target.Target = target.Lambda{}
	arch, _ := lambda.Arch("")
	fmt.Println(lambda.Name(), arch, lambda.GoEnv(arch), lambda.BuildFlags())
	fmt.Println(lambda.Artifact("api-user"))
	if _, err := lambda.Arch("386"); err != nil {
		fmt.Println(err)
	}

	app := fstest.MapFS{"pages/api/user.go": {Data: []byte("package user\n\nimport \"github.com/nextgo-dev/nextgo/runtime/api\"\n\n" +
		"var Config = api.Config{MaxDuration: 5}\n\nfunc Handler(req *api.Request, res *api.Response) {}\n")}}
	t, err := routes.BuildTable(app)
	if err != nil {
		fmt.Println(err)
		return
	}
	eff, _, err := target.Lambda{}.Settings(stage.App{}, t.Routes[0])
	fmt.Println(eff.MaxDuration, eff.Memory, eff.BodyLimit, eff.BodyLimitText, err)
	// Output:
	// lambda arm64 [GOOS=linux GOARCH=arm64 CGO_ENABLED=0] [-trimpath -buildvcs=false -tags=lambda.norpc -ldflags=-s -w]
	// functions/api-user.zip
	// --arch "386": Lambda runs arm64 or amd64
	// 5 1024 1048576 1mb <nil>
}
