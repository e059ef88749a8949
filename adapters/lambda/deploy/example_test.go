package deploy_test

import (
	"fmt"

	"github.com/nextgo-dev/nextgo/adapters/lambda/deploy"
	"github.com/nextgo-dev/nextgo/bundler/manifest"
)

func ExampleRouteKeys() {
	for _, fn := range []manifest.Function{
		{Pattern: "/api/post/[pid]", Kind: "api", Methods: []string{"*"}},
		{Pattern: "/api/docs/[[...slug]]", Kind: "api", Methods: []string{"*"}},
		{Pattern: "/api/items/[id]", Kind: "route", Methods: []string{"GET", "DELETE"}},
	} {
		keys, err := deploy.RouteKeys(fn)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(fn.Pattern, "→", keys)
	}
	// Output:
	// /api/post/[pid] → [ANY /api/post/{pid}]
	// /api/docs/[[...slug]] → [ANY /api/docs ANY /api/docs/{slug+}]
	// /api/items/[id] → [ANY /api/items/{id}]
}

func ExampleFunctionName() {
	fmt.Println(deploy.FunctionName("shop", "prod", "/api/post/[pid]"))
	fmt.Println(deploy.RoleName("shop", "prod"))
	fmt.Println(deploy.APIName("shop", "prod"))
	// Output:
	// shop-prod-api-post-_pid-24a2ea83
	// nextgo-shop-prod-exec
	// shop-prod
}
