package multiline

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/numberpool"
	"github.com/multilinehq/multiline/org"
)

// fill sets every field of the struct v points to, recursively, to a value
// that is not its zero value, each string distinct, so that a field missing
// from a hand-built snapshot, or written under another field's name, shows.
func fill(t *testing.T, v reflect.Value, prefix string) {
	for i := range v.NumField() {
		f, name := v.Field(i), prefix+v.Type().Field(i).Name
		switch f.Kind() {
		case reflect.String:
			f.SetString(name + " <&> \"é\"\u2028")
		case reflect.Int:
			f.SetInt(int64(7 + i))
		case reflect.Pointer:
			f.Set(reflect.New(f.Type().Elem()))
			fill(t, f.Elem(), name+".")
		case reflect.Struct:
			require.IsType(t, time.Time{}, f.Interface(), "field %s: the snapshots write only times as structs", name)
			f.Set(reflect.ValueOf(time.Date(2026, 11, 25, 9, 0, i, 123456000, time.UTC)))
		default:
			t.Fatalf("field %s of kind %s: teach the snapshot and this test about it", name, f.Kind())
		}
	}
}

func TestSnapshotJSON(t *testing.T) {
	var num numberpool.Number
	fill(t, reflect.ValueOf(&num).Elem(), "")
	var inv invite.AuditView
	fill(t, reflect.ValueOf(&inv).Elem(), "")
	noConsent := inv
	noConsent.SMSConsent = nil
	tests := map[string]any{
		"number zero":              numberpool.Number{},
		"number filled":            num,
		"number in a time zone":    numberpool.Number{E164: "+14155550101", AgingUntil: time.Date(2026, 1, 2, 3, 4, 5, 6, time.FixedZone("X", -5400))},
		"invitation zero":          invite.AuditView{},
		"invitation filled":        inv,
		"invitation, no consent":   noConsent,
		"invitation, zero consent": invite.AuditView{SMSConsent: &invite.Consent{}},
		"account filled":           filled(t),
	}
	for name, v := range tests {
		t.Run(name, func(t *testing.T) {
			want, err := json.Marshal(v)
			require.NoError(t, err)
			got, ok := knownSnapshot(v)
			require.True(t, ok)
			require.Equal(t, string(want), string(got))
			require.Equal(t, string(want), string(snapshot(v)))
		})
	}
	_, ok := knownSnapshot(account.Draft{})
	require.False(t, ok, "other records are marshalled")
}

func FuzzSnapshotJSON(f *testing.F) {
	f.Add("+14155550101", "org-1", "PORTED", "acct", "admin", "I confirm.", 1, int64(1764061200), true)
	f.Add("\x00\x7f\u2028", "<>&\"\\", "\xff", "", "", "\ufffd\xe2\x82", -3, int64(0), false)
	f.Fuzz(func(t *testing.T, e164, o, tag, acct, admin, disclaimer string, version int, unix int64, consent bool) {
		at := time.Unix(unix%(1<<35), 0).UTC()
		num := numberpool.Number{E164: e164, OrgID: org.ID(o), State: numberpool.State(tag), Tag: tag,
			Account: acct, Origin: numberpool.Available, AgingUntil: at}
		inv := invite.AuditView{ID: invite.ID(acct), Channel: invite.Channel(tag), Destination: e164,
			TokenVersion: version, ExpiresAt: at, State: invite.State(o)}
		if consent {
			inv.SMSConsent = &invite.Consent{AdminID: admin, At: at, Disclaimer: disclaimer}
		}
		for _, v := range []any{num, inv} {
			want, err := json.Marshal(v)
			require.NoError(t, err)
			got, _ := knownSnapshot(v)
			require.Equal(t, string(want), string(got))
		}
	})
}

func TestAppendTimeOutOfRange(t *testing.T) {
	for _, tm := range []time.Time{
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("far", 25*3600)),
	} {
		_, err := tm.MarshalJSON()
		require.Error(t, err, "json.Marshal refuses %v", tm)
		require.Equal(t, `x:null`, string(appendTime([]byte("x:"), tm)))
	}
}
