package multiline

import (
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/multilinehq/multiline/account"
)

// accountJSON is json.Marshal(a), written by hand: an import audits every
// account it creates, and reflection cost more than the rest of the audit
// event. TestAccountJSON and FuzzAccountJSON hold it to json.Marshal's
// output byte for byte, so a field added to account.Account fails them
// until it is added here.
//
// It is written into a buffer on the stack and returned at its exact
// length: a buffer on the heap sized by guess grew (an imported row's
// account takes some 620 bytes) and kept the room it did not use for as
// long as the event lived.
func accountJSON(a account.Account) json.RawMessage {
	var buf [1024]byte
	return exact(appendAccountJSON(buf[:0], a))
}

// appendAccountJSON appends accountJSON(a) to b: an import's group writes
// its rows' snapshots into one buffer, which the store copies from (Tx
// keeps nothing of its arguments).
func appendAccountJSON(b []byte, a account.Account) []byte {
	b = appendField(b, '{', "ID", string(a.ID))
	b = appendField(b, ',', "OrgID", string(a.OrgID))
	b = appendField(b, ',', "AccountID", a.AccountID)
	b = appendField(b, ',', "FirstName", a.FirstName)
	b = appendField(b, ',', "LastName", a.LastName)
	b = appendField(b, ',', "Email", a.Email)
	b = appendField(b, ',', "Device", a.Device)
	b = appendField(b, ',', "Username", a.Username)
	b = append(b, `,"Applications":`...)
	b = appendStrings(b, a.Applications)
	b = appendField(b, ',', "Number", a.Number)
	b = appendField(b, ',', "ProfileID", string(a.ProfileID))
	b = appendField(b, ',', "Forwarding", a.Forwarding)
	b = append(b, `,"Features":`...)
	b = appendStrings(b, a.Features)
	b = appendField(b, ',', "Language", a.Language)
	b = append(b, `,"SocialMessaging":`...)
	b = strconv.AppendBool(b, a.SocialMessaging)
	b = append(b, `,"RestrictIncomingSocial":`...)
	b = strconv.AppendBool(b, a.RestrictIncomingSocial)
	b = append(b, `,"RecordCalls":`...)
	b = strconv.AppendBool(b, a.RecordCalls)
	b = append(b, `,"RecordSMS":`...)
	b = strconv.AppendBool(b, a.RecordSMS)
	b = appendField(b, ',', "Status", string(a.Status))
	b = appendField(b, ',', "SuspendedFrom", string(a.SuspendedFrom))
	b = appendField(b, ',', "BatchID", a.BatchID)
	b = append(b, `,"Created":`...)
	b = appendTime(b, a.Created)
	b = append(b, `,"Updated":`...)
	b = appendTime(b, a.Updated)
	return append(b, '}')
}

// exact returns a copy of b at its length: the snapshot builders write into
// a buffer on their stack and keep only the bytes they wrote.
func exact(b []byte) json.RawMessage {
	out := make(json.RawMessage, len(b))
	copy(out, b)
	return out
}

func appendField(b []byte, sep byte, name, v string) []byte {
	b = append(b, sep, '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return appendJSONString(b, v)
}

func appendStrings[S ~string](b []byte, vs []S) []byte {
	if vs == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, v := range vs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, string(v))
	}
	return append(b, ']')
}

// appendTime writes t as time.Time's MarshalJSON does. A time it refuses
// (a year outside 0–9999) cannot come from the service's clock; it is
// written as null rather than failing the audit event.
func appendTime(b []byte, t time.Time) []byte {
	// AppendText is MarshalJSON without the quotes and the allocation.
	// On error it returns no slice at all: fall back to b.
	v, err := t.AppendText(append(b, '"'))
	if err != nil {
		return append(b, "null"...)
	}
	return append(v, '"')
}

const hexDigits = "0123456789abcdef"

// appendJSONString writes s as encoding/json writes a string: quoted, with
// <, > and & escaped for HTML, control characters escaped, U+2028 and
// U+2029 escaped, and each invalid UTF-8 byte replaced by U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
