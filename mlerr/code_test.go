package mlerr_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/multilinehq/multiline/mlerr"
)

type outer struct{ err error }

func (e *outer) Error() string     { return "outer: " + e.err.Error() }
func (e *outer) Unwrap() error     { return e.err }
func (e *outer) ErrorCode() string { return "outer.code" }

func TestCodeOf(t *testing.T) {
	sentinel := mlerr.New("thing.refused", "thing: refused")
	field := mlerr.Invalid("first_name", "first_name.control", "a\nb", "First Name must not hold a line break")
	second := mlerr.Invalid("last_name", "last_name.length", "x", "Last Name is too long")
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},
		{"internal", errors.New("store: connection reset"), ""},
		{"internal wrapped", fmt.Errorf("load: %w", errors.New("io")), ""},
		{"sentinel", sentinel, "thing.refused"},
		{"sentinel wrapped twice", fmt.Errorf("a: %w", fmt.Errorf("b: %w", sentinel)), "thing.refused"},
		{"field", field, "first_name.control"},
		{"joined fields give the first", errors.Join(field, second), "first_name.control"},
		{"join skips uncoded members", errors.Join(errors.New("x"), second), "last_name.length"},
		{"outermost coder wins", &outer{sentinel}, "outer.code"},
		{"field wraps ErrInvalid but keeps its own code", fmt.Errorf("row 3: %w", field), "first_name.control"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, mlerr.CodeOf(tc.err))
		})
	}
	assert.True(t, errors.Is(fmt.Errorf("w: %w", sentinel), sentinel), "a coded sentinel is matched by identity")
	assert.Equal(t, "thing: refused", sentinel.Error())
}

func ExampleCodeOf() {
	err := fmt.Errorf("save: %w", errors.Join(
		mlerr.Invalid("forwarding_number", "forwarding_number.length", "12", "Forwarding Number must have 4 to 18 digits"),
		mlerr.Invalid("language", "language.unknown", "klingon", "Language must be English, Italian, German, French or Spanish"),
	))
	fmt.Println(mlerr.CodeOf(err))
	fmt.Println(len(mlerr.Fields(err)))
	fmt.Println(mlerr.CodeOf(errors.New("connection refused")) == "")
	// Output:
	// forwarding_number.length
	// 2
	// true
}
