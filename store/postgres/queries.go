package postgres

import (
	"strings"

	"github.com/jackc/pgx/v5"
)

// Column lists, in the order the scan functions read them.
const (
	orgCols     = "id, parent_id, name, settings, created"
	adminCols   = "id, name, email, roles, created"
	profileCols = "id, org_id, name, is_default, created"
	numberCols  = "e164, org_id, state, tag, account_id, origin, aging_until"
	accountCols = "id, org_id, account_id, first_name, last_name, email, device, username, applications, number, " +
		"profile_id, forwarding, features, language, social_messaging, restrict_incoming_social, record_calls, " +
		"record_sms, status, suspended_from, batch_id, created, updated"
	invitationCols = "account_id, id, org_id, channel, destination, token_hash, token_version, retired, expires_at, " +
		"state, consent, message_id, created, updated"
	messageCols = "id, kind, org_id, channel, to_addr, subject, body_text, body_html, idempotency_key, invitation_id, " +
		"account_id, token_version, secret, state, attempts, last_error, next_attempt, sent_at, created"
	batchCols = "id, org_id, actor, mode, profile, key, state, summary, created, finished, done, total, file_hash, runner, lease_until"
	// batchRowCols are the columns of a batch's report line, after its
	// batch_id.
	batchRowCols = "line, email_or_device, first_name, last_name, multiline_number, status, error, error_code, account_id"
	auditCols    = "id, at, actor, org_id, action, subject, before, after"
)

// clearedBody blanks a sent message's body and secret.
const clearedBody = `body_text = '', body_html = '', secret = ''`

// queries are the store's SQL statements, with the schema named in each.
type queries struct {
	org, children, createOrg, createOrgCapacity, updateOrg, lockOrg, capacity, addCounts string

	admin, createAdmin, adminExists, adminEmailTaken, orgExists string

	profiles, createProfile, profileExists, defaultTaken string

	number, numberExists, createNumber, updateNumber, pickNumber, pickNumberTag string
	freeNumbers, freeNumbersTag, agedNumbers, listNumbers, listNumbersAfter     string

	account, createAccount, updateAccount, deleteAccount, deleteAccountLocked string
	accountExists, usernameTaken, accountIDTaken                              string
	listAccounts, listAccountsAfter                                           string

	invitation, invitationByToken, createInvitation, updateInvitation, invitationKeyTaken string
	deleteTokens, insertTokens, deleteTokensIfInvitation, insertTokensIfInvitation        string
	deleteInvitation                                                                      string

	message, enqueue, messageExists, messageKeyTaken, updateMessage, messageKey, dueMessages string
	messages, messagesAfter                                                                  string
	listMessages, listMessagesAfter                                                          string
	// The narrow updates of a message whose delivery alone changed (and,
	// for sentMessage, whose body and secret were cleared).
	updateDelivery, sentMessage string
	// syncDue makes message_due hold, of the messages $1 names, those that
	// are due (Queued or Failed) and no other.
	syncDue string
	// insertDue and deleteDue add and remove the message_due rows of the
	// messages $1 names, whose states the transaction knows.
	insertDue, deleteDue string

	batch, batchByKey, createBatch, batchExists, batchKeyTaken, batchHead, updateBatch string
	listBatches, listBatchesAfter                                                      string
	appendBatchRows, batchRows                                                         string

	appendAudit, listAudit, listAuditAfter string

	// The group calls' statements.
	numbersByE164, accountConflicts, createAccounts, createInvitations, enqueueAll string
	messagesByID, invitationsOf                                                    string
	swapDeliveries                                                                 string
	// The COPYs of the group calls' long runs of rows (see copy.go).
	copyAccounts, copyInvitations, copyTokens, copyMessages, copyBatchRows *copyTo

	// merge holds, by the SQL of a single-row write that is queued, the
	// set-based statement that does a run of them at once.
	merge map[string]merger
}

// newQueries returns the statements for the schema (its name, unquoted).
func newQueries(schema string) queries {
	r := strings.NewReplacer("{s}", pgx.Identifier{schema}.Sanitize())
	q := func(s string) string { return r.Replace(s) }
	qs := queries{
		org:               q(`SELECT ` + orgCols + ` FROM {s}.orgs WHERE id = $1 FOR SHARE`),
		children:          q(`SELECT ` + orgCols + ` FROM {s}.orgs WHERE parent_id = $1 ORDER BY id`),
		createOrg:         q(`INSERT INTO {s}.orgs (` + orgCols + `) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`),
		orgExists:         q(`SELECT EXISTS (SELECT 1 FROM {s}.orgs WHERE id = $1)`),
		createOrgCapacity: q(`INSERT INTO {s}.org_capacity (org_id) VALUES ($1) ON CONFLICT DO NOTHING`),
		updateOrg:         q(`UPDATE {s}.orgs SET name = $2, settings = $3 WHERE id = $1`),
		// lockOrg and capacity are the only statements that read
		// org_capacity: a transaction's count changes go before them, or
		// with COMMIT (readsCounts, tx.go). Another such read must be
		// added there.
		lockOrg: q(`SELECT c.available, c.pending, c.held, c.total FROM {s}.org_capacity c
			WHERE c.org_id = $1 AND EXISTS (SELECT 1 FROM {s}.orgs o WHERE o.id = $1) FOR UPDATE OF c`),
		capacity: q(`SELECT available, pending, held, total FROM {s}.org_capacity WHERE org_id = $1`),
		addCounts: q(`INSERT INTO {s}.org_capacity AS c (org_id, available, pending, held, total)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (org_id) DO UPDATE SET available = c.available + EXCLUDED.available,
				pending = c.pending + EXCLUDED.pending, held = c.held + EXCLUDED.held, total = c.total + EXCLUDED.total`),

		admin:           q(`SELECT ` + adminCols + ` FROM {s}.admins WHERE id = $1`),
		createAdmin:     q(`INSERT INTO {s}.admins (` + adminCols + `) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`),
		adminExists:     q(`SELECT EXISTS (SELECT 1 FROM {s}.admins WHERE id = $1)`),
		adminEmailTaken: q(`SELECT EXISTS (SELECT 1 FROM {s}.admins WHERE email = $1 AND email <> '')`),

		profiles:      q(`SELECT ` + profileCols + ` FROM {s}.profiles WHERE org_id = ANY($1) ORDER BY id`),
		createProfile: q(`INSERT INTO {s}.profiles (` + profileCols + `) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`),
		defaultTaken:  q(`SELECT EXISTS (SELECT 1 FROM {s}.profiles WHERE org_id = $1 AND is_default)`),
		profileExists: q(`SELECT EXISTS (SELECT 1 FROM {s}.profiles WHERE id = $1)`),

		number:       q(`SELECT ` + numberCols + ` FROM {s}.numbers WHERE e164 = $1 FOR UPDATE`),
		numberExists: q(`SELECT EXISTS (SELECT 1 FROM {s}.numbers WHERE e164 = $1)`),
		createNumber: q(`INSERT INTO {s}.numbers (` + numberCols + `) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`),
		updateNumber: q(`UPDATE {s}.numbers SET org_id = $2, state = $3, tag = $4, account_id = $5, origin = $6,
			aging_until = $7 WHERE e164 = $1`),
		pickNumber: q(`SELECT ` + numberCols + ` FROM {s}.numbers WHERE org_id = $1 AND state = $2
			LIMIT 1 FOR UPDATE SKIP LOCKED`),
		pickNumberTag: q(`SELECT ` + numberCols + ` FROM {s}.numbers WHERE org_id = $1 AND state = $2 AND tag = $3
			LIMIT 1 FOR UPDATE SKIP LOCKED`),
		freeNumbers: q(`SELECT ` + numberCols + ` FROM {s}.numbers WHERE org_id = $1 AND state = $2
			ORDER BY e164 LIMIT $3`),
		freeNumbersTag: q(`SELECT ` + numberCols + ` FROM {s}.numbers WHERE org_id = $1 AND state = $2 AND tag = $3
			ORDER BY e164 LIMIT $4`),
		agedNumbers: q(`SELECT ` + numberCols + ` FROM {s}.numbers
			WHERE state = 'Aging' AND (aging_until IS NULL OR aging_until <= $1)
			ORDER BY e164 LIMIT $2 FOR UPDATE SKIP LOCKED`),
		listNumbers:      q(`SELECT ` + numberCols + ` FROM {s}.numbers WHERE org_id = $1 ORDER BY e164 LIMIT $2`),
		listNumbersAfter: q(`SELECT ` + numberCols + ` FROM {s}.numbers WHERE org_id = $1 AND e164 > $3 ORDER BY e164 LIMIT $2`),

		account: q(`SELECT ` + accountCols + ` FROM {s}.accounts WHERE id = $1 FOR UPDATE`),
		createAccount: q(`INSERT INTO {s}.accounts (` + accountCols + `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
			$11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23) ON CONFLICT DO NOTHING`),
		updateAccount: q(`UPDATE {s}.accounts SET org_id = $2, account_id = $3, first_name = $4, last_name = $5,
			email = $6, device = $7, username = $8, applications = $9, number = $10, profile_id = $11,
			forwarding = $12, features = $13, language = $14, social_messaging = $15,
			restrict_incoming_social = $16, record_calls = $17, record_sms = $18, status = $19,
			suspended_from = $20, batch_id = $21, created = $22, updated = $23 WHERE id = $1`),
		deleteAccount: q(`WITH a AS (DELETE FROM {s}.accounts WHERE id = $1 RETURNING ` + accountCols + `),
			i AS (DELETE FROM {s}.invitations WHERE account_id = $1 AND EXISTS (SELECT 1 FROM a)),
			t AS (DELETE FROM {s}.invitation_tokens WHERE account_id = $1 AND EXISTS (SELECT 1 FROM a))
			SELECT ` + accountCols + ` FROM a`),
		deleteAccountLocked: q(`DELETE FROM {s}.accounts WHERE id = $1`),
		accountExists:       q(`SELECT EXISTS (SELECT 1 FROM {s}.accounts WHERE id = $1)`),
		usernameTaken:       q(`SELECT EXISTS (SELECT 1 FROM {s}.accounts WHERE username = $1)`),
		accountIDTaken:      q(`SELECT EXISTS (SELECT 1 FROM {s}.accounts WHERE org_id = $1 AND account_id = $2 AND account_id <> '')`),
		listAccounts:        q(`SELECT ` + accountCols + ` FROM {s}.accounts WHERE org_id = $1 ORDER BY id LIMIT $2`),
		listAccountsAfter:   q(`SELECT ` + accountCols + ` FROM {s}.accounts WHERE org_id = $1 AND id > $3 ORDER BY id LIMIT $2`),

		invitation: q(`SELECT ` + invitationCols + ` FROM {s}.invitations WHERE account_id = $1 FOR UPDATE`),
		invitationByToken: q(`SELECT ` + prefixed("i.", invitationCols) + ` FROM {s}.invitation_tokens t
			JOIN {s}.invitations i ON i.account_id = t.account_id WHERE t.hash = $1 FOR UPDATE OF i`),
		createInvitation: q(`WITH ins AS (INSERT INTO {s}.invitations (` + invitationCols + `)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT DO NOTHING
				RETURNING account_id),
			tok AS (INSERT INTO {s}.invitation_tokens (hash, account_id)
				SELECT h, ins.account_id FROM ins, unnest($15::bytea[]) AS h)
			SELECT count(*) FROM ins`),
		invitationKeyTaken: q(`SELECT EXISTS (SELECT 1 FROM {s}.invitations WHERE account_id = $1 OR id = $2)`),
		updateInvitation: q(`UPDATE {s}.invitations SET id = $2, org_id = $3, channel = $4, destination = $5,
			token_hash = $6, token_version = $7, retired = $8, expires_at = $9, state = $10, consent = $11,
			message_id = $12, created = $13, updated = $14 WHERE account_id = $1`),
		deleteTokens: q(`DELETE FROM {s}.invitation_tokens WHERE account_id = $1`),
		insertTokens: q(`INSERT INTO {s}.invitation_tokens (hash, account_id) SELECT h, $1 FROM unnest($2::bytea[]) AS h`),
		deleteTokensIfInvitation: q(`DELETE FROM {s}.invitation_tokens WHERE account_id = $1
			AND EXISTS (SELECT 1 FROM {s}.invitations WHERE account_id = $1)`),
		insertTokensIfInvitation: q(`INSERT INTO {s}.invitation_tokens (hash, account_id) SELECT h, $1 FROM unnest($2::bytea[]) AS h
			WHERE EXISTS (SELECT 1 FROM {s}.invitations WHERE account_id = $1)`),
		deleteInvitation: q(`DELETE FROM {s}.invitations WHERE account_id = $1`),

		message:         q(`SELECT ` + messageCols + ` FROM {s}.messages WHERE id = $1 FOR UPDATE`),
		enqueue:         q(`INSERT INTO {s}.messages (` + messageCols + `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) ON CONFLICT DO NOTHING`),
		messageKeyTaken: q(`SELECT EXISTS (SELECT 1 FROM {s}.messages WHERE idempotency_key = $1)`),
		messageExists:   q(`SELECT EXISTS (SELECT 1 FROM {s}.messages WHERE id = $1)`),
		updateMessage: q(`UPDATE {s}.messages SET kind = $2, org_id = $3, channel = $4, to_addr = $5, subject = $6,
			body_text = $7, body_html = $8, invitation_id = $10, account_id = $11, token_version = $12,
			secret = $13, state = $14, attempts = $15, last_error = $16, next_attempt = $17, sent_at = $18,
			created = $19 WHERE id = $1 AND idempotency_key = $9`),
		updateDelivery: q(`UPDATE {s}.messages SET state = $3, attempts = $4, last_error = $5, next_attempt = $6,
			sent_at = $7 WHERE id = $1 AND idempotency_key = $2`),
		sentMessage: q(`UPDATE {s}.messages SET ` + clearedBody + `, state = $3, attempts = $4, last_error = $5,
			next_attempt = $6, sent_at = $7 WHERE id = $1 AND idempotency_key = $2`),
		messageKey: q(`SELECT idempotency_key FROM {s}.messages WHERE id = $1 FOR UPDATE`),
		dueMessages: q(`SELECT ` + prefixed("m.", messageCols) + ` FROM {s}.message_due d JOIN {s}.messages m ON m.id = d.id
			WHERE m.state IN ('Queued', 'Failed') AND (m.next_attempt IS NULL OR m.next_attempt <= $1)
			ORDER BY d.id LIMIT $2 FOR UPDATE OF m SKIP LOCKED`),
		insertDue: q(`INSERT INTO {s}.message_due (id) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING`),
		deleteDue: q(`DELETE FROM {s}.message_due WHERE id = ANY($1::text[])`),
		syncDue: q(`WITH s AS (SELECT id, state IN ('Queued', 'Failed') AS due FROM {s}.messages WHERE id = ANY($1::text[])),
				d AS (DELETE FROM {s}.message_due WHERE id IN (SELECT id FROM s WHERE NOT due))
			INSERT INTO {s}.message_due (id) SELECT id FROM s WHERE due ON CONFLICT DO NOTHING`),
		messages:          q(`SELECT ` + messageCols + ` FROM {s}.messages WHERE org_id = $1 ORDER BY id LIMIT $2`),
		messagesAfter:     q(`SELECT ` + messageCols + ` FROM {s}.messages WHERE org_id = $1 AND id > $3 ORDER BY id LIMIT $2`),
		listMessages:      q(`SELECT ` + messageCols + ` FROM {s}.messages WHERE org_id = $1 ORDER BY id DESC LIMIT $2`),
		listMessagesAfter: q(`SELECT ` + messageCols + ` FROM {s}.messages WHERE org_id = $1 AND id < $3 ORDER BY id DESC LIMIT $2`),

		batch:         q(`SELECT ` + batchCols + ` FROM {s}.batches WHERE id = $1 FOR UPDATE`),
		batchByKey:    q(`SELECT ` + batchCols + ` FROM {s}.batches WHERE org_id = $1 AND key = $2 FOR UPDATE`),
		createBatch:   q(`INSERT INTO {s}.batches (` + batchCols + `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) ON CONFLICT DO NOTHING`),
		batchExists:   q(`SELECT EXISTS (SELECT 1 FROM {s}.batches WHERE id = $1)`),
		batchKeyTaken: q(`SELECT EXISTS (SELECT 1 FROM {s}.batches WHERE org_id = $1 AND key = $2)`),
		batchHead:     q(`SELECT org_id, coalesce(key, '') FROM {s}.batches WHERE id = $1 FOR UPDATE`),
		updateBatch: q(`UPDATE {s}.batches SET actor = $3, mode = $4, profile = $5, key = $6, state = $7,
			summary = $8, created = $9, finished = $10,
			done = $11, total = $12, file_hash = $13, runner = $14, lease_until = $15
			WHERE id = $1 AND org_id = $2 AND ($6::text IS NULL OR key = $6)`),
		listBatches:      q(`SELECT ` + batchCols + ` FROM {s}.batches WHERE org_id = $1 ORDER BY id DESC LIMIT $2`),
		listBatchesAfter: q(`SELECT ` + batchCols + ` FROM {s}.batches WHERE org_id = $1 AND id < $3 ORDER BY id DESC LIMIT $2`),
		// The lines of batch $1, one per element of the arrays $2…$10,
		// inserted only if the batch exists (a one-time check of its
		// primary key), so that the rows affected tell a missing batch.
		appendBatchRows: q(`INSERT INTO {s}.batch_rows (batch_id, ` + batchRowCols + `)
			SELECT $1, v.line, v.email_or_device, v.first_name, v.last_name, v.multiline_number, v.status, v.error,
				v.error_code, nullif(v.account_id, '')
			FROM unnest($2::int4[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
				$10::text[]) AS v(` + batchRowCols + `)
			WHERE EXISTS (SELECT 1 FROM {s}.batches WHERE id = $1)`),
		batchRows: q(`SELECT line, email_or_device, first_name, last_name, multiline_number, status, error, error_code,
			coalesce(account_id, '') FROM {s}.batch_rows WHERE batch_id = $1 ORDER BY line`),

		appendAudit:    q(`INSERT INTO {s}.audit (` + auditCols + `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`),
		listAudit:      q(`SELECT ` + auditCols + ` FROM {s}.audit WHERE org_id = ANY($1) ORDER BY id DESC LIMIT $2`),
		listAuditAfter: q(`SELECT ` + auditCols + ` FROM {s}.audit WHERE org_id = ANY($1) AND id < $3 ORDER BY id DESC LIMIT $2`),

		// The keyed group reads (see keyed) are driven by their keys: one
		// probe of the key's index each, whatever the table's size.
		numbersByE164: q(keyed("{s}.numbers", numberCols, "e164")),
		// For each account (by its place in the arrays, from 1), the first of
		// its keys that is taken, in the order CreateAccount checks them.
		// Each key is a scalar subquery, which the planner runs once per
		// account, as one probe of the key's unique index; an EXISTS it may
		// run as one hashed scan of the whole table instead, as it did for
		// a few hundred accounts against tables of 8 000 and 20 000 rows
		// (see keyed for why that costs more than the planner thinks).
		accountConflicts: q(`SELECT c.n, c.key FROM (SELECT v.n, CASE
				WHEN (SELECT true FROM {s}.accounts a WHERE a.id = v.id) THEN 'account'
				WHEN (SELECT true FROM {s}.accounts a WHERE a.username = v.username) THEN 'username'
				WHEN v.account_id <> '' AND (SELECT true FROM {s}.accounts a
					WHERE a.org_id = v.org_id AND a.account_id = v.account_id AND a.account_id <> '') THEN 'account_id'
				END AS key
			FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS v(id, username, org_id, account_id, n)) c
			WHERE c.key IS NOT NULL`),
		createAccounts: q(insertMany("{s}.accounts", accountColumns, 1)),
		// The invitations' columns are $1…$14; $15 and $16 are their token
		// hashes and the accounts they belong to, side by side.
		createInvitations: q(`WITH ins AS (` + insertMany("{s}.invitations", invitationColumns, 1) + `)
			INSERT INTO {s}.invitation_tokens (hash, account_id) SELECT * FROM unnest($15::bytea[], $16::text[])`),
		enqueueAll:      q(insertMany("{s}.messages", messageColumns, 1)),
		copyAccounts:    newCopyTo(schema, "accounts", accountColumns),
		copyInvitations: newCopyTo(schema, "invitations", invitationColumns),
		copyTokens:      newCopyTo(schema, "invitation_tokens", tokenColumns),
		copyMessages:    newCopyTo(schema, "messages", messageColumns),
		copyBatchRows:   newCopyTo(schema, "batch_rows", batchRowColumns),
		messagesByID:    q(keyed("{s}.messages", messageCols, "id")),
		invitationsOf:   q(keyed("{s}.invitations", invitationCols, "account_id")),
		// The messages of $1 (sorted) whose delivery is still the one
		// given, found by their key's index as updateMany finds its rows;
		// at READ COMMITTED a row another transaction changed meanwhile is
		// weighed again as it was committed, so a delivery that moved on
		// is not swapped.
		swapDeliveries: q(`UPDATE {s}.messages AS t SET state = v.state, attempts = v.attempts,
				last_error = v.last_error, next_attempt = v.next_attempt, sent_at = v.sent_at,
				body_text = v.body_text, body_html = v.body_html, secret = v.secret
			FROM ` + unnest(swapColumns, 1) + `
			WHERE t.id = v.id AND t.state = v.was_state AND t.attempts = v.was_attempts
				AND t.next_attempt IS NOT DISTINCT FROM v.was_next
				AND t.id = ANY (ARRAY(SELECT unnest($1::text[])))
			RETURNING t.id`),
	}
	qs.merge = map[string]merger{
		qs.appendAudit:   inserter(q("{s}.audit"), newCopyTo(schema, "audit", auditColumns)),
		qs.updateNumber:  updater(q("{s}.numbers"), numberColumns, "e164"),
		qs.updateAccount: updater(q("{s}.accounts"), accountColumns, "id"),
		// A message's update applies only while its idempotency key is the
		// stored one: the key is part of the row's name.
		qs.updateMessage:  updater(q("{s}.messages"), messageColumns, "id", "idempotency_key"),
		qs.updateDelivery: updater(q("{s}.messages"), deliveryColumns, "id", "idempotency_key"),
		qs.sentMessage:    updaterAlso(q("{s}.messages"), deliveryColumns, clearedBody, "id", "idempotency_key"),
	}
	return qs
}

// keyed returns the statement that reads and locks the rows of table
// whose key column is among the distinct keys $1, which the caller passes
// sorted (byte order, the "C" collation of every key column), and returns
// them in that order. The rows are locked in that order too, as every group
// read locks them, so two group reads do not deadlock each other.
//
// The statement is driven by the keys: for each, a subquery (kept as one by
// its FOR UPDATE, which the planner does not flatten into a join) probes
// the key's index. Written as "key = ANY($1) ORDER BY key FOR UPDATE", as
// it was until 2026-12-01, the planner read the whole table for a few
// hundred keys until it held some 50 000 rows, as its costs say it should
// (they price a probe of the index as a few hundred rows of a scan); but
// under concurrent imports the rows scanned are the ones other
// transactions are writing, whose visibility costs far more to decide
// than the costs say, and the scans grew with the organization's pool
// (see BENCHMARKS.md, "Concurrent imports").
func keyed(table, cols, key string) string {
	return `SELECT ` + prefixed("r.", cols) + ` FROM unnest($1::text[]) WITH ORDINALITY AS k(key, n)
		CROSS JOIN LATERAL (SELECT ` + cols + ` FROM ` + table + ` WHERE ` + key + ` = k.key FOR UPDATE) r
		ORDER BY k.n`
}

// prefixed qualifies each column of a list with p.
func prefixed(p, cols string) string {
	parts := strings.Split(cols, ", ")
	for i, c := range parts {
		parts[i] = p + c
	}
	return strings.Join(parts, ", ")
}
