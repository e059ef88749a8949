package templates_test

import (
	"fmt"

	"github.com/nextgo-dev/nextgo/templates"
)

func ExampleRender() {
	files, err := templates.Render("api-routes", "example.com/blog")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range files {
		fmt.Println(f.Path)
	}
	// Output:
	// .gitignore
	// .vscode/settings.json
	// README.md
	// go.mod
	// go.sum
	// pages/api/post/[...slug].go
	// pages/api/post/[...slug]_test.go
	// pages/api/post/[pid].go
	// pages/api/post/[pid]_test.go
	// pages/api/user.go
	// pages/api/user_test.go
}
