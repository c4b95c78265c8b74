package memory_test

import (
	"testing"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/store/memory"
	"github.com/multilinehq/multiline/store/storetest"
)

// TestConformance holds the memory store to the Store contract.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) multiline.Store { return memory.New() })
}
