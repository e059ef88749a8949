package dotenv_test

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/nextgo-dev/nextgo/bundler/dotenv"
)

func ExampleLoad() {
	dir, _ := os.MkdirTemp("", "app")
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, ".env"), []byte("GREETING=hello\nAPI_URL=https://example.com\n"), 0o600)
	os.WriteFile(filepath.Join(dir, ".env.production"), []byte("API_URL=https://api.example.com\n"), 0o600)

	env, files, err := dotenv.Load(dir, dotenv.Production)
	if err != nil {
		fmt.Println(err)
		return
	}
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Println(files)
	fmt.Println(keys)
	fmt.Println(env["API_URL"])
	// Output:
	// [.env.production .env]
	// [API_URL GREETING]
	// https://api.example.com
}
