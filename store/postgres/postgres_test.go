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

// TestConformanceCopy runs the conformance suite on a store that sends
// every run of inserts, however short, as COPY (copy.go), so that what a
// COPY stores is held to the contract as the statements are.
func TestConformanceCopy(t *testing.T) {
	requireDatabase(t)
	storetest.Run(t, func(t *testing.T) multiline.Store {
		schema := newSchema(t)
		return postgres.New(newPool(t, schema, 8), postgres.WithSchema(schema), postgres.WithCopyRows(1))
	})
}
