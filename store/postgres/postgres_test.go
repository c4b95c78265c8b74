package postgres_test

import (
	"testing"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/store/postgres"
	"github.com/multilinehq/multiline/store/storetest"
)

// TestConformance holds the PostgreSQL store to the Store contract: the
// conformance suite, unchanged, each of its tests on a fresh schema.
func TestConformance(t *testing.T) {
	requireDatabase(t)
	storetest.Run(t, func(t *testing.T) multiline.Store {
		schema := newSchema(t)
		return postgres.New(newPool(t, schema, 8), postgres.WithSchema(schema))
	})
}
