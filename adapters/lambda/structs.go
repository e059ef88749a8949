package lambda

import (
	"context"
	"encoding/json"
	"fmt"
)

// The Serve methods of each event source (ServeAPIGatewayV1,
// ServeAPIGatewayV2, ServeALB, ServeFunctionURL) take events already
// decoded into aws-lambda-go's structs, for callers that decode events
// themselves or route several event kinds through their own lambda.Start
// handler; their signatures fit lambda.Start. They go through the one
// conversion the adapter has, Invoke's, by way of the JSON the struct
// stands for, so they answer exactly as Invoke answers that JSON, at the
// cost of encoding/json both ways. A Handler given to lambda.Start as it
// is reads raw events instead, which is cheaper.

// serveStruct serves ev, an aws-lambda-go event struct of source src, as
// Invoke serves its JSON, and decodes the answer into R. wire is what is
// encoded: ev itself, or ev with the fields its struct cannot say. The
// source is src whatever the fields say, and Event returns ev.
func serveStruct[R any](ctx context.Context, h *Handler, src *source, ev, wire any) (R, error) {
	var out R
	payload, err := json.Marshal(wire)
	if err != nil {
		return out, fmt.Errorf("lambda: encoding the %s event: %w", src.name, err)
	}
	b, err := h.invokeAs(ctx, src, string(payload), ev)
	if err != nil {
		return out, err
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return out, fmt.Errorf("lambda: decoding the %s response: %w", src.name, err)
	}
	return out, nil
}
