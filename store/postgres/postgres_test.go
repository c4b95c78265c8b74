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

// TestConformanceCopy runs the conformance suites that call the methods
// whose writes may go as COPY (copy.go: CreateAccounts, CreateInvitations,
// EnqueueAll, CreateBatch, AppendBatchRows and runs of AppendAudit) on a
// store that sends every such run, however short, as COPY, so that what a
// COPY stores is held to the contract as the statements are. The other
// suites write nothing that goes as COPY; TestConformance runs them all.
func TestConformanceCopy(t *testing.T) {
	requireDatabase(t)
	storetest.RunSuites(t, func(t *testing.T) multiline.Store {
		schema := newSchema(t)
		return postgres.New(newPool(t, schema, 8), postgres.WithSchema(schema), postgres.WithCopyRows(1))
	}, "Records", "Copies", "Unique", "Batches", "FailedCallKeepsTx", "Atomicity", "Outbox", "Audit", "Pagination",
		"Concurrency", "Group")
}
