package postgres

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Long runs of inserts go as COPY … FROM STDIN BINARY, in PostgreSQL's
// binary format, rather than as INSERT … SELECT … FROM unnest(…).
//
// Why: a group of an import inserts hundreds of accounts, invitations,
// token hashes, messages, audit events and report lines. As array
// parameters, every value is encoded by pgx into a Bind message that grows
// (and is copied) as it goes, several megabytes a group; the server then
// decodes the arrays, unnests them and inserts row by row. As COPY, the rows
// are encoded here, in the format the server reads without parsing, as
// pgconn sends them (see copyReader), and the server inserts them in
// batches, which also writes less WAL (one record per page of rows).
//
// The cost: a COPY cannot go in a pipeline, so each one is a round trip of
// its own, where the INSERT went with the transaction's next one. Hence
// only runs of at least DefaultCopyRows rows go as COPY; shorter ones stay
// statements (WithCopyRows sets the length, or turns COPY off). What the
// rows are is unchanged: the same argument lists, column kinds and NULLs
// as the set-based statements (see sets.go), and a key taken fails the
// transaction with a *multiline.UniqueError as the INSERT did (neither has
// ON CONFLICT).

// DefaultCopyRows is the number of rows from which a run of inserts goes as
// COPY, unless WithCopyRows says otherwise. On loopback a COPY of accounts
// was slower than the statement at 8 rows and faster from 32
// (BenchmarkGroupInsert, medians of 3 runs of 30 transactions: 1.21
// against 1.07 ms at 8 rows, 1.84 against 2.10 at 32, 2.50 against 2.96 at
// 64); 64 leaves room for the round trip a COPY adds across a network.
const DefaultCopyRows = 64

// WithCopyRows makes runs of n inserts or more go as COPY … FROM STDIN
// BINARY (default DefaultCopyRows); n <= 0 makes every insert a statement.
// Turn COPY off on an engine where the store's role may not COPY: on
// CockroachDB only members of the admin role may (its COPY page, v20.2 to
// v24.3, says so).
func WithCopyRows(n int) Option {
	return func(s *Store) {
		if n <= 0 {
			n = math.MaxInt
		}
		s.copyMin = n
	}
}

// copyTo is the COPY of rows of cols into one table.
type copyTo struct {
	schema, table string // unquoted
	sql           string
	cols          []column
}

// newCopyTo returns the COPY of cols into schema.table.
func newCopyTo(schema, table string, cols []column) *copyTo {
	to := &copyTo{schema: schema, table: table, cols: cols}
	// The form pgx's own CopyFrom sends (PostgreSQL still reads this syntax
	// from before 9.0), so that engines that work with pgx read it too.
	to.sql = "COPY " + pgx.Identifier{schema, table}.Sanitize() + " (" + strings.Join(to.names(), ", ") + ") FROM STDIN BINARY"
	return to
}

// names returns the names of the columns.
func (to *copyTo) names() []string {
	names := make([]string, len(to.cols))
	for i, c := range to.cols {
		names[i] = c.name
	}
	return names
}

// copyIn is a write sent as COPY: its rows, which hold none of the
// caller's slices (a caller may reuse them as soon as the call that queued
// the write returns: newCopyIn copies them), or the error a value met,
// which fails the write when it is sent.
type copyIn struct {
	to   *copyTo
	rows [][]any
	err  error
}

// newCopyIn returns the COPY of rows, argument lists in the order of the
// columns of to, which it owns: it copies the values of the caller's
// slices in place ([]byte, [][]byte, []string; strings are immutable) and
// checks each value against its column (its type; an integer's range), so
// that encoding them later, as they are sent, in pgconn's goroutine,
// cannot fail or panic and reads nothing a caller may change. A row of
// the wrong length or a value of the wrong type is a bug of the store: it
// fails the COPY.
func newCopyIn(to *copyTo, rows [][]any) *copyIn {
	c := &copyIn{to: to, rows: rows}
	for _, row := range rows {
		if len(row) != len(to.cols) {
			c.err = fmt.Errorf("postgres: %d values for %d columns of %s", len(row), len(to.cols), to.table)
			return c
		}
		for i, v := range row {
			if !fits(to.cols[i].kind, v) {
				c.err = fmt.Errorf("postgres: a %T for column %s of %s", v, to.cols[i].name, to.table)
				return c
			}
			switch v := v.(type) {
			case []byte:
				if v != nil {
					row[i] = bytes.Clone(v)
				}
			case [][]byte:
				if v != nil {
					cp := make([][]byte, len(v))
					for j, e := range v {
						if e != nil {
							cp[j] = bytes.Clone(e)
						}
					}
					row[i] = cp
				}
			case []string:
				if v != nil {
					row[i] = append(make([]string, 0, len(v)), v...)
				}
			case int:
				if c.err == nil && (v < math.MinInt32 || v > math.MaxInt32) {
					c.err = fmt.Errorf("postgres: %d is out of range for column %s (integer)", v, to.cols[i].name)
				}
			}
		}
	}
	return c
}

// fits reports whether v is a value encodeField takes for a column of kind
// k.
func fits(k kind, v any) bool {
	switch v.(type) {
	case string:
		return k == kText || k == kNullText || k == kJSONB || k == kJSON
	case nil:
		return k == kJSONB || k == kJSON || k == kTime
	case time.Time:
		return k == kTime
	case int:
		return k == kInt
	case bool:
		return k == kBool
	case []byte:
		return k == kBytea
	case []string:
		return k == kTexts
	case [][]byte:
		return k == kByteas
	}
	return false
}

// laterRows queues rows to go as COPY if there are at least copyMin of
// them, else as the set-based statement sql, whose parameters are the
// arrays of the columns.
func (t *tx) laterRows(to *copyTo, sql string, rows [][]any) {
	if len(rows) >= t.s.copyMin {
		t.laterCopy(to, rows)
		return
	}
	t.later(sql, arrays(to.cols, rows)...)
}

// laterCopy queues rows to go as COPY, with the next round trip (before
// it, in a round trip of their own).
func (t *tx) laterCopy(to *copyTo, rows [][]any) {
	t.pending = append(t.pending, stmt{copy: newCopyIn(to, rows)})
}

// sendCopy runs a COPY, in its own round trip. The connection's tracer, if
// it traces CopyFrom, sees it as one.
//
// The rows are encoded as pgconn reads them (copyReader), in pgconn's own
// goroutine, while the server takes in what came before: an import's
// group encoded them into a buffer of a megabyte or more before it sent
// them until 2026-12-01's seventh session. When the connection fails under
// a COPY, pgconn's CopyFrom may return before that goroutine is done
// reading (pgx v5.12.0, pgconn.go); it then reads only the rows, which
// newCopyIn made the COPY's own and nothing writes, and the reader's own
// buffer, which nothing else uses.
func (t *tx) sendCopy(ctx context.Context, c *copyIn) (err error) {
	if c.err != nil {
		return c.err
	}
	var tag pgconn.CommandTag
	if tr := t.s.copyTracer; tr != nil {
		ctx = tr.TraceCopyFromStart(ctx, t.conn, pgx.TraceCopyFromStartData{
			TableName: pgx.Identifier{c.to.schema, c.to.table}, ColumnNames: c.to.names()})
		defer func() { tr.TraceCopyFromEnd(ctx, t.conn, pgx.TraceCopyFromEndData{CommandTag: tag, Err: err}) }()
	}
	tag, err = t.conn.PgConn().CopyFrom(ctx, newCopyReader(c.to.cols, c.rows), c.to.sql)
	return err
}

// copyReader reads the binary COPY data of rows: the header, each row, the
// trailer (see copySignature), encoding one row at a time as it is read.
// Its rows are newCopyIn's, which fit their columns.
type copyReader struct {
	cols []column
	rows [][]any
	next int          // the row to encode next
	row  bytes.Buffer // the encoding of a row, or of the header or trailer
	left []byte       // what of row has not been read
	done bool         // the trailer is in row
}

// newCopyReader returns a reader of the COPY data of rows, whose values
// encodeField cannot fail on (see newCopyIn).
func newCopyReader(cols []column, rows [][]any) *copyReader {
	r := &copyReader{cols: cols, rows: rows}
	putHeader(&r.row)
	r.left = r.row.Bytes()
	return r
}

// Read implements io.Reader.
func (r *copyReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(r.left) > 0 {
			k := copy(p[n:], r.left)
			r.left, n = r.left[k:], n+k
			continue
		}
		r.row.Reset()
		switch {
		case r.next < len(r.rows):
			if err := encodeRow(&r.row, r.cols, r.rows[r.next]); err != nil {
				return n, err
			}
			r.next++
		case !r.done:
			putTrailer(&r.row)
			r.done = true
		default:
			return n, io.EOF
		}
		r.left = r.row.Bytes()
	}
	return n, nil
}

// The binary COPY format: a signature, flags and a header extension's
// length; per row, its number of fields and each field as its length (-1
// for NULL) and its value in the type's binary form; -1 at the end.
const copySignature = "PGCOPY\n\xff\r\n\x00"

// Element types of arrays, in their binary form (pg_type OIDs).
const (
	oidBytea = 17
	oidText  = 25
)

// pgEpoch is where timestamptz counts its microseconds from.
var pgEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// putHeader appends the COPY data's header.
func putHeader(buf *bytes.Buffer) {
	buf.WriteString(copySignature)
	buf.Write(make([]byte, 8)) // flags 0, no header extension
}

// putTrailer appends the COPY data's trailer: -1 as a field count.
func putTrailer(buf *bytes.Buffer) {
	buf.Write([]byte{0xff, 0xff})
}

// encodeRow appends a row: its number of fields and its fields.
func encodeRow(buf *bytes.Buffer, cols []column, row []any) error {
	if len(row) != len(cols) {
		return fmt.Errorf("postgres: %d values for %d columns", len(row), len(cols))
	}
	var b [2]byte
	binary.BigEndian.PutUint16(b[:], uint16(len(cols)))
	buf.Write(b[:])
	for i, c := range cols {
		if err := encodeField(buf, c, row[i]); err != nil {
			return err
		}
	}
	return nil
}

// putInt32 appends v as a big-endian int32.
func putInt32(buf *bytes.Buffer, v int32) {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], uint32(v))
	buf.Write(b[:])
}

// putText appends a field holding s as it is (text's and json's binary
// form is their bytes; jsonb's is a version byte, 1, and then its text).
func putText(buf *bytes.Buffer, prefix, s string) {
	putInt32(buf, int32(len(prefix)+len(s)))
	buf.WriteString(prefix)
	buf.WriteString(s)
}

// encodeField appends the field of value v of column c.
func encodeField(buf *bytes.Buffer, c column, v any) error {
	switch c.kind {
	case kText:
		putText(buf, "", v.(string))
	case kNullText:
		if v.(string) == "" {
			putInt32(buf, -1)
		} else {
			putText(buf, "", v.(string))
		}
	case kJSONB, kJSON:
		if v == nil {
			putInt32(buf, -1)
		} else if c.kind == kJSONB {
			putText(buf, "\x01", v.(string))
		} else {
			putText(buf, "", v.(string))
		}
	case kTime:
		if v == nil {
			putInt32(buf, -1)
			return nil
		}
		// Microseconds, truncated, as pgx sends a time.Time.
		t := v.(time.Time)
		us := t.Unix()*1_000_000 + int64(t.Nanosecond())/1000 - pgEpoch.Unix()*1_000_000
		putInt32(buf, 8)
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], uint64(us))
		buf.Write(b[:])
	case kInt:
		n := v.(int)
		if n < math.MinInt32 || n > math.MaxInt32 {
			return fmt.Errorf("postgres: %d is out of range for column %s (integer)", n, c.name)
		}
		putInt32(buf, 4)
		putInt32(buf, int32(n))
	case kBool:
		putInt32(buf, 1)
		if v.(bool) {
			buf.WriteByte(1)
		} else {
			buf.WriteByte(0)
		}
	case kBytea:
		if v.([]byte) == nil {
			putInt32(buf, -1)
			return nil
		}
		putInt32(buf, int32(len(v.([]byte))))
		buf.Write(v.([]byte))
	case kTexts:
		ss := v.([]string)
		if ss == nil {
			putInt32(buf, -1)
			return nil
		}
		size := 0
		for _, s := range ss {
			size += 4 + len(s)
		}
		putArrayHeader(buf, size, len(ss), false, oidText)
		for _, s := range ss {
			putText(buf, "", s)
		}
	case kByteas:
		bs := v.([][]byte)
		if bs == nil {
			putInt32(buf, -1)
			return nil
		}
		size, nulls := 0, false
		for _, e := range bs {
			size += 4 + len(e)
			nulls = nulls || e == nil
		}
		putArrayHeader(buf, size, len(bs), nulls, oidBytea)
		for _, e := range bs {
			if e == nil {
				putInt32(buf, -1)
			} else {
				putInt32(buf, int32(len(e)))
				buf.Write(e)
			}
		}
	default:
		panic(fmt.Sprintf("postgres: unknown column kind %d", c.kind))
	}
	return nil
}

// putArrayHeader appends the length of a one-dimensional array field whose
// elements take size bytes, and the array's header: its dimensions (none
// when it is empty), whether it holds NULLs, its element type, and its
// length and lower bound, 1.
func putArrayHeader(buf *bytes.Buffer, size, n int, nulls bool, elem int32) {
	hasNull := int32(0)
	if nulls {
		hasNull = 1
	}
	if n == 0 {
		putInt32(buf, 12)
		putInt32(buf, 0)
		putInt32(buf, hasNull)
		putInt32(buf, elem)
		return
	}
	putInt32(buf, int32(20+size))
	putInt32(buf, 1)
	putInt32(buf, hasNull)
	putInt32(buf, elem)
	putInt32(buf, int32(n))
	putInt32(buf, 1)
}
