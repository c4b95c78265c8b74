package multiline

import (
	"strings"
	"unicode/utf8"

	"github.com/multilinehq/multiline/account"
	"github.com/multilinehq/multiline/org"
)

// AccountQuery selects the accounts Tx.SearchAccounts returns.
//
// Text, when set, is matched against the start of five fields: first name,
// last name, username, Account ID and number. Both sides are compared
// lower-cased (strings.ToLower in Go; lower() under the database's UTF-8
// ctype in a SQL store, which agrees with it on every letter a name or an
// email holds in practice). The number also matches when Text lacks its
// leading "+" ("1415" finds +14155550101). Text holds no '%' or '_' wildcard:
// every character, those included, stands for itself.
type AccountQuery struct {
	// Orgs are the organizations searched; at least one.
	Orgs []org.ID
	// Statuses keeps the accounts in one of these statuses; empty keeps all.
	Statuses []account.Status
	// Text is the prefix searched for; empty matches every account.
	Text string
}

// Order of SearchAccounts. Without Text, accounts come oldest first (by ID),
// as ListAccounts gives them. With Text, they come by their search key — the
// lowest of the lower-cased values of their fields that start with Text — then
// by ID. That order lets a SQL store read a page from one index range per
// field, keyed as the order is, rather than every match: a page costs a
// page's worth of rows whatever the number of matches.

// SearchKey returns the search key of account a for the lower-cased text
// lower (see AccountQuery), and whether a matches at all. Stores use it to
// agree on the order; lower must be strings.ToLower of the query's Text.
func SearchKey(a account.Account, lower string) (string, bool) {
	key, found := "", false
	for i, v := range SearchFields(a) {
		v = strings.ToLower(v)
		p := lower
		if i == SearchFieldNumber {
			p = NumberPrefix(lower)
		}
		if strings.HasPrefix(v, p) && (!found || v < key) {
			key, found = v, true
		}
	}
	return key, found
}

// The fields searched, in the order SearchFields returns them.
const (
	SearchFieldFirstName = iota
	SearchFieldLastName
	SearchFieldUsername
	SearchFieldAccountID
	SearchFieldNumber
)

// SearchFields returns the values of a that a text search matches, in the
// order of the SearchField constants.
func SearchFields(a account.Account) [5]string {
	return [5]string{a.FirstName, a.LastName, a.Username, a.AccountID, a.Number}
}

// NumberPrefix is what the number field is matched against for the
// lower-cased text lower: lower itself when it starts with "+", else "+"
// and lower, since numbers are stored in E.164.
func NumberPrefix(lower string) string {
	if strings.HasPrefix(lower, "+") {
		return lower
	}
	return "+" + lower
}

// PrefixEnd returns the least string above every string that starts with p
// in byte order, and false when there is none (p is empty, or every rune of
// it is utf8.MaxRune). A SQL store reads the range [p, PrefixEnd(p)) of an
// index instead of using LIKE, so that no character of the query is a
// wildcard and the range is an index condition whatever the plan.
func PrefixEnd(p string) (string, bool) {
	for p != "" {
		r, size := utf8.DecodeLastRuneInString(p)
		p = p[:len(p)-size]
		if r == utf8.RuneError && size == 1 {
			// Not UTF-8: the caller refused it already; say nothing is
			// above it rather than guess.
			return "", false
		}
		next := r + 1
		if next >= 0xD800 && next <= 0xDFFF {
			next = 0xE000 // the surrogates are not runes UTF-8 can hold
		}
		if next <= utf8.MaxRune {
			return p + string(next), true
		}
	}
	return "", false
}
