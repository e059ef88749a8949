package routetest

import (
	"runtime"

	"github.com/nextgo-dev/nextgo/runtime/router"
)

type router_Param = router.Param

func runtimeGoexit() { runtime.Goexit() }
