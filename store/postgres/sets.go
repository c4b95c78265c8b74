package postgres

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
)

// Set-based statements. A statement that writes many rows takes each column
// as one array parameter and unnests them side by side:
//
//	INSERT INTO t (a, b) SELECT v.a, v.b FROM unnest($1::text[], $2::int4[]) AS v(a, b)
//
// so that a thousand rows cost one statement, prepared once, rather than a
// thousand. The rows are built from the same argument lists ([]any, in
// column order) as the single-row statements, by numberArgs, accountArgs and
// the like, so that both forms store the same values.

// kind is how the values of one column travel in a set-based statement.
type kind int

const (
	kText     kind = iota // string → text[]
	kJSONB                // nil or a JSON document as a string → text[] with NULLs, cast to jsonb
	kJSON                 // the same, cast to json
	kTime                 // nil or time.Time → timestamptz[] with NULLs
	kInt                  // int → int4[]
	kBool                 // bool → bool[]
	kBytea                // []byte, nil for NULL → bytea[]
	kTexts                // []string, nil for NULL → text[] of array literals, cast to text[]
	kByteas               // [][]byte, nil for NULL → text[] of array literals, cast to bytea[]
	kNullText             // string, "" for NULL → text[] with NULLs
)

// Arrays of arrays must be rectangular in PostgreSQL, so a text[] or bytea[]
// column travels as the text of each row's array (an array literal), which
// the statement casts back. Every other column is an array of its own type,
// in pgx's binary format.

// param is the type of the array parameter of a column of kind k.
func (k kind) param() string {
	switch k {
	case kTime:
		return "timestamptz[]"
	case kInt:
		return "int4[]"
	case kBool:
		return "bool[]"
	case kBytea:
		return "bytea[]"
	default:
		return "text[]"
	}
}

// expr is the value of column c of unnested row v, as the table stores it.
func (k kind) expr(c string) string {
	switch k {
	case kJSONB:
		return "v." + c + "::jsonb"
	case kJSON:
		return "v." + c + "::json"
	case kTexts:
		return "v." + c + "::text[]"
	case kByteas:
		return "v." + c + "::bytea[]"
	default:
		return "v." + c
	}
}

// column is one column of a set-based statement.
type column struct {
	name string
	kind kind
}

// columnsOf pairs a column list (as orgCols and the like spell them) with
// the kinds of its columns.
func columnsOf(cols string, kinds ...kind) []column {
	names := strings.Split(cols, ", ")
	if len(names) != len(kinds) {
		panic(fmt.Sprintf("postgres: %d kinds for the %d columns %s", len(kinds), len(names), cols))
	}
	out := make([]column, len(names))
	for i, n := range names {
		out[i] = column{name: n, kind: kinds[i]}
	}
	return out
}

// The columns of the tables written set-based, in the order of their
// argument lists.
var (
	numberColumns  = columnsOf(numberCols, kText, kText, kText, kText, kText, kText, kTime)
	accountColumns = columnsOf(accountCols,
		kText, kText, kText, kText, kText, kText, kText, kText, // id … username
		kTexts, kText, kText, kText, kTexts, kText, // applications … language
		kBool, kBool, kBool, kBool, // social_messaging … record_sms
		kText, kText, kText, kTime, kTime) // status … updated
	invitationColumns = columnsOf(invitationCols,
		kText, kText, kText, kText, kText, // account_id … destination
		kBytea, kInt, kByteas, kTime, kText, kJSONB, kText, kTime, kTime) // token_hash … updated
	messageColumns = columnsOf(messageCols,
		kText, kText, kText, kText, kText, kText, kText, kText, kText, kText, kText, // id … account_id
		kInt, kText, kText, kInt, kText, kTime, kTime, kTime) // token_version … created
	auditColumns = columnsOf(auditCols, kText, kTime, kText, kText, kText, kText, kJSON, kJSON)
	// An invitation's token hashes, and a batch's report lines (their
	// account NULL when the line has none), as batchRowCopyArgs gives them.
	tokenColumns    = columnsOf("hash, account_id", kBytea, kText)
	batchRowColumns = columnsOf("batch_id, "+batchRowCols, kText, kInt, kText, kText, kText, kText, kText, kText, kText, kNullText)
	// The columns of the narrow updates of a message's delivery, in the
	// order of deliveryArgs.
	deliveryColumns = columnsOf("id, idempotency_key, state, attempts, last_error, next_attempt, sent_at",
		kText, kText, kText, kInt, kText, kTime, kTime)
	// The columns of SwapDeliveries: a message, the delivery it must still
	// have, and what it gets, in the order of swapArgs.
	swapColumns = columnsOf("id, was_state, was_attempts, was_next, "+
		"state, attempts, last_error, next_attempt, sent_at, body_text, body_html, secret",
		kText, kText, kInt, kTime, kText, kInt, kText, kTime, kTime, kText, kText, kText)
)

// unnest returns the FROM item that unnests the arrays of cols, numbered
// from parameter $first: unnest($1::text[], …) AS v(a, …).
func unnest(cols []column, first int) string {
	var b strings.Builder
	b.WriteString("unnest(")
	for i, c := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d::%s", first+i, c.kind.param())
	}
	b.WriteString(") AS v(")
	for i, c := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c.name)
	}
	b.WriteString(")")
	return b.String()
}

// insertMany returns the statement that inserts the unnested rows of cols
// into table (schema-qualified), its parameters numbered from $first.
func insertMany(table string, cols []column, first int) string {
	names, exprs := make([]string, len(cols)), make([]string, len(cols))
	for i, c := range cols {
		names[i], exprs[i] = c.name, c.kind.expr(c.name)
	}
	return "INSERT INTO " + table + " (" + strings.Join(names, ", ") + ") SELECT " + strings.Join(exprs, ", ") +
		" FROM " + unnest(cols, first)
}

// updateMany returns the statement that sets every column of cols but the
// keys in the rows of table whose keys equal an unnested row's, and also
// makes the assignments of also, constants such as clearedBody (none if
// empty). A row named twice would be updated once, with either: the caller
// passes each row once.
//
// The rows to update are also those whose first key is in the array of
// that key's values, given as ARRAY(SELECT unnest($n)), so that the
// planner reads them by that key's index, however large the table. Joined
// only to the unnested rows, by key = key, it read the table whole, for a
// few hundred rows, until the table held well over 50 000 rows (its costs
// price a probe of the index as a few hundred rows of a scan), but under
// concurrent imports the rows such a scan reads are the ones other
// transactions are writing, whose visibility costs far more to decide than
// the costs say (see keyed in queries.go for the reads). An ARRAY(…) of a
// subquery is a value the planner knows only when it runs, and until then
// it counts on 10 elements, which makes the index the cheaper way for any
// table of more than a few pages. Were a later planner to count the
// elements, the statement would be what it was before, and no worse.
func updateMany(table string, cols []column, also string, keys ...string) string {
	var set, where []string
	if also != "" {
		set = append(set, also)
	}
	probe := ""
	for i, c := range cols {
		if slices.Contains(keys, c.name) {
			where = append(where, "t."+c.name+" = v."+c.name)
			if c.name == keys[0] {
				probe = fmt.Sprintf("t.%s = ANY (ARRAY(SELECT unnest($%d::%s)))", c.name, i+1, c.kind.param())
			}
		} else {
			set = append(set, c.name+" = "+c.kind.expr(c.name))
		}
	}
	if len(where) != len(keys) {
		panic(fmt.Sprintf("postgres: keys %v are not all columns of %s", keys, table))
	}
	return "UPDATE " + table + " AS t SET " + strings.Join(set, ", ") + " FROM " + unnest(cols, 1) +
		" WHERE " + strings.Join(append(where, probe), " AND ")
}

// arrays turns rows, argument lists in the order of cols, into one array
// argument per column.
func arrays(cols []column, rows [][]any) []any {
	out := make([]any, len(cols))
	for i, c := range cols {
		out[i] = array(c.kind, rows, i)
	}
	return out
}

// array returns column i of rows as the argument of a column of kind k.
// A value of the wrong type is a bug of the store: it panics.
func array(k kind, rows [][]any, i int) any {
	switch k {
	case kText:
		return collect(rows, i, func(v any) string { return v.(string) })
	case kJSONB, kJSON:
		return collect(rows, i, func(v any) pgtype.Text {
			if v == nil {
				return pgtype.Text{}
			}
			return pgtype.Text{String: v.(string), Valid: true}
		})
	case kTime:
		return collect(rows, i, func(v any) pgtype.Timestamptz {
			if v == nil {
				return pgtype.Timestamptz{}
			}
			return pgtype.Timestamptz{Time: v.(time.Time), Valid: true}
		})
	case kInt:
		return collect(rows, i, func(v any) int { return v.(int) })
	case kBool:
		return collect(rows, i, func(v any) bool { return v.(bool) })
	case kBytea:
		// A copy: the caller may reuse its slices before the statement goes.
		return collect(rows, i, func(v any) []byte { return bytes.Clone(v.([]byte)) })
	case kTexts:
		return collect(rows, i, func(v any) pgtype.Text { return textsLiteral(v.([]string)) })
	case kByteas:
		return collect(rows, i, func(v any) pgtype.Text { return byteasLiteral(v.([][]byte)) })
	case kNullText:
		return collect(rows, i, func(v any) pgtype.Text { return pgtype.Text{String: v.(string), Valid: v.(string) != ""} })
	}
	panic(fmt.Sprintf("postgres: unknown column kind %d", k))
}

func collect[T any](rows [][]any, i int, f func(any) T) []T {
	out := make([]T, len(rows))
	for r, row := range rows {
		out[r] = f(row[i])
	}
	return out
}

// literalQuoter escapes an element of an array literal inside double quotes.
var literalQuoter = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// textsLiteral returns the array literal of a text[] value: NULL for nil,
// else every element double-quoted, so that no element is read as NULL or
// split.
func textsLiteral(ss []string) pgtype.Text {
	if ss == nil {
		return pgtype.Text{}
	}
	var b strings.Builder
	b.WriteByte('{')
	for i, s := range ss {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		literalQuoter.WriteString(&b, s)
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return pgtype.Text{String: b.String(), Valid: true}
}

// byteasLiteral returns the array literal of a bytea[] value: NULL for nil,
// else every element in bytea's hex format (\x…, its backslash escaped), a
// nil element as NULL.
func byteasLiteral(bs [][]byte) pgtype.Text {
	if bs == nil {
		return pgtype.Text{}
	}
	var b strings.Builder
	b.WriteByte('{')
	for i, v := range bs {
		if i > 0 {
			b.WriteByte(',')
		}
		if v == nil {
			b.WriteString("NULL")
			continue
		}
		b.WriteString(`"\\x`)
		b.WriteString(hex.EncodeToString(v))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return pgtype.Text{String: b.String(), Valid: true}
}

// merger makes one set-based statement of a run of queued single-row
// statements of the same SQL, whose arguments are rows of cols.
type merger struct {
	sql  string // the set-based statement
	cols []column
	// copy, for an insert, is the COPY that does a long run at once (see
	// copy.go).
	copy *copyTo
	// keys, for an update, are the indexes of the columns that name the
	// row. Of several updates of one row only the last is kept: each sets
	// the same columns, so the last is what they leave, and an UPDATE …
	// FROM applies only one of the source rows that match a row.
	keys []int
}

// inserter returns the merger of single-row inserts of the columns of to
// into its table (schema-qualified and quoted in table).
func inserter(table string, to *copyTo) merger {
	return merger{sql: insertMany(table, to.cols, 1), copy: to, cols: to.cols}
}

// updater returns the merger of single-row updates of table that set every
// column of cols but keys, in the rows the keys name.
func updater(table string, cols []column, keys ...string) merger {
	return updaterAlso(table, cols, "", keys...)
}

// updaterAlso is updater for single-row updates that also make the constant
// assignments of also.
func updaterAlso(table string, cols []column, also string, keys ...string) merger {
	m := merger{sql: updateMany(table, cols, also, keys...), cols: cols}
	for i, c := range cols {
		if slices.Contains(keys, c.name) {
			m.keys = append(m.keys, i)
		}
	}
	return m
}

// merge returns the statement that does what run, queued statements of the
// merger's single-row SQL, would do one after another: for a run of at
// least copyMin inserts, a COPY.
func (m merger) merge(run []stmt, copyMin int) stmt {
	rows := make([][]any, 0, len(run))
	if len(m.keys) == 0 {
		for _, st := range run {
			rows = append(rows, st.args)
		}
	} else {
		at := make(map[string]int, len(run))
		for _, st := range run {
			k := m.rowKey(st.args)
			if i, ok := at[k]; ok {
				rows[i] = st.args
				continue
			}
			at[k] = len(rows)
			rows = append(rows, st.args)
		}
	}
	if m.copy != nil && len(rows) >= copyMin {
		return stmt{copy: newCopyIn(m.copy, rows)}
	}
	return stmt{sql: m.sql, args: arrays(m.cols, rows)}
}

// rowKey joins the key values (strings) of a row into one map key.
func (m merger) rowKey(row []any) string {
	if len(m.keys) == 1 {
		return row[m.keys[0]].(string)
	}
	var b strings.Builder
	for _, i := range m.keys {
		s := row[i].(string)
		fmt.Fprintf(&b, "%d:%s", len(s), s)
	}
	return b.String()
}
