package multiline

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/invite"
	"github.com/multilinehq/multiline/org"
)

// filled returns an account whose every field holds a value that is not its
// zero value, each string distinct, so that a field missing from
// accountJSON, or written under another field's name, shows.
func filled(t *testing.T) account.Account {
	var a account.Account
	v := reflect.ValueOf(&a).Elem()
	for i := range v.NumField() {
		f, name := v.Field(i), v.Type().Field(i).Name
		switch f.Kind() {
		case reflect.String:
			f.SetString(name + " <&> \"é\"")
		case reflect.Bool:
			f.SetBool(true)
		case reflect.Slice:
			s := reflect.MakeSlice(f.Type(), 2, 2)
			s.Index(0).SetString(name + "-1")
			s.Index(1).SetString(name + "-2")
			f.Set(s)
		case reflect.Struct:
			tm := time.Date(2026, 11, 25, 9, 0, i, 123456000, time.UTC)
			require.IsType(t, time.Time{}, f.Interface(), "field %s: accountJSON writes only times as structs", name)
			f.Set(reflect.ValueOf(tm))
		default:
			t.Fatalf("field %s of kind %s: teach accountJSON and this test about it", name, f.Kind())
		}
	}
	return a
}

func TestAccountJSON(t *testing.T) {
	full := filled(t)
	empty := full
	empty.Applications, empty.Features = []org.Application{}, []org.Feature{}
	tests := map[string]account.Account{
		"zero":         {},
		"filled":       full,
		"empty slices": empty,
		"escapes": {FirstName: "a\x00b\x1f\t\n\r\b\f\\\"", LastName: "\u2028\u2029\ufffd", Email: "bad \xff\xfe utf8 \xe2\x82",
			Device: "<script>&amp;</script>", Created: time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("X", 3600))},
	}
	for name, a := range tests {
		t.Run(name, func(t *testing.T) {
			want, err := json.Marshal(a)
			require.NoError(t, err)
			require.Equal(t, string(want), string(accountJSON(a)))
		})
	}
}

func FuzzAccountJSON(f *testing.F) {
	f.Add("Ann", "O'Hara", "ann@example.com", "mobile", true)
	f.Add("\x00\x7f\u2028", "<>&\"\\", "\xff", "", false)
	f.Fuzz(func(t *testing.T, first, last, email, app string, social bool) {
		a := account.Account{FirstName: first, LastName: last, Email: email, Username: email + last,
			Applications: []org.Application{org.Application(app)}, SocialMessaging: social,
			Created: time.Date(2026, 11, 25, 9, 0, 0, 1000, time.UTC)}
		want, err := json.Marshal(a)
		require.NoError(t, err)
		require.Equal(t, string(want), string(accountJSON(a)))
	})
}

// TestDeliveryJSON holds deliveryJSON to deliveryOf(m).json() for every
// state, with and without attempts, errors (quotes, non-ASCII, invalid
// UTF-8) and send times (in other zones, before year 1 and after 9999).
func TestDeliveryJSON(t *testing.T) {
	times := []time.Time{{}, time.Date(2026, 3, 16, 17, 0, 0, 123, time.UTC),
		time.Date(2026, 3, 16, 17, 0, 0, 0, time.FixedZone("X", -5*3600)),
		time.Date(-3, 1, 2, 3, 4, 5, 0, time.UTC), time.Date(12026, 1, 2, 3, 4, 5, 0, time.UTC)}
	errs := []string{"", "smtp: 550 \"no\" \\ such user", "é\u2028\xff<&>\n", "\x1b[31mdown\x1b[0m \a\v\x7f 😀"}
	n := 0
	for _, st := range []invite.MessageState{invite.Queued, invite.Failed, invite.Sent, invite.Cancelled, invite.Abandoned, "odd\"state"} {
		for _, at := range times {
			for _, e := range errs {
				m := invite.Message{State: st, Attempts: n % 7, LastError: e, SentAt: at, NextAttempt: at.Add(time.Hour)}
				n++
				require.Equal(t, string(deliveryOf(m).json()), string(deliveryJSON(m)), "%+v", m)
				var got struct {
					LastError string `json:"last_error"`
				}
				require.NoError(t, json.Unmarshal(deliveryJSON(m), &got), "%s", deliveryJSON(m))
				require.Equal(t, strings.ToValidUTF8(e, "\uFFFD"), got.LastError)
			}
		}
	}
}
