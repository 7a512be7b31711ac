package sqlite

import (
	"testing"

	"github.com/exponea-wasm/tracker/internal/collector/store/storetest"
)

func TestStoreContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Backend { return open(t, "", Options{}) })
}
