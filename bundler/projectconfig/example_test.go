package projectconfig_test

import (
	"fmt"

	"github.com/nextgo-dev/nextgo/bundler/projectconfig"
)

func ExampleParse() {
	c, err := projectconfig.Parse([]byte(`{
		"name": "shop",
		"memory": 512,
		"architecture": "x86_64",
		"redirects": [{"source": "/old/:slug", "destination": "/api/items/:slug", "permanent": true}]
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Name, c.Memory, c.GOARCH(), c.Redirects[0].Destination)

	_, err = projectconfig.Parse([]byte(`{"redirects": [{"source": "/a", "destination": "/b", "permanent": "yes"}]}`))
	fmt.Println(err)
	// Output:
	// shop 512 amd64 /api/items/:slug
	// nextgo.json: redirects[0].permanent: want a boolean, got "yes"
}
