package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/batch"
	"github.com/multilinehq/multiline/store/postgres"
)

// TestMigrateBatchRows: migration 00006 moves the report lines stored as
// JSON on each batch (a report of several lines, one never stored as
// anything but null, one empty) into batch_rows, where BatchRows reads
// them by line with their accounts, and back on the way down.
func TestMigrateBatchRows(t *testing.T) {
	requireDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	schema := newSchemaName()
	admin := newPool(t, "public", 2)
	s := postgres.New(admin, postgres.WithSchema(schema))
	t.Cleanup(func() {
		_, err := admin.Exec(context.Background(), "DROP SCHEMA "+pgx.Identifier{schema}.Sanitize()+" CASCADE")
		assert.NoError(t, err)
	})
	require.NoError(t, postgres.MigrateTo(ctx, s, 5, false))

	q := pgx.Identifier{schema}.Sanitize()
	const rows = `[{"Row":3,"EmailOrDevice":"bob@example.com","FirstName":"Bob","LastName":"","MultilineNumber":"",
		"Status":"failed","Error":"email: taken","ErrorCode":"username.exists"},
		{"Row":2,"EmailOrDevice":"ada@example.com","FirstName":"Ada","LastName":"Lovelace","MultilineNumber":"+14155550101",
		"Status":"invited","Error":"","ErrorCode":""}]`
	const accounts = `["", "acc-ada"]`
	insert := func(id, key, rows, accounts string) {
		_, err := admin.Exec(ctx, `INSERT INTO `+q+`.batches (id, org_id, actor, mode, profile, key, state, rows, summary,
			accounts, created, finished, done, total, file_hash, runner)
			VALUES ($1, 'org-1', 'admin-1', 1, '', $2, 'finished', $3, '{"Total":2}', $4, now(), now(), 2, 2, '', '')`,
			id, key, rows, accounts)
		require.NoError(t, err)
	}
	insert("b-1", "k-1", rows, accounts)
	insert("b-2", "k-2", "null", "null")
	insert("b-3", "k-3", "[]", "[]")

	require.NoError(t, s.Migrate(ctx))
	read := func(id string) ([]batch.ReportRow, []account.ID) {
		var rs []batch.ReportRow
		var as []account.ID
		require.NoError(t, s.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
			var err error
			rs, as, err = tx.BatchRows(ctx, id)
			return err
		}))
		return rs, as
	}
	got, accts := read("b-1")
	assert.Equal(t, []batch.ReportRow{
		{Row: 2, EmailOrDevice: "ada@example.com", FirstName: "Ada", LastName: "Lovelace", MultilineNumber: "+14155550101",
			Status: batch.StatusInvited},
		{Row: 3, EmailOrDevice: "bob@example.com", FirstName: "Bob", Status: batch.StatusFailed, Error: "email: taken",
			ErrorCode: "username.exists"},
	}, got)
	assert.Equal(t, []account.ID{"acc-ada", ""}, accts)
	for _, id := range []string{"b-2", "b-3"} {
		got, _ := read(id)
		assert.Empty(t, got, id)
	}
	var head batch.Record
	require.NoError(t, s.Tx(ctx, func(ctx context.Context, tx multiline.Tx) error {
		var err error
		head, err = tx.Batch(ctx, "b-1")
		return err
	}))
	assert.Equal(t, batch.Summary{Total: 2}, head.Summary)
	assert.Equal(t, 2, head.Done)

	// Down: the lines go back into the batches' JSON, by line.
	require.NoError(t, postgres.MigrateTo(ctx, s, 5, true))
	var back, backAccts string
	require.NoError(t, admin.QueryRow(ctx, `SELECT rows::text, accounts::text FROM `+q+`.batches WHERE id = 'b-1'`).Scan(&back, &backAccts))
	assert.JSONEq(t, `[{"Row":2,"EmailOrDevice":"ada@example.com","FirstName":"Ada","LastName":"Lovelace",
		"MultilineNumber":"+14155550101","Status":"invited","Error":"","ErrorCode":""},
		{"Row":3,"EmailOrDevice":"bob@example.com","FirstName":"Bob","LastName":"","MultilineNumber":"",
		"Status":"failed","Error":"email: taken","ErrorCode":"username.exists"}]`, back)
	assert.JSONEq(t, `["acc-ada", ""]`, backAccts)
	require.NoError(t, admin.QueryRow(ctx, `SELECT rows::text, accounts::text FROM `+q+`.batches WHERE id = 'b-2'`).Scan(&back, &backAccts))
	assert.JSONEq(t, `[]`, back, "a batch without lines has an empty report")
	assert.JSONEq(t, `[]`, backAccts)
	// And up again.
	require.NoError(t, s.Migrate(ctx))
	got, accts = read("b-1")
	assert.Len(t, got, 2)
	assert.Equal(t, []account.ID{"acc-ada", ""}, accts)
}
