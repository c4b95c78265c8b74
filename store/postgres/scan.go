package postgres

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/batch"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/mlerr"
	"github.com/multilinehq/multiline/numberpool"
	"github.com/multilinehq/multiline/org"
	"github.com/multilinehq/multiline/permissions"
)

// ts is the argument for a time: NULL for the zero time.
func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// fromTS returns a scanned time in UTC, or the zero time for NULL.
func fromTS(t pgtype.Timestamptz) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}

// jsonArg encodes v for a jsonb column.
func jsonArg(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("postgres: encode %T: %w", v, err)
	}
	return string(b), nil
}

// rawArg is the argument for a JSON document held as bytes: NULL when empty.
func rawArg(raw json.RawMessage) any {
	if len(raw) == 0 {
		return nil
	}
	return string(raw)
}

// strings converts a slice of a string type for a text[] column, keeping
// nil apart from empty.
func toStrings[S ~string](in []S) []string {
	if in == nil {
		return nil
	}
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = string(s)
	}
	return out
}

func fromStrings[S ~string](in []string) []S {
	if in == nil {
		return nil
	}
	out := make([]S, len(in))
	for i, s := range in {
		out[i] = S(s)
	}
	return out
}

func scanOrg(row pgx.Row, o *org.Org) error {
	var id, parent string
	var settings []byte
	var created pgtype.Timestamptz
	if err := row.Scan(&id, &parent, &o.Name, &settings, &created); err != nil {
		return err
	}
	o.ID, o.ParentID, o.Created = org.ID(id), org.ID(parent), fromTS(created)
	o.Settings = org.Settings{}
	if err := json.Unmarshal(settings, &o.Settings); err != nil {
		return fmt.Errorf("decode the settings of organization %s: %w", id, err)
	}
	return nil
}

func orgArgs(o org.Org) ([]any, error) {
	settings, err := jsonArg(o.Settings)
	if err != nil {
		return nil, err
	}
	return []any{string(o.ID), string(o.ParentID), o.Name, settings, ts(o.Created)}, nil
}

func scanCounts(row pgx.Row, c *counts) error {
	return row.Scan(&c.available, &c.pending, &c.held, &c.total)
}

func scanAdmin(row pgx.Row, a *permissions.Admin) error {
	var id string
	var roles []byte
	var created pgtype.Timestamptz
	if err := row.Scan(&id, &a.Name, &a.Email, &roles, &created); err != nil {
		return err
	}
	a.ID, a.Created, a.Roles = permissions.AdminID(id), fromTS(created), nil
	return json.Unmarshal(roles, &a.Roles)
}

func scanProfile(row pgx.Row, p *permissions.Profile) error {
	var id, o string
	var created pgtype.Timestamptz
	if err := row.Scan(&id, &o, &p.Name, &p.Default, &created); err != nil {
		return err
	}
	p.ID, p.OrgID, p.Created = permissions.ProfileID(id), org.ID(o), fromTS(created)
	return nil
}

func scanNumber(row pgx.Row, n *numberpool.Number) error {
	var o, state, origin string
	var aging pgtype.Timestamptz
	if err := row.Scan(&n.E164, &o, &state, &n.Tag, &n.Account, &origin, &aging); err != nil {
		return err
	}
	n.OrgID, n.State, n.Origin, n.AgingUntil = org.ID(o), numberpool.State(state), numberpool.State(origin), fromTS(aging)
	return nil
}

func numberArgs(n numberpool.Number) []any {
	return []any{n.E164, string(n.OrgID), string(n.State), n.Tag, n.Account, string(n.Origin), ts(n.AgingUntil)}
}

func scanAccount(row pgx.Row, a *account.Account) error {
	var id, o, profile, status, from string
	var apps, features []string
	var created, updated pgtype.Timestamptz
	if err := row.Scan(&id, &o, &a.AccountID, &a.FirstName, &a.LastName, &a.Email, &a.Device, &a.Username, &apps,
		&a.Number, &profile, &a.Forwarding, &features, &a.Language, &a.SocialMessaging, &a.RestrictIncomingSocial,
		&a.RecordCalls, &a.RecordSMS, &status, &from, &a.BatchID, &created, &updated); err != nil {
		return err
	}
	a.ID, a.OrgID, a.ProfileID = account.ID(id), org.ID(o), permissions.ProfileID(profile)
	a.Applications, a.Features = fromStrings[org.Application](apps), fromStrings[org.Feature](features)
	a.Status, a.SuspendedFrom = account.Status(status), account.Status(from)
	a.Created, a.Updated = fromTS(created), fromTS(updated)
	return nil
}

func accountArgs(a account.Account) []any {
	return []any{string(a.ID), string(a.OrgID), a.AccountID, a.FirstName, a.LastName, a.Email, a.Device, a.Username,
		toStrings(a.Applications), a.Number, string(a.ProfileID), a.Forwarding, toStrings(a.Features), a.Language,
		a.SocialMessaging, a.RestrictIncomingSocial, a.RecordCalls, a.RecordSMS, string(a.Status),
		string(a.SuspendedFrom), a.BatchID, ts(a.Created), ts(a.Updated)}
}

func scanInvitation(row pgx.Row, inv *invite.Invitation) error {
	var acc, id, o, channel, state, msg string
	var consent []byte
	var expires, created, updated pgtype.Timestamptz
	inv.TokenHash, inv.Retired = nil, nil
	if err := row.Scan(&acc, &id, &o, &channel, &inv.Destination, &inv.TokenHash, &inv.TokenVersion, &inv.Retired,
		&expires, &state, &consent, &msg, &created, &updated); err != nil {
		return err
	}
	inv.Account, inv.ID, inv.OrgID = account.ID(acc), invite.ID(id), org.ID(o)
	inv.Channel, inv.State, inv.Message = invite.Channel(channel), invite.State(state), invite.MessageID(msg)
	inv.ExpiresAt, inv.Created, inv.Updated = fromTS(expires), fromTS(created), fromTS(updated)
	inv.Consent = nil
	if consent != nil {
		inv.Consent = &invite.Consent{}
		if err := json.Unmarshal(consent, inv.Consent); err != nil {
			return fmt.Errorf("decode the consent of invitation %s: %w", id, err)
		}
		inv.Consent.At = inv.Consent.At.UTC()
	}
	return nil
}

func invitationArgs(inv invite.Invitation) ([]any, error) {
	var consent any
	if inv.Consent != nil {
		c, err := jsonArg(inv.Consent)
		if err != nil {
			return nil, err
		}
		consent = c
	}
	return []any{string(inv.Account), string(inv.ID), string(inv.OrgID), string(inv.Channel), inv.Destination,
		inv.TokenHash, inv.TokenVersion, inv.Retired, ts(inv.ExpiresAt), string(inv.State), consent,
		string(inv.Message), ts(inv.Created), ts(inv.Updated)}, nil
}

// tokenHashes returns every hash an invitation answers to.
func tokenHashes(inv invite.Invitation) [][]byte {
	out := make([][]byte, 0, 1+len(inv.Retired))
	if len(inv.TokenHash) > 0 {
		out = append(out, inv.TokenHash)
	}
	for _, h := range inv.Retired {
		if len(h) > 0 {
			out = append(out, h)
		}
	}
	return out
}

func scanMessage(row pgx.Row, m *invite.Message) error {
	var id, kind, o, channel, invID, acc, state string
	var next, sent, created pgtype.Timestamptz
	if err := row.Scan(&id, &kind, &o, &channel, &m.To, &m.Subject, &m.Text, &m.HTML, &m.IdempotencyKey, &invID,
		&acc, &m.TokenVersion, &m.Secret, &state, &m.Attempts, &m.LastError, &next, &sent, &created); err != nil {
		return err
	}
	m.ID, m.Kind, m.OrgID, m.Channel = invite.MessageID(id), invite.Kind(kind), org.ID(o), invite.Channel(channel)
	m.InvitationID, m.Account, m.State = invite.ID(invID), account.ID(acc), invite.MessageState(state)
	m.NextAttempt, m.SentAt, m.Created = fromTS(next), fromTS(sent), fromTS(created)
	return nil
}

func messageArgs(m invite.Message) []any {
	return []any{string(m.ID), string(m.Kind), string(m.OrgID), string(m.Channel), m.To, m.Subject, m.Text, m.HTML,
		m.IdempotencyKey, string(m.InvitationID), string(m.Account), m.TokenVersion, m.Secret, string(m.State),
		m.Attempts, m.LastError, ts(m.NextAttempt), ts(m.SentAt), ts(m.Created)}
}

// deliveryArgs are the arguments of the narrow updates of a message's
// delivery, in the order of deliveryColumns.
func deliveryArgs(m invite.Message) []any {
	return []any{string(m.ID), m.IdempotencyKey, string(m.State), m.Attempts, m.LastError, ts(m.NextAttempt), ts(m.SentAt)}
}

func scanBatch(row pgx.Row, b *batch.Record) error {
	var id, o, actor, profile, state string
	var mode int
	var key *string
	var summary []byte
	var created, finished, lease pgtype.Timestamptz
	var done, total int
	var fileHash, runner string
	if err := row.Scan(&id, &o, &actor, &mode, &profile, &key, &state, &summary,
		&created, &finished, &done, &total, &fileHash, &runner, &lease); err != nil {
		return err
	}
	b.Done, b.Total, b.FileHash, b.Runner, b.LeaseUntil = done, total, fileHash, runner, fromTS(lease)
	b.ID, b.OrgID, b.Actor, b.Profile, b.State = id, org.ID(o), permissions.AdminID(actor), permissions.ProfileID(profile), batch.State(state)
	b.Mode, b.Key = batch.Mode(mode), ""
	if key != nil {
		b.Key = *key
	}
	b.Created, b.Finished = fromTS(created), fromTS(finished)
	b.Rows, b.Summary, b.Accounts = nil, batch.Summary{}, nil
	if err := json.Unmarshal(summary, &b.Summary); err != nil {
		return fmt.Errorf("decode the summary of batch %s: %w", id, err)
	}
	return nil
}

// batchArgs are the arguments of a batch's header, in the order of
// batchCols.
func batchArgs(b batch.Record) ([]any, error) {
	summary, err := jsonArg(b.Summary)
	if err != nil {
		return nil, err
	}
	var key any
	if b.Key != "" {
		key = b.Key
	}
	return []any{b.ID, string(b.OrgID), string(b.Actor), int(b.Mode), string(b.Profile), key, string(b.State),
		summary, ts(b.Created), ts(b.Finished), b.Done, b.Total, b.FileHash, b.Runner, ts(b.LeaseUntil)}, nil
}

// batchRowArgs are the arguments of appendBatchRows: the batch's ID, then
// each column of batchRowCols as an array.
func batchRowArgs(id string, rows []batch.ReportRow, accounts []account.ID) []any {
	n := len(rows)
	lines := make([]int32, n)
	cols := make([][]string, 8)
	for i := range cols {
		cols[i] = make([]string, n)
	}
	for i, r := range rows {
		lines[i] = int32(r.Row)
		cols[0][i], cols[1][i], cols[2][i], cols[3][i] = r.EmailOrDevice, r.FirstName, r.LastName, r.MultilineNumber
		cols[4][i], cols[5][i], cols[6][i] = string(r.Status), r.Error, r.ErrorCode
		if accounts != nil {
			cols[7][i] = string(accounts[i])
		}
	}
	return []any{id, lines, cols[0], cols[1], cols[2], cols[3], cols[4], cols[5], cols[6], cols[7]}
}

// batchRowCopyArgs are a batch's report lines as rows of batchRowColumns.
func batchRowCopyArgs(id string, rows []batch.ReportRow, accounts []account.ID) [][]any {
	out := make([][]any, len(rows))
	for i, r := range rows {
		acct := ""
		if accounts != nil {
			acct = string(accounts[i])
		}
		out[i] = []any{id, r.Row, r.EmailOrDevice, r.FirstName, r.LastName, r.MultilineNumber, string(r.Status),
			r.Error, r.ErrorCode, acct}
	}
	return out
}

// scanBatchRow scans a line of batchRows and its account ("" for none).
func scanBatchRow(row pgx.Row, r *batch.ReportRow, a *account.ID) error {
	var line int32
	var status, acct string
	if err := row.Scan(&line, &r.EmailOrDevice, &r.FirstName, &r.LastName, &r.MultilineNumber, &status,
		&r.Error, &r.ErrorCode, &acct); err != nil {
		return err
	}
	r.Row, r.Status, *a = int(line), batch.Status(status), account.ID(acct)
	return nil
}

func scanEvent(row pgx.Row, e *multiline.AuditEvent) error {
	var actor, o string
	var at pgtype.Timestamptz
	var before, after []byte
	if err := row.Scan(&e.ID, &at, &actor, &o, &e.Action, &e.Subject, &before, &after); err != nil {
		return err
	}
	e.At, e.Actor, e.OrgID = fromTS(at), permissions.AdminID(actor), org.ID(o)
	e.Before, e.After = nil, nil
	if before != nil {
		e.Before = json.RawMessage(before)
	}
	if after != nil {
		e.After = json.RawMessage(after)
	}
	return nil
}

func eventArgs(e multiline.AuditEvent) []any {
	return []any{e.ID, ts(e.At), string(e.Actor), string(e.OrgID), e.Action, e.Subject, rawArg(e.Before), rawArg(e.After)}
}

// Cursors: the key of the last item of a page, base64url-encoded.

func encodeCursor(key string) string { return base64.RawURLEncoding.EncodeToString([]byte(key)) }

func decodeCursor(c string) (string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || !utf8.Valid(raw) || strings.ContainsRune(string(raw), 0) || len(raw) == 0 {
		return "", fmt.Errorf("postgres: malformed page cursor: %w", mlerr.ErrInvalid)
	}
	return string(raw), nil
}
