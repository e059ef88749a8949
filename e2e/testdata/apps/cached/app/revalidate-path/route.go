package revalidatepath

import "github.com/nextgo-dev/nextgo/runtime/server"

// POST purges the cached GET of ?path=.
func POST(req *server.Request) (*server.Response, error) {
	if err := server.RevalidatePath(req.Context(), req.NextURL().Query().Get("path")); err != nil {
		return nil, err
	}
	return server.JSON(map[string]bool{"revalidated": true}), nil
}
