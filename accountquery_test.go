package multiline_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"

	"github.com/multilinehq/multiline"
	"github.com/multilinehq/multiline/account"
)

func TestPrefixEnd(t *testing.T) {
	cases := []struct {
		p, want string
		ok      bool
	}{
		{"", "", false},
		{"ada", "adb", true},
		{"a%", "a&", true},
		{"+1415", "+1416", true},
		{"é", "ê", true},
		{"a\uD7FF", "a\uE000", true}, // past the surrogates
		{"a" + string(utf8.MaxRune), "b", true},
		{string(utf8.MaxRune) + string(utf8.MaxRune), "", false},
	}
	for _, c := range cases {
		got, ok := multiline.PrefixEnd(c.p)
		assert.Equal(t, c.ok, ok, "%q", c.p)
		assert.Equal(t, c.want, got, "%q", c.p)
		if !ok {
			continue
		}
		// Every string that starts with p is in [p, end); the end is not.
		for _, s := range []string{c.p, c.p + "a", c.p + "\x00", c.p + string(utf8.MaxRune) + "z"} {
			assert.True(t, s >= c.p && s < got, "%q in [%q, %q)", s, c.p, got)
		}
		assert.False(t, strings.HasPrefix(got, c.p))
	}
}

func TestSearchKey(t *testing.T) {
	a := account.Account{FirstName: "Zed", LastName: "Ada", Username: "ada.z@example.com", AccountID: "ADA-1", Number: "+14155550101"}
	cases := []struct {
		text, key string
		ok        bool
	}{
		{"ada", "ada", true},    // the lowest of three matching fields
		{"ada-", "ada-1", true}, // only the Account ID
		{"1415", "+14155550101", true},
		{"+1415", "+14155550101", true},
		{"zed", "zed", true},
		{"bob", "", false},
	}
	for _, c := range cases {
		key, ok := multiline.SearchKey(a, c.text)
		assert.Equal(t, c.ok, ok, c.text)
		assert.Equal(t, c.key, key, c.text)
	}
}
