package mlerr_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/multilinehq/multiline/mlerr"
)

func TestFieldErrorError(t *testing.T) {
	tests := []struct {
		name string
		err  *mlerr.FieldError
		want string
	}{
		{
			name: "invalid",
			err:  mlerr.Invalid("forwarding_number", "forwarding_number.length", "+12", "Forwarding Number must have 4 to 18 digits"),
			want: "forwarding_number: Forwarding Number must have 4 to 18 digits (forwarding_number.length)",
		},
		{
			name: "exists",
			err:  mlerr.Exists("account_id", "account_id.exists", "A-1", "Account ID is taken"),
			want: "account_id: Account ID is taken (account_id.exists)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.err.Error())
		})
	}
}

func TestFieldErrorUnwrap(t *testing.T) {
	tests := []struct {
		name    string
		err     *mlerr.FieldError
		is      error
		isNot   []error
		field   string
		code    string
		value   string
		message string
	}{
		{
			name:    "Invalid wraps ErrInvalid",
			err:     mlerr.Invalid("email", "email.format", "a@", "Email must be an address"),
			is:      mlerr.ErrInvalid,
			isNot:   []error{mlerr.ErrAlreadyExists, mlerr.ErrNotFound, mlerr.ErrConflict},
			field:   "email",
			code:    "email.format",
			value:   "a@",
			message: "Email must be an address",
		},
		{
			name:    "Exists wraps ErrAlreadyExists",
			err:     mlerr.Exists("username", "username.exists", "ann@example.com", "Username is taken"),
			is:      mlerr.ErrAlreadyExists,
			isNot:   []error{mlerr.ErrInvalid, mlerr.ErrNotFound, mlerr.ErrConflict},
			field:   "username",
			code:    "username.exists",
			value:   "ann@example.com",
			message: "Username is taken",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.is, tt.err.Unwrap())
			// Through a further layer of wrapping, as a caller sees it.
			wrapped := fmt.Errorf("creating account: %w", tt.err)
			assert.ErrorIs(t, wrapped, tt.is)
			for _, other := range tt.isNot {
				assert.NotErrorIs(t, wrapped, other)
			}
			var fe *mlerr.FieldError
			require.ErrorAs(t, wrapped, &fe)
			assert.Same(t, tt.err, fe)
			assert.Equal(t, tt.field, fe.Field)
			assert.Equal(t, tt.code, fe.Code)
			assert.Equal(t, tt.value, fe.Value)
			assert.Equal(t, tt.message, fe.Message)
		})
	}
}

func TestInvalidTruncatesValue(t *testing.T) {
	long := strings.Repeat("x", 1000)
	fe := mlerr.Invalid("first_name", "first_name.too_long", long, "First Name must be at most 100 characters")
	assert.Equal(t, strings.Repeat("x", 64)+"…", fe.Value)
	fe = mlerr.Exists("account_id", "account_id.exists", long, "taken")
	assert.Equal(t, strings.Repeat("x", 64)+"…", fe.Value)
}

func TestFields(t *testing.T) {
	a := mlerr.Invalid("first_name", "first_name.required", "", "First Name is required")
	b := mlerr.Invalid("email", "email.format", "x", "Email must be an address")
	c := mlerr.Exists("account_id", "account_id.exists", "A-1", "Account ID is taken")
	plain := errors.New("disk on fire")

	tests := []struct {
		name string
		err  error
		want []*mlerr.FieldError
	}{
		{name: "nil", err: nil, want: nil},
		{name: "plain error", err: plain, want: nil},
		{name: "sentinel", err: mlerr.ErrInvalid, want: nil},
		{name: "single", err: a, want: []*mlerr.FieldError{a}},
		{name: "wrapped once", err: fmt.Errorf("row 3: %w", a), want: []*mlerr.FieldError{a}},
		{name: "wrapped twice", err: fmt.Errorf("batch: %w", fmt.Errorf("row 3: %w", b)), want: []*mlerr.FieldError{b}},
		{name: "joined in order", err: errors.Join(a, b, c), want: []*mlerr.FieldError{a, b, c}},
		{name: "joined skips others", err: errors.Join(a, plain, c), want: []*mlerr.FieldError{a, c}},
		{name: "join inside wrap", err: fmt.Errorf("row 3: %w", errors.Join(a, b)), want: []*mlerr.FieldError{a, b}},
		{name: "wrap inside join", err: errors.Join(fmt.Errorf("x: %w", a), fmt.Errorf("y: %w", errors.Join(b, c))), want: []*mlerr.FieldError{a, b, c}},
		{name: "multi %w", err: fmt.Errorf("%w and %w", b, a), want: []*mlerr.FieldError{b, a}},
		{name: "join of nothing", err: errors.Join(nil, nil), want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mlerr.Fields(tt.err)
			require.Len(t, got, len(tt.want))
			for i := range tt.want {
				assert.Same(t, tt.want[i], got[i], "field error %d", i)
			}
		})
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{name: "empty", in: "", want: ""},
		{name: "short", in: "Ann", want: "Ann"},
		{name: "exactly 64 bytes", in: strings.Repeat("a", 64), want: strings.Repeat("a", 64)},
		{name: "65 bytes", in: strings.Repeat("a", 65), want: strings.Repeat("a", 64) + "…"},
		// "é" is 2 bytes: 63 ASCII bytes then "é" straddles byte 64, so the cut
		// falls back before it rather than splitting it.
		{name: "two-byte rune across the limit", in: strings.Repeat("a", 63) + "éé", want: strings.Repeat("a", 63) + "…"},
		// 21 three-byte runes are 63 bytes; the 22nd straddles the limit.
		{name: "three-byte runes", in: strings.Repeat("€", 30), want: strings.Repeat("€", 21) + "…"},
		// 16 four-byte runes are exactly 64 bytes; the cut is on a boundary.
		{name: "four-byte runes on the boundary", in: strings.Repeat("😀", 20), want: strings.Repeat("😀", 16) + "…"},
		{name: "multi-byte fits", in: strings.Repeat("€", 21), want: strings.Repeat("€", 21)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mlerr.Truncate(tt.in)
			assert.Equal(t, tt.want, got)
			assert.True(t, utf8.ValidString(got), "cut inside a rune: %q", got)
		})
	}
}

func FuzzTruncate(f *testing.F) {
	for _, s := range []string{"", "Ann", strings.Repeat("a", 63) + "éé", strings.Repeat("€", 30), strings.Repeat("😀", 20), "\xff\xfe" + strings.Repeat("a", 70)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := mlerr.Truncate(s)
		if len(s) <= 64 {
			if got != s {
				t.Fatalf("Truncate(%q) = %q, want it unchanged", s, got)
			}
			return
		}
		prefix, ok := strings.CutSuffix(got, "…")
		if !ok {
			t.Fatalf("Truncate(%q) = %q: no cut mark", s, got)
		}
		if len(prefix) > 64 || !strings.HasPrefix(s, prefix) {
			t.Fatalf("Truncate(%q) = %q: not a prefix of at most 64 bytes", s, got)
		}
		if utf8.ValidString(s) && !utf8.ValidString(prefix) {
			t.Fatalf("Truncate(%q) = %q: cut inside a rune", s, got)
		}
		if utf8.ValidString(s) && len(prefix) < 64-utf8.UTFMax+1 {
			t.Fatalf("Truncate(%q) = %q: cut more than one rune", s, got)
		}
	})
}
