package cloudformation_test

import (
	"fmt"
	"maps"
	"slices"

	"github.com/nextgo-dev/nextgo/adapters/lambda/cloudformation"
	"github.com/nextgo-dev/nextgo/adapters/lambda/deploy"
	"github.com/nextgo-dev/nextgo/bundler/manifest"
)

func ExampleFunctionID() {
	fmt.Println(cloudformation.FunctionID(deploy.RouteID("/api/post/[pid]")))
	fmt.Println(cloudformation.FunctionID(deploy.RouteID("")))
	fmt.Println(cloudformation.ParameterID("API_KEY"))
	// Output:
	// RouteApiPostPid24a2ea83
	// Fallback
	// EnvAPIKEYccae6d91
}

func ExampleNew() {
	b := &deploy.Build{Manifest: manifest.Manifest{App: "shop", Functions: []manifest.Function{{
		Name: "api-user", Pattern: "/api/user", Kind: "api", Methods: []string{"*"},
		MaxDuration: 10, Memory: 256, Arch: "arm64", Zip: "functions/api-user.zip",
		SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
	}}}}
	d, err := deploy.Desire(b, "prod")
	if err != nil {
		fmt.Println(err)
		return
	}
	t, err := cloudformation.New(d, cloudformation.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, id := range slices.Sorted(maps.Keys(t.Resources)) {
		fmt.Println(id, t.Resources[id].Type)
	}
	fn := t.Resources["RouteApiUserc4cf151dFunction"].Properties
	fmt.Println(fn["FunctionName"], fn["Timeout"], fn["MemorySize"], fn["Code"])
	// Output:
	// ExecutionRole AWS::IAM::Role
	// HttpApi AWS::ApiGatewayV2::Api
	// HttpApiStage AWS::ApiGatewayV2::Stage
	// RouteApiUserc4cf151dAlias AWS::Lambda::Alias
	// RouteApiUserc4cf151dFunction AWS::Lambda::Function
	// RouteApiUserc4cf151dIntegration AWS::ApiGatewayV2::Integration
	// RouteApiUserc4cf151dPermission AWS::Lambda::Permission
	// RouteApiUserc4cf151dRouteecc8e8dd AWS::ApiGatewayV2::Route
	// RouteApiUserc4cf151dVersion AWS::Lambda::Version
	// shop-prod-api-user-c4cf151d 10 256 functions/api-user.zip
}
