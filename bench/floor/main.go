//go:build js && wasm

// Command floor is the size floor of the SDK: the smallest Go→wasm program
// that links the three things every build of the SDK must (the JS bridge of
// the runtime, safejs and uuid). Each import is used, so the linker keeps
// it; nothing else is linked. bench/run.sh builds it with the SDK's flags.
package main

import (
	"syscall/js"

	"github.com/google/uuid"
	"github.com/hack-pad/safejs"
)

func main() {
	v, err := safejs.ValueOf(uuid.NewString())
	if err != nil {
		panic(err)
	}
	js.Global().Set("floorID", safejs.Unsafe(v))
}
